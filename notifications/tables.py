from __future__ import annotations

import django_tables2 as tables

from core.tables import BaseTable

from .models import Reminder


class ReminderTable(BaseTable):
    created_at = tables.DateTimeColumn(verbose_name="Recorded", format="j M Y H:i")
    rule = tables.Column(verbose_name="Reminder")
    recipient = tables.Column(verbose_name="To", accessor="recipient__username")
    title = tables.Column(verbose_name="About", attrs={"td": {"class": "small"}})
    delivery = tables.TemplateColumn(template_name="notifications/_delivery.html", verbose_name="Delivery")
    attempts = tables.Column(attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    sent_at = tables.DateTimeColumn(verbose_name="Sent", format="j M Y H:i")

    class Meta(BaseTable.Meta):
        model = Reminder
        fields = ()
        sequence = ("created_at", "rule", "recipient", "title", "delivery", "attempts", "sent_at")
        empty_text = "No reminder matches these filters."
