"""Awards and the locked record: the decision, the package and ranking kept as decided, and the trail of
refused writes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from scoring.models.bids import Bid
from scoring.models.evaluations import Evaluation, Status


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

    @property
    def is_pending(self) -> bool:
        """Whether the award awaits an executive's decision."""
        return self.decision == AwardDecision.PENDING

    @property
    def is_approved(self) -> bool:
        """Whether an executive approved the award."""
        return self.decision == AwardDecision.APPROVED

    @property
    def is_loaded(self) -> bool:
        """Whether the award came with an archive loaded at "awarded", approved by nobody in this app."""
        return self.decision == AwardDecision.LOADED


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
