"""Bad input: each form answers with a message beside the field and writes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import client_for
from vendors.models import MSP

from .conftest import contact_data, msp_data, reference_data, registry_state


@pytest.fixture
def client(procurement) -> Client:
    return client_for(procurement)


def assert_refused(response: Any, field: str, before: list[Any]) -> list[str]:
    """The form came back with an error on ``field`` and the registry is as it was."""
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert registry_state() == before
    return errors[field]


# MSPs


@pytest.mark.parametrize("name", ["acme managed it", "ACME MANAGED IT", "  acme   MANAGED it "])
def test_it_refuses_a_duplicate_name_on_create(client, msp, name):
    before = registry_state()

    response = client.post("/vendors/new/", msp_data(name=name))

    assert assert_refused(response, "name", before) == ["“Acme Managed IT” is already in the registry."]
    assert MSP.objects.count() == 1


def test_it_refuses_a_duplicate_of_an_archived_msp_and_says_so(client, msp):
    client.post(f"/vendors/{msp.pk}/archive/", {"version": 1})
    before = registry_state()

    response = client.post("/vendors/new/", msp_data(name="acme managed it"))

    assert assert_refused(response, "name", before) == ["“Acme Managed IT” (archived) is already in the registry."]


def test_it_refuses_renaming_to_a_duplicate_name_on_edit(client, msp, other_msp):
    before = registry_state()

    response = client.post(f"/vendors/{other_msp.pk}/edit/", msp_data(other_msp, name="  acme   MANAGED it "))

    assert assert_refused(response, "name", before) == ["“Acme Managed IT” is already in the registry."]
    other_msp.refresh_from_db()
    assert other_msp.name == "Summit Tech Partners"
    assert other_msp.version == 1


def test_it_lets_an_msp_keep_its_own_name_in_another_case(client, msp):
    response = client.post(f"/vendors/{msp.pk}/edit/", msp_data(msp, name="ACME Managed IT"))

    assert response.status_code == 302
    msp.refresh_from_db()
    assert msp.name == "ACME Managed IT"


def test_it_refuses_a_blank_name(client, db):
    before = registry_state()
    response = client.post("/vendors/new/", msp_data(name="   "))
    assert_refused(response, "name", before)


def test_it_refuses_a_malformed_website(client, db):
    before = registry_state()

    response = client.post("/vendors/new/", msp_data(website="not a url"))

    assert assert_refused(response, "website", before) == ["Enter a valid URL."]


def test_it_refuses_a_malformed_website_on_edit(client, msp):
    before = registry_state()
    response = client.post(f"/vendors/{msp.pk}/edit/", msp_data(msp, website="not a url"))
    assert_refused(response, "website", before)


def test_it_accepts_a_website_without_scheme_as_https(client, db):
    response = client.post("/vendors/new/", msp_data(website="acme.example"))

    assert response.status_code == 302
    assert MSP.objects.get().website == "https://acme.example"


def test_it_refuses_an_msp_offering_neither_model(client, db):
    before = registry_state()

    response = client.post("/vendors/new/", msp_data(offers_fully_managed=False, offers_co_managed=False))

    assert assert_refused(response, "offers_co_managed", before) == ["Choose at least one model the MSP offers."]


def test_it_refuses_an_edit_that_drops_both_models(client, msp):
    before = registry_state()

    response = client.post(f"/vendors/{msp.pk}/edit/", msp_data(msp, offers_fully_managed=False))

    assert_refused(response, "offers_co_managed", before)
    msp.refresh_from_db()
    assert msp.offers_fully_managed is True


def test_it_refuses_an_unknown_onsite_availability(client, db):
    before = registry_state()
    response = client.post("/vendors/new/", msp_data(onsite_availability="teleport"))
    assert_refused(response, "onsite_availability", before)


# Contacts


def test_it_refuses_a_contact_with_a_bad_email(client, msp):
    before = registry_state()

    response = client.post(f"/vendors/{msp.pk}/contacts/new/", contact_data(email="dana at acme"))

    assert assert_refused(response, "email", before) == ["Enter a valid email address."]


def test_it_refuses_a_bad_email_on_contact_edit(client, msp, contact):
    before = registry_state()
    response = client.post(f"/vendors/{msp.pk}/contacts/{contact.pk}/edit/", contact_data(contact, email="nope"))
    assert_refused(response, "email", before)


def test_it_refuses_a_contact_without_a_name(client, msp):
    before = registry_state()
    response = client.post(f"/vendors/{msp.pk}/contacts/new/", contact_data(name=""))
    assert_refused(response, "name", before)


# References


@pytest.mark.parametrize("employees", [-5, 0])
def test_it_refuses_a_reference_with_no_employees(client, msp, employees):
    before = registry_state()
    response = client.post(f"/vendors/{msp.pk}/references/new/", reference_data(client_employees=employees))
    assert_refused(response, "client_employees", before)


def test_it_refuses_a_positive_outcome_without_a_date(client, msp):
    before = registry_state()

    response = client.post(f"/vendors/{msp.pk}/references/new/", reference_data(outcome="positive", checked_on=""))

    assert assert_refused(response, "checked_on", before) == ["Give the date the reference was checked."]


def test_it_refuses_a_date_without_an_outcome(client, msp):
    before = registry_state()
    yesterday = timezone.localdate() - timedelta(days=1)

    response = client.post(
        f"/vendors/{msp.pk}/references/new/", reference_data(outcome="not_checked", checked_on=yesterday.isoformat())
    )

    assert assert_refused(response, "outcome", before) == ["Say how the check went, or clear the date."]


def test_it_refuses_a_check_in_the_future(client, msp):
    before = registry_state()
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = client.post(
        f"/vendors/{msp.pk}/references/new/", reference_data(outcome="positive", checked_on=tomorrow.isoformat())
    )

    assert assert_refused(response, "checked_on", before) == ["A reference can't be checked in the future."]


def test_it_refuses_bad_reference_input_on_edit(client, msp, reference):
    before = registry_state()

    response = client.post(
        f"/vendors/{msp.pk}/references/{reference.pk}/edit/", reference_data(reference, outcome="negative")
    )

    assert_refused(response, "checked_on", before)
    reference.refresh_from_db()
    assert reference.outcome == "not_checked"
