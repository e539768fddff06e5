"""Edit conflicts: a stale save is refused, shows both versions, and a second save overwrites on purpose."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from core.concurrency import CONFLICT_MESSAGE, EditConflict, save_versioned
from tests.conftest import client_for, make_user
from vendors import services
from vendors.models import MSP, ClientReference, Contact

from .conftest import contact_data, msp_data, reference_data


@pytest.fixture
def second_buyer(db):
    return make_user("bruno", "Procurement")


def opened_version(response) -> int:
    return int(response.context["form"]["version"].value())


def test_it_refuses_a_stale_msp_edit_and_shows_both_versions(procurement, second_buyer, msp):
    alice, bruno = client_for(procurement), client_for(second_buyer)
    url = f"/vendors/{msp.pk}/edit/"
    version = opened_version(alice.get(url))
    assert version == 1

    saved = bruno.post(url, msp_data(msp, headquarters="Irvine, CA", version=version))
    assert saved.status_code == 302

    response = alice.post(url, msp_data(msp, headquarters="Pasadena, CA", version=version))

    assert response.status_code == 200
    assert "changed by someone else" in response.text.lower()
    assert 'data-testid="edit-conflict"' in response.text
    form = response.context["form"]
    assert CONFLICT_MESSAGE in form.non_field_errors()
    assert ("Headquarters", "Irvine, CA", "Pasadena, CA") in form.conflict
    assert ("Name", "Acme Managed IT", "Acme Managed IT") in form.conflict
    msp.refresh_from_db()
    assert msp.headquarters == "Irvine, CA"
    assert msp.version == 2
    # The re-rendered form now carries the version it was compared with.
    assert opened_version(response) == 2
    assert 'name="version" value="2"' in response.text


def test_it_overwrites_on_purpose_after_a_conflict(procurement, second_buyer, msp):
    alice, bruno = client_for(procurement), client_for(second_buyer)
    url = f"/vendors/{msp.pk}/edit/"
    bruno.post(url, msp_data(msp, headquarters="Irvine, CA", version=1))
    refused = alice.post(url, msp_data(msp, headquarters="Pasadena, CA", version=1))

    response = alice.post(url, msp_data(msp, headquarters="Pasadena, CA", version=opened_version(refused)))

    assert response.status_code == 302
    msp.refresh_from_db()
    assert msp.headquarters == "Pasadena, CA"
    assert msp.version == 3
    assert msp.history.first().history_user == procurement


def test_it_refuses_a_stale_contact_edit_and_then_overwrites(procurement, second_buyer, msp, contact):
    alice, bruno = client_for(procurement), client_for(second_buyer)
    url = f"/vendors/{msp.pk}/contacts/{contact.pk}/edit/"
    version = opened_version(alice.get(url))
    bruno.post(url, contact_data(contact, email="bruno@acme.example", version=version))

    response = alice.post(url, contact_data(contact, email="alice@acme.example", version=version))

    assert response.status_code == 200
    assert "changed by someone else" in response.text.lower()
    assert ("Email", "bruno@acme.example", "alice@acme.example") in response.context["form"].conflict
    contact.refresh_from_db()
    assert contact.email == "bruno@acme.example"
    assert contact.version == 2

    again = alice.post(url, contact_data(contact, email="alice@acme.example", version=opened_version(response)))

    assert again.status_code == 302
    contact.refresh_from_db()
    assert contact.email == "alice@acme.example"
    assert contact.version == 3


def test_it_refuses_a_stale_reference_edit_and_then_overwrites(procurement, second_buyer, msp, reference):
    alice, bruno = client_for(procurement), client_for(second_buyer)
    url = f"/vendors/{msp.pk}/references/{reference.pk}/edit/"
    version = opened_version(alice.get(url))
    checked_on = (timezone.localdate() - timedelta(days=2)).isoformat()
    bruno.post(url, reference_data(reference, outcome="negative", checked_on=checked_on, version=version))

    response = alice.post(url, reference_data(reference, outcome="positive", checked_on=checked_on, version=version))

    assert response.status_code == 200
    assert "changed by someone else" in response.text.lower()
    assert ("Outcome of the check", "Negative", "Positive") in response.context["form"].conflict
    reference.refresh_from_db()
    assert (reference.outcome, reference.checked_by, reference.version) == ("negative", second_buyer, 2)

    again = alice.post(
        url, reference_data(reference, outcome="positive", checked_on=checked_on, version=opened_version(response))
    )

    assert again.status_code == 302
    reference.refresh_from_db()
    assert (reference.outcome, reference.version) == ("positive", 3)


def test_it_shows_the_conflict_when_someone_saves_between_validation_and_save(procurement, msp, monkeypatch):
    real_update = services.msp_update

    def update_after_someone_else(**kwargs):
        MSP.objects.filter(pk=msp.pk).update(headquarters="Irvine, CA", version=F("version") + 1)
        return real_update(**kwargs)

    monkeypatch.setattr(services, "msp_update", update_after_someone_else)

    response = client_for(procurement).post(f"/vendors/{msp.pk}/edit/", msp_data(msp, headquarters="Pasadena, CA"))

    assert response.status_code == 200
    assert ("Headquarters", "Irvine, CA", "Pasadena, CA") in response.context["form"].conflict
    assert opened_version(response) == 2
    msp.refresh_from_db()
    assert (msp.headquarters, msp.version) == ("Irvine, CA", 2)


def test_it_refuses_an_edit_without_a_version(procurement, msp):
    data = msp_data(msp, headquarters="Pasadena, CA")
    del data["version"]

    response = client_for(procurement).post(f"/vendors/{msp.pk}/edit/", data)

    assert response.status_code == 200
    assert "version" in response.context["form"].errors
    msp.refresh_from_db()
    assert (msp.headquarters, msp.version) == ("Los Angeles, CA", 1)


# save_versioned itself


@pytest.mark.parametrize(("model", "fixture"), [(MSP, "msp"), (Contact, "contact"), (ClientReference, "reference")])
def test_save_versioned_raises_edit_conflict_for_a_stale_version(request, model, fixture):
    record = request.getfixturevalue(fixture)
    model.objects.filter(pk=record.pk).update(version=2)  # someone else saved meanwhile
    stale = model.objects.get(pk=record.pk)
    field = "headquarters" if model is MSP else ("title" if model is Contact else "industry")
    setattr(stale, field, "mine")

    with pytest.raises(EditConflict) as raised:
        save_versioned(stale, expected_version=1, fields=[field])

    assert raised.value.current.version == 2
    assert str(raised.value) == CONFLICT_MESSAGE
    fresh = model.objects.get(pk=record.pk)
    assert getattr(fresh, field) != "mine"
    assert fresh.version == 2


def test_save_versioned_saves_and_bumps_the_version_when_current(msp):
    msp.headquarters = "Pasadena, CA"

    save_versioned(msp, expected_version=1, fields=["headquarters"])

    msp.refresh_from_db()
    assert (msp.headquarters, msp.version) == ("Pasadena, CA", 2)
