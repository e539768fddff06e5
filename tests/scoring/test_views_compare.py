"""Side by side: two to four bids in aligned columns, numbers from the ranking."""

from scoring import services
from tests.conftest import client_for, make_user, page_queries
from tests.scoring.factories import assign, load, make_bid, make_evaluation, scored_package


def url(evaluation, *bids) -> str:
    return f"/evaluations/{evaluation.pk}/compare/?" + "&".join(f"bid={bid.pk}" for bid in bids)


def test_it_lines_up_the_ranking_numbers_and_marks_differences(procurement, executive):
    evaluation = make_evaluation(procurement)
    cheap = make_bid(evaluation, vendor="Cheap IT", rate=100)
    dear = make_bid(evaluation, vendor="Dear IT", rate=200, contract_term_months=24)
    response = client_for(executive).get(url(evaluation, cheap, dear))
    assert response.status_code == 200
    lines = {label: (values, differs) for _, rows in response.context["sections"] for label, values, differs in rows}
    ranking = {row["vendor"]: row for row in services.stored_ranking(evaluation)["ranking"]}
    assert lines["Total"][0] == [f"{ranking['Cheap IT']['total']:.2f}", f"{ranking['Dear IT']['total']:.2f}"]
    assert lines["Monthly cost"][0] == [
        f"${ranking['Cheap IT']['monthly_cost']:,.2f}",
        f"${ranking['Dear IT']['monthly_cost']:,.2f}",
    ]
    assert lines["Contract term"] == (["12 months", "24 months"], True)
    assert lines["Performance-based exit clause"][1] is False


def test_it_asks_for_two_to_four_bids(procurement, executive):
    evaluation = make_evaluation(procurement)
    only = make_bid(evaluation)
    response = client_for(executive).get(url(evaluation, only))
    assert response.context["error"] == "Pick two to four bids of this evaluation."
    assert response.context["sections"] == []


def test_it_keeps_the_comparison_from_blind_evaluators_and_outsiders(procurement, evaluator):
    evaluation = make_evaluation(procurement)
    first, second = make_bid(evaluation), make_bid(evaluation, vendor="Second IT")
    assign(evaluation, evaluator)
    assert client_for(evaluator).get(url(evaluation, first, second)).status_code == 403
    assert client_for(make_user("other-buyer", "Procurement")).get(url(evaluation, first, second)).status_code == 404


def test_it_ignores_bids_of_another_evaluation(procurement, executive):
    evaluation, other = make_evaluation(procurement), make_evaluation(procurement, title="Other")
    mine, foreign = make_bid(evaluation), make_bid(other, vendor="Foreign IT")
    response = client_for(executive).get(url(evaluation, mine, foreign))
    assert response.context["chosen"] == [mine]
    assert response.context["error"]


def test_it_uses_the_same_queries_for_two_and_four_bids(procurement, executive):
    evaluation = make_evaluation(procurement)
    bids = [make_bid(evaluation, vendor=f"Vendor {index}") for index in range(4)]
    client = client_for(executive)

    two, four = page_queries(client, url(evaluation, *bids[:2])), page_queries(client, url(evaluation, *bids))
    assert two == four
    assert two[1] == 3  # served from the page cache: session, user, the data's revision


def test_it_compares_in_a_fixed_number_of_queries(procurement, executive):
    client = client_for(executive)
    counts = []
    for bid_count in (3, 30):
        evaluation = load(procurement, scored_package(bid_count))
        bids = list(evaluation.bids.order_by("position").values_list("pk", flat=True))
        address = f"/evaluations/{evaluation.pk}/compare/?bid={bids[0]}&bid={bids[1]}&bid={bids[2]}"
        # The first view draws the table; the next ones read it from the cache.
        counts.append(page_queries(client, address))
    # Drawn: 1 session, 2 user, 3 the user's groups, 4 the evaluation (scoped to the user), 5 the picker's bids
    # (names and versions), 6-8 the key of the cached table: when the stored ranking was computed,
    # the criteria, the requirements; 9 the navbar's count of unread notifications.
    # Served from the page cache: session, user, the data's revision.
    assert counts == [(9, 3), (9, 3)]
