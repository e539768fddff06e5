"""The award page, the letters and the evidence an auditor downloads, as plain data."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, BinaryIO

from django.contrib.auth.models import AbstractBaseUser, User
from django.utils import timezone

from scoring import ranking, record, selectors, services
from scoring.forms import AsOfForm, AwardDecisionForm, AwardProposalForm, ReasonForm
from scoring.models import (
    LOCKING_AWARD_DECISIONS,
    Award,
    AwardDecision,
    Bid,
    Criterion,
    Evaluation,
    PackageLoad,
    Status,
)
from scoring.pages.page import Page
from scoring.proposals import ProposalContext, proposal_context
from scoring.rules import can
from vendors.models import MSP


def ranked_bids(evaluation: Evaluation) -> list[Bid]:
    """The bids the stored ranking ranks, leader first: the ones an award may go to."""
    document = services.stored_ranking(evaluation)
    order = {row["vendor"]: row["rank"] for row in document["ranking"] if row["status"] == "ranked"}
    found = [bid for bid in selectors.bids(evaluation) if bid.vendor_name in order]
    return sorted(found, key=lambda bid: order[bid.vendor_name])


@dataclass
class AwardPage(Page):
    evaluation: Evaluation
    awards: list[Award]
    pending: Award | None
    approved: Award | None
    can_propose: bool
    proposal_form: AwardProposalForm | None
    can_decide: bool
    can_unlock: bool
    # The record kept at the lock, checked: an award's, or a cancellation's (no award).
    verification: dict[str, Any] | None
    # Unlocked awards keep the digests fixed at their lock, who unlocked them, when and why.
    unlocked: list[tuple[Award, dict[str, Any]]]
    manages: bool
    decision_form: AwardDecisionForm = field(default_factory=AwardDecisionForm)
    unlock_form: ReasonForm = field(default_factory=ReasonForm)
    # Who may decide the pending award (rules.may_decide_award, less its proposer): named, so nobody guesses.
    deciders: list[AbstractBaseUser] = field(default_factory=list)
    # An archive's award: nobody decided it here; the page says where it came from.
    loaded: Award | None = None
    package_load: PackageLoad | None = None
    # Beside an approved award: the other bids of the ranking it was decided on, for their debrief letters.
    others: list[dict[str, Any]] = field(default_factory=list)
    bid_ids: dict[str, int] = field(default_factory=dict)
    # The pending proposal beside the leader and the cheapest compliant bid, with what to weigh.
    proposal: ProposalContext | None = None


def _first(awards: list[Award], *decisions: str) -> Award | None:
    return next((award for award in awards if award.decision in decisions), None)


def _verification(evaluation: Evaluation, locking: Award | None) -> dict[str, Any] | None:
    if locking is not None:
        return services.verification(evaluation, locking)
    return services.verification(evaluation) if evaluation.status == Status.CANCELLED else None


def _may_decide(user: AbstractBaseUser, evaluation: Evaluation, pending: Award | None) -> bool:
    return pending is not None and services.may_decide_award(user, evaluation) and user.pk != pending.proposed_by_id


def award_page(evaluation: Evaluation, user: AbstractBaseUser) -> AwardPage:
    """Where the award stands and what this person may do about it."""
    awards = list(selectors.awards(evaluation))
    pending = _first(awards, AwardDecision.PENDING)
    # The award that locks the evaluation: approved here, or an archive loaded as awarded.
    locking = _first(awards, *LOCKING_AWARD_DECISIONS)
    can_propose = (
        can(user, "scoring.propose_award", evaluation) and evaluation.status == Status.DECISION and pending is None
    )
    page = AwardPage(
        evaluation=evaluation,
        awards=awards,
        pending=pending,
        approved=_first(awards, AwardDecision.APPROVED),
        can_propose=can_propose,
        proposal_form=AwardProposalForm(ranked_bids=ranked_bids(evaluation)) if can_propose else None,
        can_decide=_may_decide(user, evaluation, pending),
        can_unlock=locking is not None and can(user, "scoring.unlock_evaluation", evaluation),
        verification=_verification(evaluation, locking),
        unlocked=[
            (award, services.verification(evaluation, award))
            for award in awards
            if award.decision == AwardDecision.UNLOCKED
        ],
        manages=can(user, "scoring.manage_evaluation", evaluation),
        proposal=proposal_context(evaluation, pending.bid) if pending is not None and pending.bid_id else None,
    )
    _add_provenance(page, awards)
    return page


def _add_provenance(page: AwardPage, awards: list[Award]) -> None:
    """Who may decide a pending award, where a loaded one came from, who else an approved one was chosen over."""
    if page.pending is not None:
        page.deciders = selectors.award_deciders(page.evaluation, page.pending)
    page.loaded = _first(awards, AwardDecision.LOADED)
    if page.loaded is not None:
        page.package_load = selectors.package_load(page.evaluation)
    if page.approved:
        winner = page.approved.bid.vendor_name
        page.others = [row for row in page.approved.ranking_document["ranking"] if row["vendor"] != winner]
        page.bid_ids = selectors.bid_ids_by_vendor(page.evaluation)


# --- Letters -----------------------------------------------------------------------------------


def as_at_lock(evaluation: Evaluation, bid: Bid) -> dict[str, Any]:
    """A letter's addressee (the MSP, named as its bid is) and signatory as they stood at the lock:
    the registry and people's names stay editable, the letter of a locked record does not move."""
    when = services.lock_moment(evaluation)
    return {
        "msp": selectors.as_of(MSP, [bid.msp_id], when).get(bid.msp_id, bid.msp),
        "signatory": selectors.as_of(User, [evaluation.owner_id], when).get(evaluation.owner_id, evaluation.owner),
    }


def categories(criteria: list[Criterion], row: dict) -> list[dict[str, Any]]:
    """A bid's own result by category: the weighted mean of its criterion percentages, and the category's weight."""
    applying = [c for c in criteria if c.key in row["criteria"]]
    total_weight = sum((c.weight for c in applying), start=Decimal(0))
    found: dict[str, list[tuple[Decimal, Decimal]]] = {}
    for criterion in applying:
        found.setdefault(criterion.category, []).append(
            (criterion.weight, Decimal(str(row["criteria"][criterion.key])))
        )
    result = []
    for category, parts in found.items():
        weight = sum((w for w, _ in parts), start=Decimal(0))
        mean = sum((w * p for w, p in parts), start=Decimal(0)) / weight if weight else Decimal(0)
        result.append(
            {
                "category": category,
                "percentage": mean,
                "share": weight / total_weight * 100 if total_weight else Decimal(0),
            }
        )
    return result


def debrief(evaluation: Evaluation, award: Award, bid: Bid, row: dict[str, Any]) -> dict[str, Any]:
    """A letter to an MSP not chosen: its own rank and results by category, never another MSP's."""
    criteria = list(selectors.criteria(evaluation))
    return {
        "evaluation": evaluation,
        "award": award,
        "bid": bid,
        "row": row,
        "ranked_count": sum(1 for r in award.ranking_document["ranking"] if r["status"] == "ranked"),
        "categories": categories(criteria, row) if row["status"] == "ranked" else [],
        "flag_names": {code: ranking.AUTOMATIC_RULES.get(code, "") for code in row["red_flags"]},
        "today": timezone.localdate(),
        **as_at_lock(evaluation, bid),
    }


# --- The ranking as it stood -------------------------------------------------------------------


@dataclass
class RankingAsOf(Page):
    evaluation: Evaluation
    form: AsOfForm
    when: datetime | None
    past: dict[str, Any] | None  # the ranking rebuilt from the history at ``when``
    today: dict[str, Any]
    error: str | None
    changed: bool


def _past(evaluation: Evaluation, form: AsOfForm) -> tuple[datetime | None, dict[str, Any] | None, str | None]:
    """(when, the ranking then, what was wrong with the moment asked for)."""
    if not form.is_bound:
        return None, None, None
    if not form.is_valid():
        return None, None, " ".join(form.errors.get("when", ["Give a date and time."]))
    when = form.cleaned_data["when"]
    if when > timezone.now():
        return when, None, "That moment is in the future: the ranking as of now is today's."
    try:
        return when, ranking.ranking_document(selectors.ranking_input_as_of(evaluation, when).data), None
    except selectors.BeforeTheRecord as exc:
        return when, None, str(exc)


def ranking_as_of(evaluation: Evaluation, form: AsOfForm) -> RankingAsOf:
    """The ranking rebuilt from the history at the moment ``form`` asks for, beside today's."""
    when, past, error = _past(evaluation, form)
    today = services.ranking_document(evaluation)  # a locked evaluation's: as kept at its lock
    return RankingAsOf(
        evaluation=evaluation,
        form=form,
        when=when,
        past=past,
        today=today,
        error=error,
        changed=past is not None and past["ranking"] != today["ranking"],
    )


# --- Evidence ----------------------------------------------------------------------------------


EVIDENCE_README = """Evidence for “{title}”, exported {at}.

package.json                 the evaluation as an msp-eval/1 package (criteria, bids, every score, drafts included)
ranking.json                 the ranking (msp-eval-ranking/1) as the app holds it
                             (both, for an awarded or cancelled evaluation, exactly as kept at its lock)
history.csv                  every recorded change: when, who, action, record, changes, reason
conflicts-of-interest.csv    the conflicts evaluators declared
declarations.csv             each evaluator's signed declaration: the name typed, when, the words agreed to
award.json                   every award proposal and decision; for the approved one, the SHA-256 digests
                             of the canonical package and ranking fixed at approval; every unlock (who,
                             when, why); every record kept at a lock, with its digests and its release
documents/                   each bid's stored files (withdrawn ones included), checked against the
                             SHA-256 taken at upload; documents.csv lists every document and what became
                             of it; SHA256SUMS is for `sha256sum -c SHA256SUMS` run in that folder

Canonical JSON: keys sorted, no spaces, UTF-8, numbers rounded to 6 decimals (integers without a point).
"""


def evidence_archive(
    evaluation: Evaluation, history: list[tuple[str, ...]], out: BinaryIO, by: AbstractBaseUser
) -> None:
    """One zip for the file, written to ``out``: package, ranking, ``history`` (the trail's CSV rows),
    conflicts, award record, and the bids' documents with their digests."""
    # A locked evaluation's documents as kept at its lock (services.kept_record), else today's.
    package = services.package_document(evaluation)
    document = services.ranking_document(evaluation)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("package.json", json.dumps(package, indent=2, ensure_ascii=False))
        archive.writestr("ranking.json", json.dumps(document, indent=2, ensure_ascii=False))
        archive.writestr("history.csv", _csv(history))
        conflicts = selectors.conflicts(evaluation).order_by("declared_at", "pk")
        archive.writestr(
            "conflicts-of-interest.csv",
            _csv(
                [("declared_at", "evaluator", "msp", "note")]
                + [(c.declared_at.isoformat(), c.evaluator.get_username(), c.msp.name, c.note) for c in conflicts]
            ),
        )
        archive.writestr(
            "declarations.csv",
            _csv(
                [("signed_at", "evaluator", "signed_name", "statement")]
                + [
                    (d.signed_at.isoformat(), d.assignment.evaluator.get_username(), d.signed_name, d.text)
                    for d in selectors.declarations(evaluation)
                ]
            ),
        )
        archive.writestr("award.json", json.dumps(award_record(evaluation), indent=2, ensure_ascii=False))
        _documents(archive, evaluation, by)
        archive.writestr("README.txt", EVIDENCE_README.format(title=evaluation.title, at=timezone.now().isoformat()))


DOCUMENT_COLUMNS = (
    "path",
    "vendor",
    "kind",
    "name",
    "size",
    "sha256",
    "uploaded_by",
    "uploaded_at",
    "withdrawn_at",
    "file",
)


def _zip_part(text: str) -> str:
    """A name as one part of a path in the zip: no folder separators, nothing empty."""
    return text.replace("/", "_").replace("\\", "_").strip(". ") or "_"


def _documents(archive: zipfile.ZipFile, evaluation: Evaluation, by: AbstractBaseUser) -> None:
    """Each stored file that still matches its digest, under documents/VENDOR/ID-NAME; a list of them all."""
    rows: list[tuple[Any, ...]] = [DOCUMENT_COLUMNS]
    sums = []
    for doc in selectors.evaluation_documents(evaluation):
        path = f"{_zip_part(doc.bid.vendor_name)}/{doc.pk}-{_zip_part(doc.name)}"
        if not doc.file:
            status, path = "none: the record came in a package, without its file", ""
        else:
            handle = services.verified_file(doc, by=by, door="evidence.zip")
            if handle is None:
                status, path = "left out: the stored file no longer matches its SHA-256", ""
            else:
                with handle, archive.open(f"documents/{path}", "w", force_zip64=True) as member:
                    shutil.copyfileobj(handle, member, 1 << 20)
                status = "included"
                sums.append(f"{doc.sha256}  {path}\n")
        rows.append(
            (path, doc.bid.vendor_name, doc.kind, doc.name, doc.size, doc.sha256, _username(doc.uploaded_by),
             _moment(doc.uploaded_at), _moment(doc.withdrawn_at), status)
        )  # fmt: skip
    archive.writestr("documents/documents.csv", _csv(rows))
    archive.writestr("documents/SHA256SUMS", "".join(sums))


def _csv(rows: list[tuple[Any, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([ranking.spreadsheet_safe(str(cell)) if cell is not None else "" for cell in row])
    return out.getvalue()


def _username(user: AbstractBaseUser | None) -> str | None:
    return user.get_username() if user else None


def _moment(when: Any) -> str | None:
    return when.isoformat() if when else None


def _award_entry(award: Award) -> dict[str, Any]:
    return {
        "winner": award.winner_name,
        "decision": award.decision,
        "rationale": award.rationale,
        "proposed_by": award.proposed_by.get_username(),
        "proposed_at": award.proposed_at.isoformat(),
        "decided_by": _username(award.decided_by),
        "decided_at": _moment(award.decided_at),
        "comment": award.comment,
        "package_sha256": award.package_digest or None,
        "ranking_sha256": award.ranking_digest or None,
        "ranking": award.ranking_document,
        "unlocked_by": _username(award.unlocked_by),
        "unlocked_at": _moment(award.unlocked_at),
        "unlock_reason": award.unlock_reason or None,
    }


def award_record(evaluation: Evaluation) -> dict[str, Any]:
    """award.json: every proposal and decision, every unlock, every record kept at a lock (the documents
    themselves are package.json and ranking.json)."""
    return {
        "evaluation": evaluation.title,
        "status": evaluation.status,
        "awards": [_award_entry(award) for award in selectors.awards(evaluation).order_by("proposed_at", "pk")],
        "locked_records": [
            {
                "locked_at": kept.locked_at.isoformat(),
                "status": kept.status,
                "package_sha256": kept.package_digest,
                "ranking_sha256": kept.ranking_digest,
                "released_at": _moment(kept.released_at),
                "released_by": _username(kept.released_by),
                "release_reason": kept.release_reason or None,
            }
            for kept in selectors.locked_records(evaluation)
        ],
        "digest_rules": (
            f"SHA-256 of canonical JSON: sorted keys, separators ',' and ':', UTF-8, "
            f"numbers rounded to {record.NUMBER_PLACES} decimals"
        ),
    }
