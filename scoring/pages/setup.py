"""The set-up pages: an evaluation's first values, and its criteria with their weights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.forms import BoundField

from scoring import selectors, services
from scoring.forms import CriteriaForm
from scoring.models import Criterion, Evaluation, NeedsAssessment
from scoring.pages.page import Page


def buyer_profile_initial() -> dict[str, Any]:
    """The buyer's profile, to start a form from (evaluations and needs assessments)."""
    profile = selectors.buyer_organization()
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


def evaluation_initial(assessment: NeedsAssessment | None) -> dict[str, Any]:
    """A new evaluation's first values: from a needs assessment when one is given, else the buyer's profile."""
    if assessment is None:
        return buyer_profile_initial()
    return {
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


# --- Criteria ----------------------------------------------------------------------------------

WEIGHTS_CHANGED = (
    "These weights were changed by someone else while you were editing them: the weights below are "
    "theirs now. Nothing of yours was saved; make your change again."
)


def show_their_weights(form: CriteriaForm, evaluation: Evaluation, criteria: list[Criterion]) -> None:
    """After an edit conflict: the form shows the weights and version saved meanwhile, and says so."""
    form.add_error(None, WEIGHTS_CHANGED)
    fresh = {c.pk: c.weight for c in selectors.criteria(evaluation)}
    data = form.data.copy()
    for criterion in criteria:
        data[f"weight_{criterion.pk}"] = format(fresh[criterion.pk].normalize(), "f")
    data["version"] = str(selectors.evaluation_now(evaluation).version)
    form.data = data


@dataclass
class CriteriaPage(Page):
    evaluation: Evaluation
    form: CriteriaForm
    rows: list[tuple[Criterion, BoundField]]
    scoring_started: bool


def criteria_page(evaluation: Evaluation, form: CriteriaForm, criteria: list[Criterion]) -> CriteriaPage:
    """Each criterion beside its weight field, and whether scoring has started (weights then move results)."""
    return CriteriaPage(
        evaluation=evaluation,
        form=form,
        rows=[(c, form[f"weight_{c.pk}"]) for c in criteria],
        scoring_started=services.scoring_started(evaluation),
    )
