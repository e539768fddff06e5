"""Material changes: once scoring has started, a change that can move the ranking needs a reason (kept
in the history) and every evaluator is told; a bid entered after the bids-due day needs one too and is
marked late; the decision stage reached early (scorecards outstanding, before scoring is due) needs one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from scoring import services
from scoring.models import Bid, Evaluation
from tests.conftest import client_for, make_user
from tests.scoring.factories import (
    assign,
    bid_form_data,
    contract_example,
    load,
    make_bid,
    make_evaluation,
    make_msp,
    start_scoring,
)

REASON = "Acme sent a corrected price sheet."


@pytest.fixture
def scoring(procurement, evaluator):
    evaluation = make_evaluation(procurement, sealed_prices=True)
    acme = make_bid(evaluation, "Acme Managed IT", monthly_fee=1000)
    sam = make_user("sam", "Evaluator")  # sam@example.com
    assign(evaluation, evaluator, sam)
    return start_scoring(evaluation), acme


def mails_to_evaluators(mailoutbox, evaluator) -> list:
    return [m for m in mailoutbox if evaluator.email in m.to and "Changed during scoring" in m.subject]


def test_a_bid_change_during_scoring_needs_a_reason_and_writes_nothing_without_one(scoring, procurement):
    evaluation, acme = scoring
    url = f"/evaluations/{evaluation.pk}/bids/{acme.pk}/edit/"

    response = client_for(procurement).post(url, bid_form_data(acme, monthly_fee=500))

    assert response.status_code == 200
    assert "Say why the bid from Acme Managed IT changes" in response.content.decode()
    assert Bid.objects.get(pk=acme.pk).monthly_fee == Decimal(1000)


def test_with_a_reason_it_is_kept_and_every_evaluator_is_told(
    scoring, procurement, evaluator, mailoutbox, django_capture_on_commit_callbacks
):
    evaluation, acme = scoring
    url = f"/evaluations/{evaluation.pk}/bids/{acme.pk}/edit/"

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(procurement).post(url, bid_form_data(acme, monthly_fee=500, reason=REASON))

    assert response.status_code == 302
    assert Bid.history.filter(id=acme.pk).latest("history_date").history_change_reason == REASON
    told = {address for m in mailoutbox if "Changed during scoring" in m.subject for address in m.to}
    assert told == {evaluator.email, "sam@example.com"}  # the evaluators, not the owner
    (mail,) = mails_to_evaluators(mailoutbox, evaluator)
    assert "the bid from Acme Managed IT (monthly fee)" in mail.subject
    assert f"Why: {REASON}" in " ".join(mail.body.split())


@pytest.mark.parametrize(
    ("field", "value", "what"),
    [
        ("sealed_prices", False, "sealed prices"),
        ("it_staff_annual_cost", Decimal(30000), "the buyer's internal IT cost"),  # halved
        ("red_flag_policy", "penalty", "the red-flag policy"),
    ],
)
def test_the_evaluations_material_settings_need_a_reason_during_scoring(scoring, field, value, what):
    evaluation, _ = scoring
    fresh = Evaluation.objects.get(pk=evaluation.pk)

    with pytest.raises(ValidationError) as refused:
        services.evaluation_update(evaluation=fresh, expected_version=fresh.version, **{field: value})

    assert refused.value.message_dict == {
        "reason": [f"Say why {what} changes: scoring has started, and the evaluators are told."]
    }
    assert getattr(Evaluation.objects.get(pk=evaluation.pk), field) != value


def test_a_title_change_needs_no_reason(scoring):
    evaluation, _ = scoring
    fresh = Evaluation.objects.get(pk=evaluation.pk)
    services.evaluation_update(evaluation=fresh, expected_version=fresh.version, title="Managed IT 2027 (v2)")
    assert Evaluation.objects.get(pk=evaluation.pk).title == "Managed IT 2027 (v2)"


def test_a_bid_entered_after_the_bids_were_due_needs_a_reason_and_is_marked_late(procurement):
    evaluation = make_evaluation(procurement, bids_due=timezone.localdate() - dt.timedelta(days=1))
    msp = make_msp("Latecomer IT")

    with pytest.raises(ValidationError) as refused:
        services.bid_create(evaluation=evaluation, msp=msp, model="fully_managed", pricing_model="flat",
                            monthly_fee=Decimal(900), contract_term_months=12, critical_response_minutes=30)  # fmt: skip
    assert "entered after the bids were due" in refused.value.message_dict["reason"][0]
    assert not Bid.objects.filter(evaluation=evaluation).exists()

    bid = services.bid_create(evaluation=evaluation, msp=msp, model="fully_managed", pricing_model="flat",
                              monthly_fee=Decimal(900), contract_term_months=12, critical_response_minutes=30,
                              reason="Their bid was lost in the mail room; the date stamp shows it on time.")  # fmt: skip
    assert bid.is_late
    assert (
        "late: entered after the bids were due" in client_for(procurement).get(bid.get_absolute_url()).content.decode()
    )
    dashboard = client_for(procurement).get(evaluation.get_absolute_url()).content.decode()
    assert 'title="Entered after the bids were due">late</span>' in dashboard
    other = services.bid_create(evaluation=evaluation, msp=make_msp("Second IT"), model="fully_managed",
                                pricing_model="flat", monthly_fee=Decimal(800), contract_term_months=12,
                                critical_response_minutes=30, reason="Also found in the mail room.")  # fmt: skip
    compare = (
        client_for(procurement)
        .get(f"/evaluations/{evaluation.pk}/compare/?bid={bid.pk}&bid={other.pk}")
        .content.decode()
    )
    assert compare.count('title="Entered after the bids were due">late</span>') == 2


def test_a_bid_entered_on_the_due_day_is_on_time(procurement):
    evaluation = make_evaluation(procurement, bids_due=timezone.localdate())
    assert not make_bid(evaluation, "Punctual IT").is_late


def test_the_decision_stage_with_scorecards_outstanding_needs_a_reason_kept_on_the_record(scoring):
    evaluation, _ = scoring

    with pytest.raises(ValidationError, match="2 scorecards are not submitted: say why the decision stage starts now"):
        services.evaluation_transition(evaluation=evaluation, to="decision")
    assert Evaluation.objects.get(pk=evaluation.pk).status == "scoring"

    services.evaluation_transition(evaluation=evaluation, to="decision", reason="The board meets on Friday.")
    latest = Evaluation.history.filter(id=evaluation.pk).latest("history_date")
    assert (latest.status, latest.history_change_reason) == ("decision", "The board meets on Friday.")


def test_the_decision_stage_before_scoring_is_due_needs_a_reason(procurement, evaluator):
    evaluation = make_evaluation(procurement, scoring_due=timezone.localdate() + dt.timedelta(days=3))
    make_bid(evaluation, "Acme Managed IT")
    (evan,) = assign(evaluation, evaluator)
    evaluation = start_scoring(evaluation)
    services.scorecard_save(
        assignment=evan,
        entries={(b.pk, q.pk): (3, "") for b, questions in services.scorecard_slots(evan) for q in questions},
        submit=True,
    )

    with pytest.raises(ValidationError, match="Scoring is due on"):
        services.evaluation_transition(evaluation=evaluation, to="decision")


def test_a_packages_bids_are_never_late(procurement):
    data = contract_example()
    data["evaluation"]["bids_due"] = (timezone.localdate() - dt.timedelta(days=30)).isoformat()

    evaluation = load(procurement, data)

    assert [b.is_late for b in Bid.objects.filter(evaluation=evaluation)] == [False] * len(data["bids"])


def _submitted(evaluation, username):
    assignment = evaluation.assignments.get(evaluator__username=username)
    entries = {(b.pk, q.pk): (3, "") for b, questions in services.scorecard_slots(assignment) for q in questions}
    return services.scorecard_save(assignment=assignment, entries=entries, submit=True)


@pytest.mark.parametrize(
    ("change", "subject"),
    [
        (
            lambda e, acme, owner: services.criteria_update(
                evaluation=e,
                weights={e.criteria.get(key="price").pk: Decimal(50)},
                reason="Cost matters more this year.",
            ),
            "the criteria's weights",
        ),
        (
            lambda e, acme, owner: services.flag_raise(bid=acme, code="pushy-sales", note="Calls daily.", by=owner),
            "red flag pushy-sales raised on the bid from Acme Managed IT",
        ),
        (
            lambda e, acme, owner: services.flag_withdraw(
                flag=services.flag_raise(bid=acme, code="pushy-sales", note="Calls daily.", by=owner),
                reason="They stopped.",
            ),
            "red flag pushy-sales withdrawn on the bid from Acme Managed IT",
        ),
        (
            lambda e, acme, owner: services.scorecard_reopen(
                assignment=_submitted(e, "sam"), reason="Sam scored the wrong bid's SLA."
            ),
            "the scorecard of Sam, reopened (its scores no longer count)",
        ),
    ],
    ids=["weights", "flag raised", "flag withdrawn", "scorecard reopened"],
)
def test_every_change_that_moves_the_ranking_reaches_the_evaluators(
    scoring, procurement, evaluator, mailoutbox, django_capture_on_commit_callbacks, change, subject
):
    evaluation, acme = scoring

    with django_capture_on_commit_callbacks(execute=True):
        change(evaluation, acme, procurement)

    subjects = [m.subject for m in mails_to_evaluators(mailoutbox, evaluator)]
    assert any(subject in s for s in subjects), subjects
