from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core.validators import validate_slug
from django.db.models import Case, When
from django.utils import timezone

from accounts.roles import EVALUATOR, NEVER_SCORE
from core import fields as safe
from core.concurrency import VersionedModelForm
from scoring import guide, ranking, services, terms
from scoring.forms.scorecards import SCORECARD_CONFLICT, ConflictForm, DeclarationForm, ScorecardForm  # noqa: E402, F401
from scoring.models import (
    Bid,
    Candidate,
    CandidateStatus,
    Criterion,
    DocumentKind,
    Envelope,
    Evaluation,
    NeedsAssessment,
    Requirement,
    RequirementTemplate,
    Submission,
)
from vendors.models import MSP, ClientReference, ReferenceOutcome

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def reason_field(help_text: str) -> forms.CharField:
    """Why a material change is made (``services.changes``): optional on the form, required by the service when it is."""
    return forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why it changes",
        help_text=help_text,
    )


class EvaluationForm(VersionedModelForm):
    reason = reason_field(
        "Needed once scoring has started for a change that moves the ranking (sealed prices, the buyer's "
        "numbers, the red-flag policy): kept on the record, and the evaluators are told."
    )
    compliance = forms.CharField(
        required=False, help_text="Comma-separated, e.g. HIPAA, PCI DSS.", label="Compliance needs"
    )
    request_publishes = forms.MultipleChoiceField(
        # Worded apart from the buyer's own fields above, so each control has a name of its own.
        choices=[
            ("employees", "Headcount"),
            ("devices", "Fleet size"),
            ("industry", "Sector"),
            ("compliance", "Regulations to meet"),
        ],  # fmt: skip
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="What the invited MSPs see of the buyer",
        help_text="Shown in the bid room's request with the buyer's name; its IT staff and their cost never are.",
    )

    class Meta:
        model = Evaluation
        fields = services.EVALUATION_FIELDS  # what the service edits
        widgets = {"questions_due": DATE, "bids_due": DATE, "scoring_due": DATE, "decision_due": DATE}
        labels = {"organization_name": "Buyer organization"}
        help_texts = {
            "employees": "Per-user prices are multiplied by this.",
            "devices": "Per-device prices are multiplied by this.",
            "it_staff_annual_cost": "Fully burdened (salaries, benefits, training, tools); co-managed bids keep paying it.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["compliance"] = ", ".join(self.instance.compliance or [])
        else:
            del self.fields["reason"]  # a new evaluation changes nothing anyone scored
            self.fields["requirement_templates"] = safe.ModelMultipleChoiceField(
                queryset=RequirementTemplate.objects.filter(active=True),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label="Mandatory requirements",
                help_text="Pass/fail: a bid that misses one is flagged and disqualified.",
            )

    def clean_compliance(self) -> list[str]:
        raw = self.cleaned_data.get("compliance") or ""
        return [item.strip() for item in raw.split(",") if item.strip()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        bids_due, scoring_due, decision_due = (cleaned.get(k) for k in ("bids_due", "scoring_due", "decision_due"))
        questions_due = cleaned.get("questions_due")
        if questions_due and bids_due and questions_due > bids_due:
            self.add_error("questions_due", "Questions must close on or before the day bids are due.")
        if bids_due and scoring_due and scoring_due < bids_due:
            self.add_error("scoring_due", "Scoring can't be due before the bids are.")
        if scoring_due and decision_due and decision_due < scoring_due:
            self.add_error("decision_due", "The decision can't be due before scoring is.")
        return cleaned


class TransitionForm(forms.Form):
    to = forms.CharField()
    reason = forms.CharField(required=False, max_length=2000)


class CriteriaForm(forms.Form):
    """One weight per criterion, and a reason once scoring has started."""

    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required once scoring has started: it is kept in the history.",
    )

    # The evaluation's version when the page was opened: a stale page's save is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, criteria: list[Criterion], version: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.fields["version"].initial = version
        for criterion in criteria:
            self.fields[f"weight_{criterion.pk}"] = forms.DecimalField(
                label=criterion.key,
                min_value=Decimal(0),
                max_digits=18,
                decimal_places=6,
                initial=format(criterion.weight.normalize(), "f"),
                widget=forms.NumberInput(attrs={"step": "any", "class": "form-control form-control-sm"}),
            )

    def weights(self) -> dict[int, Decimal]:
        return {c.pk: self.cleaned_data[f"weight_{c.pk}"] for c in self.criteria}


class EvaluatorsForm(forms.Form):
    evaluators = safe.ModelMultipleChoiceField(
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, label="Add evaluators"
    )

    def __init__(self, *args: Any, evaluation: Evaluation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assigned = evaluation.assignments.values_list("evaluator_id", flat=True)
        # Only those who may score (accounts.roles.may_be_evaluator): never an auditor, an executive, or a
        # bidding MSP's person.
        self.fields["evaluators"].queryset = (
            User.objects.filter(is_active=True, groups__name=EVALUATOR)
            .exclude(groups__name__in=NEVER_SCORE)
            .exclude(pk__in=assigned)
            .order_by("username")
        )
        self.fields["evaluators"].label_from_instance = lambda u: f"{u.get_full_name() or u.username} ({u.username})"


class CandidateInviteForm(forms.Form):
    msps = safe.ModelMultipleChoiceField(
        queryset=MSP.objects.none(),
        label="Invite MSPs",
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="MSPs of the registry that are not candidates yet, with the models they offer.",
    )

    def __init__(self, *args: Any, evaluation: Evaluation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taken = evaluation.candidates.values("msp_id")
        # Every active MSP, fitting or not: the service names those that offer no model the evaluation compares.
        self.fields["msps"].queryset = MSP.objects.filter(archived_at__isnull=True).exclude(pk__in=taken)
        self.fields["msps"].label_from_instance = lambda msp: f"{msp.name} ({', '.join(msp.models_offered).lower()})"


class CandidateStatusForm(VersionedModelForm):
    status = forms.ChoiceField(label="Status", choices=CandidateStatus.choices)
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why they declined or withdrew, as they said it.",
    )

    class Meta:
        model = Candidate
        fields = ["status", "note"]


# What the service edits, plus the MSP on a new bid; the split is assembled from one field per function.
BID_FORM_FIELDS = ["msp", *(name for name in services.BID_FIELDS if name != "responsibilities")]
OWNER_CHOICES = [("", "Nobody yet"), *guide.OWNERS.items()]


# How wide a term's field is on the bid form, by its kind and whether it is a pricing model's amount.
_COLUMNS = {
    (terms.MONEY_KIND, True): "col-md-3",
    (terms.MONEY_KIND, False): "col-md-6",
    (terms.QUANTITY, True): "col-md-3",
    (terms.COUNT, False): "col-md-4",
    (terms.FLAG, False): "col-md-6",
}


class BidForm(VersionedModelForm):
    reason = reason_field(
        "Needed once scoring has started, and for a bid entered after the bids were due: kept on the record, "
        "and the evaluators are told."
    )
    scope_included = forms.MultipleChoiceField(
        choices=list(guide.FULLY_MANAGED_INCLUSIONS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="What the bid covers",
        help_text="The guide's usual fully managed inclusions.",
    )
    scope_excluded = forms.MultipleChoiceField(
        choices=list(guide.USUAL_EXCLUSIONS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="What the bid leaves out",
        help_text="The guide's usual exclusions: billed separately or not offered.",
    )
    requirements_met = safe.ModelMultipleChoiceField(
        queryset=Requirement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Mandatory requirements the bid meets",
    )

    class Meta:
        model = Bid
        fields = BID_FORM_FIELDS
        field_classes = {"msp": safe.ModelChoiceField}
        widgets = {name: forms.NumberInput(attrs={"step": "any"}) for name in ranking.PRICING_REQUIREMENTS["hybrid"]}
        # The terms' labels and help (``scoring.terms``); the others read as their model field's name.
        labels = {term.name: term.label for term in terms.TERMS if term.verbose_name is None}
        help_texts = {term.name: term.form_help for term in terms.TERMS if term.form_help}

    def __init__(self, *args: Any, evaluation: Evaluation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.evaluation = evaluation
        if self.instance.pk:
            del self.fields["msp"]
            self.initial["requirements_met"] = list(self.instance.requirements_met.values_list("pk", flat=True))
        else:
            taken = evaluation.bids.values_list("msp_id", flat=True)
            # An MSP whose sealed bid waits in the bid room: it becomes its bid at the opening.
            sealed = Submission.objects.sealed().filter(candidate__evaluation=evaluation).values("candidate__msp_id")
            self.fields["msp"].queryset = (
                MSP.objects.filter(archived_at__isnull=True).exclude(pk__in=taken).exclude(pk__in=sealed)
            )
        self.fields["requirements_met"].queryset = evaluation.requirements.all()
        if not evaluation.requirements.exists():
            del self.fields["requirements_met"]
        if evaluation.model != "both":
            self.fields["model"].choices = [(evaluation.model, dict(self.fields["model"].choices)[evaluation.model])]
            self.fields["model"].initial = evaluation.model
        for term in terms.TERMS:
            attrs = self.fields[term.name].widget.attrs
            if term.is_amount:
                attrs["data-pricing-models"] = " ".join(term.pricing_models)
            if term.bid_models:
                attrs["data-bid-models"] = " ".join(term.bid_models)
        self.fields["arrangement"].help_text = "How the MSP works with our team."
        split = self.instance.responsibilities or {}
        for function, label in guide.RESPONSIBILITY_FUNCTIONS.items():
            self.fields[f"owner_{function}"] = forms.ChoiceField(
                choices=OWNER_CHOICES, required=False, label=label, initial=split.get(function, "")
            )

    def term_sections(self) -> list[dict[str, Any]]:
        """The terms' fields under their headings (price; contract, service and practices), laid out by kind."""
        sections = [
            {"heading": terms.GROUP_HEADINGS[terms.PRICE], "fields": terms.in_group(terms.PRICE)},
            {"heading": terms.GROUP_HEADINGS[terms.SERVICE], "fields": terms.in_group(terms.SERVICE)},
        ]
        sections[1]["fields"] += terms.in_group(terms.PRACTICE)
        for section in sections:
            section["fields"] = [
                (self[term.name], _COLUMNS[term.kind, term.is_amount])
                for term in section["fields"]
                if term.name in self.fields  # a bidder's form leaves out the buyer's own cost
            ]
        return sections

    def split_fields(self) -> list[Any]:
        return [self[f"owner_{function}"] for function in guide.RESPONSIBILITY_FUNCTIONS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["responsibilities"] = {
            function: owner
            for function in guide.RESPONSIBILITY_FUNCTIONS
            if (owner := cleaned.pop(f"owner_{function}", ""))
        }
        for name in ranking.PRICING_REQUIREMENTS.get(cleaned.get("pricing_model") or "", ()):
            if cleaned.get(name) is None and name not in self.errors:
                self.add_error(name, "Required for this pricing model.")
        return cleaned


class FlagForm(forms.Form):
    code = forms.CharField(
        max_length=100,
        validators=[validate_slug],
        help_text="One of the automatic codes, or your own (letters, digits, - and _).",
        widget=forms.TextInput(attrs={"list": "flag-codes"}),
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class WaiverForm(forms.Form):
    code = forms.ChoiceField(label="Automatic red flag")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args: Any, codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [(code, f"{code}: {ranking.AUTOMATIC_RULES[code]}") for code in codes]


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


def _megabytes(size: int) -> str:
    """5242880 → "5 MB", 1536 → "1.5 KB"."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.2f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{size} bytes"


class ImportForm(forms.Form):
    """A package upload: checked by size and name here, then parsed in memory by the view, never stored."""

    package = forms.FileField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = _megabytes(settings.MAX_PACKAGE_BYTES)
        self.fields["package"].help_text = f"An msp-eval/1 package (JSON, at most {limit})."

    def clean_package(self):
        upload = self.cleaned_data["package"]
        if upload.size > settings.MAX_PACKAGE_BYTES:
            raise forms.ValidationError(f"The file is larger than {_megabytes(settings.MAX_PACKAGE_BYTES)}.")
        name = (upload.name or "").lower()
        if not name.endswith(".json"):
            raise forms.ValidationError("Upload a .json file (an msp-eval/1 package).")
        return upload


def _answers_field(options: dict[str, str], label: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=list(options.items()), required=False, widget=forms.CheckboxSelectMultiple, label=label
    )


class NeedsAssessmentForm(forms.ModelForm):
    """The buyer's profile, and yes/no answers to the guide's indicators, triggers and warnings."""

    compliance = forms.CharField(required=False, help_text="Comma-separated, e.g. HIPAA, PCI DSS.")
    fully_managed_indicators = _answers_field(guide.FULLY_MANAGED_INDICATORS, "Signs that point to fully managed")
    co_managed_indicators = _answers_field(guide.CO_MANAGED_INDICATORS, "Signs that point to co-managed")
    co_managed_triggers = _answers_field(guide.CO_MANAGED_TRIGGERS, "Events that often call for co-managed")
    co_managed_warnings = _answers_field(guide.CO_MANAGED_WARNINGS, "When co-managed does not work")
    ANSWER_FIELDS = ("fully_managed_indicators", "co_managed_indicators", "co_managed_triggers", "co_managed_warnings")

    class Meta:
        model = NeedsAssessment
        fields = [
            "organization_name",
            "employees",
            "devices",
            "it_staff",
            "it_staff_annual_cost",
            "industry",
            "compliance",
            "heavy_compliance",
        ]

    def clean_compliance(self) -> list[str]:
        raw = self.cleaned_data.get("compliance") or ""
        return [item.strip() for item in raw.split(",") if item.strip()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["answers"] = [key for name in self.ANSWER_FIELDS for key in cleaned.pop(name, [])]
        if cleaned.get("it_staff") == 0 and cleaned.get("it_staff_annual_cost"):
            self.add_error("it_staff_annual_cost", "With no internal IT staff this cost should be 0.")
        return cleaned


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=DocumentKind.choices)
    envelope = forms.ChoiceField(
        choices=Envelope.choices,
        initial=Envelope.COMMERCIAL,
        widget=forms.RadioSelect,
        help_text="Technical documents open to evaluators while they score; commercial ones, with prices, "
        "stay sealed to them until they submit.",
    )
    file = forms.FileField(help_text="PDF, Word, Excel, PNG or JPEG, at most 10 MB.")
    requirement = safe.ModelChoiceField(
        queryset=Requirement.objects.none(), required=False, help_text="For evidence: the requirement it proves."
    )
    expires_on = forms.DateField(required=False, widget=DATE, help_text="For evidence: when it stops being valid.")

    def __init__(self, *args: Any, bid: Bid, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = Requirement.objects.filter(
            pk__in=bid.requirement_links.values("requirement_id")
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        services.check_document_file(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("kind") == DocumentKind.EVIDENCE:
            if not cleaned.get("requirement"):
                self.add_error("requirement", "Say which requirement this evidence proves.")
            expires_on = cleaned.get("expires_on")
            if expires_on and expires_on < timezone.localdate():
                self.add_error("expires_on", "This evidence has already expired; upload a current one.")
        return cleaned


class ReferenceCheckForm(forms.Form):
    reference = safe.ModelChoiceField(queryset=ClientReference.objects.none(), label="Reference called")
    checked_on = forms.DateField(widget=DATE)
    outcome = forms.ChoiceField(choices=[c for c in ReferenceOutcome.choices if c[0] != ReferenceOutcome.NOT_CHECKED])
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="What they said")

    def __init__(self, *args: Any, bid: Bid, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reference"].queryset = ClientReference.objects.filter(msp=bid.msp, archived_at__isnull=True)

    def clean_checked_on(self):
        checked_on = self.cleaned_data["checked_on"]
        if checked_on > timezone.localdate():
            raise forms.ValidationError("A reference can't be checked in the future.")
        return checked_on


class WhatIfForm(forms.Form):
    """Trial weights, one per criterion; nothing is saved."""

    MAX_WEIGHT = Decimal(1_000_000)

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[self.field_name(criterion)] = forms.DecimalField(
                label=criterion.text,
                min_value=Decimal(0),
                max_value=self.MAX_WEIGHT,
                max_digits=18,
                decimal_places=6,
                initial=format(criterion.weight.normalize(), "f"),
                error_messages={
                    "required": "Give a weight (0 leaves the criterion out).",
                    "invalid": "A weight is a number, such as 20 or 12.5.",
                    "min_value": "A weight can't be negative.",
                    "max_value": "A weight can't be above 1,000,000.",
                },
                widget=forms.NumberInput(
                    attrs={"step": "any", "min": "0", "class": "form-control form-control-sm whatif-weight"}
                ),
            )

    @staticmethod
    def field_name(criterion: Criterion) -> str:
        return f"w_{criterion.key}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        weights = [cleaned.get(self.field_name(c)) for c in self.criteria]
        if all(w is not None for w in weights) and not any(weights):
            raise forms.ValidationError("At least one weight must be above zero: with all at zero nothing is scored.")
        return cleaned

    def weights(self) -> dict[str, Decimal]:
        return {c.key: self.cleaned_data[self.field_name(c)] for c in self.criteria}


class AwardProposalForm(forms.Form):
    bid = safe.ModelChoiceField(
        queryset=Bid.objects.none(),
        label="Winning bid",
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="Why this bid: the approving executive reads it, and it stays on the record.",
    )

    def __init__(self, *args: Any, ranked_bids: list[Bid], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Rank order, leader first (not the bids' recorded order).
        chosen = Bid.objects.filter(pk__in=[bid.pk for bid in ranked_bids])
        if ranked_bids:
            chosen = chosen.order_by(Case(*(When(pk=bid.pk, then=rank) for rank, bid in enumerate(ranked_bids))))
        self.fields["bid"].queryset = chosen
        self.fields["bid"].label_from_instance = lambda bid: bid.vendor_name
        if ranked_bids:
            self.fields["bid"].initial = ranked_bids[0].pk


class AwardDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.RadioSelect)
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="Required to reject; kept on the record either way.",
    )


class AsOfForm(forms.Form):
    when = forms.DateTimeField(
        label="As of",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        error_messages={"invalid": "Give a date and time, such as 2027-02-15 14:30."},
    )
