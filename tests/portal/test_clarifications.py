"""Clarifications: an MSP asks until questions close; the owner publishes the answer to every invited MSP
without naming who asked, numbered in order, or answers privately with the reason; every step is in the
history and the package."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from scoring import services
from scoring.models import Clarification
from tests.conftest import client_for
from tests.portal.test_tender_record import BEFORE, DUE, _bidder
from tests.scoring.factories import load, make_evaluation, make_msp, move_to

QUESTIONS_DUE = dt.date(2027, 1, 12)
QUESTION = "Is the on-site visit per month included in the flat fee?"


@pytest.fixture
def tender(procurement):
    with time_machine.travel(BEFORE, tick=False):
        evaluation = make_evaluation(procurement, bids_due=DUE, questions_due=QUESTIONS_DUE)
        msps = [make_msp("Acme Managed IT"), make_msp("Beacon IT")]
        acme, beacon = services.candidate_invite(evaluation=evaluation, msps=msps, by=procurement)
        evaluation = move_to(evaluation, "collecting_bids")
    return evaluation, acme, beacon, _bidder(acme, "Luis"), _bidder(beacon, "Bea")


def test_a_published_answer_reaches_every_bidder_without_the_askers_name(
    tender, procurement, mailoutbox, django_capture_on_commit_callbacks
):
    evaluation, acme, beacon, luis, bea = tender
    with time_machine.travel(BEFORE, tick=False), django_capture_on_commit_callbacks(execute=True):
        client_for(luis).post(f"/bid-room/{luis.msp_account.invitations.get().pk}/questions/", {"question": QUESTION})
        asked = Clarification.objects.get()
        client_for(procurement).post(
            f"/evaluations/{evaluation.pk}/clarifications/{asked.pk}/answer/",
            {f"c{asked.pk}-answer": "Yes: one visit a month.", f"c{asked.pk}-visibility": "published"},
        )
        page = client_for(bea).get(f"/bid-room/{bea.msp_account.invitations.get().pk}/").content.decode()

    asked.refresh_from_db()
    assert (asked.number, asked.visibility, asked.answered_by) == (1, "published", procurement)
    assert "Clarification 1" in page and QUESTION in page and "Yes: one visit a month." in page
    assert "Acme" not in page and "Luis" not in page
    owner_mail = [m for m in mailoutbox if m.to == [procurement.email]]
    assert owner_mail and "Acme Managed IT" in owner_mail[0].subject  # the buyer's side knows who asked
    answers = [m for m in mailoutbox if "Clarification 1" in m.subject]
    assert sorted(m.to[0] for m in answers) == ["bea@beacon.example", "luis@acme.example"]
    assert all(len(m.to) == 1 for m in answers)
    (to_beacon,) = [m for m in answers if m.to == ["bea@beacon.example"]]
    assert "Acme" not in to_beacon.body and "Luis" not in to_beacon.body


def test_a_private_answer_needs_a_reason_and_reaches_only_the_asker(tender, procurement):
    evaluation, acme, beacon, luis, bea = tender
    with time_machine.travel(BEFORE, tick=False):
        asked = services.clarification_ask(candidate=acme, by=luis, question="Can you review our own contract?")
        with pytest.raises(ValidationError) as refused:
            services.clarification_answer(clarification=asked, by=procurement, answer="Yes.", publish=False)
        services.clarification_answer(clarification=asked, by=procurement, answer="Yes.", publish=False,
                                      reason="It is about Acme's own draft contract.")  # fmt: skip
        theirs = client_for(bea).get(f"/bid-room/{bea.msp_account.invitations.get().pk}/").content.decode()
        mine = client_for(luis).get(f"/bid-room/{luis.msp_account.invitations.get().pk}/").content.decode()

    assert "Say why only this MSP gets the answer" in refused.value.messages[0]
    assert "review our own contract" not in theirs
    assert "review our own contract" in mine and "answered to your company only" in mine
    assert Clarification.objects.get().number is None


def test_questions_close_at_the_end_of_their_day(tender):
    evaluation, acme, _, luis, _ = tender
    with time_machine.travel(dt.datetime(2027, 1, 12, 23, 59, 59, tzinfo=dt.UTC), tick=False):
        services.clarification_ask(candidate=acme, by=luis, question="Last minute?")
    after = dt.datetime(2027, 1, 13, 0, 0, 0, tzinfo=dt.UTC)
    with time_machine.travel(after, tick=False), pytest.raises(ValidationError) as refused:
        services.clarification_ask(candidate=acme, by=luis, question="Too late?")
    assert refused.value.messages == ["Questions closed at the end of Tuesday 12 January 2027."]
    assert Clarification.objects.count() == 1


def test_only_the_owner_answers_and_an_msp_never_reads_the_buyers_list(tender, evaluator, auditor):
    evaluation, acme, _, luis, _ = tender
    with time_machine.travel(BEFORE, tick=False):
        asked = services.clarification_ask(candidate=acme, by=luis, question=QUESTION)
        url = f"/evaluations/{evaluation.pk}/clarifications/"
        assert client_for(auditor).get(url).status_code == 200
        assert client_for(auditor).post(f"{url}{asked.pk}/answer/", {}).status_code == 403
        assert client_for(evaluator).get(url).status_code == 404  # not assigned: outside its scope
        assert client_for(luis).get(url).status_code == 404
    assert not Clarification.objects.get().is_answered


def test_clarifications_travel_in_the_package(tender, procurement):
    evaluation, acme, beacon, luis, bea = tender
    with time_machine.travel(BEFORE, tick=False):
        first = services.clarification_ask(candidate=acme, by=luis, question=QUESTION)
        services.clarification_answer(clarification=first, by=procurement, answer="Yes.", publish=True)
        second = services.clarification_ask(candidate=beacon, by=bea, question="Our own draft?")
        services.clarification_answer(clarification=second, by=procurement, answer="No.", publish=False,
                                      reason="Only Beacon's contract.")  # fmt: skip
        services.clarification_ask(candidate=acme, by=luis, question="Still open?")
    package = services.package_document(evaluation)

    copy = load(procurement, package)

    assert package["clarifications"] == [
        {"vendor": "Acme Managed IT", "question": QUESTION, "answer": "Yes.", "visibility": "published",
         "reason": None, "number": 1},
        {"vendor": "Beacon IT", "question": "Our own draft?", "answer": "No.", "visibility": "private",
         "reason": "Only Beacon's contract.", "number": None},
        {"vendor": "Acme Managed IT", "question": "Still open?", "answer": None, "visibility": None,
         "reason": None, "number": None},
    ]  # fmt: skip
    assert services.package_document(copy)["clarifications"] == package["clarifications"]


def test_a_refused_question_or_answer_keeps_its_words(tender, procurement):
    evaluation, acme, _, luis, _ = tender
    invitation = luis.msp_account.invitations.get()
    with time_machine.travel(BEFORE, tick=False):
        too_long = client_for(luis).post(f"/bid-room/{invitation.pk}/questions/", {"question": "Why? " * 1200})
        asked = services.clarification_ask(candidate=acme, by=luis, question=QUESTION)
        refused = client_for(procurement).post(
            f"/evaluations/{evaluation.pk}/clarifications/{asked.pk}/answer/",
            {f"c{asked.pk}-answer": "Only for Acme: yes.", f"c{asked.pk}-visibility": "private"},
        )

    page = too_long.content.decode()
    assert too_long.status_code == 400 and '<details class="mt-2" open>' in page and "Why? Why?" in page
    assert "at most 5000 characters" in page
    owner = refused.content.decode()
    assert refused.status_code == 400 and "Only for Acme: yes." in owner
    assert "Say why only this MSP gets the answer" in owner
    assert not Clarification.objects.get(pk=asked.pk).is_answered


def test_the_edit_page_says_an_addendum_went_out(tender, procurement):
    evaluation, *_ = tender
    from tests.scoring.factories import evaluation_form_data

    with time_machine.travel(BEFORE, tick=False):
        fresh = type(evaluation).objects.get(pk=evaluation.pk)
        response = client_for(procurement).post(
            f"/evaluations/{evaluation.pk}/edit/",
            evaluation_form_data(fresh, bids_due="2027-01-22", reason="More time for everyone."),
            follow=True,
        )

    assert "Evaluation saved. Addendum 1 went to every invited MSP." in response.content.decode()
