"""The team's own questions: the owner adds (from the library or from scratch), edits and removes the
questions of one evaluation; once scoring has started only with a reason, and the evaluators are told.
They travel in the package with their rubrics."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from scoring import services
from scoring.models import Criterion, CriterionKind, QuestionTemplate
from scoring.services import package_document
from tests.conftest import client_for, make_user
from tests.scoring.factories import (
    assign,
    computed_document,
    load,
    make_bid,
    make_evaluation,
    questions,
    row_of,
    score,
    start_scoring,
)

RUBRIC = ["No plan", "A promise", "A page", "A tested plan", "Tested yearly", "Tested quarterly, with reports"]
OWN = {
    "text": "How do you restore our data after ransomware?",
    "category": "Security",
    "applies_to": "fully_managed",
    "weight": "12.5",
    **{f"rubric_{n}": line for n, line in enumerate(RUBRIC)},
}


def _add_url(evaluation) -> str:
    return f"/evaluations/{evaluation.pk}/questions/new/"


def test_it_adds_a_question_of_the_teams_own_before_the_price(procurement):
    evaluation = make_evaluation(procurement)
    before = len(questions(evaluation))

    response = client_for(procurement).post(_add_url(evaluation), OWN)

    assert response.status_code == 302
    added = Criterion.objects.get(evaluation=evaluation, text=OWN["text"])
    assert (added.key, added.category, added.applies_to, added.weight, added.rubric) == (
        "own-how-do-you-restore-our-data-after-ransomware",
        "Security",
        "fully_managed",
        Decimal("12.5"),
        RUBRIC,
    )
    assert len(questions(evaluation)) == before + 1
    keys = list(Criterion.objects.filter(evaluation=evaluation).values_list("kind", flat=True))
    assert keys[-1] == CriterionKind.PRICE  # the price stays last
    assert Criterion.history.filter(id=added.pk, history_type="+").exists()


def test_a_half_written_rubric_is_refused_and_writes_nothing(procurement):
    evaluation = make_evaluation(procurement)
    count = Criterion.objects.count()

    response = client_for(procurement).post(_add_url(evaluation), {**OWN, "rubric_3": ""})

    assert response.status_code == 200
    assert "Say what each score from 0 to 5 means" in response.content.decode()
    assert Criterion.objects.count() == count


def test_a_question_for_a_model_the_evaluation_does_not_compare_is_refused(procurement):
    evaluation = make_evaluation(procurement, model="fully_managed")

    response = client_for(procurement).post(_add_url(evaluation), {**OWN, "applies_to": "co_managed"})
    assert response.status_code == 200
    with pytest.raises(ValidationError) as refused:
        services.question_add(evaluation=evaluation, text="Q", category="C", applies_to="co_managed", weight=Decimal(1))

    assert refused.value.message_dict == {"applies_to": ["This evaluation compares fully managed bids only."]}
    assert not Criterion.objects.filter(evaluation=evaluation, text__in=[OWN["text"], "Q"]).exists()


def test_a_library_question_comes_back_with_its_own_key_and_rubric(procurement):
    evaluation = make_evaluation(procurement)
    first = questions(evaluation)[0]
    key, rubric = first.key, first.rubric
    services.question_remove(criterion=first)
    assert not Criterion.objects.filter(evaluation=evaluation, key=key).exists()

    page = client_for(procurement).get(_add_url(evaluation)).content.decode()
    assert first.text in page  # offered again, now that the evaluation lacks it
    template_pk = QuestionTemplate.objects.get(key=key).pk
    response = client_for(procurement).post(_add_url(evaluation), {"template": template_pk, "reason": ""})

    assert response.status_code == 302
    back = Criterion.objects.get(evaluation=evaluation, key=key)
    assert back.rubric == rubric


def test_edits_and_removal_during_scoring_need_a_reason_and_the_evaluators_are_told(
    procurement, evaluator, mailoutbox, django_capture_on_commit_callbacks
):
    evaluation = make_evaluation(procurement)
    make_bid(evaluation)
    assign(evaluation, evaluator)
    evaluation = start_scoring(evaluation)
    question = questions(evaluation)[0]
    url = f"/evaluations/{evaluation.pk}/questions/{question.pk}/"
    edited = {**OWN, "text": "Reworded", "applies_to": question.applies_to, "weight": "7"}

    refused = client_for(procurement).post(url, edited)
    assert refused.status_code == 200
    assert "Say why a question changes" in refused.content.decode()
    assert Criterion.objects.get(pk=question.pk).text == question.text

    with django_capture_on_commit_callbacks(execute=True):
        saved = client_for(procurement).post(url, {**edited, "reason": "Asked the wrong thing."})

    assert saved.status_code == 302
    now = Criterion.objects.get(pk=question.pk)
    assert (now.text, now.weight) == ("Reworded", Decimal(7))
    assert Criterion.history.filter(id=question.pk).latest("history_date").history_change_reason == (
        "Asked the wrong thing."
    )
    (mail,) = [m for m in mailoutbox if "Changed during scoring" in m.subject]
    assert mail.to == [evaluator.email]
    assert "Reworded" in mail.subject

    no_reason = client_for(procurement).post(f"{url}remove/", {"reason": ""})
    assert no_reason.status_code == 302
    assert Criterion.objects.filter(pk=question.pk).exists()


def test_a_scored_question_is_not_removed_its_scores_are_evidence(procurement, evaluator):
    evaluation = make_evaluation(procurement)
    make_bid(evaluation)
    (assignment,) = assign(evaluation, evaluator)
    evaluation = start_scoring(evaluation)
    score(assignment, {"Acme Managed IT": 4})
    question = questions(evaluation)[0]

    with pytest.raises(ValidationError) as refused:
        services.question_remove(criterion=question, reason="Not needed.")

    assert "scored or answered in writing" in refused.value.messages[0]
    assert Criterion.objects.filter(pk=question.pk).exists()


def test_a_new_question_counts_in_the_totals_and_zero_until_scored(procurement, evaluator):
    # Acme alone: every library question scored 5 (100 %) and price 100 %, so its total is 100. A new
    # question of weight W, not yet scored, counts 0 %: total = 100 × Σw ÷ (Σw + W).
    evaluation = make_evaluation(procurement)
    make_bid(evaluation)
    (assignment,) = assign(evaluation, evaluator)
    evaluation = start_scoring(evaluation)
    score(assignment, {"Acme Managed IT": 5})
    weights = sum(c.weight for c in Criterion.objects.filter(evaluation=evaluation))
    assert weights == Decimal(100)  # the library's five questions at 15 and price at 25
    assert row_of(computed_document(evaluation), "Acme Managed IT")["total"] == 100.0

    services.question_add(evaluation=evaluation, text="Own", category="Fit", applies_to="all",
                          weight=Decimal(25), reason="The board asked.")  # fmt: skip

    row = row_of(computed_document(evaluation), "Acme Managed IT")
    assert row["total"] == 80.0  # 100 × 100 ÷ 125
    assert row["complete"] is False


def test_they_travel_in_the_package_with_their_rubrics(procurement):
    evaluation = make_evaluation(procurement)
    services.question_add(evaluation=evaluation, text=OWN["text"], category="Security", applies_to="all",
                          weight=Decimal(5), rubric=RUBRIC)  # fmt: skip

    package = package_document(evaluation)
    (own,) = [c for c in package["criteria"] if c["key"].startswith("own-")]
    assert own["rubric"] == RUBRIC
    copy = load(procurement, package)
    assert Criterion.objects.get(evaluation=copy, key=own["key"]).rubric == RUBRIC


@pytest.mark.parametrize("role", ["Evaluator", "Executive", "Auditor"])
def test_only_the_owner_and_admins_change_questions(procurement, admin_user, role):
    evaluation = make_evaluation(procurement)
    other = make_user(f"someone-{role.lower()}", role)
    if role == "Evaluator":
        assign(evaluation, other)

    response = client_for(other).post(_add_url(evaluation), OWN)

    assert response.status_code in (403, 404)
    assert client_for(make_user("stranger")).get(_add_url(evaluation)).status_code == 404
    assert client_for(admin_user).get(_add_url(evaluation)).status_code == 200
    assert not Criterion.objects.filter(text=OWN["text"]).exists()
