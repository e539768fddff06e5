"""Sensitivity: the weight range within which the leader stays first, worked by hand and checked
against the ranking module itself."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scoring import analysis, ranking, sensitivity
from tests.hypothesis_profiles import examples

D = Decimal
ORG = ranking.Organization(employees=10, devices=10, it_staff_annual_cost=D(0))


def bid(vendor: str, monthly_fee: int, model: str = "fully_managed", **terms) -> ranking.Bid:
    clean = {
        "pricing_model": "flat",
        "contract_term_months": 12,
        "critical_response_minutes": 30,
        "sla_best_effort": False,
        "references_offered": 3,
        "environment_assessed": True,
        "documented_escalation": True,
        "documented_onboarding": True,
        "performance_exit_clause": True,
    }
    return ranking.Bid(vendor=vendor, model=model, monthly_fee=D(monthly_fee), **{**clean, **terms})


def evaluation(criteria, bids, scores, *, model="fully_managed", policy="disqualify", penalty=10) -> ranking.Evaluation:
    return ranking.Evaluation(
        title="t",
        model=model,
        term_months=1,
        red_flag_policy=policy,
        red_flag_penalty=D(penalty),
        organization=ORG,
        criteria=tuple(criteria),
        requirements=(),
        bids=tuple(bids),
        scores=scores,
    )


QUALITY = ranking.Criterion("quality", "question", D(70))
PRICE = ranking.Criterion("price", "price", D(30))


def ranges(data: ranking.Evaluation) -> dict[str, sensitivity.WeightRange]:
    """The weight ranges, bounds to 4 decimals: the ranking calls totals within half a millionth a
    tie, so an exact crossing at 56 becomes a bound a hair's breadth before it (55.9999987…)."""

    def near(value):
        return None if value is None else value.quantize(D("0.0001"))

    return {
        found.criterion: dataclasses.replace(found, low=near(found.low), high=near(found.high))
        for found in sensitivity.weight_ranges(data, ranking.rank(data))
    }


def two_bids(policy="disqualify", a_terms=None):
    # A: quality 5 → 100 %, TCO 200 → price 100/200 = 50 %. B: quality 3 → 60 %, TCO 100 → price 100 %.
    return evaluation(
        [QUALITY, PRICE],
        [bid("A", 200, **(a_terms or {})), bid("B", 100)],
        {("A", "quality"): [5], ("B", "quality"): [3]},
        policy=policy,
    )


def test_the_leader_stays_first_until_the_other_bid_catches_up():
    data = two_bids()
    # A = (70·100 + 30·50) / 100 = 85, B = (70·60 + 30·100) / 100 = 72
    assert [(row.vendor, row.total) for row in ranking.rank(data)] == [("A", D(85)), ("B", D(72))]
    found = ranges(data)
    # price weight w: A = (7000 + 50w)/(70 + w), B = (4200 + 100w)/(70 + w); equal at 2800 = 50w, w = 56
    assert (found["price"].low, found["price"].high, found["price"].above_leader) == (None, D(56), "B")
    # quality weight q: A = (100q + 1500)/(q + 30), B = (60q + 3000)/(q + 30); equal at 40q = 1500, q = 37.5
    assert (found["quality"].low, found["quality"].high, found["quality"].below_leader) == (D("37.5"), None, "B")


def test_the_statements_say_it_plainly():
    price = analysis.build(two_bids(), ranking.rank(two_bids()), {})["sensitivity"][1]
    assert D(price["high"]).quantize(D("0.0001")) == 56
    assert {**price, "high": "56"} == {
        "criterion": "price",
        "weight": "30",
        "low": None,
        "high": "56",
        "below_leader": None,
        "above_leader": "B",
    }
    assert analysis.statement(price, "the price weight") == (
        "stays first unless the price weight rises above 56 (B then leads)"
    )
    quality = {"low": "37.5", "high": None, "below_leader": "B", "above_leader": None}
    assert (
        analysis.statement(quality, "this weight") == "stays first unless this weight falls below 37.5 (B then leads)"
    )
    both = {"low": "10", "high": "40.125", "below_leader": "B", "above_leader": "C"}
    assert analysis.statement(both, "it") == (
        "stays first unless it falls below 10 (B then leads), or it rises above 40.13 (C then leads)"
    )
    assert analysis.statement({"low": None, "high": None}, "it") == "stays first whatever it"


def test_under_the_penalty_policy_the_penalty_moves_the_thresholds():
    # A has no references: one flag, 10 points off. A = 85 − 10 = 75 against B's 72.
    data = two_bids(policy="penalty", a_terms={"references_offered": 0})
    assert [(row.vendor, row.total) for row in ranking.rank(data)] == [("A", D(75)), ("B", D(72))]
    found = ranges(data)
    # price: 7000 + 50w − 10(70 + w) ≥ 4200 + 100w  ⇔  2100 ≥ 60w  ⇔  w ≤ 35
    assert (found["price"].low, found["price"].high) == (None, D(35))
    # quality: 100q + 1500 − 10(q + 30) ≥ 60q + 3000  ⇔  30q ≥ 1800  ⇔  q ≥ 60
    assert (found["quality"].low, found["quality"].high) == (D(60), None)


def test_a_leader_that_wins_on_every_criterion_is_robust():
    # A is both better and cheaper: no weight can move B ahead.
    data = evaluation([QUALITY, PRICE], [bid("A", 100), bid("B", 200)], {("A", "quality"): [5], ("B", "quality"): [3]})
    assert all(found.robust for found in ranges(data).values())


def test_a_leader_whose_only_criterion_is_price_loses_only_when_price_is_cut_to_zero():
    # Both models: F (fully managed) is judged on an FM question and price, C (co-managed) on price alone.
    fm_question = ranking.Criterion("fm-q", "question", D(50), applies_to="fully_managed")
    price = ranking.Criterion("price", "price", D(50))
    data = evaluation(
        [fm_question, price],
        [bid("F", 200), bid("C", 100, model="co_managed")],
        {("F", "fm-q"): [4]},
        model="both",
    )
    # C = 100 (price only); F = (50·80 + 50·50)/100 = 65
    assert [row.vendor for row in ranking.rank(data)] == ["C", "F"]
    found = ranges(data)
    # With the price weight at 0, C has no weight at all (total 0) and F scores 80.
    assert (found["price"].low, found["price"].below_leader, found["price"].high) == (D(0), "F", None)
    # F's question weight q: F = (80q + 2500)/(q + 50) never reaches 100.
    assert found["fm-q"].robust
    entry = analysis.build(data, ranking.rank(data), {})["sensitivity"][1]
    assert (
        analysis.statement(entry, "the price weight")
        == "stays first unless the price weight is cut to 0 (F then leads)"
    )


def test_nothing_to_lose_with_fewer_than_two_ranked_bids():
    data = evaluation([QUALITY, PRICE], [bid("A", 100)], {("A", "quality"): [5]})
    assert sensitivity.weight_ranges(data, ranking.rank(data)) == []


# --- Against the ranking module: the bounds are where the leader really changes -------------------


def _leader_at(data: ranking.Evaluation, key: str, weight: Decimal) -> str:
    """Who ranks first with the criterion at ``weight``; skips the case when first and second are
    within a hundred-thousandth there (the ranking's own 6-decimal tie rule then decides, and a
    probe a hair's breadth away may fall either side of it)."""
    moved = dataclasses.replace(
        data, criteria=tuple(dataclasses.replace(c, weight=weight) if c.key == key else c for c in data.criteria)
    )
    rows = [row for row in ranking.rank(moved) if row.rank]
    if len(rows) > 1:
        assume(abs(rows[0].total - rows[1].total) > D("0.00001"))
    return rows[0].vendor


bids_strategy = st.lists(
    st.tuples(
        st.sampled_from(["fully_managed", "co_managed"]),
        st.integers(min_value=50, max_value=500),  # monthly fee
        st.lists(st.integers(min_value=0, max_value=5), min_size=3, max_size=3),  # scores on q1..q3
    ),
    min_size=2,
    max_size=5,
)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    bids=bids_strategy,
    weights=st.lists(st.integers(min_value=1, max_value=40), min_size=4, max_size=4),
    policy=st.sampled_from(["disqualify", "penalty"]),
    no_refs=st.lists(st.booleans(), min_size=5, max_size=5),
)
def test_each_bound_is_where_the_ranking_module_changes_leader(bids, weights, policy, no_refs):
    criteria = [
        ranking.Criterion("q1", "question", D(weights[0])),
        ranking.Criterion("q2", "question", D(weights[1]), applies_to="fully_managed"),
        ranking.Criterion("q3", "question", D(weights[2]), applies_to="co_managed"),
        ranking.Criterion("price", "price", D(weights[3])),
    ]
    built = [
        bid(f"V{i}", fee, model=model, references_offered=0 if policy == "penalty" and no_refs[i] else 3)
        for i, (model, fee, _) in enumerate(bids)
    ]
    scores = {}
    for i, (model, _, marks) in enumerate(bids):
        for key, mark in zip(("q1", "q2", "q3"), marks, strict=True):
            if next(c for c in criteria if c.key == key).applies(model):
                scores[(f"V{i}", key)] = [mark]
    data = evaluation(criteria, built, scores, model="both", policy=policy)
    rows = ranking.rank(data)
    assume(sum(1 for row in rows if row.rank) >= 2)
    leader = rows[0].vendor
    for found in sensitivity.weight_ranges(data, rows):
        current = found.weight
        assert _leader_at(data, found.criterion, current) == leader
        if found.low is not None:
            assume(found.low < current - D("0.01"))
            # Inside the range, just above the bound, the leader holds; just below, it has lost.
            assert _leader_at(data, found.criterion, found.low + (current - found.low) / 1000) == leader
            if found.low > 0:
                below = found.low - min(found.low, current - found.low) / 1000
                assert _leader_at(data, found.criterion, below) == found.below_leader
            else:
                assert _leader_at(data, found.criterion, D(0)) == found.below_leader
        else:
            assert _leader_at(data, found.criterion, D(0)) == leader
            assert _leader_at(data, found.criterion, current / 2) == leader
        if found.high is not None:
            assume(found.high > current + D("0.01"))
            assert _leader_at(data, found.criterion, found.high - (found.high - current) / 1000) == leader
            assert _leader_at(data, found.criterion, found.high + (found.high - current) / 1000) == found.above_leader
        else:
            assert _leader_at(data, found.criterion, current * 1000 + 1000) == leader
