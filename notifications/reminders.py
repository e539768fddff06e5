"""Who is reminded of what, and when: one small function per rule, a sweep, and delivery.

A rule looks at the records on a given day and returns what is ``Due``: a
reminder for one person about one thing for one period. The sweep records each
``Due`` as a ``Reminder`` row under a uniqueness constraint *before* anything is
sent, so running it twice (or on two workers at once) sends nothing twice.
Delivery then emails it (HTML and plain text, with a link) unless the person
asked for a daily digest; the in-app notification is there either way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.roles import EXECUTIVE
from scoring.models import (
    LOCKING_AWARD_DECISIONS,
    Assignment,
    Award,
    Bid,
    BidDocument,
    ConflictOfInterest,
    DocumentKind,
    Evaluation,
    ReferenceCheck,
    Status,
)

from .models import DEFAULT_SCHEDULE, Delivery, Notification, Preference, Reminder, Rule, Schedule

logger = logging.getLogger(__name__)


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


def _owner_then_executives(evaluation: Evaluation) -> list[tuple[User, bool]]:
    """(person, essential): the owner's own deadline, and the executives', whom it concerns too."""
    return [(evaluation.owner, True), *((person, False) for person in _executives(evaluation))]


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
        for person, essential in _owner_then_executives(evaluation):
            found.append(
                Due(
                    rule=Rule.DECISION_OVERDUE,
                    subject_key=f"evaluation:{evaluation.pk}",
                    recipient=person,
                    period=f"late-{week}",
                    evaluation=evaluation,
                    title=f"Decision overdue: “{evaluation.title}”",
                    body=text,
                    url=reverse("scoring:award", args=[evaluation.pk]),
                    essential=essential,
                )
            )
    return found


def _add_months(day: date, months: int) -> date:
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
        end = _add_months(start, award.bid.contract_term_months)
        quarter = 1
        while (review := _add_months(start, 3 * quarter)) <= today:
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
            for person, essential in _owner_then_executives(evaluation):
                found.append(
                    Due(
                        rule=Rule.CONTRACT_ENDING,
                        subject_key=f"award:{award.pk}",
                        recipient=person,
                        period=f"ends-{end:%Y-%m-%d}",
                        evaluation=evaluation,
                        title=f"Contract with {award.bid.vendor_name} ends on {end:%d %b %Y}",
                        body=text,
                        url=reverse("scoring:award", args=[evaluation.pk]),
                        essential=essential,
                    )
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


RULES: dict[str, Callable[[date], list[Due]]] = {  # name -> rule, for the log when one fails
    Rule.SCORING_DUE: scoring_due,
    Rule.BIDS_MISSING: bids_missing,
    Rule.REFERENCES_UNCHECKED: references_unchecked,
    Rule.DECISION_OVERDUE: decision_overdue,
    "after-award": after_award,  # partnership reviews and contract ends
    Rule.EVIDENCE_EXPIRING: evidence_expiring,
}


# --- Events: reminders at once -----------------------------------------------------------------


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
    """6. An award was proposed: the executives who may decide, at once."""
    evaluation = award.evaluation
    return [
        Due(
            rule=Rule.AWARD_PROPOSED,
            subject_key=f"award:{award.pk}",
            recipient=executive,
            period="proposed",
            evaluation=evaluation,
            title=f"Award proposed: {award.bid.vendor_name} for “{evaluation.title}”",
            body=f"{award.proposed_by.get_full_name() or award.proposed_by.get_username()} proposes "
            f"{award.bid.vendor_name}: “{award.rationale}”. An executive who did not score decides.",
            url=reverse("scoring:award", args=[evaluation.pk]),
        )
        for executive in _executives(evaluation)
    ]


# --- Sweep -------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    recorded: list[Reminder] = field(default_factory=list)
    already: int = 0
    skipped: list[str] = field(default_factory=list)  # why someone was left out
    failed_rules: list[str] = field(default_factory=list)


def record(dues: Iterable[Due], result: SweepResult | None = None) -> SweepResult:
    """Record each due reminder once (the database refuses a second copy), with its notification.

    What was recorded before is looked up first and the rest written in bulk. If another sweep
    records some of the same reminders at that very moment, the bulk write fails as a whole and
    they are recorded one by one, each refused copy counted as sent already.
    """
    result = result or SweepResult()
    preferences = {p.user_id: p for p in Preference.objects.all()}
    wanted: dict[tuple[str, str, int, str], Reminder] = {}
    for due in dues:
        person = due.recipient
        if not person.is_active:
            result.skipped.append(f"{due.title} → {person.get_username()}: the account is deactivated")
            continue
        preference = preferences.get(person.pk)
        if not due.essential and preference is not None and not preference.optional:
            result.skipped.append(f"{due.title} → {person.get_username()}: opted out of optional reminders")
            continue
        digest = preference is not None and preference.mode == Preference.Mode.DIGEST
        key = (due.rule, due.subject_key, person.pk, due.period)
        if key in wanted:
            result.already += 1
            continue
        wanted[key] = Reminder(
            rule=due.rule,
            subject_key=due.subject_key,
            recipient=person,
            period=due.period,
            evaluation=due.evaluation,
            title=due.title[:200],
            body=due.body,
            url=due.url,
            essential=due.essential,
            delivery=Delivery.DIGEST if digest else Delivery.PENDING,
        )
    for key in _recorded_before(wanted):
        del wanted[key]
        result.already += 1
    fresh = list(wanted.values())
    try:
        with transaction.atomic():
            recorded = bulk_create_with_history(fresh, Reminder, batch_size=BATCH)
            Notification.objects.bulk_create(
                [Notification(user_id=r.recipient_id, reminder=r) for r in recorded], batch_size=BATCH
            )
    except IntegrityError:
        for reminder in fresh:
            reminder.pk = None
            try:
                with transaction.atomic():
                    reminder.save()
                    Notification.objects.create(user_id=reminder.recipient_id, reminder=reminder)
            except IntegrityError:
                result.already += 1
                continue
            result.recorded.append(reminder)
    else:
        result.recorded.extend(recorded)
    return result


BATCH = 500  # rows per statement when recording, ids per query when looking up, reminders per delivery task


def _recorded_before(wanted: dict[tuple[str, str, int, str], Reminder]) -> set[tuple[str, str, int, str]]:
    """Which of ``wanted`` (by rule, subject, recipient and period) are recorded already."""
    by_rule: dict[str, list[str]] = {}
    for rule, subject_key, _, _ in wanted:
        by_rule.setdefault(rule, []).append(subject_key)
    found = set()
    for rule, subject_keys in by_rule.items():
        unique = sorted(set(subject_keys))
        for start in range(0, len(unique), BATCH):
            rows = Reminder.objects.filter(rule=rule, subject_key__in=unique[start : start + BATCH]).values_list(
                "rule", "subject_key", "recipient_id", "period"
            )
            found.update(row for row in rows if row in wanted)
    return found


def sweep(today: date | None = None, *, deliver: Callable[[int], Any] | None = None) -> SweepResult:
    """Every rule for ``today``: record what is due, then hand each immediate reminder to ``deliver``.

    ``deliver`` defaults to enqueueing the Celery task after commit (eager without a broker).
    """
    today = today or timezone.localdate()
    result = SweepResult()
    for name, rule in RULES.items():
        try:
            dues = rule(today)
        except Exception as exc:  # one broken rule must not stop the others
            logger.exception("Reminder rule %s failed", name)
            result.failed_rules.append(f"{name}: {exc}")
            continue
        record(dues, result)
    dispatch(result.recorded, deliver)
    return result


def dispatch(reminders: Iterable[Reminder], deliver: Callable[[int], Any] | None = None) -> None:
    """Hand each reminder to be emailed at once to ``deliver`` (an id at a time), or by default to
    Celery after the transaction commits, in batches of ``BATCH`` (see ``deliver_many``)."""
    pending = [reminder.pk for reminder in reminders if reminder.delivery == Delivery.PENDING]
    if deliver is not None:
        for reminder_id in pending:
            deliver(reminder_id)
        return
    from .tasks import deliver_reminders

    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        transaction.on_commit(lambda batch=batch: deliver_reminders.delay(batch))


def notify(dues: Iterable[Due]) -> None:
    """An event's reminders: recorded now, delivered after the event's transaction commits."""
    dispatch(record(dues).recorded)


# --- Delivery ----------------------------------------------------------------------------------


class NoAddress(Exception):
    pass


def _email(person: AbstractBaseUser, subject: str, context: dict[str, Any]) -> EmailMultiAlternatives:
    if not person.email:
        raise NoAddress(f"{person.get_username()} has no email address")
    context = {"site_url": settings.SITE_URL, "person": person, **context}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("notifications/email.txt", context),
        to=[person.email],
    )
    message.attach_alternative(render_to_string("notifications/email.html", context), "text/html")
    return message


def deliver(reminder_id: int) -> str:
    """Email one reminder; returns its delivery state. Mail errors propagate so the task can retry."""
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().select_related("recipient").get(pk=reminder_id)
        if reminder.delivery != Delivery.PENDING:
            return reminder.delivery  # sent already (a retry after a lost ack), or not for email
        reminder.attempts += 1
        reminder.save(update_fields=["attempts"])
    try:
        message = _email(reminder.recipient, reminder.title, {"reminders": [reminder]})
    except NoAddress as exc:
        _finish(reminder, Delivery.SKIPPED, str(exc))
        logger.warning("Reminder %s not emailed: %s", reminder.pk, exc)
        return Delivery.SKIPPED
    message.send()
    _finish(reminder, Delivery.SENT)
    return Delivery.SENT


@dataclass
class Delivered:
    sent: int = 0
    skipped: int = 0
    retry: list[int] = field(default_factory=list)  # mail failed: for the retrying single-reminder task


def deliver_many(reminder_ids: Iterable[int]) -> Delivered:
    """Email a batch of reminders over one connection to the mail server.

    Those another worker holds, or that went out already, are left alone. A reminder whose
    mail fails stays pending, in ``retry``, for ``deliver`` to try again with back-off.
    """
    outcome = Delivered()
    with transaction.atomic():
        batch = list(
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk__in=list(reminder_ids), delivery=Delivery.PENDING)
            .order_by("pk")
        )
        for reminder in batch:
            reminder.attempts += 1
        Reminder.objects.filter(pk__in=[r.pk for r in batch]).update(attempts=F("attempts") + 1)
        Reminder.history.bulk_history_create(batch, update=True)
    now = timezone.now()
    done: list[Reminder] = []
    connection = get_connection()
    try:
        connection.open()  # one connection for the whole batch
    except Exception:  # each message then tries on its own, and fails to the retrying task
        logger.exception("Could not open a connection to the mail server")
    try:
        for reminder in batch:
            try:
                message = _email(reminder.recipient, reminder.title, {"reminders": [reminder]})
            except NoAddress as exc:
                _set(reminder, Delivery.SKIPPED, str(exc))
                logger.warning("Reminder %s not emailed: %s", reminder.pk, exc)
                outcome.skipped += 1
                done.append(reminder)
                continue
            message.connection = connection
            try:
                message.send()
            except Exception:  # this one goes to the retrying task; the batch goes on
                logger.exception("Reminder %s: mail failed, to be retried", reminder.pk)
                outcome.retry.append(reminder.pk)
                continue
            _set(reminder, Delivery.SENT, now=now)
            outcome.sent += 1
            done.append(reminder)
    finally:
        connection.close()
    with transaction.atomic():
        sent = [r.pk for r in done if r.delivery == Delivery.SENT]
        Reminder.objects.filter(pk__in=sent).update(delivery=Delivery.SENT, error="", sent_at=now)
        for reminder in done:
            if reminder.delivery != Delivery.SENT:
                Reminder.objects.filter(pk=reminder.pk).update(delivery=reminder.delivery, error=reminder.error)
        Reminder.history.bulk_history_create(done, update=True)
    return outcome


def _set(reminder: Reminder, delivery: str, error: str = "", *, now: datetime | None = None) -> None:
    reminder.delivery = delivery
    reminder.error = error
    reminder.sent_at = (now or timezone.now()) if delivery == Delivery.SENT else None


def _finish(reminder: Reminder, delivery: str, error: str = "") -> None:
    _set(reminder, delivery, error)
    reminder.save(update_fields=["delivery", "error", "sent_at"])


def mark_failed(reminder_id: int, error: str) -> None:
    reminder = Reminder.objects.get(pk=reminder_id)
    if reminder.delivery == Delivery.PENDING:
        _finish(reminder, Delivery.FAILED, error[:2000])
        logger.error("Reminder %s failed for good: %s", reminder_id, error)


def send_digests() -> int:
    """One email per person with every reminder waiting for their daily digest; returns emails sent."""
    sent = 0
    waiting = Reminder.objects.filter(delivery=Delivery.DIGEST).select_related("recipient").order_by("recipient", "pk")
    by_person: dict[int, list[Reminder]] = {}
    for reminder in waiting:
        by_person.setdefault(reminder.recipient_id, []).append(reminder)
    for reminders in by_person.values():
        person = reminders[0].recipient
        try:
            _email(person, f"Your reminders: {len(reminders)} today", {"reminders": reminders}).send()
        except NoAddress as exc:
            for reminder in reminders:
                _finish(reminder, Delivery.SKIPPED, str(exc))
            continue
        except Exception as exc:  # the next digest tries again
            logger.exception("Digest for %s failed", person)
            for reminder in reminders:
                reminder.error = str(exc)[:2000]
                reminder.save(update_fields=["error"])
            continue
        for reminder in reminders:
            _finish(reminder, Delivery.SENT)
        sent += 1
    return sent
