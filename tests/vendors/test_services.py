"""The registry's write functions and the invariants the database keeps on its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.concurrency import EditConflict
from vendors import services
from vendors.models import MSP, ClientReference, Contact, ReferenceOutcome, Specialty

# Database invariants


def test_the_database_refuses_a_duplicate_name_in_another_case(msp):
    with pytest.raises(IntegrityError), transaction.atomic():
        MSP.objects.create(name="ACME MANAGED IT", offers_fully_managed=True)
    assert MSP.objects.count() == 1


def test_the_database_refuses_an_msp_offering_neither_model(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        MSP.objects.create(name="Nothing IT")
    assert MSP.objects.count() == 0


def test_the_database_refuses_a_second_primary_contact(msp, contact):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(msp=msp, name="Grace Kim", is_primary=True)
    assert Contact.objects.filter(msp=msp, is_primary=True).count() == 1


def test_the_database_refuses_a_checked_reference_without_a_date(msp):
    with pytest.raises(IntegrityError), transaction.atomic():
        ClientReference.objects.create(msp=msp, client="Coronado Realty", outcome=ReferenceOutcome.POSITIVE)
    assert ClientReference.objects.count() == 0


# msp_create / msp_update


def test_msp_create_normalises_the_name_and_sets_specialties(db):
    soc = Specialty.objects.get(slug="security-soc")

    msp = services.msp_create(name="  Ironclad   Cyber ", offers_fully_managed=True, specialties=[soc])

    msp.refresh_from_db()
    assert msp.name == "Ironclad Cyber"
    assert list(msp.specialties.all()) == [soc]
    assert msp.version == 1


def test_msp_create_refuses_a_case_different_duplicate(msp):
    with pytest.raises(ValidationError):
        services.msp_create(name="acme MANAGED it", offers_fully_managed=True)
    assert MSP.objects.count() == 1


def test_msp_create_reports_a_duplicate_on_the_name(msp):
    with pytest.raises(ValidationError) as raised:
        services.msp_create(name="acme MANAGED it", offers_fully_managed=True)
    assert "name" in raised.value.message_dict


def test_msp_update_reports_a_duplicate_on_the_name(msp, other_msp):
    with pytest.raises(ValidationError) as raised:
        services.msp_update(msp=other_msp, expected_version=1, name="ACME managed IT")
    assert "name" in raised.value.message_dict


def test_msp_update_refuses_a_duplicate_name_and_keeps_the_old_one(msp, other_msp):
    with pytest.raises(ValidationError):
        services.msp_update(msp=other_msp, expected_version=1, name="ACME managed IT")
    other_msp.refresh_from_db()
    assert (other_msp.name, other_msp.version) == ("Summit Tech Partners", 1)


def test_msp_update_refuses_fields_it_does_not_edit(msp):
    with pytest.raises(TypeError, match="archived_at"):
        services.msp_update(msp=msp, expected_version=1, archived_at=timezone.now())


def test_msp_update_refuses_an_archived_msp(msp):
    services.msp_archive(msp=msp, expected_version=1)

    with pytest.raises(ValidationError):
        services.msp_update(msp=msp, expected_version=2, headquarters="Pasadena, CA")
    msp.refresh_from_db()
    assert (msp.headquarters, msp.version) == ("Los Angeles, CA", 2)


def test_msp_update_refuses_a_stale_version(msp):
    services.msp_update(msp=MSP.objects.get(pk=msp.pk), expected_version=1, headquarters="Irvine, CA")

    with pytest.raises(EditConflict):
        services.msp_update(msp=MSP.objects.get(pk=msp.pk), expected_version=1, headquarters="Pasadena, CA")
    msp.refresh_from_db()
    assert (msp.headquarters, msp.version) == ("Irvine, CA", 2)


def test_msp_archive_and_restore_bump_the_version(msp):
    services.msp_archive(msp=msp, expected_version=1)
    msp.refresh_from_db()
    assert msp.is_archived
    assert msp.version == 2

    services.msp_restore(msp=msp, expected_version=2)
    msp.refresh_from_db()
    assert not msp.is_archived
    assert msp.version == 3


# Contacts


def test_contact_create_demotes_the_old_primary(msp, contact):
    grace = services.contact_create(msp=msp, name="Grace Kim", is_primary=True)

    contact.refresh_from_db()
    assert contact.is_primary is False
    assert contact.version == 2
    assert list(Contact.objects.filter(msp=msp, is_primary=True)) == [grace]


def test_contact_update_demotes_a_deactivated_primary(msp, contact):
    services.contact_update(contact=contact, expected_version=1, active=False)

    contact.refresh_from_db()
    assert (contact.active, contact.is_primary, contact.version) == (False, False, 2)


def test_a_primary_contact_of_another_msp_is_left_alone(msp, other_msp, contact):
    services.contact_create(msp=other_msp, name="Megan Price", is_primary=True)

    contact.refresh_from_db()
    assert contact.is_primary is True
    assert contact.version == 1


# References


def test_reference_create_stamps_the_checker_of_a_checked_reference(msp, procurement):
    checked_on = timezone.localdate() - timedelta(days=4)

    reference = services.reference_create(
        msp=msp, by=procurement, client="Coronado Realty", outcome=ReferenceOutcome.POSITIVE, checked_on=checked_on
    )

    reference.refresh_from_db()
    assert (reference.checked_by, reference.checked_on) == (procurement, checked_on)


def test_reference_create_leaves_an_unchecked_reference_without_checker(msp, procurement):
    reference = services.reference_create(msp=msp, by=procurement, client="Coronado Realty")

    reference.refresh_from_db()
    assert reference.checked_by is None


def test_reference_update_keeps_the_checker_when_the_date_is_unchanged(checked_reference, procurement, evaluator):
    services.reference_update(reference=checked_reference, expected_version=1, by=evaluator, notes="Called back.")

    checked_reference.refresh_from_db()
    assert checked_reference.checked_by == procurement
    assert checked_reference.notes == "Called back."


def test_reference_update_stamps_a_new_checker_when_the_date_changes(checked_reference, evaluator):
    services.reference_update(
        reference=checked_reference, expected_version=1, by=evaluator, checked_on=timezone.localdate()
    )

    checked_reference.refresh_from_db()
    assert checked_reference.checked_by == evaluator


def test_reference_update_clears_the_checker_when_unchecked(checked_reference, evaluator):
    services.reference_update(
        reference=checked_reference, expected_version=1, by=evaluator, outcome="not_checked", checked_on=None
    )

    checked_reference.refresh_from_db()
    assert (checked_reference.outcome, checked_reference.checked_on, checked_reference.checked_by) == (
        "not_checked",
        None,
        None,
    )


def test_reference_update_refuses_an_archived_reference(reference):
    services.reference_archive(reference=reference, expected_version=1)

    with pytest.raises(ValidationError):
        services.reference_update(reference=reference, expected_version=2, client="Renamed")
    reference.refresh_from_db()
    assert reference.client == "Orange Valley Credit Union"
