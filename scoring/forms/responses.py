"""An MSP's response in the bid room: the same terms the internal bid form declares (pricing model and
its amounts, contract, service and practices, scope or responsibility split, requirements met), and a
written answer to each question. Kept as sent while it is a draft; validated whole on submission and
again at opening, so an opened bid is exactly what a bid entered by hand would be."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict

from scoring.forms import BidForm, DocumentForm
from scoring.models import MAX_ANSWER, Bid, Candidate, Criterion, Evaluation, Requirement


class ResponseForm(BidForm):
    def __init__(self, *args: Any, candidate: Candidate, questions: list[Criterion], **kwargs: Any) -> None:
        evaluation = candidate.evaluation
        super().__init__(*args, instance=Bid(evaluation=evaluation, msp=candidate.msp), evaluation=evaluation, **kwargs)
        for name in ("msp", "reason", "version"):
            self.fields.pop(name, None)
        if "requirements_met" in self.fields:
            self.fields["requirements_met"].label = "Mandatory requirements you meet"
        self.questions = questions
        for question in questions:
            self.fields[self.answer_name(question)] = forms.CharField(
                label=question.text,
                required=False,
                max_length=MAX_ANSWER,
                widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_ANSWER}),
                error_messages={
                    "max_length": f"An answer is at most {MAX_ANSWER:,} characters (this one has %(show_value)s)."
                },
            )

    @staticmethod
    def answer_name(question: Criterion) -> str:
        return f"answer_{question.key}"

    def answer_fields(self) -> list[tuple[Criterion, forms.BoundField]]:
        return [(q, self[self.answer_name(q)]) for q in self.questions]

    @classmethod
    def kept(cls, data: Any) -> dict[str, list[str]]:
        """The form's data as stored with a submission: every value of every field, as sent."""
        return {key: [str(v) for v in data.getlist(key)] for key in data if not key.startswith(("csrf", "once"))}

    @staticmethod
    def restored(kept: dict[str, list[str]]) -> MultiValueDict:
        return MultiValueDict({key: list(values) for key, values in (kept or {}).items()})

    def draft_problems(self) -> dict[str, list[str]]:
        """What is wrong with a draft as it stands: each field checked alone, a field left empty allowed
        (a draft may be unfinished), a value that can never be right (text for a number, an answer over
        the limit) refused."""
        problems: dict[str, list[str]] = {}
        for name, field in self.fields.items():
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
    requirements (the bid does not exist yet)."""

    def __init__(self, *args: Any, evaluation: Evaluation, **kwargs: Any) -> None:
        forms.Form.__init__(self, *args, **kwargs)
        self.fields["requirement"].queryset = Requirement.objects.filter(evaluation=evaluation)
        self.fields["envelope"].help_text = (
            "Technical: your proposal, SLA and procedures, with no prices (evaluators read it while scoring). "
            "Commercial: anything with prices."
        )
