"""Reads for evaluations: access scopes, the pages' reads, the trail; the ranking's input (``inputs``) re-exported."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, User
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django.utils import dateformat, timezone

from accounts.roles import AUDITOR, EXECUTIVE, group_names
from core.history import HistoryEntry, entries
from vendors.models import MSP, ClientReference, Contact

from . import ranking
from .inputs import (  # the ranking's input, read here by every page  # noqa: F401
    BeforeTheRecord,
    RankingInput,
    buyer_organization,
    ranking_day,
    ranking_input,
    ranking_input_as_of,
    submitted_scores,
)
from .models import (
    Acknowledgement,
    Addendum,
    Assignment,
    Award,
    AwardDecision,
    Bid,
    BidAnswer,
    BidDocument,
    BidOpening,
    Candidate,
    CandidateStatus,
    Clarification,
    ConflictOfInterest,
    Criterion,
    Declaration,
    DocumentMismatch,
    Evaluation,
    Invitation,
    LockedRecord,
    LockedWriteAttempt,
    NeedsAssessment,
    PackageLoad,
    RedFlag,
    ReferenceCheck,
    Requirement,
    RequirementMet,
    Score,
    Submission,
    SubmissionState,
    TenderEvent,
    Waiver,
)
from .rules import blind_annotation


def sees_every_evaluation(user: AbstractBaseUser) -> bool:
    return user.is_superuser or bool(group_names(user) & {EXECUTIVE, AUDITOR})


def visible_assessments(user: AbstractBaseUser) -> QuerySet[NeedsAssessment]:
    """Needs assessments: the author's own; all of them for executives, auditors and admins."""
    assessments = NeedsAssessment.objects.all()
    return assessments if sees_every_evaluation(user) else assessments.filter(created_by=user)


def visible_evaluations(user: AbstractBaseUser) -> QuerySet[Evaluation]:
    """Evaluations the user may see: owned, assigned, or all for executives, auditors and admins."""
    evaluations = Evaluation.objects.all()
    if sees_every_evaluation(user):
        return evaluations
    return evaluations.filter(Q(owner=user) | Q(assignments__evaluator=user)).distinct()


def portfolio(user: AbstractBaseUser) -> QuerySet[Evaluation]:
    """The user's evaluations with scorecard counts and the stored ranking's summary, in one query.

    ``blind``: the user scores the row's evaluation and has not submitted (``rules.is_blind``); the
    table shows such a row no results.
    """
    assignments = Assignment.objects.filter(evaluation=OuterRef("pk")).order_by().values("evaluation")
    return (
        Evaluation.objects.filter(pk__in=visible_evaluations(user).values("pk"))
        .annotate(
            blind=blind_annotation(user),
            # The leader and the red-flag count, not the whole stored ranking (see analysis.summary).
            summary=F("stored_ranking__summary"),
            # Subqueries, not joins: counts over a join would inflate each other.
            evaluator_count=Coalesce(Subquery(assignments.annotate(n=Count("pk")).values("n")), 0),
            submitted_count=Coalesce(
                Subquery(assignments.filter(submitted_at__isnull=False).annotate(n=Count("pk")).values("n")),
                0,
            ),
        )
        .order_by("decision_due", "-created_at")
    )


def candidates(evaluation: Evaluation) -> QuerySet[Candidate]:
    """The evaluation's candidates by MSP name, each with ``bid_id``: its bid, or None while none is received."""
    bid = Bid.objects.filter(evaluation=OuterRef("evaluation"), msp=OuterRef("msp")).values("pk")[:1]
    return (
        Candidate.objects.filter(evaluation=evaluation)
        .select_related("msp")
        .annotate(bid_id=Subquery(bid))
        .order_by(Lower("msp__name"), "pk")
    )


def candidates_without_bid(evaluation: Evaluation) -> QuerySet[Candidate]:
    """Invited candidates whose bid has not arrived, sealed in the bid room or recorded (nobody waits for
    those who declined or withdrew)."""
    sealed = Submission.objects.filter(state=SubmissionState.SUBMITTED).values("candidate_id")
    return candidates(evaluation).filter(status=CandidateStatus.INVITED, bid_id__isnull=True).exclude(pk__in=sealed)


def candidate_counts(evaluation: Evaluation) -> dict[str, int]:
    """How many MSPs were invited (every candidate was), how many of them bid, and how many bids wait
    sealed in the bid room (counted, never read), in one query."""
    sealed = Submission.objects.sealed().filter(candidate=OuterRef("pk"))
    bid = Bid.objects.filter(evaluation=OuterRef("evaluation"), msp=OuterRef("msp"))
    return Candidate.objects.filter(evaluation=evaluation).aggregate(
        invited=Count("pk"),
        bid=Count("pk", filter=Q(Exists(bid))),
        sealed=Count("pk", filter=Q(Exists(sealed))),
    )


def assignment_for(evaluation: Evaluation, user: AbstractBaseUser) -> Assignment | None:
    return Assignment.objects.filter(evaluation=evaluation, evaluator=user).first()


def package_load(evaluation: Evaluation) -> PackageLoad | None:
    """Where the evaluation came from, if it was loaded from a package: who loaded it, when, how."""
    return PackageLoad.objects.filter(evaluation=evaluation).select_related("loaded_by").first()


def assignments_with_load(evaluation: Evaluation) -> tuple[list[Assignment], PackageLoad | None]:
    """The evaluation's assignments with their evaluators, and its ``PackageLoad`` (or None): one query."""
    found = list(
        Assignment.objects.filter(evaluation=evaluation).select_related(
            "evaluator", "evaluation__package_load__loaded_by", "declaration"
        )
    )
    # A reverse one-to-one that select_related found missing raises an AttributeError on access.
    return found, (getattr(found[0].evaluation, "package_load", None) if found else None)


def scorer_notes(
    evaluation: Evaluation, assignments: Iterable[Assignment], load: PackageLoad | None
) -> dict[int, list[str]]:
    """What the record says of each evaluator's scoring beyond their own act, by evaluator id.

    An owner (or admin) who also scores recorded the bids, so saw the prices; a submission that
    came with a package was entered by the importer from it, not by the evaluator in the app.
    """
    notes: dict[int, list[str]] = {}
    for a in assignments:
        found = []
        if a.evaluator_id == evaluation.owner_id:
            found.append("owner — recorded the bids, so saw the prices")
        elif a.evaluator.is_superuser:
            found.append("admin — could open the bids, so saw the prices")
        if a.submitted_from_package and load is not None:
            day = dateformat.format(timezone.localtime(load.loaded_at), "j M Y")
            found.append(f"submitted from a package: entered by {load_by(load)} on {day}")
        if found:
            notes[a.evaluator_id] = found
    return notes


def award_deciders(evaluation: Evaluation, award: Award) -> list[AbstractBaseUser]:
    """Who may decide a pending award: active executives not assigned to score it who did not propose it.

    The same rule as ``rules.may_decide_award``, for a list (one query).
    """
    return list(
        User.objects.filter(is_active=True, groups__name=EXECUTIVE)
        .exclude(assignments__evaluation=evaluation)
        .exclude(pk=award.proposed_by_id)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def load_by(load: PackageLoad) -> str:
    """The importer as pages name them."""
    return load.loaded_by.get_full_name() or load.loaded_by.get_username()


def evaluation_history(evaluation: Evaluation) -> list[HistoryEntry]:
    """Every recorded change to the evaluation and the records under it, oldest first."""
    bid_ids = list(Bid.history.filter(evaluation_id=evaluation.pk).values_list("id", flat=True).distinct())
    bids_now = list(Bid.objects.filter(evaluation=evaluation).values_list("pk", "vendor_name", "msp_id"))
    vendor = {pk: name for pk, name, _ in bids_now}
    criterion = dict(Criterion.objects.filter(evaluation=evaluation).values_list("pk", "key"))
    users = {
        a.pk: a.evaluator.get_username()
        for a in Assignment.objects.filter(evaluation=evaluation).select_related("evaluator")
    }
    msp_names = dict(MSP.objects.filter(candidacies__evaluation=evaluation).values_list("pk", "name"))
    # What the evaluation draws on from the registry: the MSPs of its bids and candidates, with their
    # contacts and client references (the bids' reference checks name them, the package carries them).
    msp_ids = set(msp_names) | {msp_id for _, _, msp_id in bids_now}

    def of_msp(msp_id: int) -> str:
        return msp_names.get(msp_id) or next((name for _, name, m in bids_now if m == msp_id), f"MSP #{msp_id}")

    def rows(manager: Any, **filters: Any) -> list[Any]:
        return list(manager.filter(**filters).select_related("history_user"))

    found = [
        *entries(rows(Evaluation.history, id=evaluation.pk), label="Evaluation", describe=lambda r: r.title),
        *entries(rows(Criterion.history, evaluation_id=evaluation.pk), label="Criterion", describe=lambda r: r.key),
        *entries(rows(Requirement.history, evaluation_id=evaluation.pk), label="Requirement", describe=lambda r: r.key),
        *entries(
            rows(Assignment.history, evaluation_id=evaluation.pk),
            label="Assignment",
            describe=lambda r: users.get(r.id, f"#{r.id}"),
        ),
        *entries(rows(Bid.history, evaluation_id=evaluation.pk), label="Bid", describe=lambda r: r.vendor_name),
        *entries(
            rows(RequirementMet.history, bid_id__in=bid_ids),
            label="RequirementMet",
            describe=lambda r: vendor.get(r.bid_id, f"bid #{r.bid_id}"),
        ),
        *entries(
            rows(RedFlag.history, bid_id__in=bid_ids),
            label="RedFlag",
            describe=lambda r: f"{r.code} on {vendor.get(r.bid_id, r.bid_id)}",
        ),
        *entries(
            rows(Waiver.history, bid_id__in=bid_ids),
            label="Waiver",
            describe=lambda r: f"{r.code} on {vendor.get(r.bid_id, r.bid_id)}",
        ),
        *entries(
            rows(Candidate.history, evaluation_id=evaluation.pk),
            label="Candidate",
            describe=lambda r: msp_names.get(r.msp_id, f"MSP #{r.msp_id}"),
        ),
        *entries(
            rows(ConflictOfInterest.history, evaluation_id=evaluation.pk),
            label="ConflictOfInterest",
            describe=lambda r: f"#{r.id}",
        ),
        *entries(
            rows(Score.history, bid_id__in=bid_ids),
            label="Score",
            describe=lambda r: (
                f"{users.get(r.assignment_id, '?')} on {vendor.get(r.bid_id, r.bid_id)}, "
                f"{criterion.get(r.criterion_id, r.criterion_id)}"
            ),
        ),
        *entries(
            rows(BidDocument.history, bid_id__in=bid_ids),
            label="BidDocument",
            describe=lambda r: f"{r.name} for {vendor.get(r.bid_id, r.bid_id)}",
        ),
        *entries(
            rows(
                DocumentMismatch.history,
                document_id__in=BidDocument.history.filter(bid_id__in=bid_ids).values("id"),
            ),
            label="DocumentMismatch",
            describe=lambda r: f"stored file not served at {r.door}: it no longer matches its SHA-256",
        ),
        *entries(
            rows(ReferenceCheck.history, bid_id__in=bid_ids),
            label="ReferenceCheck",
            describe=lambda r: f"reference check for {vendor.get(r.bid_id, r.bid_id)}",
        ),
        *entries(
            rows(Award.history, evaluation_id=evaluation.pk),
            label="Award",
            describe=lambda r: f"award to {vendor.get(r.bid_id, r.bid_id)}",
        ),
        *entries(
            rows(PackageLoad.history, evaluation_id=evaluation.pk),
            label="PackageLoad",
            describe=lambda r: f"loaded from a package ({r.get_door_display().lower()})",
        ),
        *entries(
            rows(LockedWriteAttempt.history, evaluation_id=evaluation.pk),
            label="LockedWriteAttempt",
            describe=lambda r: f"refused: {r.action}",
        ),
    ]
    found += tender_history(evaluation, rows, msp_names, vendor, criterion)
    found += [
        *entries(
            rows(LockedRecord.history, evaluation_id=evaluation.pk),
            label="Locked record",
            describe=lambda r: f"documents kept at the lock ({r.get_status_display().lower()})",
            exclude={"package", "ranking"},  # kept whole: their digests are in the entry
        ),
        # The registry: edited freely, an awarded record included; listed here so an auditor sees every
        # change to what the evaluation draws on. An MSP's specialties are not drawn on (and diffing a
        # many-to-many field costs a query per row).
        *entries(rows(MSP.history, id__in=msp_ids), label="MSP", describe=lambda r: r.name, exclude={"specialties"}),
        *entries(
            rows(Contact.history, msp_id__in=msp_ids),
            label="MSP contact",
            describe=lambda r: f"{r.name} at {of_msp(r.msp_id)}",
        ),
        *entries(
            rows(ClientReference.history, msp_id__in=msp_ids),
            label="Client reference",
            describe=lambda r: f"{r.client}, reference for {of_msp(r.msp_id)}",
        ),
    ]
    found.sort(key=lambda entry: (entry.when, entry.kind, str(entry.object_id)))
    return found


def tender_history(
    evaluation: Evaluation, rows: Any, msp_names: dict[int, str], vendor: dict[int, str], criterion: dict[int, str]
) -> list[HistoryEntry]:
    """The tender's steps: invitations to the bid room, each submission's time and receipt digest (never its
    content: that is sealed until the opening, and lives outside the history), the opening, the answers."""
    candidates = dict(Candidate.objects.filter(evaluation=evaluation).values_list("pk", "msp_id"))

    def of(candidate_id: int) -> str:
        return msp_names.get(candidates.get(candidate_id), f"candidate #{candidate_id}")

    return [
        *entries(
            rows(Invitation.history, candidate_id__in=list(candidates)),
            label="Bid room invitation",
            describe=lambda r: f"a person of {of(r.candidate_id)} invited to the bid room",
            exclude={"mailed_at"},
        ),
        *entries(
            rows(TenderEvent.history, candidate_id__in=list(candidates)),
            label="Tender step",
            describe=lambda r: f"{r.get_kind_display()}: {of(r.candidate_id)}",
        ),
        *entries(
            rows(BidOpening.history, evaluation_id=evaluation.pk),
            label="Bid opening",
            describe=lambda r: "the sealed bids opened",
        ),
        *entries(
            rows(BidAnswer.history, bid__evaluation_id=evaluation.pk),
            label="Written answer",
            describe=lambda r: f"{vendor.get(r.bid_id, r.bid_id)} on {criterion.get(r.criterion_id, r.criterion_id)}",
        ),
        *entries(
            rows(Clarification.history, evaluation_id=evaluation.pk),
            label="Clarification",
            describe=lambda r: f"question from {of(r.candidate_id)}",
        ),
        *entries(
            rows(Addendum.history, evaluation_id=evaluation.pk),
            label="Addendum",
            describe=lambda r: f"addendum {r.number}",
        ),
        *entries(
            rows(Acknowledgement.history, candidate_id__in=list(candidates)),
            label="Addendum read",
            describe=lambda r: f"{of(r.candidate_id)} read an addendum",
        ),
    ]


def as_of(model: type, ids: Iterable[int], when: datetime | None) -> dict[int, Any]:
    """Rows of a recorded ``model`` (an MSP, a client reference, a user) by id, as they stood at ``when``.

    For a locked evaluation's pages: what it drew on from outside (the registry, people's names)
    shown as it was at the lock, however it was edited since. Today's rows when ``when`` is None;
    a row with no history by then is left out (the caller shows today's). One query.
    """
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return {}
    rows = model._default_manager.filter(pk__in=ids) if when is None else model.history.as_of(when).filter(id__in=ids)
    return {row.pk: row for row in rows}


# --- Awards, conflicts and set-up: the reads of the award, decision, scorecard and set-up pages ---


def awards(evaluation: Evaluation) -> QuerySet[Award]:
    """The evaluation's awards, newest first, with the bid and the people the pages name (one query)."""
    return Award.objects.filter(evaluation=evaluation).select_related("bid", "proposed_by", "decided_by", "unlocked_by")


def approved_award(evaluation: Evaluation) -> Award | None:
    """The evaluation's approved award, with its bid, proposer and decider; None until one is approved."""
    return (
        Award.objects.filter(evaluation=evaluation, decision=AwardDecision.APPROVED)
        .select_related("bid", "proposed_by", "decided_by")
        .first()
    )


def locked_records(evaluation: Evaluation) -> QuerySet[LockedRecord]:
    """The records kept at each lock, oldest first, without the kept documents themselves."""
    return (
        LockedRecord.objects.filter(evaluation=evaluation)
        .select_related("released_by")
        .defer("package", "ranking")
        .order_by("locked_at", "pk")
    )


def criteria(evaluation: Evaluation) -> QuerySet[Criterion]:
    """The evaluation's criteria in their order."""
    return Criterion.objects.filter(evaluation=evaluation)


def bids(evaluation: Evaluation) -> QuerySet[Bid]:
    """The evaluation's bids in their order, with their MSPs."""
    return Bid.objects.filter(evaluation=evaluation).select_related("msp")


def bid_ids_by_vendor(evaluation: Evaluation) -> dict[str, int]:
    """Each bid's id by the vendor name the ranking calls it (one query)."""
    return dict(Bid.objects.filter(evaluation=evaluation).values_list("vendor_name", "pk"))


def conflicts(evaluation: Evaluation) -> QuerySet[ConflictOfInterest]:
    """The conflicts of interest declared on the evaluation, with the evaluator and the MSP."""
    return ConflictOfInterest.objects.filter(evaluation=evaluation).select_related("evaluator", "msp")


def declared_conflicts(evaluation: Evaluation, evaluator: AbstractBaseUser) -> QuerySet[ConflictOfInterest]:
    """The conflicts one evaluator declared on the evaluation, with the MSPs."""
    return ConflictOfInterest.objects.filter(evaluation=evaluation, evaluator=evaluator).select_related("msp")


def active_waivers(evaluation: Evaluation) -> QuerySet[Waiver]:
    """The waivers in force on the evaluation's bids, by vendor and code."""
    return (
        Waiver.objects.filter(bid__evaluation=evaluation, revoked_at__isnull=True)
        .select_related("bid", "waived_by")
        .order_by("bid__vendor_name", "code")
    )


def scores_by_slot(assignment: Assignment) -> dict[tuple[int, int], Score]:
    """An evaluator's scores, drafts included, by (bid id, criterion id) (one query)."""
    return {(s.bid_id, s.criterion_id): s for s in Score.objects.filter(assignment=assignment)}


def evaluation_now(evaluation: Evaluation) -> Evaluation:
    """The evaluation as the database holds it now: no page annotations, the current version."""
    return Evaluation.objects.get(pk=evaluation.pk)


def candidate(evaluation: Evaluation, pk: int) -> Candidate | None:
    """One of the evaluation's candidates with its MSP and evaluation; None for another's or a guessed id."""
    return Candidate.objects.select_related("msp", "evaluation").filter(evaluation=evaluation, pk=pk).first()


# --- The big read pages: bid, dashboard, side by side, consensus ---


def evaluation_bids(evaluation: Evaluation) -> QuerySet[Bid]:
    """The evaluation's bids with their MSP and evaluation, to fetch one by id (another's is not among them)."""
    return Bid.objects.select_related("msp", "evaluation").filter(evaluation=evaluation)


def bid_picker(evaluation: Evaluation) -> list[Bid]:
    """The evaluation's bids with only what the side by side's picker shows (the name the bid was made under)."""
    return list(
        Bid.objects.filter(evaluation=evaluation)
        .select_related("msp")
        .only("evaluation_id", "version", "vendor_name", "msp__name")
    )


def bids_in_full(ids: Iterable[int]) -> dict[int, Bid]:
    """Bids by id, read in full with their MSPs (one query; none for no ids)."""
    return Bid.objects.select_related("msp").in_bulk(list(ids))


def requirements_met(chosen: Iterable[Bid]) -> set[tuple[int, str]]:
    """The (bid id, requirement key) pairs the ``chosen`` bids say they meet (one query)."""
    return set(RequirementMet.objects.filter(bid__in=list(chosen)).values_list("bid_id", "requirement__key"))


def waivable_flags(evaluation: Evaluation, bid: Bid) -> list[str]:
    """The automatic red flags that hold for ``bid`` and are not waived yet (a manual flag is withdrawn, never waived)."""
    data = next(b for b in ranking_input(evaluation).data.bids if b.vendor == bid.vendor_name)
    return sorted(ranking.automatic_flags(data) - set(data.waived_flags) - set(data.manual_flags))


def evaluation_documents(evaluation: Evaluation) -> QuerySet[BidDocument]:
    """Every document of the evaluation's bids, withdrawn ones included, by bid then upload."""
    return (
        BidDocument.objects.filter(bid__evaluation=evaluation)
        .select_related("bid", "uploaded_by")
        .order_by("bid__position", "bid__pk", "uploaded_at", "pk")
    )


def bidder_names(evaluation: Evaluation) -> list[str]:
    """The names of the MSPs bidding, alphabetically: whom an evaluator could have a conflict with."""
    return sorted(Bid.objects.filter(evaluation=evaluation).values_list("msp__name", flat=True), key=str.casefold)


def declarations(evaluation: Evaluation) -> QuerySet[Declaration]:
    """The evaluators' signed declarations, in the order they were signed."""
    return Declaration.objects.filter(assignment__evaluation=evaluation).select_related("assignment__evaluator")
