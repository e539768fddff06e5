"""The MSP registry: candidate providers, their contacts and client references.

Nothing here is deleted: an MSP is archived, a contact deactivated, a
reference archived, so an auditor can always see what was known.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.concurrency import VersionedModel


class Specialty(VersionedModel):
    """An area of expertise an MSP brings (security/SOC, Azure, HIPAA …)."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"

    def __str__(self) -> str:
        return self.name


class OnsiteAvailability(models.TextChoices):
    REMOTE_ONLY = "remote_only", "Remote only"
    SCHEDULED = "scheduled", "Scheduled visits"
    NEXT_DAY = "next_day", "Next business day on site"
    SAME_DAY = "same_day", "Same day on site"
    DEDICATED = "dedicated", "Dedicated on-site staff"


class MSP(VersionedModel):
    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    headquarters = models.CharField(max_length=200, blank=True, help_text="City and region of the head office.")
    service_area = models.CharField(
        max_length=200, blank=True, help_text="Where they support clients, e.g. “Southern California”."
    )
    onsite_availability = models.CharField(
        "on-site availability",
        max_length=20,
        choices=OnsiteAvailability,
        default=OnsiteAvailability.REMOTE_ONLY,
    )
    offers_fully_managed = models.BooleanField(
        "offers fully managed IT", default=False, help_text="Acts as the whole IT department."
    )
    offers_co_managed = models.BooleanField(
        "offers co-managed IT", default=False, help_text="Works alongside an internal IT team."
    )
    specialties = models.ManyToManyField(Specialty, blank=True, related_name="msps")
    notes = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[specialties])

    class Meta:
        verbose_name = "MSP"
        verbose_name_plural = "MSPs"
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="vendors_msp_name_unique_ci",
                violation_error_message="An MSP with this name is already in the registry.",
            ),
            models.CheckConstraint(
                condition=Q(offers_fully_managed=True) | Q(offers_co_managed=True),
                name="vendors_msp_offers_a_model",
                violation_error_message="Choose at least one model the MSP offers.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("vendors:detail", args=[self.pk])

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def models_offered(self) -> list[str]:
        offered = []
        if self.offers_fully_managed:
            offered.append("Fully managed")
        if self.offers_co_managed:
            offered.append("Co-managed")
        return offered


class Contact(VersionedModel):
    msp = models.ForeignKey(MSP, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True, help_text="Role at the MSP, e.g. “Account manager”.")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    is_primary = models.BooleanField("primary contact", default=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["msp"],
                condition=Q(is_primary=True),
                name="vendors_contact_one_primary_per_msp",
                violation_error_message="This MSP already has a primary contact.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReferenceOutcome(models.TextChoices):
    NOT_CHECKED = "not_checked", "Not checked yet"
    POSITIVE = "positive", "Positive"
    MIXED = "mixed", "Mixed"
    NEGATIVE = "negative", "Negative"
    UNREACHABLE = "unreachable", "Could not reach"


class ClientReference(VersionedModel):
    """A client the MSP names as a reference, and what calling them gave."""

    msp = models.ForeignKey(MSP, on_delete=models.PROTECT, related_name="references")
    client = models.CharField(max_length=200)
    client_employees = models.PositiveIntegerField(
        "client size (employees)", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    industry = models.CharField(max_length=100, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=50, blank=True)
    checked_on = models.DateField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=ReferenceOutcome, default=ReferenceOutcome.NOT_CHECKED)
    notes = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["client"]
        constraints = [
            # A check has a date and an outcome; an unchecked reference has neither.
            models.CheckConstraint(
                condition=(Q(outcome=ReferenceOutcome.NOT_CHECKED) & Q(checked_on__isnull=True))
                | (~Q(outcome=ReferenceOutcome.NOT_CHECKED) & Q(checked_on__isnull=False)),
                name="vendors_reference_checked_has_date_and_outcome",
                violation_error_message="A checked reference needs both the date and the outcome.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} (reference for {self.msp})"

    @property
    def is_checked(self) -> bool:
        return self.outcome != ReferenceOutcome.NOT_CHECKED

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_positive(self) -> bool:
        """Whether the reference spoke well of the MSP."""
        return self.outcome == ReferenceOutcome.POSITIVE

    @property
    def is_mixed(self) -> bool:
        """Whether the reference had good and bad to say."""
        return self.outcome == ReferenceOutcome.MIXED

    @property
    def is_negative(self) -> bool:
        """Whether the reference spoke badly of the MSP."""
        return self.outcome == ReferenceOutcome.NEGATIVE


class MspAccount(models.Model):
    """A person of an MSP who signs in to the bid room: a user of the MSP role, tied to one MSP (and the
    registry contact they were invited as). They see their own invitations and bids, nothing else."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="msp_account")
    msp = models.ForeignKey(MSP, on_delete=models.PROTECT, related_name="accounts", verbose_name="MSP")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="accounts")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["msp", "pk"]
        verbose_name = "MSP account"
        constraints = [models.UniqueConstraint(fields=["contact"], name="vendors_one_account_per_contact")]

    def __str__(self) -> str:
        return f"{self.contact.name} ({self.msp.name})"
