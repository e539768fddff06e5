"""Two envelopes and a decision with its context (issue 16), in a browser.

An evaluator signs the declaration, scores with Acme's technical proposal open while its price sheet stays
sealed, submits, and then opens the price sheet. An executive reads a proposal that is not the leader and
sees the warning and the premiums (the figures of tests/scoring/test_proposal_context.py, worked there by
hand: B, 66.00 and $3,600 over 12 months, is proposed over A, 85.00 and $2,400, and C, the cheapest at $1,200).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from core.history import acting_as
from scoring import services
from scoring.models import Bid, Envelope
from tests.browser.test_registry_journey import log_in
from tests.scoring.factories import assign, load, make_bid, make_evaluation, start_scoring
from tests.scoring.test_proposal_context import WARNINGS, package

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.mark.django_db(transaction=True)
def test_an_evaluator_reads_the_technical_envelope_then_the_prices_once_submitted(
    page, live_server, procurement, evaluator
):
    with acting_as(procurement):
        evaluation = make_evaluation(procurement, title="Envelopes 2027", sealed_prices=True)
        bid = make_bid(evaluation, "Acme Managed IT")
        for name, envelope in (("narrative.pdf", Envelope.TECHNICAL), ("prices.pdf", Envelope.COMMERCIAL)):
            services.document_upload(
                bid=bid, kind="proposal", envelope=envelope, upload=SimpleUploadedFile(name, PDF), by=procurement
            )
        assign(evaluation, evaluator, signed=False)
        evaluation = start_scoring(evaluation)

    # 1. The declaration comes first.
    log_in(page, live_server, evaluator.username)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/bids/{bid.pk}/")
    expect(page.get_by_role("heading", name="Evaluator's declaration")).to_be_visible()
    page.get_by_label("I agree to the statement above.").check()
    page.get_by_label("Your full name").fill("Evan Evaluator")
    page.get_by_role("button", name="Sign and open the bids").click()
    expect(page.get_by_text("Declaration signed.")).to_be_visible()

    # 2. On the bid page the technical proposal opens; the price sheet is sealed, and refused if asked for.
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/bids/{bid.pk}/")
    documents = page.get_by_test_id("documents")
    with page.expect_download() as opened:
        documents.get_by_role("link", name="narrative.pdf").click()
    assert opened.value.suggested_filename == "narrative.pdf"
    expect(documents.get_by_role("link", name="prices.pdf")).to_have_count(0)
    expect(documents.locator("tr", has_text="prices.pdf")).to_contain_text("sealed")

    # 3. Scored and submitted: the price sheet opens.
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/scorecard/")
    for select in page.locator("select[name^=score_]").all():
        select.select_option("4")
    page.get_by_role("button", name="Submit scorecard").click()
    expect(page.get_by_text("Scorecard submitted.")).to_be_visible()
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/bids/{bid.pk}/")
    with page.expect_download() as opened:
        page.get_by_test_id("documents").get_by_role("link", name="prices.pdf").click()
    assert opened.value.suggested_filename == "prices.pdf"


@pytest.mark.django_db(transaction=True)
def test_an_executive_reads_a_proposal_that_is_not_the_leader_with_its_premiums(
    page, live_server, procurement, executive
):
    with acting_as(procurement):
        evaluation = services.evaluation_transition(
            evaluation=load(procurement, package()), to="decision", reason="The board meets this week."
        )
        services.award_propose(
            evaluation=evaluation,
            bid=Bid.objects.get(evaluation=evaluation, vendor_name="B"),
            rationale="Cheaper per month than A.",
            by=procurement,
        )

    log_in(page, live_server, executive.username)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/award/")
    context = page.get_by_test_id("proposal-context")
    expect(context.locator("tr", has_text="Ranking's leader")).to_contain_text("A")
    expect(page.get_by_test_id("premium-leader")).to_have_text("$1,200.00 more")
    expect(page.get_by_test_id("premium-cheapest")).to_have_text("$2,400.00 more")
    warnings = page.get_by_test_id("proposal-warnings").locator("li")
    expect(warnings).to_have_text(WARNINGS)
    expect(page.get_by_role("button", name="Record the decision")).to_be_visible()
