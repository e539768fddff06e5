"""Every write to the MSP registry goes through these functions.

Each runs in one transaction, validates with ``full_clean()`` before saving,
and saves through the model so the history records who changed what.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.concurrency import save_versioned
from core.text import clean_name

from .models import MSP, ClientReference, Contact, ReferenceOutcome, Specialty

MSP_FIELDS = [
    "name",
    "website",
    "headquarters",
    "service_area",
    "onsite_availability",
    "offers_fully_managed",
    "offers_co_managed",
    "notes",
]


def normalize_name(name: str) -> str:
    """The name as stored: NFKC, no invisible format characters, single spaces (``core.text.clean_name``)."""
    return clean_name(name)


def _raise_duplicate_name() -> None:
    raise ValidationError({"name": "An MSP with this name is already in the registry."})


def _check_name_free(msp: MSP) -> None:
    if MSP.objects.filter(name__iexact=msp.name).exclude(pk=msp.pk).exists():
        _raise_duplicate_name()


def _ensure_active(msp: MSP) -> None:
    if msp.is_archived:
        raise ValidationError("This MSP is archived; restore it before changing its contacts or references.")


@transaction.atomic
def msp_create(*, specialties: Iterable[Specialty] = (), **fields: Any) -> MSP:
    msp = MSP(**fields)
    msp.name = normalize_name(msp.name)
    _check_name_free(msp)
    msp.full_clean()
    try:
        with transaction.atomic():
            msp.save()
    except IntegrityError:
        # Two people adding the same MSP at once: the database constraint wins.
        _raise_duplicate_name()
    msp.specialties.set(specialties)
    return msp


@transaction.atomic
def msp_update(
    *, msp: MSP, expected_version: int, specialties: Iterable[Specialty] | None = None, **fields: Any
) -> MSP:
    unknown = set(fields) - set(MSP_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if msp.is_archived:
        raise ValidationError("An archived MSP can't be edited; restore it first.")
    for name, value in fields.items():
        setattr(msp, name, value)
    msp.name = normalize_name(msp.name)
    _check_name_free(msp)
    try:
        with transaction.atomic():
            save_versioned(msp, expected_version=expected_version, fields=[*fields, "updated_at"])
    except IntegrityError:
        _raise_duplicate_name()
    if specialties is not None:
        msp.specialties.set(specialties)
    return msp


@transaction.atomic
def msp_archive(*, msp: MSP, expected_version: int) -> MSP:
    msp.archived_at = timezone.now()
    save_versioned(msp, expected_version=expected_version, fields=["archived_at", "updated_at"])
    return msp


@transaction.atomic
def msp_restore(*, msp: MSP, expected_version: int) -> MSP:
    msp.archived_at = None
    save_versioned(msp, expected_version=expected_version, fields=["archived_at", "updated_at"])
    return msp


CONTACT_FIELDS = ["name", "title", "email", "phone", "is_primary", "active"]


def _demote_other_primaries(contact: Contact) -> None:
    """One primary contact per MSP: naming a new one demotes the old one."""
    if not contact.is_primary:
        return
    others = Contact.objects.select_for_update().filter(msp_id=contact.msp_id, is_primary=True)
    for other in others.exclude(pk=contact.pk):
        other.is_primary = False
        other.version += 1
        other.save(update_fields=["is_primary", "version"])


@transaction.atomic
def contact_create(*, msp: MSP, **fields: Any) -> Contact:
    _ensure_active(msp)
    contact = Contact(msp=msp, **fields)
    _demote_other_primaries(contact)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, expected_version: int, **fields: Any) -> Contact:
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    _ensure_active(contact.msp)
    for name, value in fields.items():
        setattr(contact, name, value)
    if not contact.active:
        contact.is_primary = False
    _demote_other_primaries(contact)
    save_versioned(contact, expected_version=expected_version, fields=sorted({*fields, "is_primary"}))
    return contact


REFERENCE_FIELDS = [
    "client",
    "client_employees",
    "industry",
    "contact_name",
    "contact_email",
    "contact_phone",
    "checked_on",
    "outcome",
    "notes",
]


def _stamp_check(reference: ClientReference, *, by: AbstractBaseUser | None, was_checked_on: date | None) -> None:
    """Record who checked a reference when its check date is set or changed."""
    if reference.outcome == ReferenceOutcome.NOT_CHECKED:
        reference.checked_by = None
    elif reference.checked_on != was_checked_on or reference.checked_by_id is None:
        reference.checked_by = by


@transaction.atomic
def reference_create(*, msp: MSP, by: AbstractBaseUser | None = None, **fields: Any) -> ClientReference:
    _ensure_active(msp)
    reference = ClientReference(msp=msp, **fields)
    _stamp_check(reference, by=by, was_checked_on=None)
    reference.full_clean()
    reference.save()
    return reference


@transaction.atomic
def reference_update(
    *, reference: ClientReference, expected_version: int, by: AbstractBaseUser | None = None, **fields: Any
) -> ClientReference:
    unknown = set(fields) - set(REFERENCE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if reference.is_archived:
        raise ValidationError("An archived reference can't be edited.")
    was_checked_on = reference.checked_on
    for name, value in fields.items():
        setattr(reference, name, value)
    _stamp_check(reference, by=by, was_checked_on=was_checked_on)
    save_versioned(reference, expected_version=expected_version, fields=[*fields, "checked_by"])
    return reference


@transaction.atomic
def reference_archive(*, reference: ClientReference, expected_version: int) -> ClientReference:
    reference.archived_at = timezone.now()
    save_versioned(reference, expected_version=expected_version, fields=["archived_at"])
    return reference
