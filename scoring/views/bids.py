"""A bid's page and its forms: terms, red flags and waivers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.concurrency import EditConflict
from scoring import ranking, selectors, services
from scoring.forms import (
    BidForm,
    FlagForm,
    ReasonForm,
    WaiverForm,
)
from scoring.models import Bid, Evaluation, RedFlag, Waiver
from scoring.pages.bid import bid_page
from scoring.views.access import add_errors, cleaned, evaluation_view


def get_bid(evaluation: Evaluation, bid_pk: int) -> Bid:
    return get_object_or_404(selectors.evaluation_bids(evaluation), pk=bid_pk)


@evaluation_view()
def bid_detail(request: HttpRequest, evaluation: Evaluation, bid_pk: int) -> HttpResponse:
    page = bid_page(request.user, evaluation, get_bid(evaluation, bid_pk))
    return render(request, "scoring/bid_detail.html", page.context())


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
                    bid=selectors.evaluation_bids(evaluation).get(pk=bid.pk),
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
    codes = selectors.waivable_flags(evaluation, bid)
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
