"""The executive's pages: dashboard charts, sensitivity and what-if, board pack, side-by-side workbook.

One package worked by hand drives most tests. Fully managed, a 12-month horizon:
    quality  question  category Service  weight 70
    price    price     category Cost     weight 30
    A: 200 a month → TCO 2,400; alice scores quality 5 → 100 %; price 1,200 / 2,400 → 50 %
    B: 100 a month → TCO 1,200; alice scores quality 3 →  60 %; price 100 %
    A = (70·100 + 30·50) / 100 = 85   (Service 70, Cost 15)
    B = (70·60 + 30·100) / 100 = 72   (Service 42, Cost 30)
Price weight w: A = (7000 + 50w)/(70 + w) and B = (4200 + 100w)/(70 + w) meet at w = 56.
Quality weight q: A = (100q + 1500)/(q + 30) and B = (60q + 3000)/(q + 30) meet at q = 37.5.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from scoring import insight, ranking, services
from scoring.models import Bid, Criterion, StoredRanking
from tests.conftest import client_for, make_user
from tests.scoring.factories import assign, load, make_bid, make_evaluation, package_bid, scored_package


def two_bid_package(**evaluation_fields) -> dict:
    return {
        "format": "msp-eval/1",
        "evaluation": {"title": "Hand worked", "model": "fully_managed", "term_months": 12, **evaluation_fields},
        "organization": {"name": "Org", "employees": 10, "devices": 10, "it_staff": 1, "it_staff_annual_cost": 0},
        "criteria": [
            {"key": "quality", "kind": "question", "text": "Quality?", "category": "Service", "weight": 70},
            {"key": "price", "kind": "price", "text": "Total cost", "category": "Cost", "weight": 30},
        ],
        "evaluators": [{"username": "alice", "name": "Alice Ng", "email": "alice@example.com"}],
        "bids": [package_bid("A", monthly_fee=200), package_bid("B", monthly_fee=100)],
        "scores": [
            {"evaluator": "alice", "vendor": "A", "criterion": "quality", "score": 5},
            {"evaluator": "alice", "vendor": "B", "criterion": "quality", "score": 3},
        ],
        "submitted": ["alice"],
    }


@pytest.fixture
def worked(procurement):
    return load(procurement, two_bid_package())


def page(user, url, **extra):
    return client_for(user).get(url, **extra)


# --- Dashboard ---------------------------------------------------------------------------------


def test_the_dashboard_says_who_leads_by_how_much_and_how_robustly(worked, executive):
    response = page(executive, f"/evaluations/{worked.pk}/")
    assert response.status_code == 200
    lead = response.context["lead"]
    assert (lead.leader["vendor"], lead.leader["total"], lead.runner_up["vendor"], lead.margin) == (
        "A",
        85.0,
        "B",
        13.0,
    )
    fragile = {r.criterion.key: r.text for r in response.context["fragile"]}
    assert fragile == {
        "price": "stays first unless the weight of “Total cost” rises above 56 (B then leads)",
        "quality": "stays first unless the weight of “Quality?” falls below 37.5 (B then leads)",
    }
    text = response.content.decode()
    assert "<strong>13.00</strong> points ahead of B" in text
    # The closest call first: quality is 32.5 from its bound (46 % of 70), price 26 from its (87 % of 30).
    assert "stays first unless the weight of “Quality?” falls below 37.5 (B then leads)" in text


def test_the_dashboard_charts_and_their_tables_carry_the_rankings_numbers(worked, executive):
    response = page(executive, f"/evaluations/{worked.pk}/")
    document = services.stored_ranking(worked)
    contributions = {row["vendor"]: (parts, row["total"]) for row, parts in response.context["contributions"]}
    assert response.context["categories"] == ["Service", "Cost"]
    assert contributions["A"] == ([Decimal(70), Decimal(15)], 85.0)
    assert contributions["B"] == ([Decimal(42), Decimal(30)], 72.0)
    for parts, total in contributions.values():
        assert float(sum(parts)) == total  # no penalty here: the parts add up to the total
    costs = {c["vendor"]: c for c in response.context["costs"]}
    for row in document["ranking"]:
        assert float(costs[row["vendor"]]["total"]) == row["tco"] == costs[row["vendor"]]["tco"]
    assert (costs["A"]["upfront"], costs["A"]["msp_fees"], costs["A"]["internal"]) == (0, 2400, 0)
    chart = response.context["contribution_chart"]
    # 0–100 drawn over 440 units: A's Service segment is 70 · 4.4 = 308 wide, its Cost 15 · 4.4 = 66.
    assert [round(s.width, 6) for s in chart.bars[0].segments] == [308.0, 66.0]
    assert [bar.total_text for bar in chart.bars] == ["85.00", "72.00"]
    text = response.content.decode()
    for testid in ("contribution-chart", "cumulative-chart", "cost-chart", "contributions", "costs"):
        assert f'data-testid="{testid}"' in text


def test_costs_split_the_internal_staff_of_a_co_managed_bid_and_compare_fees_with_the_budget(procurement):
    evaluation = make_evaluation(procurement, model="both", it_staff_annual_cost=Decimal(60000), monthly_budget=1500)
    make_bid(evaluation, "Full", model="fully_managed", monthly_fee=2000, onboarding_fee=500)
    make_bid(evaluation, "Co", model="co_managed", monthly_fee=1000)
    rows = {
        c["vendor"]: c
        for c in insight.cost_rows(evaluation, list(Bid.objects.all()), services.stored_ranking(evaluation))
    }
    # 12 months. Full: 500 up front + 2,000 × 12 = 24,500. Co: 1,000 × 12 + 60,000 × 12/12 = 72,000.
    assert (rows["Full"]["upfront"], rows["Full"]["msp_fees"], rows["Full"]["internal"]) == (500, 24000, 0)
    assert (rows["Co"]["upfront"], rows["Co"]["msp_fees"], rows["Co"]["internal"]) == (0, 12000, 60000)
    assert float(rows["Co"]["total"]) == rows["Co"]["tco"] == 72000.0
    # Fees against the budget of 1,500 a month over 12 months: +6,000 and −6,000.
    assert (rows["Full"]["budget_delta"], rows["Co"]["budget_delta"]) == (6000, -6000)


# --- Sensitivity and what-if -------------------------------------------------------------------


def whatif(user, evaluation, **weights):
    return page(user, f"/evaluations/{evaluation.pk}/sensitivity/", data={f"w_{k}": v for k, v in weights.items()})


def test_the_sensitivity_page_states_each_weights_range(worked, executive):
    response = page(executive, f"/evaluations/{worked.pk}/sensitivity/")
    assert response.status_code == 200
    shorts = {r.criterion.key: r.short for r in response.context["robustness"]}
    assert shorts == {
        "price": "unless this weight rises above 56 (B then leads)",
        "quality": "unless this weight falls below 37.5 (B then leads)",
    }
    assert response.context["trial"] is None


def test_what_if_ranks_trial_weights_and_saves_nothing(worked, executive):
    before = (list(Criterion.objects.values_list("key", "weight")), StoredRanking.objects.get().document)
    response = whatif(executive, worked, quality=70, price=80)
    # A = (7000 + 50·80)/150 = 73.33; B = (4200 + 100·80)/150 = 81.33
    trial = [(r["rank"], r["vendor"], r["total"], r["official_rank"], r["moved"]) for r in response.context["trial"]]
    assert trial == [(1, "B", 81.33, 2, 1), (2, "A", 73.33, 1, -1)]
    assert (list(Criterion.objects.values_list("key", "weight")), StoredRanking.objects.get().document) == before
    assert "81.33" in response.content.decode()


def test_what_if_keeps_the_weights_a_link_leaves_out(worked, executive):
    # Only price given: quality stays 70.
    response = whatif(executive, worked, price=80)
    assert [r["total"] for r in response.context["trial"]] == [81.33, 73.33]


def test_what_if_answers_htmx_with_the_panel_alone(worked, executive):
    response = page(
        executive, f"/evaluations/{worked.pk}/sensitivity/", data={"w_price": "80"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "scoring/_whatif_result.html"
    assert "<html" not in response.content.decode()
    assert "HX-Request" in response["Vary"]
    full = whatif(executive, worked, price=80)
    assert "<html" in full.content.decode() and "HX-Request" in full["Vary"]


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"price": "-5"}, "A weight can&#x27;t be negative."),
        ({"price": "abc"}, "A weight is a number, such as 20 or 12.5."),
        ({"price": "NaN"}, "A weight is a number, such as 20 or 12.5."),
        ({"price": "1e400"}, "A weight"),
        ({"price": "0", "quality": "0"}, "At least one weight must be above zero"),
        ({"price": ""}, "Give a weight (0 leaves the criterion out)."),
    ],
)
def test_what_if_refuses_bad_weights_with_a_clear_message(worked, executive, weights, message):
    response = whatif(executive, worked, **weights)
    assert response.status_code == 200
    assert response.context["trial"] is None
    assert message in response.content.decode()
    assert 'data-testid="whatif-errors"' in response.content.decode()


# --- Board pack --------------------------------------------------------------------------------


def test_the_board_pack_recommends_the_leader_with_every_section(worked, executive):
    response = page(executive, f"/evaluations/{worked.pk}/board-pack/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Award to <strong>A</strong>" in text and "<strong>85.00</strong>, 13.00 points ahead of B" in text
    for heading in ("Recommendation", "Ranking", "Red flags", "Sensitivity", "Consensus"):
        assert f">{heading}</h2>" in text
    assert "rises above 56 (B then leads)" in text
    assert 'src="/static/js/print.js"' in text and "data-print" in text
    assert "<script>" not in text  # no inline script


# --- Side by side as a workbook ----------------------------------------------------------------


def test_the_side_by_side_workbook_has_the_pages_numbers_as_numbers(worked, executive):
    a, b = Bid.objects.order_by("vendor_name")
    url = f"/evaluations/{worked.pk}/compare.xlsx?bid={a.pk}&bid={b.pk}"
    response = page(executive, url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert tuple(sheet[2][i].value for i in (1, 2)) == ("A", "B")
    assert rows["Total"][:2] == (85.0, 72.0)
    assert rows["Monthly cost"][:2] == (200.0, 100.0)
    assert rows["TCO over 12 months"][:2] == (2400.0, 1200.0)
    assert rows["quality (weight 70)"][:2] == (100.0, 60.0)
    total_row = next(r for r in sheet.iter_rows() if r[0].value == "Total")
    assert total_row[0].fill.start_color.rgb.endswith("FFF3CD")  # the totals differ: shaded


def test_the_side_by_side_workbook_keeps_formula_like_text_as_text(procurement, executive):
    evaluation = make_evaluation(procurement)
    first = make_bid(evaluation, "=HYPERLINK(1)")
    second = make_bid(evaluation, "Plain IT")
    response = page(executive, f"/evaluations/{evaluation.pk}/compare.xlsx?bid={first.pk}&bid={second.pk}")
    cell = load_workbook(io.BytesIO(response.content)).active["B2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=HYPERLINK(1)", "s", True)


def test_the_side_by_side_workbook_needs_two_to_four_bids(worked, executive):
    only = Bid.objects.first()
    response = page(executive, f"/evaluations/{worked.pk}/compare.xlsx?bid={only.pk}")
    assert response.status_code == 400
    assert "Pick two to four bids of this evaluation." in response.content.decode()
    assert page(executive, f"/evaluations/{worked.pk}/compare.xlsx").status_code == 400


# --- Who sees what -----------------------------------------------------------------------------

PAGES = ["sensitivity/", "sensitivity/?w_price=80", "board-pack/", "compare.xlsx?bid=1&bid=2", "consensus/"]


@pytest.mark.parametrize("suffix", PAGES)
def test_only_those_who_see_results_get_the_decision_pages(procurement, executive, auditor, evaluator, client, suffix):
    evaluation = load(procurement, two_bid_package())
    a, b = Bid.objects.filter(evaluation=evaluation).order_by("vendor_name")
    url = f"/evaluations/{evaluation.pk}/" + suffix.replace("bid=1&bid=2", f"bid={a.pk}&bid={b.pk}")
    assign(evaluation, evaluator)  # assigned, not submitted: scoring is blind
    assert client.get(url).status_code == 302  # anonymous: to the login page
    assert page(evaluator, url).status_code == 403
    assert page(make_user("other-buyer", "Procurement"), url).status_code == 404
    assert page(make_user("stranger", "Evaluator"), url).status_code == 404
    for user in (procurement, executive, auditor):
        assert page(user, url).status_code == 200


def test_an_unknown_evaluation_is_404(executive):
    for suffix in ("sensitivity/", "board-pack/", "compare.xlsx", "consensus/"):
        assert page(executive, f"/evaluations/999999/{suffix}").status_code == 404


# --- A fixed number of queries whatever the size -----------------------------------------------


def queries(user, url) -> int:
    c = client_for(user)
    c.get(url)  # warm the session and the stored ranking
    with CaptureQueriesContext(connection) as captured:
        assert c.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "suffix", ["", "sensitivity/", "sensitivity/?w_price=50", "board-pack/", "consensus/", "compare.xlsx"]
)
def test_decision_pages_take_the_same_queries_at_two_sizes(procurement, executive, suffix):
    counts = []
    for size, evaluators in ((3, ("alice", "bob")), (24, ("alice", "bob", "carol", "dave", "erin"))):
        evaluation = load(procurement, scored_package(size, evaluators))
        bids = list(Bid.objects.filter(evaluation=evaluation).order_by("pk")[:4])
        url = f"/evaluations/{evaluation.pk}/{suffix}"
        if suffix == "compare.xlsx":
            url += "?" + "&".join(f"bid={bid.pk}" for bid in bids)
        counts.append(queries(executive, url))
    assert counts[0] == counts[1], counts


# --- Exports of an evaluation with no bids -----------------------------------------------------


def test_an_evaluation_without_bids_exports_valid_empty_files(procurement, executive):
    evaluation = make_evaluation(procurement)
    base = f"/evaluations/{evaluation.pk}/"
    document = page(executive, base + "ranking.json").json()
    assert document["ranking"] == [] and document["format"] == ranking.RANKING_FORMAT
    csv_lines = page(executive, base + "ranking.csv").content.decode().splitlines()
    assert len(csv_lines) == 1 and csv_lines[0].startswith("rank,vendor,model,status")
    sheet = load_workbook(io.BytesIO(page(executive, base + "ranking.xlsx").content)).active
    assert sheet.max_row == 1
    for suffix in ("", "sensitivity/", "board-pack/", "consensus/"):
        assert page(executive, base + suffix).status_code == 200


def test_the_dashboard_says_where_evaluators_disagree_as_the_consensus_page_does(procurement, executive):
    package = two_bid_package()
    package["evaluators"].append({"username": "bob", "name": "Bob Lee", "email": "bob@example.com"})
    # Bob scores A's quality 1 where Alice gave 5 (a spread of 4: discuss); B 4 against Alice's 3 (1: no).
    package["scores"] += [
        {"evaluator": "bob", "vendor": "A", "criterion": "quality", "score": 1},
        {"evaluator": "bob", "vendor": "B", "criterion": "quality", "score": 4},
    ]
    package["submitted"].append("bob")
    evaluation = load(procurement, package)
    response = page(executive, f"/evaluations/{evaluation.pk}/")
    assert response.context["discuss"] == [{"vendor": "A", "criterion": "quality", "low": 1, "high": 5, "count": 2}]
    assert "A on “Quality?” (1 to 5)" in response.content.decode()
    consensus_page = page(executive, f"/evaluations/{evaluation.pk}/consensus/")
    assert [(c.vendor, c.criterion) for c in consensus_page.context["cells"] if c.discuss] == [("A", "quality")]
