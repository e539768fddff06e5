"""A panel of two evaluators: procurement invites the candidates, records their bids, assigns two
evaluators and opens scoring; one evaluator submits, the other declares a conflict and keeps a draft.

The evaluation is loaded in Python as a draft, fully managed over 12 months, with two questions and price:

    support   "How fast does the help desk answer?"   weight 40
    security  "How well do they secure our systems?"  weight 30
    price     total cost of ownership                 weight 30

Two clean flat-fee bids are recorded through the bid form (no onboarding fee, nothing retained in house):

    Bayside IT         $4,000 a month → TCO $48,000; price 36,000 ÷ 48,000 = 75 %
    Lockstep Networks  $3,000 a month → TCO $36,000; price 100 %

Evan declares no conflict and submits: Bayside support 4, security 3; Lockstep support 2, security 5.
Nadia declares a conflict with Lockstep (she no longer scores it) and saves a draft for Bayside only:
support 1, security 0. Drafts never count, so the ranking is Evan's scores alone:

    Lockstep  support 2 ÷ 5 = 40 %, security 5 ÷ 5 = 100 %: (40 × 40 + 30 × 100 + 30 × 100) ÷ 100 = 76.00
    Bayside   support 4 ÷ 5 = 80 %, security 3 ÷ 5 = 60 %:  (40 × 80 + 30 × 60 + 30 × 75) ÷ 100 = 72.50

Had Nadia's draft counted, Bayside's support would be (4 + 1) ÷ 2 = 2.5 → 50 %, its security
(3 + 0) ÷ 2 = 1.5 → 30 %, and its total (40 × 50 + 30 × 30 + 30 × 75) ÷ 100 = 51.50.
"""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from accounts.roles import EVALUATOR
from notifications.models import Notification
from scoring.models import Assignment, Candidate, ConflictOfInterest, Evaluation, Score
from tests.browser.test_registry_journey import log_in
from tests.conftest import make_user
from tests.scoring.factories import load
from vendors import services as vendor_services

TITLE = "Managed IT 2030"
BAYSIDE, LOCKSTEP, CRESTLINE, HARBOR = "Bayside IT", "Lockstep Networks", "Crestline Support", "Harbor Light IT"
SUPPORT = "How fast does the help desk answer?"
SECURITY = "How well do they secure our systems?"
CONFLICT_NOTE = "I worked at Lockstep until last spring."


@pytest.fixture
def second_evaluator(db) -> User:
    return make_user("nadia", EVALUATOR)


def draft_evaluation(owner) -> Evaluation:
    """The evaluation of the docstring, as a draft with no evaluator, candidate or bid yet."""
    question = {"kind": "question", "category": "Service", "applies_to": "all"}
    return load(
        owner,
        {
            "format": "msp-eval/1",
            "evaluation": {"title": TITLE, "model": "fully_managed", "term_months": 12, "status": "draft"},
            "organization": {
                "name": "Example Dental Group",
                "employees": 10,
                "devices": 20,
                "it_staff": 1,
                "it_staff_annual_cost": 60000,
            },
            "criteria": [
                {**question, "key": "support", "text": SUPPORT, "weight": 40},
                {**question, "key": "security", "text": SECURITY, "weight": 30},
                {"key": "price", "kind": "price", "text": "Total cost of ownership", "category": "Cost", "weight": 30},
            ],
            "evaluators": [],
            "bids": [],
        },
    )


@pytest.fixture
def new_page(browser):
    """Another person's browser: a page in a context of its own (its own cookies), closed at the end."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


def cells(row) -> list[str]:
    return [text.strip() for text in row.locator("th, td").all_inner_texts()]


def bid_section(page, vendor: str):
    """The scorecard's section for one bid (its heading names the MSP, then the model)."""
    return page.get_by_role("region", name=re.compile(rf"^{vendor}\b"))


def record_bid(page, vendor: str, monthly_fee: str) -> None:
    """A clean flat-fee bid: 12 months, a 30-minute SLA, 3 references, assessed, documented, exit clause."""
    page.get_by_role("link", name="Record a bid").click()
    page.get_by_label("MSP").select_option(label=vendor)
    page.get_by_label("Pricing model").select_option("flat")
    page.get_by_label("Monthly fee").fill(monthly_fee)
    page.get_by_label("Contract term (months)").fill("12")
    page.get_by_label("Guaranteed critical response (minutes)").fill("30")
    page.get_by_label("References offered").fill("3")
    for label in (
        "Performance-based exit clause",
        "Assessed our environment before pricing",
        "Documented escalation procedure",
        "Documented onboarding procedure",
    ):
        page.get_by_label(label).check()
    page.get_by_role("button", name="Save bid").click()
    expect(page.get_by_text(f"Bid from {vendor} saved")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_a_panel_of_two_scores_one_submits_one_keeps_a_draft(
    page, new_page, live_server, procurement, evaluator, second_evaluator
):
    for name in (BAYSIDE, LOCKSTEP, CRESTLINE):
        vendor_services.msp_create(name=name, offers_fully_managed=True)
    vendor_services.msp_create(name=HARBOR, offers_co_managed=True)  # offers no fully managed IT
    evaluation = draft_evaluation(procurement)
    dashboard = f"{live_server.url}/evaluations/{evaluation.pk}/"
    evan, nadia = evaluator, second_evaluator

    # 1. Procurement invites candidates. An MSP that does not offer fully managed IT spoils the whole
    # invitation (all or nothing, naming it); without it, three are invited and none has bid yet.
    log_in(page, live_server, procurement.username)
    page.get_by_role("link", name="Evaluations").first.click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_test_id("candidate-counts")).to_have_text("0 invited, 0 bid")
    page.get_by_role("button", name="Set up").click()
    page.get_by_role("link", name="Candidates").click()
    expect(page).to_have_url(f"{dashboard}candidates/")
    expect(page.get_by_text("No MSP has been invited yet.")).to_be_visible()
    invite = page.get_by_role("listbox", name=re.compile(r"^Invite MSPs"))
    invite.select_option(label=[f"{BAYSIDE} (fully managed)", f"{HARBOR} (co-managed)"])
    page.get_by_role("button", name="Invite").click()
    expect(
        page.get_by_text(f"{HARBOR} does not offer fully managed IT, the model this evaluation compares.")
    ).to_be_visible()
    expect(page.get_by_test_id("candidates")).to_have_count(0)  # nothing was invited
    invite.select_option(
        label=[f"{BAYSIDE} (fully managed)", f"{LOCKSTEP} (fully managed)", f"{CRESTLINE} (fully managed)"]
    )
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_text("3 MSPs invited to bid.")).to_be_visible()
    expect(page.get_by_role("heading", name="3 invited, 0 bids received")).to_be_visible()
    rows = page.get_by_test_id("candidates").locator("tbody tr")
    expect(rows).to_have_count(3)
    for vendor in (BAYSIDE, LOCKSTEP, CRESTLINE):
        row = rows.filter(has_text=vendor)
        expect(row.locator("td").nth(1)).to_have_text("invited")
        expect(row.locator("td").nth(2)).to_have_text("not received")
    # The invited are no longer offered; the unfit one still is.
    assert invite.locator("option").all_inner_texts() == [f"{HARBOR} (co-managed)"]

    # 2. Bids come in: the evaluation collects bids, and procurement records two of the three.
    page.get_by_role("link", name="Back to the evaluation").click()
    page.get_by_label("Move to").select_option(label="Collecting bids")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_text("The evaluation is now collecting bids.")).to_be_visible()
    record_bid(page, BAYSIDE, "4000")
    expect(page.get_by_test_id("monthly-cost")).to_have_text("$4,000.00")
    expect(page.get_by_test_id("red-flags")).to_contain_text("None of the guide's warning signs apply")
    page.get_by_role("link", name=TITLE).first.click()
    record_bid(page, LOCKSTEP, "3000")
    expect(page.get_by_test_id("monthly-cost")).to_have_text("$3,000.00")
    expect(page.get_by_test_id("red-flags")).to_contain_text("None of the guide's warning signs apply")

    page.goto(f"{dashboard}candidates/")
    expect(page.get_by_role("heading", name="3 invited, 2 bids received")).to_be_visible()
    for vendor, bid in ((BAYSIDE, "received"), (LOCKSTEP, "received"), (CRESTLINE, "not received")):
        row = rows.filter(has_text=vendor)
        expect(row.locator("td").nth(1)).to_have_text("invited")
        expect(row.locator("td").nth(2)).to_have_text(bid)

    # 3. Two evaluators are assigned, and scoring opens.
    page.get_by_role("link", name="Back to the evaluation").click()
    expect(page.get_by_test_id("candidate-counts")).to_have_text("3 invited, 2 bid")
    page.get_by_role("button", name="Set up").click()
    page.get_by_role("link", name="Evaluators").click()
    page.get_by_label("Evan (evan)").check()
    page.get_by_label("Nadia (nadia)").check()
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("2 evaluators assigned.")).to_be_visible()
    page.get_by_label("Move to").select_option(label="Scoring")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_text("The evaluation is now scoring.")).to_be_visible()
    assigned = page.get_by_role("region", name="Evaluators").locator("ul.list-unstyled > li")
    expect(assigned).to_have_count(2)
    expect(assigned.filter(has_text="Evan")).to_contain_text("in progress")
    expect(assigned.filter(has_text="Nadia")).to_contain_text("in progress")

    # 4. Evan, in his own browser, opens his scorecard: both bids, no conflict declared.
    evan_page = new_page()
    log_in(evan_page, live_server, evan.username)
    evan_page.get_by_role("link", name="Evaluations").first.click()
    evan_page.get_by_role("link", name=TITLE).click()
    # First the evaluators' declaration: no bid opens before it is signed.
    expect(evan_page.get_by_role("heading", name="Evaluator's declaration")).to_be_visible()
    expect(evan_page.get_by_test_id("statement")).to_contain_text(f"bidding in “{TITLE}”")
    evan_page.get_by_role("button", name="Sign and open the bids").click()
    expect(evan_page.get_by_text("This field is required.").first).to_be_visible()  # nothing signed unticked
    evan_page.get_by_label("I agree to the statement above.").check()
    evan_page.get_by_label("Your full name").fill("Evan Evaluator")
    evan_page.get_by_role("button", name="Sign and open the bids").click()
    expect(evan_page.get_by_text("Declaration signed.")).to_be_visible()
    evan_page.goto(dashboard)
    expect(evan_page.get_by_label("Your scorecard")).to_contain_text("0 of 4 scores entered, not submitted yet.")
    expect(evan_page.get_by_text("Scoring is blind")).to_be_visible()
    evan_page.get_by_role("link", name="Open my scorecard").click()
    expect(evan_page.get_by_text("Declare any link with a bidder")).to_be_visible()
    expect(evan_page.get_by_text("You declared a conflict")).to_have_count(0)
    expect(bid_section(evan_page, BAYSIDE)).to_be_visible()
    expect(bid_section(evan_page, LOCKSTEP)).to_be_visible()

    # 5. Nadia, in hers, declares a conflict with Lockstep: its bid leaves her scorecard.
    nadia_page = new_page()
    log_in(nadia_page, live_server, nadia.username)
    nadia_page.goto(dashboard)
    # She declares it on the declaration, before any bid opens to her, then signs.
    expect(nadia_page.get_by_role("heading", name="Evaluator's declaration")).to_be_visible()
    assert sorted(nadia_page.get_by_label("MSP", exact=True).locator("option").all_inner_texts()) == [
        "---------",
        BAYSIDE,
        LOCKSTEP,
    ]
    nadia_page.get_by_label("MSP", exact=True).select_option(label=LOCKSTEP)
    nadia_page.get_by_label("What is the conflict?").fill(CONFLICT_NOTE)
    nadia_page.get_by_role("button", name="Declare").click()
    expect(nadia_page.get_by_text(f"Conflict with {LOCKSTEP} declared; the owner has been told.")).to_be_visible()
    expect(nadia_page.get_by_text(f"You declared a conflict with {LOCKSTEP}; you won't score its bid.")).to_be_visible()
    nadia_page.get_by_label("I agree to the statement above.").check()
    nadia_page.get_by_label("Your full name").fill("Nadia Second")
    nadia_page.get_by_role("button", name="Sign and open the bids").click()
    expect(nadia_page.get_by_text("Declaration signed.")).to_be_visible()
    expect(nadia_page.get_by_role("region", name="Conflicts of interest")).to_contain_text(
        f"You declared a conflict with {LOCKSTEP} and don't score its bid. Your note: {CONFLICT_NOTE}"
    )
    expect(bid_section(nadia_page, LOCKSTEP)).to_have_count(0)
    expect(nadia_page.get_by_label("MSP", exact=True).locator("option")).to_have_text(["---------", BAYSIDE])

    # 6. Nadia scores Bayside 1 and 0 and saves a draft; after a reload the draft is still there, not submitted.
    bayside = bid_section(nadia_page, BAYSIDE)
    bayside.get_by_label(SUPPORT).select_option("1")
    bayside.get_by_label(SECURITY).select_option("0")
    bayside.get_by_label(f"Note on support for {BAYSIDE}").fill("Tickets wait two days.")
    nadia_page.get_by_role("button", name="Save draft").click()
    expect(nadia_page.get_by_text("Draft saved. Drafts don't count until you submit.")).to_be_visible()
    nadia_page.reload()
    expect(nadia_page.get_by_text("Draft saved.")).to_have_count(0)  # the message was shown once
    bayside = bid_section(nadia_page, BAYSIDE)
    expect(bayside.get_by_label(SUPPORT)).to_have_value("1")
    expect(bayside.get_by_label(SECURITY)).to_have_value("0")
    expect(bayside.get_by_label(f"Note on support for {BAYSIDE}")).to_have_value("Tickets wait two days.")
    expect(nadia_page.get_by_test_id("scorecard-state")).to_have_text("Draft: not submitted")
    expect(nadia_page.get_by_role("button", name="Submit scorecard")).to_be_enabled()
    nadia_page.goto(dashboard)
    expect(nadia_page.get_by_label("Your scorecard")).to_contain_text("2 of 2 scores entered, not submitted yet.")
    expect(nadia_page.get_by_text("Scoring is blind")).to_be_visible()
    expect(nadia_page.get_by_test_id("ranking")).to_have_count(0)

    # 7. Evan scores both bids and submits: the ranking (his scores alone) opens to him.
    for vendor, support, security in ((BAYSIDE, "4", "3"), (LOCKSTEP, "2", "5")):
        section = bid_section(evan_page, vendor)
        section.get_by_label(SUPPORT).select_option(support)
        section.get_by_label(SECURITY).select_option(security)
    evan_page.get_by_role("button", name="Submit scorecard").click()
    expect(evan_page.get_by_text("Scorecard submitted. The ranking and prices are now open to you.")).to_be_visible()
    expect(evan_page.get_by_label("Your scorecard")).to_contain_text("submitted")
    evan_ranking = evan_page.get_by_test_id("ranking").locator("tbody tr")
    expect(evan_ranking).to_have_count(2)
    assert [cells(evan_ranking.nth(i))[:4] for i in range(2)] == [
        ["1", LOCKSTEP, "Fully managed", "76.00"],
        ["2", BAYSIDE, "Fully managed", "72.50"],
    ]
    evan_page.get_by_role("link", name="View my scorecard").click()
    expect(evan_page.get_by_test_id("scorecard-state")).to_have_text(re.compile(r"^Submitted "))
    expect(evan_page.get_by_role("button", name="Submit scorecard")).to_have_count(0)
    expect(evan_page.get_by_role("region", name="Conflicts of interest")).to_contain_text(
        "You declared no conflict of interest."
    )
    expect(bid_section(evan_page, LOCKSTEP).get_by_label(SECURITY)).to_be_disabled()

    # 8. Procurement sees 1 of 2 scorecards submitted, the conflict, and a ranking without Nadia's draft.
    page.get_by_role("link", name="Evaluations").first.click()
    portfolio_row = page.get_by_test_id("portfolio").locator("tbody tr", has_text=TITLE)
    expect(portfolio_row).to_contain_text("1 of 2 submitted")
    expect(portfolio_row).to_contain_text(f"{LOCKSTEP} 76.00")
    portfolio_row.get_by_role("link", name=TITLE).click()
    panel = page.get_by_role("region", name="Evaluators")
    assigned = panel.locator("ul.list-unstyled > li")
    expect(assigned.filter(has_text="Evan")).to_contain_text("submitted")
    expect(assigned.filter(has_text="Nadia")).to_contain_text("in progress")
    # The owner sees that both signed the declaration before the bids opened to them.
    expect(assigned.get_by_test_id("declaration-state")).to_have_count(2)
    for state in assigned.get_by_test_id("declaration-state").all():
        expect(state).to_contain_text("declaration signed")
    expect(panel.get_by_role("heading", name="Conflicts of interest")).to_be_visible()
    expect(panel).to_contain_text(f"Nadia with {LOCKSTEP}: {CONFLICT_NOTE}")
    # Lockstep stays first until support's weight w passes 48.75: 40w + 6,000 = 80w + 4,050 (both ÷ (w + 60)).
    lead = page.get_by_test_id("lead")
    expect(lead).to_contain_text(f"{LOCKSTEP} leads with 76.00, 3.50 points ahead of {BAYSIDE} (72.50).")
    expect(lead).to_contain_text(f"rises above 48.75 ({BAYSIDE} then leads)")
    # Nadia's draft 1 against Evan's 4 on Bayside's support would be a spread of 3: drafts are not compared.
    expect(page.get_by_test_id("disagreement")).to_contain_text("nowhere by 3 points or more.")
    ranking = page.get_by_test_id("ranking").locator("tbody tr")
    assert [cells(ranking.nth(i)) for i in range(2)] == [
        ["1", LOCKSTEP, "Fully managed", "76.00", "$3,000", "$36,000", "none", "yes"],
        ["2", BAYSIDE, "Fully managed", "72.50", "$4,000", "$48,000", "none", "yes"],
    ]
    page.get_by_text("Criterion percentages").click()
    percentages = page.locator("details", has_text="Criterion percentages").locator("tbody tr")
    assert [cells(percentages.nth(i)) for i in range(2)] == [
        [LOCKSTEP, "40.0%", "100.0%", "100.0%"],
        [BAYSIDE, "80.0%", "60.0%", "75.0%"],
    ]

    # The consensus page counts submitted scorecards only: Evan's column (by username), no column for Nadia.
    page.goto(f"{dashboard}consensus/")
    consensus = page.get_by_test_id("consensus")
    assert consensus.locator("thead th").all_inner_texts() == ["MSP", "Question", "evan", "Spread"]
    expect(consensus.locator("tbody tr")).to_have_count(4)

    # The owner was told of the conflict.
    page.get_by_test_id("notifications-link").click()
    told = page.get_by_test_id("notifications").locator("li").first
    expect(told).to_contain_text(f"Conflict of interest declared on “{TITLE}”")
    expect(told).to_contain_text(f"Nadia declared a conflict of interest with {LOCKSTEP} and will not score its bid.")

    # 9. The database agrees.
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    assert evaluation.status == "scoring"
    assert sorted(Candidate.objects.filter(evaluation=evaluation).values_list("msp__name", "status")) == [
        (BAYSIDE, "invited"),
        (CRESTLINE, "invited"),
        (LOCKSTEP, "invited"),
    ]
    evans, nadias = (Assignment.objects.get(evaluation=evaluation, evaluator=user) for user in (evan, nadia))
    assert evans.is_submitted and evans.submitted_at is not None
    assert not nadias.is_submitted and nadias.submitted_at is None
    scores = sorted(
        Score.objects.filter(bid__evaluation=evaluation).values_list(
            "assignment__evaluator__username", "bid__vendor_name", "criterion__key", "score", "note"
        )
    )
    assert scores == [
        ("evan", BAYSIDE, "security", 3, ""),
        ("evan", BAYSIDE, "support", 4, ""),
        ("evan", LOCKSTEP, "security", 5, ""),
        ("evan", LOCKSTEP, "support", 2, ""),
        ("nadia", BAYSIDE, "security", 0, ""),
        ("nadia", BAYSIDE, "support", 1, "Tickets wait two days."),
    ]
    (conflict,) = ConflictOfInterest.objects.filter(evaluation=evaluation)
    assert (conflict.evaluator, conflict.msp.name, conflict.note) == (nadia, LOCKSTEP, CONFLICT_NOTE)
    assert Notification.objects.filter(user=procurement, reminder__rule="conflict-declared").count() == 1
