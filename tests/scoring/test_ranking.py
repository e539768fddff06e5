"""The scoring rules of the contract, on the pure ``scoring.ranking`` module (no database).

Every expected number is worked by hand in a comment from the rules in
``shared/contracts/evaluation-package.md``: M by pricing model, TCO over the
horizon H, red flags, percentages, weighted totals, the penalty, ties, and the
ranking document and CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest

from scoring import ranking
from scoring.ranking import Bid, Criterion, Evaluation, Organization

D = Decimal

# 120 employees, 150 devices, internal IT staff cost 180,000 a year (the contract's example buyer).
ORG = Organization(employees=120, devices=150, it_staff_annual_cost=D("180000"))

TEN = D(10)

QUESTION = Criterion(key="support", kind="question", weight=D(20))
PRICE = Criterion(key="price", kind="price", weight=D(30))


def make_bid(vendor: str = "Acme", **fields) -> Bid:
    """A fully managed flat-fee bid (1,000 a month) on which no automatic red flag holds."""
    values = {
        "model": "fully_managed",
        "pricing_model": "flat",
        "monthly_fee": D(1000),
        "contract_term_months": 12,
        "critical_response_minutes": 30,
        "sla_best_effort": False,
        "references_offered": 3,
        "environment_assessed": True,
        "documented_escalation": True,
        "documented_onboarding": True,
        "performance_exit_clause": True,
    }
    values.update(fields)
    return Bid(vendor=vendor, **values)


def make_evaluation(
    *bids: Bid,
    criteria=(QUESTION, PRICE),
    scores=None,
    policy: str = "disqualify",
    penalty: Decimal = TEN,
    term_months: int = 12,
    model: str = "both",
    requirements=(),
    organization: Organization = ORG,
) -> Evaluation:
    return Evaluation(
        title="Managed IT services 2027",
        model=model,
        term_months=term_months,
        red_flag_policy=policy,
        red_flag_penalty=penalty,
        organization=organization,
        criteria=tuple(criteria),
        requirements=tuple(requirements),
        bids=tuple(bids),
        scores=scores or {},
    )


def rows_of(evaluation: Evaluation) -> dict[str, ranking.Row]:
    return {row.vendor: row for row in ranking.rank(evaluation)}


def document_rows(evaluation: Evaluation) -> list[dict]:
    return ranking.ranking_document(evaluation)["ranking"]


# --- Monthly cost M by pricing model ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # per_user: rate × employees = 150 × 120 = 18,000
        ({"pricing_model": "per_user", "rate": D(150), "monthly_fee": None}, D(18000)),
        # per_device: rate × devices = 40 × 150 = 6,000
        ({"pricing_model": "per_device", "rate": D(40), "monthly_fee": None}, D(6000)),
        # flat: monthly_fee = 5,000
        ({"pricing_model": "flat", "monthly_fee": D(5000)}, D(5000)),
        # hourly: rate × est_hours_per_month = 125 × 20 = 2,500
        ({"pricing_model": "hourly", "rate": D(125), "est_hours_per_month": D(20), "monthly_fee": None}, D(2500)),
        # hybrid: monthly_fee + rate × est_hours_per_month = 3,000 + 125 × 8 = 4,000
        ({"pricing_model": "hybrid", "monthly_fee": D(3000), "rate": D(125), "est_hours_per_month": D(8)}, D(4000)),
        # project: no monthly cost
        ({"pricing_model": "project", "project_price": D(50000), "monthly_fee": None}, D(0)),
        # decimals are kept exact: 12.5 × 120 = 1,500
        ({"pricing_model": "per_user", "rate": D("12.5"), "monthly_fee": None}, D(1500)),
    ],
    ids=["per_user", "per_device", "flat", "hourly", "hybrid", "project", "decimal-rate"],
)
def test_monthly_cost_by_pricing_model(fields, expected):
    assert ranking.monthly_cost(make_bid(**fields), ORG) == expected


def test_monthly_cost_uses_employees_for_per_user_and_devices_for_per_device():
    # Same rate 10: per_user 10 × 120 employees = 1,200; per_device 10 × 150 devices = 1,500.
    org = Organization(employees=120, devices=150, it_staff_annual_cost=D(0))
    assert ranking.monthly_cost(make_bid(pricing_model="per_user", rate=D(10)), org) == D(1200)
    assert ranking.monthly_cost(make_bid(pricing_model="per_device", rate=D(10)), org) == D(1500)


def test_amounts_the_pricing_model_does_not_require_are_ignored():
    # per_user 150 × 120 = 18,000: the stray monthly_fee, hours and project_price change nothing.
    bid = make_bid(
        pricing_model="per_user",
        rate=D(150),
        monthly_fee=D(999),
        est_hours_per_month=D(40),
        project_price=D(77777),
    )
    assert ranking.monthly_cost(bid, ORG) == D(18000)
    # TCO over 12 months: 18,000 × 12 = 216,000 (no project price added to a per_user bid)
    assert ranking.tco(bid, ORG, 12) == D(216000)
    # flat 1,000 with a stray rate and hours: M = 1,000
    assert ranking.monthly_cost(make_bid(rate=D(50), est_hours_per_month=D(10)), ORG) == D(1000)


# --- TCO ---------------------------------------------------------------------------------------


def test_tco_of_the_contract_example():
    # per_user 150 × 120 = 18,000 a month; TCO = 18,000 × 36 + onboarding 5,000 + 0 = 653,000
    bid = make_bid(pricing_model="per_user", rate=D(150), onboarding_fee=D(5000), monthly_fee=None)
    assert ranking.tco(bid, ORG, 36) == D(653000)


def test_tco_adds_the_onboarding_fee_once():
    # flat 1,000 × 24 + onboarding 2,500 = 26,500
    assert ranking.tco(make_bid(onboarding_fee=D(2500)), ORG, 24) == D(26500)


def test_project_price_is_added_to_the_tco_once_not_per_month():
    # project: M = 0; TCO = 0 × 36 + onboarding 1,000 + project_price 50,000 = 51,000
    bid = make_bid(pricing_model="project", project_price=D(50000), onboarding_fee=D(1000), monthly_fee=None)
    assert ranking.monthly_cost(bid, ORG) == 0
    assert ranking.tco(bid, ORG, 36) == D(51000)
    # the horizon does not multiply it: over 12 months it is still 51,000
    assert ranking.tco(bid, ORG, 12) == D(51000)


def test_co_managed_tco_adds_the_organizations_internal_it_staff_cost():
    # co_managed flat 5,000, H = 36: 5,000 × 36 + 180,000 × 36 / 12 = 180,000 + 540,000 = 720,000;
    # retained_internal_cost is ignored on a co-managed bid.
    bid = make_bid(model="co_managed", monthly_fee=D(5000), retained_internal_cost=D(99999))
    assert ranking.tco(bid, ORG, 36) == D(720000)


def test_co_managed_internal_cost_is_prorated_over_a_horizon_that_is_not_whole_years():
    # H = 18: 1,000 × 18 + 180,000 × 18 / 12 = 18,000 + 270,000 = 288,000
    bid = make_bid(model="co_managed")
    assert ranking.tco(bid, ORG, 18) == D(288000)


def test_fully_managed_tco_adds_the_retained_internal_cost_not_the_organizations():
    # fully_managed flat 1,000, H = 36, retained 24,000 a year:
    # 1,000 × 36 + 24,000 × 36 / 12 = 36,000 + 72,000 = 108,000 (the org's 180,000 is not used)
    bid = make_bid(retained_internal_cost=D(24000))
    assert ranking.tco(bid, ORG, 36) == D(108000)
    # with nothing retained: 1,000 × 36 = 36,000
    assert ranking.tco(make_bid(), ORG, 36) == D(36000)


# --- Automatic red flags and their boundaries ---------------------------------------------------


def test_a_clean_bid_has_no_automatic_flag():
    assert ranking.automatic_flags(make_bid()) == set()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"references_offered": 0}, {"no-references"}),
        ({"references_offered": 1}, set()),
        ({"critical_response_minutes": None}, {"no-clear-sla"}),
        ({"critical_response_minutes": 1}, set()),
        ({"critical_response_minutes": 30, "sla_best_effort": True}, {"no-clear-sla"}),
        ({"critical_response_minutes": None, "sla_best_effort": True}, {"no-clear-sla"}),
        ({"environment_assessed": False}, {"one-size-pricing"}),
        ({"documented_escalation": False}, {"undocumented-procedures"}),
        ({"documented_onboarding": False}, {"undocumented-procedures"}),
        ({"documented_escalation": False, "documented_onboarding": False}, {"undocumented-procedures"}),
        ({"contract_term_months": 12, "performance_exit_clause": False}, set()),
        ({"contract_term_months": 13, "performance_exit_clause": False}, {"lock-in-contract"}),
        ({"contract_term_months": 13, "performance_exit_clause": True}, set()),
        ({"contract_term_months": 60, "performance_exit_clause": True}, set()),
        ({"contract_term_months": 1, "performance_exit_clause": False}, set()),
    ],
    ids=[
        "references-0",
        "references-1",
        "response-none",
        "response-1-minute",
        "best-effort",
        "none-and-best-effort",
        "environment-not-assessed",
        "no-escalation",
        "no-onboarding",
        "neither-procedure",
        "term-12-no-exit-clause",
        "term-13-no-exit-clause",
        "term-13-exit-clause",
        "term-60-exit-clause",
        "term-1-no-exit-clause",
    ],
)
def test_automatic_flag_boundaries(fields, expected):
    assert ranking.automatic_flags(make_bid(**fields)) == expected


def test_every_automatic_flag_at_once():
    bid = make_bid(
        references_offered=0,
        critical_response_minutes=None,
        environment_assessed=False,
        documented_onboarding=False,
        contract_term_months=36,
        performance_exit_clause=False,
    )
    assert ranking.automatic_flags(bid) == set(ranking.AUTOMATIC_RULES)
    assert ranking.red_flags(bid, ()) == (
        ["lock-in-contract", "no-clear-sla", "no-references", "one-size-pricing", "undocumented-procedures"],
        [],
    )


def test_unmet_requirements_flag_each_missing_key():
    # requirements hipaa-baa, soc2, cyber-insurance; the bid meets hipaa-baa only
    bid = make_bid(requirements_met=frozenset({"hipaa-baa"}))
    assert ranking.red_flags(bid, ("hipaa-baa", "soc2", "cyber-insurance")) == (
        ["unmet:cyber-insurance", "unmet:soc2"],
        [],
    )
    # meeting every requirement: no unmet flag
    met = make_bid(requirements_met=frozenset({"hipaa-baa", "soc2"}))
    assert ranking.red_flags(met, ("hipaa-baa", "soc2")) == ([], [])


# --- Waivers, manual flags, each code once -------------------------------------------------------


def test_a_waiver_removes_a_holding_automatic_flag_and_shows_it_as_waived():
    bid = make_bid(references_offered=0, waived_flags=("no-references",))
    assert ranking.red_flags(bid, ()) == ([], ["no-references"])


def test_a_waiver_removes_only_the_code_it_names():
    bid = make_bid(references_offered=0, environment_assessed=False, waived_flags=("no-references",))
    assert ranking.red_flags(bid, ()) == (["one-size-pricing"], ["no-references"])


def test_a_waiver_of_an_automatic_code_that_does_not_hold_does_nothing():
    bid = make_bid(waived_flags=("one-size-pricing",))
    assert ranking.red_flags(bid, ()) == ([], [])


def test_a_waiver_does_not_remove_a_manual_flag():
    bid = make_bid(manual_flags=("bad-references",), waived_flags=("bad-references",))
    assert ranking.red_flags(bid, ()) == (["bad-references"], [])


def test_a_waiver_does_not_remove_a_manual_flag_that_shares_an_automatic_code():
    # the manual flag "no-references" stays even though the automatic one also holds and is "waived"
    bid = make_bid(references_offered=0, manual_flags=("no-references",), waived_flags=("no-references",))
    assert ranking.red_flags(bid, ()) == (["no-references"], [])


def test_a_waiver_does_not_remove_an_unmet_requirement():
    bid = make_bid(waived_flags=("unmet:soc2",))
    assert ranking.red_flags(bid, ("soc2",)) == (["unmet:soc2"], [])


def test_manual_flags_count_and_each_code_counts_once():
    # manual "no-references" + the automatic one that holds + a duplicate manual entry: one code
    bid = make_bid(references_offered=0, manual_flags=("no-references", "late-proposal", "late-proposal"))
    assert ranking.red_flags(bid, ()) == (["late-proposal", "no-references"], [])


def test_a_manual_flag_alone_disqualifies_under_disqualify():
    rows = rows_of(make_evaluation(make_bid(manual_flags=("late-proposal",))))
    assert rows["Acme"].eligible is False
    assert rows["Acme"].red_flags == ["late-proposal"]


def test_a_manual_code_equal_to_an_automatic_one_is_penalised_once():
    # Only the question, weight 20, scored [5] → 100%. Flags: {"no-references"} once (manual + automatic).
    # penalty 10 × 1 flag: total = 100 − 10 = 90 (not 80).
    bid = make_bid(references_offered=0, manual_flags=("no-references",))
    evaluation = make_evaluation(bid, criteria=(QUESTION,), scores={("Acme", "support"): [5]}, policy="penalty")
    assert rows_of(evaluation)["Acme"].total == D(90)


# --- Policies -----------------------------------------------------------------------------------


def test_disqualify_policy():
    # H = 12. Question (w20) and price (w30).
    # "beta":  flat 1,000 → TCO 12,000, clean, scored [4] → 80 %; the only eligible bid, so
    #          price = 12,000 / 12,000 × 100 = 100; total = (20 × 80 + 30 × 100) / 50 = 4,600 / 50 = 92.
    # "Zeta":  no references → disqualified (even though it is the cheapest).
    # "alpha": environment not assessed → disqualified.
    # Disqualified rows come after the ranked ones, by name case-insensitively: alpha, then Zeta.
    beta = make_bid("beta")
    zeta = make_bid("Zeta", monthly_fee=D(100), references_offered=0)
    alpha = make_bid("alpha", environment_assessed=False)
    evaluation = make_evaluation(
        zeta,
        beta,
        alpha,
        scores={("beta", "support"): [4], ("Zeta", "support"): [5], ("alpha", "support"): [5]},
    )
    rows = document_rows(evaluation)
    assert [row["vendor"] for row in rows] == ["beta", "alpha", "Zeta"]
    assert rows[0] == {
        "rank": 1,
        "vendor": "beta",
        "model": "fully_managed",
        "status": "ranked",
        "complete": True,
        "total": 92.0,
        "monthly_cost": 1000.0,
        "tco": 12000.0,
        "red_flags": [],
        "criteria": {"support": 80.0, "price": 100.0},
    }
    for row, flags, monthly, tco in (
        (rows[1], ["one-size-pricing"], 1000.0, 12000.0),
        (rows[2], ["no-references"], 100.0, 1200.0),
    ):
        # monthly_cost and tco are given for every row: alpha 1,000 × 12 = 12,000; Zeta 100 × 12 = 1,200
        assert row == {
            "rank": None,
            "vendor": row["vendor"],
            "model": "fully_managed",
            "status": "disqualified",
            "complete": False,
            "total": None,
            "monthly_cost": monthly,
            "tco": tco,
            "red_flags": flags,
            "criteria": {},
        }


def test_disqualified_rows_from_rank_carry_no_rank_no_total_no_criteria():
    rows = rows_of(make_evaluation(make_bid(references_offered=0), scores={("Acme", "support"): [5]}))
    row = rows["Acme"]
    assert (row.rank, row.total, row.criteria, row.complete, row.status) == (None, None, {}, False, "disqualified")


def test_penalty_policy_deducts_per_flag_and_unmet_requirements_still_disqualify():
    # H = 12, requirement "soc2"; question (w20), price (w30), penalty 10 points per flag.
    # Alpha: flat 1,000 → TCO 12,000; no references + environment not assessed = 2 flags; [5] → 100 %.
    # Bravo: flat 1,500 → TCO 18,000; clean; [4] → 80 %.
    # Cheap: flat 500 → TCO 6,000; misses soc2 → unmet:soc2 → disqualified, its TCO is not the minimum.
    # min eligible TCO = 12,000.
    # Alpha: price 12,000 / 12,000 × 100 = 100; (20 × 100 + 30 × 100) / 50 = 100; 100 − 10 × 2 = 80.
    # Bravo: price 12,000 / 18,000 × 100 = 66.666…; (20 × 80 + 30 × 66.666…) / 50 = (1,600 + 2,000) / 50 = 72.
    alpha = make_bid("Alpha", references_offered=0, environment_assessed=False, requirements_met=frozenset({"soc2"}))
    bravo = make_bid("Bravo", monthly_fee=D(1500), requirements_met=frozenset({"soc2"}))
    cheap = make_bid("Cheap", monthly_fee=D(500))
    evaluation = make_evaluation(
        bravo,
        cheap,
        alpha,
        scores={("Alpha", "support"): [5], ("Bravo", "support"): [4], ("Cheap", "support"): [5]},
        policy="penalty",
        requirements=("soc2",),
    )
    rows = document_rows(evaluation)
    assert [(r["rank"], r["vendor"], r["status"], r["total"]) for r in rows] == [
        (1, "Alpha", "ranked", 80.0),
        (2, "Bravo", "ranked", 72.0),
        (None, "Cheap", "disqualified", None),
    ]
    assert rows[0]["red_flags"] == ["no-references", "one-size-pricing"]
    assert rows[0]["criteria"] == {"support": 100.0, "price": 100.0}
    assert rows[1]["criteria"] == {"support": 80.0, "price": 66.67}
    assert rows[2]["red_flags"] == ["unmet:soc2"]
    assert rows[2]["criteria"] == {}


def test_penalty_total_is_floored_at_zero():
    # As above with a penalty of 60: Alpha 100 − 60 × 2 = −20 → 0; Bravo 72 (no flag) ranks first.
    alpha = make_bid("Alpha", references_offered=0, environment_assessed=False)
    bravo = make_bid("Bravo", monthly_fee=D(1500))
    evaluation = make_evaluation(
        alpha,
        bravo,
        scores={("Alpha", "support"): [5], ("Bravo", "support"): [4]},
        policy="penalty",
        penalty=D(60),
    )
    rows = document_rows(evaluation)
    assert [(r["rank"], r["vendor"], r["total"]) for r in rows] == [(1, "Bravo", 72.0), (2, "Alpha", 0.0)]


def test_waived_flags_are_not_penalised():
    # penalty policy, only the question (w20) [5] → 100 %; no-references waived → 0 counted flags → 100.
    bid = make_bid(references_offered=0, waived_flags=("no-references",))
    evaluation = make_evaluation(bid, criteria=(QUESTION,), scores={("Acme", "support"): [5]}, policy="penalty")
    assert document_rows(evaluation)[0]["total"] == 100.0
    # and under disqualify the waived bid is eligible
    evaluation = make_evaluation(bid, criteria=(QUESTION,), scores={("Acme", "support"): [5]})
    assert document_rows(evaluation)[0]["status"] == "ranked"


# --- Percentages and totals --------------------------------------------------------------------


def test_question_percentage_is_the_mean_of_submitted_scores_over_five():
    # [3, 4, 4]: mean 11 / 3 = 3.666…; ÷ 5 × 100 = 73.333… → written 73.33
    evaluation = make_evaluation(make_bid(), criteria=(QUESTION,), scores={("Acme", "support"): [3, 4, 4]})
    row = rows_of(evaluation)["Acme"]
    assert row.criteria["support"].quantize(D("0.000001")) == D("73.333333")
    assert row.complete is True
    assert document_rows(evaluation)[0]["criteria"] == {"support": 73.33}
    assert document_rows(evaluation)[0]["total"] == 73.33


def test_a_question_without_score_counts_zero_and_the_bid_is_not_complete():
    # q1 (w10) [5] → 100 %, q2 (w10) no score → 0 %: total = (10 × 100 + 10 × 0) / 20 = 50
    q1 = Criterion(key="q1", kind="question", weight=D(10))
    q2 = Criterion(key="q2", kind="question", weight=D(10))
    evaluation = make_evaluation(make_bid(), criteria=(q1, q2), scores={("Acme", "q1"): [5]})
    row = document_rows(evaluation)[0]
    assert row["criteria"] == {"q1": 100.0, "q2": 0.0}
    assert row["total"] == 50.0
    assert row["complete"] is False
    assert row["status"] == "ranked"


def test_an_unscored_question_of_weight_zero_still_makes_the_bid_incomplete():
    # q1 (w10) [5] → 100; q2 (w0) unscored: total = (10 × 100 + 0 × 0) / 10 = 100, complete false
    q1 = Criterion(key="q1", kind="question", weight=D(10))
    q2 = Criterion(key="q2", kind="question", weight=D(0))
    row = document_rows(make_evaluation(make_bid(), criteria=(q1, q2), scores={("Acme", "q1"): [5]}))[0]
    assert (row["total"], row["complete"]) == (100.0, False)


def test_price_percentage_is_min_eligible_tco_over_the_bids_tco():
    # H = 12; only the price criterion. A: 1,000 × 12 = 12,000; B: 1,600 × 12 = 19,200; C: 3,000 × 12 = 36,000.
    # A: 100; B: 12,000 / 19,200 × 100 = 62.5; C: 12,000 / 36,000 × 100 = 33.333… → 33.33.
    evaluation = make_evaluation(
        make_bid("A"), make_bid("B", monthly_fee=D(1600)), make_bid("C", monthly_fee=D(3000)), criteria=(PRICE,)
    )
    rows = document_rows(evaluation)
    assert [(r["vendor"], r["criteria"]["price"], r["total"]) for r in rows] == [
        ("A", 100.0, 100.0),
        ("B", 62.5, 62.5),
        ("C", 33.33, 33.33),
    ]
    # a price criterion has no score: every bid is complete
    assert all(r["complete"] for r in rows)


def test_price_percentage_is_100_when_the_tco_is_zero():
    # "Free": project with project_price 0 → TCO 0 → 100. "Paid": TCO 12,000 → min 0 / 12,000 × 100 = 0.
    free = make_bid("Free", pricing_model="project", project_price=D(0), monthly_fee=None)
    evaluation = make_evaluation(free, make_bid("Paid"), criteria=(PRICE,))
    rows = document_rows(evaluation)
    assert [(r["vendor"], r["tco"], r["criteria"]["price"]) for r in rows] == [
        ("Free", 0.0, 100.0),
        ("Paid", 12000.0, 0.0),
    ]


def test_total_is_the_weighted_mean_over_the_criteria_that_apply():
    # q1 (w10) [5] → 100; q2 (w30) [2] → 40; price (w60) → 100 (the only bid).
    # total = (10 × 100 + 30 × 40 + 60 × 100) / (10 + 30 + 60) = (1,000 + 1,200 + 6,000) / 100 = 82
    q1 = Criterion(key="q1", kind="question", weight=D(10))
    q2 = Criterion(key="q2", kind="question", weight=D(30))
    price = Criterion(key="price", kind="price", weight=D(60))
    evaluation = make_evaluation(
        make_bid(), criteria=(q1, q2, price), scores={("Acme", "q1"): [5], ("Acme", "q2"): [2]}
    )
    assert rows_of(evaluation)["Acme"].total == D(82)


def test_total_is_zero_when_the_weights_sum_to_zero():
    q = Criterion(key="q", kind="question", weight=D(0))
    price = Criterion(key="price", kind="price", weight=D(0))
    evaluation = make_evaluation(make_bid(), criteria=(q, price), scores={("Acme", "q"): [5]})
    row = document_rows(evaluation)[0]
    assert row["total"] == 0.0
    assert row["criteria"] == {"q": 100.0, "price": 100.0}
    assert row["rank"] == 1


def test_a_bid_with_no_criteria_totals_zero():
    row = document_rows(make_evaluation(make_bid(), criteria=()))[0]
    assert (row["rank"], row["total"], row["complete"], row["criteria"]) == (1, 0.0, True, {})


def test_both_models_with_model_specific_questions():
    # H = 36, org internal IT cost 180,000/yr. Criteria: sla (fully_managed only, w20), support (all, w10),
    # price (w30).
    # FM: fully managed flat 4,500 → TCO 4,500 × 36 = 162,000; sla [4] → 80, support [5] → 100, price 100.
    #     total = (20 × 80 + 10 × 100 + 30 × 100) / 60 = 5,600 / 60 = 93.333… → 93.33
    # CM: co-managed flat 5,000 → TCO 5,000 × 36 + 180,000 × 3 = 720,000; sla does not apply (its stray
    #     score is ignored); support [3] → 60; price 162,000 / 720,000 × 100 = 22.5.
    #     total = (10 × 60 + 30 × 22.5) / 40 = (600 + 675) / 40 = 31.875 → 31.88 (half up)
    sla = Criterion(key="sla", kind="question", weight=D(20), applies_to="fully_managed")
    support = Criterion(key="support", kind="question", weight=D(10))
    evaluation = make_evaluation(
        make_bid("CM", model="co_managed", monthly_fee=D(5000)),
        make_bid("FM", monthly_fee=D(4500)),
        criteria=(sla, support, PRICE),
        scores={("FM", "sla"): [4], ("FM", "support"): [5], ("CM", "support"): [3], ("CM", "sla"): [5]},
        term_months=36,
    )
    rows = document_rows(evaluation)
    assert rows[0]["vendor"] == "FM"
    assert rows[0]["criteria"] == {"sla": 80.0, "support": 100.0, "price": 100.0}
    assert rows[0]["total"] == 93.33
    assert rows[1]["vendor"] == "CM"
    assert rows[1]["criteria"] == {"support": 60.0, "price": 22.5}
    assert rows[1]["total"] == 31.88
    assert rows[1]["complete"] is True  # the fully-managed-only question is not needed


def test_a_fully_managed_bid_missing_its_model_question_is_incomplete():
    sla = Criterion(key="sla", kind="question", weight=D(20), applies_to="fully_managed")
    rows = rows_of(make_evaluation(make_bid("FM"), make_bid("CM", model="co_managed"), criteria=(sla,)))
    assert rows["FM"].complete is False
    assert rows["FM"].criteria == {"sla": D(0)}
    assert rows["CM"].complete is True
    assert rows["CM"].criteria == {}


def test_the_guides_faq_example():
    # Over 36 months: co-managed at 5,000/month flat + 180,000/yr internal staff:
    #   TCO = 5,000 × 36 + 180,000 × 3 = 180,000 + 540,000 = 720,000
    # fully managed at 4,500/month flat, no internal staff: TCO = 4,500 × 36 = 162,000
    # price: fully managed 100; co-managed 162,000 / 720,000 × 100 = 22.5
    evaluation = make_evaluation(
        make_bid("Co-managed MSP", model="co_managed", monthly_fee=D(5000)),
        make_bid("Fully managed MSP", monthly_fee=D(4500)),
        criteria=(PRICE,),
        term_months=36,
    )
    rows = document_rows(evaluation)
    assert [(r["rank"], r["vendor"], r["tco"], r["criteria"]["price"], r["total"]) for r in rows] == [
        (1, "Fully managed MSP", 162000.0, 100.0, 100.0),
        (2, "Co-managed MSP", 720000.0, 22.5, 22.5),
    ]


# --- Ties --------------------------------------------------------------------------------------


def test_equal_totals_rank_the_lower_tco_first():
    # Only the question: both [4] → 80. Alpha 1,250 × 12 = 15,000; Beta 1,000 × 12 = 12,000 → Beta first.
    evaluation = make_evaluation(
        make_bid("Alpha", monthly_fee=D(1250)),
        make_bid("Beta"),
        criteria=(QUESTION,),
        scores={("Alpha", "support"): [4], ("Beta", "support"): [4]},
    )
    assert [(r["rank"], r["vendor"]) for r in document_rows(evaluation)] == [(1, "Beta"), (2, "Alpha")]


def test_totals_agreeing_to_six_decimals_are_a_tie():
    # penalty 0.0000004 per flag. Alpha: TCO 15,000, clean, [4] → 80.
    # Beta: TCO 12,000, one manual flag: 80 − 0.0000004 = 79.9999996, which agrees with 80 to 6 decimals
    # → a tie → the lower TCO (Beta) ranks first although its exact total is lower.
    alpha = make_bid("Alpha", monthly_fee=D(1250))
    beta = make_bid("Beta", manual_flags=("late-proposal",))
    scores = {("Alpha", "support"): [4], ("Beta", "support"): [4]}
    tie = make_evaluation(alpha, beta, criteria=(QUESTION,), scores=scores, policy="penalty", penalty=D("0.0000004"))
    assert [r["vendor"] for r in document_rows(tie)] == ["Beta", "Alpha"]
    # penalty 0.000002: 80 − 0.000002 = 79.999998 differs at the 6th decimal → no tie → Alpha first
    no_tie = make_evaluation(alpha, beta, criteria=(QUESTION,), scores=scores, policy="penalty", penalty=D("0.000002"))
    assert [r["vendor"] for r in document_rows(no_tie)] == ["Alpha", "Beta"]


def test_tcos_are_compared_to_the_cent():
    # Only the question, both [4] → 80. H = 12.
    # alpha: 1,000.000333 × 12 = 12,000.003996; Zeta: 1,000.000001 × 12 = 12,000.000012.
    # To the cent both are 12,000.00 → a tie → vendor name: alpha before Zeta
    # (although Zeta's exact TCO is lower).
    evaluation = make_evaluation(
        make_bid("Zeta", monthly_fee=D("1000.000001")),
        make_bid("alpha", monthly_fee=D("1000.000333")),
        criteria=(QUESTION,),
        scores={("Zeta", "support"): [4], ("alpha", "support"): [4]},
    )
    rows = document_rows(evaluation)
    assert [(r["rank"], r["vendor"], r["tco"]) for r in rows] == [(1, "alpha", 12000.0), (2, "Zeta", 12000.0)]


def test_a_tco_one_cent_lower_wins_the_tie():
    # H = 12. alpha: 1,000 × 12 + onboarding 0.01 = 12,000.01; Zeta: 1,000 × 12 = 12,000.00.
    # Equal totals (80) → Zeta, one cent cheaper, ranks first despite its name.
    evaluation = make_evaluation(
        make_bid("alpha", onboarding_fee=D("0.01")),
        make_bid("Zeta"),
        criteria=(QUESTION,),
        scores={("Zeta", "support"): [4], ("alpha", "support"): [4]},
    )
    assert [r["vendor"] for r in document_rows(evaluation)] == ["Zeta", "alpha"]


def test_equal_totals_and_tcos_rank_by_vendor_name_case_insensitively():
    # All TCO 12,000 and [4] → 80: Alpha, beta, Charlie (a case-sensitive sort would put "beta" last).
    names = ("Charlie", "beta", "Alpha")
    evaluation = make_evaluation(
        *(make_bid(name) for name in names),
        criteria=(QUESTION,),
        scores={(name, "support"): [4] for name in names},
    )
    assert [(r["rank"], r["vendor"]) for r in document_rows(evaluation)] == [(1, "Alpha"), (2, "beta"), (3, "Charlie")]


def test_ranks_are_1_2_3_by_total():
    # Only the question: A [2] → 40, B [5] → 100, C [3] → 60 → B 1, C 2, A 3
    evaluation = make_evaluation(
        make_bid("A"),
        make_bid("B"),
        make_bid("C"),
        criteria=(QUESTION,),
        scores={("A", "support"): [2], ("B", "support"): [5], ("C", "support"): [3]},
    )
    assert [(r["rank"], r["vendor"], r["total"]) for r in document_rows(evaluation)] == [
        (1, "B", 100.0),
        (2, "C", 60.0),
        (3, "A", 40.0),
    ]


# --- The ranking document ----------------------------------------------------------------------


def contract_example() -> Evaluation:
    sla = Criterion(key="sla-guarantee", kind="question", weight=D(20), applies_to="fully_managed")
    price = Criterion(key="price", kind="price", weight=D(30), applies_to="all")
    acme = make_bid(
        "Acme Managed IT",
        pricing_model="per_user",
        rate=D(150),
        monthly_fee=None,
        onboarding_fee=D(5000),
        retained_internal_cost=D(0),
        contract_term_months=36,
        critical_response_minutes=30,
        references_offered=3,
        requirements_met=frozenset({"hipaa-baa"}),
    )
    return make_evaluation(
        acme,
        criteria=(sla, price),
        scores={("Acme Managed IT", "sla-guarantee"): [4]},
        term_months=36,
        requirements=("hipaa-baa",),
    )


def test_the_contract_examples_ranking_document():
    # M = 150 × 120 = 18,000; TCO = 18,000 × 36 + 5,000 = 653,000; sla 4 / 5 × 100 = 80; price 100;
    # total = (20 × 80 + 30 × 100) / 50 = 4,600 / 50 = 92
    assert ranking.ranking_document(contract_example()) == {
        "format": "msp-eval-ranking/1",
        "evaluation": "Managed IT services 2027",
        "model": "both",
        "term_months": 36,
        "red_flag_policy": "disqualify",
        "ranking": [
            {
                "rank": 1,
                "vendor": "Acme Managed IT",
                "model": "fully_managed",
                "status": "ranked",
                "complete": True,
                "total": 92.0,
                "monthly_cost": 18000.0,
                "tco": 653000.0,
                "red_flags": [],
                "criteria": {"sla-guarantee": 80.0, "price": 100.0},
            }
        ],
    }


def test_document_numbers_are_json_numbers_rounded_to_two_decimals():
    # Price of B: 12,000 / 19,200 × 100 = 62.5; C: 12,000 / 36,000 × 100 = 33.333… → 33.33;
    # question [1, 2, 2] → 5 / 3 / 5 × 100 = 33.333… → 33.33; H = 7 → A's TCO 1,000.005 × 7 = 7,000.035 → 7,000.04
    q = Criterion(key="q", kind="question", weight=D(1))
    evaluation = make_evaluation(
        make_bid("A", monthly_fee=D("1000.005")),
        make_bid("B", monthly_fee=D(1600)),
        make_bid("C", references_offered=0),
        criteria=(q, PRICE),
        scores={("A", "q"): [1, 2, 2], ("B", "q"): [5]},
        term_months=7,
    )
    document = ranking.ranking_document(evaluation)
    assert isinstance(document["term_months"], int)
    for row in document["ranking"]:
        assert row["rank"] is None or (isinstance(row["rank"], int) and not isinstance(row["rank"], bool))
        assert isinstance(row["complete"], bool)
        for name in ("monthly_cost", "tco"):
            assert isinstance(row[name], float)
        assert row["total"] is None or isinstance(row["total"], float)
        for value in row["criteria"].values():
            assert isinstance(value, float)
        assert all(isinstance(code, str) for code in row["red_flags"])
    a = next(r for r in document["ranking"] if r["vendor"] == "A")
    assert a["tco"] == 7000.04
    assert a["criteria"]["q"] == 33.33
    # JSON: numbers unquoted, the document survives a round trip unchanged
    text = json.dumps(document)
    assert '"tco": 7000.04' in text
    assert json.loads(text) == document


def test_red_flags_are_listed_sorted():
    bid = make_bid(manual_flags=("zz-manual", "aa-manual"), references_offered=0, environment_assessed=False)
    row = document_rows(make_evaluation(bid))[0]
    assert row["red_flags"] == ["aa-manual", "no-references", "one-size-pricing", "zz-manual"]


def test_an_evaluation_without_bids_has_an_empty_ranking():
    assert ranking.ranking_document(make_evaluation())["ranking"] == []


# --- CSV ---------------------------------------------------------------------------------------


def csv_evaluation() -> Evaluation:
    # H = 12, org internal IT cost 12,000/yr. Criteria in package order: sla-guarantee (fully_managed, w20),
    # price (w30), support (all, w10).
    # Acme: fully managed flat 1,000 → TCO 12,000; sla [4] → 80, support [5] → 100, price 100.
    #       total = (20 × 80 + 30 × 100 + 10 × 100) / 60 = 5,600 / 60 = 93.333… → 93.33
    # Co-op IT: co-managed flat 500 → TCO 500 × 12 + 12,000 × 12 / 12 = 18,000; support [3] → 60;
    #       price 12,000 / 18,000 × 100 = 66.666… → 66.67; total = (30 × 66.666… + 10 × 60) / 40 = 2,600 / 40 = 65
    # Shady: flat 100 → TCO 1,200; no references, environment not assessed → disqualified.
    org = Organization(employees=10, devices=10, it_staff_annual_cost=D(12000))
    sla = Criterion(key="sla-guarantee", kind="question", weight=D(20), applies_to="fully_managed")
    support = Criterion(key="support", kind="question", weight=D(10))
    return make_evaluation(
        make_bid("Shady", monthly_fee=D(100), references_offered=0, environment_assessed=False),
        make_bid("Co-op IT", model="co_managed", monthly_fee=D(500)),
        make_bid("Acme"),
        criteria=(sla, PRICE, support),
        scores={("Acme", "sla-guarantee"): [4], ("Acme", "support"): [5], ("Co-op IT", "support"): [3]},
        organization=org,
    )


def test_ranking_csv():
    evaluation = csv_evaluation()
    keys = [c.key for c in evaluation.criteria]
    text = ranking.ranking_csv(ranking.ranking_document(evaluation), keys)
    assert text.splitlines() == [
        "rank,vendor,model,status,complete,total,monthly_cost,tco,red_flags,sla-guarantee,price,support",
        "1,Acme,fully_managed,ranked,true,93.33,1000.00,12000.00,,80.00,100.00,100.00",
        "2,Co-op IT,co_managed,ranked,true,65.00,500.00,18000.00,,,66.67,60.00",
        ",Shady,fully_managed,disqualified,false,,100.00,1200.00,no-references;one-size-pricing,,,",
    ]


def test_ranking_csv_parses_back_with_the_csv_module():
    evaluation = csv_evaluation()
    keys = [c.key for c in evaluation.criteria]
    rows = list(csv.DictReader(io.StringIO(ranking.ranking_csv(ranking.ranking_document(evaluation), keys))))
    assert [row["rank"] for row in rows] == ["1", "2", ""]
    assert rows[2]["red_flags"].split(";") == ["no-references", "one-size-pricing"]
    assert rows[1]["sla-guarantee"] == ""


def test_ranking_csv_of_an_incomplete_bid_and_whole_numbers():
    # Only the question, unscored: total 0 → "0.00", complete false, criterion 0 → "0.00"
    evaluation = make_evaluation(make_bid(), criteria=(QUESTION,))
    text = ranking.ranking_csv(ranking.ranking_document(evaluation), ["support"])
    assert text.splitlines()[1] == "1,Acme,fully_managed,ranked,false,0.00,1000.00,12000.00,,0.00"


def test_a_requirement_counts_as_unmet_once_all_its_evidence_has_expired():
    today = dt.date(2027, 3, 1)
    evidence = [
        ("Acme", "soc2", dt.date(2027, 2, 28)),  # expired yesterday
        ("Acme", "soc2", dt.date(2027, 3, 1)),  # still valid today: soc2 stays met
        ("Acme", "hipaa-baa", dt.date(2027, 1, 31)),  # its only evidence expired
        ("Beacon", "hipaa-baa", None),  # never expires
        ("Beacon", "soc2", dt.date(2026, 12, 31)),
    ]

    assert ranking.expired_requirements(evidence, today) == {("Acme", "hipaa-baa"), ("Beacon", "soc2")}
    assert ranking.expired_requirements([], today) == set()
