from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from .models import MSP, OnsiteAvailability, Specialty


class MSPFilter(django_filters.FilterSet):
    """Filters for the registry. Declared explicitly so ``page`` and ``sort`` are not filter data."""

    q = django_filters.CharFilter(
        method="filter_search",
        label="Search",
        widget=forms.TextInput(attrs={"placeholder": "Name, location, notes", "type": "search"}),
    )
    offers = django_filters.ChoiceFilter(
        label="Offers",
        empty_label="Any model",
        method="filter_offers",
        choices=[
            ("fully_managed", "Fully managed"),
            ("co_managed", "Co-managed"),
            ("both", "Both models"),
        ],
    )
    specialty = django_filters.ModelChoiceFilter(
        label="Specialty", field_name="specialties", queryset=Specialty.objects.all(), empty_label="Any specialty"
    )
    onsite_availability = django_filters.ChoiceFilter(
        label="On site", choices=OnsiteAvailability.choices, empty_label="Any"
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        empty_label="Active",
        method="filter_status",
        choices=[("archived", "Archived"), ("all", "Active and archived")],
    )

    class Meta:
        model = MSP
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[MSP]) -> QuerySet[MSP]:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(archived_at__isnull=True)
        return queryset

    def filter_search(self, queryset: QuerySet[MSP], name: str, value: str) -> QuerySet[MSP]:
        for word in value.split():
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(headquarters__icontains=word)
                | Q(service_area__icontains=word)
                | Q(notes__icontains=word)
            )
        return queryset

    def filter_offers(self, queryset: QuerySet[MSP], name: str, value: str) -> QuerySet[MSP]:
        if value == "fully_managed":
            return queryset.filter(offers_fully_managed=True)
        if value == "co_managed":
            return queryset.filter(offers_co_managed=True)
        return queryset.filter(offers_fully_managed=True, offers_co_managed=True)

    def filter_status(self, queryset: QuerySet[MSP], name: str, value: str) -> QuerySet[MSP]:
        if value == "archived":
            return queryset.filter(archived_at__isnull=False)
        return queryset
