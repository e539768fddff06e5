"""The scorecard's forms: the scores and notes, a conflict of interest, and the evaluator's declaration."""

from __future__ import annotations

from typing import Any

from django import forms

from core import fields as safe
from scoring.models import Bid, Criterion, Evaluation
from vendors.models import MSP


class ConflictForm(forms.Form):
    msp = safe.ModelChoiceField(queryset=MSP.objects.none(), label="MSP")
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What the conflict is, e.g. a relative works there.",
    )

    def __init__(self, *args: Any, evaluation: Evaluation, declared: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["msp"].queryset = MSP.objects.filter(bids__evaluation=evaluation).exclude(pk__in=declared)


SCORE_CHOICES = [("", "—")] + [(str(i), str(i)) for i in range(6)]


class ScorecardForm(forms.Form):
    """A score (0–5, or empty) and a note for every bid and question the evaluator scores, with the
    scorecard's version when the page was opened (``services.scorecard_version``)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, slots: list[tuple[Bid, list[Criterion]]], existing: dict, version: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version
        self.conflict: list[tuple[str, str, str]] = []
        self.slots = slots
        # Scores a package entered (``Score.from_package``), shown as the importer's, not the evaluator's.
        self.from_package = {key for key, score in existing.items() if score.from_package}
        for bid, questions in slots:
            for question in questions:
                score = existing.get((bid.pk, question.pk))
                self.fields[f"score_{bid.pk}_{question.pk}"] = forms.TypedChoiceField(
                    choices=SCORE_CHOICES,
                    coerce=int,
                    empty_value=None,
                    required=False,
                    initial="" if score is None else str(score.score),
                    label=f"{bid.msp.name}: {question.key}",
                )
                self.fields[f"note_{bid.pk}_{question.pk}"] = forms.CharField(
                    required=False, max_length=5000, initial=score.note if score else ""
                )

    def entries(self) -> dict[tuple[int, int], tuple[int | None, str]]:
        return {
            (bid.pk, q.pk): (
                self.cleaned_data[f"score_{bid.pk}_{q.pk}"],
                self.cleaned_data[f"note_{bid.pk}_{q.pk}"].strip(),
            )
            for bid, questions in self.slots
            for q in questions
        }

    def add_conflict(self, saved: dict[tuple[int, int], Any], version: str) -> None:
        """Refuse the save: scores were saved since the page was opened (another tab). Show what is saved
        beside what was typed here; the version moves on, so saving again replaces them on purpose."""
        entries = self.entries()
        self.conflict = []
        for bid, questions in self.slots:
            for q in questions:
                score = saved.get((bid.pk, q.pk))
                theirs = _score_text(score.score, score.note) if score else "—"
                yours = _score_text(*entries[bid.pk, q.pk])
                self.conflict.append((f"{bid.msp.name}: {q.text}", theirs, yours))
        data = self.data.copy()
        data["version"] = version
        self.data = data
        self.add_error(None, SCORECARD_CONFLICT)

    def rows(self) -> list[dict[str, Any]]:
        """Bound fields grouped for the template: bid, then its questions."""
        return [
            {
                "bid": bid,
                "questions": [
                    {
                        "criterion": q,
                        "score": self[f"score_{bid.pk}_{q.pk}"],
                        "note": self[f"note_{bid.pk}_{q.pk}"],
                        "from_package": (bid.pk, q.pk) in self.from_package,
                    }
                    for q in questions
                ],
            }
            for bid, questions in self.slots
        ]


SCORECARD_CONFLICT = (
    "This scorecard was saved from another window or tab since you opened this page, so nothing here was "
    "saved. What is saved now is shown beside what you typed; save again to keep yours."
)


def _score_text(score: int | None, note: str) -> str:
    """A score and its note as the conflict table shows them: "4 · Clear SLA", "—"."""
    if score is None:
        return "—"
    return f"{score} · {note}" if note else str(score)


class DeclarationForm(forms.Form):
    """The evaluator's signature under the declaration: agreed, and their name typed."""

    agree = forms.BooleanField(label="I agree to the statement above.")
    signed_name = forms.CharField(label="Your full name", max_length=150)
