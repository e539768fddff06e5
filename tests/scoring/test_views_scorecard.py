"""Blind scoring: the scorecard page, drafts and submission, conflicts of interest, reopening, and who sees results.

The numbers: a fully managed evaluation over 12 months with the library's five
fully managed questions (weight 15 each, 75 together) and price (weight 25).
Acme bids a flat 1,000 a month (TCO 12,000) and Beacon 2,000 (TCO 24,000), so
price gives Acme 12,000 / 12,000 = 100% and Beacon 12,000 / 24,000 = 50%.
With no submitted score every question is 0%:
    Acme   = 25 × 100 / 100 = 25.00      Beacon = 25 × 50 / 100 = 12.50
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from accounts.roles import EVALUATOR
from scoring import services
from scoring.models import Assignment, ConflictOfInterest, Criterion, Evaluation, Score
from tests.conftest import client_for, make_user

from .factories import (
    assign,
    computed_document,
    make_bid,
    make_evaluation,
    messages_of,
    questions,
    refreshed,
    score,
    scoring_state,
    start_scoring,
    stored_document,
    totals,
)

NOBODY_SUBMITTED = {"Acme Managed IT": 25.0, "Beacon IT": 12.5}


@pytest.fixture
def w(procurement, evaluator) -> SimpleNamespace:
    """Priya's fully managed evaluation in scoring: Acme (1,000 a month) and Beacon (2,000); Evan and Sam assigned."""
    evaluation = make_evaluation(procurement)
    acme = make_bid(evaluation, "Acme Managed IT", monthly_fee=1000)
    beacon = make_bid(evaluation, "Beacon IT", monthly_fee=2000)
    evan, sam = assign(evaluation, evaluator, make_user("sam", EVALUATOR))
    return SimpleNamespace(evaluation=start_scoring(evaluation), acme=acme, beacon=beacon, evan=evan, sam=sam)


def url(evaluation: Evaluation, rest: str = "") -> str:
    return f"/evaluations/{evaluation.pk}/{rest}"


def scorecard_data(assignment: Assignment, scores: dict[str, Any], button: str = "save") -> dict[str, Any]:
    """What the scorecard posts: each named vendor's score on every question of its bid, then ``button``."""
    data: dict[str, Any] = {button: "1"}
    for bid, applicable in services.scorecard_slots(assignment):
        for question in applicable:
            value = scores.get(bid.msp.name, "")
            data[f"score_{bid.pk}_{question.pk}"] = str(value)
            data[f"note_{bid.pk}_{question.pk}"] = f"{bid.msp.name} on {question.key}" if value != "" else ""
    return data


# The scorecard page


def test_it_shows_each_bid_only_the_questions_for_its_model(procurement, evaluator):
    evaluation = make_evaluation(procurement, model="both")
    fully = make_bid(evaluation, "Acme Managed IT", model="fully_managed")
    co = make_bid(evaluation, "Beacon IT", model="co_managed")
    assign(evaluation, evaluator)

    response = client_for(evaluator).get(url(evaluation, "scorecard/"))

    assert response.status_code == 200
    shown = {row["bid"].pk: [q["criterion"].key for q in row["questions"]] for row in response.context["rows"]}
    assert shown == {
        fully.pk: [c.key for c in questions(evaluation) if c.applies_to == "fully_managed"],
        co.pk: [c.key for c in questions(evaluation) if c.applies_to == "co_managed"],
    }
    assert len(shown[fully.pk]) == len(shown[co.pk]) == 5
    assert not set(shown[fully.pk]) & set(shown[co.pk])
    # The price criterion is computed, never scored.
    assert "price" not in response.context["form"].fields
    assert not [name for name in response.context["form"].fields if name.endswith(f"_{fully.pk}_price")]


def test_it_ignores_a_score_posted_for_a_question_that_does_not_apply(procurement, evaluator):
    evaluation = start_scoring(make_evaluation(procurement, model="both"))
    fully = make_bid(evaluation, "Acme Managed IT", model="fully_managed")
    [assignment] = assign(evaluation, evaluator)
    co_question = next(c for c in questions(evaluation) if c.applies_to == "co_managed")

    client_for(evaluator).post(url(evaluation, "scorecard/"), {f"score_{fully.pk}_{co_question.pk}": "5", "save": "1"})

    assert not Score.objects.filter(assignment=assignment).exists()


@pytest.mark.parametrize("bad", ["6", "-1", "five", "4.5"])
def test_it_refuses_a_score_outside_0_to_5_and_saves_nothing(w, evaluator, bad):
    data = scorecard_data(w.evan, {"Acme Managed IT": 4, "Beacon IT": 5})
    question = questions(w.evaluation)[0]
    data[f"score_{w.acme.pk}_{question.pk}"] = bad
    before = scoring_state()

    response = client_for(evaluator).post(url(w.evaluation, "scorecard/"), {**data, "submit": "1"})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [f"score_{w.acme.pk}_{question.pk}"]
    assert scoring_state() == before


def test_a_note_over_the_limit_is_refused_beside_it_and_nothing_is_saved(w, evaluator):
    data = scorecard_data(w.evan, {"Acme Managed IT": 4, "Beacon IT": 5})
    question = questions(w.evaluation)[0]
    data[f"note_{w.acme.pk}_{question.pk}"] = "x" * 5001
    before = scoring_state()

    response = client_for(evaluator).post(url(w.evaluation, "scorecard/"), data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [f"note_{w.acme.pk}_{question.pk}"]
    page = response.content.decode()
    assert "Nothing was saved: correct the marked entry below, then save again." in page
    assert "Ensure this value has at most 5000 characters (it has 5001)." in page
    assert 'maxlength="5000"' in page
    assert scoring_state() == before


def test_a_draft_from_a_stale_tab_is_refused_with_the_saved_scores_beside_it(w, evaluator):
    client = client_for(evaluator)
    opened = client.get(url(w.evaluation, "scorecard/")).context["form"]["version"].value()
    first_tab = scorecard_data(w.evan, {"Acme Managed IT": 4, "Beacon IT": 5})
    second_tab = scorecard_data(w.evan, {"Acme Managed IT": 2})  # Beacon left empty here
    assert client.post(url(w.evaluation, "scorecard/"), {**first_tab, "version": opened}).status_code == 302
    saved = sorted(Score.objects.filter(assignment=w.evan).values_list("bid__vendor_name", "score"))

    response = client.post(url(w.evaluation, "scorecard/"), {**second_tab, "version": opened})

    assert response.status_code == 200
    # Nothing of the second tab's was written: the first tab's ten scores stand.
    assert sorted(Score.objects.filter(assignment=w.evan).values_list("bid__vendor_name", "score")) == saved
    assert len(saved) == 10
    page = response.content.decode()
    assert "Saved from another window or tab" in page
    question = questions(w.evaluation)[0]
    conflict = {label: (theirs, yours) for label, theirs, yours in response.context["form"].conflict}
    assert conflict[f"Acme Managed IT: {question.text}"] == (
        f"4 · Acme Managed IT on {question.key}",
        f"2 · Acme Managed IT on {question.key}",
    )
    assert conflict[f"Beacon IT: {question.text}"] == (f"5 · Beacon IT on {question.key}", "—")

    # Saving again from the refused page keeps what was typed there, on purpose.
    again = response.context["form"]["version"].value()
    assert again != opened
    assert client.post(url(w.evaluation, "scorecard/"), {**second_tab, "version": again}).status_code == 302
    assert (
        sorted(Score.objects.filter(assignment=w.evan).values_list("bid__vendor_name", "score"))
        == [("Acme Managed IT", 2)] * 5
    )


def test_it_saves_a_draft_that_does_not_count(w, evaluator):
    response = client_for(evaluator).post(
        url(w.evaluation, "scorecard/"), scorecard_data(w.evan, {"Acme Managed IT": 4, "Beacon IT": 5})
    )

    assert response.status_code == 302
    assert response["Location"] == url(w.evaluation, "scorecard/")
    assert Score.objects.filter(assignment=w.evan).count() == 10  # 2 bids × 5 questions
    assert refreshed(w.evan).submitted_at is None
    # Drafts never reach the ranking: the totals are those with no submitted score.
    assert totals(stored_document(w.evaluation)) == NOBODY_SUBMITTED
    assert stored_document(w.evaluation) == computed_document(w.evaluation)


def test_it_keeps_a_draft_on_the_scorecard_page(w, evaluator):
    client = client_for(evaluator)
    client.post(url(w.evaluation, "scorecard/"), scorecard_data(w.evan, {"Acme Managed IT": 4}))

    response = client.get(url(w.evaluation, "scorecard/"))

    question = questions(w.evaluation)[0]
    assert response.context["form"][f"score_{w.acme.pk}_{question.pk}"].value() == "4"
    assert response.context["form"][f"note_{w.acme.pk}_{question.pk}"].value() == f"Acme Managed IT on {question.key}"


def test_it_refuses_to_submit_an_incomplete_scorecard(w, evaluator):
    data = scorecard_data(w.evan, {"Acme Managed IT": 4, "Beacon IT": 5}, button="submit")
    data[f"score_{w.beacon.pk}_{questions(w.evaluation)[-1].pk}"] = ""

    response = client_for(evaluator).post(url(w.evaluation, "scorecard/"), data)

    assert response.status_code == 200
    assert "Score every question before submitting: 1 still empty." in response.text
    assert refreshed(w.evan).submitted_at is None
    assert totals(stored_document(w.evaluation)) == NOBODY_SUBMITTED


def test_it_keeps_what_was_typed_on_the_page_when_a_submission_is_refused(w, evaluator):
    data = scorecard_data(w.evan, {"Acme Managed IT": 4, "Beacon IT": 5}, button="submit")
    last = questions(w.evaluation)[-1]
    data[f"score_{w.beacon.pk}_{last.pk}"] = ""

    response = client_for(evaluator).post(url(w.evaluation, "scorecard/"), data)

    first = questions(w.evaluation)[0]
    assert response.context["form"][f"score_{w.acme.pk}_{first.pk}"].value() == "4"
    assert response.context["form"][f"score_{w.beacon.pk}_{first.pk}"].value() == "5"


def test_it_submits_a_scorecard_and_refreshes_the_ranking(w, evaluator):
    response = client_for(evaluator).post(
        url(w.evaluation, "scorecard/"), scorecard_data(w.evan, {"Acme Managed IT": 4, "Beacon IT": 5}, "submit")
    )

    assert response.status_code == 302
    assert response["Location"] == url(w.evaluation)
    assert refreshed(w.evan).submitted_at is not None
    document = stored_document(w.evaluation)
    # Acme: 4/5 = 80% on each question: (75 × 80 + 25 × 100) / 100 = (6,000 + 2,500) / 100 = 85.00
    # Beacon: 5/5 = 100%:                 (75 × 100 + 25 × 50) / 100 = (7,500 + 1,250) / 100 = 87.50
    assert totals(document) == {"Beacon IT": 87.5, "Acme Managed IT": 85.0}
    assert [(row["rank"], row["vendor"], row["complete"]) for row in document["ranking"]] == [
        (1, "Beacon IT", True),
        (2, "Acme Managed IT", True),
    ]
    assert document == computed_document(w.evaluation)


def test_it_refuses_changes_to_a_submitted_scorecard(w, evaluator):
    score(w.evan, {"Acme Managed IT": 4, "Beacon IT": 5})
    before = scoring_state()

    response = client_for(evaluator).post(
        url(w.evaluation, "scorecard/"), scorecard_data(w.evan, {"Acme Managed IT": 0, "Beacon IT": 0})
    )

    assert response.status_code == 200
    assert "already submitted" in response.text
    assert scoring_state() == before


def test_it_takes_scores_only_while_the_evaluation_is_in_scoring(w, evaluator):
    evaluation = services.evaluation_transition(evaluation=w.evaluation, to="collecting_bids")
    before = scoring_state()

    response = client_for(evaluator).post(
        url(evaluation, "scorecard/"), scorecard_data(w.evan, {"Acme Managed IT": 4, "Beacon IT": 5}, "submit")
    )

    assert response.status_code == 200
    assert "Scores can only be entered while the evaluation is in scoring." in response.text
    assert scoring_state() == before


# Conflicts of interest


def test_it_declares_a_conflict_removes_the_bid_and_tells_the_owner(
    w, evaluator, procurement, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(evaluator)
    client.post(url(w.evaluation, "scorecard/"), scorecard_data(w.evan, {"Acme Managed IT": 4, "Beacon IT": 5}))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(w.evaluation, "conflicts/new/"), {"msp": w.beacon.msp_id, "note": "My brother works there."}
        )

    assert response.status_code == 302
    assert messages_of(response)[-1] == "Conflict with Beacon IT declared; the owner has been told."
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.evaluation, conflict.evaluator, conflict.msp, conflict.note) == (
        w.evaluation,
        evaluator,
        w.beacon.msp,
        "My brother works there.",
    )
    # The drafts on Beacon's bid go (the history keeps them); those on Acme's stay.
    assert set(Score.objects.filter(assignment=w.evan).values_list("bid_id", flat=True)) == {w.acme.pk}
    page = client.get(url(w.evaluation, "scorecard/"))
    assert [row["bid"] for row in page.context["rows"]] == [w.acme]
    [mail] = mailoutbox
    assert mail.to == [procurement.email]
    assert "Beacon IT" in mail.body
    assert "Evan" in mail.body
    assert "My brother works there." in mail.body


def test_it_submits_a_scorecard_without_the_conflicted_bid(w, evaluator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.conflict_declare(assignment=w.evan, msp=w.beacon.msp, note="Former employer.")
    client = client_for(evaluator)

    response = client.post(
        url(w.evaluation, "scorecard/"), scorecard_data(w.evan, {"Acme Managed IT": 4}, button="submit")
    )

    assert response.status_code == 302
    assert refreshed(w.evan).submitted_at is not None
    # Acme: 80% on each question = 85.00 as above. Beacon has no submitted score: 12.50 and not complete.
    assert totals(stored_document(w.evaluation)) == {"Acme Managed IT": 85.0, "Beacon IT": 12.5}


def test_it_refuses_a_second_conflict_with_the_same_msp(w, evaluator, mailoutbox, django_capture_on_commit_callbacks):
    client = client_for(evaluator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(w.evaluation, "conflicts/new/"), {"msp": w.beacon.msp_id})
        response = client.post(url(w.evaluation, "conflicts/new/"), {"msp": w.beacon.msp_id})

    assert response.status_code == 302
    # The MSP is no longer offered, so the form refuses it.
    assert messages_of(response)[-1] == "Choose the MSP you have a conflict with."
    assert ConflictOfInterest.objects.count() == 1
    assert len(mailoutbox) == 1


# Reopening


def test_it_lets_the_owner_reopen_a_scorecard_so_its_scores_stop_counting(w, procurement):
    score(w.evan, {"Acme Managed IT": 4, "Beacon IT": 5})
    assert totals(stored_document(w.evaluation)) == {"Beacon IT": 87.5, "Acme Managed IT": 85.0}

    response = client_for(procurement).post(
        url(w.evaluation, f"scorecards/{w.evan.pk}/reopen/"), {"reason": "Evan scored Beacon's old proposal."}
    )

    assert response.status_code == 302
    assert refreshed(w.evan).submitted_at is None
    # No submitted score left: back to price alone.
    assert totals(stored_document(w.evaluation)) == NOBODY_SUBMITTED
    assert stored_document(w.evaluation) == computed_document(w.evaluation)
    assert refreshed(w.evan).history.latest().history_change_reason == "Evan scored Beacon's old proposal."
    # The drafts are kept for Evan to revise.
    assert Score.objects.filter(assignment=w.evan).count() == 10


def test_it_counts_only_the_scorecards_still_submitted_after_a_reopen(w, procurement):
    score(w.evan, {"Acme Managed IT": 4, "Beacon IT": 5})
    score(w.sam, {"Acme Managed IT": 2, "Beacon IT": 1})
    # Both count: Acme (4 + 2) / 2 = 3 → 60%: (75 × 60 + 2,500) / 100 = 70.00
    #             Beacon (5 + 1) / 2 = 3 → 60%: (75 × 60 + 1,250) / 100 = 57.50
    assert totals(stored_document(w.evaluation)) == {"Acme Managed IT": 70.0, "Beacon IT": 57.5}

    client_for(procurement).post(url(w.evaluation, f"scorecards/{w.evan.pk}/reopen/"), {"reason": "Recheck."})

    # Sam alone: Acme 2 → 40%: (3,000 + 2,500) / 100 = 55.00; Beacon 1 → 20%: (1,500 + 1,250) / 100 = 27.50
    assert totals(stored_document(w.evaluation)) == {"Acme Managed IT": 55.0, "Beacon IT": 27.5}


def test_it_refuses_to_reopen_without_a_reason(w, procurement):
    score(w.evan, {"Acme Managed IT": 4, "Beacon IT": 5})
    before = scoring_state()

    response = client_for(procurement).post(url(w.evaluation, f"scorecards/{w.evan.pk}/reopen/"), {"reason": ""})

    assert response.status_code == 302
    assert messages_of(response) == ["Give a reason to reopen a scorecard: it is kept in the history."]
    assert scoring_state() == before


# Blindness on the dashboard and the ranking


def test_it_keeps_an_unsubmitted_evaluator_blind_to_the_ranking(w, evaluator):
    score(w.sam, {"Acme Managed IT": 4, "Beacon IT": 5})  # 85.00 and 87.50, as worked above
    client = client_for(evaluator)

    dashboard = client.get(url(w.evaluation))
    downloads = [client.get(url(w.evaluation, f"ranking.{ext}")).status_code for ext in ("json", "csv", "xlsx")]

    assert dashboard.status_code == 200
    assert dashboard.context["sees_results"] is False
    assert "ranked" not in dashboard.context
    assert "disqualified" not in dashboard.context
    assert "87.50" not in dashboard.text
    assert "85.00" not in dashboard.text
    assert "Scoring is blind" in dashboard.text
    assert downloads == [403, 403, 403]


def test_it_opens_the_ranking_to_an_evaluator_once_submitted(w, evaluator):
    score(w.sam, {"Acme Managed IT": 2, "Beacon IT": 1})
    client = client_for(evaluator)
    client.post(
        url(w.evaluation, "scorecard/"), scorecard_data(w.evan, {"Acme Managed IT": 4, "Beacon IT": 5}, "submit")
    )

    dashboard = client.get(url(w.evaluation))
    ranking = client.get(url(w.evaluation, "ranking.json"))

    assert [row["vendor"] for row in dashboard.context["ranked"]] == ["Acme Managed IT", "Beacon IT"]
    assert "70.00" in dashboard.text  # Acme, both scorecards counted (worked above)
    assert ranking.status_code == 200
    assert totals(ranking.json()) == {"Acme Managed IT": 70.0, "Beacon IT": 57.5}


@pytest.mark.parametrize("user_fixture", ["executive", "auditor", "procurement", "admin_user"])
def test_it_shows_the_ranking_at_once_to_readers_and_the_owner(request, w, user_fixture):
    client = client_for(request.getfixturevalue(user_fixture))

    dashboard = client.get(url(w.evaluation))
    ranking = client.get(url(w.evaluation, "ranking.json"))

    # Nobody has submitted yet: the ranking is there, on price alone.
    assert [row["vendor"] for row in dashboard.context["ranked"]] == ["Acme Managed IT", "Beacon IT"]
    assert "25.00" in dashboard.text
    assert ranking.status_code == 200
    assert totals(ranking.json()) == NOBODY_SUBMITTED


def test_it_shows_the_evaluator_their_own_progress_only(w, evaluator):
    client = client_for(evaluator)
    client.post(url(w.evaluation, "scorecard/"), scorecard_data(w.evan, {"Acme Managed IT": 4}))

    dashboard = client.get(url(w.evaluation))

    assert dashboard.context["assignment"] == w.evan
    assert (dashboard.context["scorecard_done"], dashboard.context["scorecard_total"]) == (5, 10)
    assert "5 of 10 scores entered" in dashboard.text


def test_it_scores_nothing_for_a_visible_user_who_is_not_assigned(w, executive):
    response = client_for(executive).post(
        url(w.evaluation, "scorecard/"),
        {f"score_{w.acme.pk}_{c.pk}": "5" for c in Criterion.objects.filter(evaluation=w.evaluation)},
    )

    assert response.status_code == 403
    assert not Score.objects.exists()
