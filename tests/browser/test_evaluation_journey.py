"""Procurement sets up an evaluation and records bids; an evaluator declares a conflict,
scores and submits; the executive sees the ranking."""

import re

import pytest
from playwright.sync_api import expect

from scoring.models import Assignment, ConflictOfInterest, Evaluation
from tests.browser.test_registry_journey import log_in
from vendors import services as vendor_services


def new_page(browser):
    return browser.new_context(viewport={"width": 1280, "height": 900}).new_page()


@pytest.mark.django_db(transaction=True)
def test_it_carries_an_evaluation_from_set_up_to_a_ranking(
    page, browser, live_server, procurement, evaluator, executive
):
    for name in ("Bayside IT", "Lockstep Networks"):
        vendor_services.msp_create(name=name, offers_fully_managed=True)

    # Procurement sets up a fully managed evaluation for 50 staff.
    log_in(page, live_server, procurement.username)
    page.get_by_role("link", name="Evaluations").first.click()
    page.get_by_role("link", name="New evaluation").click()
    page.get_by_label("Title").fill("Managed IT 2027")
    page.get_by_label("Model").select_option("fully_managed")
    page.get_by_label("Employees").fill("50")
    page.get_by_label("Devices").fill("60")
    page.get_by_label("Signs a HIPAA business associate agreement").check()
    page.get_by_role("button", name="Create evaluation").click()
    expect(page.get_by_role("heading", name="Managed IT 2027")).to_be_visible()

    page.get_by_role("button", name="Set up").click()
    page.get_by_role("link", name="Evaluators").click()
    page.get_by_label(re.compile(evaluator.username)).check()
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("1 evaluator assigned.")).to_be_visible()

    # A clean per-user bid: $120 × 50 staff = $6,000 a month.
    page.get_by_role("link", name="Record a bid").click()
    page.get_by_label("MSP").select_option(label="Bayside IT")
    page.get_by_label("Pricing model").select_option("per_user")
    page.get_by_label("Rate", exact=True).fill("120")
    page.get_by_label("Contract term (months)").fill("12")
    page.get_by_label("Guaranteed critical response (minutes)").fill("30")
    page.get_by_label("References offered").fill("3")
    for label in (
        "Performance-based exit clause",
        "Assessed our environment before pricing",
        "Documented escalation procedure",
        "Documented onboarding procedure",
        "Signs a HIPAA business associate agreement",
    ):
        page.get_by_label(label).check()
    expect(page.get_by_label("Monthly fee")).to_be_hidden()
    expect(page.get_by_label("Help desk", exact=True)).to_be_hidden()  # the co-managed split
    page.get_by_label("End-user help desk by phone, email or tickets").check()
    page.get_by_role("button", name="Save bid").click()
    expect(page.get_by_test_id("scope")).to_contain_text("Security operations (not covered)")
    expect(page.get_by_test_id("monthly-cost")).to_have_text("$6,000.00")
    expect(page.get_by_test_id("red-flags")).to_contain_text("None of the guide's warning signs apply")

    # A 36-month flat bid with no exit clause and no references: red flags.
    page.get_by_role("link", name="Managed IT 2027").click()
    page.get_by_role("link", name="Record a bid").click()
    page.get_by_label("MSP").select_option(label="Lockstep Networks")
    page.get_by_label("Pricing model").select_option("flat")
    page.get_by_label("Monthly fee").fill("5000")
    page.get_by_label("Contract term (months)").fill("36")
    page.get_by_label("Guaranteed critical response (minutes)").fill("30")
    page.get_by_label("References offered").fill("0")
    page.get_by_role("button", name="Save bid").click()
    flags = page.get_by_test_id("red-flags")
    expect(flags).to_contain_text("lock-in-contract")
    expect(flags).to_contain_text("no-references")
    expect(flags).to_contain_text("unmet:hipaa-baa")

    page.get_by_role("link", name="Managed IT 2027").click()
    for status in ("Collecting bids", "Scoring"):
        page.get_by_label("Move to").select_option(label=status)
        page.get_by_role("button", name="Change status").click()
        expect(page.get_by_text(f"The evaluation is now {status.lower()}.")).to_be_visible()

    # The evaluator declares a conflict with Lockstep, scores Bayside 4 on every question, submits.
    evaluator_page = new_page(browser)
    log_in(evaluator_page, live_server, evaluator.username)
    evaluator_page.get_by_role("link", name="Evaluations").first.click()
    evaluator_page.get_by_role("link", name="Managed IT 2027").click()
    # The declaration first: the conflict declared on it, then signed; the scorecard opens after.
    expect(evaluator_page.get_by_role("heading", name="Evaluator's declaration")).to_be_visible()
    expect(evaluator_page.get_by_test_id("ranking")).to_have_count(0)
    evaluator_page.get_by_label("MSP").select_option(label="Lockstep Networks")
    evaluator_page.get_by_label("What is the conflict?").fill("My brother-in-law runs it.")
    evaluator_page.get_by_role("button", name="Declare").click()
    expect(evaluator_page.get_by_text("Conflict with Lockstep Networks declared")).to_be_visible()
    evaluator_page.get_by_label("I agree to the statement above.").check()
    evaluator_page.get_by_label("Your full name").fill("Evan Evaluator")
    evaluator_page.get_by_role("button", name="Sign and open the bids").click()
    expect(evaluator_page.get_by_text("Declaration signed.")).to_be_visible()
    expect(evaluator_page.get_by_role("heading", name=re.compile("Lockstep Networks"))).to_have_count(0)
    selects = evaluator_page.locator("select[name^=score_]")
    expect(selects).to_have_count(5)
    for index in range(5):
        selects.nth(index).select_option("4")
    evaluator_page.get_by_role("button", name="Submit scorecard").click()
    expect(evaluator_page.get_by_text("Scorecard submitted.")).to_be_visible()

    # The executive sees the ranking: 5 questions × weight 15 at 4/5 = 80 %, price 100 % at weight 25:
    # (75 × 80 + 25 × 100) ÷ 100 = 85.00. Lockstep is disqualified by its red flags.
    executive_page = new_page(browser)
    log_in(executive_page, live_server, executive.username)
    executive_page.get_by_role("link", name="Evaluations").first.click()
    executive_page.get_by_role("link", name="Managed IT 2027").click()
    ranking = executive_page.get_by_test_id("ranking")
    first = ranking.locator("tbody tr").first
    expect(first).to_contain_text("Bayside IT")
    expect(first).to_contain_text("85.00")
    expect(first).to_contain_text("$6,000")
    expect(executive_page.get_by_test_id("disqualified")).to_contain_text("Lockstep Networks")
    expect(executive_page.get_by_test_id("disqualified")).to_contain_text("lock-in-contract")

    evaluation = Evaluation.objects.get(title="Managed IT 2027")
    assert evaluation.status == "scoring"
    assert Assignment.objects.get(evaluation=evaluation, evaluator=evaluator).is_submitted
    assert ConflictOfInterest.objects.get(evaluation=evaluation).msp.name == "Lockstep Networks"
