"""Bids: an MSP's terms for one evaluation, the requirements they meet, red flags raised and waivers granted."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.concurrency import VersionedModel
from scoring import terms
from scoring.guide import (
    CO_MANAGED_ARRANGEMENTS,
    FULLY_MANAGED_INCLUSIONS,
    OWNERS,
    RESPONSIBILITY_FUNCTIONS,
    USUAL_EXCLUSIONS,
)
from scoring.models.evaluations import Evaluation, Requirement
from scoring.models.library import BidModel


class PricingModel(models.TextChoices):
    PER_USER = "per_user", "Per user per month"
    PER_DEVICE = "per_device", "Per device per month"
    FLAT = "flat", "Flat monthly fee"
    HOURLY = "hourly", "Hourly"
    HYBRID = "hybrid", "Monthly base fee plus hourly"
    PROJECT = "project", "Fixed project price"


class Bid(VersionedModel):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="bids")
    msp = models.ForeignKey("vendors.MSP", on_delete=models.PROTECT, related_name="bids", verbose_name="MSP")
    # The vendor's name as the bid carries it (the package's spelling); follows MSP renames
    # while the evaluation is open, so the ranking names what was bid.
    vendor_name = models.CharField(max_length=200, editable=False)
    model = models.CharField(max_length=20, choices=BidModel)
    pricing_model = models.CharField(max_length=20, choices=PricingModel)
    # The scalar terms (rate, fees, contract term, SLA, practices): one field per ``scoring.terms.TERMS``.
    vars().update(terms.model_fields())
    requirements_met = models.ManyToManyField(Requirement, through="RequirementMet", blank=True, related_name="+")
    # What the bid covers (the guide's fully managed checklist) and, for co-managed bids,
    # the arrangement and who owns each function. Keys are those of ``scoring.guide``.
    scope_included = models.JSONField("inclusions covered", default=list, blank=True)
    scope_excluded = models.JSONField("usual exclusions left out", default=list, blank=True)
    arrangement = models.CharField(
        "co-managed arrangement", max_length=30, blank=True, choices=list(CO_MANAGED_ARRANGEMENTS.items())
    )
    responsibilities = models.JSONField("responsibility split", default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Entered by hand after the bids-due day (with a reason, in the history); a package's bids never are.
    entered_late = models.BooleanField(default=False, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "msp"], name="scoring_bid_one_per_msp"),
            models.CheckConstraint(condition=Q(contract_term_months__gte=1), name="scoring_bid_term_gte_1"),
            models.CheckConstraint(
                condition=Q(critical_response_minutes__isnull=True) | Q(critical_response_minutes__gte=1),
                name="scoring_bid_response_gte_1",
            ),
            models.CheckConstraint(
                condition=Q(onboarding_fee__gte=0)
                & Q(retained_internal_cost__gte=0)
                & (Q(rate__isnull=True) | Q(rate__gte=0))
                & (Q(monthly_fee__isnull=True) | Q(monthly_fee__gte=0))
                & (Q(est_hours_per_month__isnull=True) | Q(est_hours_per_month__gte=0))
                & (Q(project_price__isnull=True) | Q(project_price__gte=0)),
                name="scoring_bid_amounts_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.msp} bid for {self.evaluation}"

    def get_absolute_url(self) -> str:
        return reverse("scoring:bid", args=[self.evaluation_id, self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        evaluation = self.evaluation if self.evaluation_id else None
        if evaluation and self.model and not evaluation.allows_bid_model(self.model):
            errors["model"] = f"This evaluation compares {evaluation.get_model_display().lower()} bids only."
        errors.update(self._missing_amounts())
        errors.update(self._unknown_scope())
        responsibilities = self._responsibilities_error()
        if responsibilities:
            errors["responsibilities"] = responsibilities
        if evaluation and self._msp_has_another_bid(evaluation):
            errors["msp"] = "This MSP already has a bid in this evaluation; edit that one instead."
        if errors:
            raise ValidationError(errors)

    def _missing_amounts(self) -> dict[str, str]:
        """The amounts the bid's pricing model needs and the bid leaves out."""
        from scoring.ranking import PRICING_REQUIREMENTS

        errors: dict[str, str] = {}
        for name in PRICING_REQUIREMENTS.get(self.pricing_model, ()):
            if getattr(self, name) is None:
                label = self._meta.get_field(name).verbose_name
                errors[name] = f"Enter the {label}: a {self.get_pricing_model_display().lower()} bid needs it."
        return errors

    def _unknown_scope(self) -> dict[str, str]:
        """Scope keys that are not the guide's inclusions or exclusions."""
        errors: dict[str, str] = {}
        unknown = [k for k in self.scope_included or [] if k not in FULLY_MANAGED_INCLUSIONS]
        if unknown:
            errors["scope_included"] = f"Unknown inclusion: {', '.join(map(str, unknown))}."
        unknown = [k for k in self.scope_excluded or [] if k not in USUAL_EXCLUSIONS]
        if unknown:
            errors["scope_excluded"] = f"Unknown exclusion: {', '.join(map(str, unknown))}."
        return errors

    def _responsibilities_error(self) -> str | None:
        """What is wrong with the responsibility split (the last bad entry's message), if anything."""
        if not isinstance(self.responsibilities, dict):
            return "The responsibility split maps functions to owners."
        error = None
        for function, owner in self.responsibilities.items():
            if function not in RESPONSIBILITY_FUNCTIONS:
                error = f"Unknown function: {function}."
            elif owner not in OWNERS:
                error = f"{function}: the owner is internal, msp or shared."
        return error

    def _msp_has_another_bid(self, evaluation: Evaluation) -> bool:
        """Whether the bid's MSP already has another bid in ``evaluation``."""
        if not self.msp_id:
            return False
        return Bid.objects.filter(evaluation_id=evaluation.pk, msp_id=self.msp_id).exclude(pk=self.pk).exists()

    @property
    def is_late(self) -> bool:
        """Entered by hand after the evaluation's bids-due day (``entered_late``, set when it was entered)."""
        return self.entered_late

    @property
    def is_co_managed(self) -> bool:
        """Whether the bid offers co-managed IT (the buyer keeps its internal IT staff)."""
        return self.model == BidModel.CO_MANAGED

    @property
    def is_fully_managed(self) -> bool:
        """Whether the bid offers fully managed IT."""
        return self.model == BidModel.FULLY_MANAGED

    @property
    def is_project_priced(self) -> bool:
        """Whether the bid is a fixed project price rather than a monthly one."""
        return self.pricing_model == PricingModel.PROJECT

    @property
    def price_formula(self) -> str:
        """The monthly cost of the bid's pricing model in words, from the ranking ("rate × employees")."""
        from scoring.ranking import price_formula

        return price_formula(self.pricing_model)


class RequirementMet(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="requirement_links")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bid", "requirement"], name="scoring_requirement_met_unique")]

    def __str__(self) -> str:
        return f"{self.bid} meets {self.requirement.key}"


class RedFlag(models.Model):
    """A red flag raised by hand, with the note that explains it."""

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="manual_flags")
    code = models.SlugField(max_length=100)
    note = models.TextField(blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.code


class Waiver(models.Model):
    """An automatic red flag set aside, with the written reason and who gave it."""

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="waivers")
    code = models.SlugField(max_length=100)
    reason = models.TextField()
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    waived_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="scoring_waiver_has_reason")]

    def __str__(self) -> str:
        return self.code
