"""Keep stored rankings true when an MSP's name changes (the ranking shows vendor names)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from vendors.models import MSP

from .models import LOCKED_STATUSES, Evaluation


@receiver(post_save, sender=MSP, dispatch_uid="scoring.refresh_rankings_on_msp_rename")
def refresh_rankings_on_msp_change(sender: type[MSP], instance: MSP, created: bool, **kwargs: Any) -> None:
    if created:
        return
    from .services import refresh_ranking

    # Awarded and cancelled evaluations keep the ranking they were decided on.
    evaluations = Evaluation.objects.filter(bids__msp=instance).exclude(status__in=LOCKED_STATUSES).distinct()
    with transaction.atomic():
        for evaluation in evaluations:
            refresh_ranking(evaluation)
