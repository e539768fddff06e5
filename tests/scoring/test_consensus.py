"""Spread, the discuss mark and leniency, worked by hand; and who may see them."""

from decimal import Decimal

from scoring import consensus, services
from tests.conftest import client_for, make_user
from tests.scoring.factories import make_bid, make_evaluation


def test_it_marks_a_spread_of_three_for_discussion():
    cells = consensus.cells(
        [("ann", "Acme", "q1", 1), ("bob", "Acme", "q1", 4), ("ann", "Acme", "q2", 3), ("bob", "Acme", "q2", 5)]
    )
    by = {cell.criterion: cell for cell in cells}
    assert (by["q1"].spread, by["q1"].discuss) == (3, True)  # 4 − 1 = 3
    assert (by["q2"].spread, by["q2"].discuss) == (2, False)  # 5 − 3 = 2


def test_it_measures_each_evaluators_offset_from_the_panel():
    # q1: mean (1 + 4) / 2 = 2.5 → ann −1.5, bob +1.5; q2: mean 4 → ann −1, bob +1.
    # ann: (−1.5 − 1) / 2 = −1.25; bob +1.25. Carl scored alone on q3: it says nothing.
    cells = consensus.cells(
        [
            ("ann", "Acme", "q1", 1),
            ("bob", "Acme", "q1", 4),
            ("ann", "Acme", "q2", 3),
            ("bob", "Acme", "q2", 5),
            ("carl", "Acme", "q3", 5),
        ]
    )
    assert consensus.leniency(cells) == {"ann": Decimal("-1.25"), "bob": Decimal("1.25")}


def test_the_page_shows_submitted_scores_to_those_who_see_results(procurement, evaluator):
    evaluation = make_evaluation(procurement)
    make_bid(evaluation)
    services.evaluators_add(evaluation=evaluation, users=[evaluator])
    url = f"/evaluations/{evaluation.pk}/consensus/"
    assert client_for(evaluator).get(url).status_code == 403  # not submitted yet
    assert client_for(make_user("other-buyer", "Procurement")).get(url).status_code == 404
    response = client_for(procurement).get(url)
    assert response.status_code == 200 and response.context["cells"] == []
