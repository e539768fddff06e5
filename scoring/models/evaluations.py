"""An evaluation and how it is set up: the buyer's profile, its status, criteria, requirements, evaluators,
and the results stored for it."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.concurrency import VersionedModel
from scoring.models.library import AppliesTo, CriterionKind, Model
from scoring.terms import MONEY


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


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    COLLECTING_BIDS = "collecting_bids", "Collecting bids"
    SCORING = "scoring", "Scoring"
    DECISION = "decision", "Decision"
    AWARDED = "awarded", "Awarded"
    CANCELLED = "cancelled", "Cancelled"


# Forward one step, back one step to reopen, or cancel; awarded and cancelled are final.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (Status.COLLECTING_BIDS, Status.CANCELLED),
    Status.COLLECTING_BIDS: (Status.SCORING, Status.DRAFT, Status.CANCELLED),
    Status.SCORING: (Status.DECISION, Status.COLLECTING_BIDS, Status.CANCELLED),
    # Awarded only through an approved award (services.award_decide), never by a status change.
    Status.DECISION: (Status.SCORING, Status.CANCELLED),
    Status.AWARDED: (),
    Status.CANCELLED: (),
}


LOCKED_STATUSES = (Status.AWARDED, Status.CANCELLED)

# The buyer's facts an owner may publish to the invited MSPs in the bid room's request.
BUYER_FACTS = {
    "employees": "Employees",
    "devices": "Devices",
    "industry": "Industry",
    "compliance": "Compliance needs",
}


class RedFlagPolicy(models.TextChoices):
    DISQUALIFY = "disqualify", "Disqualify any bid with a red flag"
    PENALTY = "penalty", "Deduct points per red flag"


class Evaluation(VersionedModel):
    title = models.CharField(max_length=200)
    model = models.CharField(max_length=20, choices=Model, help_text="The model(s) the bids may offer.")
    term_months = models.PositiveIntegerField(
        "horizon (months)",
        default=36,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Total cost of ownership is compared over this many months.",
    )
    red_flag_policy = models.CharField(max_length=20, choices=RedFlagPolicy, default=RedFlagPolicy.DISQUALIFY)
    red_flag_penalty = models.DecimalField(
        "penalty per red flag (points)",
        max_digits=9,
        decimal_places=6,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    sealed_prices = models.BooleanField(
        default=True, help_text="Evaluators see prices only after submitting their scorecard."
    )
    monthly_budget = models.DecimalField(
        "monthly budget",
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="What the buyer can spend on the MSP each month; bids above it are marked.",
        **MONEY,
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    # The bid room takes clarification questions until 23:59:59 on this day (before bids are due).
    questions_due = models.DateField("questions close", null=True, blank=True)
    bids_due = models.DateField(null=True, blank=True)
    scoring_due = models.DateField(null=True, blank=True)
    decision_due = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_evaluations")
    evaluators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Assignment", related_name="assigned_evaluations"
    )

    # The buyer's profile as the evaluation uses it (a copy, so later edits don't move its numbers).
    organization_name = models.CharField("organization", max_length=200, blank=True)
    employees = models.PositiveIntegerField(default=0)
    devices = models.PositiveIntegerField(default=0)
    it_staff = models.PositiveIntegerField("internal IT staff", default=0)
    it_staff_annual_cost = models.DecimalField(
        "internal IT staff cost per year", default=Decimal(0), validators=[MinValueValidator(Decimal(0))], **MONEY
    )
    industry = models.CharField(max_length=100, blank=True)
    compliance = models.JSONField(default=list, blank=True)

    # What the bid room's request shows the invited MSPs of the buyer (``BUYER_FACTS``), and whether it
    # shows the questions' weights.
    request_publishes = models.JSONField("buyer's facts shown to bidders", default=list, blank=True)
    request_shows_weights = models.BooleanField("show bidders the weights", default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_months__gte=1, term_months__lte=120), name="scoring_evaluation_term_1_120"
            ),
            models.CheckConstraint(
                condition=Q(red_flag_penalty__gte=0, red_flag_penalty__lte=100),
                name="scoring_evaluation_penalty_0_100",
            ),
            models.CheckConstraint(condition=Q(it_staff_annual_cost__gte=0), name="scoring_evaluation_it_cost_gte_0"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("scoring:dashboard", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED_STATUSES

    def allowed_transitions(self) -> tuple[str, ...]:
        return TRANSITIONS[self.status]

    def allows_bid_model(self, model: str) -> bool:
        return self.model in (Model.BOTH, model)

    @property
    def compares_both(self) -> bool:
        """Whether bids of either model are compared."""
        return self.model == Model.BOTH

    @property
    def is_scoring(self) -> bool:
        """Whether evaluators are scoring the bids."""
        return self.status == Status.SCORING

    @property
    def is_at_decision(self) -> bool:
        """Whether scoring is over and the award is to be decided."""
        return self.status == Status.DECISION

    @property
    def is_awarded(self) -> bool:
        """Whether an approved award closed the evaluation."""
        return self.status == Status.AWARDED

    @property
    def is_cancelled(self) -> bool:
        """Whether the evaluation was cancelled."""
        return self.status == Status.CANCELLED

    @property
    def penalises_red_flags(self) -> bool:
        """Whether a red flag deducts points instead of disqualifying the bid."""
        return self.red_flag_policy == RedFlagPolicy.PENALTY


class Criterion(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="criteria")
    key = models.SlugField(max_length=100)
    kind = models.CharField(max_length=10, choices=CriterionKind, default=CriterionKind.QUESTION)
    text = models.TextField()
    category = models.CharField(max_length=100)
    weight = models.DecimalField(validators=[MinValueValidator(Decimal(0))], **MONEY)
    applies_to = models.CharField(max_length=20, choices=AppliesTo, default=AppliesTo.ALL)
    rubric = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "key"], name="scoring_criterion_key_unique"),
            models.UniqueConstraint(
                fields=["evaluation"], condition=Q(kind="price"), name="scoring_criterion_one_price"
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="scoring_criterion_weight_gte_0"),
            models.CheckConstraint(
                condition=~Q(kind="price") | Q(applies_to="all"), name="scoring_criterion_price_applies_to_all"
            ),
        ]

    def __str__(self) -> str:
        return self.key

    def applies(self, model: str) -> bool:
        return self.applies_to in (AppliesTo.ALL, model)

    @property
    def is_question(self) -> bool:
        """Scored 0–5 by the evaluators (the price criterion is computed)."""
        return self.kind == CriterionKind.QUESTION


class Requirement(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="requirements")
    key = models.SlugField(max_length=100)
    text = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "key"], name="scoring_requirement_key_unique")]

    def __str__(self) -> str:
        return self.text


class Assignment(models.Model):
    """An evaluator on an evaluation, and whether their scorecard is submitted."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="assignments")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The submission came with a package (``PackageLoad``), not from the evaluator in the app;
    # cleared when the scorecard is reopened.
    submitted_from_package = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "evaluator"], name="scoring_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} on {self.evaluation}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class StoredRanking(models.Model):
    """The computed ranking, refreshed in the transaction of every write that changes it.

    Derived data (recomputable from the recorded rows), so it has no history of its own.
    """

    evaluation = models.OneToOneField(Evaluation, on_delete=models.CASCADE, related_name="stored_ranking")
    document = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)
    # The day the next piece of requirement evidence expires: the ranking is recomputed after it.
    recompute_after = models.DateField(null=True, blank=True)
    # Contributions by category and the leader's weight ranges (see scoring.analysis).
    analysis = models.JSONField(default=dict, blank=True)
    # The leader and the red-flag count, small enough to read for a page of the portfolio (analysis.summary).
    summary = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"Ranking of {self.evaluation}"
