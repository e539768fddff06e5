"""Awards: proposed by procurement, decided by an executive, and the unlock that reopens an evaluation."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from scoring import record, signals
from scoring.models import (
    LOCKING_AWARD_DECISIONS,
    OPEN_AWARD_DECISIONS,
    Award,
    AwardDecision,
    Bid,
    Evaluation,
    Status,
)
from scoring.package.export import evaluation_export
from scoring.results import refresh_ranking
from scoring.services.common import save_with_reason
from scoring.services.locking import ensure_writable
from scoring.services.record import kept_record, lock_record

logger = logging.getLogger(__name__)


def _open_award(evaluation: Evaluation) -> Award | None:
    return Award.objects.select_for_update().filter(evaluation=evaluation, decision__in=OPEN_AWARD_DECISIONS).first()


@transaction.atomic
def award_propose(*, evaluation: Evaluation, bid: Bid, rationale: str, by: AbstractBaseUser) -> Award:
    """The owner proposes a winner, with the reasons; an executive then approves or rejects it."""
    ensure_writable(evaluation)
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    if evaluation.status != Status.DECISION:
        raise ValidationError(
            f"A winner is proposed once the evaluation is at the decision stage; it is "
            f"{evaluation.get_status_display().lower()}."
        )
    if bid.evaluation_id != evaluation.pk:
        raise ValidationError({"bid": "That bid belongs to another evaluation."})
    if not rationale.strip():
        raise ValidationError({"rationale": "Say why this bid should win: the approver and the auditors read it."})
    if _open_award(evaluation) is not None:
        raise ValidationError("A proposal is already waiting for approval.")
    rows = refresh_ranking(evaluation)[0]["ranking"]
    ranked = {row["vendor"] for row in rows if row["status"] == "ranked"}
    if not ranked:
        raise ValidationError("No bid is ranked: there is nothing to award.")
    if bid.vendor_name not in ranked:
        raise ValidationError({"bid": f"{bid.vendor_name} is disqualified: only a ranked bid can win."})
    award = Award(evaluation=evaluation, bid=bid, rationale=rationale.strip(), proposed_by=by)
    award.full_clean()
    award.save()
    transaction.on_commit(lambda: signals.award_proposed.send(sender=Award, award=award))
    return award


def may_decide_award(user: AbstractBaseUser, evaluation: Evaluation) -> bool:
    """Executives who did not score it: not assigned to the evaluation as an evaluator (admins neither)."""
    from scoring.rules import may_decide_award as rule

    return user.is_active and rule.test(user, evaluation)


@transaction.atomic
def award_decide(*, award: Award, approve: bool, comment: str, by: AbstractBaseUser) -> Award:
    """Approve (the evaluation becomes awarded and locked, its record fingerprinted) or reject."""
    # The award's row only: its winning bid may be null (a loaded archive), an outer join PostgreSQL won't lock.
    award = Award.objects.select_for_update(of=("self",)).select_related("bid").get(pk=award.pk)
    evaluation = Evaluation.objects.select_for_update().get(pk=award.evaluation_id)
    if award.decision != AwardDecision.PENDING:
        raise ValidationError(f"This proposal was already decided: {award.get_decision_display().lower()}.")
    if not may_decide_award(by, evaluation):
        raise ValidationError("Only an executive who did not score this evaluation can decide on its award.")
    if by.pk == award.proposed_by_id:
        raise ValidationError("The person who proposed the award can't also approve it.")
    if not approve and not comment.strip():
        raise ValidationError({"comment": "Say why the proposal is rejected."})
    ensure_writable(evaluation)
    award.decided_by = by
    award.decided_at = timezone.now()
    award.comment = comment.strip()
    if not approve:
        award.decision = AwardDecision.REJECTED
        save_with_reason(award, reason=award.comment)
        return award
    if evaluation.status != Status.DECISION:
        raise ValidationError("The evaluation is no longer at the decision stage.")
    document = refresh_ranking(evaluation)[0]
    if award.bid.vendor_name not in {row["vendor"] for row in document["ranking"] if row["status"] == "ranked"}:
        raise ValidationError(f"{award.bid.vendor_name} is no longer ranked: reject this proposal.")
    evaluation.status = Status.AWARDED
    evaluation.version += 1
    save_with_reason(
        evaluation,
        reason=f"Award to {award.bid.vendor_name} approved",
        update_fields=["status", "version", "updated_at"],
    )
    award.decision = AwardDecision.APPROVED
    award.decided_on = timezone.localdate()
    award.ranking_document = document
    award.ranking_digest = record.digest(document)
    # The package as it stands once the status is awarded (it names the award): one history row.
    award.package_digest = record.digest(evaluation_export(evaluation))
    save_with_reason(award, reason=award.comment)
    # The record kept now gives the same digests (lock_record would correct the award otherwise).
    lock_record(evaluation=evaluation, award=award)
    return award


@transaction.atomic
def evaluation_unlock(*, evaluation: Evaluation, reason: str, by: AbstractBaseUser) -> Evaluation:
    """An admin reopens an awarded evaluation (approved, or loaded as awarded) at the decision stage.

    The award keeps its digests and records who unlocked it, when and why; the record kept at
    the lock is released (never deleted), so the award page still shows what was fixed.
    """
    if not by.is_superuser:
        raise ValidationError("Only an admin can unlock an evaluation.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the evaluation is unlocked: it is kept in the history."})
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status != Status.AWARDED:
        raise ValidationError(
            f"Only an awarded evaluation is unlocked; this one is {evaluation.get_status_display().lower()}."
        )
    # Kept now if it was locked before records were kept, so the release has something to keep.
    kept = kept_record(evaluation)
    now = timezone.now()
    award = (
        Award.objects.select_for_update().filter(evaluation=evaluation, decision__in=LOCKING_AWARD_DECISIONS).first()
    )
    if award is not None:
        award.decision = AwardDecision.UNLOCKED
        award.unlocked_by, award.unlocked_at, award.unlock_reason = by, now, reason
        save_with_reason(
            award, reason=reason, update_fields=["decision", "unlocked_by", "unlocked_at", "unlock_reason"]
        )
    if kept is not None:
        kept.released_at, kept.released_by, kept.release_reason = now, by, reason
        save_with_reason(kept, reason=reason, update_fields=["released_at", "released_by", "release_reason"])
    evaluation.status = Status.DECISION
    evaluation.version += 1
    save_with_reason(
        evaluation, reason=f"Unlocked: {reason.strip()}", update_fields=["status", "version", "updated_at"]
    )
    refresh_ranking(evaluation)
    return evaluation
