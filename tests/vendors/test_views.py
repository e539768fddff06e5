"""Who may open and change each registry page: anonymous visitors, outsiders, readers and editors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import client_for
from vendors import services
from vendors.models import MSP, ClientReference, Contact

from .conftest import EDITORS, OUTSIDERS, READERS, contact_data, msp_data, reference_data, registry_state

Request = tuple[str, str, dict[str, Any]]

# Every request that changes the registry (or opens a form to change it).
WRITE_REQUESTS: dict[str, Callable[[MSP, Contact, ClientReference], Request]] = {
    "create form": lambda m, c, r: ("get", "/vendors/new/", {}),
    "create": lambda m, c, r: ("post", "/vendors/new/", msp_data(name="Brand New IT")),
    "edit form": lambda m, c, r: ("get", f"/vendors/{m.pk}/edit/", {}),
    "edit": lambda m, c, r: ("post", f"/vendors/{m.pk}/edit/", msp_data(m, headquarters="Fresno, CA")),
    "archive": lambda m, c, r: ("post", f"/vendors/{m.pk}/archive/", {"version": m.version}),
    "restore": lambda m, c, r: ("post", f"/vendors/{m.pk}/restore/", {"version": m.version}),
    "contact form": lambda m, c, r: ("get", f"/vendors/{m.pk}/contacts/new/", {}),
    "contact create": lambda m, c, r: ("post", f"/vendors/{m.pk}/contacts/new/", contact_data(name="Grace Kim")),
    "contact edit form": lambda m, c, r: ("get", f"/vendors/{m.pk}/contacts/{c.pk}/edit/", {}),
    "contact edit": lambda m, c, r: (
        "post",
        f"/vendors/{m.pk}/contacts/{c.pk}/edit/",
        contact_data(c, email="new@acme.example"),
    ),
    "reference form": lambda m, c, r: ("get", f"/vendors/{m.pk}/references/new/", {}),
    "reference create": lambda m, c, r: ("post", f"/vendors/{m.pk}/references/new/", reference_data()),
    "reference edit form": lambda m, c, r: ("get", f"/vendors/{m.pk}/references/{r.pk}/edit/", {}),
    "reference edit": lambda m, c, r: (
        "post",
        f"/vendors/{m.pk}/references/{r.pk}/edit/",
        reference_data(r, client_employees=999),
    ),
    "reference archive": lambda m, c, r: (
        "post",
        f"/vendors/{m.pk}/references/{r.pk}/archive/",
        {"version": r.version},
    ),
}

FORM_PAGES: dict[str, Callable[[MSP, Contact, ClientReference], str]] = {
    "create": lambda m, c, r: "/vendors/new/",
    "edit": lambda m, c, r: f"/vendors/{m.pk}/edit/",
    "contact create": lambda m, c, r: f"/vendors/{m.pk}/contacts/new/",
    "contact edit": lambda m, c, r: f"/vendors/{m.pk}/contacts/{c.pk}/edit/",
    "reference create": lambda m, c, r: f"/vendors/{m.pk}/references/new/",
    "reference edit": lambda m, c, r: f"/vendors/{m.pk}/references/{r.pk}/edit/",
}


# Anonymous visitors


def test_it_sends_anonymous_visitors_of_the_list_to_login(client, msp):
    response = client.get("/vendors/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/vendors/"


def test_it_sends_anonymous_visitors_of_the_detail_page_to_login(client, msp):
    response = client.get(f"/vendors/{msp.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/vendors/{msp.pk}/"


@pytest.mark.parametrize("name", WRITE_REQUESTS)
def test_it_sends_anonymous_writers_to_login_and_writes_nothing(client, msp, contact, reference, name):
    method, url, data = WRITE_REQUESTS[name](msp, contact, reference)
    before = registry_state()

    response = getattr(client, method)(url, data)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert registry_state() == before


# Everyone logged in may read


@pytest.mark.parametrize("user_fixture", READERS)
def test_it_lists_msps_for_every_logged_in_user(request, user_fixture, msp):
    response = client_for(request.getfixturevalue(user_fixture)).get("/vendors/")
    assert response.status_code == 200
    assert [row.record.pk for row in response.context["table"].page.object_list] == [msp.pk]
    assert "Acme Managed IT" in response.text


@pytest.mark.parametrize("user_fixture", READERS)
def test_it_shows_the_detail_page_to_every_logged_in_user(request, user_fixture, msp, contact, reference):
    response = client_for(request.getfixturevalue(user_fixture)).get(f"/vendors/{msp.pk}/")
    assert response.status_code == 200
    assert response.context["msp"] == msp
    assert "Acme Managed IT" in response.text
    assert "Luis Moreno" in response.text
    assert "Orange Valley Credit Union" in response.text


@pytest.mark.parametrize("user_fixture", OUTSIDERS)
def test_it_hides_edit_controls_from_outsiders(request, user_fixture, msp, reference):
    client = client_for(request.getfixturevalue(user_fixture))

    detail = client.get(f"/vendors/{msp.pk}/")
    listing = client.get("/vendors/")

    assert detail.context["can_edit"] is False
    assert f"/vendors/{msp.pk}/edit/" not in detail.text
    assert f"/vendors/{msp.pk}/archive/" not in detail.text
    assert listing.context["can_edit"] is False
    assert "/vendors/new/" not in listing.text


@pytest.mark.parametrize("user_fixture", EDITORS)
def test_it_shows_edit_controls_to_editors(request, user_fixture, msp, reference):
    client = client_for(request.getfixturevalue(user_fixture))

    detail = client.get(f"/vendors/{msp.pk}/")
    listing = client.get("/vendors/")

    assert detail.context["can_edit"] is True
    assert f"/vendors/{msp.pk}/edit/" in detail.text
    assert f"/vendors/{msp.pk}/archive/" in detail.text
    assert f"/vendors/{msp.pk}/references/{reference.pk}/archive/" in detail.text
    assert listing.context["can_edit"] is True
    assert "/vendors/new/" in listing.text


# Only Procurement and admins may write


@pytest.mark.parametrize("user_fixture", OUTSIDERS)
@pytest.mark.parametrize("name", WRITE_REQUESTS)
def test_it_forbids_outsiders_to_change_the_registry(request, user_fixture, name, msp, contact, reference):
    method, url, data = WRITE_REQUESTS[name](msp, contact, reference)
    before = registry_state()

    response = getattr(client_for(request.getfixturevalue(user_fixture)), method)(url, data)

    assert response.status_code == 403
    assert registry_state() == before


@pytest.mark.parametrize("user_fixture", EDITORS)
@pytest.mark.parametrize("name", FORM_PAGES)
def test_it_opens_every_form_for_editors(request, user_fixture, name, msp, contact, reference):
    url = FORM_PAGES[name](msp, contact, reference)

    response = client_for(request.getfixturevalue(user_fixture)).get(url)

    assert response.status_code == 200
    assert not response.context["form"].is_bound


def test_it_opens_the_edit_forms_at_the_records_current_values(procurement, msp, contact, reference):
    client = client_for(procurement)

    msp_form = client.get(f"/vendors/{msp.pk}/edit/").context["form"]
    contact_form = client.get(f"/vendors/{msp.pk}/contacts/{contact.pk}/edit/").context["form"]
    reference_form = client.get(f"/vendors/{msp.pk}/references/{reference.pk}/edit/").context["form"]

    assert msp_form["name"].value() == "Acme Managed IT"
    assert msp_form["version"].value() == 1
    assert contact_form["email"].value() == "luis@acme.example"
    assert contact_form["version"].value() == 1
    assert reference_form["client"].value() == "Orange Valley Credit Union"
    assert reference_form["version"].value() == 1


# Missing records and records of another MSP

MISSING = 999_999


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/vendors/{missing}/"),
        ("get", "/vendors/{missing}/edit/"),
        ("post", "/vendors/{missing}/archive/"),
        ("post", "/vendors/{missing}/restore/"),
        ("get", "/vendors/{missing}/contacts/new/"),
        ("get", "/vendors/{missing}/references/new/"),
        ("get", "/vendors/{msp}/contacts/{missing}/edit/"),
        ("get", "/vendors/{msp}/references/{missing}/edit/"),
        ("post", "/vendors/{msp}/references/{missing}/archive/"),
    ],
)
def test_it_answers_404_for_records_that_do_not_exist(procurement, msp, method, path):
    url = path.format(missing=MISSING, msp=msp.pk)
    response = getattr(client_for(procurement), method)(url, {"version": 1})
    assert response.status_code == 404


def test_it_answers_404_for_another_msps_contact(procurement, msp, other_msp):
    theirs = services.contact_create(msp=other_msp, name="Megan Price", email="megan@summit.example")
    client = client_for(procurement)
    url = f"/vendors/{msp.pk}/contacts/{theirs.pk}/edit/"
    before = registry_state()

    assert client.get(url).status_code == 404
    assert client.post(url, contact_data(theirs, name="Hijacked")).status_code == 404
    assert registry_state() == before


def test_it_answers_404_for_another_msps_reference(procurement, msp, other_msp):
    theirs = services.reference_create(msp=other_msp, client="Lone Star Logistics")
    client = client_for(procurement)
    before = registry_state()

    edit_url = f"/vendors/{msp.pk}/references/{theirs.pk}/edit/"
    assert client.get(edit_url).status_code == 404
    assert client.post(edit_url, reference_data(theirs, client="Hijacked")).status_code == 404
    archive_url = f"/vendors/{msp.pk}/references/{theirs.pk}/archive/"
    assert client.post(archive_url, {"version": theirs.version}).status_code == 404
    assert registry_state() == before


# Mutations are POST only


@pytest.mark.parametrize("action", ["archive", "restore"])
def test_it_refuses_get_on_msp_state_changes(procurement, msp, action):
    before = registry_state()
    response = client_for(procurement).get(f"/vendors/{msp.pk}/{action}/")
    assert response.status_code == 405
    assert registry_state() == before


def test_it_refuses_get_on_reference_archive(procurement, msp, reference):
    before = registry_state()
    response = client_for(procurement).get(f"/vendors/{msp.pk}/references/{reference.pk}/archive/")
    assert response.status_code == 405
    assert registry_state() == before
