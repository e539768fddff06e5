"""Loading a package: the database's checks on it, then every row it describes, in one transaction."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.roles import EVALUATOR, NEVER_SCORE, may_own_evaluation
from scoring import record, terms
from scoring.models import (
    Assignment,
    Award,
    AwardDecision,
    Bid,
    BidAnswer,
    BidDocument,
    Candidate,
    CandidateStatus,
    ConflictOfInterest,
    Criterion,
    Evaluation,
    Model,
    PackageLoad,
    RedFlag,
    ReferenceCheck,
    Requirement,
    RequirementMet,
    Status,
    Waiver,
)
from scoring.package import Package, PackageError, bulk, vendor_key
from scoring.package.export import PACKAGE_RATIONALE, evaluation_export
from scoring.package.loading_tender import load_clarifications
from scoring.results import refresh_ranking
from scoring.services.common import save_with_reason
from scoring.services.record import lock_record
from scoring.services.scorecards import refusal_reason
from vendors import services as vendor_services
from vendors.models import MSP, ClientReference

logger = logging.getLogger(__name__)


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
            if not active[username] or found & NEVER_SCORE:
                problems.append(
                    f"evaluators[{i}].username: {refusal_reason(username, active=active[username], groups=found)}"
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
        save_with_reason(user, reason=reason)
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
            bulk.create(MSP, list(new.values()), owner, reason)
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
    bulk.create(Candidate, list(candidates.values()), owner, reason)


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
    _check_loadable(package, owner, door)
    reason = _load_reason(source_sha256)
    evaluation = _create_evaluation(package, owner, reason, source_sha256=source_sha256, door=door)
    criteria_by_key = _load_criteria(package, evaluation, owner, reason)
    requirements_by_key = _load_requirements(package, evaluation, owner, reason)
    users = _evaluator_users(package.evaluators, reason)
    assignment_of = _load_assignments(package, evaluation, users, owner, reason)
    msps = _msps(package.bids, owner, reason)
    bid_of = _load_bids(package, evaluation, msps, owner, reason)
    _load_candidates(package, evaluation, msps, owner, reason)
    load_clarifications(package, evaluation, owner, reason)
    _load_bid_marks(package, bid_of, requirements_by_key, owner, reason)
    _load_conflicts(package, evaluation, users, msps, owner, reason)
    _load_scores(package, assignment_of, bid_of, criteria_by_key, owner, reason)
    _load_documents_and_checks(package, bid_of, requirements_by_key, owner, reason)
    answers = [BidAnswer(bid=bid_of[b.vendor.casefold()], criterion=criteria_by_key[key], text=text)
               for b in package.bids for key, text in b.answers.items()]  # fmt: skip
    bulk.create(BidAnswer, answers, owner, reason)
    document = refresh_ranking(evaluation)[0]
    _close_archive(evaluation, package, bid_of, document=document, owner=owner, source_sha256=source_sha256)
    return evaluation


def _check_loadable(package: Package, owner: AbstractBaseUser, door: str) -> None:
    """Refuse an owner who may not own an evaluation, then what the database says against the package."""
    if not may_own_evaluation(owner):
        raise ValidationError(
            f"{owner.get_username()} may not own an evaluation: the owner is an active Procurement user or an admin."
        )
    problems = package_problems(package, door=door)
    if problems:
        raise PackageError(problems)


def _create_evaluation(
    package: Package, owner: AbstractBaseUser, reason: str, *, source_sha256: str, door: str
) -> Evaluation:
    """The evaluation, then its ``PackageLoad``: who loaded it, from which bytes, through which door."""
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
        request_publishes=e["request_publishes"],
        request_shows_weights=e["request_shows_weights"],
        questions_due=e["questions_due"],
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
    save_with_reason(evaluation, reason=reason)
    load = PackageLoad(evaluation=evaluation, loaded_by=owner, door=door, sha256=source_sha256, status=e["status"])
    load.full_clean(exclude=[] if source_sha256 else ["sha256"])  # a caller with no file has no SHA-256
    save_with_reason(load, reason=reason)
    return evaluation


def _load_criteria(
    package: Package, evaluation: Evaluation, owner: AbstractBaseUser, reason: str
) -> dict[str, Criterion]:
    criteria = bulk.create(
        Criterion,
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
        owner,
        reason,
    )
    return {c.key: c for c in criteria}


def _load_requirements(
    package: Package, evaluation: Evaluation, owner: AbstractBaseUser, reason: str
) -> dict[str, Requirement]:
    requirements = bulk.create(
        Requirement,
        [
            Requirement(evaluation=evaluation, key=r["key"], text=r["text"], position=i)
            for i, r in enumerate(package.requirements)
        ],
        owner,
        reason,
    )
    return {r.key: r for r in requirements}


def _load_assignments(
    package: Package, evaluation: Evaluation, users: dict[str, User], owner: AbstractBaseUser, reason: str
) -> dict[str, Assignment]:
    """An assignment per evaluator, in the package's order; those it lists as submitted, submitted now."""
    submitted = set(package.submitted)
    now = timezone.now()
    assignments = bulk.create(
        Assignment,
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
        owner,
        reason,
    )
    return {a.evaluator.username: a for a in assignments}


def _load_bids(
    package: Package, evaluation: Evaluation, msps: dict[str, MSP], owner: AbstractBaseUser, reason: str
) -> dict[str, Bid]:
    """The bids, in the package's order, by their vendor's casefolded name."""
    bids = bulk.create(
        Bid,
        [
            Bid(
                evaluation=evaluation,
                msp=msps[b.vendor.casefold()],
                vendor_name=b.vendor,
                position=i,
                model=b.model,
                pricing_model=b.pricing_model,
                **{name: getattr(b, name) for name in terms.CONTRACT_NAMES},
                **b.extensions,
                scope_included=b.scope_included,
                scope_excluded=b.scope_excluded,
                arrangement=b.arrangement,
                responsibilities=b.responsibilities,
            )
            for i, b in enumerate(package.bids)
        ],
        owner,
        reason,
    )
    return {b.vendor.casefold(): bid for b, bid in zip(package.bids, bids, strict=True)}


def _load_bid_marks(
    package: Package,
    bid_of: dict[str, Bid],
    requirements_by_key: dict[str, Requirement],
    owner: AbstractBaseUser,
    reason: str,
) -> None:
    """The requirements each bid meets, then its manual red flags, then its waivers."""
    bulk.create(
        RequirementMet,
        [
            RequirementMet(bid=bid_of[b.vendor.casefold()], requirement=requirements_by_key[key])
            for b in package.bids
            for key in b.requirements_met
        ],
        owner,
        reason,
    )
    bulk.create(
        RedFlag,
        [
            RedFlag(bid=bid_of[b.vendor.casefold()], code=flag["code"], note=flag["note"], raised_by=owner)
            for b in package.bids
            for flag in b.manual_red_flags
        ],
        owner,
        reason,
    )
    bulk.create(
        Waiver,
        [
            Waiver(bid=bid_of[b.vendor.casefold()], code=waiver["code"], reason=waiver["reason"], waived_by=owner)
            for b in package.bids
            for waiver in b.waived_red_flags
        ],
        owner,
        reason,
    )


def _load_conflicts(
    package: Package,
    evaluation: Evaluation,
    users: dict[str, User],
    msps: dict[str, MSP],
    owner: AbstractBaseUser,
    reason: str,
) -> None:
    bulk.create(
        ConflictOfInterest,
        [
            ConflictOfInterest(
                evaluation=evaluation,
                evaluator=users[c["evaluator"]],
                msp=msps[c["vendor"].casefold()],
                note=c["note"],
            )
            for c in package.conflicts
        ],
        owner,
        reason,
    )


def _load_scores(
    package: Package,
    assignment_of: dict[str, Assignment],
    bid_of: dict[str, Bid],
    criteria_by_key: dict[str, Criterion],
    owner: AbstractBaseUser,
    reason: str,
) -> None:
    bulk.insert_scores(
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


def _close_archive(
    evaluation: Evaluation,
    package: Package,
    bid_of: dict[str, Bid],
    *,
    document: dict,
    owner: AbstractBaseUser,
    source_sha256: str,
) -> None:
    """An archive at ``awarded`` gets its loaded award, then is locked; one at ``cancelled`` is locked."""
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


# A loaded award's rationale: what the app says, then the package's own words (exported back alone).
LOADED_RATIONALE = "Loaded from a package ({source}): nobody proposed or approved this award in this app."


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
    save_with_reason(award, reason=reason)
    # The package as it stands with its award (evaluation_export carries the winner): fixed now.
    award.package_digest = record.digest(evaluation_export(evaluation))
    save_with_reason(award, reason=reason, update_fields=["package_digest"])
    return award


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
    bulk.create(ClientReference, list(new.values()), owner, reason)
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
            envelope=d["envelope"],
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
    bulk.create(BidDocument, documents, owner, reason)
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
    bulk.create(ReferenceCheck, checks, owner, reason)
