"""The stored results of an evaluation: refreshed inside each write that changes them, read by every page."""

from __future__ import annotations

import logging
from datetime import date

from django.db import transaction
from django.utils import timezone

from scoring import analysis, ranking, selectors
from scoring.models import (
    BidDocument,
    DocumentKind,
    Evaluation,
    StoredRanking,
)

logger = logging.getLogger(__name__)


def _compute_results(evaluation: Evaluation) -> tuple[dict, dict]:
    source = selectors.ranking_input(evaluation)
    rows = ranking.rank(source.data)
    document = ranking.ranking_document(source.data, rows)
    return document, analysis.build(source.data, rows, {c.key: c.category for c in source.criteria})


def refresh_ranking(evaluation: Evaluation) -> tuple[dict, dict]:
    """Recompute the ranking and its analysis and store them; call inside the transaction of the write."""
    document, result = _compute_results(evaluation)
    next_expiry = (
        BidDocument.objects.filter(
            bid__evaluation=evaluation,
            kind=DocumentKind.EVIDENCE,
            withdrawn_at__isnull=True,
            expires_on__gte=timezone.localdate(),
        )
        .order_by("expires_on")
        .values_list("expires_on", flat=True)
        .first()
    )
    StoredRanking.objects.update_or_create(
        evaluation=evaluation,
        defaults={
            "document": document,
            "recompute_after": next_expiry,
            "analysis": result,
            "summary": analysis.summary(document),
        },
    )
    return document, result


def stored_results(evaluation: Evaluation) -> tuple[dict, dict]:
    """The stored ranking document and its analysis, in one query.

    Recomputed when evidence expired since they were stored (never for a locked
    evaluation: its ranking stays as it was decided), or when the analysis is
    missing or of an older version.
    """
    stored = (
        StoredRanking.objects.filter(evaluation=evaluation)
        .values_list("document", "recompute_after", "analysis")
        .first()
    )
    if stored is None:
        stale = True
    else:
        document, recompute_after, result = stored
        expired = recompute_after is not None and timezone.localdate() > recompute_after
        stale = (expired and not evaluation.is_locked) or not analysis.is_current(result)
    if not stale:
        return document, result
    with transaction.atomic():
        # Decide again under the row lock: an award may have landed since the evaluation was read.
        evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if stored is not None and evaluation.is_locked:
            # The decided ranking stays as it was; only its analysis is brought up to date,
            # computed for the day it was locked (selectors.ranking_day), so the two agree.
            result = _compute_results(evaluation)[1]
            StoredRanking.objects.filter(evaluation=evaluation).update(analysis=result)
            return document, result
        return refresh_ranking(evaluation)


def _is_current(evaluation: Evaluation, recompute_after: date | None, version: object) -> bool:
    """Whether stored results may be read as they are (see ``stored_results``)."""
    expired = recompute_after is not None and timezone.localdate() > recompute_after
    return not (expired and not evaluation.is_locked) and version == analysis.VERSION


def stored_results_stamp(evaluation: Evaluation) -> str | None:
    """When the stored results were computed, if ``stored_results`` would return them as they are.

    One small query (no document): None when there are none yet, or when reading them
    would recompute them (expired evidence, an analysis of an older version).
    """
    stored = (
        StoredRanking.objects.filter(evaluation=evaluation)
        .values_list("computed_at", "recompute_after", "analysis__version")
        .first()
    )
    if stored is None or not _is_current(evaluation, *stored[1:]):
        return None
    return stored[0].isoformat()


def stored_ranking(evaluation: Evaluation) -> dict:
    """The stored ranking document (see ``stored_results``), read without its analysis."""
    stored = (
        StoredRanking.objects.filter(evaluation=evaluation)
        .values_list("document", "recompute_after", "analysis__version")
        .first()
    )
    if stored is not None and _is_current(evaluation, *stored[1:]):
        return stored[0]
    return stored_results(evaluation)[0]
