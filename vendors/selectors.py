"""Reads of the MSP registry that span relations, for pages and exports."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from core.history import HistoryEntry, entries

from .models import MSP, ClientReference, Contact, ReferenceOutcome


def msp(pk: int) -> MSP:
    return MSP.objects.get(pk=pk)


def contact(pk: int) -> Contact:
    return Contact.objects.get(pk=pk)


def reference(pk: int) -> ClientReference:
    return ClientReference.objects.get(pk=pk)


def msp_list() -> QuerySet[MSP]:
    """MSPs with their reference counts annotated and specialties prefetched."""
    active_refs = Q(references__archived_at__isnull=True)
    return (
        MSP.objects.annotate(
            reference_count=Count("references", filter=active_refs, distinct=True),
            checked_reference_count=Count(
                "references",
                filter=active_refs & ~Q(references__outcome=ReferenceOutcome.NOT_CHECKED),
                distinct=True,
            ),
        )
        .prefetch_related("specialties")
        .order_by(Lower("name"), "pk")
    )


def msp_detail() -> QuerySet[MSP]:
    """What the MSP page shows: specialties, contacts, references and who checked them."""
    return MSP.objects.prefetch_related(
        "specialties",
        Prefetch("contacts", queryset=Contact.objects.order_by("-active", "-is_primary", "name")),
        Prefetch(
            "references",
            queryset=ClientReference.objects.select_related("checked_by").order_by("archived_at", "client"),
        ),
    )


def registry_summary() -> dict[str, int]:
    return MSP.objects.filter(archived_at__isnull=True).aggregate(
        active=Count("id"),
        fully_managed=Count("id", filter=Q(offers_fully_managed=True)),
        co_managed=Count("id", filter=Q(offers_co_managed=True)),
        both=Count("id", filter=Q(offers_fully_managed=True, offers_co_managed=True)),
    )


def msp_history(msp: MSP, *, limit: int = 30) -> list[HistoryEntry]:
    """The MSP's recorded changes, its contacts' and references' included, newest first."""
    found = [
        *entries(list(msp.history.select_related("history_user")), label="MSP"),
        *entries(
            list(Contact.history.filter(msp_id=msp.pk).select_related("history_user")),
            label="Contact",
            describe=lambda contact: contact.name,
        ),
        *entries(
            list(ClientReference.history.filter(msp_id=msp.pk).select_related("history_user")),
            label="Reference",
            describe=lambda reference: reference.client,
        ),
    ]
    found.sort(key=lambda entry: entry.when, reverse=True)
    return found[:limit]
