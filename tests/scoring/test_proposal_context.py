"""The decision with its context: a proposal beside the ranking's leader and the cheapest compliant bid,
with the premium over each and what the decider should weigh, the same on the decide page, in the
proposal's mail and in the board pack.

Worked by hand (12-month horizon, no internal IT cost, so TCO = 12 × the monthly fee; quality 70,
price 30; price % = 1,200 ÷ TCO):
    A: 200 a month, TCO 2,400, quality 5 (100%), price 50%     → 70 + 15 = 85.00, 1st
    B: 300 a month, TCO 3,600, quality 4 (80%),  price 33.33%  → 56 + 10 = 66.00, 2nd, a 6-month contract
    C: 100 a month, TCO 1,200, quality 1 (20%),  price 100%    → 14 + 30 = 44.00, 3rd, the cheapest
Alice and Bob submitted (Bob declared a conflict with C, so only Alice scored C); Carol did not.
"""

from __future__ import annotations

import pytest

from scoring import services
from scoring.models import Bid
from scoring.proposals import proposal_context
from tests.conftest import client_for
from tests.scoring.factories import load, package_bid

WARNINGS = [
    "The proposal is not the ranking's leader: A is first with 85.00 points; B is 2nd with 66.00 points.",
    "It costs $2,400.00 more over 12 months than the cheapest compliant bid, C.",
    "Scorecards not submitted: Carol Diaz; their scores do not count.",
    "Scored by one evaluator only: C.",
    "Its contract runs 6 months, shorter than the 12-month horizon its TCO is counted over: the rest is at "
    "prices not yet agreed.",
]


def package() -> dict:
    people = [("alice", "Alice Ng"), ("bob", "Bob Li"), ("carol", "Carol Diaz")]
    quality = {"A": 5, "B": 4, "C": 1}
    return {
        "format": "msp-eval/1",
        "evaluation": {"title": "Hand worked", "model": "fully_managed", "term_months": 12},
        "organization": {"name": "Org", "employees": 10, "devices": 10, "it_staff": 1, "it_staff_annual_cost": 0},
        "criteria": [
            {"key": "quality", "kind": "question", "text": "Quality?", "category": "Service", "weight": 70},
            {"key": "price", "kind": "price", "text": "Total cost", "category": "Cost", "weight": 30},
        ],
        "evaluators": [{"username": u, "name": n, "email": f"{u}@example.com"} for u, n in people],
        "bids": [
            package_bid("A", monthly_fee=200),
            package_bid("B", monthly_fee=300, contract_term_months=6),
            package_bid("C", monthly_fee=100),
        ],
        "scores": [
            {"evaluator": who, "vendor": vendor, "criterion": "quality", "score": score}
            for who in ("alice", "bob")
            for vendor, score in quality.items()
            if (who, vendor) != ("bob", "C")
        ],
        "conflicts": [{"evaluator": "bob", "vendor": "C", "note": "A former employer."}],
        "submitted": ["alice", "bob"],
    }


@pytest.fixture
def proposed(procurement):
    evaluation = services.evaluation_transition(
        evaluation=load(procurement, package()), to="decision", reason="The board meets this week."
    )
    award = services.award_propose(
        evaluation=evaluation,
        bid=Bid.objects.get(evaluation=evaluation, vendor_name="B"),
        rationale="Cheaper per month than A.",
        by=procurement,
    )
    return evaluation, award


def test_the_context_sets_the_proposal_beside_the_leader_and_the_cheapest(proposed):
    evaluation, award = proposed

    context = proposal_context(evaluation, award.bid)

    assert (context.proposed.vendor, context.proposed.rank, str(context.proposed.total)) == ("B", 2, "66.0")
    assert (context.leader.vendor, str(context.leader.total), context.leader.tco) == ("A", "85.0", 2400)
    assert (context.cheapest.vendor, context.cheapest.tco) == ("C", 1200)
    assert (context.premium_over_leader, context.premium_over_cheapest) == (1200, 2400)
    assert (context.against_leader, context.against_cheapest) == ("$1,200.00 more", "$2,400.00 more")
    assert context.warnings() == WARNINGS


def test_the_leader_proposed_raises_only_what_holds(procurement):
    evaluation = services.evaluation_transition(
        evaluation=load(procurement, package()), to="decision", reason="The board meets this week."
    )
    a = Bid.objects.get(evaluation=evaluation, vendor_name="A")

    context = proposal_context(evaluation, a)

    assert context.is_leader and context.against_leader == "it is the leader"
    assert context.warnings() == [
        "It costs $1,200.00 more over 12 months than the cheapest compliant bid, C.",
        "Scorecards not submitted: Carol Diaz; their scores do not count.",
        "Scored by one evaluator only: C.",
    ]


def test_the_executive_decides_with_the_context_on_the_page(proposed, executive):
    evaluation, _ = proposed

    page = client_for(executive).get(f"/evaluations/{evaluation.pk}/award/").content.decode()

    assert 'data-testid="decide"' in page
    assert '<td class="text-end" data-testid="premium-leader">$1,200.00 more</td>' in page
    assert '<td class="text-end" data-testid="premium-cheapest">$2,400.00 more</td>' in page
    for line in WARNINGS:
        assert line.replace("'", "&#x27;") in page


def test_the_proposal_mail_carries_what_to_weigh(
    procurement, executive, mailoutbox, django_capture_on_commit_callbacks
):
    evaluation = services.evaluation_transition(
        evaluation=load(procurement, package()), to="decision", reason="The board meets this week."
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.award_propose(
            evaluation=evaluation,
            bid=Bid.objects.get(evaluation=evaluation, vendor_name="B"),
            rationale="Cheaper per month than A.",
            by=procurement,
        )

    (mail,) = [m for m in mailoutbox if executive.email in m.to]
    body = " ".join(mail.body.split())
    for line in WARNINGS:
        assert line in body


def test_the_board_pack_recommends_the_proposal_once_there_is_one(proposed, executive):
    evaluation, _ = proposed

    page = client_for(executive).get(f"/evaluations/{evaluation.pk}/board-pack/").content.decode()

    assert "Proposed for decision: award to <strong>B</strong>" in page
    assert "The ranking alone would recommend A, ranked first with 85.00." in page
    assert "Award to <strong>A</strong>" not in page
