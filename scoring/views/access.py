"""The one door to an evaluation's pages: fetched in the person's scope, the policy checked, the lock
respected; and the small helpers every form view shares."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.text import slugify

from scoring import selectors, services
from scoring.models import (
    Evaluation,
)
from scoring.rules import can, must_declare, viewer_annotations

DECLARE_FIRST = "Before you see the bids, read and sign the evaluators' declaration."


def _evaluation(request: HttpRequest, pk: int) -> Evaluation:
    """The evaluation if the user may see it; 404 otherwise (never someone else's data)."""
    # With whether the person scores it, read in the same query: the policy's predicates need no more.
    found = (
        selectors.visible_evaluations(request.user).select_related("owner").annotate(**viewer_annotations(request.user))
    )
    return get_object_or_404(found, pk=pk)


def require(request: HttpRequest, perm: str, evaluation: Evaluation | None, message: str = "") -> None:
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
    perm: str | None = None, *, message: str = "", writable: bool = False, before_declaration: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """The one door of every page about an evaluation: the policy applied before the view runs.

    Loads the evaluation in the person's scope (404 outside it, never data), sends an evaluator who has
    not signed the declaration to it (``rules.must_declare``; pages marked ``before_declaration`` aside),
    checks ``perm`` with the rules (403 with ``message``), and with ``writable`` refuses any request to a
    locked evaluation (recording a refused POST); then calls ``view(request, evaluation, **the other URL
    arguments)``.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponse:
            evaluation = _evaluation(request, pk)
            if not before_declaration and must_declare.test(request.user, evaluation):
                messages.info(request, DECLARE_FIRST)
                return redirect("scoring:declaration", pk=evaluation.pk)
            if perm is not None:
                require(request, perm, evaluation, message)
            if writable and (response := writable_or_redirect(request, evaluation)):
                return response
            return view(request, evaluation, *args, **kwargs)

        wrapped.evaluation_view = (perm, writable)  # read by the test that every evaluation page has one
        return wrapped

    return decorate


def require_manager(request: HttpRequest, evaluation: Evaluation) -> None:
    require(request, "scoring.manage_evaluation", evaluation, "Only the evaluation's owner and admins can change it.")


def writable_or_redirect(request: HttpRequest, evaluation: Evaluation) -> HttpResponse | None:
    if evaluation.is_locked:
        if request.method == "POST":
            services.note_refusal(evaluation, request.resolver_match.url_name.replace("_", " "))
        messages.error(request, f"This evaluation is {evaluation.get_status_display().lower()}: it can't be changed.")
        return redirect(evaluation)
    return None


def add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def cleaned(form: Any, *skip: str) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k not in {"version", *skip}}


def download_name(evaluation: Evaluation, suffix: str) -> str:
    return f"{slugify(evaluation.title) or 'evaluation'}-{evaluation.pk}-{suffix}"
