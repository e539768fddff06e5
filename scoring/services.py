"""Every write to evaluations goes through these functions.

Each runs in one transaction, refuses to touch an awarded or cancelled
evaluation, and refreshes the stored ranking in the same transaction when it
changes anything the ranking reads, so reading a dashboard never recomputes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.roles import AUDITOR, EVALUATOR, EXECUTIVE, may_be_evaluator, may_own_evaluation
from core import revision
from core.concurrency import EditConflict, save_versioned
from core.history import acting_as
from vendors import services as vendor_services
from vendors.models import MSP, ClientReference

from . import analysis, guide, ranking, record, selectors, signals
from .models import (
    LOCKING_AWARD_DECISIONS,
    OPEN_AWARD_DECISIONS,
    AppliesTo,
    Assignment,
    Award,
    AwardDecision,
    Bid,
    BidDocument,
    Candidate,
    CandidateStatus,
    ConflictOfInterest,
    Criterion,
    CriterionKind,
    DocumentKind,
    Evaluation,
    LockedRecord,
    LockedWriteAttempt,
    Model,
    NeedsAssessment,
    PackageLoad,
    QuestionTemplate,
    RedFlag,
    ReferenceCheck,
    Requirement,
    RequirementMet,
    RequirementTemplate,
    Score,
    Status,
    StoredRanking,
    Waiver,
)
from .package import AMOUNT_FIELDS, PACKAGE_FORMAT, Package, PackageError, loads, parse_package, vendor_key

logger = logging.getLogger(__name__)


class EvaluationLocked(ValidationError):
    pass


def ensure_writable(evaluation: Evaluation) -> None:
    """The guard every write passes: awarded and cancelled evaluations are final.

    Reads the status under a row lock (inside the write's transaction), so a write
    prepared before an award or a cancellation can't slip in after it.
    """
    status = Evaluation.objects.select_for_update().filter(pk=evaluation.pk).values_list("status", flat=True).first()
    if status is not None:
        evaluation.status = status
    if evaluation.is_locked:
        note_refusal(evaluation, sys._getframe(1).f_code.co_name.replace("_", " "))
        raise EvaluationLocked(
            f"“{evaluation.title}” is {evaluation.get_status_display().lower()}: it is locked and can't be changed."
        )


# Refused writes to locked evaluations, noted while a request (or a command) runs and kept once
# it is over: the refused write's own transaction rolls back, the record of the attempt must not.
_refusals: ContextVar[list[tuple[int, str]] | None] = ContextVar("locked_refusals", default=None)


def note_refusal(evaluation: Evaluation, action: str) -> None:
    pending = _refusals.get()
    if pending is not None:
        pending.append((evaluation.pk, action))


@contextmanager
def recording_refusals(user: AbstractBaseUser | None, where: str) -> Iterator[None]:
    """Record, after the work inside is done, every write it tried on a locked evaluation."""
    token = _refusals.set([])
    try:
        yield
    finally:
        pending = _refusals.get() or []
        _refusals.reset(token)
        known = user if user is not None and user.is_authenticated else None
        for evaluation_id, action in dict.fromkeys(pending):
            try:
                with acting_as(known):
                    LockedWriteAttempt.objects.create(
                        evaluation_id=evaluation_id, user=known, action=f"{action} ({where})"[:200]
                    )
            except DatabaseError:
                logger.exception("Could not record a refused write to locked evaluation %s", evaluation_id)


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


# --- Loading a package -------------------------------------------------------------------------


def scoring_refusal(user: AbstractBaseUser) -> str | None:
    """Why ``user`` may not be assigned to score (``accounts.roles.may_be_evaluator``), in words; None if they may."""
    if may_be_evaluator(user):
        return None
    return _refusal(user.get_username(), active=user.is_active, groups=set(user.groups.values_list("name", flat=True)))


def _refusal(username: str, *, active: bool, groups: set[str]) -> str:
    if not active:
        return f"{username} is deactivated: a deactivated user does nothing, and never scores"
    if AUDITOR in groups:
        return f"{username} is an auditor: auditors read the record and never score"
    if EXECUTIVE in groups:
        return f"{username} is an executive: executives decide the award and never score"
    return f"{username} may not score"


def package_problems(package: Package, *, door: str) -> list[str]:
    """What the database says against a package, as ``PATH: message`` lines (``parse_package``'s ``vet``).

    Both doors ask this (and ``evaluation_load`` again, for any other caller): an evaluator who is
    an existing auditor, executive or deactivated user (separated duties), and, through the web
    upload, an archive at ``awarded`` (only the operator's ``load_evaluation`` loads one).
    """
    problems = []
    if door == PackageLoad.Door.WEB and package.evaluation.get("status") == Status.AWARDED:
        problems.append(
            "evaluation.status: only the operator's load_evaluation loads an archive as awarded; "
            "an upload may not (an award here is proposed by the owner and approved by an executive)"
        )
    usernames = [e["username"] for e in package.evaluators if e["username"]]
    if usernames:
        # Two queries whatever the number of evaluators: the users, then their groups.
        active = dict(User.objects.filter(username__in=usernames).values_list("username", "is_active"))
        groups: dict[str, set[str]] = {}
        for username, group in User.groups.through.objects.filter(user__username__in=list(active)).values_list(
            "user__username", "group__name"
        ):
            groups.setdefault(username, set()).add(group)
        for i, entry in enumerate(package.evaluators):
            username = entry["username"]
            if username not in active:
                continue  # unknown: becomes an Evaluator
            found = groups.get(username, set())
            if not active[username] or found & {AUDITOR, EXECUTIVE}:
                problems.append(
                    f"evaluators[{i}].username: {_refusal(username, active=active[username], groups=found)}"
                )
    return problems


def _load_reason(source_sha256: str) -> str:
    """The change reason of every history row a load writes: where the rows came from."""
    return f"loaded from a package (SHA-256 {source_sha256[:12]}…)" if source_sha256 else "loaded from a package"


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.partition(" ")
    return first[:150], last[:150]


def _evaluator_users(evaluators: list[dict[str, str]], reason: str = "") -> dict[str, User]:
    """Users for the package's evaluators; unknown ones become Evaluators with no usable password."""
    usernames = [e["username"] for e in evaluators]
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    group = Group.objects.get(name=EVALUATOR)
    for entry in evaluators:
        if entry["username"] in users:
            continue
        first, last = _split_name(entry["name"])
        user = User(username=entry["username"], email=entry["email"], first_name=first, last_name=last)
        user.set_unusable_password()
        _save(user, reason=reason)
        user.groups.add(group)
        users[user.username] = user
    return users


def _offers(model: str) -> dict[str, bool]:
    """What a new MSP of a bid in ``model`` offers."""
    return {"offers_fully_managed": model == "fully_managed", "offers_co_managed": model == "co_managed"}


def _msp_named(name: str, *, offers_fully_managed: bool, offers_co_managed: bool) -> MSP:
    """The registry's MSP of that name, or a new one offering the models given."""
    msp = MSP.objects.filter(name__iexact=vendor_services.normalize_name(name)).first()
    if msp is None:
        msp = vendor_services.msp_create(
            name=name, offers_fully_managed=offers_fully_managed, offers_co_managed=offers_co_managed
        )
    return msp


def _msps(bids: list[Any], owner: AbstractBaseUser, reason: str = "") -> dict[str, MSP]:
    """The MSP of each bid's vendor: an existing one of the same name, or a new one.

    The registry is read in one query and the new MSPs written together (with their history rows,
    by ``owner``); should one of them have been added meanwhile, one by one as ``_msp_named`` does.
    """
    names = {bid.vendor.casefold(): vendor_services.normalize_name(bid.vendor) for bid in bids}
    found = {
        msp.name.lower(): msp
        for msp in MSP.objects.annotate(lower_name=Lower("name")).filter(
            lower_name__in={name.lower() for name in names.values()}
        )
    }
    new: dict[str, MSP] = {}
    for bid in bids:
        name = names[bid.vendor.casefold()]
        if name.lower() not in found and name.lower() not in new:
            msp = MSP(name=name, **_offers(bid.model))
            msp.full_clean(validate_constraints=False)  # the name was looked up above; the database checks it too
            new[name.lower()] = msp
    try:
        with transaction.atomic():
            bulk_create_with_history(list(new.values()), MSP, default_user=owner, default_change_reason=reason)
    except IntegrityError:  # a name added since it was looked up (or matched differently by the database)
        return {bid.vendor.casefold(): _msp_named(bid.vendor, **_offers(bid.model)) for bid in bids}
    return {key: found.get(name.lower()) or new[name.lower()] for key, name in names.items()}


def _load_candidates(
    package: Package, evaluation: Evaluation, msps: dict[str, MSP], owner: AbstractBaseUser, reason: str = ""
) -> None:
    """The package's candidates, then every bidder it does not list: each bidder is a candidate.

    A listed bidder keeps the status and note the package gives it; a listed vendor with no bid
    is matched to the registry by name, or added offering the models the evaluation compares.
    """
    bidder_msps = {vendor_key(b.vendor): msps[b.vendor.casefold()] for b in package.bids}
    listed = {vendor_key(c["vendor"]) for c in package.candidates}
    unlisted = [
        {"vendor": b.vendor, "status": CandidateStatus.INVITED, "note": ""}
        for b in package.bids
        if vendor_key(b.vendor) not in listed
    ]
    candidates: dict[int, Candidate] = {}
    for entry in [*package.candidates, *unlisted]:
        msp = bidder_msps.get(vendor_key(entry["vendor"])) or _msp_named(
            entry["vendor"],
            offers_fully_managed=evaluation.allows_bid_model(Model.FULLY_MANAGED),
            offers_co_managed=evaluation.allows_bid_model(Model.CO_MANAGED),
        )
        candidates.setdefault(
            msp.pk, Candidate(evaluation=evaluation, msp=msp, status=entry["status"], note=entry["note"])
        )
    bulk_create_with_history(list(candidates.values()), Candidate, default_user=owner, default_change_reason=reason)


@transaction.atomic
def evaluation_load(
    *,
    package: Package,
    owner: AbstractBaseUser,
    source_sha256: str = "",
    door: str = PackageLoad.Door.COMMAND,
) -> Evaluation:
    """Create one evaluation from a valid package, all of it or nothing.

    ``source_sha256`` is the SHA-256 of the exact bytes read and ``door`` the way they came
    (``PackageLoad.Door``); both are kept on the evaluation's ``PackageLoad`` with who loaded it.
    Every row written is marked as loaded (scores ``from_package``, submissions
    ``submitted_from_package``, history rows with the reason "loaded from a package"). An archive
    at ``awarded`` gets an award marked LOADED; one at ``awarded`` or ``cancelled`` is locked with
    its record kept (``lock_record``). Raises ``PackageError`` for what the database refuses
    (``package_problems``) and ``ValidationError`` for an owner who may not own an evaluation.
    """
    if not may_own_evaluation(owner):
        raise ValidationError(
            f"{owner.get_username()} may not own an evaluation: the owner is an active Procurement user or an admin."
        )
    problems = package_problems(package, door=door)
    if problems:
        raise PackageError(problems)
    reason = _load_reason(source_sha256)
    e, org = package.evaluation, package.organization
    evaluation = Evaluation(
        title=e["title"],
        model=e["model"],
        term_months=e["term_months"],
        status=e["status"],
        red_flag_policy=e["red_flag_policy"],
        red_flag_penalty=e["red_flag_penalty"],
        sealed_prices=e["sealed_prices"],
        monthly_budget=e["monthly_budget"],
        bids_due=e["bids_due"],
        scoring_due=e["scoring_due"],
        decision_due=e["decision_due"],
        owner=owner,
        organization_name=org["name"],
        employees=org["employees"],
        devices=org["devices"],
        it_staff=org["it_staff"],
        it_staff_annual_cost=org["it_staff_annual_cost"],
        industry=org["industry"],
        compliance=org["compliance"],
    )
    evaluation.full_clean()
    _save(evaluation, reason=reason)
    load = PackageLoad(evaluation=evaluation, loaded_by=owner, door=door, sha256=source_sha256, status=e["status"])
    load.full_clean(exclude=[] if source_sha256 else ["sha256"])  # a caller with no file has no SHA-256
    _save(load, reason=reason)

    criteria = bulk_create_with_history(
        [
            Criterion(
                evaluation=evaluation,
                key=c.key,
                kind=c.kind,
                text=c.text,
                category=c.category,
                weight=c.weight,
                applies_to=c.applies_to,
                rubric=c.rubric,
                position=i,
            )
            for i, c in enumerate(package.criteria)
        ],
        Criterion,
        default_user=owner,
        default_change_reason=reason,
    )
    criteria_by_key = {c.key: c for c in criteria}
    requirements = bulk_create_with_history(
        [
            Requirement(evaluation=evaluation, key=r["key"], text=r["text"], position=i)
            for i, r in enumerate(package.requirements)
        ],
        Requirement,
        default_user=owner,
        default_change_reason=reason,
    )
    requirements_by_key = {r.key: r for r in requirements}

    users = _evaluator_users(package.evaluators, reason)
    submitted = set(package.submitted)
    now = timezone.now()
    assignments = bulk_create_with_history(
        [
            Assignment(
                evaluation=evaluation,
                evaluator=users[entry["username"]],
                submitted_at=now if entry["username"] in submitted else None,
                submitted_from_package=entry["username"] in submitted,
                position=i,
            )
            for i, entry in enumerate(package.evaluators)
        ],
        Assignment,
        default_user=owner,
        default_change_reason=reason,
    )
    assignment_of = {a.evaluator.username: a for a in assignments}

    msps = _msps(package.bids, owner, reason)
    bids = bulk_create_with_history(
        [
            Bid(
                evaluation=evaluation,
                msp=msps[b.vendor.casefold()],
                vendor_name=b.vendor,
                position=i,
                model=b.model,
                pricing_model=b.pricing_model,
                rate=b.rate,
                monthly_fee=b.monthly_fee,
                est_hours_per_month=b.est_hours_per_month,
                project_price=b.project_price,
                onboarding_fee=b.onboarding_fee,
                retained_internal_cost=b.retained_internal_cost,
                contract_term_months=b.contract_term_months,
                critical_response_minutes=b.critical_response_minutes,
                sla_best_effort=b.sla_best_effort,
                references_offered=b.references_offered,
                environment_assessed=b.environment_assessed,
                documented_escalation=b.documented_escalation,
                documented_onboarding=b.documented_onboarding,
                performance_exit_clause=b.performance_exit_clause,
                scope_included=b.scope_included,
                scope_excluded=b.scope_excluded,
                arrangement=b.arrangement,
                responsibilities=b.responsibilities,
            )
            for i, b in enumerate(package.bids)
        ],
        Bid,
        default_user=owner,
        default_change_reason=reason,
    )
    bid_of = {b.vendor.casefold(): bid for b, bid in zip(package.bids, bids, strict=True)}
    _load_candidates(package, evaluation, msps, owner, reason)

    bulk_create_with_history(
        [
            RequirementMet(bid=bid_of[b.vendor.casefold()], requirement=requirements_by_key[key])
            for b in package.bids
            for key in b.requirements_met
        ],
        RequirementMet,
        default_user=owner,
        default_change_reason=reason,
    )
    bulk_create_with_history(
        [
            RedFlag(bid=bid_of[b.vendor.casefold()], code=flag["code"], note=flag["note"], raised_by=owner)
            for b in package.bids
            for flag in b.manual_red_flags
        ],
        RedFlag,
        default_user=owner,
        default_change_reason=reason,
    )
    bulk_create_with_history(
        [
            Waiver(bid=bid_of[b.vendor.casefold()], code=waiver["code"], reason=waiver["reason"], waived_by=owner)
            for b in package.bids
            for waiver in b.waived_red_flags
        ],
        Waiver,
        default_user=owner,
        default_change_reason=reason,
    )
    bulk_create_with_history(
        [
            ConflictOfInterest(
                evaluation=evaluation,
                evaluator=users[c["evaluator"]],
                msp=msps[c["vendor"].casefold()],
                note=c["note"],
            )
            for c in package.conflicts
        ],
        ConflictOfInterest,
        default_user=owner,
        default_change_reason=reason,
    )
    _insert_scores(
        [
            (
                assignment_of[s["evaluator"]].pk,
                bid_of[s["vendor"].casefold()].pk,
                criteria_by_key[s["criterion"]].pk,
                s["score"],
                s["note"],
            )
            for s in package.scores
        ],
        owner,
        reason=reason,
    )
    _load_documents_and_checks(package, bid_of, requirements_by_key, owner, reason)
    document = refresh_ranking(evaluation)[0]
    if evaluation.status == Status.AWARDED:
        winner = package.award["winner"] if package.award else None
        award = _loaded_award(
            evaluation,
            bid=bid_of[winner.casefold()] if winner else None,
            rationale=package.award["rationale"] if package.award else "",
            document=document,
            owner=owner,
            source_sha256=source_sha256,
        )
        lock_record(evaluation=evaluation, award=award)
    elif evaluation.status == Status.CANCELLED:
        lock_record(evaluation=evaluation, award=None)
    return evaluation


# A loaded award's rationale: what the app says, then the package's own words (exported back alone).
LOADED_RATIONALE = "Loaded from a package ({source}): nobody proposed or approved this award in this app."
PACKAGE_RATIONALE = "\nThe package's rationale: "


def _loaded_award(
    evaluation: Evaluation,
    *,
    bid: Bid | None,
    rationale: str,
    document: dict,
    owner: AbstractBaseUser,
    source_sha256: str,
) -> Award:
    """The award of an archive loaded at ``awarded``: decision LOADED, by the loader, fingerprinted at load."""
    reason = _load_reason(source_sha256)
    source = f"SHA-256 {source_sha256}" if source_sha256 else "no file"
    now = timezone.now()
    award = Award(
        evaluation=evaluation,
        bid=bid,
        rationale=LOADED_RATIONALE.format(source=source) + (PACKAGE_RATIONALE + rationale if rationale else ""),
        proposed_by=owner,
        decision=AwardDecision.LOADED,
        decided_by=owner,
        decided_at=now,
        decided_on=timezone.localdate(now),
        ranking_document=document,
        ranking_digest=record.digest(document),
    )
    award.full_clean()
    _save(award, reason=reason)
    # The package as it stands with its award (evaluation_export carries the winner): fixed now.
    award.package_digest = record.digest(evaluation_export(evaluation))
    _save(award, reason=reason, update_fields=["package_digest"])
    return award


def _package_rationale(award: Award) -> str:
    """The rationale to export: a loaded award's own words from its package, an approved one's whole."""
    if award.decision == AwardDecision.LOADED:
        return award.rationale.partition(PACKAGE_RATIONALE)[2]
    return award.rationale


# From this many scores an import streams them to PostgreSQL with COPY: 44,250 scores and their
# history rows take under a second that way, against several through INSERT statements.
COPY_SCORES_FROM = 2000


# COPY's text format: a backslash, tab, newline or carriage return in a value is escaped; NULL is \N.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value: object) -> str:
    return "\\N" if value is None else str(value).translate(_COPY_ESCAPES)


def _insert_scores(
    rows: list[tuple[int, int, int, int, str]],
    owner: AbstractBaseUser,
    *,
    reason: str = "",
    copy_from: int | None = None,
) -> None:
    """Create scores from (assignment, bid, criterion, score, note) rows, marked ``from_package``,
    with their history rows ("+", by ``owner``, with ``reason``), exactly as ``bulk_create_with_history``
    does. The rows' bids are new: they have no other score."""
    if connection.vendor != "postgresql" or len(rows) < (COPY_SCORES_FROM if copy_from is None else copy_from):
        scores = [
            Score(assignment_id=a, bid_id=b, criterion_id=c, score=score, note=note, from_package=True)
            for a, b, c, score, note in rows
        ]
        bulk_create_with_history(scores, Score, default_user=owner, default_change_reason=reason or None)
        return
    now = timezone.now()
    table, history = Score._meta.db_table, Score.history.model._meta.db_table
    columns = "id, assignment_id, bid_id, criterion_id, score, note, from_package, updated_at"
    stamp = now.isoformat()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY, which Django's wrappers do not see:
        revision.changed(connection)  # so the cached pages are told of the write here
        # COPY's text format, written here in one piece (far quicker than a write_row per row);
        # the ids come from the table's own default.
        with raw.copy(
            f"COPY {table} (assignment_id, bid_id, criterion_id, score, note, from_package, updated_at) FROM STDIN"
        ) as copy:
            copy.write(
                "".join(
                    f"{a}\t{b}\t{c}\t{_copy_value(score)}\t{_copy_value(note)}\tt\t{stamp}\n"
                    for a, b, c, score, note in rows
                )
            )
        # Their history rows, made by the database from the rows just copied (the bids are new:
        # every score of theirs is one of these).
        cursor.execute(
            f"INSERT INTO {history} ({columns}, history_date, history_type, history_user_id, "  # noqa: S608
            f"history_change_reason) SELECT {columns}, %s, '+', %s, %s FROM {table} WHERE bid_id = ANY(%s)",
            [now, owner.pk, reason or None, sorted({b for _, b, _, _, _ in rows})],
        )


def _references(
    wanted: list[tuple[MSP, str]], owner: AbstractBaseUser, reason: str = ""
) -> dict[tuple[int, str], ClientReference]:
    """The reference of each (MSP, client): the MSP's own of that client (case aside), or a new one not checked yet.

    The MSPs' references are read in one query and the new ones written together, with their history rows.
    """
    msps = {msp.pk: msp for msp, _ in wanted}
    found: dict[tuple[int, str], ClientReference] = {}
    for reference in ClientReference.objects.filter(msp__in=list(msps)).order_by("client", "pk"):
        found.setdefault((reference.msp_id, reference.client.lower()), reference)
    new: dict[tuple[int, str], ClientReference] = {}
    for msp, client in wanted:
        key = (msp.pk, client.lower())
        if key in found or key in new:
            continue
        if msp.is_archived:
            vendor_services.reference_create(msp=msp, client=client)  # refused, with the registry's message
        reference = ClientReference(msp=msp, client=client)
        reference.full_clean(validate_constraints=False)  # not checked: no date, no outcome
        new[key] = reference
    bulk_create_with_history(list(new.values()), ClientReference, default_user=owner, default_change_reason=reason)
    return {**found, **new}


def _load_documents_and_checks(
    package: Package,
    bid_of: dict[str, Bid],
    requirements: dict[str, Requirement],
    owner: AbstractBaseUser,
    reason: str = "",
) -> None:
    now = timezone.now()
    documents = [
        BidDocument(
            bid=bid_of[b.vendor.casefold()],
            kind=d["kind"],
            name=d["name"],
            content_type="application/octet-stream",
            size=d["size"],
            sha256=d["sha256"],
            requirement=requirements.get(d["requirement"]) if d["requirement"] else None,
            expires_on=d["expires_on"],
            uploaded_by=owner,
            withdrawn_at=now if d["withdrawn"] else None,
        )
        for b in package.bids
        for d in b.documents
    ]
    bulk_create_with_history(documents, BidDocument, default_user=owner, default_change_reason=reason)
    usernames = {c["checked_by"] for b in package.bids for c in b.reference_checks if c["checked_by"]}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    references = _references(
        [(bid_of[b.vendor.casefold()].msp, c["client"]) for b in package.bids for c in b.reference_checks],
        owner,
        reason,
    )
    checks = []
    for b in package.bids:
        bid = bid_of[b.vendor.casefold()]
        for c in b.reference_checks:
            reference = references[bid.msp.pk, c["client"].lower()]
            checks.append(
                ReferenceCheck(
                    bid=bid,
                    reference=reference,
                    checked_on=c["checked_on"],
                    checked_by=users.get(c["checked_by"], owner),
                    outcome=c["outcome"],
                    notes=c["notes"],
                )
            )
    bulk_create_with_history(checks, ReferenceCheck, default_user=owner, default_change_reason=reason)


# --- Exporting a package -----------------------------------------------------------------------


def _number(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON number: an integer when it is whole."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def evaluation_export(evaluation: Evaluation) -> dict[str, Any]:
    """The evaluation as an ``msp-eval/1`` package: everything the app records about it."""
    data = selectors.ranking_input(evaluation)
    assignments = list(Assignment.objects.filter(evaluation=evaluation).select_related("evaluator"))
    bids = data.bids
    met: dict[int, list[str]] = {}
    for bid_id, key in (
        RequirementMet.objects.filter(bid__evaluation=evaluation)
        .order_by("requirement__position", "requirement__pk")
        .values_list("bid_id", "requirement__key")
    ):
        met.setdefault(bid_id, []).append(key)
    manual: dict[int, list[dict]] = {}
    for flag in RedFlag.objects.filter(bid__evaluation=evaluation, withdrawn_at__isnull=True):
        manual.setdefault(flag.bid_id, []).append({"code": flag.code, "note": flag.note})
    # A waiver counts only while its flag holds (a later edit may have cured it): export
    # the waivers in force, so the package loads back.
    holding = {
        bid.pk: ranking.automatic_flags(bid_data) - set(bid_data.manual_flags)
        for bid, bid_data in zip(bids, data.data.bids, strict=True)
    }
    waived: dict[int, list[dict]] = {}
    for waiver in Waiver.objects.filter(bid__evaluation=evaluation, revoked_at__isnull=True):
        if waiver.code in holding.get(waiver.bid_id, set()):
            waived.setdefault(waiver.bid_id, []).append({"code": waiver.code, "reason": waiver.reason})
    documents_of: dict[int, list[BidDocument]] = {}
    for document in BidDocument.objects.filter(bid__evaluation=evaluation).select_related("requirement").order_by("pk"):
        documents_of.setdefault(document.bid_id, []).append(document)
    checks_of: dict[int, list[ReferenceCheck]] = {}
    for check in (
        ReferenceCheck.objects.filter(bid__evaluation=evaluation)
        .select_related("reference", "checked_by")
        .order_by("pk")
    ):
        checks_of.setdefault(check.bid_id, []).append(check)
    vendor_of = {bid.pk: bid.vendor_name for bid in bids}
    model_of = {bid.pk: bid.model for bid in bids}
    criteria_of = {c.key: c for c in data.criteria}
    vendor_of_msp = {bid.msp_id: bid.vendor_name for bid in bids}

    def bid_entry(bid: Bid) -> dict[str, Any]:
        from .ranking import PRICING_REQUIREMENTS

        required = PRICING_REQUIREMENTS[bid.pricing_model]
        return {
            "vendor": bid.vendor_name,
            "model": bid.model,
            "pricing_model": bid.pricing_model,
            **{name: _number(getattr(bid, name)) if name in required else None for name in AMOUNT_FIELDS},
            "onboarding_fee": _number(bid.onboarding_fee),
            "retained_internal_cost": _number(bid.retained_internal_cost),
            "contract_term_months": bid.contract_term_months,
            "critical_response_minutes": bid.critical_response_minutes,
            "sla_best_effort": bid.sla_best_effort,
            "references_offered": bid.references_offered,
            "environment_assessed": bid.environment_assessed,
            "documented_escalation": bid.documented_escalation,
            "documented_onboarding": bid.documented_onboarding,
            "performance_exit_clause": bid.performance_exit_clause,
            "requirements_met": met.get(bid.pk, []),
            "manual_red_flags": manual.get(bid.pk, []),
            "waived_red_flags": waived.get(bid.pk, []),
            "scope_included": list(bid.scope_included),
            "scope_excluded": list(bid.scope_excluded),
            "arrangement": bid.arrangement or None,
            "responsibilities": dict(bid.responsibilities),
            "documents": [
                {
                    "kind": d.kind,
                    "name": d.name,
                    "size": d.size,
                    "sha256": d.sha256,
                    "requirement": d.requirement.key if d.requirement_id else None,
                    "expires_on": d.expires_on.isoformat() if d.expires_on else None,
                    "withdrawn": d.withdrawn_at is not None,
                }
                for d in documents_of.get(bid.pk, [])
            ],
            "reference_checks": [
                {
                    "client": c.reference.client,
                    "checked_on": c.checked_on.isoformat(),
                    "checked_by": c.checked_by.get_username(),
                    "outcome": c.outcome,
                    "notes": c.notes,
                }
                for c in checks_of.get(bid.pk, [])
            ],
        }

    scores = (
        Score.objects.filter(bid__evaluation=evaluation)
        .order_by("assignment__position", "bid__position", "criterion__position", "pk")
        .values_list("assignment__evaluator__username", "bid_id", "criterion__key", "score", "note")
    )
    conflicts = ConflictOfInterest.objects.filter(evaluation=evaluation).select_related("evaluator", "msp")
    candidates = [
        # A bidder under the name its bid carries, so the loader matches the two.
        {"vendor": vendor_of_msp.get(c.msp_id, c.msp.name), "status": c.status, "note": c.note}
        for c in Candidate.objects.filter(evaluation=evaluation).select_related("msp")
    ]
    # The award of an awarded evaluation, when it names a winner (an approved one, or an archive's
    # that stated it), so loading the export states it again. Read as soon as the status is awarded
    # (the approval saves the status before the award), so the digest fixed then is the one read later.
    award = (
        Award.objects.filter(evaluation=evaluation, decision__in=OPEN_AWARD_DECISIONS, bid__isnull=False)
        .select_related("bid")
        .first()
        if evaluation.status == Status.AWARDED
        else None
    )
    return {
        "format": PACKAGE_FORMAT,
        "evaluation": {
            "title": evaluation.title,
            "model": evaluation.model,
            "term_months": evaluation.term_months,
            "status": evaluation.status,
            "red_flag_policy": evaluation.red_flag_policy,
            "red_flag_penalty": _number(evaluation.red_flag_penalty),
            "bids_due": evaluation.bids_due.isoformat() if evaluation.bids_due else None,
            "scoring_due": evaluation.scoring_due.isoformat() if evaluation.scoring_due else None,
            "decision_due": evaluation.decision_due.isoformat() if evaluation.decision_due else None,
            "sealed_prices": evaluation.sealed_prices,
            "monthly_budget": _number(evaluation.monthly_budget),
        },
        "organization": {
            "name": evaluation.organization_name,
            "employees": evaluation.employees,
            "devices": evaluation.devices,
            "it_staff": evaluation.it_staff,
            "it_staff_annual_cost": _number(evaluation.it_staff_annual_cost),
            "industry": evaluation.industry or None,
            "compliance": list(evaluation.compliance),
        },
        "criteria": [
            {
                "key": c.key,
                "kind": c.kind,
                "text": c.text,
                "category": c.category,
                "weight": _number(c.weight),
                "applies_to": c.applies_to,
                **({"rubric": list(c.rubric)} if c.rubric else {}),
            }
            for c in data.criteria
        ],
        "requirements": [{"key": r.key, "text": r.text} for r in data.requirements],
        "evaluators": [
            {"username": a.evaluator.username, "name": a.evaluator.get_full_name(), "email": a.evaluator.email}
            for a in assignments
        ],
        "bids": [bid_entry(bid) for bid in bids],
        "scores": [
            {"evaluator": username, "vendor": vendor_of[bid_id], "criterion": key, "score": score, "note": note}
            for username, bid_id, key, score, note in scores
            # A bid whose model changed keeps old scores on questions that no longer apply;
            # they never count, and the package only carries scores that can.
            if criteria_of[key].kind == "question" and criteria_of[key].applies(model_of[bid_id])
        ],
        "submitted": [a.evaluator.username for a in assignments if a.is_submitted],
        "conflicts": [
            {"evaluator": c.evaluator.username, "vendor": vendor_of_msp[c.msp_id], "note": c.note}
            for c in conflicts
            if c.msp_id in vendor_of_msp
        ],
        # Left out when there are none, so the package of an evaluation awarded before candidates
        # were kept still matches the digest fixed at its approval.
        **({"candidates": candidates} if candidates else {}),
        **({"award": {"winner": award.bid.vendor_name, "rationale": _package_rationale(award)}} if award else {}),
    }


# --- Setting up an evaluation ------------------------------------------------------------------

PRICE_KEY = "price"
DEFAULT_PRICE_WEIGHT = Decimal("25")
EVALUATION_FIELDS = [
    "title",
    "model",
    "term_months",
    "red_flag_policy",
    "red_flag_penalty",
    "sealed_prices",
    "monthly_budget",
    "bids_due",
    "scoring_due",
    "decision_due",
    "organization_name",
    "employees",
    "devices",
    "it_staff",
    "it_staff_annual_cost",
    "industry",
    "compliance",
]


def _save(instance: Any, *, reason: str = "", **kwargs: Any) -> None:
    """Save through the model so history records it, with the reason when one is given."""
    if reason:
        instance._change_reason = reason
    instance.save(**kwargs)


@transaction.atomic
def evaluation_create(
    *, owner: AbstractBaseUser, requirement_templates: Iterable[RequirementTemplate] = (), **fields: Any
) -> Evaluation:
    """A new evaluation with the library's questions for its model, the price criterion and the requirements."""
    evaluation = Evaluation(owner=owner, **fields)
    evaluation.full_clean()
    evaluation.save()
    questions = QuestionTemplate.objects.filter(active=True).order_by("position", "key")
    if evaluation.model != Model.BOTH:
        questions = questions.filter(model=evaluation.model)
    position = 0
    for position, question in enumerate(questions):
        Criterion.objects.create(
            evaluation=evaluation,
            key=question.key,
            kind=CriterionKind.QUESTION,
            text=question.text,
            category=question.category,
            weight=question.default_weight,
            applies_to=question.model,
            rubric=question.rubric,
            position=position,
        )
    Criterion.objects.create(
        evaluation=evaluation,
        key=PRICE_KEY,
        kind=CriterionKind.PRICE,
        text="Total cost of ownership over the horizon",
        category="Cost",
        weight=DEFAULT_PRICE_WEIGHT,
        applies_to=AppliesTo.ALL,
        position=position + 1,
    )
    for index, template in enumerate(requirement_templates):
        Requirement.objects.create(evaluation=evaluation, key=template.key, text=template.text, position=index)
    refresh_ranking(evaluation)
    return evaluation


@transaction.atomic
def evaluation_update(*, evaluation: Evaluation, expected_version: int, **fields: Any) -> Evaluation:
    unknown = set(fields) - set(EVALUATION_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    ensure_writable(evaluation)
    if "model" in fields and fields["model"] != Model.BOTH:
        wrong = Bid.objects.filter(evaluation=evaluation).exclude(model=fields["model"])
        if wrong.exists():
            raise ValidationError({"model": "Some bids offer the other model; the evaluation must allow both."})
    for name, value in fields.items():
        setattr(evaluation, name, value)
    save_versioned(evaluation, expected_version=expected_version, fields=[*fields, "updated_at"])
    refresh_ranking(evaluation)
    return evaluation


@transaction.atomic
def evaluation_transition(*, evaluation: Evaluation, to: str, reason: str = "") -> Evaluation:
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    ensure_writable(evaluation)
    if to == Status.AWARDED and evaluation.status == Status.DECISION:
        raise ValidationError("An evaluation is awarded by approving a proposed winner, not by changing its status.")
    if to not in evaluation.allowed_transitions():
        target = Status(to).label.lower() if to in Status.values else repr(to)
        raise ValidationError(f"An evaluation can't go from {evaluation.get_status_display().lower()} to {target}.")
    if Award.objects.filter(evaluation=evaluation, decision=AwardDecision.PENDING).exists():
        raise ValidationError("A proposed award is waiting for an executive's decision: it is decided first.")
    evaluation.status = to
    evaluation.version += 1
    _save(evaluation, reason=reason, update_fields=["status", "version", "updated_at"])
    # A cancellation locks the ranking as it stands today: store it so, and keep the record.
    refresh_ranking(evaluation)
    if evaluation.is_locked:
        lock_record(evaluation=evaluation)
    return evaluation


def scoring_started(evaluation: Evaluation) -> bool:
    return (
        evaluation.status in (Status.SCORING, Status.DECISION)
        or Score.objects.filter(bid__evaluation=evaluation).exists()
    )


@transaction.atomic
def criteria_update(
    *, evaluation: Evaluation, weights: dict[int, Decimal], reason: str = "", expected_version: int | None = None
) -> None:
    """Change criterion weights; once scoring has started a written reason is required.

    With ``expected_version`` (the evaluation's version when the page was opened) a change
    made meanwhile is not overwritten: ``EditConflict``. A change of weights moves the version on.
    """
    ensure_writable(evaluation)
    current = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if expected_version is not None and current.version != expected_version:
        raise EditConflict(current)
    if scoring_started(evaluation) and not reason.strip():
        raise ValidationError({"reason": "Scoring has started: say why the weights change."})
    changed = False
    for criterion in Criterion.objects.select_for_update().filter(evaluation=evaluation, pk__in=weights):
        weight = weights[criterion.pk]
        if weight < 0:
            raise ValidationError({"weights": f"The weight of {criterion.key} can't be negative."})
        if criterion.weight != weight:
            criterion.weight = weight
            criterion.full_clean()
            _save(criterion, reason=reason.strip(), update_fields=["weight"])
            changed = True
    if changed:
        current.version += 1
        _save(current, reason=reason.strip(), update_fields=["version"])
    refresh_ranking(evaluation)


@transaction.atomic
def evaluators_add(*, evaluation: Evaluation, users: Iterable[AbstractBaseUser]) -> int:
    """Assign people to score. All or nothing: anyone who may not score (an auditor, an executive,
    a deactivated user) refuses the whole assignment, naming them."""
    ensure_writable(evaluation)
    users = list(users)
    refused = [why for user in users if (why := scoring_refusal(user))]
    if refused:
        raise ValidationError({"evaluators": [f"{why}." for why in refused]})
    existing = set(Assignment.objects.filter(evaluation=evaluation).values_list("evaluator_id", flat=True))
    position = len(existing)
    added = 0
    for user in users:
        if user.pk in existing:
            continue
        Assignment.objects.create(evaluation=evaluation, evaluator=user, position=position)
        position += 1
        added += 1
    return added


# --- Bids, red flags and waivers ---------------------------------------------------------------

BID_FIELDS = [
    "model",
    "pricing_model",
    "rate",
    "monthly_fee",
    "est_hours_per_month",
    "project_price",
    "onboarding_fee",
    "retained_internal_cost",
    "contract_term_months",
    "critical_response_minutes",
    "sla_best_effort",
    "references_offered",
    "environment_assessed",
    "documented_escalation",
    "documented_onboarding",
    "performance_exit_clause",
    "scope_included",
    "scope_excluded",
    "arrangement",
    "responsibilities",
]


def _clear_unused_amounts(bid: Bid) -> None:
    """Keep only what applies: the pricing model's amounts, and the model's scope or split."""
    required = ranking.PRICING_REQUIREMENTS.get(bid.pricing_model, ())
    for name in AMOUNT_FIELDS:
        if name not in required:
            setattr(bid, name, None)
    if bid.model == "co_managed":
        bid.scope_included, bid.scope_excluded = [], []
    else:
        bid.arrangement, bid.responsibilities = "", {}


def _set_requirements_met(bid: Bid, requirements: Iterable[Requirement]) -> None:
    wanted = {r.pk: r for r in requirements if r.evaluation_id == bid.evaluation_id}
    current = {link.requirement_id: link for link in RequirementMet.objects.filter(bid=bid)}
    for requirement_id, link in current.items():
        if requirement_id not in wanted:
            link.delete()  # recorded as a deletion in the history
    for requirement_id, requirement in wanted.items():
        if requirement_id not in current:
            RequirementMet.objects.create(bid=bid, requirement=requirement)


@transaction.atomic
def bid_create(*, evaluation: Evaluation, msp: MSP, requirements_met: Iterable[Requirement] = (), **fields: Any) -> Bid:
    ensure_writable(evaluation)
    bid = Bid(
        evaluation=evaluation,
        msp=msp,
        vendor_name=msp.name,
        position=Bid.objects.filter(evaluation=evaluation).count(),
        **fields,
    )
    _clear_unused_amounts(bid)
    bid.full_clean()
    bid.save()
    _set_requirements_met(bid, requirements_met)
    _ensure_candidate(evaluation, msp)
    refresh_ranking(evaluation)
    return bid


@transaction.atomic
def bid_update(
    *, bid: Bid, expected_version: int, requirements_met: Iterable[Requirement] | None = None, **fields: Any
) -> Bid:
    unknown = set(fields) - set(BID_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    ensure_writable(bid.evaluation)
    for name, value in fields.items():
        setattr(bid, name, value)
    _clear_unused_amounts(bid)
    save_versioned(bid, expected_version=expected_version, fields=[*BID_FIELDS, "updated_at"])
    if requirements_met is not None:
        _set_requirements_met(bid, requirements_met)
    refresh_ranking(bid.evaluation)
    return bid


@transaction.atomic
def flag_raise(*, bid: Bid, code: str, note: str, by: AbstractBaseUser) -> RedFlag:
    ensure_writable(bid.evaluation)
    if code.startswith(ranking.UNMET_PREFIX):
        raise ValidationError({"code": "Unmet requirements are flagged automatically."})
    if not note.strip():
        raise ValidationError({"note": "Explain the red flag in a note."})
    if RedFlag.objects.filter(bid=bid, code=code, withdrawn_at__isnull=True).exists():
        raise ValidationError({"code": "This bid already carries that flag."})
    if Waiver.objects.filter(bid=bid, code=code, revoked_at__isnull=True).exists():
        raise ValidationError({"code": "That flag is waived on this bid; revoke the waiver instead."})
    flag = RedFlag(bid=bid, code=code, note=note.strip(), raised_by=by)
    flag.full_clean()
    flag.save()
    refresh_ranking(bid.evaluation)
    return flag


def _retire(record: Any, *, field: str, reason: str, missing_reason: str, changes_ranking: bool = True) -> Any:
    """Take a record out of play without deleting it: a timestamp, and the reason in the history."""
    evaluation = record.bid.evaluation
    ensure_writable(evaluation)
    if not reason.strip():
        raise ValidationError({"reason": missing_reason})
    # Under a row lock: a second click from a stale page must not withdraw it twice.
    if getattr(type(record).objects.select_for_update().get(pk=record.pk), field) is not None:
        raise ValidationError("That was already done by someone else: the page was out of date.")
    setattr(record, field, timezone.now())
    _save(record, reason=reason.strip(), update_fields=[field])
    if changes_ranking:
        refresh_ranking(evaluation)
    return record


@transaction.atomic
def flag_withdraw(*, flag: RedFlag, reason: str) -> RedFlag:
    return _retire(flag, field="withdrawn_at", reason=reason, missing_reason="Say why the flag is withdrawn.")


@transaction.atomic
def waiver_create(*, bid: Bid, code: str, reason: str, by: AbstractBaseUser) -> Waiver:
    """Waive an automatic red flag that holds, with a written reason."""
    ensure_writable(bid.evaluation)
    data = selectors.ranking_input(bid.evaluation).data
    bid_data = next(b for b in data.bids if b.vendor == bid.vendor_name)
    if code.startswith(ranking.UNMET_PREFIX):
        raise ValidationError({"code": "An unmet requirement can't be waived."})
    if code in bid_data.manual_flags:
        raise ValidationError({"code": "That flag was raised by hand: withdraw it instead."})
    if code not in ranking.automatic_flags(bid_data):
        raise ValidationError({"code": "That automatic flag does not hold for this bid."})
    if code in bid_data.waived_flags:
        raise ValidationError({"code": "That flag is already waived."})
    if not reason.strip():
        raise ValidationError({"reason": "A waiver needs a written reason."})
    waiver = Waiver(bid=bid, code=code, reason=reason.strip(), waived_by=by)
    waiver.full_clean()
    waiver.save()
    refresh_ranking(bid.evaluation)
    return waiver


@transaction.atomic
def waiver_revoke(*, waiver: Waiver, reason: str) -> Waiver:
    return _retire(waiver, field="revoked_at", reason=reason, missing_reason="Say why the waiver is revoked.")


# --- Candidates: the MSPs invited to bid -------------------------------------------------------


def _ensure_candidate(evaluation: Evaluation, msp: MSP) -> None:
    """Every bidder is a candidate: an MSP that bids without an invitation becomes an invited one."""
    if not Candidate.objects.filter(evaluation=evaluation, msp=msp).exists():
        candidate = Candidate(evaluation=evaluation, msp=msp)
        candidate.full_clean()
        candidate.save()


def _offers_a_model_of(msp: MSP, evaluation: Evaluation) -> bool:
    return (msp.offers_fully_managed and evaluation.allows_bid_model(Model.FULLY_MANAGED)) or (
        msp.offers_co_managed and evaluation.allows_bid_model(Model.CO_MANAGED)
    )


def _named(msps: list[MSP], singular: str, plural: str) -> str:
    """The MSPs by name, with the verb agreeing: "A, B and C do", "A does"."""
    names = [msp.name for msp in msps]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{listed} {singular if len(names) == 1 else plural}"


@transaction.atomic
def candidate_invite(*, evaluation: Evaluation, msps: Iterable[MSP], by: AbstractBaseUser) -> list[Candidate]:
    """Invite MSPs to bid; those already candidates are skipped. Returns the candidates added.

    All or nothing: an MSP that offers no model the evaluation compares, or an archived one,
    refuses the whole invitation, naming it.
    """
    ensure_writable(evaluation)
    msps = list({msp.pk: msp for msp in msps}.values())
    archived = [msp for msp in msps if msp.is_archived]
    if archived:
        raise ValidationError({"msps": f"{_named(archived, 'is', 'are')} archived: restore them to invite them."})
    unfit = [msp for msp in msps if not _offers_a_model_of(msp, evaluation)]
    if unfit:
        offered = evaluation.get_model_display().lower()
        raise ValidationError(
            {"msps": f"{_named(unfit, 'does', 'do')} not offer {offered} IT, the model this evaluation compares."}
        )
    already = set(Candidate.objects.filter(evaluation=evaluation).values_list("msp_id", flat=True))
    added = []
    for msp in msps:
        if msp.pk in already:
            continue
        candidate = Candidate(evaluation=evaluation, msp=msp)
        candidate._history_user = by  # the history names who invited, in a request or not
        candidate.full_clean()
        candidate.save()
        added.append(candidate)
    return added


@transaction.atomic
def candidate_update(*, candidate: Candidate, expected_version: int, status: str, note: str) -> Candidate:
    """Record that a candidate declined or withdrew (or is invited again), with a note.

    ``expected_version`` is the candidate's version when the form was opened: a change made
    meanwhile is not overwritten (``EditConflict``). Its bid, if one was received, stays as it
    is: candidates are never ranked.
    """
    ensure_writable(candidate.evaluation)
    candidate.status, candidate.note = status, note.strip()
    save_versioned(candidate, expected_version=expected_version, fields=["status", "note"])
    return candidate


# --- Scorecards --------------------------------------------------------------------------------


@transaction.atomic
def conflict_declare(*, assignment: Assignment, msp: MSP, note: str) -> ConflictOfInterest:
    """Declare a conflict with one MSP: the evaluator stops scoring its bid and the owner is told."""
    evaluation = assignment.evaluation
    ensure_writable(evaluation)
    _ensure_may_score(assignment)
    if assignment.is_submitted:
        raise ValidationError("Your scorecard is submitted; ask the owner to reopen it first.")
    if not Bid.objects.filter(evaluation=evaluation, msp=msp).exists():
        raise ValidationError({"msp": "That MSP has no bid in this evaluation."})
    if ConflictOfInterest.objects.filter(evaluation=evaluation, evaluator=assignment.evaluator, msp=msp).exists():
        raise ValidationError({"msp": "You already declared a conflict with this MSP."})
    conflict = ConflictOfInterest(evaluation=evaluation, evaluator=assignment.evaluator, msp=msp, note=note.strip())
    conflict.full_clean()
    conflict.save()
    for score in Score.objects.filter(assignment=assignment, bid__msp=msp):
        score._change_reason = "conflict of interest declared"
        score.delete()  # drafts only (the scorecard is not submitted); the history keeps them
    transaction.on_commit(lambda: signals.conflict_declared.send(sender=ConflictOfInterest, conflict=conflict))
    return conflict


def _ensure_may_score(assignment: Assignment) -> None:
    """Separated duties: an auditor, executive or deactivated user assigned through old data never scores."""
    from .rules import may_score

    if not may_score.test(assignment.evaluator, assignment.evaluation):
        why = scoring_refusal(assignment.evaluator) or f"{assignment.evaluator.get_username()} may not score"
        raise ValidationError(f"{why}.")


def scorecard_slots(assignment: Assignment) -> list[tuple[Bid, list[Criterion]]]:
    """The (bid, applicable questions) the evaluator scores: every bid without a declared conflict."""
    evaluation = assignment.evaluation
    conflicted = set(
        ConflictOfInterest.objects.filter(evaluation=evaluation, evaluator=assignment.evaluator).values_list(
            "msp_id", flat=True
        )
    )
    questions = list(Criterion.objects.filter(evaluation=evaluation, kind=CriterionKind.QUESTION))
    return [
        (bid, [q for q in questions if q.applies(bid.model)])
        for bid in Bid.objects.filter(evaluation=evaluation).select_related("msp")
        if bid.msp_id not in conflicted
    ]


@transaction.atomic
def scorecard_save(
    *, assignment: Assignment, entries: dict[tuple[int, int], tuple[int | None, str]], submit: bool = False
) -> Assignment:
    """Save the evaluator's scores (drafts); with ``submit``, make the scorecard final."""
    assignment = Assignment.objects.select_for_update().select_related("evaluation", "evaluator").get(pk=assignment.pk)
    evaluation = assignment.evaluation
    ensure_writable(evaluation)
    _ensure_may_score(assignment)
    if evaluation.status != Status.SCORING:
        raise ValidationError("Scores can only be entered while the evaluation is in scoring.")
    if assignment.is_submitted:
        raise ValidationError("Your scorecard is already submitted; ask the owner to reopen it to change it.")
    allowed = {(bid.pk, q.pk) for bid, questions in scorecard_slots(assignment) for q in questions}
    existing = {(s.bid_id, s.criterion_id): s for s in Score.objects.filter(assignment=assignment)}
    for (bid_id, criterion_id), (value, note) in entries.items():
        if (bid_id, criterion_id) not in allowed:
            raise ValidationError("A score was given for a bid or question you don't score.")
        if value is not None and not 0 <= value <= 5:
            raise ValidationError("Scores run from 0 to 5.")
        score = existing.get((bid_id, criterion_id))
        if value is None:
            if score is not None:
                score.delete()
            continue
        if score is None:
            score = Score(assignment=assignment, bid_id=bid_id, criterion_id=criterion_id, score=value, note=note)
            score.full_clean()
            score.save()
        elif score.score != value or score.note != note:
            # The evaluator's own now, no longer what a package said.
            score.score, score.note, score.from_package = value, note, False
            score.save(update_fields=["score", "note", "from_package", "updated_at"])
    if submit:
        scored = set(Score.objects.filter(assignment=assignment).values_list("bid_id", "criterion_id"))
        missing = allowed - scored
        if missing:
            raise ValidationError(f"Score every question before submitting: {len(missing)} still empty.")
        assignment.submitted_at = timezone.now()
        _save(assignment, update_fields=["submitted_at"])
        refresh_ranking(evaluation)
    return assignment


@transaction.atomic
def scorecard_reopen(*, assignment: Assignment, reason: str) -> Assignment:
    """The owner reopens a submitted scorecard; its scores stop counting until it is submitted again."""
    assignment = Assignment.objects.select_for_update().select_related("evaluation").get(pk=assignment.pk)
    ensure_writable(assignment.evaluation)
    if not assignment.is_submitted:
        raise ValidationError("That scorecard is not submitted.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the scorecard is reopened."})
    assignment.submitted_at = None
    assignment.submitted_from_package = False  # a later submission is the evaluator's own
    _save(assignment, reason=reason.strip(), update_fields=["submitted_at", "submitted_from_package"])
    refresh_ranking(assignment.evaluation)
    return assignment


# --- Needs assessment --------------------------------------------------------------------------


def requirements_for(compliance: Iterable[str]) -> list[RequirementTemplate]:
    """The library's requirements that serve the buyer's compliance needs (HIPAA → BAA …)."""
    wanted = {item.casefold() for item in compliance}
    return [t for t in RequirementTemplate.objects.filter(active=True) if t.compliance.casefold() in wanted]


def profile_of(assessment: NeedsAssessment) -> guide.Profile:
    return guide.Profile(
        employees=assessment.employees,
        devices=assessment.devices,
        it_staff=assessment.it_staff,
        it_staff_annual_cost=assessment.it_staff_annual_cost,
        heavy_compliance=assessment.heavy_compliance,
        answers=frozenset(assessment.answers),
    )


@transaction.atomic
def assessment_create(*, created_by: AbstractBaseUser, **fields: Any) -> NeedsAssessment:
    known = {*guide.FULLY_MANAGED_INDICATORS, *guide.CO_MANAGED_INDICATORS, *guide.CO_MANAGED_TRIGGERS}
    known |= set(guide.CO_MANAGED_WARNINGS)
    unknown = set(fields.get("answers", [])) - known
    if unknown:
        raise ValidationError({"answers": f"Unknown answers: {', '.join(sorted(unknown))}."})
    assessment = NeedsAssessment(created_by=created_by, recommended="", **fields)
    assessment.recommended = guide.assess(profile_of(assessment)).recommended
    assessment.full_clean()
    assessment.save()
    return assessment


# --- Documents, evidence and reference checks ------------------------------------------------


# File types a bid's documents may have, told by their first bytes, not their name.
DOCUMENT_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


def check_document_file(upload: Any) -> None:
    """A bid document is one of the accepted types, by its first bytes, and within the size limit."""
    if upload.size > settings.MAX_DOCUMENT_BYTES:
        raise ValidationError(f"The file is larger than {settings.MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.")
    extension = ("." + upload.name.rsplit(".", 1)[-1].lower()) if "." in upload.name else ""
    signatures = DOCUMENT_SIGNATURES.get(extension)
    head = upload.read(16)
    upload.seek(0)
    if signatures is None or not head.startswith(signatures):
        raise ValidationError("Upload a PDF, Word (.docx), Excel (.xlsx), PNG or JPEG file.")


@transaction.atomic
def document_upload(
    *,
    bid: Bid,
    kind: str,
    upload: Any,
    by: AbstractBaseUser,
    requirement: Requirement | None = None,
    expires_on: Any = None,
) -> BidDocument:
    """Store a bid's file privately with its SHA-256; evidence names the requirement it proves."""
    ensure_writable(bid.evaluation)
    try:
        check_document_file(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    if kind == DocumentKind.EVIDENCE:
        if requirement is None or requirement.evaluation_id != bid.evaluation_id:
            raise ValidationError({"requirement": "Say which mandatory requirement this evidence proves."})
        if expires_on is not None and expires_on < timezone.localdate():
            raise ValidationError({"expires_on": "This evidence has already expired; upload a current one."})
    else:
        requirement, expires_on = None, None
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    document = BidDocument(
        bid=bid,
        kind=kind,
        name=upload.name[:200],
        content_type=getattr(upload, "content_type", "") or "application/octet-stream",
        size=upload.size,
        sha256=digest.hexdigest(),
        requirement=requirement,
        expires_on=expires_on,
        uploaded_by=by,
    )
    upload.seek(0)
    document.file.save(upload.name, upload, save=False)
    # The file is written before its row: if the row never commits, the file must go too.
    stored_name = document.file.name
    try:
        document.full_clean()
        document.save()
    except Exception:
        document.file.storage.delete(stored_name)
        raise
    if kind == DocumentKind.EVIDENCE:
        refresh_ranking(bid.evaluation)
    return document


@transaction.atomic
def document_withdraw(*, document: BidDocument, reason: str) -> BidDocument:
    return _retire(
        document,
        field="withdrawn_at",
        reason=reason,
        missing_reason="Say why the document is withdrawn.",
        changes_ranking=document.kind == DocumentKind.EVIDENCE,
    )


@transaction.atomic
def reference_check_create(
    *, bid: Bid, reference: ClientReference, checked_on: Any, outcome: str, notes: str, by: AbstractBaseUser
) -> ReferenceCheck:
    ensure_writable(bid.evaluation)
    if reference.msp_id != bid.msp_id:
        raise ValidationError({"reference": "That reference belongs to another MSP."})
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": "A reference can't be checked in the future."})
    check = ReferenceCheck(
        bid=bid, reference=reference, checked_on=checked_on, outcome=outcome, notes=notes.strip(), checked_by=by
    )
    check.full_clean()
    check.save()
    return check


# --- The locked record: the documents as they stood at the lock ---------------------------------


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
            _save(award, reason="The record kept at the lock", update_fields=changed)
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


# --- Award -------------------------------------------------------------------------------------


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
    from .rules import may_decide_award as rule

    return user.is_active and rule.test(user, evaluation)


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
        _save(award, reason=award.comment)
        return award
    if evaluation.status != Status.DECISION:
        raise ValidationError("The evaluation is no longer at the decision stage.")
    document = refresh_ranking(evaluation)[0]
    if award.bid.vendor_name not in {row["vendor"] for row in document["ranking"] if row["status"] == "ranked"}:
        raise ValidationError(f"{award.bid.vendor_name} is no longer ranked: reject this proposal.")
    evaluation.status = Status.AWARDED
    evaluation.version += 1
    _save(
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
    _save(award, reason=award.comment)
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
        _save(award, reason=reason, update_fields=["decision", "unlocked_by", "unlocked_at", "unlock_reason"])
    if kept is not None:
        kept.released_at, kept.released_by, kept.release_reason = now, by, reason
        _save(kept, reason=reason, update_fields=["released_at", "released_by", "release_reason"])
    evaluation.status = Status.DECISION
    evaluation.version += 1
    _save(evaluation, reason=f"Unlocked: {reason.strip()}", update_fields=["status", "version", "updated_at"])
    refresh_ranking(evaluation)
    return evaluation
