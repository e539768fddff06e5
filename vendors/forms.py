from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from core import fields as safe
from core.concurrency import VersionedModelForm

from .models import MSP, ClientReference, Contact, ReferenceOutcome
from .services import CONTACT_FIELDS, MSP_FIELDS, REFERENCE_FIELDS, normalize_name


class MSPForm(VersionedModelForm):
    website = forms.URLField(
        label="Website",
        required=False,
        assume_scheme="https",
        help_text="e.g. https://example.com",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

    class Meta:
        model = MSP
        fields = [*MSP_FIELDS[:-1], "specialties", MSP_FIELDS[-1]]  # the service's fields and the specialties
        field_classes = {"specialties": safe.ModelMultipleChoiceField}
        widgets = {
            "specialties": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_name(self) -> str:
        name = normalize_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("Enter the MSP's name.")
        duplicates = MSP.objects.filter(name__iexact=name)
        if self.instance.pk:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        existing = duplicates.first()
        if existing:
            archived = " (archived)" if existing.is_archived else ""
            raise forms.ValidationError(f"“{existing.name}”{archived} is already in the registry.")
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("offers_fully_managed") and not cleaned.get("offers_co_managed"):
            self.add_error("offers_co_managed", "Choose at least one model the MSP offers.")
        return cleaned


class ContactForm(VersionedModelForm):
    class Meta:
        model = Contact
        fields = CONTACT_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["is_primary"].help_text = "Naming a new primary contact replaces the current one."
        if not self.instance.pk:
            del self.fields["active"]


class ReferenceForm(VersionedModelForm):
    class Meta:
        model = ClientReference
        fields = REFERENCE_FIELDS  # what the service writes
        widgets = {
            "checked_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"checked_on": "Checked on", "outcome": "Outcome of the check"}

    def clean_checked_on(self):
        checked_on = self.cleaned_data.get("checked_on")
        if checked_on and checked_on > timezone.localdate():
            raise forms.ValidationError("A reference can't be checked in the future.")
        return checked_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        checked_on = cleaned.get("checked_on")
        if outcome and outcome != ReferenceOutcome.NOT_CHECKED and not checked_on and "checked_on" not in self.errors:
            self.add_error("checked_on", "Give the date the reference was checked.")
        if outcome == ReferenceOutcome.NOT_CHECKED and checked_on:
            self.add_error("outcome", "Say how the check went, or clear the date.")
        return cleaned
