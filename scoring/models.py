"""Evaluations and what hangs off them: criteria, bids, scorecards, awards, locked records.

The buyer side of an evaluation.

``Organization`` is the buyer's profile as the evaluation package describes it
(its ``organization`` object): the numbers behind per-user and per-device
pricing and the internal IT cost that co-managed bids keep paying.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.concurrency import VersionedModel
from vendors.models import ReferenceOutcome

from .guide import CO_MANAGED_ARRANGEMENTS, FULLY_MANAGED_INCLUSIONS, OWNERS, RESPONSIBILITY_FUNCTIONS, USUAL_EXCLUSIONS


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


# --- The question and requirement libraries -------------------------------------------------

# Bid documents live outside MEDIA_ROOT and STATIC_ROOT, with no URL: only the app serves them.
private_storage = FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)

MONEY = {"max_digits": 15, "decimal_places": 6}  # < 1e9 with 6 decimals: exact on SQLite too


class Model(models.TextChoices):
    FULLY_MANAGED = "fully_managed", "Fully managed"
    CO_MANAGED = "co_managed", "Co-managed"
    BOTH = "both", "Both models"


class BidModel(models.TextChoices):
    FULLY_MANAGED = "fully_managed", "Fully managed"
    CO_MANAGED = "co_managed", "Co-managed"


class AppliesTo(models.TextChoices):
    ALL = "all", "All bids"
    FULLY_MANAGED = "fully_managed", "Fully managed bids"
    CO_MANAGED = "co_managed", "Co-managed bids"


class CriterionKind(models.TextChoices):
    QUESTION = "question", "Question (scored 0–5)"
    PRICE = "price", "Price (computed from TCO)"


class QuestionTemplate(VersionedModel):
    """A question of the library: copied into an evaluation whose model it fits."""

    key = models.SlugField(max_length=100, unique=True)
    model = models.CharField(max_length=20, choices=BidModel)
    category = models.CharField(max_length=100)
    text = models.TextField()
    rubric = models.JSONField(default=list, help_text="Six lines: what a score of 0, 1, 2, 3, 4 and 5 means.")
    default_weight = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("10"))
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["model", "position", "key"]

    def __str__(self) -> str:
        return self.text


class RequirementTemplate(VersionedModel):
    """A mandatory pass/fail condition an evaluation can require of every bid."""

    key = models.SlugField(max_length=100, unique=True)
    text = models.CharField(max_length=300)
    compliance = models.CharField(
        max_length=50, blank=True, help_text="The compliance need it serves, e.g. HIPAA; used to pre-select it."
    )
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.text


# --- Evaluations ----------------------------------------------------------------------------


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
    rate = models.DecimalField(null=True, blank=True, validators=[MinValueValidator(Decimal(0))], **MONEY)
    monthly_fee = models.DecimalField(null=True, blank=True, validators=[MinValueValidator(Decimal(0))], **MONEY)
    est_hours_per_month = models.DecimalField(
        "estimated hours per month", null=True, blank=True, validators=[MinValueValidator(Decimal(0))], **MONEY
    )
    project_price = models.DecimalField(null=True, blank=True, validators=[MinValueValidator(Decimal(0))], **MONEY)
    onboarding_fee = models.DecimalField(default=Decimal(0), validators=[MinValueValidator(Decimal(0))], **MONEY)
    retained_internal_cost = models.DecimalField(
        "retained internal IT cost per year",
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text="Fully managed bids only: internal IT cost the buyer keeps anyway.",
        **MONEY,
    )
    contract_term_months = models.PositiveIntegerField(
        "contract term (months)", validators=[MinValueValidator(1)], help_text="The commitment the MSP asks for."
    )
    critical_response_minutes = models.PositiveIntegerField(
        "guaranteed critical response (minutes)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Leave empty when no time is guaranteed.",
    )
    sla_best_effort = models.BooleanField("SLA is “best effort”", default=False)
    references_offered = models.PositiveIntegerField(default=0)
    environment_assessed = models.BooleanField("assessed our environment before pricing", default=False)
    documented_escalation = models.BooleanField("documented escalation procedure", default=False)
    documented_onboarding = models.BooleanField("documented onboarding procedure", default=False)
    performance_exit_clause = models.BooleanField("performance-based exit clause", default=False)
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
        from .ranking import PRICING_REQUIREMENTS

        errors: dict[str, str] = {}
        evaluation = self.evaluation if self.evaluation_id else None
        if evaluation and self.model and not evaluation.allows_bid_model(self.model):
            errors["model"] = f"This evaluation compares {evaluation.get_model_display().lower()} bids only."
        for name in PRICING_REQUIREMENTS.get(self.pricing_model, ()):
            if getattr(self, name) is None:
                label = self._meta.get_field(name).verbose_name
                errors[name] = f"Enter the {label}: a {self.get_pricing_model_display().lower()} bid needs it."
        unknown = [k for k in self.scope_included or [] if k not in FULLY_MANAGED_INCLUSIONS]
        if unknown:
            errors["scope_included"] = f"Unknown inclusion: {', '.join(map(str, unknown))}."
        unknown = [k for k in self.scope_excluded or [] if k not in USUAL_EXCLUSIONS]
        if unknown:
            errors["scope_excluded"] = f"Unknown exclusion: {', '.join(map(str, unknown))}."
        if not isinstance(self.responsibilities, dict):
            errors["responsibilities"] = "The responsibility split maps functions to owners."
        else:
            for function, owner in self.responsibilities.items():
                if function not in RESPONSIBILITY_FUNCTIONS:
                    errors["responsibilities"] = f"Unknown function: {function}."
                elif owner not in OWNERS:
                    errors["responsibilities"] = f"{function}: the owner is internal, msp or shared."
        if evaluation and self.msp_id:
            others = Bid.objects.filter(evaluation_id=evaluation.pk, msp_id=self.msp_id).exclude(pk=self.pk)
            if others.exists():
                errors["msp"] = "This MSP already has a bid in this evaluation; edit that one instead."
        if errors:
            raise ValidationError(errors)


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


class CandidateStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Candidate(VersionedModel):
    """An MSP invited to bid on the evaluation, whether or not it has bid yet.

    Every bidder is a candidate (recording a bid adds one). Whether its bid was
    received is read off the bids (``selectors.candidates``), never stored.
    """

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="candidates")
    msp = models.ForeignKey("vendors.MSP", on_delete=models.PROTECT, related_name="candidacies", verbose_name="MSP")
    status = models.CharField(max_length=10, choices=CandidateStatus, default=CandidateStatus.INVITED)
    invited_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "msp"],
                name="scoring_candidate_unique",
                violation_error_message="This MSP is already a candidate in this evaluation.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CandidateStatus.values), name="scoring_candidate_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.msp} invited to {self.evaluation}"


class ConflictOfInterest(models.Model):
    """An evaluator's declared conflict with one MSP: they don't score its bid."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="conflicts")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    msp = models.ForeignKey("vendors.MSP", on_delete=models.PROTECT, related_name="+", verbose_name="MSP")
    note = models.TextField(blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "conflicts of interest"
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "evaluator", "msp"], name="scoring_conflict_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} has a conflict with {self.msp}"


class Score(models.Model):
    # The unique (assignment, bid, criterion) index starts with the assignment: no index of its own.
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="scores", db_index=False)
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    note = models.TextField(blank=True)
    # Entered by the importer from a package (``PackageLoad``); cleared when the evaluator changes it.
    from_package = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "bid", "criterion"], name="scoring_score_unique"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=5), name="scoring_score_0_5"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.key}: {self.score}"


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


class DocumentKind(models.TextChoices):
    PROPOSAL = "proposal", "Proposal"
    SLA = "sla", "Service level agreement"
    CONTRACT_DRAFT = "contract_draft", "Contract draft"
    EVIDENCE = "evidence", "Evidence for a requirement"
    OTHER = "other", "Other"


def _document_path(document: BidDocument, filename: str) -> str:
    # Never the uploader's name on disk: a random name under the bid's folder.
    return f"bids/{document.bid_id}/{uuid.uuid4().hex}"


class BidDocument(models.Model):
    """A file that came with a bid, stored privately and served only through the app."""

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind)
    # Empty for a document that arrived as metadata in a package (its bytes stay where they were).
    file = models.FileField(upload_to=_document_path, storage=private_storage, max_length=200, blank=True)
    name = models.CharField("file name", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    requirement = models.ForeignKey(
        Requirement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For evidence: the mandatory requirement it proves.",
    )
    expires_on = models.DateField(null=True, blank=True, help_text="For evidence: when it stops being valid.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="evidence", requirement__isnull=False) | ~Q(kind="evidence"),
                name="scoring_document_evidence_names_requirement",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ReferenceCheck(models.Model):
    """A call to one of the MSP's client references, made for this bid."""

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="reference_checks")
    reference = models.ForeignKey("vendors.ClientReference", on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField()
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=20, choices=[c for c in ReferenceOutcome.choices if c[0] != "not_checked"])
    notes = models.TextField(blank=True, help_text="What they said.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-checked_on", "pk"]

    def __str__(self) -> str:
        return f"{self.reference.client} on {self.checked_on}"


class AwardDecision(models.TextChoices):
    PENDING = "pending", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    UNLOCKED = "unlocked", "Approved, then unlocked by an admin"
    # An archive loaded at ``awarded`` by the operator's ``load_evaluation``: nobody approved it in this app.
    LOADED = "loaded", "Loaded from a package"


# The award that locks an evaluation: at most one per evaluation at a time.
OPEN_AWARD_DECISIONS = (AwardDecision.PENDING, AwardDecision.APPROVED, AwardDecision.LOADED)
LOCKING_AWARD_DECISIONS = (AwardDecision.APPROVED, AwardDecision.LOADED)


class Award(models.Model):
    """The owner's proposed winner, and an executive's decision on it.

    On approval the evaluation becomes ``awarded`` and is locked; the package and
    ranking documents as they stood are fingerprinted (SHA-256 of their
    canonical JSON) so anyone can later check that the record was not touched.
    """

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="awards")
    # None only for an archive loaded from a package that does not state its winner.
    bid = models.ForeignKey(
        Bid, null=True, blank=True, on_delete=models.PROTECT, related_name="awards", verbose_name="winning bid"
    )
    rationale = models.TextField()
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=10, choices=AwardDecision, default=AwardDecision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # Fixed at approval: the ranking as decided and the fingerprints of both documents.
    ranking_document = models.JSONField(null=True, blank=True)
    package_digest = models.CharField(max_length=64, blank=True)
    ranking_digest = models.CharField(max_length=64, blank=True)
    decided_on = models.DateField(null=True, blank=True, help_text="The day the record was fingerprinted.")
    # An admin's unlock: who, when and why (the digests above stay as they were fixed).
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unlocked_at = models.DateTimeField(null=True, blank=True)
    unlock_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(rationale=""), name="scoring_award_has_rationale"),
            # A loaded archive need not state its winner, and keeps none once an admin unlocks it.
            models.CheckConstraint(
                condition=Q(bid__isnull=False) | Q(decision__in=["loaded", "unlocked"]),
                name="scoring_award_winner_unless_loaded",
            ),
            models.UniqueConstraint(
                fields=["evaluation"],
                condition=Q(decision__in=["pending", "approved", "loaded"]),
                name="scoring_award_one_open_per_evaluation",
            ),
        ]

    def __str__(self) -> str:
        winner = self.bid.vendor_name if self.bid_id else "a winner the package does not state"
        return f"Award of {self.evaluation} to {winner}"

    @property
    def winner_name(self) -> str | None:
        return self.bid.vendor_name if self.bid_id else None


class PackageLoad(models.Model):
    """Where an evaluation loaded from a package came from: who loaded which file, how, and when."""

    class Door(models.TextChoices):
        WEB = "web", "Uploaded at /evaluations/import/"
        COMMAND = "command", "The operator's load_evaluation command"

    evaluation = models.OneToOneField(Evaluation, on_delete=models.PROTECT, related_name="package_load")
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    loaded_at = models.DateTimeField(auto_now_add=True)
    door = models.CharField(max_length=10, choices=Door)
    sha256 = models.CharField("SHA-256 of the file", max_length=64)
    status = models.CharField("status in the package", max_length=20, choices=Status)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.evaluation} loaded from a package"


class LockedRecord(models.Model):
    """The package and ranking documents of an evaluation as they stood when it was locked.

    Kept at the lock (an approved award, a cancellation, an archive loaded as awarded), and
    served from then on by every door that shows the record: downloads, letters, commands,
    the award page. Nothing written later (the registry, the libraries, people's names)
    changes them. An admin's unlock releases the record (``released_at``); it is never deleted.
    """

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="locked_records")
    award = models.ForeignKey(Award, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    locked_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField("status locked at", max_length=20, choices=Status)
    package = models.JSONField()
    ranking = models.JSONField()
    package_digest = models.CharField(max_length=64)
    ranking_digest = models.CharField(max_length=64)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    release_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-locked_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation"], condition=Q(released_at__isnull=True), name="scoring_one_current_locked_record"
            ),
        ]

    def __str__(self) -> str:
        return f"Record of {self.evaluation} locked {self.locked_at:%Y-%m-%d}"


class LockedWriteAttempt(models.Model):
    """A change refused because the evaluation was locked: who tried what, and when."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="locked_attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attempted_at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-attempted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} refused on {self.evaluation}"
