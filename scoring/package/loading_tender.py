"""Loading a package's clarifications: the questions and answers of the bid room, asked for the candidate
of the vendor named, written down by the loader (the MSPs' people do not travel in a package)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from scoring.models import Candidate, Clarification, Evaluation
from scoring.package import bulk
from scoring.package.schema import Package, vendor_key


def load_clarifications(package: Package, evaluation: Evaluation, owner: AbstractBaseUser, reason: str) -> None:
    if not package.clarifications:
        return
    candidates = {
        vendor_key(c.msp.name): c for c in Candidate.objects.filter(evaluation=evaluation).select_related("msp")
    }
    bidders = {vendor_key(b.vendor_name): b.msp_id for b in evaluation.bids.all()}
    by_msp = {c.msp_id: c for c in candidates.values()}
    now = timezone.now()
    rows = []
    for entry in package.clarifications:
        key = vendor_key(entry["vendor"])
        candidate = by_msp.get(bidders[key]) if key in bidders else candidates[key]
        answered = bool(entry["visibility"])
        rows.append(
            Clarification(
                evaluation=evaluation,
                candidate=candidate,
                question=entry["question"],
                asked_by=owner,
                asked_at=now,
                answer=entry["answer"],
                visibility=entry["visibility"],
                private_reason=entry["reason"],
                number=entry["number"],
                answered_by=owner if answered else None,
                answered_at=now if answered else None,
            )
        )
    bulk.create(Clarification, rows, owner, reason)
