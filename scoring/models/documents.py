"""Documents and evidence: the files a bid is judged on, with their expiry, and reference checks."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from scoring.models.bids import Bid
from scoring.models.evaluations import Requirement
from vendors.models import ReferenceOutcome


def private_storage() -> FileSystemStorage:
    """Where bid documents live: PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT and STATIC_ROOT, with no URL (only
    the app serves them). A callable, so that migrations name it instead of one machine's folder."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


class DocumentKind(models.TextChoices):
    PROPOSAL = "proposal", "Proposal"
    SLA = "sla", "Service level agreement"
    CONTRACT_DRAFT = "contract_draft", "Contract draft"
    EVIDENCE = "evidence", "Evidence for a requirement"
    OTHER = "other", "Other"


class Envelope(models.TextChoices):
    """The two envelopes of a tender: what an evaluator may open while scoring, and the prices."""

    TECHNICAL = "technical", "Technical (no prices)"
    COMMERCIAL = "commercial", "Commercial (prices)"


def document_path(document: BidDocument, filename: str) -> str:
    # Never the uploader's name on disk: a random name under the bid's folder.
    return f"bids/{document.bid_id}/{uuid.uuid4().hex}"


class BidDocument(models.Model):
    """A file that came with a bid, stored privately and served only through the app."""

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind)
    # Technical documents open to evaluators while they score; commercial ones (prices) stay closed to
    # them, while prices are sealed, until they submit. A document of unknown envelope counts as prices.
    envelope = models.CharField(max_length=12, choices=Envelope, default=Envelope.COMMERCIAL)
    # Empty for a document that arrived as metadata in a package (its bytes stay where they were).
    file = models.FileField(upload_to=document_path, storage=private_storage, max_length=200, blank=True)
    name = models.CharField("file name", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    requirement = models.ForeignKey(
        Requirement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For evidence: the mandatory requirement it proves.",
    )
    expires_on = models.DateField(null=True, blank=True, help_text="For evidence: when it stops being valid.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="evidence", requirement__isnull=False) | ~Q(kind="evidence"),
                name="scoring_document_evidence_names_requirement",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_technical(self) -> bool:
        return self.envelope == Envelope.TECHNICAL


class DocumentMismatch(models.Model):
    """A stored file found gone or changed (its SHA-256 no longer the one taken at upload) when someone
    asked for it: it was not served. Kept on the record; the trail shows it."""

    document = models.ForeignKey(BidDocument, on_delete=models.PROTECT, related_name="mismatches")
    noticed_at = models.DateTimeField(auto_now_add=True)
    noticed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    door = models.CharField(max_length=40, help_text="Where it was asked for: a download, evidence.zip.")
    found_sha256 = models.CharField("SHA-256 found", max_length=64, blank=True, help_text="Empty: the file was gone.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-noticed_at", "-pk"]
        verbose_name_plural = "document mismatches"

    def __str__(self) -> str:
        return f"{self.document.name}: stored file does not match its SHA-256"


class ReferenceCheck(models.Model):
    """A call to one of the MSP's client references, made for this bid."""

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="reference_checks")
    reference = models.ForeignKey("vendors.ClientReference", on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField()
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=20, choices=[c for c in ReferenceOutcome.choices if c[0] != "not_checked"])
    notes = models.TextField(blank=True, help_text="What they said.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-checked_on", "pk"]

    def __str__(self) -> str:
        return f"{self.reference.client} on {self.checked_on}"

    @property
    def is_positive(self) -> bool:
        """Whether the reference spoke well of the MSP."""
        return self.outcome == ReferenceOutcome.POSITIVE

    @property
    def is_negative(self) -> bool:
        """Whether the reference spoke badly of the MSP."""
        return self.outcome == ReferenceOutcome.NEGATIVE
