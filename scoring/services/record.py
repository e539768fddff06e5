"""The locked record: the package and ranking kept as decided, with the digests that verify them."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from scoring import ranking, record, selectors
from scoring.models import (
    LOCKING_AWARD_DECISIONS,
    Award,
    Evaluation,
    LockedRecord,
    Status,
)
from scoring.package import PackageError, loads, parse_package
from scoring.package.export import evaluation_export
from scoring.results import stored_ranking
from scoring.services.common import save_with_reason

logger = logging.getLogger(__name__)


@transaction.atomic
def lock_record(*, evaluation: Evaluation, award: Award | None = None) -> LockedRecord:
    """Keep the package and ranking documents of an evaluation as they stand at its lock.

    Called inside the transaction of the lock, once the evaluation (and its award) are saved as
    locked: an approved award (``award_decide``), a cancellation (``evaluation_transition``), an
    archive loaded as awarded or cancelled (``evaluation_load``). The package is
    ``evaluation_export`` as it stands; the ranking is the award's ``ranking_document`` (the one it
    was decided on) when it has one, else the stored ranking. With an award, the award's
    ``package_digest`` and ``ranking_digest`` (and ``ranking_document`` when it had none) are set
    to the record's, so the award and the record quote the same fingerprints.

    A record once kept never moves: if the evaluation already has a current one it is returned
    as it is. Only an admin's unlock releases it (``evaluation_unlock``).
    """
    # Under the evaluation's row lock, so two locks at once keep one record.
    status = Evaluation.objects.select_for_update().filter(pk=evaluation.pk).values_list("status", flat=True).get()
    current = LockedRecord.objects.filter(evaluation=evaluation, released_at__isnull=True).first()
    if current is not None:
        return current
    kept = _keep(evaluation, award, status)
    if award is not None:
        fixed = {
            "package_digest": kept.package_digest,
            "ranking_digest": kept.ranking_digest,
            "ranking_document": kept.ranking,
        }
        changed = [name for name, value in fixed.items() if getattr(award, name) != value]
        if changed:
            for name in changed:
                setattr(award, name, fixed[name])
            save_with_reason(award, reason="The record kept at the lock", update_fields=changed)
    return kept


def _keep(evaluation: Evaluation, award: Award | None, status: str, package: dict | None = None) -> LockedRecord:
    package = evaluation_export(evaluation) if package is None else package
    document = award.ranking_document if award is not None and award.ranking_document else stored_ranking(evaluation)
    kept = LockedRecord(
        evaluation=evaluation,
        award=award,
        status=status,
        package=package,
        ranking=document,
        package_digest=record.digest(package),
        ranking_digest=record.digest(document),
    )
    kept.full_clean()
    kept.save()
    # As the database gives it back (PostgreSQL's jsonb orders keys its own way), so the first read
    # serves the same bytes as every later one.
    kept.refresh_from_db(fields=["package", "ranking"])
    return kept


def kept_record(evaluation: Evaluation) -> LockedRecord | None:
    """The current record of a locked evaluation; None while it is open.

    An evaluation locked before records were kept (before this version) has none: one is kept
    on its first read, from the documents as they stand then; the award's digests, fixed at
    approval, stay as they were, so the award page says whether anything moved in between.
    """
    if not evaluation.is_locked:
        return None
    kept = LockedRecord.objects.filter(evaluation=evaluation, released_at__isnull=True).first()
    if kept is not None:
        return kept
    award = None
    if evaluation.status == Status.AWARDED:
        award = Award.objects.filter(evaluation=evaluation, decision__in=LOCKING_AWARD_DECISIONS).first()
    try:
        with transaction.atomic():
            return _keep(evaluation, award, evaluation.status, _package_as_approved(evaluation, award))
    except (IntegrityError, ValidationError):  # kept by another request meanwhile
        return LockedRecord.objects.get(evaluation=evaluation, released_at__isnull=True)


def _package_as_approved(evaluation: Evaluation, award: Award | None) -> dict[str, Any]:
    """The package of an evaluation approved before records were kept, as its digest was fixed then.

    Exports of an awarded evaluation name the award since records are kept (the ``award`` key);
    one approved before did not. When today's export gives the award's digest once that key is
    left out, that is the package as it was approved, and it is what is kept.
    """
    package = evaluation_export(evaluation)
    if award is None or not award.package_digest or record.digest(package) == award.package_digest:
        return package
    as_approved = {key: value for key, value in package.items() if key != "award"}
    return as_approved if record.digest(as_approved) == award.package_digest else package


def lock_moment(evaluation: Evaluation) -> datetime | None:
    """When a locked evaluation's record was kept (None while it is open): pages show what it drew
    on from outside (the registry, people's names) as it stood then (``selectors.as_of``)."""
    if not evaluation.is_locked:
        return None
    kept_at = (
        LockedRecord.objects.filter(evaluation=evaluation, released_at__isnull=True)
        .values_list("locked_at", flat=True)
        .first()
    )
    return kept_at or evaluation.updated_at  # locked before records were kept: its last change, the lock


def package_document(evaluation: Evaluation) -> dict[str, Any]:
    """The package every door serves: the kept one of a locked evaluation, else today's export."""
    kept = kept_record(evaluation)
    return kept.package if kept is not None else evaluation_export(evaluation)


def ranking_document(evaluation: Evaluation) -> dict[str, Any]:
    """The ranking every door serves: the kept one of a locked evaluation, else the stored one."""
    kept = kept_record(evaluation)
    return kept.ranking if kept is not None else stored_ranking(evaluation)


def record_for(evaluation: Evaluation, award: Award | None = None) -> LockedRecord | None:
    """The record kept at the lock ``award`` made (current or released), else the evaluation's current one."""
    if award is not None:
        kept = LockedRecord.objects.filter(evaluation=evaluation, award=award).first()
        if kept is not None:
            return kept
    return kept_record(evaluation)


def _record_day(evaluation: Evaluation, kept: LockedRecord, award: Award | None) -> date:
    """The day the kept ranking was computed for, which decided what evidence had expired."""
    if award is not None and award.decided_on is not None:
        return award.decided_on
    if evaluation.is_locked:
        return selectors.ranking_day(evaluation)
    return timezone.localtime(kept.locked_at).date()


def verification(evaluation: Evaluation, award: Award | None = None) -> dict[str, Any]:
    """Check the record kept at the lock and say what was checked.

    1. The kept package gives the package digest fixed at the lock (the award's; the record's
       own for a cancellation, which has no award).
    2. The kept ranking gives the ranking digest fixed at the lock.
    3. The kept ranking follows from the kept package by the contract's rules: the package is
       parsed with ``parse_package`` and ranked (``record.package_ranking``) for the day it was
       decided.
    4. While the record is current, the evaluation's own rows (bids, criteria, scores, flags,
       evidence) still give the kept ranking for that day.

    Nothing of the registry or of people's names enters any of them: an MSP renamed or a
    client reference edited after the lock changes no document and fails no check.
    """
    kept = record_for(evaluation, award)
    fixed = award if award is not None else kept
    expected_package = fixed.package_digest if fixed is not None else ""
    expected_ranking = fixed.ranking_digest if fixed is not None else ""
    result: dict[str, Any] = {
        "kept": kept,
        "award": award,
        "expected_package_digest": expected_package,
        "expected_ranking_digest": expected_ranking,
        "matches": False,
    }
    if kept is None:
        return result
    day = _record_day(evaluation, kept, award)
    package_digest, ranking_digest = record.digest(kept.package), record.digest(kept.ranking)
    problem = ""
    try:
        recomputed = record.package_ranking(parse_package(loads(json.dumps(kept.package))), today=day)
    except PackageError as exc:
        recomputed, problem = None, "; ".join(exc.errors[:3])
    follows = recomputed is not None and record.digest(recomputed) == ranking_digest
    rows_match = None
    if kept.released_at is None and evaluation.is_locked:
        today = ranking.ranking_document(selectors.ranking_input(evaluation, today=day).data)
        rows_match = record.digest(today) == ranking_digest
    result |= {
        "day": day,
        "package_digest": package_digest,
        "ranking_digest": ranking_digest,
        "package_matches": package_digest == expected_package,
        "ranking_matches": ranking_digest == expected_ranking,
        "follows": follows,
        "problem": problem,
        "rows_match": rows_match,
    }
    result["matches"] = result["package_matches"] and result["ranking_matches"] and follows and rows_match is not False
    return result
