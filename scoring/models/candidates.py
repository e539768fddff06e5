"""Candidates: the MSPs invited to bid on an evaluation and what became of each invitation."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.concurrency import VersionedModel
from scoring.models.evaluations import Evaluation


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

    @property
    def is_invited(self) -> bool:
        """Whether the MSP is still invited (it has neither declined nor withdrawn)."""
        return self.status == CandidateStatus.INVITED

    @property
    def is_declined(self) -> bool:
        return self.status == CandidateStatus.DECLINED
