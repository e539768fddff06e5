"""The MSP's side of the tender: a response drafted, submitted (sealed, with a receipt), withdrawn and
resubmitted until the bids close, or the invitation declined; and the owner opening the bids after the
close, each submission becoming the evaluation's bid exactly as if entered by hand.

The close is 23:59:59 on the bids-due day in the app's ``TIME_ZONE`` (``models.bids_close_at``); it is
checked under the candidate's row lock, so a submission racing the close, or a second one racing the
first, finds the state the other left.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.concurrency import save_versioned
from scoring.models import (
    MAX_ANSWER,
    BidAnswer,
    BidDocument,
    BidOpening,
    Candidate,
    CandidateStatus,
    Criterion,
    CriterionKind,
    Evaluation,
    Status,
    Submission,
    SubmissionDocument,
    SubmissionState,
    TenderEvent,
    TenderEventKind,
    bids_close_at,
)
from scoring.record import digest
from scoring.services.bids import bid_create
from scoring.services.common import enqueue
from scoring.services.documents import checked_upload, store_file
from scoring.services.locking import ensure_writable

logger = logging.getLogger(__name__)

CLOSED = "Bids closed at the end of {day}: nothing can be submitted or changed now."


class BidsClosed(ValidationError):
    """The bid room is closed: the bids-due day is over."""


def bids_closed(evaluation: Evaluation, at: Any = None) -> bool:
    closes = bids_close_at(evaluation.bids_due)
    return closes is not None and (at or timezone.now()) >= closes


def _locked_candidate(candidate: Candidate) -> Candidate:
    return Candidate.objects.select_for_update().select_related("evaluation", "msp").get(pk=candidate.pk)


def _ensure_open(candidate: Candidate, at: Any = None) -> None:
    """A response changes only while bids are collected, the MSP is still invited, the bids have not been
    opened, and they have not closed at ``at`` (default now; ``BidsClosed``: the caller notes a refused
    submission on the record)."""
    evaluation = candidate.evaluation
    if evaluation.status != Status.COLLECTING_BIDS:
        raise ValidationError("This evaluation is not collecting bids: nothing can be submitted or changed.")
    if not candidate.is_invited:
        raise ValidationError(f"Your company has {candidate.get_status_display().lower()} this invitation.")
    if bids_closed(evaluation, at) or BidOpening.objects.filter(evaluation=evaluation).exists():
        raise BidsClosed(CLOSED.format(day=f"{evaluation.bids_due:%A %-d %B %Y}"))


def current_response(candidate: Candidate) -> Submission | None:
    """The response the MSP works on: its draft, else its submission, else its latest version; with
    ``withdrawn_before``, whether a version of it was withdrawn."""
    versions = list(candidate.submissions.order_by("-pk"))
    found = next((v for v in versions if v.state == SubmissionState.DRAFT), None)
    found = found or next((v for v in versions if v.state == SubmissionState.SUBMITTED), None)
    found = found or (versions[0] if versions else None)
    if found is not None:  # the pages say "withdrawn, not submitted" of a draft that follows a withdrawal
        found.withdrawn_before = any(v.state == SubmissionState.WITHDRAWN for v in versions)
    return found


def _draft(candidate: Candidate, by: AbstractBaseUser) -> Submission:
    """The candidate's draft; a new one (a copy of the latest version, its files too) if there is none."""
    draft = candidate.submissions.filter(state=SubmissionState.DRAFT).first()
    if draft is not None:
        return draft
    if candidate.submissions.filter(state=SubmissionState.SUBMITTED).exists():
        raise ValidationError("Your bid is submitted: withdraw it to change it.")
    latest = candidate.submissions.order_by("-pk").first()
    draft = Submission.objects.create(
        candidate=candidate,
        saved_by=by,
        form_data=latest.form_data if latest else {},
        answers=latest.answers if latest else {},
    )
    if latest is not None:
        for document in latest.documents.filter(removed_at__isnull=True):
            document.pk, document.submission = None, draft
            document.save()
    return draft


def _check_answers(answers: dict[str, str]) -> None:
    over = [key for key, text in answers.items() if len(text) > MAX_ANSWER]
    if over:
        raise ValidationError(f"An answer is at most {MAX_ANSWER:,} characters: shorten it and save again.")


@transaction.atomic
def response_save(
    *, candidate: Candidate, by: AbstractBaseUser, form_data: dict[str, list[str]], answers: dict[str, str]
) -> Submission:
    """Save the response as a draft (unfinished is fine; the caller has refused values that can never be
    right)."""
    candidate = _locked_candidate(candidate)
    _ensure_open(candidate)
    _check_answers(answers)
    draft = _draft(candidate, by)
    draft.form_data, draft.answers, draft.saved_by = form_data, answers, by
    draft.save(update_fields=["form_data", "answers", "saved_by", "saved_at"])
    return draft


def receipt_digest(submission: Submission) -> str:
    """The SHA-256 the receipt quotes: of the response's terms, answers and files (by their SHA-256) and its
    random nonce, in canonical JSON, so the MSP and the buyer can each show what was submitted, and nobody
    can test guessed prices against it before opening."""
    return digest(
        {
            "nonce": submission.nonce,
            "evaluation": submission.candidate.evaluation_id,
            "msp": submission.candidate.msp.name,
            "form": submission.form_data,
            "answers": submission.answers,
            "documents": sorted(
                [d.sha256, d.envelope, d.name] for d in submission.documents.filter(removed_at__isnull=True)
            ),
        }
    )


def response_submit(
    *, candidate: Candidate, by: AbstractBaseUser, check: Any, saved: Submission | None = None
) -> Submission:
    """Submit the draft: sealed until opening, with a receipt (its SHA-256) emailed to ``by``.

    ``check(submission)`` validates the draft whole (the response form) and raises ``ValidationError``
    with every problem; nothing is written then. ``saved`` is the draft as the caller just saved it: if
    someone else at the MSP saved it since, nothing is submitted (they would be submitting words they have
    not read). A submission refused because bids have closed is noted on the record.
    """
    try:
        return _submit(candidate, by, check, saved)
    except BidsClosed:
        note_late_submission(candidate=candidate, by=by)
        raise


def note_late_submission(*, candidate: Candidate, by: AbstractBaseUser) -> None:
    """A submission refused because bids have closed is on the record (in its own transaction)."""
    event = TenderEvent(candidate=candidate, kind=TenderEventKind.REFUSED_LATE, by=by,
                        note="Tried to submit after the bids closed.")  # fmt: skip
    event._history_user = by
    event.save()


@transaction.atomic
def _submit(candidate: Candidate, by: AbstractBaseUser, check: Any, saved: Submission | None) -> Submission:
    candidate = _locked_candidate(candidate)
    now = timezone.now()  # one moment: the close is checked at it, and the submission stamped with it
    _ensure_open(candidate, at=now)
    draft = candidate.submissions.filter(state=SubmissionState.DRAFT).first()
    if draft is None:
        raise ValidationError("There is no draft to submit: your bid may already be submitted.")
    if saved is not None and (draft.pk, draft.saved_at) != (saved.pk, saved.saved_at):
        raise ValidationError("Someone else at your company saved the draft a moment ago: read it again, then submit.")
    check(draft)
    draft.state, draft.submitted_at, draft.submitted_by = SubmissionState.SUBMITTED, now, by
    draft.nonce = secrets.token_hex(32)
    draft.sha256 = receipt_digest(draft)
    draft.save(update_fields=["state", "submitted_at", "submitted_by", "nonce", "sha256"])
    event = TenderEvent(candidate=candidate, kind=TenderEventKind.SUBMITTED, at=now, by=by, sha256=draft.sha256)
    event._history_user = by
    event.save()
    transaction.on_commit(lambda: _queue_receipt(draft.pk))
    return draft


def _queue_receipt(submission_id: int) -> None:
    from scoring.tasks import mail_receipt

    enqueue(mail_receipt, submission_id)


@transaction.atomic
def response_withdraw(*, candidate: Candidate, by: AbstractBaseUser) -> Submission:
    """Withdraw the submitted bid before the close; its copy becomes the new draft. Both are kept."""
    candidate = _locked_candidate(candidate)
    _ensure_open(candidate)
    submitted = candidate.submissions.filter(state=SubmissionState.SUBMITTED).first()
    if submitted is None:
        raise ValidationError("There is no submitted bid to withdraw.")
    submitted.state, submitted.withdrawn_at = SubmissionState.WITHDRAWN, timezone.now()
    submitted.save(update_fields=["state", "withdrawn_at"])
    event = TenderEvent(candidate=candidate, kind=TenderEventKind.WITHDRAWN, by=by, sha256=submitted.sha256)
    event._history_user = by
    event.save()
    return _draft(candidate, by)


@transaction.atomic
def invitation_decline(*, candidate: Candidate, by: AbstractBaseUser, reason: str) -> Candidate:
    """The MSP declines to bid, with its reason: the candidate's status says so."""
    candidate = _locked_candidate(candidate)
    _ensure_open(candidate)
    if not reason.strip():
        raise ValidationError({"reason": "Say why you decline: the buyer reads it."})
    if candidate.submissions.filter(state=SubmissionState.SUBMITTED).exists():
        raise ValidationError("Your bid is submitted: withdraw it before you decline.")
    candidate.status, candidate.note = CandidateStatus.DECLINED, reason.strip()
    candidate._history_user = by
    save_versioned(candidate, expected_version=candidate.version, fields=["status", "note"])
    event = TenderEvent(candidate=candidate, kind=TenderEventKind.DECLINED, by=by, note=reason.strip())
    event._history_user = by
    event.save()
    return candidate


def sealed_submissions(evaluation: Evaluation) -> list[Submission]:
    """The submitted, unopened responses of the evaluation's candidates, in the order received."""
    return list(
        Submission.objects.sealed()
        .filter(candidate__evaluation=evaluation)
        .select_related("candidate__msp", "submitted_by")
        .order_by("submitted_at", "pk")
    )


@transaction.atomic
def bids_open(*, evaluation: Evaluation, by: AbstractBaseUser, terms_of: Any) -> BidOpening:
    """Open the sealed bids after the close: each submission becomes a bid (``terms_of(submission)``: its
    terms validated by the response form, or a ``ValidationError``), with its written answers and its
    files; the opening is one event on the record naming every submission. All or nothing."""
    ensure_writable(evaluation)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status != Status.COLLECTING_BIDS:
        raise ValidationError("Bids are opened while the evaluation is collecting them, before scoring starts.")
    if not bids_closed(evaluation):
        raise ValidationError("Bids are sealed until they close: they can be opened after the bids-due day.")
    if BidOpening.objects.filter(evaluation=evaluation).exists():
        raise ValidationError("The bids were opened already.")
    submissions = sealed_submissions(evaluation)
    if not submissions:
        raise ValidationError("There is no sealed bid to open.")
    questions = {c.key: c for c in Criterion.objects.filter(evaluation=evaluation, kind=CriterionKind.QUESTION)}
    problems: list[str] = []
    opened = []
    for submission in submissions:
        msp = submission.candidate.msp
        try:
            fields = terms_of(submission)
            bid = bid_create(evaluation=evaluation, msp=msp, from_bid_room=True, **fields)
        except ValidationError as exc:
            problems.append(_no_longer_fits(msp.name, exc))
            continue
        _carry_over(submission, bid, questions, by)
        opened.append(
            {"vendor": msp.name, "submitted_at": submission.submitted_at.isoformat(), "sha256": submission.sha256}
        )
        event = TenderEvent(
            candidate=submission.candidate, kind=TenderEventKind.OPENED, by=by, sha256=submission.sha256
        )
        event._history_user = by
        event.save()
    if problems:
        raise ValidationError(problems)
    opening = BidOpening(evaluation=evaluation, opened_by=by, opened=opened)
    opening._history_user = by
    opening.save()
    return opening


def _no_longer_fits(vendor: str, exc: ValidationError) -> str:
    """Why a sealed bid can't become a bid, naming the parts of the request it no longer fits and never
    the values it holds (they are sealed until the opening succeeds)."""
    names = sorted(exc.error_dict) if hasattr(exc, "error_dict") else []
    parts = ", ".join(n.replace("_", " ") for n in names if n != "__all__") or "its terms"
    return f"{vendor}: the bid no longer fits the request as it stands now ({parts}); put the request back as it was when bids were submitted."


def _carry_over(submission: Submission, bid: Any, questions: dict[str, Criterion], by: AbstractBaseUser) -> None:
    """The submission's answers and files become the bid's (the files stay where they are stored)."""
    submission.bid = bid
    submission.save(update_fields=["bid"])
    for key, text in submission.answers.items():
        if key in questions and text.strip():
            BidAnswer.objects.create(bid=bid, criterion=questions[key], text=text)
    for document in submission.documents.filter(removed_at__isnull=True):
        BidDocument.objects.create(
            bid=bid,
            kind=document.kind,
            envelope=document.envelope,
            file=document.file.name,
            name=document.name,
            content_type=document.content_type,
            size=document.size,
            sha256=document.sha256,
            requirement=document.requirement,
            expires_on=document.expires_on,
            uploaded_by=submission.submitted_by or by,
        )


@transaction.atomic
def response_document_add(
    *,
    candidate: Candidate,
    by: AbstractBaseUser,
    kind: str,
    upload: Any,
    envelope: str,
    requirement: Any = None,
    expires_on: Any = None,
) -> SubmissionDocument:
    """Add a file to the draft response, checked as any bid document is; sealed with the response."""
    candidate = _locked_candidate(candidate)
    _ensure_open(candidate)
    requirement, expires_on, sha256 = checked_upload(
        evaluation_id=candidate.evaluation_id,
        kind=kind,
        upload=upload,
        envelope=envelope,
        requirement=requirement,
        expires_on=expires_on,
    )
    draft = _draft(candidate, by)
    document = SubmissionDocument(
        submission=draft,
        kind=kind,
        envelope=envelope,
        name=upload.name[:200],
        content_type=getattr(upload, "content_type", "") or "application/octet-stream",
        size=upload.size,
        sha256=sha256,
        requirement=requirement,
        expires_on=expires_on,
    )
    store_file(document, upload)
    return document


@transaction.atomic
def response_document_remove(*, candidate: Candidate, by: AbstractBaseUser, document_id: int) -> None:
    """Take a file out of the draft (kept, marked removed: a withdrawn version may still name it)."""
    candidate = _locked_candidate(candidate)
    _ensure_open(candidate)
    document = SubmissionDocument.objects.filter(
        pk=document_id,
        submission__candidate=candidate,
        submission__state=SubmissionState.DRAFT,
        removed_at__isnull=True,
    ).first()
    if document is None:
        raise ValidationError("That file is not in your draft: it may be submitted, or removed already.")
    document.removed_at = timezone.now()
    document.save(update_fields=["removed_at"])


def response_documents(submission: Submission | None) -> list[SubmissionDocument]:
    if submission is None:
        return []
    return list(submission.documents.filter(removed_at__isnull=True).select_related("requirement"))


def response_file(document: SubmissionDocument) -> Any:
    """The response file's stored bytes, open at the start, if they still have the SHA-256 taken at upload."""
    try:
        handle = document.file.open("rb")
    except OSError:
        return None
    if hashlib.file_digest(handle, "sha256").hexdigest() != document.sha256:
        handle.close()
        return None
    handle.seek(0)
    return handle
