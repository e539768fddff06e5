from __future__ import annotations

from django import forms

from core.concurrency import VersionedModelForm

from .models import Preference, Schedule


class PreferenceForm(VersionedModelForm):
    class Meta:
        model = Preference
        fields = ["mode", "optional"]
        widgets = {"mode": forms.RadioSelect}


class ScheduleForm(VersionedModelForm):
    class Meta:
        model = Schedule
        fields = ["scoring_days", "bids_days", "evidence_days", "contract_notice_days"]
