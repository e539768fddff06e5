"""Evaluation pages. Every object is fetched through ``_evaluation``, scoped to the user."""

from __future__ import annotations

import csv
import dataclasses
import functools
import hashlib
import io
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from core.concurrency import EditConflict
from core.pagecache import cached_page
from scoring.models import Organization
from vendors.models import MSP, ClientReference

from . import consensus, exports, fragments, guide, ranking, selectors, services
from .filters import PortfolioFilter
from .forms import (
    BidForm,
    CandidateInviteForm,
    CandidateStatusForm,
    ConflictForm,
    CriteriaForm,
    DocumentForm,
    EvaluationForm,
    EvaluatorsForm,
    FlagForm,
    ImportForm,
    NeedsAssessmentForm,
    ReasonForm,
    ReferenceCheckForm,
    ScorecardForm,
    TransitionForm,
    WaiverForm,
)
from .models import (
    Assignment,
    Award,
    AwardDecision,
    Bid,
    BidDocument,
    Candidate,
    ConflictOfInterest,
    Criterion,
    Evaluation,
    NeedsAssessment,
    PackageLoad,
    RedFlag,
    RequirementMet,
    Score,
    Status,
    Waiver,
)
from .package import PackageError, loads, parse_package
from .rules import can, viewer_annotations
from .tables import PortfolioTable


def _evaluation(request: HttpRequest, pk: int) -> Evaluation:
    """The evaluation if the user may see it; 404 otherwise (never someone else's data)."""
    # With whether the person scores it, read in the same query: the policy's predicates need no more.
    found = (
        selectors.visible_evaluations(request.user).select_related("owner").annotate(**viewer_annotations(request.user))
    )
    return get_object_or_404(found, pk=pk)


def _require(request: HttpRequest, perm: str, evaluation: Evaluation | None, message: str = "") -> None:
    if not can(request.user, perm, evaluation):
        raise PermissionDenied(message or REFUSALS.get(perm, "Your role may not do that here."))


# What a person who may see the evaluation, but not do this, is told (403).
REFUSALS = {
    "scoring.manage_evaluation": "Only the evaluation's owner and admins can change it.",
    "scoring.view_results": "The ranking opens to you once you submit your scorecard.",
    "scoring.export_package": (
        "The package and the history carry every evaluator's drafts: only the owner, executives, auditors and "
        "admins read them, and not while they are scoring it themselves."
    ),
    "scoring.propose_award": "Only the evaluation's owner and admins propose its award.",
    "scoring.unlock_evaluation": "Only an admin can unlock an evaluation.",
}


def evaluation_view(
    perm: str | None = None, *, message: str = "", writable: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """The one door of every page about an evaluation: the policy applied before the view runs.

    Loads the evaluation in the person's scope (404 outside it, never data), checks ``perm`` with the
    rules (403 with ``message``), and with ``writable`` refuses any request to a locked evaluation
    (recording a refused POST); then calls ``view(request, evaluation, **the other URL arguments)``.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponse:
            evaluation = _evaluation(request, pk)
            if perm is not None:
                _require(request, perm, evaluation, message)
            if writable and (response := _writable_or_redirect(request, evaluation)):
                return response
            return view(request, evaluation, *args, **kwargs)

        wrapped.evaluation_view = (perm, writable)  # read by the test that every evaluation page has one
        return wrapped

    return decorate


def _manage(request: HttpRequest, evaluation: Evaluation) -> None:
    _require(request, "scoring.manage_evaluation", evaluation, "Only the evaluation's owner and admins can change it.")


def _writable_or_redirect(request: HttpRequest, evaluation: Evaluation) -> HttpResponse | None:
    if evaluation.is_locked:
        if request.method == "POST":
            services.note_refusal(evaluation, request.resolver_match.url_name.replace("_", " "))
        messages.error(request, f"This evaluation is {evaluation.get_status_display().lower()}: it can't be changed.")
        return redirect(evaluation)
    return None


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _cleaned(form: Any, *skip: str) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k not in {"version", *skip}}


# --- Lists and set-up --------------------------------------------------------------------------


def portfolio_table(request: HttpRequest) -> tuple[PortfolioFilter, PortfolioTable]:
    """The user's portfolio, filtered and sorted from the query string (shared by / and /evaluations/)."""
    portfolio_filter = PortfolioFilter(request.GET, queryset=selectors.portfolio(request.user))
    table = PortfolioTable(portfolio_filter.qs)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return portfolio_filter, table


def evaluation_list(request: HttpRequest) -> HttpResponse:
    portfolio_filter, table = portfolio_table(request)
    return render(
        request,
        "scoring/evaluation_list.html",
        {
            "filter": portfolio_filter,
            "table": table,
            "can_create": request.user.has_perm("scoring.add_evaluation"),
        },
    )


def _buyer_profile_initial() -> dict[str, Any]:
    """The buyer's profile, to start a form from (evaluations and needs assessments)."""
    profile = Organization.objects.order_by("pk").first()
    if profile is None:
        return {}
    return {
        "organization_name": profile.name,
        "employees": profile.employees,
        "devices": profile.devices,
        "it_staff": profile.it_staff,
        "it_staff_annual_cost": profile.it_staff_annual_cost,
        "industry": profile.industry,
        "compliance": ", ".join(profile.compliance or []),
    }


def evaluation_create(request: HttpRequest) -> HttpResponse:
    _require(request, "scoring.add_evaluation", None, "Only Procurement and admins set up evaluations.")
    initial = _buyer_profile_initial()
    assessment = _prefill_assessment(request)
    if assessment is not None:
        initial = {
            "title": f"Managed IT for {assessment.organization_name}",
            "model": assessment.recommended,
            "organization_name": assessment.organization_name,
            "employees": assessment.employees,
            "devices": assessment.devices,
            "it_staff": assessment.it_staff,
            "it_staff_annual_cost": assessment.it_staff_annual_cost,
            "industry": assessment.industry,
            "compliance": ", ".join(assessment.compliance),
            "requirement_templates": services.requirements_for(assessment.compliance),
        }
    form = EvaluationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = _cleaned(form)
        templates = fields.pop("requirement_templates", [])
        try:
            evaluation = services.evaluation_create(owner=request.user, requirement_templates=templates, **fields)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Evaluation created with the library's questions for its model and price.")
            return redirect(evaluation)
    return render(request, "scoring/evaluation_form.html", {"form": form})


def _prefill_assessment(request: HttpRequest) -> NeedsAssessment | None:
    raw = request.GET.get("assessment", "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        return None
    return selectors.visible_assessments(request.user).filter(pk=int(raw)).first()


@evaluation_view("scoring.manage_evaluation", writable=True)
def evaluation_edit(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    form = EvaluationForm(request.POST or None, instance=evaluation)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_update(
                evaluation=Evaluation.objects.get(pk=evaluation.pk),
                expected_version=form.expected_version,
                **_cleaned(form),
            )
        except EditConflict as conflict:
            form.add_conflict(conflict.current)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Evaluation saved.")
            return redirect(evaluation)
    return render(request, "scoring/evaluation_form.html", {"form": form, "evaluation": evaluation})


@require_POST
@evaluation_view("scoring.manage_evaluation")
def evaluation_transition(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status to move to.")
        return redirect(evaluation)
    try:
        services.evaluation_transition(
            evaluation=evaluation, to=form.cleaned_data["to"], reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        evaluation.refresh_from_db()
        messages.success(request, f"The evaluation is now {evaluation.get_status_display().lower()}.")
    return redirect(evaluation)


@evaluation_view("scoring.manage_evaluation", writable=True)
def criteria_edit(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    criteria = list(Criterion.objects.filter(evaluation=evaluation))
    form = CriteriaForm(request.POST or None, criteria=criteria, version=evaluation.version)
    if request.method == "POST" and form.is_valid():
        try:
            services.criteria_update(
                evaluation=evaluation,
                weights=form.weights(),
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict:
            form.add_error(
                None,
                "These weights were changed by someone else while you were editing them: the weights below are "
                "theirs now. Nothing of yours was saved; make your change again.",
            )
            fresh = {c.pk: c.weight for c in Criterion.objects.filter(evaluation=evaluation)}
            data = form.data.copy()
            for criterion in criteria:
                data[f"weight_{criterion.pk}"] = format(fresh[criterion.pk].normalize(), "f")
            data["version"] = str(Evaluation.objects.get(pk=evaluation.pk).version)
            form.data = data
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Weights saved; the ranking is up to date.")
            return redirect(evaluation)
    rows = [(c, form[f"weight_{c.pk}"]) for c in criteria]
    return render(
        request,
        "scoring/criteria_form.html",
        {
            "evaluation": evaluation,
            "form": form,
            "rows": rows,
            "scoring_started": services.scoring_started(evaluation),
        },
    )


@evaluation_view("scoring.manage_evaluation", writable=True)
def evaluators_edit(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    form = EvaluatorsForm(request.POST or None, evaluation=evaluation)
    if request.method == "POST" and form.is_valid():
        added = services.evaluators_add(evaluation=evaluation, users=form.cleaned_data["evaluators"])
        messages.success(request, f"{added} evaluator{'s' if added != 1 else ''} assigned.")
        return redirect(evaluation)
    return render(request, "scoring/evaluators_form.html", {"evaluation": evaluation, "form": form})


# --- Candidates ----------------------------------------------------------------------------------


def _candidate_status_prefix(candidate: Candidate) -> str:
    return f"candidate-{candidate.pk}"


def _candidates_page(
    request: HttpRequest,
    evaluation: Evaluation,
    *,
    invite_form: CandidateInviteForm | None = None,
    changed: tuple[Candidate, CandidateStatusForm] | None = None,
) -> HttpResponse:
    """The candidates with their status and whether their bid arrived; the owner's forms while it is open."""
    editable = can(request.user, "scoring.manage_evaluation", evaluation) and not evaluation.is_locked
    found = list(selectors.candidates(evaluation))
    if (locked_at := services.lock_moment(evaluation)) is not None:
        # A locked evaluation names its candidates as the registry did at the lock.
        then = selectors.as_of(MSP, {c.msp_id for c in found}, locked_at)
        for candidate in found:
            candidate.msp = then.get(candidate.msp_id, candidate.msp)
    status_forms: dict[int, CandidateStatusForm] = {}
    if editable:
        invite_form = invite_form or CandidateInviteForm(evaluation=evaluation)
        status_forms = {c.pk: CandidateStatusForm(prefix=_candidate_status_prefix(c), instance=c) for c in found}
        if changed is not None:
            status_forms[changed[0].pk] = changed[1]
    return render(
        request,
        "scoring/candidates.html",
        {
            "evaluation": evaluation,
            "candidates": [(c, status_forms.get(c.pk)) for c in found],
            "bid_count": sum(1 for c in found if c.bid_id is not None),
            "editable": editable,
            "invite_form": invite_form if editable else None,
            "open_form": changed[0].pk if changed else None,
        },
    )


@evaluation_view()
def candidates(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """The MSPs invited to bid, whether or not they have bid; the owner invites more here."""
    if not can(request.user, "scoring.manage_evaluation", evaluation):
        # Who bid says nothing of the ranking, but evaluators see it with the results.
        _require(
            request, "scoring.view_results", evaluation, "The candidates open to you once you submit your scorecard."
        )
    form = None
    if request.method == "POST":
        _manage(request, evaluation)
        if response := _writable_or_redirect(request, evaluation):
            return response
        form = CandidateInviteForm(request.POST, evaluation=evaluation)
        if form.is_valid():
            try:
                added = services.candidate_invite(
                    evaluation=evaluation, msps=form.cleaned_data["msps"], by=request.user
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"{len(added)} MSP{'s' if len(added) != 1 else ''} invited to bid.")
                return redirect("scoring:candidates", pk=evaluation.pk)
    return _candidates_page(request, evaluation, invite_form=form)


@require_POST
@evaluation_view("scoring.manage_evaluation", writable=True)
def candidate_update(request: HttpRequest, evaluation: Evaluation, candidate_pk: int) -> HttpResponse:
    candidate = get_object_or_404(
        Candidate.objects.select_related("msp", "evaluation"), pk=candidate_pk, evaluation=evaluation
    )
    form = CandidateStatusForm(request.POST, prefix=_candidate_status_prefix(candidate), instance=candidate)
    if form.is_valid():
        try:
            services.candidate_update(
                candidate=candidate,
                expected_version=form.expected_version,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except EditConflict as conflict:
            form.add_conflict(conflict.current)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{candidate.msp.name}: {candidate.get_status_display().lower()}.")
            return redirect("scoring:candidates", pk=evaluation.pk)
    return _candidates_page(request, evaluation, changed=(candidate, form))


# --- Dashboard ---------------------------------------------------------------------------------


@cached_page()
@evaluation_view()
def dashboard(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    user = request.user
    sees_results = can(user, "scoring.view_results", evaluation)
    manages = can(user, "scoring.manage_evaluation", evaluation)
    assignment = selectors.assignment_for(evaluation, user)
    context: dict[str, Any] = {
        "evaluation": evaluation,
        "sees_results": sees_results,
        "manages": manages,
        "assignment": assignment,
        "requirements": list(evaluation.requirements.all()),
        "transition_choices": [(s, Status(s).label) for s in evaluation.allowed_transitions()] if manages else [],
        "can_export_package": can(user, "scoring.export_package", evaluation),
    }
    if context["can_export_package"]:
        context["award"] = (
            Award.objects.filter(evaluation=evaluation, decision__in=[AwardDecision.PENDING, AwardDecision.APPROVED])
            .select_related("bid", "decided_by")
            .first()
        )
    if sees_results or manages:
        # The results, the bids and the criteria are the same for everyone who sees them: cached by content.
        # A manager who is blind (assigned, not submitted) gets the bids and criteria, never the results.
        parts, drawn = fragments.dashboard(evaluation, can_export_package=context["can_export_package"])
        if not sees_results:
            parts.pop("results", None)
            drawn = None
        context.update({f"{name}_html": html for name, html in parts.items()})
        context.update(drawn or {})
        # With what the record says of each scorer: an owner who scores, a submission from a package.
        context["assignments"], load = selectors.assignments_with_load(evaluation)
        context["scorer_notes"] = selectors.scorer_notes(evaluation, context["assignments"], load)
        context["candidate_counts"] = selectors.candidate_counts(evaluation)
        context["conflicts"] = ConflictOfInterest.objects.filter(evaluation=evaluation).select_related(
            "evaluator", "msp"
        )
    if assignment is not None:
        slots = services.scorecard_slots(assignment)
        context["scorecard_total"] = sum(len(questions) for _, questions in slots)
        context["scorecard_done"] = Score.objects.filter(assignment=assignment).count()
    return render(request, "scoring/dashboard.html", context)


# --- Bids --------------------------------------------------------------------------------------


def _bid(evaluation: Evaluation, bid_pk: int) -> Bid:
    return get_object_or_404(Bid.objects.select_related("msp", "evaluation"), pk=bid_pk, evaluation=evaluation)


@evaluation_view()
def bid_detail(request: HttpRequest, evaluation: Evaluation, bid_pk: int) -> HttpResponse:
    bid = _bid(evaluation, bid_pk)
    sees_results = can(request.user, "scoring.view_results", evaluation)
    sees_prices = can(request.user, "scoring.view_prices", evaluation)
    data = selectors.ranking_input(evaluation).data
    bid_data = next(b for b in data.bids if b.vendor == bid.vendor_name)
    flags, waived = ranking.red_flags(bid_data, data.requirements)
    manual = list(RedFlag.objects.filter(bid=bid).select_related("raised_by"))
    waivers = list(Waiver.objects.filter(bid=bid).select_related("waived_by"))
    automatic = ranking.automatic_flags(bid_data)
    requirements = [(r, r.key in bid_data.requirements_met) for r in evaluation.requirements.all()]
    monthly_cost = ranking.monthly_cost(bid_data, data.organization)
    risks = guide.split_risks(bid.responsibilities or {})
    documents = list(BidDocument.objects.filter(bid=bid).select_related("uploaded_by", "requirement"))
    evidence = {
        r.key: [d for d in documents if d.requirement_id == r.pk and d.withdrawn_at is None] for r, _ in requirements
    }
    context = {
        "evaluation": evaluation,
        "bid": bid,
        "sees_prices": sees_prices,
        "sees_results": sees_results,
        "manages": can(request.user, "scoring.manage_evaluation", evaluation) and not evaluation.is_locked,
        "monthly_cost": monthly_cost,
        "over_budget": (
            monthly_cost - evaluation.monthly_budget
            if evaluation.monthly_budget is not None and monthly_cost > evaluation.monthly_budget
            else None
        ),
        "price_marks": guide.price_marks(
            model=bid.model,
            pricing_model=bid.pricing_model,
            rate=bid.rate,
            monthly_cost=monthly_cost,
            critical_response=bid.critical_response_minutes,
        ),
        "scope": [(label, key in bid.scope_included) for key, label in guide.FULLY_MANAGED_INCLUSIONS.items()],
        "left_out": [label for key, label in guide.USUAL_EXCLUSIONS.items() if key in bid.scope_excluded],
        "arrangement": guide.CO_MANAGED_ARRANGEMENTS.get(bid.arrangement, ""),
        "split": [
            (
                label,
                guide.OWNERS.get(bid.responsibilities.get(function, ""), ""),
                "dropped" if function in risks.dropped else "finger" if function in risks.finger_pointing else "",
            )
            for function, label in guide.RESPONSIBILITY_FUNCTIONS.items()
        ],
        "risks": risks,
        "documents": documents,
        "evidence": evidence,
        "reference_checks": list(bid.reference_checks.select_related("reference", "checked_by")),
        "references_on_file": bid.msp.references.filter(archived_at__isnull=True).count(),
        "today": timezone.localdate(),
        "tco": ranking.tco(bid_data, data.organization, data.term_months),
        "internal_annual": ranking.internal_annual_cost(bid_data, data.organization),
        "flags": flags,
        "automatic": [(code, ranking.AUTOMATIC_RULES[code]) for code in sorted(automatic)],
        "manual": manual,
        "waivers": waivers,
        "waived": waived,
        "requirements": requirements,
        "rules": ranking.AUTOMATIC_RULES,
        "eligible": ranking.is_eligible(flags, evaluation.red_flag_policy),
    }
    if (locked_at := services.lock_moment(evaluation)) is not None:
        _as_at_lock(context, bid, locked_at)
    return render(request, "scoring/bid_detail.html", context)


def _as_at_lock(context: dict[str, Any], bid: Bid, locked_at: datetime) -> None:
    """A locked evaluation's bid page shows what it drew on from outside as it stood at the lock:
    the client references called and the names of the people who acted, however edited since."""
    checks = context["reference_checks"]
    references = selectors.as_of(ClientReference, {c.reference_id for c in checks}, locked_at)
    people = selectors.as_of(
        User,
        {c.checked_by_id for c in checks}
        | {d.uploaded_by_id for d in context["documents"]}
        | {f.raised_by_id for f in context["manual"]}
        | {w.waived_by_id for w in context["waivers"]},
        locked_at,
    )
    for check in checks:
        check.reference = references.get(check.reference_id, check.reference)
        check.checked_by = people.get(check.checked_by_id, check.checked_by)
    for document in context["documents"]:
        document.uploaded_by = people.get(document.uploaded_by_id, document.uploaded_by)
    for flag in context["manual"]:
        if flag.raised_by_id:
            flag.raised_by = people.get(flag.raised_by_id, flag.raised_by)
    for waiver in context["waivers"]:
        if waiver.waived_by_id:
            waiver.waived_by = people.get(waiver.waived_by_id, waiver.waived_by)
    context["references_on_file"] = (
        ClientReference.history.as_of(locked_at).filter(msp_id=bid.msp_id, archived_at__isnull=True).count()
    )


@evaluation_view("scoring.manage_evaluation", writable=True)
def bid_form(request: HttpRequest, evaluation: Evaluation, bid_pk: int | None = None) -> HttpResponse:
    bid = _bid(evaluation, bid_pk) if bid_pk else None
    form = BidForm(request.POST or None, instance=bid or Bid(evaluation=evaluation), evaluation=evaluation)
    if request.method == "POST" and form.is_valid():
        fields = _cleaned(form)
        requirements = fields.pop("requirements_met", [])
        try:
            if bid is None:
                saved = services.bid_create(evaluation=evaluation, requirements_met=requirements, **fields)
            else:
                saved = services.bid_update(
                    bid=Bid.objects.select_related("evaluation", "msp").get(pk=bid.pk),
                    expected_version=form.expected_version,
                    requirements_met=requirements,
                    **fields,
                )
        except EditConflict as conflict:
            form.add_conflict(conflict.current)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Bid from {saved.msp.name} saved; red flags and ranking recomputed.")
            return redirect(saved)
    return render(request, "scoring/bid_form.html", {"evaluation": evaluation, "bid": bid, "form": form})


@evaluation_view("scoring.manage_evaluation", writable=True)
def flag_create(request: HttpRequest, evaluation: Evaluation, bid_pk: int) -> HttpResponse:
    bid = _bid(evaluation, bid_pk)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_raise(bid=bid, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Red flag {form.cleaned_data['code']} raised on {bid.msp.name}.")
            return redirect(bid)
    return render(
        request,
        "scoring/flag_form.html",
        {"evaluation": evaluation, "bid": bid, "form": form, "rules": ranking.AUTOMATIC_RULES},
    )


@evaluation_view("scoring.manage_evaluation", writable=True)
def waiver_create(request: HttpRequest, evaluation: Evaluation, bid_pk: int) -> HttpResponse:
    bid = _bid(evaluation, bid_pk)
    data = selectors.ranking_input(evaluation).data
    bid_data = next(b for b in data.bids if b.vendor == bid.vendor_name)
    codes = sorted(ranking.automatic_flags(bid_data) - set(bid_data.waived_flags) - set(bid_data.manual_flags))
    if not codes:
        messages.info(request, "No automatic red flag holds for this bid, so there is nothing to waive.")
        return redirect(bid)
    form = WaiverForm(request.POST or None, codes=codes)
    if request.method == "POST" and form.is_valid():
        try:
            services.waiver_create(bid=bid, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{form.cleaned_data['code']} waived on {bid.msp.name}.")
            return redirect(bid)
    return render(request, "scoring/waiver_form.html", {"evaluation": evaluation, "bid": bid, "form": form})


def _reason_action(
    request: HttpRequest, evaluation: Evaluation, bid_pk: int, model: type, obj_pk: int, action: Any, done: str
) -> HttpResponse:
    bid = _bid(evaluation, bid_pk)
    obj = get_object_or_404(model, pk=obj_pk, bid=bid)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason: it is kept in the history.")
        return redirect(bid)
    try:
        action(obj, form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(bid)


@require_POST
@evaluation_view("scoring.manage_evaluation")
def flag_withdraw(request: HttpRequest, evaluation: Evaluation, bid_pk: int, flag_pk: int) -> HttpResponse:
    return _reason_action(
        request,
        evaluation,
        bid_pk,
        RedFlag,
        flag_pk,
        lambda flag, reason: services.flag_withdraw(flag=flag, reason=reason),
        "Red flag withdrawn.",
    )


@require_POST
@evaluation_view("scoring.manage_evaluation")
def waiver_revoke(request: HttpRequest, evaluation: Evaluation, bid_pk: int, waiver_pk: int) -> HttpResponse:
    return _reason_action(
        request,
        evaluation,
        bid_pk,
        Waiver,
        waiver_pk,
        lambda waiver, reason: services.waiver_revoke(waiver=waiver, reason=reason),
        "Waiver revoked: the red flag counts again.",
    )


# --- Scorecards --------------------------------------------------------------------------------

# Separated duties: assigned through old data or not, these people never score.
SCORING_REFUSED = "Auditors, executives and deactivated users never score, even when assigned."


@evaluation_view()
def scorecard(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    assignment = selectors.assignment_for(evaluation, request.user)
    if assignment is None:
        raise PermissionDenied("Only evaluators assigned to this evaluation have a scorecard.")
    _require(request, "scoring.score_evaluation", evaluation, SCORING_REFUSED)
    slots = services.scorecard_slots(assignment)
    existing = {(s.bid_id, s.criterion_id): s for s in Score.objects.filter(assignment=assignment)}
    form = ScorecardForm(request.POST or None, slots=slots, existing=existing)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.scorecard_save(assignment=assignment, entries=form.entries(), submit=submit)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if submit:
                messages.success(request, "Scorecard submitted. The ranking and prices are now open to you.")
                return redirect(evaluation)
            messages.success(request, "Draft saved. Drafts don't count until you submit.")
            return redirect("scoring:scorecard", pk=evaluation.pk)
    declared = ConflictOfInterest.objects.filter(evaluation=evaluation, evaluator=request.user).select_related("msp")
    return render(
        request,
        "scoring/scorecard.html",
        {
            "evaluation": evaluation,
            "assignment": assignment,
            "form": form,
            "rows": form.rows(),
            "declared": declared,
            "conflict_form": ConflictForm(evaluation=evaluation, declared={c.msp_id for c in declared}),
            "editable": evaluation.status == Status.SCORING and not assignment.is_submitted,
            "package_load": selectors.package_load(evaluation),
        },
    )


@require_POST
@evaluation_view()
def conflict_declare(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    assignment = selectors.assignment_for(evaluation, request.user)
    if assignment is None:
        raise PermissionDenied("Only evaluators assigned to this evaluation declare conflicts on it.")
    _require(request, "scoring.score_evaluation", evaluation, SCORING_REFUSED)
    declared = set(
        ConflictOfInterest.objects.filter(evaluation=evaluation, evaluator=request.user).values_list(
            "msp_id", flat=True
        )
    )
    form = ConflictForm(request.POST, evaluation=evaluation, declared=declared)
    if form.is_valid():
        try:
            services.conflict_declare(assignment=assignment, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"Conflict with {form.cleaned_data['msp'].name} declared; the owner has been told."
            )
    else:
        messages.error(request, "Choose the MSP you have a conflict with.")
    return redirect("scoring:scorecard", pk=evaluation.pk)


@require_POST
@evaluation_view("scoring.manage_evaluation")
def scorecard_reopen(request: HttpRequest, evaluation: Evaluation, assignment_pk: int) -> HttpResponse:
    assignment = get_object_or_404(Assignment, pk=assignment_pk, evaluation=evaluation)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason to reopen a scorecard: it is kept in the history.")
        return redirect(evaluation)
    try:
        services.scorecard_reopen(assignment=assignment, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Scorecard of {assignment.evaluator} reopened; its scores no longer count.")
    return redirect(evaluation)


# --- Import and downloads ----------------------------------------------------------------------


def evaluation_import(request: HttpRequest) -> HttpResponse:
    _require(request, "scoring.add_evaluation", None, "Only Procurement and admins load evaluation packages.")
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        door = PackageLoad.Door.WEB
        try:
            raw = form.cleaned_data["package"].read()
            package = parse_package(loads(raw), vet=lambda found: services.package_problems(found, door=door))
            evaluation = services.evaluation_load(
                package=package, owner=request.user, source_sha256=hashlib.sha256(raw).hexdigest(), door=door
            )
        except (ValueError, UnicodeDecodeError) as exc:
            problems = [f"(document): not valid JSON: {exc}"]
        except PackageError as exc:
            problems = exc.errors
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(request, f"Loaded “{evaluation.title}” with {len(package.bids)} bids.")
            return redirect(evaluation)
    status = 400 if problems else 200
    return render(request, "scoring/import.html", {"form": form, "problems": problems}, status=status)


def _filename(evaluation: Evaluation, suffix: str) -> str:
    return f"{slugify(evaluation.title) or 'evaluation'}-{evaluation.pk}-{suffix}"


@evaluation_view("scoring.view_results")
def ranking_json(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    response = HttpResponse(exports.ranking_json_bytes(evaluation), content_type="application/json")
    response["Content-Disposition"] = f'inline; filename="{_filename(evaluation, "ranking.json")}"'
    return response


@evaluation_view("scoring.view_results")
def ranking_csv(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    response = HttpResponse(exports.ranking_csv_bytes(evaluation), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(evaluation, "ranking.csv")}"'
    return response


@evaluation_view("scoring.view_results")
def ranking_xlsx(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    response = HttpResponse(
        exports.ranking_xlsx(evaluation),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(evaluation, "ranking.xlsx")}"'
    return response


@evaluation_view("scoring.export_package")
def package_json(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    # A locked evaluation serves the package kept at its lock, whatever was written since.
    body = json.dumps(services.package_document(evaluation), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{_filename(evaluation, "package.json")}"'
    return response


# --- The audit trail -------------------------------------------------------------------------


def _date_range(request: HttpRequest) -> tuple[date | None, date | None, str]:
    """The ``from`` and ``to`` dates of the history filter; a bad one is ignored with a message."""
    found: list[date | None] = []
    problems = []
    for name, label in (("from", "From"), ("to", "To")):
        raw = request.GET.get(name, "").strip()
        try:
            found.append(date.fromisoformat(raw) if raw else None)
        except ValueError:
            found.append(None)
            problems.append(f"{label} is not a date (use YYYY-MM-DD): it was left out.")
    if found[0] and found[1] and found[0] > found[1]:
        problems.append("From is after To: nothing can match.")
    return found[0], found[1], " ".join(problems)


@evaluation_view("scoring.export_package")
def history(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    found = selectors.evaluation_history(evaluation)
    kinds = sorted({entry.kind for entry in found})
    people = sorted({entry.who for entry in found})
    kind, person = request.GET.get("kind", ""), request.GET.get("who", "")
    date_from, date_to, filter_error = _date_range(request)
    shown = [
        e
        for e in found
        if (not kind or e.kind == kind)
        and (not person or e.who == person)
        and (date_from is None or timezone.localtime(e.when).date() >= date_from)
        and (date_to is None or timezone.localtime(e.when).date() <= date_to)
    ]
    return render(
        request,
        "scoring/history.html",
        {
            "evaluation": evaluation,
            "entries": list(reversed(shown)),
            "kinds": kinds,
            "people": people,
            "kind": kind,
            "person": person,
            "date_from": date_from,
            "date_to": date_to,
            "filter_error": filter_error,
            "total": len(found),
            "package_load": selectors.package_load(evaluation),
        },
    )


HISTORY_COLUMNS = ("when", "who", "action", "record", "changes", "reason")


def history_rows(evaluation: Evaluation) -> list[tuple[str, ...]]:
    """The audit trail as the contract's CSV columns, header first."""
    return [HISTORY_COLUMNS] + [
        (
            entry.when.isoformat(),
            entry.username or entry.who,
            entry.action,
            entry.record_ref,
            entry.changes_text,
            entry.reason,
        )
        for entry in selectors.evaluation_history(evaluation)
    ]


@evaluation_view("scoring.export_package")
def history_csv(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for cells in history_rows(evaluation):
        writer.writerow([ranking.spreadsheet_safe(cell) for cell in cells])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(evaluation, "history.csv")}"'
    return response


# --- Needs assessment --------------------------------------------------------------------------


def assessment_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "scoring/assessment_list.html",
        {
            "assessments": selectors.visible_assessments(request.user).select_related("created_by"),
            "can_create": request.user.has_perm("scoring.add_evaluation"),
        },
    )


def assessment_create(request: HttpRequest) -> HttpResponse:
    _require(request, "scoring.add_evaluation", None, "Only Procurement and admins run needs assessments.")
    initial = _buyer_profile_initial()
    form = NeedsAssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect(assessment)
    return render(request, "scoring/assessment_form.html", {"form": form})


QUICK_GUIDE = [
    ("under-50-no-it", "Under 50 employees, no IT staff", "Fully managed"),
    ("50-100-one-it", "50–100 employees, 1 IT person", "Co-managed, to support the solo worker"),
    ("100-300-small-team", "100–300 employees, 2–5 IT staff", "Co-managed, strongly recommended"),
    ("300-plus-department", "300+ employees, established IT department", "Co-managed or selective specialist work"),
    ("heavy-compliance", "Any size, heavy compliance focus", "Depends on the depth of internal expertise"),
]


def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(selectors.visible_assessments(request.user), pk=pk)
    result = guide.assess(services.profile_of(assessment))
    answered = set(assessment.answers)
    return render(
        request,
        "scoring/assessment_detail.html",
        {
            "assessment": assessment,
            "result": result,
            "quick_guide": QUICK_GUIDE,
            "matched": {result.rule} | ({"heavy-compliance"} if assessment.heavy_compliance else set()),
            "answered_groups": [
                (title, [text for key, text in options.items() if key in answered])
                for title, options in (
                    ("Fully managed indicators", guide.FULLY_MANAGED_INDICATORS),
                    ("Co-managed indicators", guide.CO_MANAGED_INDICATORS),
                    ("Co-managed triggers", guide.CO_MANAGED_TRIGGERS),
                )
            ],
            "can_start": request.user.has_perm("scoring.add_evaluation"),
            "steps": guide.DECISION_STEPS,
            "misconceptions": guide.MISCONCEPTIONS,
        },
    )


# --- Documents and reference checks ------------------------------------------------------------


@evaluation_view("scoring.manage_evaluation", writable=True)
def document_upload(request: HttpRequest, evaluation: Evaluation, bid_pk: int) -> HttpResponse:
    bid = _bid(evaluation, bid_pk)
    form = DocumentForm(request.POST or None, request.FILES or None, bid=bid)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_upload(
                bid=bid,
                kind=data["kind"],
                upload=data["file"],
                requirement=data["requirement"],
                expires_on=data["expires_on"],
                by=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{document.name} stored (SHA-256 {document.sha256[:12]}…).")
            return redirect(bid)
    return render(request, "scoring/document_form.html", {"evaluation": evaluation, "bid": bid, "form": form})


@evaluation_view(
    "scoring.view_prices", message="Bid documents carry prices: they open to you once you submit your scorecard."
)
def document_download(request: HttpRequest, evaluation: Evaluation, bid_pk: int, document_pk: int) -> FileResponse:
    bid = _bid(evaluation, bid_pk)
    document = get_object_or_404(BidDocument, pk=document_pk, bid=bid)
    if not can(request.user, "scoring.view_prices", evaluation):
        raise PermissionDenied("Bid documents carry prices: they open to you once you submit your scorecard.")
    if not document.file:
        raise Http404("This document came as a record in a package; its file was not part of it.")
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.name)
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@evaluation_view("scoring.manage_evaluation")
def document_withdraw(request: HttpRequest, evaluation: Evaluation, bid_pk: int, document_pk: int) -> HttpResponse:
    return _reason_action(
        request,
        evaluation,
        bid_pk,
        BidDocument,
        document_pk,
        lambda document, reason: services.document_withdraw(document=document, reason=reason),
        "Document withdrawn; it stays in the record.",
    )


@evaluation_view("scoring.manage_evaluation", writable=True)
def reference_check_create(request: HttpRequest, evaluation: Evaluation, bid_pk: int) -> HttpResponse:
    bid = _bid(evaluation, bid_pk)
    form = ReferenceCheckForm(request.POST or None, bid=bid)
    if request.method == "POST" and form.is_valid():
        try:
            services.reference_check_create(bid=bid, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Reference check recorded.")
            return redirect(bid)
    return render(request, "scoring/reference_check_form.html", {"evaluation": evaluation, "bid": bid, "form": form})


# --- Side by side ------------------------------------------------------------------------------


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


CompareLine = tuple[str, list[str], bool]  # label, one value per bid, whether they differ


def bid_picker(evaluation: Evaluation) -> list[Bid]:
    """The evaluation's bids with only what the picker shows (the name the bid was made under): the chosen
    ones are read in full."""
    return list(
        Bid.objects.filter(evaluation=evaluation)
        .select_related("msp")
        .only("evaluation_id", "version", "vendor_name", "msp__name")
    )


def _picked(request: HttpRequest, bids: list[Bid]) -> tuple[list[Bid], str]:
    """The bids of ``bids`` picked in ``?bid=``, in their order, and an error for a bad pick."""
    chosen_ids = [int(raw) for raw in request.GET.getlist("bid") if raw.isascii() and raw.isdigit() and len(raw) < 19]
    picked = [bid for bid in bids if bid.pk in chosen_ids]
    if request.GET.getlist("bid") and not 2 <= len(picked) <= 4:
        return picked, "Pick two to four bids of this evaluation."
    return picked, ""


def compare_sections(
    request: HttpRequest, evaluation: Evaluation, bids: list[Bid]
) -> tuple[list[Bid], list[tuple[str, list[CompareLine]]], str]:
    """The bids picked in ``?bid=`` (in the order of ``bids``, the picker's: see ``bid_picker``),
    their comparison in sections, and an error for a bad pick."""
    picked, error = _picked(request, bids)
    full = {} if error else Bid.objects.select_related("msp").in_bulk([bid.pk for bid in picked])
    chosen = [full[bid.pk] for bid in picked if bid.pk in full] if full else picked
    sections: list[tuple[str, list[CompareLine]]] = []
    if not error and len(chosen) >= 2:
        document = services.stored_ranking(evaluation)
        row_of = {row["vendor"]: row for row in document["ranking"]}
        criteria = list(Criterion.objects.filter(evaluation=evaluation))
        requirements = list(evaluation.requirements.all())
        met = {
            (link_bid, key)
            for link_bid, key in RequirementMet.objects.filter(bid__in=chosen).values_list("bid_id", "requirement__key")
        }

        def line(label: str, values: list[str]) -> CompareLine:
            return (label, values, len(set(values)) > 1)

        rows = [row_of.get(bid.vendor_name, {}) for bid in chosen]
        sections.append(
            (
                "Result",
                [
                    line("Rank", [str(r.get("rank") or "—") for r in rows]),
                    line(
                        "Total", [f"{r['total']:.2f}" if r.get("total") is not None else "disqualified" for r in rows]
                    ),
                    line("Red flags", [", ".join(r.get("red_flags", [])) or "none" for r in rows]),
                    *[
                        line(
                            f"{c.key} (weight {c.weight.normalize():f})",
                            [
                                f"{r['criteria'][c.key]:.1f} %" if c.key in r.get("criteria", {}) else "n/a"
                                for r in rows
                            ],
                        )
                        for c in criteria
                    ],
                ],
            )
        )
        sections.append(
            (
                "Price",
                [
                    line("Model", [bid.get_model_display() for bid in chosen]),
                    line("Pricing", [bid.get_pricing_model_display() for bid in chosen]),
                    line("Monthly cost", [f"${r.get('monthly_cost', 0):,.2f}" for r in rows]),
                    line(f"TCO over {evaluation.term_months} months", [f"${r.get('tco', 0):,.2f}" for r in rows]),
                    line("Onboarding fee", [f"${bid.onboarding_fee:,.2f}" for bid in chosen]),
                ],
            )
        )
        sections.append(
            (
                "Service and contract",
                [
                    line(
                        "Critical response",
                        [
                            (f"{bid.critical_response_minutes} min" if bid.critical_response_minutes else "none")
                            + (" (best effort)" if bid.sla_best_effort else "")
                            for bid in chosen
                        ],
                    ),
                    line("Contract term", [f"{bid.contract_term_months} months" for bid in chosen]),
                    line("Performance exit clause", [_yes_no(bid.performance_exit_clause) for bid in chosen]),
                    line("References offered", [str(bid.references_offered) for bid in chosen]),
                    line("Assessed our environment", [_yes_no(bid.environment_assessed) for bid in chosen]),
                    line(
                        "Documented escalation and onboarding",
                        [_yes_no(bid.documented_escalation and bid.documented_onboarding) for bid in chosen],
                    ),
                    *[line(r.text, [_yes_no((bid.pk, r.key) in met) for bid in chosen]) for r in requirements],
                ],
            )
        )
        sections.append(
            (
                "Scope (fully managed)",
                [
                    line(
                        label,
                        [_yes_no(key in bid.scope_included) if bid.model == "fully_managed" else "—" for bid in chosen],
                    )
                    for key, label in guide.FULLY_MANAGED_INCLUSIONS.items()
                ],
            )
        )
        sections.append(
            (
                "Who owns what (co-managed)",
                [
                    line(
                        label,
                        [
                            guide.OWNERS.get(bid.responsibilities.get(function, ""), "nobody")
                            if bid.model == "co_managed"
                            else "—"
                            for bid in chosen
                        ],
                    )
                    for function, label in guide.RESPONSIBILITY_FUNCTIONS.items()
                ],
            )
        )
    return chosen, sections, error


@cached_page("bid")
@evaluation_view("scoring.view_results", message="The comparison opens to you once you submit your scorecard.")
def compare(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """Two to four bids in aligned columns, with the rows where they differ highlighted."""
    bids = bid_picker(evaluation)
    chosen, error = _picked(request, bids)
    if error or len(chosen) < 2:
        return compare_page(request, evaluation, bids, chosen, error=error)
    drawn: dict[str, Any] = {}

    def draw() -> str:
        drawn["chosen"], drawn["sections"], _ = compare_sections(request, evaluation, bids)
        return render_to_string("scoring/_compare_table.html", {**drawn, "evaluation": evaluation})

    table = fragments.comparison(evaluation, chosen, draw)
    # When the table was drawn now, its sections are in the context too.
    chosen = drawn.pop("chosen", chosen)
    return compare_page(request, evaluation, bids, chosen, table=table, **drawn)


def compare_page(
    request: HttpRequest,
    evaluation: Evaluation,
    bids: list[Bid],
    chosen: list[Bid],
    *,
    table: str = "",
    error: str = "",
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = {
        "evaluation": evaluation,
        "bids": bids,
        "chosen": chosen,
        "sections": [],
        "table": table,
        "error": error,
        "query": request.GET.urlencode(),
        **extra,
    }
    return render(request, "scoring/compare.html", context, status=status)


# --- Consensus ---------------------------------------------------------------------------------


@evaluation_view("scoring.view_results", message="Other evaluators' scores open to you once you submit.")
def consensus_view(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """The submitted scores per bid and question, their spread, and each evaluator's leniency."""
    scored = list(
        Score.objects.filter(bid__evaluation=evaluation, assignment__submitted_at__isnull=False).values_list(
            "assignment__evaluator__username", "bid__vendor_name", "criterion__key", "score", "from_package"
        )
    )
    rows = [row[:4] for row in scored]
    # Scores a package entered: shown as the importer's, not as the evaluator's own.
    from_package = {row[:3] for row in scored if row[4]}
    found = consensus.cells(rows)
    normalised = consensus.normalise(rows)
    official = {row["vendor"]: row for row in services.stored_ranking(evaluation)["ranking"]}
    source = selectors.ranking_input(evaluation)
    adjusted = [
        {
            "rank": row.rank,
            "vendor": row.vendor,
            "total": ranking.written(row.total),
            "official_rank": official.get(row.vendor, {}).get("rank"),
            "official_total": official.get(row.vendor, {}).get("total"),
        }
        for row in ranking.rank(dataclasses.replace(source.data, scores=normalised.scores))
        if row.rank is not None
    ]
    evaluators = sorted({name for cell in found for name in cell.scores})
    order = {c.key: i for i, c in enumerate(Criterion.objects.filter(evaluation=evaluation))}
    found.sort(key=lambda cell: (cell.vendor.casefold(), order.get(cell.criterion, 0)))
    assignments, load = selectors.assignments_with_load(evaluation)
    notes = selectors.scorer_notes(evaluation, assignments, load)
    scorers = [
        {"username": a.evaluator.username, "name": a.evaluator.get_full_name(), "notes": notes[a.evaluator_id]}
        for a in assignments
        if a.evaluator.username in evaluators and a.evaluator_id in notes
    ]
    return render(
        request,
        "scoring/consensus.html",
        {
            "evaluation": evaluation,
            "cells": found,
            "table": [
                (cell, [(cell.scores.get(e), (e, cell.vendor, cell.criterion) in from_package) for e in evaluators])
                for cell in found
            ],
            "evaluators": evaluators,
            "scorers": scorers,
            "marked": {s["username"] for s in scorers},
            "load": load if from_package else None,
            "leniency": sorted(consensus.leniency(found).items()),
            "discuss_count": sum(1 for cell in found if cell.discuss),
            "discuss_range": consensus.DISCUSS_RANGE,
            "normalised": adjusted,
            "unchanged": normalised.unchanged,
            "reordered": any(row["rank"] != row["official_rank"] for row in adjusted),
        },
    )
