"""The rules: each looks at the records on a day (or at one event) and returns what is ``Due``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, User
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.roles import EXECUTIVE
from scoring.models import (
    LOCKING_AWARD_DECISIONS,
    Assignment,
    Award,
    Bid,
    BidDocument,
    CandidateStatus,
    ConflictOfInterest,
    DocumentKind,
    Evaluation,
    Invitation,
    ReferenceCheck,
    Status,
    Submission,
    SubmissionState,
)
from scoring.proposals import proposal_context

from ..models import DEFAULT_SCHEDULE, Rule, Schedule


@dataclass(frozen=True)
class Due:
    rule: str
    subject_key: str
    recipient: AbstractBaseUser
    period: str
    title: str
    body: str
    url: str
    evaluation: Evaluation | None = None
    essential: bool = True


def _schedule(evaluation: Evaluation, schedules: dict[int, Schedule]) -> Schedule:
    return schedules.get(evaluation.pk, DEFAULT_SCHEDULE)


def _schedules(evaluations: Iterable[Evaluation]) -> dict[int, Schedule]:
    return {s.evaluation_id: s for s in Schedule.objects.filter(evaluation__in=list(evaluations))}


def _in_days(days: int) -> str:
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def _owner_then_executives(evaluation: Evaluation, **due: Any) -> list[Due]:
    """The same reminder to the owner (their own deadline: essential) and to the executives, whom it
    concerns too; ``due`` is the rest of each ``Due``, the same for all of them."""
    people = [(evaluation.owner, True), *((person, False) for person in _executives(evaluation))]
    return [Due(recipient=person, essential=essential, evaluation=evaluation, **due) for person, essential in people]


def _executives(evaluation: Evaluation) -> list[User]:
    """Executives who may decide on the evaluation: not assigned to score it."""
    assigned = Assignment.objects.filter(evaluation=evaluation).values("evaluator_id")
    return list(User.objects.filter(groups__name=EXECUTIVE, is_active=True).exclude(pk__in=assigned).order_by("pk"))


# --- The rules ---------------------------------------------------------------------------------


def scoring_due(today: date) -> list[Due]:
    """1. An assigned evaluator has not submitted, and scoring is due in N days, tomorrow, or is overdue."""
    evaluations = list(Evaluation.objects.filter(status=Status.SCORING, scoring_due__isnull=False))
    schedules = _schedules(evaluations)
    found = []
    pending = Assignment.objects.filter(evaluation__in=evaluations, submitted_at__isnull=True).select_related(
        "evaluator", "evaluation"
    )
    for assignment in pending:
        evaluation = assignment.evaluation
        days = (evaluation.scoring_due - today).days
        lead = _schedule(evaluation, schedules).scoring_days
        if days < 0:
            # Overdue: on the first day late, then once a week.
            weeks, rest = divmod(-days - 1, 7)
            if rest:
                continue
            period, when = f"overdue-{weeks}", f"was due on {evaluation.scoring_due:%d %b %Y}"
        elif days == 1:
            period, when = "due-tomorrow", "is due tomorrow"
        elif days == lead:
            period, when = f"due-in-{lead}", f"is due in {lead} days ({evaluation.scoring_due:%d %b %Y})"
        else:
            continue
        found.append(
            Due(
                rule=Rule.SCORING_DUE,
                subject_key=f"assignment:{assignment.pk}",
                recipient=assignment.evaluator,
                period=period,
                evaluation=evaluation,
                title=f"Your scorecard for “{evaluation.title}” {when}",
                body=(
                    f"Your scorecard for “{evaluation.title}” {when} and is not submitted yet. "
                    "Scores in a draft don't count until you submit."
                ),
                url=reverse("scoring:scorecard", args=[evaluation.pk]),
            )
        )
    return found


def bids_missing(today: date) -> list[Due]:
    """2. Bids are due soon and some invited MSPs have not bid: the owner."""
    from scoring import selectors

    if not hasattr(selectors, "candidates_without_bid"):  # candidates arrive with the registry's invitations
        return []
    evaluations = list(
        Evaluation.objects.filter(status=Status.COLLECTING_BIDS, bids_due__gte=today).select_related("owner")
    )
    schedules = _schedules(evaluations)
    found = []
    for evaluation in evaluations:
        days = (evaluation.bids_due - today).days
        if days > _schedule(evaluation, schedules).bids_days:
            continue
        missing = [c.msp.name for c in selectors.candidates_without_bid(evaluation)]
        if not missing:
            continue
        found.append(
            Due(
                rule=Rule.BIDS_MISSING,
                subject_key=f"evaluation:{evaluation.pk}",
                recipient=evaluation.owner,
                period=f"bids-due-{evaluation.bids_due:%Y-%m-%d}",
                evaluation=evaluation,
                title=f"Bids for “{evaluation.title}” are due {_in_days(days)}: {len(missing)} missing",
                body=f"No bid yet from: {', '.join(missing)}. Bids are due on {evaluation.bids_due:%d %b %Y}.",
                url=reverse("scoring:dashboard", args=[evaluation.pk]),
            )
        )
    return found


def references_unchecked(today: date) -> list[Due]:
    """3. A bid's references are not checked, and scoring is due soon: the owner."""
    evaluations = list(
        Evaluation.objects.filter(
            status__in=[Status.COLLECTING_BIDS, Status.SCORING], scoring_due__gte=today
        ).select_related("owner")
    )
    schedules = _schedules(evaluations)
    near = [e for e in evaluations if (e.scoring_due - today).days <= _schedule(e, schedules).scoring_days]
    checked = set(ReferenceCheck.objects.filter(bid__evaluation__in=near).values_list("bid_id", flat=True))
    unchecked: dict[int, list[str]] = {}
    for bid in Bid.objects.filter(evaluation__in=near, references_offered__gt=0).order_by("vendor_name"):
        if bid.pk not in checked:
            unchecked.setdefault(bid.evaluation_id, []).append(bid.vendor_name)
    return [
        Due(
            rule=Rule.REFERENCES_UNCHECKED,
            subject_key=f"evaluation:{evaluation.pk}",
            recipient=evaluation.owner,
            period=f"before-{evaluation.scoring_due:%Y-%m-%d}",
            evaluation=evaluation,
            title=f"References not checked for {len(unchecked[evaluation.pk])} bid(s) of “{evaluation.title}”",
            body=(
                f"Scoring is due {_in_days((evaluation.scoring_due - today).days)} and no reference has been "
                f"called for: {', '.join(unchecked[evaluation.pk])}. The guide: always call the references."
            ),
            url=reverse("scoring:dashboard", args=[evaluation.pk]),
        )
        for evaluation in near
        if evaluation.pk in unchecked
    ]


def decision_overdue(today: date) -> list[Due]:
    """4. The decision date passed without an award: the owner and the executives."""
    found = []
    evaluations = Evaluation.objects.filter(
        status__in=[Status.SCORING, Status.DECISION], decision_due__lt=today
    ).select_related("owner")
    for evaluation in evaluations:
        days = (today - evaluation.decision_due).days
        if (days - 1) % 7:
            continue  # the first day late, then weekly
        week = (days - 1) // 7
        text = (
            f"The decision on “{evaluation.title}” was due on {evaluation.decision_due:%d %b %Y} "
            "and no award has been approved."
        )
        found += _owner_then_executives(
            evaluation,
            rule=Rule.DECISION_OVERDUE,
            subject_key=f"evaluation:{evaluation.pk}",
            period=f"late-{week}",
            title=f"Decision overdue: “{evaluation.title}”",
            body=text,
            url=reverse("scoring:award", args=[evaluation.pk]),
        )
    return found


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def after_award(today: date) -> list[Due]:
    """7. After an award: a quarterly partnership review, and notice before the contract's term ends.

    An archive loaded as awarded (LOADED) counts only when it names its winner: with none there is
    no contract to review or renew. Its contract is counted from the day it was loaded, the only
    start the record holds.
    """
    found = []
    awards = Award.objects.filter(
        decision__in=LOCKING_AWARD_DECISIONS, decided_on__isnull=False, bid__isnull=False
    ).select_related("evaluation__owner", "bid")
    schedules = _schedules(a.evaluation for a in awards)
    for award in awards:
        evaluation, start = award.evaluation, award.decided_on
        end = add_months(start, award.bid.contract_term_months)
        quarter = 1
        while (review := add_months(start, 3 * quarter)) <= today:
            if today < review + timedelta(days=7) and review < end:
                found.append(
                    Due(
                        rule=Rule.PARTNERSHIP_REVIEW,
                        subject_key=f"award:{award.pk}",
                        recipient=evaluation.owner,
                        period=f"quarter-{quarter}",
                        evaluation=evaluation,
                        title=f"Quarterly review with {award.bid.vendor_name}",
                        body=(
                            f"Quarter {quarter} of the {award.bid.vendor_name} contract: review response times, "
                            "open issues and the roadmap with them, as the guide advises."
                        ),
                        url=reverse("scoring:award", args=[evaluation.pk]),
                        essential=False,
                    )
                )
            quarter += 1
        notice = _schedule(evaluation, schedules).contract_notice_days
        if end - timedelta(days=notice) <= today <= end:
            text = (
                f"The {award.bid.contract_term_months}-month term with {award.bid.vendor_name} ends on "
                f"{end:%d %b %Y}: decide whether to renew, or use the exit clause, in time."
            )
            found += _owner_then_executives(
                evaluation,
                rule=Rule.CONTRACT_ENDING,
                subject_key=f"award:{award.pk}",
                period=f"ends-{end:%Y-%m-%d}",
                title=f"Contract with {award.bid.vendor_name} ends on {end:%d %b %Y}",
                body=text,
                url=reverse("scoring:award", args=[evaluation.pk]),
            )
    return found


def evidence_expiring(today: date) -> list[Due]:
    """8. Evidence for a mandatory requirement expires soon, for the awarded MSP or a bid still in play."""
    awarded_bids = set(
        Award.objects.filter(decision__in=LOCKING_AWARD_DECISIONS, bid__isnull=False).values_list("bid_id", flat=True)
    )
    documents = BidDocument.objects.filter(
        kind=DocumentKind.EVIDENCE, withdrawn_at__isnull=True, expires_on__gte=today
    ).select_related("bid__evaluation__owner", "requirement")
    schedules = _schedules({d.bid.evaluation for d in documents})
    found = []
    for document in documents:
        evaluation = document.bid.evaluation
        in_play = not evaluation.is_locked or document.bid_id in awarded_bids
        days = (document.expires_on - today).days
        if not in_play or days > _schedule(evaluation, schedules).evidence_days:
            continue
        found.append(
            Due(
                rule=Rule.EVIDENCE_EXPIRING,
                subject_key=f"document:{document.pk}",
                recipient=evaluation.owner,
                period=f"expires-{document.expires_on:%Y-%m-%d}",
                evaluation=evaluation,
                title=f"{document.bid.vendor_name}'s evidence expires {_in_days(days)}",
                body=(
                    f"“{document.name}”, the evidence that {document.bid.vendor_name} meets “"
                    f"{document.requirement.text if document.requirement else 'a requirement'}”, expires on "
                    f"{document.expires_on:%d %b %Y}. Once it has, the requirement counts as unmet."
                ),
                url=reverse("scoring:bid", args=[evaluation.pk, document.bid_id]),
            )
        )
    return found


def _bid_room_people(evaluation: Evaluation) -> QuerySet[Invitation]:
    """The people in the evaluation's bid room whose company is still invited and who may sign in."""
    return Invitation.objects.filter(
        candidate__evaluation=evaluation,
        candidate__status=CandidateStatus.INVITED,
        account__user__is_active=True,
        account__contact__active=True,
    ).select_related("account__user", "candidate__msp")


def bid_room_due(today: date) -> list[Due]:
    """10. Bids are due soon and an invited MSP has not submitted in the bid room: each of its people, once
    per deadline."""
    evaluations = list(Evaluation.objects.filter(status=Status.COLLECTING_BIDS, bids_due__gte=today))
    schedules = _schedules(evaluations)
    found = []
    for evaluation in evaluations:
        days = (evaluation.bids_due - today).days
        if days > _schedule(evaluation, schedules).bids_days:
            continue
        submitted = Submission.objects.filter(candidate__evaluation=evaluation, state=SubmissionState.SUBMITTED)
        waiting = _bid_room_people(evaluation).exclude(candidate__in=submitted.values("candidate_id"))
        for invitation in waiting:
            found.append(
                Due(
                    rule=Rule.BID_ROOM_DUE,
                    subject_key=f"invitation:{invitation.pk}",
                    recipient=invitation.account.user,
                    period=f"bids-due-{evaluation.bids_due:%Y-%m-%d}",
                    evaluation=evaluation,
                    title=f"Bids for “{evaluation.title}” close {_in_days(days)}",
                    body=(
                        f"{invitation.candidate.msp.name} has not submitted a bid yet. The bid room closes at the "
                        f"end of {evaluation.bids_due:%A %-d %B %Y}; after that nothing can be submitted."
                    ),
                    url=reverse("portal:request", args=[invitation.pk]),
                )
            )
    return found


def questions_closing(today: date) -> list[Due]:
    """11. The bid room stops taking questions tomorrow: each invited MSP's people, once."""
    tomorrow = today + timedelta(days=1)
    evaluations = Evaluation.objects.filter(status=Status.COLLECTING_BIDS, questions_due=tomorrow)
    return [
        Due(
            rule=Rule.QUESTIONS_CLOSING,
            subject_key=f"invitation:{invitation.pk}",
            recipient=invitation.account.user,
            period=f"questions-due-{tomorrow:%Y-%m-%d}",
            evaluation=evaluation,
            title=f"Questions about “{evaluation.title}” close tomorrow",
            body=(
                f"Ask the buyer anything unclear before the end of {tomorrow:%A %-d %B %Y}: published answers go "
                "to every invited MSP, without saying who asked."
            ),
            url=reverse("portal:request", args=[invitation.pk]),
        )
        for evaluation in evaluations
        for invitation in _bid_room_people(evaluation)
    ]


RULES: dict[str, Callable[[date], list[Due]]] = {  # name -> rule, for the log when one fails
    Rule.SCORING_DUE: scoring_due,
    Rule.BIDS_MISSING: bids_missing,
    Rule.REFERENCES_UNCHECKED: references_unchecked,
    Rule.DECISION_OVERDUE: decision_overdue,
    "after-award": after_award,  # partnership reviews and contract ends
    Rule.EVIDENCE_EXPIRING: evidence_expiring,
    Rule.BID_ROOM_DUE: bid_room_due,
    Rule.QUESTIONS_CLOSING: questions_closing,
}


# --- Events: reminders at once -----------------------------------------------------------------


def material_change(evaluation: Evaluation, what: str, reason: str) -> list[Due]:
    """9. Once scoring has started, a change that can move the ranking: every evaluator, at once."""
    stamp = timezone.now()
    return [
        Due(
            rule=Rule.MATERIAL_CHANGE,
            subject_key=f"evaluation:{evaluation.pk}",
            recipient=assignment.evaluator,
            period=f"changed-{stamp:%Y%m%dT%H%M%S%f}",
            evaluation=evaluation,
            title=f"Changed during scoring: {what} on “{evaluation.title}”",
            body=f"{what[0].upper()}{what[1:]} changed on “{evaluation.title}” while it is being scored. "
            + (f"Why: {reason}" if reason else ""),
            url=reverse("scoring:dashboard", args=[evaluation.pk]),
        )
        for assignment in Assignment.objects.filter(evaluation=evaluation, evaluator__is_active=True).select_related(
            "evaluator"
        )
    ]


def conflict_declared(conflict: ConflictOfInterest) -> list[Due]:
    """5. A conflict of interest was declared: the owner, at once."""
    evaluation = conflict.evaluation
    who = conflict.evaluator.get_full_name() or conflict.evaluator.get_username()
    return [
        Due(
            rule=Rule.CONFLICT_DECLARED,
            subject_key=f"conflict:{conflict.pk}",
            recipient=evaluation.owner,
            period="declared",
            evaluation=evaluation,
            title=f"Conflict of interest declared on “{evaluation.title}”",
            body=(
                f"{who} declared a conflict of interest with {conflict.msp.name} and will not score its bid. "
                f"Note: {conflict.note or '(none)'}"
            ),
            url=reverse("scoring:dashboard", args=[evaluation.pk]),
        )
    ]


def award_proposed(award: Award) -> list[Due]:
    """6. An award was proposed: the executives who may decide, at once, with what to weigh."""
    evaluation = award.evaluation
    context = proposal_context(evaluation, award.bid) if award.bid_id else None
    weigh = " ".join(context.warnings()) if context else ""
    return [
        Due(
            rule=Rule.AWARD_PROPOSED,
            subject_key=f"award:{award.pk}",
            recipient=executive,
            period="proposed",
            evaluation=evaluation,
            title=f"Award proposed: {award.bid.vendor_name} for “{evaluation.title}”",
            body=f"{award.proposed_by.get_full_name() or award.proposed_by.get_username()} proposes "
            f"{award.bid.vendor_name}: “{award.rationale}”. An executive who did not score decides."
            + (f" To weigh: {weigh}" if weigh else ""),
            url=reverse("scoring:award", args=[evaluation.pk]),
        )
        for executive in _executives(evaluation)
    ]
