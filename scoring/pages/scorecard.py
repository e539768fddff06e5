"""An evaluator's scorecard page: the questions to score, the conflicts declared, where the data came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from scoring import selectors, tender_selectors
from scoring.forms import ConflictForm, DeclarationForm, ScorecardForm
from scoring.models import (
    DECLARATION_TEXT,
    Assignment,
    ConflictOfInterest,
    Declaration,
    Evaluation,
    PackageLoad,
    Status,
)
from scoring.pages.page import Page


@dataclass
class ScorecardPage(Page):
    evaluation: Evaluation
    assignment: Assignment
    form: ScorecardForm
    rows: list[Any]
    declared: QuerySet[ConflictOfInterest]
    conflict_form: ConflictForm
    editable: bool  # scoring is open and the scorecard not yet submitted
    package_load: PackageLoad | None


def scorecard_page(
    evaluation: Evaluation, evaluator: AbstractBaseUser, assignment: Assignment, form: ScorecardForm
) -> ScorecardPage:
    """The scorecard ``form`` (blank, or as the evaluator sent it) with the evaluator's declared conflicts."""
    declared = selectors.declared_conflicts(evaluation, evaluator)
    rows = form.rows()
    answers = tender_selectors.answers(evaluation)
    for row in rows:
        for question in row["questions"]:
            question["answer"] = answers.get((row["bid"].pk, question["criterion"].pk))
    return ScorecardPage(
        evaluation=evaluation,
        assignment=assignment,
        form=form,
        rows=rows,
        declared=declared,
        conflict_form=ConflictForm(evaluation=evaluation, declared={c.msp_id for c in declared}),
        editable=evaluation.status == Status.SCORING and not assignment.is_submitted,
        package_load=selectors.package_load(evaluation),
    )


@dataclass
class DeclarationPage(Page):
    evaluation: Evaluation
    assignment: Assignment
    form: DeclarationForm
    statement: str  # the words the evaluator agrees to (or agreed to)
    declaration: Declaration | None  # signed already
    bidders: list[str]  # the MSPs bidding, by name: whom a conflict could be with
    declared: QuerySet[ConflictOfInterest]
    conflict_form: ConflictForm


def declaration_page(evaluation: Evaluation, assignment: Assignment, form: DeclarationForm) -> DeclarationPage:
    """The declaration to sign before the bids open: the statement, the bidders by name, the conflicts
    declared so far and the form to declare one."""
    declared = selectors.declared_conflicts(evaluation, assignment.evaluator)
    declaration = Declaration.objects.filter(assignment=assignment).first()
    return DeclarationPage(
        evaluation=evaluation,
        assignment=assignment,
        form=form,
        statement=declaration.text if declaration else DECLARATION_TEXT.format(title=evaluation.title),
        declaration=declaration,
        bidders=selectors.bidder_names(evaluation),
        declared=declared,
        conflict_form=ConflictForm(evaluation=evaluation, declared={c.msp_id for c in declared}),
    )
