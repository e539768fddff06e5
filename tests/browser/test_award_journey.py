"""An award from proposal to the auditor's evidence (issue 6): the owner proposes the leader, an executive
approves it, and an auditor reads the history, the ranking as it stood before a change, and the evidence zip.

The data is made in Python, as the app writes it, and is easy to work by hand: a fully managed evaluation over
12 months with two criteria, "quality" (a question, weight 70) and "price" (weight 30); two clean flat-fee bids,
and one evaluator.

    Bayside IT         $2,000 a month → TCO $24,000; price 12,000 ÷ 24,000 = 50 %
    Lockstep Networks  $1,000 a month → TCO $12,000; price 100 %

First the evaluator scores Bayside 5 of 5 (100 %) and Lockstep 3 of 5 (60 %) and submits:
    Bayside  (70 × 100 + 30 × 50) ÷ 100 = 85.00   first
    Lockstep (70 × 60 + 30 × 100) ÷ 100 = 72.00
That state is pushed two hours into the past (every history row's date moves back by two hours), so "an hour
ago" falls between it and what follows. Then the owner reopens the scorecard and the evaluator rescores both
bids 4 of 5 (80 %) and submits again:
    Lockstep (70 × 80 + 30 × 100) ÷ 100 = 86.00   first
    Bayside  (70 × 80 + 30 × 50) ÷ 100 = 71.00
The evaluation goes to the decision stage, and the journey starts: Lockstep Networks is the leader to award.
"""

import json
import re
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from core.history import acting_as
from scoring import services
from scoring.models import Assignment, Award, Evaluation
from tests.browser.test_registry_journey import log_in
from tests.scoring.factories import load, package_bid, score

TITLE = "Managed IT 2029"
LEADER = "Lockstep Networks"
RUNNER_UP = "Bayside IT"
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def rescored_evaluation(owner, evaluator):
    """The evaluation of the docstring, at the decision stage, its first scores two hours in the past.

    The clock is moved back while they are written (history rows are append-only on PostgreSQL:
    their dates can't be changed afterwards).
    """
    with time_machine.travel(timezone.now() - timedelta(hours=2), tick=True):
        evaluation = _first_scores(owner, evaluator)
    # The change the auditor will look behind: the scorecard reopened and rescored, 4 of 5 for both bids.
    assignment = Assignment.objects.get(evaluation=evaluation, evaluator=evaluator)
    with acting_as(owner):
        services.scorecard_reopen(assignment=assignment, reason="Scores to be checked against the references.")
    with acting_as(evaluator):
        score(assignment, {RUNNER_UP: 4, LEADER: 4})
    with acting_as(owner):
        evaluation = services.evaluation_transition(
            evaluation=evaluation, to="decision", reason="The board meets this week."
        )
    return evaluation


def _first_scores(owner, evaluator):
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
            "bids": [package_bid(RUNNER_UP, monthly_fee=2000), package_bid(LEADER, monthly_fee=1000)],
            "scores": [],
            "submitted": [],
        },
    )
    assignment = Assignment.objects.get(evaluation=evaluation, evaluator=evaluator)
    with acting_as(evaluator):
        score(assignment, {RUNNER_UP: 5, LEADER: 3})
    first = {row["vendor"]: row["total"] for row in services.stored_ranking(evaluation)["ranking"]}
    assert first == {RUNNER_UP: 85.0, LEADER: 72.0}

    return evaluation


def cells(row) -> list[str]:
    return [text.strip() for text in row.locator("th, td").all_inner_texts()]


def log_out(page) -> None:
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def as_of_input(moment) -> str:
    """A moment as the datetime-local input takes it: local time (the site's time zone), to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.django_db(transaction=True)
def test_an_award_is_proposed_approved_and_audited(page, live_server, procurement, evaluator, executive, auditor):
    evaluation = rescored_evaluation(procurement, evaluator)
    # An hour ago: after the first scores (two hours ago), before the rescoring (just now).
    an_hour_ago = timezone.now() - timedelta(hours=1)
    before_it_existed = timezone.now() - timedelta(hours=3)
    stored = services.stored_ranking(evaluation)
    assert [(row["vendor"], row["total"]) for row in stored["ranking"]] == [(LEADER, 86.0), (RUNNER_UP, 71.0)]
    dashboard = f"{live_server.url}/evaluations/{evaluation.pk}/"
    award_url = f"{dashboard}award/"

    # 1. The owner sees the prompt on the dashboard, proposes the leader with a rationale.
    log_in(page, live_server, procurement.username)
    page.goto(dashboard)
    state = page.get_by_test_id("award-state")
    expect(state).to_contain_text("Scoring is over: propose the winner")
    state.get_by_role("link", name="Propose the award").click()
    expect(page).to_have_url(award_url)
    proposal = page.get_by_test_id("propose")
    winner = proposal.get_by_label("Winning bid")
    assert winner.locator("option:checked").inner_text() == LEADER  # the leader is chosen to start with
    assert sorted(winner.locator("option").all_inner_texts()) == [RUNNER_UP, LEADER]  # both are ranked
    winner.select_option(label=LEADER)
    proposal.get_by_label("Rationale").fill("Highest total (86.00) and the lowest cost of ownership.")
    proposal.get_by_role("button", name="Propose").click()
    expect(page.get_by_text(f"Award to {LEADER} proposed")).to_be_visible()
    pending = page.get_by_test_id("pending")
    expect(pending.get_by_role("heading")).to_have_text(f"Proposed: {LEADER}")
    expect(pending).to_contain_text("awaiting an executive's decision")
    expect(pending).to_contain_text("You proposed it: another person decides.")
    expect(page.get_by_test_id("decide")).to_have_count(0)  # the proposer can't approve
    page.goto(dashboard)
    expect(page.get_by_test_id("award-state")).to_contain_text(
        f"Award to {LEADER} proposed: waiting for an executive's decision."
    )
    award = Award.objects.get(evaluation=evaluation)
    assert (award.decision, award.proposed_by, award.bid.vendor_name) == ("pending", procurement, LEADER)

    # 2. The executive (after the owner logs out) approves with a comment: awarded, fingerprinted, locked.
    log_out(page)
    log_in(page, live_server, executive.username)
    page.goto(award_url)
    decide = page.get_by_test_id("decide")
    decide.get_by_label("Approve").check()
    decide.get_by_label("Comment").fill("Agreed: the board minute quotes the fingerprints.")
    decide.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Award approved: the evaluation is awarded and locked.")).to_be_visible()
    approved = page.get_by_test_id("approved")
    expect(approved.get_by_role("heading", level=2)).to_have_text(f"Awarded to {LEADER}")
    expect(approved).to_contain_text("approved by Marcus")
    expect(approved).to_contain_text("Agreed: the board minute quotes the fingerprints.")
    digests = page.get_by_test_id("digests")
    package_digest, ranking_digest = (text.strip() for text in digests.locator("code").all_inner_texts())
    assert SHA256.match(package_digest) and SHA256.match(ranking_digest), (package_digest, ranking_digest)
    assert package_digest != ranking_digest
    expect(digests.get_by_text("matches the kept record")).to_have_count(2)
    expect(page.get_by_test_id("verification")).to_contain_text("The record is as it was approved")
    expect(page.get_by_test_id("pending")).to_have_count(0)

    page.goto(dashboard)
    expect(page.get_by_text("This evaluation is awarded and locked: nothing in it can change.")).to_be_visible()
    expect(page.get_by_test_id("award-state")).to_contain_text(f"Awarded to {LEADER}, approved by Marcus")

    # The database agrees.
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    award = Award.objects.get(pk=award.pk)
    assert evaluation.status == "awarded" and evaluation.is_locked
    assert (award.decision, award.decided_by, award.bid.vendor_name) == ("approved", executive, LEADER)
    assert (award.package_digest, award.ranking_digest) == (package_digest, ranking_digest)

    # 3. The auditor (after the executive logs out) reads the award's history.
    log_out(page)
    audit(page, live_server, evaluation, auditor, an_hour_ago, before_it_existed, ranking_digest)


def audit(page, live_server, evaluation, auditor, an_hour_ago, before_it_existed, ranking_digest) -> None:
    log_in(page, live_server, auditor.username)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/history/")
    page.get_by_label("Kind of record").select_option("Award")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"kind=Award"))
    entries = page.get_by_test_id("history").locator(":scope > li")
    expect(entries).to_have_count(2)  # newest first: the approval, then the proposal
    approval, creation = entries.nth(0).inner_text(), entries.nth(1).inner_text()
    assert f"Priya created Award: award to {LEADER}" in creation, creation
    assert "Rationale: Highest total (86.00)" in creation, creation
    assert f"Marcus changed Award: award to {LEADER}" in approval, approval
    assert "Decision: Awaiting approval → Approved" in approval, approval
    assert f"Ranking digest: — → {ranking_digest}" in approval, approval
    assert "Decided by: — → marcus" in approval, approval
    assert "reason: Agreed: the board minute quotes the fingerprints." in approval, approval

    # The ranking an hour ago (before the rescoring) beside today's. Hand-worked in the docstring.
    page.get_by_role("link", name="Ranking as of…").click()
    expect(page).to_have_url(f"{live_server.url}/evaluations/{evaluation.pk}/ranking/as-of/")
    page.get_by_label("As of", exact=True).fill(as_of_input(an_hour_ago))
    page.get_by_role("button", name="Show").click()
    past_rows = page.get_by_test_id("as-of").locator("tbody tr")
    expect(past_rows).to_have_count(2)
    assert [cells(past_rows.nth(i))[:4] for i in range(2)] == [
        ["1", RUNNER_UP, "85.00", "$24,000"],
        ["2", LEADER, "72.00", "$12,000"],
    ]
    today_rows = page.get_by_test_id("today").locator("tbody tr")
    assert [cells(today_rows.nth(i))[:4] for i in range(2)] == [
        ["1", LEADER, "86.00", "$12,000"],
        ["2", RUNNER_UP, "71.00", "$24,000"],
    ]
    expect(page.get_by_text("The ranking has changed since then")).to_be_visible()
    expect(page.get_by_test_id("as-of-error")).to_have_count(0)

    # Three hours ago the evaluation did not exist yet: a plain message, today's ranking still shown.
    page.get_by_label("As of", exact=True).fill(as_of_input(before_it_existed))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("as-of-error")).to_contain_text(f"“{TITLE}” did not exist yet on")
    expect(page.get_by_test_id("as-of")).to_have_count(0)
    expect(page.get_by_test_id("today").locator("tbody tr")).to_have_count(2)

    # 4. The evidence zip, from the history page.
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/history/")
    with page.expect_download() as download_info:
        page.get_by_test_id("evidence").click()
    download = download_info.value
    assert download.suggested_filename.endswith("evidence.zip"), download.suggested_filename
    with zipfile.ZipFile(download.path()) as archive:
        names = set(archive.namelist())
        assert {
            "package.json",
            "ranking.json",
            "history.csv",
            "conflicts-of-interest.csv",
            "award.json",
        } <= names, names
        record = json.loads(archive.read("award.json"))
        ranking_document = json.loads(archive.read("ranking.json"))
        history_csv = archive.read("history.csv").decode()
    assert record["status"] == "awarded"
    (approved,) = [a for a in record["awards"] if a["decision"] == "approved"]
    assert (approved["winner"], approved["proposed_by"], approved["decided_by"]) == (LEADER, "priya", "marcus")
    assert approved["ranking_sha256"] == ranking_digest
    assert [(row["vendor"], row["total"]) for row in approved["ranking"]["ranking"]] == [
        (LEADER, 86.0),
        (RUNNER_UP, 71.0),
    ]
    assert [(row["vendor"], row["total"]) for row in ranking_document["ranking"]] == [
        (LEADER, 86.0),
        (RUNNER_UP, 71.0),
    ]
    assert "Scores to be checked against the references." in history_csv  # the reopening's reason


@pytest.mark.django_db(transaction=True)
def test_the_winning_bid_list_puts_the_leader_first(page, live_server, procurement, evaluator):
    # Bayside was recorded first (position 0) but ranks second: 71.00 against Lockstep's 86.00.
    evaluation = rescored_evaluation(procurement, evaluator)
    log_in(page, live_server, procurement.username)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/award/")
    options = page.get_by_test_id("propose").get_by_label("Winning bid").locator("option")
    assert options.all_inner_texts() == [LEADER, RUNNER_UP]
