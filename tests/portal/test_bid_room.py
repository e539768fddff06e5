"""The bid room end to end through its doors: the owner invites an MSP's contact, the invitation's link
sets a password, the MSP drafts and submits a sealed bid with a receipt, withdraws and resubmits, the
close is enforced to the second, nobody at the buyer reads the bid before opening, and the opening turns
it into the evaluation's bid with its written answers."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from scoring import services
from scoring.models import (
    Bid,
    BidAnswer,
    BidOpening,
    Candidate,
    Submission,
    TenderEvent,
)
from tests.conftest import client_for, make_user
from tests.scoring.factories import make_evaluation, make_msp, move_to, questions
from vendors import services as vendor_services

DUE = dt.date(2027, 1, 15)
BEFORE = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)
PRICE_SECRET = "4321.75"
ANSWER_SECRET = "Our restore drill runs every quarter with a signed report."


@pytest.fixture
def tender(procurement):
    """An evaluation collecting bids, due 15 Jan 2027, with Acme a candidate whose contact Luis has an email."""
    with time_machine.travel(BEFORE, tick=False):
        evaluation = make_evaluation(procurement, bids_due=DUE, request_publishes=["employees", "industry"])
        acme = make_msp("Acme Managed IT")
        luis = vendor_services.contact_create(msp=acme, name="Luis Moreno", email="luis@acme.example")
        (candidate,) = services.candidate_invite(evaluation=evaluation, msps=[acme], by=procurement)
        evaluation = move_to(evaluation, "collecting_bids")
    return evaluation, candidate, luis


def _invite(procurement, evaluation, candidate, luis, mailoutbox, capture) -> Client:
    """Procurement invites Luis; he follows his email's link, sets a password and is signed in."""
    with time_machine.travel(BEFORE, tick=False), capture(execute=True):
        response = client_for(procurement).post(
            f"/evaluations/{evaluation.pk}/candidates/{candidate.pk}/bid-room/",
            {f"bid-room-{candidate.pk}-contacts": [luis.pk]},
        )
    assert response.status_code == 302
    (mail,) = [m for m in mailoutbox if m.to == ["luis@acme.example"]]
    link = re.search(r"http://[^\s]+/bid-room/welcome/\S+/", mail.body).group(0)
    browser = Client()
    path = link.split("127.0.0.1:8000")[1]
    with time_machine.travel(BEFORE, tick=False):
        form_page = browser.get(path, follow=True)
        assert "Welcome to the bid room" in form_page.content.decode()
        done = browser.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": "a-long-bid-room-passphrase", "new_password2": "a-long-bid-room-passphrase"},
        )
    assert done.status_code == 302 and done["Location"] == "/bid-room/"
    return browser


def _response_data(evaluation, **overrides) -> dict:
    data = {
        "model": "fully_managed",
        "pricing_model": "flat",
        "monthly_fee": PRICE_SECRET,
        "onboarding_fee": "0",
        "retained_internal_cost": "0",
        "contract_term_months": "12",
        "critical_response_minutes": "30",
        "references_offered": "3",
        "environment_assessed": "on",
        "documented_escalation": "on",
        "documented_onboarding": "on",
        "performance_exit_clause": "on",
    }
    first = questions(evaluation)[0]
    data[f"answer_{first.key}"] = ANSWER_SECRET
    data.update(overrides)
    return data


def test_from_the_invitation_email_to_a_sealed_bid_opened_after_the_close(
    procurement, auditor, admin_user, tender, mailoutbox, django_capture_on_commit_callbacks
):
    evaluation, candidate, luis = tender
    browser = _invite(procurement, evaluation, candidate, luis, mailoutbox, django_capture_on_commit_callbacks)
    user = User.objects.get(email="luis@acme.example")
    assert user.groups.filter(name="MSP").exists() and user.msp_account.msp == candidate.msp
    invitation = user.msp_account.invitations.get()

    # The request shows what the owner published of the buyer: employees and industry, not devices.
    with time_machine.travel(BEFORE, tick=False):
        page = browser.get(f"/bid-room/{invitation.pk}/").content.decode()
    assert evaluation.title in page and "Employees" in page and "Devices" not in page

    # A draft, then the submission with its receipt.
    with time_machine.travel(BEFORE, tick=False), django_capture_on_commit_callbacks(execute=True):
        saved = browser.post(f"/bid-room/{invitation.pk}/response/", _response_data(evaluation))
        assert saved.status_code == 302
        submitted = browser.post(f"/bid-room/{invitation.pk}/response/", {**_response_data(evaluation), "submit": "1"})
    assert submitted.status_code == 302
    submission = Submission.objects.get(candidate=candidate, state="submitted")
    (receipt,) = [m for m in mailoutbox if m.to == ["luis@acme.example"] and "Receipt" in m.subject]
    assert submission.sha256 in receipt.body and len(submission.sha256) == 64
    assert submission.sha256 == services.receipt_digest(submission)
    assert TenderEvent.objects.filter(candidate=candidate, kind="submitted", sha256=submission.sha256).exists()

    # Sealed: no page, history or download of the buyer's side shows the price or the answer.
    for person in (procurement, auditor, admin_user):
        for address in (
            f"/evaluations/{evaluation.pk}/",
            f"/evaluations/{evaluation.pk}/candidates/",
            f"/evaluations/{evaluation.pk}/history/",
            f"/evaluations/{evaluation.pk}/history.csv",
            f"/evaluations/{evaluation.pk}/package.json",
            "/admin/scoring/submission/",
        ):
            body = client_for(person).get(address).content.decode()
            assert PRICE_SECRET not in body and ANSWER_SECRET not in body, (person, address)
    assert not Bid.objects.filter(evaluation=evaluation).exists()

    # The owner can't open before the close; after it, the submission becomes the bid, answers and all.
    with time_machine.travel(dt.datetime(2027, 1, 15, 23, 59, 59, tzinfo=dt.UTC), tick=False):
        early = client_for(procurement).post(f"/evaluations/{evaluation.pk}/bids/open/")
    assert early.status_code == 302 and not BidOpening.objects.exists()
    with time_machine.travel(dt.datetime(2027, 1, 16, 0, 0, 0, tzinfo=dt.UTC), tick=False):
        opened = client_for(procurement).post(f"/evaluations/{evaluation.pk}/bids/open/")
    assert opened.status_code == 302
    bid = Bid.objects.get(evaluation=evaluation)
    assert (bid.msp, bid.monthly_fee, bid.entered_late) == (candidate.msp, Decimal(PRICE_SECRET), False)
    assert BidAnswer.objects.get(bid=bid).text == ANSWER_SECRET
    opening = BidOpening.objects.get(evaluation=evaluation)
    assert opening.opened_by == procurement
    assert opening.opened == [
        {"vendor": "Acme Managed IT", "submitted_at": submission.submitted_at.isoformat(), "sha256": submission.sha256}
    ]
    assert TenderEvent.objects.filter(candidate=candidate, kind="opened").count() == 1


@pytest.mark.parametrize(
    ("moment", "accepted"),
    [
        (dt.datetime(2027, 1, 15, 23, 59, 58, tzinfo=dt.UTC), True),
        (dt.datetime(2027, 1, 15, 23, 59, 59, tzinfo=dt.UTC), True),
        (dt.datetime(2027, 1, 16, 0, 0, 0, tzinfo=dt.UTC), False),
        (dt.datetime(2027, 1, 16, 0, 0, 1, tzinfo=dt.UTC), False),
    ],
)
def test_bids_close_at_235959_on_the_due_day(
    procurement, tender, mailoutbox, django_capture_on_commit_callbacks, moment, accepted
):
    evaluation, candidate, luis = tender
    browser = _invite(procurement, evaluation, candidate, luis, mailoutbox, django_capture_on_commit_callbacks)
    invitation = luis.accounts.get().invitations.get()
    with time_machine.travel(BEFORE, tick=False):
        browser.post(f"/bid-room/{invitation.pk}/response/", _response_data(evaluation))

    with time_machine.travel(moment, tick=False):
        response = browser.post(
            f"/bid-room/{invitation.pk}/response/", {**_response_data(evaluation), "submit": "1"}, follow=True
        )

    assert Submission.objects.filter(candidate=candidate, state="submitted").exists() is accepted
    if not accepted:
        assert "Bids closed at the end of Friday 15 January 2027" in response.content.decode()
        assert TenderEvent.objects.filter(candidate=candidate, kind="refused_late").count() == 1


def test_withdraw_and_resubmit_keeps_every_version(procurement, tender, mailoutbox, django_capture_on_commit_callbacks):
    evaluation, candidate, luis = tender
    browser = _invite(procurement, evaluation, candidate, luis, mailoutbox, django_capture_on_commit_callbacks)
    invitation = luis.accounts.get().invitations.get()
    url = f"/bid-room/{invitation.pk}/response/"
    with time_machine.travel(BEFORE, tick=False):
        browser.post(url, {**_response_data(evaluation), "submit": "1"})
        assert browser.post(f"/bid-room/{invitation.pk}/withdraw/").status_code == 302
        browser.post(url, {**_response_data(evaluation, monthly_fee="4000"), "submit": "1"})

    versions = list(Submission.objects.filter(candidate=candidate).order_by("pk").values_list("state", flat=True))
    assert versions == ["withdrawn", "submitted"]
    first, second = Submission.objects.filter(candidate=candidate).order_by("pk")
    assert first.form_data["monthly_fee"] == [PRICE_SECRET] and second.form_data["monthly_fee"] == ["4000"]
    assert first.sha256 != second.sha256


def test_an_incomplete_bid_is_not_submitted_and_says_what_is_missing(
    procurement, tender, mailoutbox, django_capture_on_commit_callbacks
):
    evaluation, candidate, luis = tender
    browser = _invite(procurement, evaluation, candidate, luis, mailoutbox, django_capture_on_commit_callbacks)
    invitation = luis.accounts.get().invitations.get()
    with time_machine.travel(BEFORE, tick=False):
        response = browser.post(
            f"/bid-room/{invitation.pk}/response/",
            {**_response_data(evaluation), "monthly_fee": "", "submit": "1"},
        )
    assert response.status_code == 200
    assert "Required for this pricing model." in response.content.decode()
    assert not Submission.objects.filter(candidate=candidate, state="submitted").exists()
    assert Submission.objects.get(candidate=candidate).is_draft  # the draft is kept


def test_an_answer_over_the_limit_is_refused_and_nothing_is_written(
    procurement, tender, mailoutbox, django_capture_on_commit_callbacks
):
    evaluation, candidate, luis = tender
    browser = _invite(procurement, evaluation, candidate, luis, mailoutbox, django_capture_on_commit_callbacks)
    invitation = luis.accounts.get().invitations.get()
    first = questions(evaluation)[0]
    with time_machine.travel(BEFORE, tick=False):
        response = browser.post(
            f"/bid-room/{invitation.pk}/response/", _response_data(evaluation, **{f"answer_{first.key}": "x" * 20_001})
        )
    assert response.status_code == 200
    assert "An answer is at most 20,000 characters" in response.content.decode()
    assert not Submission.objects.filter(candidate=candidate).exists()


def test_an_msp_user_reaches_nothing_of_the_buyers_side(
    procurement, tender, mailoutbox, django_capture_on_commit_callbacks
):
    evaluation, candidate, luis = tender
    browser = _invite(procurement, evaluation, candidate, luis, mailoutbox, django_capture_on_commit_callbacks)
    for address in (
        f"/evaluations/{evaluation.pk}/",
        f"/evaluations/{evaluation.pk}/ranking.json",
        f"/evaluations/{evaluation.pk}/package.json",
        "/evaluations/",
        "/vendors/",
        f"/vendors/{candidate.msp_id}/",
        "/notifications/",
        "/admin/",
    ):
        assert browser.get(address).status_code == 404, address
    assert browser.get("/")["Location"] == "/bid-room/"
    assert browser.get("/bid-room/").status_code == 200


def test_a_guessed_invitation_id_is_404(procurement, tender, mailoutbox, django_capture_on_commit_callbacks):
    evaluation, candidate, luis = tender
    browser = _invite(procurement, evaluation, candidate, luis, mailoutbox, django_capture_on_commit_callbacks)
    rival = make_msp("Rival IT")
    rival_contact = vendor_services.contact_create(msp=rival, name="Rita", email="rita@rival.example")
    (rival_candidate,) = services.candidate_invite(evaluation=evaluation, msps=[rival], by=procurement)
    with time_machine.travel(BEFORE, tick=False):
        (theirs,) = services.bid_room_invite(candidate=rival_candidate, contacts=[rival_contact], by=procurement)

    for path in ("", "response/"):
        assert browser.get(f"/bid-room/{theirs.pk}/{path}").status_code == 404
        assert browser.get(f"/bid-room/987654321/{path}").status_code == 404
    assert browser.post(f"/bid-room/{theirs.pk}/decline/", {"reason": "No."}).status_code == 404
    assert Candidate.objects.get(pk=rival_candidate.pk).is_invited
    assert "Rival" not in browser.get("/bid-room/").content.decode()


def test_a_contact_whose_email_is_an_internal_users_is_refused(procurement, tender):
    evaluation, candidate, _ = tender
    make_user("insider", "Evaluator")  # insider@example.com
    contact = vendor_services.contact_create(msp=candidate.msp, name="Insider", email="Insider@example.com")

    with time_machine.travel(BEFORE, tick=False), pytest.raises(Exception) as refused:
        services.bid_room_invite(candidate=candidate, contacts=[contact], by=procurement)

    assert "belongs to a person of the buying company" in str(refused.value)
    assert not User.objects.filter(username="insider@example.com").exists()


def test_an_msp_user_can_never_be_assigned_to_score(
    procurement, tender, mailoutbox, django_capture_on_commit_callbacks
):
    evaluation, candidate, luis = tender
    _invite(procurement, evaluation, candidate, luis, mailoutbox, django_capture_on_commit_callbacks)
    user = User.objects.get(email="luis@acme.example")

    with pytest.raises(Exception) as refused:
        services.evaluators_add(evaluation=evaluation, users=[user])

    assert "the MSPs' people never score" in str(refused.value)


def test_an_expired_link_offers_a_new_one(procurement, tender, mailoutbox, django_capture_on_commit_callbacks):
    evaluation, candidate, luis = tender
    with time_machine.travel(BEFORE, tick=False), django_capture_on_commit_callbacks(execute=True):
        services.bid_room_invite(candidate=candidate, contacts=[luis], by=procurement)
    (mail,) = mailoutbox
    path = re.search(r"/bid-room/welcome/\S+/", mail.body).group(0)

    with time_machine.travel(BEFORE + dt.timedelta(days=10), tick=False):
        page = Client().get(path, follow=True).content.decode()
        assert "This link no longer works" in page
        with django_capture_on_commit_callbacks(execute=True):
            Client().post("/bid-room/welcome/new-link/", {"email": "LUIS@acme.example"})
    assert len(mailoutbox) == 2 and "/bid-room/welcome/" in mailoutbox[1].body
    assert hashlib.sha256(mailoutbox[1].body.encode()).hexdigest() != hashlib.sha256(mail.body.encode()).hexdigest()


def test_a_used_link_no_longer_works(procurement, tender, mailoutbox, django_capture_on_commit_callbacks):
    evaluation, candidate, luis = tender
    _invite(procurement, evaluation, candidate, luis, mailoutbox, django_capture_on_commit_callbacks)
    (mail,) = [m for m in mailoutbox if m.to == ["luis@acme.example"]]
    path = re.search(r"/bid-room/welcome/\S+/", mail.body).group(0)

    with time_machine.travel(BEFORE, tick=False):
        page = Client().get(path, follow=True).content.decode()

    assert "This link no longer works" in page


def test_a_second_submission_finds_the_first_and_writes_nothing(
    procurement, tender, mailoutbox, django_capture_on_commit_callbacks
):
    evaluation, candidate, luis = tender
    browser = _invite(procurement, evaluation, candidate, luis, mailoutbox, django_capture_on_commit_callbacks)
    invitation = luis.accounts.get().invitations.get()
    url = f"/bid-room/{invitation.pk}/response/"
    with time_machine.travel(BEFORE, tick=False):
        browser.post(url, {**_response_data(evaluation), "submit": "1"})
        again = browser.post(url, {**_response_data(evaluation, monthly_fee="1"), "submit": "1"}, follow=True)

    assert again.redirect_chain == [(f"/bid-room/{invitation.pk}/", 302)]
    assert "Your bid is submitted: withdraw it to change it." in again.content.decode()
    (only,) = Submission.objects.filter(candidate=candidate)
    assert only.state == "submitted" and only.form_data["monthly_fee"] == [PRICE_SECRET]
    assert TenderEvent.objects.filter(candidate=candidate, kind="submitted").count() == 1


def test_the_msp_reads_back_what_it_submitted(procurement, tender, mailoutbox, django_capture_on_commit_callbacks):
    evaluation, candidate, luis = tender
    browser = _invite(procurement, evaluation, candidate, luis, mailoutbox, django_capture_on_commit_callbacks)
    invitation = luis.accounts.get().invitations.get()
    with time_machine.travel(BEFORE, tick=False):
        browser.post(f"/bid-room/{invitation.pk}/response/", {**_response_data(evaluation), "submit": "1"})
        page = browser.get(f"/bid-room/{invitation.pk}/").content.decode()
        form = browser.get(f"/bid-room/{invitation.pk}/response/", follow=True)

    assert "What you submitted" in page and "4,321.75" in page and ANSWER_SECRET in page
    assert "Retained internal IT cost" not in page  # the buyer's own cost is never asked of a bidder
    assert form.redirect_chain[-1][0] == f"/bid-room/{invitation.pk}/"  # a submitted bid has no form to fill
    assert "withdraw it to change it" in form.content.decode()
