"""An MSP's response in the bid room: the same terms the internal bid form declares (pricing model and
its amounts, contract, service and practices, scope or responsibility split, requirements met), and a
written answer to each question. Kept as sent while it is a draft; validated whole on submission and
again at opening, so an opened bid is exactly what a bid entered by hand would be."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.datastructures import MultiValueDict

from scoring.forms import BidForm, DocumentForm
from scoring.models import MAX_ANSWER, Bid, Candidate, Criterion, Evaluation, Requirement


class AnswerField(forms.CharField):
    """A written answer: at most ``MAX_ANSWER`` characters, the count in the refusal written as people read it."""

    def __init__(self, **kwargs: Any) -> None:
        widget = forms.Textarea(
            attrs={"rows": 8, "maxlength": MAX_ANSWER, "data-count": MAX_ANSWER, "class": "answer-input"}
        )
        super().__init__(required=False, strip=True, widget=widget, **kwargs)

    def validate(self, value: str) -> None:
        super().validate(value)
        if len(value) > MAX_ANSWER:
            raise ValidationError(
                f"An answer is at most {MAX_ANSWER:,} characters; this one has {len(value):,}.", code="max_length"
            )


# The terms as the MSP reads them (the bid form speaks for the buyer).
MSP_LABELS = {
    "environment_assessed": "We assessed your environment before pricing",
    "documented_escalation": "We have a documented escalation procedure",
    "documented_onboarding": "We have a documented onboarding procedure",
    "performance_exit_clause": "The contract has a performance-based exit clause",
    "references_offered": "Client references we can offer",
    "contract_term_months": "Contract term (months)",
}
MSP_HELP = {
    "contract_term_months": "The commitment you ask for.",
    "references_offered": "How many client references you are willing to share.",
}


class ResponseForm(BidForm):
    # The buyer's own cost (what it keeps paying its internal IT): never asked of a bidder; 0 until the owner
    # records it on the bid.
    BUYER_ONLY = ("msp", "reason", "version", "retained_internal_cost")

    def __init__(self, *args: Any, candidate: Candidate, questions: list[Criterion], **kwargs: Any) -> None:
        evaluation = candidate.evaluation
        super().__init__(*args, instance=Bid(evaluation=evaluation, msp=candidate.msp), evaluation=evaluation, **kwargs)
        for name in self.BUYER_ONLY:
            self.fields.pop(name, None)
        for name, label in MSP_LABELS.items():
            self.fields[name].label = label
        for name, text in MSP_HELP.items():
            self.fields[name].help_text = text
        if "requirements_met" in self.fields:
            self.fields["requirements_met"].label = "Mandatory requirements you meet"
        self.fields["scope_included"].label = "What your bid covers"
        self.fields["scope_excluded"].label = "What your bid leaves out"
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            self.fields[self.answer_name(question)] = AnswerField(
                label=f"{number}. {question.text}",
                help_text=f"{question.category} · {question.get_applies_to_display()} · up to {MAX_ANSWER:,} characters",
            )

    def _update_errors(self, errors: ValidationError) -> None:
        """The bid's own checks name fields the bidder does not fill (its MSP): those read as the form's."""
        if hasattr(errors, "error_dict"):
            mapped: dict[str, list] = {}
            for name, found in errors.error_dict.items():
                mapped.setdefault(name if name in self.fields else NON_FIELD_ERRORS, []).extend(found)
            errors = ValidationError(mapped)
        super()._update_errors(errors)

    @staticmethod
    def answer_name(question: Criterion) -> str:
        return f"answer_{question.key}"

    def answer_fields(self) -> list[tuple[Criterion, forms.BoundField]]:
        return [(q, self[self.answer_name(q)]) for q in self.questions]

    def kept_fields(self) -> dict[str, list[str]]:
        """The form's data as a draft keeps it: each field's value as sent (every value of a multiple choice,
        the one value of any other field), nothing else."""
        kept = {}
        for name, field in self.fields.items():
            values = (
                self.data.getlist(name)
                if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
                else [self.data.get(name)]
            )
            kept[name] = [str(v) for v in values if v is not None]
        return {name: values for name, values in kept.items() if values}

    @staticmethod
    def restored(kept: dict[str, list[str]]) -> MultiValueDict:
        return MultiValueDict({key: list(values) for key, values in (kept or {}).items()})

    def draft_problems(self) -> dict[str, list[str]]:
        """What is wrong with a draft as it stands: each field checked alone, a field left empty allowed
        (a draft may be unfinished), a value that can never be right (text for a number, an answer over
        the limit) refused."""
        problems: dict[str, list[str]] = {}
        for name, field in self.fields.items():
            if any("\x00" in str(v) for v in self.data.getlist(name)):
                problems[name] = ["This contains a character that can't be stored (a NUL): remove it."]
                continue
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            try:
                field.clean(value)
            except ValidationError as exc:
                kept = [e for e in exc.error_list if e.code != "required"]
                if kept:
                    problems[name] = [m for e in kept for m in e.messages]
        return problems

    def answers(self) -> dict[str, str]:
        """The written answers by question key (cleaned): empty ones left out."""
        return {q.key: text for q in self.questions if (text := self.cleaned_data.get(self.answer_name(q), "").strip())}

    def terms(self) -> dict[str, Any]:
        """The bid's fields as ``services.bid_create`` takes them (requirements included)."""
        skip = {self.answer_name(q) for q in self.questions}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip and k != "version"}


def validated(candidate: Candidate, submission: Any) -> ResponseForm:
    """A saved response validated as a bid (what the buyer's own bid form requires): ``ValidationError``
    with every problem, else the valid form (``terms()`` for the bid, ``answers()``)."""
    questions = list(candidate.evaluation.criteria.filter(kind="question"))
    data = ResponseForm.restored(submission.form_data)
    for question in questions:
        data[ResponseForm.answer_name(question)] = (submission.answers or {}).get(question.key, "")
    form = ResponseForm(data, candidate=candidate, questions=questions)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form


class ResponseDocumentForm(DocumentForm):
    """A file of the response: the internal document form, its evidence naming any of the evaluation's
    requirements (the bid does not exist yet); the envelope chosen each time, never assumed."""

    def __init__(self, *args: Any, evaluation: Evaluation, **kwargs: Any) -> None:
        forms.Form.__init__(self, *args, **kwargs)
        self.fields["envelope"].initial = None
        self.fields["requirement"].queryset = Requirement.objects.filter(evaluation=evaluation)
        if not self.fields["requirement"].queryset.exists():
            del self.fields["requirement"], self.fields["expires_on"]
            self.fields["kind"].choices = [c for c in self.fields["kind"].choices if c[0] != "evidence"]
        self.fields["envelope"].help_text = (
            "Technical: your proposal, SLA and procedures, with no prices (evaluators read it while scoring). "
            "Commercial: anything with prices."
        )
