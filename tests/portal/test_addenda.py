"""Addenda: once MSPs are invited, a change to the request is a numbered addendum with what changed and
why, mailed to each of their people; an MSP that submitted before it is told its bid may need resubmitting;
the owner sees who has read it. A deadline moves for everyone at once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from scoring import services
from scoring.models import Acknowledgement, Addendum, Evaluation
from tests.conftest import client_for
from tests.portal.test_tender_record import BEFORE, DUE, _bidder, _submit
from tests.scoring.factories import make_evaluation, make_msp, move_to

LATER = BEFORE + dt.timedelta(hours=2)  # after the bids submitted at BEFORE


@pytest.fixture
def tender(procurement):
    with time_machine.travel(BEFORE, tick=False):
        evaluation = make_evaluation(procurement, bids_due=DUE)
        msps = [make_msp("Acme Managed IT"), make_msp("Beacon IT")]
        acme, beacon = services.candidate_invite(evaluation=evaluation, msps=msps, by=procurement)
        evaluation = move_to(evaluation, "collecting_bids")
    return evaluation, acme, beacon, _bidder(acme, "Luis"), _bidder(beacon, "Bea")


def _edit(evaluation: Evaluation, **fields) -> Evaluation:
    fresh = Evaluation.objects.get(pk=evaluation.pk)
    return services.evaluation_update(evaluation=fresh, expected_version=fresh.version, **fields)


def test_moving_the_deadline_needs_a_reason_and_reaches_every_bidder_at_once(
    tender, procurement, mailoutbox, django_capture_on_commit_callbacks
):
    evaluation, acme, beacon, luis, bea = tender
    _submit(acme, luis)  # Acme submitted before the change
    mailoutbox.clear()
    later = dt.date(2027, 1, 22)

    with time_machine.travel(LATER, tick=False):
        with pytest.raises(ValidationError) as refused:
            _edit(evaluation, bids_due=later)
        with django_capture_on_commit_callbacks(execute=True):
            _edit(evaluation, bids_due=later, reason="Two bidders asked for more time.")

    assert refused.value.message_dict["reason"] == [
        "This changes the request the invited MSPs read (the day bids are due: 15 Jan 2027 → 22 Jan 2027; "
        "questions, with no day of their own, close with the bids: 22 Jan 2027): say why; each is sent an addendum."
    ]
    addendum = Addendum.objects.get()
    assert (addendum.number, addendum.reason) == (1, "Two bidders asked for more time.")
    assert addendum.what == (
        "the day bids are due: 15 Jan 2027 → 22 Jan 2027; questions, with no day of their own, close with the bids: "
        "22 Jan 2027"
    )
    assert Evaluation.objects.get(pk=evaluation.pk).bids_due == later
    mails = {m.to[0]: m for m in mailoutbox if m.subject.startswith("Addendum 1")}
    assert set(mails) == {"luis@acme.example", "bea@beacon.example"}
    assert "submitted its bid before this addendum" in mails["luis@acme.example"].body
    assert "submitted its bid before this addendum" not in mails["bea@beacon.example"].body


def test_a_question_added_is_an_addendum_too(tender, procurement):
    evaluation, *_ = tender
    with time_machine.travel(BEFORE, tick=False):
        services.question_add(evaluation=evaluation, text="Do you work weekends?", category="Service",
                              applies_to="all", weight=5, reason="We open on Saturdays from March.")  # fmt: skip
    assert Addendum.objects.get().what == "a question added: “Do you work weekends?”"


def test_the_msp_reads_it_and_the_owner_sees_who_has(tender, procurement, auditor):
    evaluation, acme, beacon, luis, bea = tender
    _submit(acme, luis)
    with time_machine.travel(LATER, tick=False):
        _edit(evaluation, bids_due=dt.date(2027, 1, 22), reason="More time.")
        invitation = luis.msp_account.invitations.get()
        page = client_for(luis).get(f"/bid-room/{invitation.pk}/").content.decode()
        addendum = Addendum.objects.get()
        client_for(luis).post(f"/bid-room/{invitation.pk}/addenda/{addendum.pk}/read/")
        client_for(luis).post(f"/bid-room/{invitation.pk}/addenda/{addendum.pk}/read/")  # twice: once recorded
        owner = client_for(auditor).get(f"/evaluations/{evaluation.pk}/addenda/").content.decode()

    assert "Addendum 1" in page and "Your bid was submitted before this addendum" in page
    assert Acknowledgement.objects.filter(addendum=addendum).count() == 1
    assert "Read by: Acme Managed IT (Luis, 10 Jan 11:00)" in owner and "not yet read by: Beacon IT" in owner


def test_before_anyone_is_invited_a_change_is_no_addendum(procurement):
    with time_machine.travel(BEFORE, tick=False):
        evaluation = make_evaluation(procurement, bids_due=DUE)
        _edit(evaluation, bids_due=dt.date(2027, 1, 22))
    assert not Addendum.objects.exists()


def test_the_owner_issues_one_by_hand(tender, procurement, mailoutbox, django_capture_on_commit_callbacks):
    evaluation, *_ = tender
    with time_machine.travel(BEFORE, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client_for(procurement).post(
            f"/evaluations/{evaluation.pk}/addenda/",
            {"what": "A site visit on 3 May, 10:00.", "reason": "Bidders asked to see the server room."},
        )
    assert response.status_code == 302
    assert Addendum.objects.get().what == "A site visit on 3 May, 10:00."
    assert len([m for m in mailoutbox if m.subject.startswith("Addendum 1")]) == 2


def test_the_owner_reaches_questions_and_addenda_from_the_dashboard(tender, procurement):
    evaluation, *_ = tender
    page = client_for(procurement).get(f"/evaluations/{evaluation.pk}/").content.decode()
    assert f'href="/evaluations/{evaluation.pk}/clarifications/"' in page
    assert f'href="/evaluations/{evaluation.pk}/addenda/"' in page
