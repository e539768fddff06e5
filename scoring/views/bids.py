"""A bid's page and its forms: terms, red flags and waivers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from evaluator.concurrency import EditConflict
from scoring import guide, ranking, selectors, services
from scoring.forms import (
    BidForm,
    FlagForm,
    ReasonForm,
    WaiverForm,
)
from scoring.models import (
    Bid,
    BidDocument,
    Evaluation,
    RedFlag,
    Waiver,
)
from scoring.rules import can
from scoring.views.access import add_errors, cleaned, evaluation_view
from vendors.models import ClientReference


def get_bid(evaluation: Evaluation, bid_pk: int) -> Bid:
    return get_object_or_404(Bid.objects.select_related("msp", "evaluation"), pk=bid_pk, evaluation=evaluation)


@evaluation_view()
def bid_detail(request: HttpRequest, evaluation: Evaluation, bid_pk: int) -> HttpResponse:
    bid = get_bid(evaluation, bid_pk)
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
    bid = get_bid(evaluation, bid_pk) if bid_pk else None
    form = BidForm(request.POST or None, instance=bid or Bid(evaluation=evaluation), evaluation=evaluation)
    if request.method == "POST" and form.is_valid():
        fields = cleaned(form)
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
            add_errors(form, exc)
        else:
            messages.success(request, f"Bid from {saved.msp.name} saved; red flags and ranking recomputed.")
            return redirect(saved)
    return render(request, "scoring/bid_form.html", {"evaluation": evaluation, "bid": bid, "form": form})


@evaluation_view("scoring.manage_evaluation", writable=True)
def flag_create(request: HttpRequest, evaluation: Evaluation, bid_pk: int) -> HttpResponse:
    bid = get_bid(evaluation, bid_pk)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_raise(bid=bid, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
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
    bid = get_bid(evaluation, bid_pk)
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
            add_errors(form, exc)
        else:
            messages.success(request, f"{form.cleaned_data['code']} waived on {bid.msp.name}.")
            return redirect(bid)
    return render(request, "scoring/waiver_form.html", {"evaluation": evaluation, "bid": bid, "form": form})


def reason_action(
    request: HttpRequest, evaluation: Evaluation, bid_pk: int, model: type, obj_pk: int, action: Any, done: str
) -> HttpResponse:
    bid = get_bid(evaluation, bid_pk)
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
    return reason_action(
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
    return reason_action(
        request,
        evaluation,
        bid_pk,
        Waiver,
        waiver_pk,
        lambda waiver, reason: services.waiver_revoke(waiver=waiver, reason=reason),
        "Waiver revoked: the red flag counts again.",
    )
