"""Keep open evaluations true when an MSP's name changes (rankings name the vendor)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import Signal, receiver

from vendors.models import MSP

from .models import LOCKED_STATUSES, Bid


@receiver(pre_save, sender=MSP, dispatch_uid="scoring.remember_msp_name")
def remember_msp_name(sender: type[MSP], instance: MSP, **kwargs: Any) -> None:
    instance._name_before_save = (
        MSP.objects.filter(pk=instance.pk).values_list("name", flat=True).first() if instance.pk else None
    )


@receiver(post_save, sender=MSP, dispatch_uid="scoring.follow_msp_rename")
def follow_msp_rename(sender: type[MSP], instance: MSP, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_name_before_save", None)
    if created or before is None or before == instance.name:
        return
    from .results import refresh_ranking

    # Awarded and cancelled evaluations keep the names they were decided on.
    bids = (
        Bid.objects.filter(msp=instance, vendor_name=before)
        .exclude(evaluation__status__in=LOCKED_STATUSES)
        .select_related("evaluation")
    )
    with transaction.atomic():
        for bid in bids:
            bid.vendor_name = instance.name
            bid._change_reason = "the MSP was renamed"
            bid.save(update_fields=["vendor_name"])
            refresh_ranking(bid.evaluation)


# Events other apps act on (the reminders app emails people); sent once the write has committed.
conflict_declared = Signal()  # conflict=ConflictOfInterest
award_proposed = Signal()  # award=Award
material_change = Signal()  # evaluation=Evaluation, what=str, reason=str: once scoring has started
