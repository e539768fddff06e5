"""The buyer side of an evaluation.

``Organization`` is the buyer's profile as the evaluation package describes it
(its ``organization`` object): the numbers behind per-user and per-device
pricing and the internal IT cost that co-managed bids keep paying.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from evaluator.concurrency import VersionedModel


class Organization(VersionedModel):
    name = models.CharField(max_length=200)
    employees = models.PositiveIntegerField(default=0)
    devices = models.PositiveIntegerField(default=0)
    it_staff = models.PositiveIntegerField("internal IT staff", default=0)
    it_staff_annual_cost = models.DecimalField(
        "internal IT staff cost per year",
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Fully burdened: salaries, benefits, training and tools of all internal IT staff together.",
    )
    industry = models.CharField(max_length=100, blank=True)
    compliance = models.JSONField(default=list, blank=True, help_text="Frameworks the buyer must meet, e.g. HIPAA.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(it_staff_annual_cost__gte=0),
                name="scoring_organization_it_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name
