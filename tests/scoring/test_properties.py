"""Properties of the ranking on random small evaluations (pure ``scoring.ranking``, no database)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import ranking
from scoring.ranking import PRICING_REQUIREMENTS, Bid, Criterion, Evaluation, Organization
from tests.hypothesis_profiles import examples

SETTINGS = settings(max_examples=examples(80), deadline=None)

# Distinct even case-insensitively, in mixed case so the name tie-break is exercised.
VENDORS = ("Acme IT", "beta Networks", "Cobalt", "delta MSP", "Echo Systems", "foxtrot")
REQUIREMENTS = ("hipaa-baa", "soc2")
MANUAL_CODES = ("late-proposal", "no-references", "pushy-sales")

amounts = st.decimals(min_value=0, max_value=20000, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def bids(draw, vendor: str) -> Bid:
    pricing_model = draw(st.sampled_from(sorted(PRICING_REQUIREMENTS)))
    prices = {name: draw(amounts) for name in PRICING_REQUIREMENTS[pricing_model]}
    clean = draw(st.booleans())  # half the bids have no automatic flag, so most evaluations rank someone
    flags = {
        "contract_term_months": draw(st.integers(1, 60)),
        "critical_response_minutes": 30 if clean else draw(st.none() | st.integers(1, 240)),
        "sla_best_effort": False if clean else draw(st.booleans()),
        "references_offered": 3 if clean else draw(st.integers(0, 3)),
        "environment_assessed": True if clean else draw(st.booleans()),
        "documented_escalation": True if clean else draw(st.booleans()),
        "documented_onboarding": True if clean else draw(st.booleans()),
        "performance_exit_clause": True if clean else draw(st.booleans()),
    }
    return Bid(
        vendor=vendor,
        model=draw(st.sampled_from(["fully_managed", "co_managed"])),
        pricing_model=pricing_model,
        onboarding_fee=draw(amounts),
        retained_internal_cost=draw(amounts),
        requirements_met=frozenset(draw(st.sets(st.sampled_from(REQUIREMENTS))))
        if not clean
        else frozenset(REQUIREMENTS),
        manual_flags=tuple(draw(st.lists(st.sampled_from(MANUAL_CODES), max_size=2))) if not clean else (),
        waived_flags=tuple(draw(st.lists(st.sampled_from(sorted(ranking.AUTOMATIC_RULES)), max_size=2))),
        **prices,
        **flags,
    )


@st.composite
def evaluations(draw) -> Evaluation:
    n = draw(st.integers(1, 6))
    vendors = draw(st.permutations(VENDORS))[:n]
    bid_list = [draw(bids(vendor)) for vendor in vendors]
    questions = [
        Criterion(
            key=f"q{i}",
            kind="question",
            weight=Decimal(draw(st.integers(0, 50))),
            applies_to=draw(st.sampled_from(["all", "fully_managed", "co_managed"])),
        )
        for i in range(draw(st.integers(0, 4)))
    ]
    price = Criterion(key="price", kind="price", weight=Decimal(draw(st.integers(0, 50))))
    criteria = [*questions]
    criteria.insert(draw(st.integers(0, len(questions))), price)
    scores = {}
    for bid in bid_list:
        for question in questions:
            submitted = draw(st.lists(st.integers(0, 5), max_size=3))
            if submitted:
                scores[(bid.vendor, question.key)] = submitted
    return Evaluation(
        title="Random",
        model="both",
        term_months=draw(st.integers(1, 120)),
        red_flag_policy=draw(st.sampled_from(["disqualify", "penalty"])),
        red_flag_penalty=Decimal(draw(st.integers(0, 30))),
        organization=Organization(
            employees=draw(st.integers(0, 500)),
            devices=draw(st.integers(0, 800)),
            it_staff_annual_cost=draw(amounts) * 10,
        ),
        criteria=tuple(criteria),
        requirements=tuple(draw(st.sets(st.sampled_from(REQUIREMENTS)))),
        bids=tuple(bid_list),
        scores=scores,
    )


@SETTINGS
@given(evaluation=evaluations(), data=st.data())
def test_the_ranking_does_not_depend_on_bid_order(evaluation, data):
    shuffled = dataclasses.replace(evaluation, bids=tuple(data.draw(st.permutations(evaluation.bids))))
    assert ranking.ranking_document(shuffled) == ranking.ranking_document(evaluation)


@SETTINGS
@given(evaluation=evaluations())
def test_every_total_is_between_0_and_100(evaluation):
    for row in ranking.rank(evaluation):
        if row.eligible:
            assert 0 <= row.total <= 100
            assert all(0 <= value <= 100 for value in row.criteria.values())
        else:
            assert row.total is None


@SETTINGS
@given(evaluation=evaluations(), data=st.data())
def test_raising_a_submitted_score_never_lowers_the_bids_total(evaluation, data):
    raisable = [(key, i) for key, values in evaluation.scores.items() for i, value in enumerate(values) if value < 5]
    if not raisable:
        return
    (vendor, criterion), i = data.draw(st.sampled_from(raisable))
    raised = dict(evaluation.scores)
    values = list(raised[(vendor, criterion)])
    values[i] += data.draw(st.integers(1, 5 - values[i]))
    raised[(vendor, criterion)] = values
    before = {row.vendor: row for row in ranking.rank(evaluation)}[vendor]
    after = {row.vendor: row for row in ranking.rank(dataclasses.replace(evaluation, scores=raised))}[vendor]
    assert after.eligible == before.eligible
    if before.eligible:
        assert after.total >= before.total


@SETTINGS
@given(evaluation=evaluations())
def test_the_cheapest_eligible_bid_gets_full_price_marks(evaluation):
    rows = [row for row in ranking.rank(evaluation) if row.eligible]
    if not rows:
        return
    cheapest = min(row.tco for row in rows)
    for row in rows:
        assert "price" in row.criteria  # the price criterion applies to every bid
        if row.tco == cheapest:
            assert row.criteria["price"] == 100
        else:
            assert row.criteria["price"] < 100


@SETTINGS
@given(evaluation=evaluations())
def test_ranks_are_consecutive_and_ranked_rows_come_first(evaluation):
    rows = ranking.ranking_document(evaluation)["ranking"]
    ranked = [row for row in rows if row["status"] == "ranked"]
    assert [row["rank"] for row in ranked] == list(range(1, len(ranked) + 1))
    assert rows[: len(ranked)] == ranked
    rest = rows[len(ranked) :]
    assert all(row["rank"] is None and row["total"] is None and row["criteria"] == {} for row in rest)
    assert [row["vendor"].casefold() for row in rest] == sorted(row["vendor"].casefold() for row in rest)


@SETTINGS
@given(evaluation=evaluations())
def test_ranked_rows_are_ordered_by_total_then_tco_then_name(evaluation):
    # totals compared to 6 decimals, TCOs to the cent, names case-insensitively
    six, cent = Decimal("0.000001"), Decimal("0.01")
    rows = [row for row in ranking.rank(evaluation) if row.eligible]
    keys = [(-row.total.quantize(six), row.tco.quantize(cent), row.vendor.casefold()) for row in rows]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


@SETTINGS
@given(evaluation=evaluations())
def test_eligibility_follows_the_policy(evaluation):
    for row in ranking.rank(evaluation):
        unmet = any(code.startswith("unmet:") for code in row.red_flags)
        if evaluation.red_flag_policy == "disqualify":
            assert row.eligible == (not row.red_flags)
        else:
            assert row.eligible == (not unmet)
        assert len(row.red_flags) == len(set(row.red_flags))
