"""Spread, the discuss mark and leniency, worked by hand; and who may see them."""

from decimal import Decimal

from scoring import consensus, services
from tests.conftest import client_for, make_user
from tests.scoring.factories import assign, make_bid, make_evaluation


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
    assign(evaluation, evaluator)
    url = f"/evaluations/{evaluation.pk}/consensus/"
    assert client_for(evaluator).get(url).status_code == 403  # not submitted yet
    assert client_for(make_user("other-buyer", "Procurement")).get(url).status_code == 404
    response = client_for(procurement).get(url)
    assert response.status_code == 200 and response.context["cells"] == []


# --- The normalised view -----------------------------------------------------------------------
#
# Three evaluators score X and Y on one question:
#   e1: X 5, Y 1   own mean 3, own sd 2     (wide: it is e1 who gives X its lead)
#   e2: X 2, Y 4   own mean 3, own sd 1
#   e3: X 3, Y 3   all equal: left as scored
# The panel's six scores 5, 1, 2, 4, 3, 3: mean 3; deviations 2, −2, −1, 1, 0, 0 → variance 10/6, sd √(5/3) ≈ 1.29099.
# Normalised: e1 X z = +1 → 3 + 1.29099 = 4.29099, Y z = −1 → 1.70901; e2 X z = −1 → 1.70901, Y → 4.29099.
# X = (4.29099 + 1.70901 + 3) / 3 = 3 → 60 %; Y the same. Official: X = 10/3 → 66.67 %, Y = 8/3 → 53.33 %.
THREE = [
    ("e1", "X", "q", 5),
    ("e1", "Y", "q", 1),
    ("e2", "X", "q", 2),
    ("e2", "Y", "q", 4),
    ("e3", "X", "q", 3),
    ("e3", "Y", "q", 3),
]


def test_it_normalises_each_evaluator_onto_the_panels_scale():
    result = consensus.normalise(THREE)
    assert result.unchanged == ["e3"]
    sd = (Decimal(5) / 3).sqrt()
    x, y = sorted(result.scores[("X", "q")]), sorted(result.scores[("Y", "q")])
    assert [round(v, 5) for v in x] == [round(3 - sd, 5), Decimal(3), round(3 + sd, 5)]
    assert [round(v, 5) for v in y] == [round(3 - sd, 5), Decimal(3), round(3 + sd, 5)]
    assert round(3 + sd, 5) == Decimal("4.29099")


def test_it_clamps_to_the_scale_and_leaves_nothing_out():
    # e1 scores 0, 0, 5: mean 5/3, sd √(50/9) ≈ 2.357; panel with e2's 5, 5, 0 the same spread.
    # A z of 2/√2 ≈ 1.414 maps to 2.5 + 2.5 · 1.414 > 5: clamped to 5.
    rows = [("e1", "A", "q", 0), ("e1", "B", "q", 0), ("e1", "C", "q", 5)]
    rows += [("e2", "A", "q", 5), ("e2", "B", "q", 5), ("e2", "C", "q", 0)]
    result = consensus.normalise(rows)
    values = [v for scores in result.scores.values() for v in scores]
    assert len(values) == 6 and all(Decimal(0) <= v <= Decimal(5) for v in values)
    assert max(values) == Decimal(5)
    assert consensus.normalise([]).scores == {}


def test_the_page_shows_the_normalised_ranking_beside_the_official_one(procurement, executive):
    from tests.scoring.factories import load, package_bid

    package = {
        "format": "msp-eval/1",
        "evaluation": {"title": "Normalised", "model": "fully_managed", "term_months": 12},
        "organization": {"name": "Org", "employees": 10, "devices": 10, "it_staff": 1, "it_staff_annual_cost": 0},
        "criteria": [{"key": "q", "kind": "question", "text": "Q?", "category": "Service", "weight": 1}],
        "evaluators": [{"username": u, "name": u, "email": f"{u}@example.com"} for u in ("e1", "e2", "e3")],
        "bids": [package_bid("X", monthly_fee=2000), package_bid("Y", monthly_fee=1000)],
        "scores": [{"evaluator": e, "vendor": v, "criterion": c, "score": s} for e, v, c, s in THREE],
        "submitted": ["e1", "e2", "e3"],
    }
    evaluation = load(procurement, package)
    response = client_for(executive).get(f"/evaluations/{evaluation.pk}/consensus/")
    assert response.status_code == 200
    rows = [
        (r["vendor"], r["official_rank"], r["official_total"], r["rank"], r["total"])
        for r in response.context["normalised"]
    ]
    # A tie at 60.00 goes to the lower TCO: Y.
    assert rows == [("Y", 2, 53.33, 1, 60.0), ("X", 1, 66.67, 2, 60.0)]
    assert response.context["unchanged"] == ["e3"]
    page = response.content.decode()
    assert "Left as scored" in page and "e3" in page
    assert "Normalising changes the order" in page
    # The official ranking is untouched.
    assert [row["vendor"] for row in services.stored_ranking(evaluation)["ranking"]] == ["X", "Y"]
