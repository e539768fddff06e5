"""The monthly cost formula in words comes from the table the ranking computes with."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scoring import ranking
from scoring.models import Bid
from scoring.models.bids import PricingModel


@pytest.mark.parametrize(
    ("pricing_model", "words"),
    [
        ("per_user", "rate × employees"),
        ("per_device", "rate × devices"),
        ("flat", "monthly fee"),
        ("hourly", "rate × estimated hours"),
        ("hybrid", "monthly fee + rate × estimated hours"),
        ("project", "none (the project price is paid once)"),
    ],
)
def test_it_writes_each_pricing_models_formula_in_words(pricing_model: str, words: str) -> None:
    assert ranking.price_formula(pricing_model) == words


def test_it_has_words_for_every_pricing_model_and_no_other() -> None:
    assert set(ranking.MONTHLY_COST_TERMS) == set(PricingModel.values) == set(ranking.PRICING_REQUIREMENTS)


def test_it_computes_the_monthly_cost_from_the_terms_the_words_name() -> None:
    # rate 3, monthly fee 100, 7 hours; 11 employees, 13 devices: each formula worked by hand.
    organization = ranking.Organization(employees=11, devices=13, it_staff_annual_cost=Decimal(0))
    amounts = {"rate": Decimal(3), "monthly_fee": Decimal(100), "est_hours_per_month": Decimal(7)}
    expected = {
        "per_user": Decimal(33),
        "per_device": Decimal(39),
        "flat": Decimal(100),
        "hourly": Decimal(21),
        "hybrid": Decimal(121),
        "project": Decimal(0),
    }
    for pricing_model, cost in expected.items():
        bid = ranking.Bid(
            vendor="V",
            model="fully_managed",
            pricing_model=pricing_model,
            contract_term_months=12,
            critical_response_minutes=30,
            sla_best_effort=False,
            references_offered=3,
            environment_assessed=True,
            documented_escalation=True,
            documented_onboarding=True,
            performance_exit_clause=True,
            project_price=Decimal(5000),
            **amounts,
        )
        assert ranking.monthly_cost(bid, organization) == cost, pricing_model


def test_it_uses_only_amounts_the_pricing_model_requires() -> None:
    # The words may only name the bid's amounts that a bid of that pricing model must carry.
    for pricing_model, (fixed, quantity) in ranking.MONTHLY_COST_TERMS.items():
        named = {fixed, "rate" if quantity else None, quantity} - {None, *ranking.ORGANIZATION_QUANTITIES}
        assert named <= set(ranking.PRICING_REQUIREMENTS[pricing_model]), pricing_model


def test_it_gives_the_bids_formula_as_a_property() -> None:
    assert Bid(pricing_model="hybrid").price_formula == "monthly fee + rate × estimated hours"
