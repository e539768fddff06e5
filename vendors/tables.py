from __future__ import annotations

import django_tables2 as tables
from django.db.models import QuerySet
from django.db.models.functions import Lower

from core.tables import BaseTable

from .models import MSP


class MSPTable(BaseTable):
    name = tables.Column(linkify=True, attrs={"td": {"class": "fw-semibold"}})
    models_offered = tables.TemplateColumn(
        template_name="vendors/_models_offered.html", verbose_name="Models", orderable=False
    )
    headquarters = tables.Column()
    service_area = tables.Column()
    onsite_availability = tables.Column(verbose_name="On site")
    specialties = tables.TemplateColumn(
        template_name="vendors/_specialties.html", orderable=False, attrs={"td": {"class": "small"}}
    )
    reference_count = tables.TemplateColumn(
        template_name="vendors/_reference_count.html", verbose_name="References checked"
    )

    class Meta(BaseTable.Meta):
        model = MSP
        fields = ()
        sequence = (
            "name",
            "models_offered",
            "headquarters",
            "service_area",
            "onsite_availability",
            "specialties",
            "reference_count",
        )
        row_attrs = {"class": lambda record: "text-body-secondary" if record.is_archived else ""}

    def order_name(self, queryset: QuerySet[MSP], is_descending: bool) -> tuple[QuerySet[MSP], bool]:
        key = Lower("name")
        return queryset.order_by(key.desc() if is_descending else key.asc()), True
