"""Races in the bid room, with real concurrency (threads and row locks, PostgreSQL): two people of one MSP
submitting at the same moment, and a submission racing the close, each land once or not at all."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from scoring import services
from scoring.forms.responses import validated
from scoring.models import Submission, TenderEvent
from tests.portal.test_tender_record import BEFORE, DUE, TERMS, _bidder
from tests.scoring.factories import make_evaluation, make_msp, move_to
from tests.test_reliability import POSTGRESQL_ONLY, at_once, reference_rows  # noqa: F401 (a fixture)


def _submit(candidate, person):
    def call():
        try:
            return services.response_submit(candidate=candidate, by=person, check=lambda d: validated(candidate, d))
        except services.BidsClosed as exc:
            return exc
        except Exception as exc:  # the loser's refusal, reported as a value
            return exc

    return call


@pytest.fixture
def drafted(reference_rows, procurement):  # noqa: F811
    with time_machine.travel(BEFORE, tick=False):
        evaluation = make_evaluation(procurement, bids_due=DUE)
        (candidate,) = services.candidate_invite(
            evaluation=evaluation, msps=[make_msp("Acme Managed IT")], by=procurement
        )
        move_to(evaluation, "collecting_bids")
    luis, ana = _bidder(candidate, "Luis"), _bidder(candidate, "Ana")
    with time_machine.travel(BEFORE, tick=False):
        services.response_save(candidate=candidate, by=luis, form_data=TERMS, answers={})
    return candidate, luis, ana


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
def test_two_people_of_one_msp_submitting_at_once_submit_it_once(drafted):
    candidate, luis, ana = drafted

    with time_machine.travel(BEFORE, tick=True):
        results = at_once([_submit(candidate, luis), _submit(candidate, ana)])

    assert sum(isinstance(r, Submission) for r in results) == 1
    (refused,) = [r for r in results if not isinstance(r, Submission)]
    assert "no draft to submit" in str(refused)
    assert Submission.objects.filter(candidate=candidate, state="submitted").count() == 1
    assert TenderEvent.objects.filter(candidate=candidate, kind="submitted").count() == 1


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
def test_a_submission_after_the_close_is_refused_however_close_the_race(drafted):
    candidate, luis, _ = drafted

    with time_machine.travel(dt.datetime(2027, 1, 16, 0, 0, 0, tzinfo=dt.UTC), tick=False):
        (result,) = at_once([_submit(candidate, luis)])

    assert isinstance(result, services.BidsClosed)
    assert not Submission.objects.filter(candidate=candidate, state="submitted").exists()
    assert TenderEvent.objects.filter(candidate=candidate, kind="refused_late").count() == 1
