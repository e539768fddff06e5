"""The bid room's small forms: declining an invitation, asking for a new link."""

from __future__ import annotations

from django import forms


class DeclineForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why you decline",
        help_text="The buyer reads it. Declining is final for this evaluation.",
    )


class NewLinkForm(forms.Form):
    email = forms.EmailField(label="The email address you were invited at")


class QuestionForm(forms.Form):
    question = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Your question",
        help_text="The buyer's answer may be published to every invited MSP, without saying who asked.",
    )
