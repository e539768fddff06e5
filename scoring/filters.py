from __future__ import annotations

import django_filters
from django import forms

from .models import Evaluation, Model, Status


class PortfolioFilter(django_filters.FilterSet):
    """Declared explicitly, so the table's ``page`` and ``sort`` are not filter data."""

    q = django_filters.CharFilter(
        field_name="title",
        lookup_expr="icontains",
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Title"}),
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    model = django_filters.ChoiceFilter(choices=Model.choices, empty_label="Any model")

    class Meta:
        model = Evaluation
        fields: list[str] = []
