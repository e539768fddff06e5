"""The dashboard of one evaluation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from evaluator.pagecache import cached_page
from scoring import fragments, selectors, services
from scoring.models import (
    Award,
    AwardDecision,
    ConflictOfInterest,
    Evaluation,
    Score,
    Status,
)
from scoring.rules import can
from scoring.views.access import evaluation_view


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
