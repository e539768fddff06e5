"""Talking to bidders on the record, in a browser: MSP A asks a question; the owner publishes the answer;
MSP B reads it without A's name; the owner moves the deadline, an addendum; both MSPs get their own mail;
A, who had submitted, withdraws and resubmits."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from playwright.sync_api import expect

from scoring import services
from scoring.models import Addendum, Submission
from tests.browser.test_registry_journey import log_in
from tests.conftest import PASSWORD
from tests.portal.test_tender_record import TERMS, _bidder
from tests.scoring.factories import make_evaluation, make_msp, move_to

DUE = dt.date(2027, 1, 15)
BEFORE = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)
QUESTION = "Does the flat fee include one on-site visit a month?"


def new_page(browser):
    return browser.new_context(viewport={"width": 1280, "height": 900}).new_page()


def sign_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Bid room")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_every_bidder_gets_the_same_answers_and_changes(page, browser, live_server, procurement, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(BEFORE, tick=True) as clock:
        evaluation = make_evaluation(procurement, bids_due=DUE)
        acme, beacon = services.candidate_invite(
            evaluation=evaluation, msps=[make_msp("Acme Managed IT"), make_msp("Beacon IT")], by=procurement
        )
        move_to(evaluation, "collecting_bids")
        luis, bea = _bidder(acme, "Luis"), _bidder(beacon, "Bea")
        for person in (luis, bea):
            person.set_password(PASSWORD)
            person.save()
        services.response_save(candidate=acme, by=luis, form_data=TERMS, answers={})

        # MSP A submits, then asks a question.
        a = new_page(browser)
        sign_in(a, live_server, luis)
        a.get_by_role("link", name=evaluation.title).click()
        a.get_by_role("link", name="Continue your response").click()
        a.get_by_role("button", name="Submit bid").click()
        expect(a.get_by_text("Your bid is submitted and sealed.")).to_be_visible()
        a.get_by_text("Ask a question").click()
        a.get_by_label("Your question").fill(QUESTION)
        a.get_by_role("button", name="Send the question").click()
        expect(a.get_by_text("Question sent to the buyer.")).to_be_visible()

        # The owner publishes the answer.
        clock.shift(dt.timedelta(minutes=30))
        log_in(page, live_server, procurement.username)
        page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/candidates/")
        page.get_by_role("link", name="Questions from the bid room").click()
        expect(page.get_by_text("Asked by Luis of Acme Managed IT")).to_be_visible()
        page.get_by_label("Your answer").fill("Yes: one visit a month is included.")
        page.get_by_role("button", name="Send the answer").click()
        expect(page.get_by_text("Answered; every invited MSP is told by email.")).to_be_visible()

        # MSP B reads it, without A's name.
        b = new_page(browser)
        sign_in(b, live_server, bea)
        b.get_by_role("link", name=evaluation.title).click()
        clarification = b.get_by_test_id("clarification")
        expect(clarification).to_contain_text(QUESTION)
        expect(clarification).to_contain_text("Yes: one visit a month is included.")
        expect(b.locator("main")).not_to_contain_text("Acme")
        expect(b.locator("main")).not_to_contain_text("Luis")

        # The owner moves the deadline: an addendum, mailed to each person alone.
        clock.shift(dt.timedelta(minutes=30))
        mail.outbox.clear()
        page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/edit/")
        page.get_by_label("Bids due").fill("2027-01-22")
        page.get_by_label("Why it changes").fill("Two bidders asked for more time.")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Evaluation saved.")).to_be_visible()
        assert Addendum.objects.get().number == 1
        addressed = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Addendum 1"))
        assert addressed == ["bea@beacon.example", "luis@acme.example"]

        # A reads it, is told its bid may need changing, withdraws and resubmits.
        a.reload()
        addendum = a.get_by_test_id("addendum")
        expect(addendum).to_contain_text("the day bids are due: 15 Jan 2027 → 22 Jan 2027")
        expect(addendum).to_contain_text("Your bid was submitted before this addendum")
        a.get_by_role("button", name="We have read addendum 1").click()
        expect(a.get_by_text("Your company has read it.")).to_be_visible()
        a.get_by_text("Withdraw to change it").click()
        a.get_by_role("button", name="Withdraw my bid").click()
        a.get_by_role("link", name="Continue your response").click()
        a.get_by_label("Monthly fee").fill("1900")
        a.get_by_role("button", name="Submit bid").click()
        expect(a.get_by_text("Your bid is submitted and sealed.")).to_be_visible()

    versions = list(Submission.objects.filter(candidate=acme).order_by("pk").values_list("state", flat=True))
    assert versions == ["withdrawn", "submitted"]
    assert Submission.objects.get(candidate=acme, state="submitted").form_data["monthly_fee"] == ["1900"]
