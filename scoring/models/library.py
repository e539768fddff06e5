"""The question and requirement library every new evaluation starts from, and the vocabulary it shares."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from simple_history.models import HistoricalRecords

from core.concurrency import VersionedModel


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
