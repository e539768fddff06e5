"""The dashboard of one evaluation: its state, the award in play, the viewer's scorecard, and for those
who see them the results, bids and criteria (cached parts, see ``fragments.dashboard``) and the panel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils.safestring import SafeString

from scoring import fragments, selectors, services
from scoring.models import (
    Assignment,
    Award,
    AwardDecision,
    ConflictOfInterest,
    Evaluation,
    Requirement,
    Score,
    Status,
)
from scoring.pages.page import Page
from scoring.rules import can


def award_in_play(evaluation: Evaluation) -> Award | None:
    """The award proposed or approved (a refused one is out of play), with its bid and decider."""
    return (
        Award.objects.filter(evaluation=evaluation, decision__in=[AwardDecision.PENDING, AwardDecision.APPROVED])
        .select_related("bid", "decided_by")
        .first()
    )


@dataclass
class DashboardPage(Page):
    evaluation: Evaluation
    sees_results: bool
    manages: bool
    assignment: Assignment | None  # the viewer's own scorecard
    requirements: list[Requirement]
    transition_choices: list[tuple[str, str]]
    can_export_package: bool
    award: Award | None = None  # read only for those who may export the package
    # For those who see the results or manage: the cached parts and the panel.
    results_html: SafeString | str = ""
    bids_html: SafeString | str = ""
    criteria_html: SafeString | str = ""
    assignments: list[Assignment] = field(default_factory=list)
    scorer_notes: dict[int, list[str]] = field(default_factory=dict)
    candidate_counts: dict[str, int] = field(default_factory=dict)
    conflicts: QuerySet[ConflictOfInterest] | list[ConflictOfInterest] = field(default_factory=list)
    # The viewer's progress on their scorecard.
    scorecard_total: int = 0
    scorecard_done: int = 0
    # What the cached parts were drawn from, when drawn now (the template reads none of it).
    drawn: dict[str, Any] = field(default_factory=dict)

    def context(self) -> dict[str, Any]:
        context = super().context()
        return {**context.pop("drawn"), **context}


def dashboard_page(user: AbstractBaseUser, evaluation: Evaluation) -> DashboardPage:
    """The dashboard as ``user`` sees it."""
    sees_results = can(user, "scoring.view_results", evaluation)
    manages = can(user, "scoring.manage_evaluation", evaluation)
    can_export = can(user, "scoring.export_package", evaluation)
    page = DashboardPage(
        evaluation=evaluation,
        sees_results=sees_results,
        manages=manages,
        assignment=selectors.assignment_for(evaluation, user),
        requirements=list(evaluation.requirements.all()),
        transition_choices=[(s, Status(s).label) for s in evaluation.allowed_transitions()] if manages else [],
        can_export_package=can_export,
        award=award_in_play(evaluation) if can_export else None,
    )
    if sees_results or manages:
        _results_and_panel(page)
    if page.assignment is not None:
        slots = services.scorecard_slots(page.assignment)
        page.scorecard_total = sum(len(questions) for _, questions in slots)
        page.scorecard_done = Score.objects.filter(assignment=page.assignment).count()
    return page


def _results_and_panel(page: DashboardPage) -> None:
    evaluation = page.evaluation
    # The results, the bids and the criteria are the same for everyone who sees them: cached by content.
    # A manager who is blind (assigned, not submitted) gets the bids and criteria, never the results.
    parts, drawn = fragments.dashboard(evaluation, can_export_package=page.can_export_package)
    if not page.sees_results:
        parts.pop("results", None)
        drawn = None
    page.results_html = parts.get("results", "")
    page.bids_html, page.criteria_html = parts["bids"], parts["criteria"]
    page.drawn = drawn or {}
    # With what the record says of each scorer: an owner who scores, a submission from a package.
    page.assignments, load = selectors.assignments_with_load(evaluation)
    page.scorer_notes = selectors.scorer_notes(evaluation, page.assignments, load)
    page.candidate_counts = selectors.candidate_counts(evaluation)
    page.conflicts = selectors.conflicts(evaluation)
