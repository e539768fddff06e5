"""The write services: the stored ranking refreshed in the transaction of every write, the lock, and bad input.

Totals are worked by hand on the default evaluation (see ``factories``): fully
managed over 12 months, five questions of weight 15 (75 together) and price of
weight 25; Acme bids a flat 1,000 a month (TCO 12,000), Beacon 2,000 (24,000).
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.roles import EVALUATOR
from scoring import services
from scoring.models import Assignment, Bid, ConflictOfInterest, Criterion, Score
from tests.conftest import make_user

from .factories import (
    CLEAN_TERMS,
    D,
    assign,
    computed_document,
    entries_for,
    make_bid,
    make_evaluation,
    make_msp,
    move_to,
    questions,
    refreshed,
    running_evaluation,
    score,
    scoring_state,
    start_scoring,
    stored_document,
    totals,
)


@pytest.fixture
def w(procurement, evaluator) -> SimpleNamespace:
    """The default evaluation in scoring: Acme (1,000 a month) and Beacon (2,000, no references), Evan assigned."""
    evaluation = make_evaluation(procurement)
    acme = make_bid(evaluation, "Acme Managed IT", monthly_fee=D(1000))
    beacon = make_bid(evaluation, "Beacon IT", monthly_fee=D(2000), references_offered=0)
    [evan] = assign(evaluation, evaluator)
    evaluation = start_scoring(evaluation)
    return SimpleNamespace(evaluation=evaluation, acme=acme, beacon=beacon, evan=evan, owner=procurement)


# The stored ranking follows every write

WRITES: dict[str, Callable[[SimpleNamespace], Any]] = {
    "bid_create": lambda w: services.bid_create(
        evaluation=refreshed(w.evaluation), msp=make_msp("Cobalt Networks"), model="fully_managed", **CLEAN_TERMS
    ),
    "bid_update": lambda w: services.bid_update(
        bid=refreshed(w.acme), expected_version=1, monthly_fee=D(3000), reason="Acme corrected its fee."
    ),
    "criteria_update": lambda w: services.criteria_update(
        evaluation=w.evaluation,
        weights={Criterion.objects.get(evaluation=w.evaluation, key="price").pk: D(75)},
        reason="Cost matters most this year.",
    ),
    "evaluation_update": lambda w: services.evaluation_update(
        evaluation=refreshed(w.evaluation),
        expected_version=refreshed(w.evaluation).version,
        term_months=24,
        reason="The board asked for two years.",
    ),
    "flag_raise": lambda w: services.flag_raise(bid=refreshed(w.acme), code="pushy-sales", note="Calls.", by=w.owner),
    "flag_withdraw": lambda w: services.flag_withdraw(
        flag=services.flag_raise(bid=refreshed(w.acme), code="pushy-sales", note="Calls.", by=w.owner),
        reason="They stopped.",
    ),
    "waiver_create": lambda w: services.waiver_create(
        bid=refreshed(w.beacon), code="no-references", reason="We called two clients.", by=w.owner
    ),
    "waiver_revoke": lambda w: services.waiver_revoke(
        waiver=services.waiver_create(bid=refreshed(w.beacon), code="no-references", reason="Called.", by=w.owner),
        reason="The calls were staged.",
    ),
    "scorecard submit": lambda w: score(w.evan, {"Acme Managed IT": 4, "Beacon IT": 5}),
    "scorecard_reopen": lambda w: services.scorecard_reopen(
        assignment=score(w.evan, {"Acme Managed IT": 4, "Beacon IT": 5}), reason="Recheck."
    ),
}


@pytest.mark.parametrize("write", WRITES)
def test_it_stores_the_ranking_each_write_leaves(w, write):
    WRITES[write](w)

    assert stored_document(w.evaluation) == computed_document(w.evaluation)


@pytest.mark.parametrize(
    "write", [name for name in WRITES if name not in ("flag_withdraw", "waiver_revoke", "scorecard_reopen")]
)
def test_it_changes_the_stored_ranking_with_each_write(w, write):
    before = stored_document(w.evaluation)

    WRITES[write](w)

    assert stored_document(w.evaluation) != before


@pytest.mark.parametrize("write", WRITES)
def test_it_refreshes_the_ranking_in_the_transaction_of_the_write(w, write):
    before = stored_document(w.evaluation)

    with pytest.raises(RuntimeError), transaction.atomic():
        WRITES[write](w)
        # Inside the transaction, before it commits, the stored ranking already matches the rows.
        assert stored_document(w.evaluation) == computed_document(w.evaluation)
        raise RuntimeError("roll back")

    # Rolled back together: the ranking still matches the rows, which are as they were.
    assert stored_document(w.evaluation) == before == computed_document(w.evaluation)


def test_it_keeps_drafts_out_of_the_stored_ranking(w):
    # No submitted score: Acme = 25 × 100 / 100 = 25.00; Beacon is disqualified (no references).
    assert totals(stored_document(w.evaluation)) == {"Acme Managed IT": 25.0, "Beacon IT": None}

    score(w.evan, {"Acme Managed IT": 5, "Beacon IT": 5}, submit=False)

    assert totals(stored_document(w.evaluation)) == {"Acme Managed IT": 25.0, "Beacon IT": None}
    assert Score.objects.filter(assignment=w.evan).count() == 10


def test_it_counts_the_scores_once_submitted_and_not_after_a_reopen(w):
    score(w.evan, {"Acme Managed IT": 3, "Beacon IT": 5})
    # Acme alone is eligible: price 100%; questions 3/5 = 60%: (75 × 60 + 25 × 100) / 100 = (4,500 + 2,500) / 100 = 70.00
    assert totals(stored_document(w.evaluation)) == {"Acme Managed IT": 70.0, "Beacon IT": None}

    services.scorecard_reopen(assignment=w.evan, reason="Acme sent a corrected proposal.")

    assert totals(stored_document(w.evaluation)) == {"Acme Managed IT": 25.0, "Beacon IT": None}
    record = refreshed(w.evan).history.latest()
    assert (record.submitted_at, record.history_change_reason) == (None, "Acme sent a corrected proposal.")


def test_it_ranks_a_waived_bid_with_its_price_against_the_cheaper_one(w):
    services.waiver_create(bid=w.beacon, code="no-references", reason="We called two clients.", by=w.owner)

    document = stored_document(w.evaluation)

    # Both eligible now; min TCO 12,000: Acme price 100%, Beacon 12,000 / 24,000 = 50%.
    # Acme 25 × 100 / 100 = 25.00; Beacon 25 × 50 / 100 = 12.50 (no submitted score yet).
    assert totals(document) == {"Acme Managed IT": 25.0, "Beacon IT": 12.5}


# Locked: awarded or cancelled


@pytest.fixture(params=["cancelled", "awarded"])
def locked(request, procurement, evaluator) -> SimpleNamespace:
    """A running evaluation (see ``running_evaluation``) that was then cancelled or awarded; fresh objects."""
    x = running_evaluation(procurement, evaluator, make_user("sam", EVALUATOR))
    path = ["cancelled"] if request.param == "cancelled" else ["decision", "awarded"]
    move_to(x.evaluation, *path)
    x.evaluation = refreshed(x.evaluation)
    x.acme, x.beacon = Bid.objects.get(pk=x.acme.pk), Bid.objects.get(pk=x.beacon.pk)
    x.flag, x.waiver = refreshed(x.flag), refreshed(x.waiver)
    x.pending = Assignment.objects.get(pk=x.pending.pk)
    x.submitted = Assignment.objects.get(pk=x.submitted.pk)
    x.owner = procurement
    return x


LOCKED_WRITES: dict[str, Callable[[SimpleNamespace], Any]] = {
    "bid_create": lambda x: services.bid_create(
        evaluation=x.evaluation, msp=make_msp("Delta Support"), model="fully_managed", **CLEAN_TERMS
    ),
    "bid_update": lambda x: services.bid_update(bid=x.acme, expected_version=x.acme.version, monthly_fee=D(1)),
    "criteria_update": lambda x: services.criteria_update(
        evaluation=x.evaluation,
        weights={c.pk: D(1) for c in Criterion.objects.filter(evaluation=x.evaluation)},
        reason="Equal weights.",
    ),
    "evaluation_update": lambda x: services.evaluation_update(
        evaluation=x.evaluation, expected_version=x.evaluation.version, title="Renamed"
    ),
    "evaluation_transition": lambda x: services.evaluation_transition(evaluation=x.evaluation, to="scoring"),
    "evaluators_add": lambda x: services.evaluators_add(evaluation=x.evaluation, users=[make_user("ezra", EVALUATOR)]),
    "flag_raise": lambda x: services.flag_raise(bid=x.acme, code="pushy-sales", note="Calls.", by=x.owner),
    "flag_withdraw": lambda x: services.flag_withdraw(flag=x.flag, reason="Fixed."),
    "waiver_create": lambda x: services.waiver_create(bid=x.beacon, code="no-references", reason="Called.", by=x.owner),
    "waiver_revoke": lambda x: services.waiver_revoke(waiver=x.waiver, reason="No."),
    "scorecard_save": lambda x: services.scorecard_save(
        assignment=x.pending,
        entries=entries_for(x.pending, {"Acme Managed IT": 5, "Beacon IT": 5}),
        submit=True,
    ),
    "scorecard_reopen": lambda x: services.scorecard_reopen(assignment=x.submitted, reason="Recheck."),
    "conflict_declare": lambda x: services.conflict_declare(assignment=x.pending, msp=x.acme.msp, note=""),
}


def test_it_refuses_every_write_to_a_locked_evaluation(locked):
    before = scoring_state()
    allowed = []

    for name, write in LOCKED_WRITES.items():
        try:
            write(locked)
        except ValidationError as refusal:
            assert "locked" in " ".join(refusal.messages), (name, refusal.messages)
        else:
            allowed.append(name)

    assert allowed == []
    assert scoring_state() == before


def test_it_keeps_the_ranking_an_awarded_evaluation_was_decided_on(procurement):
    evaluation = make_evaluation(procurement)
    make_bid(evaluation, "Acme Managed IT")
    awarded = move_to(evaluation, "collecting_bids", "scoring", "decision", "awarded")
    before = stored_document(awarded)

    with pytest.raises(ValidationError):
        services.criteria_update(evaluation=awarded, weights={questions(awarded)[0].pk: D(0)}, reason="After the fact.")

    assert stored_document(awarded) == before


def test_it_refuses_a_write_prepared_before_the_evaluation_was_cancelled(procurement, evaluator):
    # Objects loaded while the evaluation was open, as a request racing the cancellation holds them.
    x = running_evaluation(procurement, evaluator, make_user("sam", EVALUATOR))
    x.owner = procurement
    x.acme = Bid.objects.select_related("evaluation", "msp").get(pk=x.acme.pk)
    x.beacon = Bid.objects.select_related("evaluation", "msp").get(pk=x.beacon.pk)
    x.pending = Assignment.objects.select_related("evaluation").get(pk=x.pending.pk)
    x.flag.bid, x.waiver.bid = x.acme, x.beacon
    services.evaluation_transition(evaluation=x.evaluation, to="cancelled")
    before = scoring_state()
    allowed = []

    for name in ("bid_create", "flag_raise", "waiver_create", "criteria_update", "conflict_declare"):
        try:
            LOCKED_WRITES[name](x)
        except ValidationError:
            pass
        else:
            allowed.append(name)

    assert allowed == []
    assert scoring_state() == before


# Bad input, refused by the services whatever the page


def test_it_refuses_a_second_bid_from_the_same_msp(w):
    with pytest.raises(ValidationError) as refusal:
        services.bid_create(evaluation=w.evaluation, msp=w.acme.msp, model="fully_managed", **CLEAN_TERMS)

    assert list(refusal.value.message_dict) == ["msp"]
    assert Bid.objects.filter(evaluation=w.evaluation).count() == 2


def test_it_refuses_a_bid_model_the_evaluation_does_not_compare(w):
    with pytest.raises(ValidationError) as refusal:
        services.bid_create(evaluation=w.evaluation, msp=make_msp("Cobalt"), model="co_managed", **CLEAN_TERMS)

    assert list(refusal.value.message_dict) == ["model"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"pricing_model": "per_user", "rate": D(-1)}, "rate"),
        ({"pricing_model": "per_user", "rate": None}, "rate"),
        ({"pricing_model": "hourly", "rate": D(100), "est_hours_per_month": None}, "est_hours_per_month"),
        ({"onboarding_fee": D(-5)}, "onboarding_fee"),
        ({"contract_term_months": 0}, "contract_term_months"),
        ({"critical_response_minutes": 0}, "critical_response_minutes"),
    ],
)
def test_it_refuses_a_bad_bid_amount_naming_its_field(w, fields, field):
    before = scoring_state()

    with pytest.raises(ValidationError) as refusal:
        services.bid_create(
            evaluation=w.evaluation, msp=make_msp("Cobalt"), model="fully_managed", **{**CLEAN_TERMS, **fields}
        )

    assert field in refusal.value.message_dict
    assert scoring_state() == before


def test_it_refuses_a_negative_weight(w):
    price = Criterion.objects.get(evaluation=w.evaluation, key="price")
    before = scoring_state()

    with pytest.raises(ValidationError):
        services.criteria_update(evaluation=w.evaluation, weights={price.pk: D(-1)}, reason="Oops.")

    assert scoring_state() == before


def test_it_requires_a_reason_for_weights_once_scoring_started(w):
    price = Criterion.objects.get(evaluation=w.evaluation, key="price")

    with pytest.raises(ValidationError) as refusal:
        services.criteria_update(evaluation=w.evaluation, weights={price.pk: D(50)}, reason="  ")

    assert list(refusal.value.message_dict) == ["reason"]
    assert refreshed(price).weight == D(25)


@pytest.mark.parametrize(
    ("code", "reason", "field"),
    [
        ("no-references", "  ", "reason"),
        ("lock-in-contract", "Fine.", "code"),  # does not hold: 12-month term
        ("unmet:hipaa-baa", "Fine.", "code"),
    ],
)
def test_it_refuses_a_bad_waiver(w, code, reason, field):
    before = scoring_state()

    with pytest.raises(ValidationError) as refusal:
        services.waiver_create(bid=w.beacon, code=code, reason=reason, by=w.owner)

    assert list(refusal.value.message_dict) == [field]
    assert scoring_state() == before


def test_it_refuses_to_waive_a_manual_flag(w):
    services.flag_raise(bid=w.beacon, code="no-clear-sla", note="The SLA is a brochure.", by=w.owner)
    before = scoring_state()

    with pytest.raises(ValidationError) as refusal:
        services.waiver_create(bid=w.beacon, code="no-clear-sla", reason="Fine.", by=w.owner)

    assert list(refusal.value.message_dict) == ["code"]
    assert scoring_state() == before


@pytest.mark.parametrize("value", [6, -1])
def test_it_refuses_a_score_outside_0_to_5_and_saves_nothing(w, value):
    entries = entries_for(w.evan, {"Acme Managed IT": 4, "Beacon IT": 4})
    entries[next(iter(entries))] = (value, "")
    before = scoring_state()

    with pytest.raises(ValidationError):
        services.scorecard_save(assignment=w.evan, entries=entries)

    assert scoring_state() == before


def test_it_refuses_a_score_on_a_question_that_does_not_apply(procurement, evaluator):
    evaluation = make_evaluation(procurement, model="both")
    bid = make_bid(evaluation, "Acme Managed IT", model="fully_managed")
    [evan] = assign(evaluation, evaluator)
    start_scoring(evaluation)
    co_question = next(c for c in questions(evaluation) if c.applies_to == "co_managed")

    with pytest.raises(ValidationError):
        services.scorecard_save(assignment=evan, entries={(bid.pk, co_question.pk): (5, "")})

    assert not Score.objects.exists()


def test_it_refuses_an_incomplete_submission_and_keeps_it_unsubmitted(w):
    entries = entries_for(w.evan, {"Acme Managed IT": 4, "Beacon IT": 4})
    entries.pop(next(iter(entries)))

    with pytest.raises(ValidationError) as refusal:
        services.scorecard_save(assignment=w.evan, entries=entries, submit=True)

    assert refusal.value.messages == ["Score every question before submitting: 1 still empty."]
    assert refreshed(w.evan).submitted_at is None


# Conflicts of interest


def test_it_tells_the_owner_of_a_conflict_once_on_commit(w, mailoutbox, django_capture_on_commit_callbacks):
    score(w.evan, {"Acme Managed IT": 4, "Beacon IT": 4}, submit=False)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        conflict = services.conflict_declare(assignment=w.evan, msp=w.beacon.msp, note="My sister is their CFO.")

    assert len(callbacks) == 2  # the event once committed, then the email its reminder queued
    [mail] = mailoutbox
    assert mail.to == ["priya@example.com"]
    assert mail.subject == "Conflict of interest declared on “Managed IT services 2027”"
    assert "Evan declared a conflict of interest with Beacon IT" in mail.body
    assert f"/evaluations/{w.evaluation.pk}/" in mail.body
    assert ConflictOfInterest.objects.get() == conflict
    assert [bid.msp.name for bid, _ in services.scorecard_slots(w.evan)] == ["Acme Managed IT"]
    assert not Score.objects.filter(assignment=w.evan, bid=w.beacon).exists()


def test_it_sends_nothing_when_the_conflict_is_rolled_back(w, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.conflict_declare(assignment=w.evan, msp=w.beacon.msp, note="")
        raise RuntimeError("roll back")

    assert mailoutbox == []
    assert not ConflictOfInterest.objects.exists()


def test_it_refuses_a_conflict_once_the_scorecard_is_submitted(w, mailoutbox):
    score(w.evan, {"Acme Managed IT": 4, "Beacon IT": 4})

    with pytest.raises(ValidationError):
        services.conflict_declare(assignment=refreshed(w.evan), msp=w.beacon.msp, note="")

    assert not ConflictOfInterest.objects.exists()
    assert mailoutbox == []
