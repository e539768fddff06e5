"""Reminders (each recorded once before it is sent), in-app notifications and people's preferences."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.concurrency import VersionedModel


class Rule(models.TextChoices):
    SCORING_DUE = "scoring-due", "Scorecard due"
    BIDS_MISSING = "bids-missing", "Bids due, some invited MSPs have not bid"
    REFERENCES_UNCHECKED = "references-unchecked", "References not checked"
    DECISION_OVERDUE = "decision-overdue", "Decision date passed without an award"
    CONFLICT_DECLARED = "conflict-declared", "Conflict of interest declared"
    AWARD_PROPOSED = "award-proposed", "Award proposed"
    PARTNERSHIP_REVIEW = "partnership-review", "Quarterly partnership review"
    CONTRACT_ENDING = "contract-ending", "Contract term ending"
    EVIDENCE_EXPIRING = "evidence-expiring", "Requirement evidence expiring"
    MATERIAL_CHANGE = "material-change", "A change during scoring that can move the ranking"
    BID_ROOM_DUE = "bid-room-due", "Bids due, yours not submitted (bid room)"
    QUESTIONS_CLOSING = "questions-closing", "Questions close tomorrow (bid room)"


class Delivery(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    DIGEST = "digest", "Waiting for the daily digest"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Not sent"


class Reminder(models.Model):
    """One reminder to one person about one thing for one period, recorded before it is sent.

    The unique constraint on (rule, subject, recipient, period) is what makes a
    reminder go out once: a second sweep, or a second worker at the same moment,
    fails to insert the row and sends nothing.
    """

    rule = models.CharField(max_length=30, choices=Rule)
    subject_key = models.CharField(max_length=100, help_text="What it is about, e.g. assignment:12.")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reminders")
    period = models.CharField(max_length=40, help_text="Which occurrence, e.g. due-in-3 or 2027-Q1.")
    evaluation = models.ForeignKey(
        "scoring.Evaluation", null=True, blank=True, on_delete=models.PROTECT, related_name="reminders"
    )
    title = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300)
    essential = models.BooleanField(default=True, help_text="About a deadline the person owns: never opted out.")
    created_at = models.DateTimeField(auto_now_add=True)
    delivery = models.CharField(max_length=10, choices=Delivery, default=Delivery.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_key", "recipient", "period"], name="notifications_reminder_once"
            )
        ]
        indexes = [models.Index(fields=["delivery", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} → {self.recipient}"

    @property
    def is_sent(self) -> bool:
        """Whether the reminder was emailed."""
        return self.delivery == Delivery.SENT

    @property
    def is_failed(self) -> bool:
        """Whether emailing the reminder failed."""
        return self.delivery == Delivery.FAILED

    @property
    def is_skipped(self) -> bool:
        """Whether the reminder was deliberately not emailed."""
        return self.delivery == Delivery.SKIPPED

    @property
    def is_in_digest(self) -> bool:
        """Whether the reminder waits for the daily digest."""
        return self.delivery == Delivery.DIGEST


class Notification(models.Model):
    """What a person sees in the app's notification list."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    reminder = models.OneToOneField(Reminder, on_delete=models.CASCADE, related_name="notification")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.reminder.title


class Preference(VersionedModel):
    """How a person wants reminders: at once or in a daily digest, and whether to get the optional ones."""

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", "Email each reminder at once"
        DIGEST = "digest", "One email a day with all of them"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference")
    mode = models.CharField(max_length=10, choices=Mode, default=Mode.IMMEDIATE)
    optional = models.BooleanField(
        "reminders that are not about my own deadlines",
        default=True,
        help_text="Reviews, evidence and other people's steps. Deadlines you own always reach you.",
    )

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Reminder preference of {self.user}"


class Schedule(VersionedModel):
    """An evaluation's reminder days; the defaults suit most evaluations."""

    evaluation = models.OneToOneField("scoring.Evaluation", on_delete=models.CASCADE, related_name="reminder_schedule")
    scoring_days = models.PositiveIntegerField(
        "remind evaluators this many days before scoring is due",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    bids_days = models.PositiveIntegerField(
        "remind about missing bids this many days before they are due",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    evidence_days = models.PositiveIntegerField(
        "warn this many days before requirement evidence expires",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    contract_notice_days = models.PositiveIntegerField(
        "warn this many days before the awarded contract's term ends",
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Reminder days of {self.evaluation}"


DEFAULT_SCHEDULE = Schedule(scoring_days=3, bids_days=5, evidence_days=30, contract_notice_days=90)
