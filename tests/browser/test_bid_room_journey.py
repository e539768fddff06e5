"""The bid room end to end in a browser: the owner adds a question of the team's own; procurement invites
an MSP's contact; the invitation email (file mail backend) leads to setting a password; the MSP reads the
request, drafts, uploads a technical and a commercial document, submits and gets the receipt; procurement,
an auditor and an admin can't read the bid before the close; after it the owner opens the bids; an
evaluator scores with the written answer beside the question; after the award the MSP reads its debrief."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import expect

from scoring import services
from scoring.models import Assignment, Bid, Submission
from tests.browser.test_registry_journey import log_in
from tests.scoring.factories import assign, award_leader, make_bid, make_evaluation, make_msp, move_to, score
from vendors import services as vendor_services

DUE = dt.date(2027, 1, 15)
BEFORE = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)
AFTER = dt.datetime(2027, 1, 16, 9, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
SECRET_FEE = "4321.75"
QUESTION = "How do you restore our data after ransomware?"
ANSWER = "We restore from immutable copies within four hours, rehearsed every quarter."


def new_page(browser):
    return browser.new_context(viewport={"width": 1280, "height": 900}).new_page()


def _mailed_link(folder) -> str:
    bodies = "".join(path.read_text() for path in sorted(folder.iterdir()))
    return re.search(r"http://\S+/bid-room/welcome/\S+/", bodies).group(0)


@pytest.mark.django_db(transaction=True)
def test_an_msp_goes_from_the_invitation_email_to_a_debrief(
    page, browser, live_server, procurement, evaluator, auditor, admin_user, settings, tmp_path
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    settings.SITE_URL = live_server.url
    with time_machine.travel(BEFORE, tick=True) as clock:
        evaluation = make_evaluation(procurement, bids_due=DUE, request_publishes=["employees"])
        acme = make_msp("Acme Managed IT")
        vendor_services.contact_create(msp=acme, name="Luis Moreno", email="luis@acme.example")
        services.candidate_invite(evaluation=evaluation, msps=[acme], by=procurement)
        make_bid(evaluation, "Bayside IT", monthly_fee=Decimal(900))  # entered by hand, before the close
        move_to(evaluation, "collecting_bids")
        (assignment,) = assign(evaluation, evaluator)

        # The owner adds a question of the team's own.
        log_in(page, live_server, procurement.username)
        page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/criteria/")
        page.get_by_role("link", name="Add a question").click()
        page.locator("#id_text").fill(QUESTION)
        page.get_by_label("Category").fill("Security")
        page.get_by_label("Weight").fill("10")
        page.get_by_role("button", name="Add question").click()
        expect(page.get_by_text(f"Question added: “{QUESTION}”.")).to_be_visible()

        # Procurement invites Acme's contact to the bid room.
        page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/candidates/")
        page.get_by_role("button", name="Invite people of Acme Managed IT").click()
        page.get_by_label("Luis Moreno <luis@acme.example>").check()
        page.get_by_role("button", name="Invite to the bid room").click()
        expect(page.get_by_text("Acme Managed IT: 1 person invited to the bid room")).to_be_visible()

        # The email's link: a password, then the bid room.
        msp = new_page(browser)
        msp.goto(_mailed_link(tmp_path))
        expect(msp.get_by_role("heading", name="Welcome to the bid room")).to_be_visible()
        msp.locator("#id_new_password1").fill("a-long-bid-room-passphrase")
        msp.get_by_label("New password confirmation").fill("a-long-bid-room-passphrase")
        msp.get_by_role("button", name="Set password and enter").click()
        expect(msp.get_by_role("heading", name="Bid room")).to_be_visible()

        # The request, then a draft with the terms and the written answer.
        msp.get_by_role("link", name=evaluation.title).click()
        expect(msp.get_by_text(QUESTION)).to_be_visible()
        expect(msp.get_by_text("Employees")).to_be_visible()
        msp.get_by_role("link", name="Write your response").click()
        msp.get_by_label("Pricing model").select_option("flat")
        msp.get_by_label("Monthly fee").fill(SECRET_FEE)
        msp.get_by_label("Contract term (months)").fill("12")
        msp.get_by_label("Guaranteed critical response (minutes)").fill("30")
        msp.get_by_label("Client references we can offer").fill("3")
        for label in (
            "The contract has a performance-based exit clause",
            "We assessed your environment before pricing",
            "We have a documented escalation procedure",
            "We have a documented onboarding procedure",
        ):
            msp.get_by_label(label).check()
        msp.get_by_label(re.compile(re.escape(QUESTION))).fill(ANSWER)
        msp.get_by_role("button", name="Save draft").click()
        expect(msp.get_by_text("Draft saved.")).to_be_visible()

        # A technical and a commercial document.
        for name, envelope in (("proposal.pdf", "Technical (no prices)"), ("prices.pdf", "Commercial (prices)")):
            (tmp_path / name).write_bytes(PDF)
            msp.get_by_role("link", name="Add or remove files").click()
            msp.get_by_label("Kind").select_option("proposal")
            msp.get_by_label(envelope).check()
            msp.get_by_label("File").set_input_files(str(tmp_path / name))
            msp.get_by_role("button", name="Add to my draft").click()
            expect(msp.get_by_text(f"{name} added to your draft.")).to_be_visible()
            msp.get_by_role("link", name=evaluation.title).click()

        # Submitted: the receipt shows, and is mailed.
        msp.get_by_role("link", name="Continue your response").click()
        msp.get_by_role("button", name="Submit bid").click()
        expect(msp.get_by_text("Your bid is submitted and sealed.")).to_be_visible()
        submission = Submission.objects.get(state="submitted")
        expect(msp.get_by_test_id("receipt")).to_have_text(submission.sha256)
        assert submission.sha256 in "".join(p.read_text() for p in tmp_path.iterdir() if p.suffix == ".log")

        # Nobody at the buyer reads it before the close: pages, history, downloads.
        for person in (procurement, auditor, admin_user):
            reader = new_page(browser)
            log_in(reader, live_server, person.username)
            for address in ("/", "candidates/", "history/", "history.csv", "package.json", "ranking.json"):
                target = address if address == "/" else f"/evaluations/{evaluation.pk}/{address}"
                body = reader.request.get(f"{live_server.url}{target}").text()
                assert SECRET_FEE not in body and ANSWER not in body, (person.username, address)
            reader.context.close()

        # After the close the owner opens the bids.
        clock.move_to(AFTER)
        page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/candidates/")
        page.get_by_role("button", name="Open the sealed bids").click()
        expect(page.get_by_text("1 sealed bid was opened")).to_be_visible()
        bid = Bid.objects.get(msp=acme)
        assert bid.monthly_fee == Decimal(SECRET_FEE) and not bid.entered_late
        page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/bids/{bid.pk}/")
        expect(page.get_by_test_id("arrival")).to_contain_text("Submitted in the bid room by Luis Moreno of Acme")

        # The evaluator scores with Acme's written answer beside the question.
        evaluation = move_to(evaluation, "scoring")
        scorer = new_page(browser)
        log_in(scorer, live_server, evaluator.username)
        scorer.goto(f"{live_server.url}/evaluations/{evaluation.pk}/scorecard/")
        expect(scorer.get_by_test_id("answer").filter(has_text=ANSWER)).to_be_visible()
        score(Assignment.objects.get(pk=assignment.pk), {"Bayside IT": 5, "Acme Managed IT": 2})
        move_to(evaluation, "decision")
        award_leader(evaluation)

        # The MSP reads its own debrief: no rank, no rival, no price percentage.
        msp.goto(f"{live_server.url}/bid-room/")
        msp.get_by_role("link", name=evaluation.title).click()
        msp.get_by_role("link", name="See the outcome").click()
        letter = msp.get_by_test_id("letter")
        expect(letter).to_contain_text("we have chosen another provider")
        expect(letter).not_to_contain_text("Bayside")
        expect(letter).not_to_contain_text("#")
