"""Reminders to the bid room's people, with the existing rules engine: bids due in N days and not yet
submitted, questions closing tomorrow; each recorded once; and the owner's "bids missing" does not count a
sealed bid as missing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import TestCase

from notifications import reminders
from notifications.models import Reminder
from scoring import services
from tests.portal.test_tender_record import _bidder, _submit
from tests.scoring.factories import make_evaluation, make_msp, move_to

TODAY = dt.date(2027, 1, 10)
BEFORE = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)


def sweep(day=TODAY):
    with TestCase.captureOnCommitCallbacks(execute=True), time_machine.travel(BEFORE, tick=False):
        return reminders.sweep(day)


@pytest.fixture
def tender(procurement):
    with time_machine.travel(BEFORE, tick=False):
        # Bids due in 5 days (the default schedule reminds 5 days ahead); questions close tomorrow.
        evaluation = make_evaluation(procurement, bids_due=dt.date(2027, 1, 15), questions_due=dt.date(2027, 1, 11))
        msps = [make_msp("Acme Managed IT"), make_msp("Beacon IT")]
        acme, beacon = services.candidate_invite(evaluation=evaluation, msps=msps, by=procurement)
        evaluation = move_to(evaluation, "collecting_bids")
    mail.outbox.clear()
    return evaluation, acme, beacon


def test_only_the_msp_that_has_not_submitted_is_reminded_and_only_once(tender, procurement):
    evaluation, acme, beacon = tender
    luis, bea = _bidder(acme, "Luis"), _bidder(beacon, "Bea")
    _submit(acme, luis)  # Acme's bid is in, sealed

    first = sweep()
    again = sweep()

    due = [r for r in first.recorded if r.rule == "bid-room-due"]
    assert [(r.recipient, r.period) for r in due] == [(bea, "bids-due-2027-01-15")]
    assert not [r for r in again.recorded if r.rule == "bid-room-due"]
    (email,) = [m for m in mail.outbox if "close in 5 days" in m.subject]
    assert email.to == ["bea@beacon.example"]
    assert f"/bid-room/{bea.msp_account.invitations.get().pk}/" in email.body
    assert "/notifications/preferences/" not in email.body  # a page the bid room's people can't open
    # The owner's reminder counts Acme's sealed bid as in: only Beacon is missing.
    (owner,) = Reminder.objects.filter(rule="bids-missing")
    assert owner.recipient == procurement and "Beacon IT" in owner.body and "Acme" not in owner.body


def test_everyone_still_invited_hears_that_questions_close_tomorrow(tender):
    evaluation, acme, beacon = tender
    luis, bea = _bidder(acme, "Luis"), _bidder(beacon, "Bea")
    with time_machine.travel(BEFORE, tick=False):
        services.invitation_decline(candidate=beacon, by=bea, reason="Fully booked.")

    result = sweep()

    closing = [r for r in result.recorded if r.rule == "questions-closing"]
    assert [(r.recipient, r.period) for r in closing] == [(luis, "questions-due-2027-01-11")]
    assert not [r for r in sweep().recorded if r.rule == "questions-closing"]
