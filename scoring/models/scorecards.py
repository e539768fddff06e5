"""Scorecards: the scores evaluators give each bid, and the conflicts of interest they declare."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from scoring.models.bids import Bid
from scoring.models.evaluations import Assignment, Criterion, Evaluation


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


# What an evaluator signs before first seeing the bids (the evaluation's title filled in).
DECLARATION_TEXT = (
    "I have no conflict of interest with any MSP bidding in “{title}” other than those I have declared "
    "here, and I will tell the evaluation's owner at once if one arises. I will keep the bids, their prices, "
    "the scores and the panel's discussions confidential, and use them only to evaluate these bids."
)


class Declaration(models.Model):
    """An evaluator's signed statement of no undeclared conflict and of confidentiality, made before they
    first saw the evaluation's bids: the words agreed to, the name typed, the moment."""

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="declaration")
    signed_name = models.CharField("name typed", max_length=150)
    signed_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField("statement agreed to")

    history = HistoricalRecords()

    class Meta:
        ordering = ["signed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.signed_name}, {self.signed_at:%d %b %Y}"


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
