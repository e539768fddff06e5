"""Fixtures and form-data helpers for the MSP registry tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from vendors import services
from vendors.models import MSP, ClientReference, Contact, ReferenceOutcome

READERS = ["admin_user", "procurement", "evaluator", "executive", "auditor", "no_role_user"]
EDITORS = ["admin_user", "procurement"]
OUTSIDERS = ["evaluator", "executive", "auditor", "no_role_user"]


def msp_data(msp: MSP | None = None, **overrides: Any) -> dict[str, Any]:
    """What the MSP form posts: the record's current values (or a new MSP's) with ``overrides``."""
    if msp is None:
        data: dict[str, Any] = {
            "name": "Brightwater IT",
            "website": "https://brightwater.example",
            "headquarters": "San Diego, CA",
            "service_area": "San Diego County",
            "onsite_availability": "next_day",
            "offers_fully_managed": "on",
            "notes": "",
        }
    else:
        data = {
            "name": msp.name,
            "website": msp.website,
            "headquarters": msp.headquarters,
            "service_area": msp.service_area,
            "onsite_availability": msp.onsite_availability,
            "notes": msp.notes,
            "specialties": [s.pk for s in msp.specialties.all()],
            "version": msp.version,
        }
        if msp.offers_fully_managed:
            data["offers_fully_managed"] = "on"
        if msp.offers_co_managed:
            data["offers_co_managed"] = "on"
    data.update(overrides)
    # An unticked checkbox is absent from a real POST.
    return {key: value for key, value in data.items() if value is not False}


def contact_data(contact: Contact | None = None, **overrides: Any) -> dict[str, Any]:
    if contact is None:
        data: dict[str, Any] = {"name": "Dana Whitfield", "title": "Account executive", "email": "dana@acme.example"}
    else:
        data = {
            "name": contact.name,
            "title": contact.title,
            "email": contact.email,
            "phone": contact.phone,
            "is_primary": "on" if contact.is_primary else False,
            "active": "on" if contact.active else False,
            "version": contact.version,
        }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not False}


def reference_data(reference: ClientReference | None = None, **overrides: Any) -> dict[str, Any]:
    if reference is None:
        data: dict[str, Any] = {"client": "Westside Pediatrics", "client_employees": 45, "outcome": "not_checked"}
    else:
        data = {
            "client": reference.client,
            "client_employees": reference.client_employees or "",
            "industry": reference.industry,
            "contact_name": reference.contact_name,
            "contact_email": reference.contact_email,
            "contact_phone": reference.contact_phone,
            "checked_on": reference.checked_on.isoformat() if reference.checked_on else "",
            "outcome": reference.outcome,
            "notes": reference.notes,
            "version": reference.version,
        }
    data.update(overrides)
    return data


def registry_state() -> list[tuple[Any, ...]]:
    """Every registry row with the fields a write would change, to prove nothing was written."""
    return [
        *MSP.objects.order_by("pk").values_list(
            "pk", "name", "website", "headquarters", "version", "archived_at", "offers_fully_managed"
        ),
        *Contact.objects.order_by("pk").values_list("pk", "msp_id", "name", "email", "is_primary", "version"),
        *ClientReference.objects.order_by("pk").values_list(
            "pk", "msp_id", "client", "client_employees", "outcome", "checked_on", "version", "archived_at"
        ),
    ]


@pytest.fixture
def other_msp(db) -> MSP:
    return services.msp_create(name="Summit Tech Partners", offers_co_managed=True)


@pytest.fixture
def contact(msp: MSP) -> Contact:
    return services.contact_create(msp=msp, name="Luis Moreno", email="luis@acme.example", is_primary=True)


@pytest.fixture
def reference(msp: MSP) -> ClientReference:
    return services.reference_create(msp=msp, client="Orange Valley Credit Union", client_employees=210)


@pytest.fixture
def checked_reference(msp: MSP, procurement) -> ClientReference:
    return services.reference_create(
        msp=msp,
        by=procurement,
        client="Irvine Biotech",
        client_employees=140,
        outcome=ReferenceOutcome.MIXED,
        checked_on=timezone.localdate() - timedelta(days=10),
    )
