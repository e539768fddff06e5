"""The owner's forms of the tender: inviting an MSP's people to the bid room."""

from __future__ import annotations

from typing import Any

from django import forms

from core import fields as safe
from scoring import tender_selectors
from scoring.models import Candidate
from vendors.models import Contact


class BidRoomInviteForm(forms.Form):
    contacts = safe.ModelMultipleChoiceField(
        queryset=Contact.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="People to invite",
        help_text="Each gets an email of their own with a link to set a password.",
        error_messages={"required": "Choose at least one contact with an email address."},
    )

    def __init__(self, *args: Any, candidate: Candidate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = tender_selectors.invitable_contacts(candidate)
        self.fields["contacts"].label_from_instance = lambda c: f"{c.name} <{c.email}>"


class ClarificationAnswerForm(forms.Form):
    answer = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label="Your answer")
    visibility = forms.ChoiceField(
        choices=[
            ("published", "Publish to every invited MSP (who asked is not said)"),
            ("private", "Only the MSP that asked: it concerns only its bid"),
        ],
        initial="published",
        widget=forms.RadioSelect,
        label="Who gets the answer",
    )
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why only this MSP",
        help_text="Required for a private answer: kept on the record.",
    )

    @property
    def publish(self) -> bool:
        return self.cleaned_data["visibility"] == "published"


class AddendumForm(forms.Form):
    what = forms.CharField(
        max_length=5000, widget=forms.Textarea(attrs={"rows": 2}), label="What changed",
        help_text="For a change the app does not make itself, e.g. a site-visit schedule sent to all bidders.",
    )  # fmt: skip
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label="Why")
