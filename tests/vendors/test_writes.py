"""Successful writes through the pages: what lands in the database and in the history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from tests.conftest import client_for
from vendors import services
from vendors.models import MSP, ClientReference, Contact, Specialty

from .conftest import EDITORS, contact_data, msp_data, reference_data


@pytest.mark.parametrize("user_fixture", EDITORS)
def test_it_creates_an_msp_with_specialties(request, user_fixture):
    user = request.getfixturevalue(user_fixture)
    soc = Specialty.objects.get(slug="security-soc")
    hipaa = Specialty.objects.get(slug="compliance-hipaa")

    response = client_for(user).post("/vendors/new/", msp_data(offers_co_managed="on", specialties=[soc.pk, hipaa.pk]))

    msp = MSP.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/vendors/{msp.pk}/"
    assert msp.name == "Brightwater IT"
    assert msp.website == "https://brightwater.example"
    assert msp.onsite_availability == "next_day"
    assert (msp.offers_fully_managed, msp.offers_co_managed) == (True, True)
    assert set(msp.specialties.all()) == {soc, hipaa}
    assert msp.version == 1
    assert msp.archived_at is None


def test_it_records_who_created_an_msp(procurement):
    client_for(procurement).post("/vendors/new/", msp_data())

    msp = MSP.objects.get()
    assert msp.history.first().history_user == procurement
    assert msp.history.earliest().history_type == "+"
    assert msp.history.earliest().history_user == procurement


def test_it_normalises_the_name_and_the_website_on_create(procurement):
    response = client_for(procurement).post(
        "/vendors/new/", msp_data(name="  Brightwater    IT ", website="brightwater.example")
    )

    assert response.status_code == 302
    msp = MSP.objects.get()
    assert msp.name == "Brightwater IT"
    assert msp.website == "https://brightwater.example"


def test_it_edits_an_msp_bumps_its_version_and_records_the_change(procurement, msp):
    rows_before = msp.history.count()

    response = client_for(procurement).post(
        f"/vendors/{msp.pk}/edit/", msp_data(msp, headquarters="Pasadena, CA", offers_co_managed="on")
    )

    assert response.status_code == 302
    assert response["Location"] == f"/vendors/{msp.pk}/"
    msp.refresh_from_db()
    assert msp.headquarters == "Pasadena, CA"
    assert msp.offers_co_managed is True
    assert msp.version == 2
    assert msp.history.count() == rows_before + 1
    latest = msp.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == procurement
    changed = {change.field for change in latest.diff_against(latest.prev_record).changes}
    assert {"headquarters", "offers_co_managed"} <= changed


def test_it_shows_the_change_history_on_the_detail_page(procurement, msp, evaluator):
    client_for(procurement).post(f"/vendors/{msp.pk}/edit/", msp_data(msp, headquarters="Pasadena, CA"))

    history = client_for(evaluator).get(f"/vendors/{msp.pk}/").context["history"]

    update, create = history
    assert (update.who, update.action) == ("Priya", "update")
    assert [(c.field, c.old, c.new) for c in update.changes] == [("headquarters", "Los Angeles, CA", "Pasadena, CA")]
    # The fixture MSP was made outside a request, so nobody is recorded.
    assert (create.who, create.action) == ("system", "create")


def test_it_labels_msp_history_entries_with_the_msp_name(procurement, msp):
    client = client_for(procurement)
    client.post(f"/vendors/{msp.pk}/edit/", msp_data(msp, headquarters="Pasadena, CA"))

    history = client.get(f"/vendors/{msp.pk}/").context["history"]

    assert [entry.record for entry in history] == ["MSP: Acme Managed IT", "MSP: Acme Managed IT"]


def test_it_includes_contact_and_reference_changes_in_the_history(procurement, msp, auditor):
    client = client_for(procurement)
    client.post(f"/vendors/{msp.pk}/contacts/new/", contact_data(name="Grace Kim"))
    client.post(f"/vendors/{msp.pk}/references/new/", reference_data(client="Bayside Dental Care"))

    history = client_for(auditor).get(f"/vendors/{msp.pk}/").context["history"]

    records = [(entry.record, entry.who, entry.action) for entry in history]
    assert ("Contact: Grace Kim", "Priya", "create") in records
    assert ("Reference: Bayside Dental Care", "Priya", "create") in records


def test_it_archives_an_msp_without_deleting_it(procurement, msp):
    client = client_for(procurement)

    response = client.post(f"/vendors/{msp.pk}/archive/", {"version": msp.version})

    assert response.status_code == 302
    assert response["Location"] == f"/vendors/{msp.pk}/"
    msp.refresh_from_db()
    assert msp.archived_at is not None
    assert msp.version == 2
    assert MSP.objects.filter(pk=msp.pk).exists()


def test_it_restores_an_archived_msp(procurement, msp):
    services.msp_archive(msp=msp, expected_version=1)

    response = client_for(procurement).post(f"/vendors/{msp.pk}/restore/", {"version": 2})

    assert response.status_code == 302
    msp.refresh_from_db()
    assert msp.archived_at is None
    assert msp.version == 3


def test_it_refuses_to_archive_with_a_stale_version(procurement, msp):
    services.msp_update(msp=msp, expected_version=1, headquarters="Pasadena, CA")
    client = client_for(procurement)

    response = client.post(f"/vendors/{msp.pk}/archive/", {"version": 1})

    assert response.status_code == 302
    msp.refresh_from_db()
    assert msp.archived_at is None
    assert msp.version == 2
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("changed by someone else" in m for m in messages)


def test_it_redirects_from_the_edit_page_of_an_archived_msp(procurement, msp):
    services.msp_archive(msp=msp, expected_version=1)
    client = client_for(procurement)

    response = client.get(f"/vendors/{msp.pk}/edit/")

    assert response.status_code == 302
    assert response["Location"] == f"/vendors/{msp.pk}/"
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["Acme Managed IT is archived; restore it before editing."]


def test_it_does_not_save_edits_to_an_archived_msp(procurement, msp):
    services.msp_archive(msp=msp, expected_version=1)
    msp.refresh_from_db()

    response = client_for(procurement).post(f"/vendors/{msp.pk}/edit/", msp_data(msp, headquarters="Pasadena, CA"))

    assert response.status_code == 302
    msp.refresh_from_db()
    assert msp.headquarters == "Los Angeles, CA"
    assert msp.version == 2


def test_it_adds_a_contact(procurement, msp):
    response = client_for(procurement).post(
        f"/vendors/{msp.pk}/contacts/new/", contact_data(phone="+1 213 555 0141", is_primary="on")
    )

    assert response.status_code == 302
    assert response["Location"] == f"/vendors/{msp.pk}/"
    contact = Contact.objects.get()
    assert (contact.msp, contact.name, contact.email) == (msp, "Dana Whitfield", "dana@acme.example")
    assert contact.phone == "+1 213 555 0141"
    assert contact.is_primary is True
    assert contact.active is True
    assert contact.history.first().history_user == procurement


def test_it_demotes_the_old_primary_contact_when_a_new_one_is_named(procurement, msp, contact):
    client_for(procurement).post(f"/vendors/{msp.pk}/contacts/new/", contact_data(name="Grace Kim", is_primary="on"))

    assert list(Contact.objects.filter(msp=msp, is_primary=True).values_list("name", flat=True)) == ["Grace Kim"]
    contact.refresh_from_db()
    assert contact.is_primary is False
    assert contact.version == 2


def test_it_demotes_the_old_primary_when_an_existing_contact_is_made_primary(procurement, msp, contact):
    grace = services.contact_create(msp=msp, name="Grace Kim")

    response = client_for(procurement).post(
        f"/vendors/{msp.pk}/contacts/{grace.pk}/edit/", contact_data(grace, is_primary="on")
    )

    assert response.status_code == 302
    assert list(Contact.objects.filter(msp=msp, is_primary=True).values_list("name", flat=True)) == ["Grace Kim"]
    contact.refresh_from_db()
    assert contact.is_primary is False


def test_it_edits_a_contact(procurement, msp, contact):
    response = client_for(procurement).post(
        f"/vendors/{msp.pk}/contacts/{contact.pk}/edit/", contact_data(contact, title="Account manager")
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.title == "Account manager"
    assert contact.version == 2


def test_it_adds_a_reference_and_records_who_checked_it(procurement, msp):
    checked_on = timezone.localdate() - timedelta(days=3)

    response = client_for(procurement).post(
        f"/vendors/{msp.pk}/references/new/",
        reference_data(outcome="positive", checked_on=checked_on.isoformat(), notes="Fast on P1s."),
    )

    assert response.status_code == 302
    reference = ClientReference.objects.get()
    assert (reference.msp, reference.client, reference.client_employees) == (msp, "Westside Pediatrics", 45)
    assert (reference.outcome, reference.checked_on) == ("positive", checked_on)
    assert reference.checked_by == procurement


def test_it_adds_an_unchecked_reference_with_nobody_as_checker(procurement, msp):
    client_for(procurement).post(f"/vendors/{msp.pk}/references/new/", reference_data())

    reference = ClientReference.objects.get()
    assert reference.outcome == "not_checked"
    assert reference.checked_on is None
    assert reference.checked_by is None


def test_it_records_who_checked_a_reference_on_edit(admin_user, msp, reference):
    checked_on = timezone.localdate() - timedelta(days=1)

    response = client_for(admin_user).post(
        f"/vendors/{msp.pk}/references/{reference.pk}/edit/",
        reference_data(reference, outcome="mixed", checked_on=checked_on.isoformat()),
    )

    assert response.status_code == 302
    reference.refresh_from_db()
    assert (reference.outcome, reference.checked_on, reference.checked_by) == ("mixed", checked_on, admin_user)
    assert reference.version == 2


def test_it_archives_a_reference_without_deleting_it(procurement, msp, reference):
    response = client_for(procurement).post(
        f"/vendors/{msp.pk}/references/{reference.pk}/archive/", {"version": reference.version}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/vendors/{msp.pk}/"
    reference.refresh_from_db()
    assert reference.archived_at is not None
    assert reference.version == 2
    assert ClientReference.objects.filter(pk=reference.pk).exists()


def test_it_redirects_from_the_edit_page_of_an_archived_reference(procurement, msp, reference):
    services.reference_archive(reference=reference, expected_version=1)
    reference.refresh_from_db()

    response = client_for(procurement).post(
        f"/vendors/{msp.pk}/references/{reference.pk}/edit/", reference_data(reference, client="Renamed")
    )

    assert response.status_code == 302
    reference.refresh_from_db()
    assert reference.client == "Orange Valley Credit Union"
    assert reference.version == 2
