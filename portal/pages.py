"""The bid room's pages: the person's invitations, an evaluation's request with the state of their own
response, and the response form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils import timezone

from portal import selectors
from portal.forms import DeclineForm, QuestionForm
from scoring import ranking, services
from scoring import selectors as scoring_selectors
from scoring import terms as bid_terms
from scoring.forms.responses import ResponseDocumentForm, ResponseForm, validated
from scoring.models import (
    BUYER_FACTS,
    Addendum,
    Award,
    Bid,
    Candidate,
    Clarification,
    Criterion,
    Evaluation,
    Invitation,
    Requirement,
    Status,
    Submission,
    SubmissionDocument,
    bids_close_at,
    questions_close_at,
)
from scoring.pages import award as award_pages
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
class ReadBack:
    model: str
    pricing: str
    terms: list[tuple[str, str]]
    answers: list[tuple[Criterion, str]]


def read_back(candidate: Candidate, response: Submission) -> ReadBack | None:
    """What the MSP submitted, in words: its terms and its answers (their own content, only to them)."""
    try:
        form = validated(candidate, response)
    except ValidationError:  # the request changed since: the terms no longer read as a bid
        return None
    bid = form.instance
    answers = form.answers()
    return ReadBack(
        model=bid.get_model_display(),
        pricing=bid.get_pricing_model_display(),
        terms=[
            (term.label, term.display(getattr(bid, term.name)))
            for term in bid_terms.TERMS
            if bid_terms.concerns(term, bid) and term.name not in ResponseForm.BUYER_ONLY
        ],
        answers=[(q, answers[q.key]) for q in form.questions if q.key in answers],
    )


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
    files: list[SubmissionDocument]
    read_back: ReadBack | None  # the submitted response, as its sender reads it back
    declined_because: str  # the MSP's own words when it declined
    addenda: list[Addendum]  # changes to the request, each with whether the company read it
    addenda_since_submission: int  # issued after the company's bid was submitted: it may need changing
    published: list[Clarification]  # every published clarification, in order (never who asked)
    own_questions: list[Clarification]  # the company's own questions, open or answered to it alone
    question_form: QuestionForm | None  # while questions are open
    question_open: bool  # the form shown open (a refused question, with its words)
    questions_close: datetime | None


def request_page(invitation: Invitation) -> RequestPage:
    candidate = invitation.candidate
    evaluation = candidate.evaluation
    closed = services.bids_closed(evaluation)
    response = services.current_response(candidate)
    published, own = selectors.clarifications(invitation)
    return RequestPage(
        invitation=invitation,
        evaluation=evaluation,
        candidate=candidate,
        facts=buyer_facts(evaluation),
        questions=selectors.questions(invitation),
        requirements=selectors.requirements(invitation),
        documents=EXPECTED_DOCUMENTS,
        response=response,
        closes_at=bids_close_at(evaluation.bids_due),
        closed=closed,
        open_for_bids=evaluation.status == Status.COLLECTING_BIDS and candidate.is_invited and not closed,
        decline_form=DeclineForm(),
        files=services.response_documents(response),
        read_back=read_back(candidate, response) if response is not None and response.is_submitted else None,
        declined_because=selectors.decline_reason(invitation) if candidate.is_declined else "",
        addenda=(addenda := selectors.addenda(invitation)),
        addenda_since_submission=sum(1 for a in addenda if a.after_submission),
        published=published,
        own_questions=own,
        question_form=QuestionForm() if candidate.is_invited and services.questions_open(evaluation) else None,
        question_open=False,
        questions_close=questions_close_at(evaluation),
    )


def why_closed(invitation: Invitation) -> str:
    """Why the response can't be changed now, in words; empty while it can."""
    candidate = invitation.candidate
    evaluation = candidate.evaluation
    if candidate.is_declined:
        return "Your company declined this invitation."
    if evaluation.status != Status.COLLECTING_BIDS:
        return "The buyer is not collecting bids for this evaluation."
    if services.bids_closed(evaluation):
        return services.CLOSED.format(day=f"{evaluation.bids_due:%A %-d %B %Y}")
    response = services.current_response(candidate)
    if response is not None and response.is_submitted:
        return "Your bid is submitted: withdraw it to change it."
    return ""


def note_if_late(invitation: Invitation, user: AbstractBaseUser, submitting: bool) -> None:
    """A submission sent after the close is refused, and the attempt is on the record."""
    candidate = invitation.candidate
    collecting = candidate.evaluation.status == Status.COLLECTING_BIDS and candidate.is_invited
    if submitting and collecting and services.bids_closed(candidate.evaluation):
        services.note_late_submission(candidate=candidate, by=user)


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
    return {k: v for k, v in form.kept_fields().items() if k not in answers}


def save_draft(form: ResponseForm, candidate: Candidate, user: AbstractBaseUser) -> Submission:
    problems = form.draft_problems()
    if problems:
        raise ValidationError(problems)
    return services.response_save(candidate=candidate, by=user, form_data=_kept(form), answers=_answers(form))


def save_and_submit(form: ResponseForm, candidate: Candidate, user: AbstractBaseUser) -> Submission:
    try:
        saved = save_draft(form, candidate, user)
    except services.BidsClosed:
        services.note_late_submission(candidate=candidate, by=user)
        raise
    return services.response_submit(
        candidate=candidate, by=user, check=lambda draft: validated(candidate, draft), saved=saved
    )


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
    files: list[SubmissionDocument]


def response_page(invitation: Invitation, form: ResponseForm) -> ResponsePage:
    evaluation = invitation.candidate.evaluation
    return ResponsePage(
        invitation=invitation,
        evaluation=evaluation,
        form=form,
        closes_at=bids_close_at(evaluation.bids_due),
        files=services.response_documents(services.current_response(invitation.candidate)),
    )


@dataclass
class OutcomePage(Page):
    invitation: Invitation
    evaluation: Evaluation
    bid: Bid | None
    award: Award | None
    won: bool
    areas: list[dict[str, Any]]  # the bid's result by question category: never price, rank or rivals
    flags: list[str]  # the conditions it missed or was marked down for, in words
    shows_weights: bool
    today: date


def outcome_page(invitation: Invitation) -> OutcomePage:
    """The MSP's own outcome once the evaluation is decided: chosen, or a debrief of its own bid's quality
    results. Nothing that counts the bidders or reveals a price (the price percentage would give away the
    cheapest rival's TCO), so no rank and no total."""
    candidate = invitation.candidate
    evaluation = candidate.evaluation
    bid = selectors.own_bid(invitation)
    award = scoring_selectors.approved_award(evaluation) if evaluation.is_awarded else None
    areas: list[dict[str, Any]] = []
    flags: list[str] = []
    if award is not None and bid is not None and bid.pk != award.bid_id:
        row = next((r for r in award.ranking_document["ranking"] if r["vendor"] == bid.vendor_name), None)
        if row is not None:
            questions = [c for c in scoring_selectors.criteria(evaluation) if c.is_question]
            areas = award_pages.categories(questions, row) if row["status"] == "ranked" else []
            flags = [ranking.AUTOMATIC_RULES.get(code) or _missed(code) for code in row["red_flags"]]
    return OutcomePage(
        invitation=invitation,
        evaluation=evaluation,
        bid=bid,
        award=award,
        won=award is not None and bid is not None and award.bid_id == bid.pk,
        areas=areas,
        flags=flags,
        shows_weights=evaluation.request_shows_weights,
        today=timezone.localdate(),
    )


def _missed(code: str) -> str:
    """A red flag's code in words: an unmet requirement by its text."""
    if code.startswith("unmet:"):
        return f"a mandatory requirement was not met ({code.removeprefix('unmet:')})"
    return code.replace("-", " ")


@dataclass
class DocumentsPage(Page):
    invitation: Invitation
    evaluation: Evaluation
    form: ResponseDocumentForm
    response: Submission | None
    files: list[SubmissionDocument]
    editable: bool  # a draft may change: bids are being collected, not closed, not submitted


def documents_page(invitation: Invitation, form: ResponseDocumentForm) -> DocumentsPage:
    candidate = invitation.candidate
    evaluation = candidate.evaluation
    response = services.current_response(candidate)
    open_now = (
        evaluation.status == Status.COLLECTING_BIDS and candidate.is_invited and not services.bids_closed(evaluation)
    )
    return DocumentsPage(
        invitation=invitation,
        evaluation=evaluation,
        form=form,
        response=response,
        files=services.response_documents(response),
        editable=open_now and not (response is not None and response.is_submitted),
    )
