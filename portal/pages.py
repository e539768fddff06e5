"""The bid room's pages: the person's invitations, an evaluation's request with the state of their own
response, and the response form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict

from portal import selectors
from portal.forms import DeclineForm
from scoring import services
from scoring.forms.responses import ResponseForm, validated
from scoring.models import (
    BUYER_FACTS,
    Candidate,
    Criterion,
    Evaluation,
    Invitation,
    Requirement,
    Status,
    Submission,
    bids_close_at,
)
from scoring.pages.page import Page


@dataclass
class Row:
    invitation: Invitation
    response: Submission | None
    closes_at: datetime | None
    closed: bool


@dataclass
class HomePage(Page):
    rows: list[Row]


def home_page(user: AbstractBaseUser) -> HomePage:
    rows = []
    for invitation in selectors.invitations(user):
        evaluation = invitation.candidate.evaluation
        rows.append(
            Row(
                invitation=invitation,
                response=services.current_response(invitation.candidate),
                closes_at=bids_close_at(evaluation.bids_due),
                closed=services.bids_closed(evaluation),
            )
        )
    return HomePage(rows=rows)


def buyer_facts(evaluation: Evaluation) -> list[tuple[str, str]]:
    """What the owner chose to publish of the buyer, in words."""
    shown = []
    for name in (n for n in BUYER_FACTS if n in (evaluation.request_publishes or [])):
        value = getattr(evaluation, name)
        if name == "compliance":
            value = ", ".join(value) if value else "None stated"
        shown.append((BUYER_FACTS[name], f"{value:,}" if isinstance(value, int) else str(value or "Not stated")))
    return shown


EXPECTED_DOCUMENTS = [
    ("Technical envelope", "Your proposal, service level agreement and procedures: no prices."),
    ("Commercial envelope", "Your price schedule and contract draft: opened with the prices."),
    ("Evidence", "For each mandatory requirement, a document that proves it, with its expiry date."),
]


@dataclass
class RequestPage(Page):
    invitation: Invitation
    evaluation: Evaluation
    candidate: Candidate
    facts: list[tuple[str, str]]
    questions: list[Criterion]
    requirements: list[Requirement]
    documents: list[tuple[str, str]]
    response: Submission | None
    closes_at: datetime | None
    closed: bool
    open_for_bids: bool
    decline_form: DeclineForm


def request_page(invitation: Invitation) -> RequestPage:
    candidate = invitation.candidate
    evaluation = candidate.evaluation
    closed = services.bids_closed(evaluation)
    return RequestPage(
        invitation=invitation,
        evaluation=evaluation,
        candidate=candidate,
        facts=buyer_facts(evaluation),
        questions=selectors.questions(invitation),
        requirements=selectors.requirements(invitation),
        documents=EXPECTED_DOCUMENTS,
        response=services.current_response(candidate),
        closes_at=bids_close_at(evaluation.bids_due),
        closed=closed,
        open_for_bids=evaluation.status == Status.COLLECTING_BIDS and candidate.is_invited and not closed,
        decline_form=DeclineForm(),
    )


def _initial(form: ResponseForm, response: Submission | None) -> dict[str, Any]:
    """A saved response as the form's first values (a draft is not checked until it is submitted)."""
    if response is None:
        return {}
    initial: dict[str, Any] = {}
    for name, values in (response.form_data or {}).items():
        field = form.fields.get(name)
        if field is None:
            continue
        multiple = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
        initial[name] = values if multiple else (values[0] if values else "")
    for question in form.questions:
        initial[form.answer_name(question)] = (response.answers or {}).get(question.key, "")
    return initial


def response_form(invitation: Invitation, data: Any = None) -> ResponseForm:
    candidate = invitation.candidate
    form = ResponseForm(data, candidate=candidate, questions=selectors.questions(invitation))
    if data is None:
        form.initial.update(_initial(form, services.current_response(candidate)))
    return form


def _answers(form: ResponseForm) -> dict[str, str]:
    raw = {q.key: form.data.get(form.answer_name(q), "") for q in form.questions}
    return {key: text.strip() for key, text in raw.items() if text.strip()}


def _kept(form: ResponseForm) -> dict[str, list[str]]:
    answers = {form.answer_name(q) for q in form.questions}
    return {k: v for k, v in ResponseForm.kept(form.data).items() if k in form.fields and k not in answers}


def save_draft(form: ResponseForm, candidate: Candidate, user: AbstractBaseUser) -> Submission:
    problems = form.draft_problems()
    if problems:
        raise ValidationError(problems)
    return services.response_save(candidate=candidate, by=user, form_data=_kept(form), answers=_answers(form))


def save_and_submit(form: ResponseForm, candidate: Candidate, user: AbstractBaseUser) -> Submission:
    try:
        save_draft(form, candidate, user)
    except services.BidsClosed:
        services.note_late_submission(candidate=candidate, by=user)
        raise
    return services.response_submit(candidate=candidate, by=user, check=lambda draft: validated(candidate, draft))


def show_problems(form: ResponseForm, exc: ValidationError) -> None:
    """The problems on the form, beside their fields (nothing else is checked on a draft)."""
    form._errors, form.cleaned_data = ErrorDict(), {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@dataclass
class ResponsePage(Page):
    invitation: Invitation
    evaluation: Evaluation
    form: ResponseForm
    closes_at: datetime | None


def response_page(invitation: Invitation, form: ResponseForm) -> ResponsePage:
    evaluation = invitation.candidate.evaluation
    return ResponsePage(
        invitation=invitation, evaluation=evaluation, form=form, closes_at=bids_close_at(evaluation.bids_due)
    )
