"""Setting an evaluation up: creating or importing it, its fields, status, criteria and evaluators."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.concurrency import EditConflict
from scoring import selectors, services, tender_selectors
from scoring.forms import (
    CriteriaForm,
    EvaluationForm,
    EvaluatorsForm,
    ImportForm,
    TransitionForm,
)
from scoring.models import (
    Evaluation,
    NeedsAssessment,
    PackageLoad,
)
from scoring.package import PackageError, loading, loads, parse_package
from scoring.pages import setup
from scoring.views.access import add_errors, cleaned, evaluation_view, require


def evaluation_create(request: HttpRequest) -> HttpResponse:
    require(request, "scoring.add_evaluation", None, "Only Procurement and admins set up evaluations.")
    form = EvaluationForm(request.POST or None, initial=setup.evaluation_initial(_prefill_assessment(request)))
    if request.method == "POST" and form.is_valid():
        fields = cleaned(form)
        templates = fields.pop("requirement_templates", [])
        try:
            evaluation = services.evaluation_create(owner=request.user, requirement_templates=templates, **fields)
        except ValidationError as exc:
            add_errors(form, exc)
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
        addenda_before = tender_selectors.addendum_count(evaluation)
        try:
            services.evaluation_update(
                evaluation=selectors.evaluation_now(evaluation),
                expected_version=form.expected_version,
                **cleaned(form),
            )
        except EditConflict as conflict:
            form.add_conflict(conflict.current)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            issued = tender_selectors.addendum_count(evaluation)
            told = f" Addendum {issued} went to every invited MSP." if issued > addenda_before else ""
            messages.success(request, f"Evaluation saved.{told}")
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
    criteria = list(selectors.criteria(evaluation))
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
            setup.show_their_weights(form, evaluation, criteria)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Weights saved; the ranking is up to date.")
            return redirect(evaluation)
    return render(request, "scoring/criteria_form.html", setup.criteria_page(evaluation, form, criteria).context())


@evaluation_view("scoring.manage_evaluation", writable=True)
def evaluators_edit(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    form = EvaluatorsForm(request.POST or None, evaluation=evaluation)
    if request.method == "POST" and form.is_valid():
        added = services.evaluators_add(evaluation=evaluation, users=form.cleaned_data["evaluators"])
        messages.success(request, f"{added} evaluator{'s' if added != 1 else ''} assigned.")
        return redirect(evaluation)
    return render(request, "scoring/evaluators_form.html", {"evaluation": evaluation, "form": form})


def evaluation_import(request: HttpRequest) -> HttpResponse:
    require(request, "scoring.add_evaluation", None, "Only Procurement and admins load evaluation packages.")
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        door = PackageLoad.Door.WEB
        try:
            raw = form.cleaned_data["package"].read()
            package = parse_package(loads(raw), vet=lambda found: loading.package_problems(found, door=door))
            evaluation = loading.evaluation_load(
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
