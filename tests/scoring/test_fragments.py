"""The dashboard's cached parts (scoring.fragments): drawn once, then served from the cache until
anything they show changes, and never stale."""

from __future__ import annotations

import re
from decimal import Decimal

from scoring import services
from scoring.models import Criterion
from vendors import services as vendor_services

from ..conftest import client_for
from .factories import load, move_to, scored_package


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which are masked afresh on every request."""
    return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1…", html)


def dashboard(client, evaluation):
    response = client.get(f"/evaluations/{evaluation.pk}/")
    assert response.status_code == 200
    return response


def test_the_second_view_comes_from_the_cache_and_looks_the_same(procurement, executive):
    evaluation = load(procurement, scored_package(3))
    client = client_for(executive)

    first = dashboard(client, evaluation)
    second = dashboard(client, evaluation)

    assert "ranked" in first.context  # drawn: the results' context was built
    assert "ranked" not in second.context  # served: nothing was computed
    assert without_tokens(second.text) == without_tokens(first.text)


def test_a_renamed_msp_leaves_the_bid_list_of_an_awarded_evaluation_as_it_was(procurement, executive):
    # Awarded, the record keeps the names it was decided on: the ranking (nothing is recomputed) and
    # the bid list, which names each bid as it was made, whatever the registry calls the MSP now.
    evaluation = move_to(load(procurement, scored_package(3)), "decision", "awarded")
    client = client_for(executive)
    dashboard(client, evaluation)
    bid = evaluation.bids.select_related("msp").get(vendor_name="Vendor 01")

    vendor_services.msp_update(msp=bid.msp, expected_version=bid.msp.version, name="Vendor One Networks")

    page = dashboard(client, evaluation)
    assert "Vendor One Networks" not in page.text
    assert "Vendor 01</a>" in page.text  # the bid list
    assert [row["vendor"] for row in page.context["ranked"]].count("Vendor 01") == 1  # the decided ranking


def test_a_new_weight_shows_at_once_in_the_criteria_and_the_ranking(procurement, executive):
    evaluation = load(procurement, scored_package(3))
    client = client_for(executive)
    before = dashboard(client, evaluation)
    criteria = {c.key: c for c in Criterion.objects.filter(evaluation=evaluation)}
    assert {key: c.weight for key, c in criteria.items()} == {"support": 40, "security": 30, "price": 30}
    assert '<td class="text-end">60</td>' not in before.text

    services.criteria_update(
        evaluation=evaluation,
        weights={criteria["support"].pk: Decimal(10), criteria["price"].pk: Decimal(60)},
        reason="Price matters more this year.",
    )

    after = dashboard(client, evaluation)
    assert "ranked" in after.context  # drawn again, from the recomputed ranking
    assert '<td class="text-end">60</td>' in after.text  # the criteria list
    stored = [row for row in services.stored_ranking(evaluation)["ranking"] if row["status"] == "ranked"]
    assert after.context["ranked"] == stored
    assert [row["total"] for row in after.context["ranked"]] != [row["total"] for row in before.context["ranked"]]


def test_the_side_by_side_is_drawn_again_when_a_chosen_bid_changes(procurement, executive):
    evaluation = load(procurement, scored_package(3))
    client = client_for(executive)
    bids = list(evaluation.bids.order_by("position"))
    address = f"/evaluations/{evaluation.pk}/compare/?bid={bids[0].pk}&bid={bids[1].pk}"

    first, second = client.get(address), client.get(address)
    assert "sections" in first.context and first.context["sections"]  # drawn
    assert not second.context["sections"]  # served from the cache
    assert without_tokens(second.text) == without_tokens(first.text)
    assert "$0.00" in second.text and "$750.00" not in second.text  # onboarding fees as loaded

    services.bid_update(
        bid=bids[0], expected_version=bids[0].version, onboarding_fee=Decimal(750), reason="A corrected fee."
    )

    third = client.get(address)
    assert third.context["sections"]  # drawn again
    assert "$750.00" in third.text
