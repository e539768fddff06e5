"""An executive reads an evaluation: the portfolio, the dashboard, the bids side by side,
how robust the lead is, and what the ranking would be with other weights (nothing saved).

The data is made in Python, as the app writes it, and is easy to work by hand:
a fully managed evaluation over 12 months with two criteria, "quality" (a question,
weight 70) and "price" (weight 30); two clean flat-fee bids, and one evaluator who
scored and submitted.

    Bayside IT         $2,000 a month → TCO $24,000; quality 5 of 5 = 100 %
    Lockstep Networks  $1,000 a month → TCO $12,000; quality 3 of 5 =  60 %

Price is the lowest TCO over the bid's TCO: Bayside 12,000 ÷ 24,000 = 50 %, Lockstep 100 %.
    Bayside  (70 × 100 + 30 × 50) ÷ 100 = 85.00
    Lockstep (70 × 60 + 30 × 100) ÷ 100 = 72.00, 13.00 points behind.

The two tests at the end check the what-if form's own behaviour: weights shown as people write them,
and a negative weight answered with the form's message.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from scoring import services
from scoring.models import Assignment, Criterion
from tests.browser.test_registry_journey import log_in
from tests.scoring.factories import load, package_bid, score

TITLE = "Managed IT 2028"
LEADER = "Bayside IT"
RUNNER_UP = "Lockstep Networks"


def two_bid_evaluation(owner, evaluator):
    """The evaluation of the docstring, owned by ``owner``; ``evaluator`` scores it through the scorecard service."""
    evaluation = load(
        owner,
        {
            "format": "msp-eval/1",
            "evaluation": {"title": TITLE, "model": "fully_managed", "term_months": 12, "status": "scoring"},
            "organization": {
                "name": "Example Dental Group",
                "employees": 10,
                "devices": 20,
                "it_staff": 1,
                "it_staff_annual_cost": 60000,
            },
            "criteria": [
                {
                    "key": "quality",
                    "kind": "question",
                    "text": "How good is the service?",
                    "category": "Service",
                    "weight": 70,
                    "applies_to": "all",
                },
                {
                    "key": "price",
                    "kind": "price",
                    "text": "Total cost of ownership",
                    "category": "Cost",
                    "weight": 30,
                    "applies_to": "all",
                },
            ],
            "evaluators": [
                {"username": evaluator.username, "name": evaluator.get_full_name(), "email": evaluator.email}
            ],
            "bids": [package_bid(LEADER, monthly_fee=2000), package_bid(RUNNER_UP, monthly_fee=1000)],
            "scores": [],
            "submitted": [],
        },
    )
    # The evaluator scores and submits the way the scorecard page does (scorecard_save, submit=True).
    score(Assignment.objects.get(evaluation=evaluation, evaluator=evaluator), {LEADER: 5, RUNNER_UP: 3})
    return evaluation


def cells(row) -> list[str]:
    return [text.strip() for text in row.locator("th, td").all_inner_texts()]


@pytest.mark.django_db(transaction=True)
def test_an_executive_reads_the_ranking_and_tries_other_weights(page, live_server, procurement, evaluator, executive):
    evaluation = two_bid_evaluation(procurement, evaluator)
    stored = services.stored_ranking(evaluation)
    by_vendor = {row["vendor"]: row for row in stored["ranking"]}
    assert [row["vendor"] for row in stored["ranking"]] == [LEADER, RUNNER_UP]
    assert (by_vendor[LEADER]["total"], by_vendor[RUNNER_UP]["total"]) == (85.0, 72.0)
    assert (by_vendor[LEADER]["tco"], by_vendor[RUNNER_UP]["tco"]) == (24000.0, 12000.0)

    # 1. The portfolio on the home page: the evaluation's leader and its total.
    log_in(page, live_server, executive.username)
    expect(page).to_have_url(f"{live_server.url}/")
    portfolio_row = page.get_by_test_id("portfolio").locator("tbody tr").filter(has_text=TITLE)
    expect(portfolio_row).to_have_count(1)
    leader_cell = portfolio_row.locator("td").nth(3)  # Evaluation, Status, Model, Leader
    assert leader_cell.inner_text().split() == ["Bayside", "IT", "85.00"]

    # 2. The dashboard: the ranking, the lead, the charts and every bid's TCO.
    portfolio_row.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(f"{live_server.url}/evaluations/{evaluation.pk}/")
    ranking_rows = page.get_by_test_id("ranking").locator("tbody tr")
    expect(ranking_rows).to_have_count(2)
    rank, vendor, _model, total, monthly, tco, *_ = cells(ranking_rows.first)
    assert (rank, vendor, total, monthly, tco) == ("1", LEADER, "85.00", "$2,000", "$24,000")
    assert (int(rank), vendor, float(total)) == (
        stored["ranking"][0]["rank"],
        stored["ranking"][0]["vendor"],
        stored["ranking"][0]["total"],
    )
    rank, vendor, _model, total, *_ = cells(ranking_rows.nth(1))
    assert (rank, vendor, total) == ("2", RUNNER_UP, "72.00")

    # 85.00 − 72.00 = 13.00 points.
    lead_text = page.get_by_test_id("lead").locator("p").first.inner_text()
    found = re.search(r"^(.+?) leads with ([\d.]+), ([\d.]+) points? ahead of (.+?) \(([\d.]+)\)", lead_text)
    assert found, lead_text
    leader, leader_total, margin, runner_up, runner_up_total = found.groups()
    assert (leader, leader_total, margin, runner_up, runner_up_total) == (
        LEADER,
        "85.00",
        "13.00",
        RUNNER_UP,
        "72.00",
    )
    assert float(margin) == pytest.approx(by_vendor[LEADER]["total"] - by_vendor[RUNNER_UP]["total"])

    for chart in ("contribution-chart", "cumulative-chart", "cost-chart"):
        expect(page.get_by_test_id(chart)).to_be_visible()
    # The table beside the contribution chart splits each total: Bayside 70 × 100 ÷ 100 = 70.00 from Service,
    # 30 × 50 ÷ 100 = 15.00 from Cost.
    expect(page.get_by_test_id("contributions").locator("tbody tr").first).to_contain_text("70.00")
    expect(page.get_by_test_id("contributions").locator("tbody tr").first).to_contain_text("15.00")
    # Fully managed, no onboarding fee, no retained staff: the TCO is the MSP's fees, 12 × the monthly fee.
    cost_rows = page.get_by_test_id("costs").locator("tbody tr")
    expect(cost_rows).to_have_count(2)
    costs = {row[0]: row[-1] for row in (cells(cost_rows.nth(i)) for i in range(2))}
    assert costs == {LEADER: "$24,000", RUNNER_UP: "$12,000"}

    # 3. Side by side: the Total row carries the ranking's totals, in the ranking's order.
    page.get_by_role("link", name="Side by side").click()
    compare = page.get_by_test_id("compare")
    expect(compare).to_be_visible()
    assert cells(compare.locator("thead tr")) == ["", LEADER, RUNNER_UP]
    assert cells(compare.locator("tr").filter(has=page.get_by_role("rowheader", name="Total", exact=True))) == [
        "Total",
        "85.00",
        "72.00",
    ]
    tco_row = compare.locator("tr").filter(has=page.get_by_role("rowheader", name="TCO over 12 months"))
    assert cells(tco_row) == ["TCO over 12 months", "$24,000.00", "$12,000.00"]

    # 4. What-if. Price weight p (quality 70): Bayside (7000 + 50p) ÷ (70 + p), Lockstep (4200 + 100p) ÷ (70 + p);
    # they meet where 7000 + 50p = 4200 + 100p, p = 56. Quality weight q (price 30): Bayside (100q + 1500) ÷ (q + 30),
    # Lockstep (60q + 3000) ÷ (q + 30); they meet where 40q = 1500, q = 37.5.
    page.go_back()
    expect(page.get_by_test_id("ranking")).to_be_visible()
    page.get_by_role("link", name="What-if", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/evaluations/{evaluation.pk}/sensitivity/")
    sensitivity = page.get_by_test_id("sensitivity")
    price_line = sensitivity.locator("tbody tr").filter(has_text="Total cost of ownership")
    quality_line = sensitivity.locator("tbody tr").filter(has_text="How good is the service?")
    assert cells(price_line)[1:] == ["30", f"unless this weight rises above 56 ({RUNNER_UP} then leads)"]
    assert cells(quality_line)[1:] == ["70", f"unless this weight falls below 37.5 ({RUNNER_UP} then leads)"]

    # Price weight 80: Bayside (7000 + 80 × 50) ÷ 150 = 73.33, Lockstep (4200 + 80 × 100) ÷ 150 = 81.33 — Lockstep first,
    # up one place and 81.33 − 72.00 = +9.33; Bayside down one, 73.33 − 85.00 = −11.67.
    page.evaluate("window.sameDocument = true")  # gone if the page reloads
    form = page.get_by_test_id("whatif-form")
    form.locator("input[name=w_price]").fill("80")
    whatif_rows = page.locator("#whatif-result [data-testid=whatif] tbody tr")
    expect(whatif_rows.first).to_contain_text(RUNNER_UP)  # the panel updates ~400 ms after typing
    assert cells(whatif_rows.first)[:3] == ["1", RUNNER_UP, "81.33"]
    assert cells(whatif_rows.first)[3:] == ["#2 · 72.00", "▲ 1 (+9.33)"]
    assert cells(whatif_rows.nth(1))[:3] == ["2", LEADER, "73.33"]
    assert cells(whatif_rows.nth(1))[3:] == ["#1 · 85.00", "▼ 1 (-11.67)"]
    assert page.evaluate("window.sameDocument") is True  # swapped in by htmx, not a page load
    expect(page).to_have_url(re.compile(r"w_price=80"))  # the trial can be shared as a link

    # Nothing was saved: the weight and the official ranking are as they were.
    assert Criterion.objects.get(evaluation=evaluation, key="price").weight == Decimal(30)
    assert services.stored_ranking(evaluation) == stored

    # 5. A negative weight gets the form's own message, not a server error. The what-if link carries the
    # weights it changes (the others stay as the evaluation has them), so a link is how one arrives here:
    # typing it into the form is refused by the browser before anything is sent (see the test below).
    response = page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/sensitivity/?w_price=-5")
    assert response is not None and response.status == 200
    errors = page.get_by_test_id("whatif-errors")
    expect(errors).to_contain_text("These weights can't be ranked.")
    expect(errors).to_contain_text("Total cost of ownership: A weight can't be negative.")
    expect(page.get_by_test_id("whatif")).to_have_count(0)
    expect(page.get_by_test_id("sensitivity")).to_be_visible()  # the rest of the page is there
    assert Criterion.objects.get(evaluation=evaluation, key="price").weight == Decimal(30)
    assert services.stored_ranking(evaluation) == stored


def open_what_if(page, live_server, evaluation, executive) -> None:
    log_in(page, live_server, executive.username)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/sensitivity/")
    expect(page.get_by_test_id("whatif")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_the_what_if_form_starts_from_the_weights_as_people_write_them(
    page, live_server, procurement, evaluator, executive
):
    evaluation = two_bid_evaluation(procurement, evaluator)
    open_what_if(page, live_server, evaluation, executive)
    form = page.get_by_test_id("whatif-form")
    assert form.locator("input[name=w_quality]").input_value() == "70"
    assert form.locator("input[name=w_price]").input_value() == "30"


@pytest.mark.django_db(transaction=True)
def test_typing_a_negative_weight_into_the_form_shows_the_forms_message(
    page, live_server, procurement, evaluator, executive
):
    evaluation = two_bid_evaluation(procurement, evaluator)
    open_what_if(page, live_server, evaluation, executive)
    form = page.get_by_test_id("whatif-form")
    form.locator("input[name=w_price]").fill("-5")
    form.get_by_role("button", name="Show the ranking").click()
    expect(page.get_by_test_id("whatif-errors")).to_contain_text("A weight can't be negative.", timeout=3_000)
