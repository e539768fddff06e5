from __future__ import annotations

from django import forms

from .models import Preference, Schedule


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["mode", "optional"]
        widgets = {"mode": forms.RadioSelect}


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = Schedule
        fields = ["scoring_days", "bids_days", "evidence_days", "contract_notice_days"]
