"""The award and the record an auditor checks: proposal, approval, unlock, letters, as-of, evidence.

Objects are fetched scoped to the user (``views._evaluation``): a guessed id is
404. Reading the award record needs ``scoring.export_package`` (owner,
executives, auditors, admins); acting needs the permission of each step.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from scoring import ranking, record, selectors, services
from scoring.forms import AsOfForm, AwardDecisionForm, AwardProposalForm, ReasonForm
from scoring.models import (
    LOCKING_AWARD_DECISIONS,
    Award,
    AwardDecision,
    Bid,
    ConflictOfInterest,
    Criterion,
    Evaluation,
    LockedRecord,
    Status,
)
from scoring.rules import can
from scoring.views.access import download_name, evaluation_view
from scoring.views.history import history_rows
from vendors.models import MSP

# The award record carries every evaluator's scores: the owner, executives, auditors and admins read it.
record_view = evaluation_view(
    "scoring.export_package",
    message="The award record carries every evaluator's scores: only the owner, executives, auditors and admins "
    "read it, and not while they are scoring it themselves.",
)


def _approved(evaluation: Evaluation) -> Award | None:
    return (
        Award.objects.filter(evaluation=evaluation, decision=AwardDecision.APPROVED)
        .select_related("bid", "proposed_by", "decided_by")
        .first()
    )


def _ranked_bids(evaluation: Evaluation) -> list[Bid]:
    document = services.stored_ranking(evaluation)
    order = {row["vendor"]: row["rank"] for row in document["ranking"] if row["status"] == "ranked"}
    bids = [bid for bid in Bid.objects.filter(evaluation=evaluation) if bid.vendor_name in order]
    return sorted(bids, key=lambda bid: order[bid.vendor_name])


@record_view
def award_page(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    user = request.user
    awards = list(
        Award.objects.filter(evaluation=evaluation).select_related("bid", "proposed_by", "decided_by", "unlocked_by")
    )
    pending = next((a for a in awards if a.decision == AwardDecision.PENDING), None)
    approved = next((a for a in awards if a.decision == AwardDecision.APPROVED), None)
    # The award that locks the evaluation: approved here, or an archive loaded as awarded.
    locking = next((a for a in awards if a.decision in LOCKING_AWARD_DECISIONS), None)
    can_propose = (
        can(user, "scoring.propose_award", evaluation) and evaluation.status == Status.DECISION and pending is None
    )
    context: dict[str, Any] = {
        "evaluation": evaluation,
        "awards": awards,
        "pending": pending,
        "approved": approved,
        "can_propose": can_propose,
        "proposal_form": AwardProposalForm(ranked_bids=_ranked_bids(evaluation)) if can_propose else None,
        "can_decide": pending is not None
        and services.may_decide_award(user, evaluation)
        and user.pk != pending.proposed_by_id,
        "decision_form": AwardDecisionForm(),
        "can_unlock": locking is not None and can(user, "scoring.unlock_evaluation", evaluation),
        "unlock_form": ReasonForm(),
        # The record kept at the lock, checked: an award's, or a cancellation's (no award).
        "verification": (
            services.verification(evaluation, locking)
            if locking is not None
            else services.verification(evaluation)
            if evaluation.status == Status.CANCELLED
            else None
        ),
        # Unlocked awards keep the digests fixed at their lock, who unlocked them, when and why.
        "unlocked": [
            (award, services.verification(evaluation, award))
            for award in awards
            if award.decision == AwardDecision.UNLOCKED
        ],
        "manages": can(user, "scoring.manage_evaluation", evaluation),
    }
    if pending is not None:
        # Who may decide it (rules.may_decide_award, less its proposer): named, so nobody has to guess.
        context["deciders"] = selectors.award_deciders(evaluation, pending)
    loaded = next((a for a in awards if a.decision == AwardDecision.LOADED), None)
    if loaded is not None:
        # An archive's award: nobody decided it here; the page says where it came from.
        context["loaded"] = loaded
        context["package_load"] = selectors.package_load(evaluation)
    if approved:
        context["others"] = [
            row for row in approved.ranking_document["ranking"] if row["vendor"] != approved.bid.vendor_name
        ]
        context["bid_ids"] = dict(Bid.objects.filter(evaluation=evaluation).values_list("vendor_name", "pk"))
    return render(request, "scoring/award.html", context)


def _act(request: HttpRequest, evaluation: Evaluation, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("scoring:award", evaluation.pk)


@require_POST
@evaluation_view("scoring.propose_award")
def award_propose(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    form = AwardProposalForm(request.POST, ranked_bids=_ranked_bids(evaluation))
    if not form.is_valid():
        problems = [f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()]
        messages.error(request, "The proposal was not saved. " + " ".join(problems))
        return redirect("scoring:award", evaluation.pk)
    return _act(
        request,
        evaluation,
        lambda: services.award_propose(
            evaluation=evaluation,
            bid=form.cleaned_data["bid"],
            rationale=form.cleaned_data["rationale"],
            by=request.user,
        ),
        f"Award to {form.cleaned_data['bid'].vendor_name} proposed: an executive who did not score decides on it.",
    )


@require_POST
@evaluation_view(
    "scoring.decide_award", message="Only an active executive who did not score this evaluation decides on its award."
)
def award_decide(request: HttpRequest, evaluation: Evaluation, award_pk: int) -> HttpResponse:
    award = get_object_or_404(Award, pk=award_pk, evaluation=evaluation)
    form = AwardDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to approve or to reject the proposal.")
        return redirect("scoring:award", evaluation.pk)
    approve = form.cleaned_data["decision"] == "approve"
    return _act(
        request,
        evaluation,
        lambda: services.award_decide(
            award=award, approve=approve, comment=form.cleaned_data["comment"], by=request.user
        ),
        "Award approved: the evaluation is awarded and locked." if approve else "Proposal rejected.",
    )


@require_POST
@evaluation_view("scoring.unlock_evaluation")
def evaluation_unlock(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the evaluation is unlocked: it is kept in the history.")
        return redirect("scoring:award", evaluation.pk)
    return _act(
        request,
        evaluation,
        lambda: services.evaluation_unlock(evaluation=evaluation, reason=form.cleaned_data["reason"], by=request.user),
        "Unlocked: the evaluation is back at the decision stage.",
    )


# --- Letters -----------------------------------------------------------------------------------


def _awarded(evaluation: Evaluation) -> Award:
    award = _approved(evaluation)
    if award is None:
        raise Http404("This evaluation has no approved award, so no letters.")
    return award


@record_view
def award_letter(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    award = _awarded(evaluation)
    row = next(r for r in award.ranking_document["ranking"] if r["vendor"] == award.bid.vendor_name)
    return render(
        request,
        "scoring/award_letter.html",
        {
            "evaluation": evaluation,
            "award": award,
            "row": row,
            "today": timezone.localdate(),
            **_as_at_lock(evaluation, award.bid),
        },
    )


def _as_at_lock(evaluation: Evaluation, bid: Bid) -> dict[str, Any]:
    """A letter's addressee (the MSP, named as its bid is) and signatory as they stood at the lock:
    the registry and people's names stay editable, the letter of a locked record does not move."""
    when = services.lock_moment(evaluation)
    return {
        "msp": selectors.as_of(MSP, [bid.msp_id], when).get(bid.msp_id, bid.msp),
        "signatory": selectors.as_of(User, [evaluation.owner_id], when).get(evaluation.owner_id, evaluation.owner),
    }


def _categories(criteria: list[Criterion], row: dict) -> list[dict[str, Any]]:
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


@record_view
def debrief_letter(request: HttpRequest, evaluation: Evaluation, bid_pk: int) -> HttpResponse:
    """A letter to an MSP not chosen: its own rank and results by category, never another MSP's."""
    award = _awarded(evaluation)
    bid = get_object_or_404(Bid.objects.select_related("msp"), pk=bid_pk, evaluation=evaluation)
    if bid.pk == award.bid_id:
        return redirect("scoring:award_letter", evaluation.pk)
    row = next((r for r in award.ranking_document["ranking"] if r["vendor"] == bid.vendor_name), None)
    if row is None:
        raise Http404("That bid was not in the ranking the award was decided on.")
    criteria = list(Criterion.objects.filter(evaluation=evaluation))
    return render(
        request,
        "scoring/debrief_letter.html",
        {
            "evaluation": evaluation,
            "award": award,
            "bid": bid,
            "row": row,
            "ranked_count": sum(1 for r in award.ranking_document["ranking"] if r["status"] == "ranked"),
            "categories": _categories(criteria, row) if row["status"] == "ranked" else [],
            "flag_names": {code: ranking.AUTOMATIC_RULES.get(code, "") for code in row["red_flags"]},
            "today": timezone.localdate(),
            **_as_at_lock(evaluation, bid),
        },
    )


# --- The ranking as it stood -------------------------------------------------------------------


@record_view
def ranking_as_of(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """The ranking rebuilt from the history at a past moment, beside today's."""
    form = AsOfForm(request.GET or None)
    past = error = None
    when = None
    if form.is_bound and form.is_valid():
        when = form.cleaned_data["when"]
        if when > timezone.now():
            error = "That moment is in the future: the ranking as of now is today's."
        else:
            try:
                past = ranking.ranking_document(selectors.ranking_input_as_of(evaluation, when).data)
            except selectors.BeforeTheRecord as exc:
                error = str(exc)
    elif form.is_bound:
        error = " ".join(form.errors.get("when", ["Give a date and time."]))
    today = services.ranking_document(evaluation)  # a locked evaluation's: as kept at its lock
    return render(
        request,
        "scoring/ranking_as_of.html",
        {
            "evaluation": evaluation,
            "form": form,
            "when": when,
            "past": past,
            "today": today,
            "error": error,
            "changed": past is not None and past["ranking"] != today["ranking"],
        },
    )


# --- Evidence ----------------------------------------------------------------------------------


@record_view
def evidence_zip(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """One download for the file: package, ranking, history, conflicts of interest, award with its digest."""
    # A locked evaluation's documents as kept at its lock (services.kept_record), else today's.
    package = services.package_document(evaluation)
    document = services.ranking_document(evaluation)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("package.json", json.dumps(package, indent=2, ensure_ascii=False))
        archive.writestr("ranking.json", json.dumps(document, indent=2, ensure_ascii=False))
        archive.writestr("history.csv", _csv(history_rows(evaluation)))
        conflicts = ConflictOfInterest.objects.filter(evaluation=evaluation).select_related("evaluator", "msp")
        archive.writestr(
            "conflicts-of-interest.csv",
            _csv(
                [("declared_at", "evaluator", "msp", "note")]
                + [
                    (c.declared_at.isoformat(), c.evaluator.get_username(), c.msp.name, c.note)
                    for c in conflicts.order_by("declared_at", "pk")
                ]
            ),
        )
        archive.writestr("award.json", json.dumps(_award_record(evaluation), indent=2, ensure_ascii=False))
        archive.writestr("README.txt", EVIDENCE_README.format(title=evaluation.title, at=timezone.now().isoformat()))
    response = HttpResponse(out.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{download_name(evaluation, "evidence.zip")}"'
    return response


EVIDENCE_README = """Evidence for “{title}”, exported {at}.

package.json                 the evaluation as an msp-eval/1 package (criteria, bids, every score, drafts included)
ranking.json                 the ranking (msp-eval-ranking/1) as the app holds it
                             (both, for an awarded or cancelled evaluation, exactly as kept at its lock)
history.csv                  every recorded change: when, who, action, record, changes, reason
conflicts-of-interest.csv    the conflicts evaluators declared
award.json                   every award proposal and decision; for the approved one, the SHA-256 digests
                             of the canonical package and ranking fixed at approval; every unlock (who,
                             when, why); every record kept at a lock, with its digests and its release

Canonical JSON: keys sorted, no spaces, UTF-8, numbers rounded to 6 decimals (integers without a point).
"""


def _csv(rows: list[tuple[Any, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([ranking.spreadsheet_safe(str(cell)) if cell is not None else "" for cell in row])
    return out.getvalue()


def _award_record(evaluation: Evaluation) -> dict[str, Any]:
    awards = Award.objects.filter(evaluation=evaluation).select_related(
        "bid", "proposed_by", "decided_by", "unlocked_by"
    )
    return {
        "evaluation": evaluation.title,
        "status": evaluation.status,
        "awards": [
            {
                "winner": award.winner_name,
                "decision": award.decision,
                "rationale": award.rationale,
                "proposed_by": award.proposed_by.get_username(),
                "proposed_at": award.proposed_at.isoformat(),
                "decided_by": award.decided_by.get_username() if award.decided_by else None,
                "decided_at": award.decided_at.isoformat() if award.decided_at else None,
                "comment": award.comment,
                "package_sha256": award.package_digest or None,
                "ranking_sha256": award.ranking_digest or None,
                "ranking": award.ranking_document,
                "unlocked_by": award.unlocked_by.get_username() if award.unlocked_by else None,
                "unlocked_at": award.unlocked_at.isoformat() if award.unlocked_at else None,
                "unlock_reason": award.unlock_reason or None,
            }
            for award in awards.order_by("proposed_at", "pk")
        ],
        "locked_records": [
            {
                "locked_at": kept.locked_at.isoformat(),
                "status": kept.status,
                "package_sha256": kept.package_digest,
                "ranking_sha256": kept.ranking_digest,
                "released_at": kept.released_at.isoformat() if kept.released_at else None,
                "released_by": kept.released_by.get_username() if kept.released_by else None,
                "release_reason": kept.release_reason or None,
            }
            for kept in LockedRecord.objects.filter(evaluation=evaluation)
            .select_related("released_by")
            .defer("package", "ranking")  # the documents themselves are package.json and ranking.json
            .order_by("locked_at", "pk")
        ],
        "digest_rules": (
            f"SHA-256 of canonical JSON: sorted keys, separators ',' and ':', UTF-8, "
            f"numbers rounded to {record.NUMBER_PLACES} decimals"
        ),
    }
