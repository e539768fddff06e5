"""Needs assessments: the guide's questions answered before an evaluation starts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from scoring.models.library import BidModel
from scoring.terms import MONEY


class NeedsAssessment(models.Model):
    """The buyer's profile and the guide's indicators, and the model they point to."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    organization_name = models.CharField("organization", max_length=200)
    employees = models.PositiveIntegerField(validators=[MaxValueValidator(10_000_000)])
    devices = models.PositiveIntegerField(validators=[MaxValueValidator(10_000_000)])
    it_staff = models.PositiveIntegerField("internal IT staff", validators=[MaxValueValidator(10_000_000)])
    it_staff_annual_cost = models.DecimalField(
        "internal IT staff cost per year",
        validators=[MinValueValidator(Decimal(0))],
        help_text="Fully burdened: salaries, benefits, training and tools, all staff together.",
        **MONEY,
    )
    industry = models.CharField(max_length=100, blank=True)
    compliance = models.JSONField(default=list, blank=True)
    heavy_compliance = models.BooleanField("compliance is a heavy focus", default=False)
    answers = models.JSONField(
        default=list, blank=True, help_text="The indicator, trigger and warning keys answered yes."
    )
    recommended = models.CharField(max_length=20, choices=BidModel)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(it_staff_annual_cost__gte=0), name="scoring_assessment_cost_gte_0")
        ]

    def __str__(self) -> str:
        return f"Needs assessment for {self.organization_name}"

    def get_absolute_url(self) -> str:
        return reverse("scoring:assessment", args=[self.pk])
