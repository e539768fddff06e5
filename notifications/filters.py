from __future__ import annotations

import django_filters

from .models import Delivery, Reminder, Rule


class ReminderFilter(django_filters.FilterSet):
    rule = django_filters.ChoiceFilter(choices=Rule.choices, empty_label="Any reminder")
    delivery = django_filters.ChoiceFilter(choices=Delivery.choices, empty_label="Any delivery")
    recipient = django_filters.CharFilter(field_name="recipient__username", lookup_expr="iexact", label="To (username)")

    class Meta:
        model = Reminder
        fields = ["rule", "delivery", "recipient"]
