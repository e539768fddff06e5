"""The team's own questions: one question's wording, rubric, category, model and weight; or a library
question to copy."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from core import fields as safe
from scoring.models import AppliesTo, Criterion, Evaluation, QuestionTemplate

RUBRIC_HINTS = (
    "0: nothing offered",
    "1",
    "2",
    "3: meets what we need",
    "4",
    "5: the best we could hope for",
)


def _reason(required_now: bool, label: str = "Why it changes") -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=label,
        help_text=(
            "Required: scoring has started; the evaluators are told, and the reason is kept in the history."
            if required_now
            else "Optional before scoring starts; kept in the history."
        ),
    )


def _applies_choices(evaluation: Evaluation) -> list[tuple[str, str]]:
    return [
        (value, label) for value, label in AppliesTo.choices if evaluation.allows_bid_model(value) or value == "all"
    ]


class QuestionForm(forms.Form):
    text = forms.CharField(
        label="Question", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), help_text="What each MSP answers."
    )
    category = forms.CharField(max_length=100, help_text="Groups questions in the totals, e.g. Security.")
    applies_to = forms.ChoiceField(label="Asked of")
    weight = forms.DecimalField(min_value=Decimal(0), max_digits=18, decimal_places=6, initial=Decimal(10))

    def __init__(
        self, *args: Any, evaluation: Evaluation, scoring_started: bool, adding: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applies_to"].choices = _applies_choices(evaluation)
        if evaluation.model != "both":
            self.fields["applies_to"].initial = evaluation.model
        for score, hint in enumerate(RUBRIC_HINTS):
            self.fields[f"rubric_{score}"] = forms.CharField(
                label=f"Score {score}",
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"placeholder": hint}),
            )
        self.fields["reason"] = _reason(scoring_started, "Why it is added" if adding else "Why it changes")

    @classmethod
    def initial_for(cls, criterion: Criterion) -> dict[str, Any]:
        rubric = list(criterion.rubric or []) + [""] * 6
        return {
            "text": criterion.text,
            "category": criterion.category,
            "applies_to": criterion.applies_to,
            "weight": format(criterion.weight.normalize(), "f"),
            **{f"rubric_{score}": rubric[score] for score in range(6)},
        }

    def rubric_fields(self) -> list[forms.BoundField]:
        return [self[f"rubric_{score}"] for score in range(6)]

    def question(self) -> dict[str, Any]:
        """The question's fields, as the services take them."""
        data = self.cleaned_data
        return {
            "text": data["text"],
            "category": data["category"],
            "applies_to": data["applies_to"],
            "weight": data["weight"],
            "rubric": [data[f"rubric_{score}"] for score in range(6)],
        }


class LibraryQuestionForm(forms.Form):
    """A library question the evaluation does not carry yet, for a model it compares."""

    template = safe.ModelChoiceField(queryset=QuestionTemplate.objects.none(), label="Library question")

    def __init__(self, *args: Any, evaluation: Evaluation, scoring_started: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        models = [m for m in ("fully_managed", "co_managed") if evaluation.allows_bid_model(m)]
        carried = evaluation.criteria.values("key")
        self.fields["template"].queryset = QuestionTemplate.objects.filter(active=True, model__in=models).exclude(
            key__in=carried
        )
        self.fields["template"].label_from_instance = lambda t: f"{t.get_model_display()} · {t.category}: {t.text}"
        self.fields["reason"] = _reason(scoring_started, "Why it is added")


class RemoveQuestionForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000)
