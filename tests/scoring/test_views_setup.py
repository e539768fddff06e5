"""Setting an evaluation up: create, edit (with edit conflicts), criteria and weights, evaluators, status.

And once it is awarded or cancelled, every page that would change it sends the
user back to the dashboard with a message, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from accounts.roles import EVALUATOR
from scoring import services
from scoring.forms import CriteriaForm, WhatIfForm
from scoring.models import Assignment, Criterion, Evaluation, Requirement, RequirementTemplate
from tests.conftest import client_for, make_user

from .factories import (
    assign,
    bid_form_data,
    computed_document,
    evaluation_form_data,
    make_bid,
    make_evaluation,
    make_msp,
    messages_of,
    move_to,
    refreshed,
    running_evaluation,
    scoring_state,
    stored_document,
)

D = Decimal


@pytest.fixture
def evaluation(procurement) -> Evaluation:
    return make_evaluation(procurement)


def url(evaluation: Evaluation, rest: str = "") -> str:
    return f"/evaluations/{evaluation.pk}/{rest}"


# Creating


def test_it_creates_an_evaluation_with_the_library_questions_for_its_model(procurement):
    hipaa = RequirementTemplate.objects.get(key="hipaa-baa")

    response = client_for(procurement).post(
        "/evaluations/new/", evaluation_form_data(model="co_managed", requirement_templates=[hipaa.pk])
    )

    evaluation = Evaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(evaluation)
    assert (evaluation.owner, evaluation.model, evaluation.compliance) == (procurement, "co_managed", ["HIPAA"])
    criteria = list(Criterion.objects.filter(evaluation=evaluation))
    # The library holds five co-managed questions (weight 15 each); price comes last (weight 25).
    assert [(c.kind, c.applies_to, c.weight) for c in criteria] == [("question", "co_managed", D(15))] * 5 + [
        ("price", "all", D(25))
    ]
    assert [r.key for r in Requirement.objects.filter(evaluation=evaluation)] == ["hipaa-baa"]
    assert stored_document(evaluation) == computed_document(evaluation)


def test_it_copies_both_models_questions_into_an_evaluation_of_both(procurement):
    client_for(procurement).post("/evaluations/new/", evaluation_form_data(model="both"))

    criteria = Criterion.objects.filter(evaluation=Evaluation.objects.get())
    assert sorted(criteria.values_list("applies_to", flat=True)) == ["all"] + ["co_managed"] * 5 + ["fully_managed"] * 5


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"term_months": 0}, "term_months"),
        ({"term_months": 121}, "term_months"),
        ({"red_flag_penalty": -1}, "red_flag_penalty"),
        ({"it_staff_annual_cost": -5}, "it_staff_annual_cost"),
        ({"model": "outsourced"}, "model"),
        ({"title": ""}, "title"),
        ({"scoring_due": "2027-02-01", "decision_due": "2027-01-01"}, "decision_due"),
    ],
)
def test_it_refuses_a_new_evaluation_with_a_bad_value_beside_its_field(procurement, overrides, field):
    response = client_for(procurement).post("/evaluations/new/", evaluation_form_data(**overrides))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not Evaluation.objects.exists()


# Editing


def test_it_saves_an_edit_and_refreshes_the_stored_ranking(evaluation, procurement):
    response = client_for(procurement).post(url(evaluation, "edit/"), evaluation_form_data(evaluation, title="IT 2028"))

    evaluation = refreshed(evaluation)
    assert response.status_code == 302
    assert (evaluation.title, evaluation.version) == ("IT 2028", 2)
    # The ranking document carries the title: it was refreshed with the edit.
    assert stored_document(evaluation)["evaluation"] == "IT 2028"


def test_it_refuses_a_stale_edit_and_keeps_the_other_persons_values(evaluation, procurement, admin_user):
    opened = client_for(procurement).get(url(evaluation, "edit/"))
    assert opened.context["form"]["version"].value() == 1
    # The admin saves first.
    services.evaluation_update(evaluation=refreshed(evaluation), expected_version=1, title="Admin's title")

    response = client_for(procurement).post(
        url(evaluation, "edit/"), evaluation_form_data(evaluation, title="Priya's title", version=1)
    )

    assert response.status_code == 200
    assert "changed by someone else" in response.text.lower()
    assert refreshed(evaluation).title == "Admin's title"
    assert refreshed(evaluation).version == 2
    # The form now carries the current version: saving again replaces the admin's title on purpose.
    again = client_for(procurement).post(
        url(evaluation, "edit/"), evaluation_form_data(evaluation, title="Priya's title", version=2)
    )
    assert again.status_code == 302
    assert refreshed(evaluation).title == "Priya's title"


def test_it_refuses_to_narrow_the_model_below_the_bids_received(procurement):
    evaluation = make_evaluation(procurement, model="both")
    make_bid(evaluation, "Acme Managed IT", model="co_managed")
    before = scoring_state()

    response = client_for(procurement).post(
        url(evaluation, "edit/"), evaluation_form_data(refreshed(evaluation), model="fully_managed")
    )

    assert response.status_code == 200
    assert "model" in response.context["form"].errors
    assert scoring_state() == before


# Criteria and weights


def weights_data(evaluation: Evaluation, **by_key: Any) -> dict[str, Any]:
    """The criteria form's data: every current weight, with some changed by criterion key."""
    return {
        f"weight_{c.pk}": by_key.get(c.key.replace("-", "_"), format(c.weight.normalize(), "f"))
        for c in Criterion.objects.filter(evaluation=evaluation)
    }


def test_it_saves_weights_before_scoring_without_a_reason(evaluation, procurement):
    response = client_for(procurement).post(url(evaluation, "criteria/"), weights_data(evaluation, price="40"))

    assert response.status_code == 302
    assert Criterion.objects.get(evaluation=evaluation, key="price").weight == D(40)
    assert stored_document(evaluation) == computed_document(evaluation)


def test_it_refuses_a_negative_weight_beside_its_field(evaluation, procurement):
    price = Criterion.objects.get(evaluation=evaluation, key="price")
    before = scoring_state()

    response = client_for(procurement).post(url(evaluation, "criteria/"), weights_data(evaluation, price="-5"))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [f"weight_{price.pk}"]
    assert scoring_state() == before


def test_it_refuses_all_weights_at_zero_and_writes_nothing(evaluation, procurement):
    zeros = dict.fromkeys(Criterion.objects.filter(evaluation=evaluation).values_list("key", flat=True), "0")
    before = scoring_state()

    response = client_for(procurement).post(
        url(evaluation, "criteria/"), weights_data(evaluation, **{k.replace("-", "_"): v for k, v in zeros.items()})
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Give at least one criterion for fully managed bids a weight above zero: with all at zero every total is 0.00."
    ]
    assert "with all at zero every total is 0.00" in response.content.decode()
    assert scoring_state() == before
    assert Criterion.objects.filter(evaluation=evaluation, weight__gt=0).count() == len(zeros)


def test_a_model_left_with_only_zero_weights_is_refused_too(procurement):
    evaluation = make_evaluation(procurement, model="both")
    co_only = Criterion.objects.filter(evaluation=evaluation, applies_to="co_managed")
    kept = {c.key.replace("-", "_"): "0" for c in co_only}

    # Every criterion of co-managed bids (their own and the shared price) at zero; fully managed keep theirs.
    response = client_for(procurement).post(url(evaluation, "criteria/"), weights_data(evaluation, price="0", **kept))

    assert response.status_code == 200
    assert "Give at least one criterion for co-managed bids a weight above zero" in response.content.decode()
    assert not Criterion.objects.filter(evaluation=evaluation, weight=0).exists()


def test_it_requires_a_reason_to_change_weights_once_scoring_started(evaluation, procurement):
    evaluation = move_to(evaluation, "collecting_bids", "scoring")
    before = scoring_state()

    response = client_for(procurement).post(url(evaluation, "criteria/"), weights_data(evaluation, price="40"))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["reason"]
    assert scoring_state() == before


def test_it_records_the_reason_for_a_weight_change_once_scoring_started(evaluation, procurement):
    evaluation = move_to(evaluation, "collecting_bids", "scoring")

    response = client_for(procurement).post(
        url(evaluation, "criteria/"), {**weights_data(evaluation, price="40"), "reason": "The board wants cost first."}
    )

    price = Criterion.objects.get(evaluation=evaluation, key="price")
    assert response.status_code == 302
    assert price.weight == D(40)
    assert price.history.latest().history_change_reason == "The board wants cost first."
    assert stored_document(evaluation) == computed_document(evaluation)


# Evaluators


def test_it_assigns_evaluators_and_offers_only_unassigned_evaluators(evaluation, procurement, evaluator, no_role_user):
    erin = make_user("erin", EVALUATOR)
    assign(evaluation, erin)
    client = client_for(procurement)

    offered = list(client.get(url(evaluation, "evaluators/")).context["form"].fields["evaluators"].queryset)
    response = client.post(url(evaluation, "evaluators/"), {"evaluators": [evaluator.pk]})

    assert offered == [evaluator]  # not Erin (assigned already), not a user without the Evaluator role
    assert response.status_code == 302
    assert set(Assignment.objects.filter(evaluation=evaluation).values_list("evaluator__username", flat=True)) == {
        "erin",
        "evan",
    }


def test_it_refuses_to_assign_a_user_without_the_evaluator_role(evaluation, procurement, no_role_user):
    response = client_for(procurement).post(url(evaluation, "evaluators/"), {"evaluators": [no_role_user.pk]})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["evaluators"]
    assert not Assignment.objects.exists()


# Status


def test_it_moves_the_status_one_step(evaluation, procurement):
    response = client_for(procurement).post(url(evaluation, "status/"), {"to": "collecting_bids"})

    assert response.status_code == 302
    assert response["Location"] == url(evaluation)
    assert refreshed(evaluation).status == "collecting_bids"
    assert messages_of(response) == ["The evaluation is now collecting bids."]


@pytest.mark.parametrize("to", ["awarded", "decision", "scoring", "bogus", ""])
def test_it_refuses_a_transition_that_is_not_allowed(evaluation, procurement, to):
    before = scoring_state()

    response = client_for(procurement).post(url(evaluation, "status/"), {"to": to})

    assert response.status_code == 302
    assert response["Location"] == url(evaluation)
    assert refreshed(evaluation).status == "draft"
    assert scoring_state() == before
    [message] = messages_of(response)
    assert "can't go from draft" in message or message == "Choose a status to move to."


def test_it_names_both_statuses_when_refusing_draft_to_awarded(evaluation, procurement):
    response = client_for(procurement).post(url(evaluation, "status/"), {"to": "awarded"})

    assert messages_of(response) == ["An evaluation can't go from draft to awarded."]


# Locked: awarded or cancelled


@pytest.fixture(params=["cancelled", "awarded"])
def locked(request, procurement, evaluator) -> SimpleNamespace:
    """A running evaluation (see ``running_evaluation``) that was then cancelled or awarded."""
    w = running_evaluation(procurement, evaluator, make_user("sam", EVALUATOR))
    path = ["cancelled"] if request.param == "cancelled" else ["decision", "awarded"]
    w.evaluation = move_to(w.evaluation, *path)
    w.status = request.param
    return w


def base(w: SimpleNamespace) -> str:
    return f"/evaluations/{w.evaluation.pk}"


# Every page that changes the evaluation, with data that would succeed were it not locked.
LOCKED_PAGES: dict[str, Callable[[SimpleNamespace], tuple[str, dict[str, Any]]]] = {
    "edit": lambda w: (f"{base(w)}/edit/", evaluation_form_data(refreshed(w.evaluation), title="Renamed")),
    "criteria": lambda w: (f"{base(w)}/criteria/", {**weights_data(w.evaluation, price="1"), "reason": "Why not."}),
    "evaluators": lambda w: (f"{base(w)}/evaluators/", {"evaluators": [make_user("ezra", EVALUATOR).pk]}),
    "bid create": lambda w: (f"{base(w)}/bids/new/", bid_form_data(msp=make_msp("Delta Support"))),
    "bid edit": lambda w: (f"{base(w)}/bids/{w.acme.pk}/edit/", bid_form_data(refreshed(w.acme), monthly_fee=900)),
    "flag create": lambda w: (f"{base(w)}/bids/{w.acme.pk}/flags/new/", {"code": "pushy-sales", "note": "Calls."}),
    "waiver create": lambda w: (
        f"{base(w)}/bids/{w.beacon.pk}/waivers/new/",
        {"code": "no-references", "reason": "Checked by phone."},
    ),
}
LOCKED_ACTIONS: dict[str, Callable[[SimpleNamespace], tuple[str, dict[str, Any]]]] = {
    "flag withdraw": lambda w: (f"{base(w)}/bids/{w.acme.pk}/flags/{w.flag.pk}/withdraw/", {"reason": "Fixed."}),
    "waiver revoke": lambda w: (f"{base(w)}/bids/{w.beacon.pk}/waivers/{w.waiver.pk}/revoke/", {"reason": "No."}),
    "reopen": lambda w: (f"{base(w)}/scorecards/{w.submitted.pk}/reopen/", {"reason": "Wrong bid."}),
    "status": lambda w: (f"{base(w)}/status/", {"to": "scoring"}),
}


@pytest.mark.parametrize("user_fixture", ["procurement", "admin_user"])
def test_it_sends_the_owner_back_from_every_form_of_a_locked_evaluation(request, locked, user_fixture):
    client = client_for(request.getfixturevalue(user_fixture))
    before = scoring_state()

    for page, build in LOCKED_PAGES.items():
        target, data = build(locked)
        for method in (client.get, client.post):
            response = method(target, data if method == client.post else None)
            assert (page, response.status_code, response["Location"]) == (page, 302, f"{base(locked)}/")
            assert messages_of(response) == [f"This evaluation is {locked.status}: it can't be changed."]

    assert scoring_state() == before


def test_it_refuses_every_other_change_to_a_locked_evaluation_with_a_message(locked, procurement):
    client = client_for(procurement)
    before = scoring_state()

    for action, build in LOCKED_ACTIONS.items():
        response = client.post(*build(locked))
        assert (action, response.status_code) == (action, 302)
        [message] = messages_of(response)
        assert "locked" in message or "can't go from" in message, (action, message)

    assert scoring_state() == before
    assert refreshed(locked.evaluation).status == locked.status


def test_it_saves_no_score_on_a_locked_evaluation(locked, evaluator):
    before = scoring_state()
    data = {f"score_{locked.acme.pk}_{c.pk}": "5" for c in Criterion.objects.filter(evaluation=locked.evaluation)}

    response = client_for(evaluator).post(url(locked.evaluation, "scorecard/"), {**data, "submit": "1"})

    assert response.status_code in (200, 302)
    shown = " ".join(messages_of(response)) if response.status_code == 302 else response.text
    assert "locked" in shown
    assert scoring_state() == before
    assert refreshed(locked.pending).submitted_at is None


def test_it_declares_no_conflict_on_a_locked_evaluation(locked, evaluator):
    before = scoring_state()

    response = client_for(evaluator).post(url(locked.evaluation, "conflicts/new/"), {"msp": locked.acme.msp_id})

    assert response.status_code == 302
    assert scoring_state() == before


def test_it_hides_the_change_controls_of_a_locked_evaluation(locked, procurement):
    response = client_for(procurement).get(url(locked.evaluation))

    assert response.status_code == 200
    assert "locked" in response.text
    assert url(locked.evaluation, "bids/new/") not in response.text
    assert url(locked.evaluation, "status/") not in response.text


def test_the_weights_form_shows_weights_as_people_write_them(procurement):
    # Decimal("70.00").normalize() is 7E+1: the form must show 70, and 12.5 as 12.5.
    evaluation = make_evaluation(procurement)
    criteria = list(Criterion.objects.filter(evaluation=evaluation))
    criteria[0].weight, criteria[1].weight = Decimal("70.00"), Decimal("12.50")
    form = CriteriaForm(criteria=criteria)
    assert form[f"weight_{criteria[0].pk}"].value() == "70"
    assert form[f"weight_{criteria[1].pk}"].value() == "12.5"
    what_if = WhatIfForm(criteria=criteria)
    assert what_if[WhatIfForm.field_name(criteria[0])].value() == "70"
