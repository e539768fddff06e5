"""The tender: MSP people invited to the bid room, the sealed submissions they make, the record of each
step, and the opening that turns submissions into bids.

A submission's content (its terms, answers and files) is sealed until the owner opens the bids: it lives
in ``Submission`` and ``SubmissionDocument``, which have no history of their own (django-simple-history
copies every field into its tables, and the history pages, ``history.csv`` and the admin read those).
What the record shows before opening is ``TenderEvent``: who did what and when, with the receipt's
SHA-256, never the content.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from scoring import terms
from scoring.models.candidates import Candidate
from scoring.models.documents import DocumentKind, Envelope, private_storage
from scoring.models.evaluations import Criterion, Evaluation, Requirement

MAX_ANSWER = terms.MAX_ANSWER


def bids_close_at(bids_due: dt.date | None) -> dt.datetime | None:
    """When the bid room closes: the first instant after 23:59:59 on the bids-due day, in the app's
    ``TIME_ZONE`` (a submission at 23:59:59 is on time; one at midnight is late)."""
    if bids_due is None:
        return None
    return timezone.make_aware(dt.datetime.combine(bids_due + dt.timedelta(days=1), dt.time.min))


class Invitation(models.Model):
    """One person of a candidate MSP invited to the bid room for this evaluation (their own email)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="invitations")
    account = models.ForeignKey("vendors.MspAccount", on_delete=models.PROTECT, related_name="invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    # When the email with the sign-in link was last handed to the mail server.
    mailed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["candidate", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "account"],
                name="scoring_invitation_unique",
                violation_error_message="This person is already invited to this evaluation.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} invited to {self.candidate.evaluation}"


class SubmissionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SubmissionQuerySet(models.QuerySet):
    def sealed(self) -> SubmissionQuerySet:
        """Submitted and not yet opened: the content nobody at the buyer may read."""
        return self.filter(state=SubmissionState.SUBMITTED, bid__isnull=True)


class Submission(models.Model):
    """One version of a candidate's response: its draft, or a submission (sealed until opening).

    Every version is kept: withdrawing one marks it withdrawn and the next draft starts as its copy.
    ``form_data`` holds the response form's fields as sent (the same fields the internal bid form
    declares); ``answers`` the written answer to each question, by criterion key.
    """

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="submissions")
    state = models.CharField(max_length=10, choices=SubmissionState, default=SubmissionState.DRAFT)
    form_data = models.JSONField(default=dict, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    saved_at = models.DateTimeField(auto_now=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    sha256 = models.CharField("receipt SHA-256", max_length=64, blank=True)
    # Random bytes hashed with the content, so the receipt's digest, shown before opening, can't be matched
    # against guessed prices.
    nonce = models.CharField(max_length=64, blank=True, editable=False)
    # The bid it became when the bids were opened.
    bid = models.OneToOneField(
        "scoring.Bid", null=True, blank=True, on_delete=models.PROTECT, related_name="submission"
    )

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["candidate", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate"], condition=Q(state="draft"), name="scoring_submission_one_draft"
            ),
            models.UniqueConstraint(
                fields=["candidate"], condition=Q(state="submitted"), name="scoring_submission_one_submitted"
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(submitted_at__isnull=False), name="scoring_submission_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_state_display()} response of {self.candidate.msp}"

    @property
    def is_draft(self) -> bool:
        return self.state == SubmissionState.DRAFT

    @property
    def is_submitted(self) -> bool:
        return self.state == SubmissionState.SUBMITTED


def submission_path(document: SubmissionDocument, filename: str) -> str:
    # Never the uploader's name on disk, and apart from opened bids' files.
    return f"submissions/{document.submission.candidate_id}/{uuid.uuid4().hex}"


class SubmissionDocument(models.Model):
    """A file of a response, in its envelope; sealed with it. Copied to the bid's documents at opening."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind)
    envelope = models.CharField(max_length=12, choices=Envelope, default=Envelope.COMMERCIAL)
    file = models.FileField(upload_to=submission_path, storage=private_storage, max_length=200)
    name = models.CharField("file name", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    requirement = models.ForeignKey(Requirement, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    expires_on = models.DateField(null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_technical(self) -> bool:
        return self.envelope == Envelope.TECHNICAL


class TenderEventKind(models.TextChoices):
    SUBMITTED = "submitted", "Bid submitted"
    WITHDRAWN = "withdrawn", "Bid withdrawn"
    DECLINED = "declined", "Invitation declined"
    REFUSED_LATE = "refused_late", "Late submission refused"
    OPENED = "opened", "Bid opened"


class TenderEvent(models.Model):
    """A step of the tender on the record: when, who, and the receipt's SHA-256; never the content."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="tender_events")
    kind = models.CharField(max_length=20, choices=TenderEventKind)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField("receipt SHA-256", max_length=64, blank=True)
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.candidate.msp}"


class BidOpening(models.Model):
    """The owner opened the sealed bids after the close: one per evaluation, naming each submission."""

    evaluation = models.OneToOneField(Evaluation, on_delete=models.PROTECT, related_name="opening")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    # What was opened: [{"vendor", "submitted_at", "sha256"}], in the order opened.
    opened = models.JSONField(default=list, blank=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Bids of {self.evaluation} opened"


class BidAnswer(models.Model):
    """An MSP's written answer to one question, shown to evaluators beside it."""

    bid = models.ForeignKey("scoring.Bid", on_delete=models.PROTECT, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(max_length=MAX_ANSWER)

    history = HistoricalRecords()

    class Meta:
        ordering = ["criterion__position", "pk"]
        constraints = [models.UniqueConstraint(fields=["bid", "criterion"], name="scoring_bid_answer_unique")]

    def __str__(self) -> str:
        return f"{self.bid.vendor_name} on {self.criterion.key}"


class Visibility(models.TextChoices):
    PUBLISHED = "published", "Published to every invited MSP"
    PRIVATE = "private", "Answered to the asker only"


class Clarification(models.Model):
    """A question an MSP asked in the bid room and the owner's answer: published to every invited MSP
    without naming who asked (numbered in order), or given privately when it concerns only that bid, with
    the reason."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="clarifications")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="clarifications")
    question = models.TextField(max_length=5000)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(max_length=5000, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility, blank=True)
    private_reason = models.TextField("why it is answered privately", blank=True)
    number = models.PositiveIntegerField(null=True, blank=True, help_text="Its place among the published ones.")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["asked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "number"], condition=Q(number__isnull=False), name="scoring_clarification_number"
            ),
            models.CheckConstraint(
                condition=Q(visibility="") | ~Q(answer=""), name="scoring_clarification_answered_has_answer"
            ),
            models.CheckConstraint(
                condition=~Q(visibility="private") | ~Q(private_reason=""), name="scoring_clarification_private_reason"
            ),
            models.CheckConstraint(
                condition=~Q(visibility="published") | Q(number__isnull=False),
                name="scoring_clarification_published_numbered",
            ),
        ]

    def __str__(self) -> str:
        return f"Question from {self.candidate.msp} on {self.evaluation}"

    @property
    def is_answered(self) -> bool:
        return bool(self.visibility)

    @property
    def is_published(self) -> bool:
        return self.visibility == Visibility.PUBLISHED


def questions_close_at(evaluation: Evaluation) -> dt.datetime | None:
    """When the bid room stops taking questions: the end of the questions day, else when bids close."""
    return bids_close_at(evaluation.questions_due or evaluation.bids_due)


class Addendum(models.Model):
    """A change to the request once MSPs are invited, numbered, with what changed and why; every invited
    MSP's people are mailed, and each MSP acknowledges it in the bid room."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="addenda")
    number = models.PositiveIntegerField()
    what = models.TextField("what changed", max_length=5000)
    reason = models.TextField("why")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["evaluation", "number"]
        verbose_name_plural = "addenda"
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "number"], name="scoring_addendum_number"),
            models.CheckConstraint(condition=~Q(reason=""), name="scoring_addendum_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Addendum {self.number} to {self.evaluation}"


class Acknowledgement(models.Model):
    """An MSP read an addendum (one of its people said so in the bid room)."""

    addendum = models.ForeignKey(Addendum, on_delete=models.PROTECT, related_name="acknowledgements")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="acknowledgements")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["addendum", "candidate"], name="scoring_acknowledgement_once"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate.msp} read addendum {self.addendum.number}"
