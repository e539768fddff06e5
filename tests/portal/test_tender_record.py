"""The tender on the record: files in their envelopes sealed with the response and carried to the bid at
opening, the steps in the history without the content, scoring refused while bids are sealed, declining,
deactivation, the MSP's own outcome (no rank, no rival count, no price percentage), and the written
answers in the package."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import MSP as MSP_ROLE
from scoring import services
from scoring.forms.responses import validated
from scoring.models import BidAnswer, BidDocument, Candidate, Evaluation, Submission
from scoring.package import PackageError, loading, loads, parse_package
from tests.conftest import client_for, make_user
from tests.scoring.factories import assign, load, make_evaluation, make_msp, move_to, package_bid, questions, score
from vendors import services as vendor_services
from vendors.models import MspAccount

DUE = dt.date(2027, 1, 15)
BEFORE = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)
AFTER = dt.datetime(2027, 1, 16, 9, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
TERMS = {
    "model": ["fully_managed"], "pricing_model": ["flat"], "monthly_fee": ["2000"], "onboarding_fee": ["0"],
    "retained_internal_cost": ["0"], "contract_term_months": ["12"], "critical_response_minutes": ["30"],
    "references_offered": ["3"], "environment_assessed": ["on"], "documented_escalation": ["on"],
    "documented_onboarding": ["on"], "performance_exit_clause": ["on"],
}  # fmt: skip


def _bidder(candidate: Candidate, name: str) -> User:
    """One of the candidate MSP's people, invited to the bid room."""
    email = f"{name.lower()}@{candidate.msp.name.split()[0].lower()}.example"
    contact = vendor_services.contact_create(msp=candidate.msp, name=name, email=email)
    with time_machine.travel(BEFORE, tick=False):
        services.bid_room_invite(candidate=candidate, contacts=[contact], by=candidate.evaluation.owner)
    return MspAccount.objects.get(contact=contact).user


def _submit(candidate: Candidate, person: User, **terms: str) -> Submission:
    answers = {questions(candidate.evaluation)[0].key: f"{candidate.msp.name} answers in writing."}
    with time_machine.travel(BEFORE, tick=False):
        services.response_save(
            candidate=candidate, by=person, form_data={**TERMS, **{k: [v] for k, v in terms.items()}}, answers=answers
        )
        return services.response_submit(candidate=candidate, by=person, check=lambda d: validated(candidate, d))


@pytest.fixture
def tender(procurement):
    with time_machine.travel(BEFORE, tick=False):
        evaluation = make_evaluation(procurement, bids_due=DUE)
        msps = [make_msp("Acme Managed IT"), make_msp("Beacon IT")]
        acme, beacon = services.candidate_invite(evaluation=evaluation, msps=msps, by=procurement)
        evaluation = move_to(evaluation, "collecting_bids")
    return evaluation, acme, beacon


def test_files_go_in_sealed_with_the_response_and_become_the_bids_at_opening(tender, procurement):
    evaluation, acme, _ = tender
    luis = _bidder(acme, "Luis")
    with time_machine.travel(BEFORE, tick=False):
        for name, envelope in (("proposal.pdf", "technical"), ("prices.pdf", "commercial")):
            services.response_document_add(
                candidate=acme, by=luis, kind="proposal", envelope=envelope,
                upload=SimpleUploadedFile(name, PDF, "application/pdf"),
            )  # fmt: skip
    submission = _submit(acme, luis)
    assert not BidDocument.objects.exists()  # sealed: no bid document before opening

    with time_machine.travel(AFTER, tick=False):
        services.bids_open(evaluation=evaluation, by=procurement, terms_of=lambda s: validated(s.candidate, s).terms())

    bid = Submission.objects.get(pk=submission.pk).bid
    documents = {d.name: d for d in BidDocument.objects.filter(bid=bid)}
    assert {n: d.envelope for n, d in documents.items()} == {"proposal.pdf": "technical", "prices.pdf": "commercial"}
    assert {d.sha256 for d in documents.values()} == {hashlib.sha256(PDF).hexdigest()}
    assert all(d.uploaded_by == luis for d in documents.values())
    assert documents["proposal.pdf"].file.open("rb").read() == PDF


def test_an_upload_that_is_not_an_accepted_file_is_refused_and_nothing_is_written(tender):
    _, acme, _ = tender
    luis = _bidder(acme, "Luis")
    with time_machine.travel(BEFORE, tick=False), pytest.raises(ValidationError) as refused:
        services.response_document_add(
            candidate=acme, by=luis, kind="proposal", envelope="technical",
            upload=SimpleUploadedFile("run.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
        )  # fmt: skip
    assert "Upload a PDF" in str(refused.value)
    assert not Submission.objects.exists()


def test_the_history_shows_each_step_with_its_digest_and_never_the_content(tender, procurement, auditor):
    evaluation, acme, _ = tender
    submission = _submit(acme, _bidder(acme, "Luis"), monthly_fee="7777.77")

    for address in (f"/evaluations/{evaluation.pk}/history/", f"/evaluations/{evaluation.pk}/history.csv"):
        body = client_for(auditor).get(address).content.decode()
        assert submission.sha256 in body
        assert "7777" not in body and "answers in writing" not in body


def test_scoring_can_not_start_while_a_bid_is_sealed(tender, procurement):
    evaluation, acme, _ = tender
    _submit(acme, _bidder(acme, "Luis"))

    with time_machine.travel(AFTER, tick=False), pytest.raises(ValidationError) as refused:
        services.evaluation_transition(evaluation=evaluation, to="scoring")

    assert "1 sealed bid is waiting in the bid room" in refused.value.messages[0]
    assert Evaluation.objects.get(pk=evaluation.pk).status == "collecting_bids"


def test_a_bid_entered_by_hand_after_the_close_needs_a_reason_and_is_late(tender, procurement):
    evaluation, _, beacon = tender
    with time_machine.travel(AFTER, tick=False), pytest.raises(ValidationError):
        services.bid_create(evaluation=evaluation, msp=beacon.msp, model="fully_managed", pricing_model="flat",
                            monthly_fee=Decimal(900), contract_term_months=12, critical_response_minutes=30)  # fmt: skip
    with time_machine.travel(AFTER, tick=False):
        bid = services.bid_create(evaluation=evaluation, msp=beacon.msp, model="fully_managed", pricing_model="flat",
                                  monthly_fee=Decimal(900), contract_term_months=12, critical_response_minutes=30,
                                  reason="Beacon sent its bid on paper.")  # fmt: skip
    assert bid.entered_late


def test_declining_needs_a_reason_and_sets_the_candidates_status(tender):
    _, acme, _ = tender
    luis = _bidder(acme, "Luis")
    invitation = luis.msp_account.invitations.get()

    with time_machine.travel(BEFORE, tick=False):
        browser = client_for(luis)  # signed in on the day (a session is good for two weeks)
        browser.post(f"/bid-room/{invitation.pk}/decline/", {"reason": ""})
        assert Candidate.objects.get(pk=acme.pk).is_invited
        browser.post(f"/bid-room/{invitation.pk}/decline/", {"reason": "Fully booked until June."})

    candidate = Candidate.objects.get(pk=acme.pk)
    assert (candidate.status, candidate.note) == ("declined", "Fully booked until June.")
    assert candidate.history.order_by("-history_id").first().history_user == luis


def test_a_deactivated_msp_user_sees_no_invitation(tender):
    _, acme, _ = tender
    luis = _bidder(acme, "Luis")
    invitation = luis.msp_account.invitations.get()
    browser = client_for(luis)
    User.objects.filter(pk=luis.pk).update(is_active=False)

    assert browser.get(f"/bid-room/{invitation.pk}/").status_code in (302, 404)


def test_the_msp_reads_its_own_outcome_with_no_rank_no_count_and_no_price(tender, procurement, evaluator):
    evaluation, acme, beacon = tender
    luis, bea = _bidder(acme, "Luis"), _bidder(beacon, "Bea")
    _submit(acme, luis, monthly_fee="1000")
    _submit(beacon, bea, monthly_fee="3000")
    with time_machine.travel(AFTER, tick=False):
        services.bids_open(evaluation=evaluation, by=procurement, terms_of=lambda s: validated(s.candidate, s).terms())
        (assignment,) = assign(evaluation, evaluator)
        evaluation = move_to(evaluation, "scoring")
        score(assignment, {"Acme Managed IT": 5, "Beacon IT": 3})
        move_to(evaluation, "decision", "awarded")

    # Beacon, not chosen: every library question scored 3 of 5 (60 %), shown by area; its price
    # percentage (1000 / 3000 = 33.3 %) would give away Acme's TCO, and is never shown.
    page = client_for(bea).get(f"/bid-room/{bea.msp_account.invitations.get().pk}/outcome/").content.decode()
    assert "we have chosen another provider" in page
    assert "60.0 %" in page
    assert "33.3" not in page and "Cost" not in page
    assert "#2" not in page and " of 2" not in page and "Acme" not in page
    won = client_for(luis).get(f"/bid-room/{luis.msp_account.invitations.get().pk}/outcome/").content.decode()
    assert "selected your bid" in won
    letter = client_for(bea).get(f"/bid-room/{bea.msp_account.invitations.get().pk}/outcome/letter.html")
    assert letter["Content-Disposition"] == 'attachment; filename="debrief-managed-it-services-2027.html"'
    assert "60.0 %" in letter.content.decode() and "33.3" not in letter.content.decode()


def _package_with_answers(evaluation: Evaluation, answers: dict) -> dict:
    package = services.package_document(evaluation)
    package["bids"] = [{**package_bid("Acme Managed IT"), "answers": answers}]
    return package


def test_written_answers_travel_in_the_package(procurement):
    evaluation = make_evaluation(procurement)
    first = questions(evaluation)[0]

    copy = load(procurement, _package_with_answers(evaluation, {first.key: "We restore within four hours."}))

    (answer,) = BidAnswer.objects.filter(bid__evaluation=copy)
    assert (answer.criterion.key, answer.text) == (first.key, "We restore within four hours.")
    assert services.package_document(copy)["bids"][0]["answers"] == {first.key: "We restore within four hours."}


@pytest.mark.parametrize(
    ("answers", "path", "message"),
    [
        ({"no-such-question": "x"}, "bids[0].answers.no-such-question", "unknown key"),
        ({"QUESTION": "x" * 20_001}, "bids[0].answers.QUESTION", "at most 20000 characters"),
        ({"QUESTION": 42}, "bids[0].answers.QUESTION", "must be a string"),
        ({"price": "x"}, "bids[0].answers.price", "unknown key"),
    ],
)
def test_bad_answers_in_a_package_are_refused_with_their_path(procurement, answers, path, message):
    evaluation = make_evaluation(procurement)
    key = questions(evaluation)[0].key
    package = _package_with_answers(evaluation, {k.replace("QUESTION", key): v for k, v in answers.items()})

    with pytest.raises(PackageError) as refused:
        parse_package(loads(json.dumps(package)))

    expected = path.replace("QUESTION", key)
    assert any(e.startswith(expected) and message in e for e in refused.value.errors), refused.value.errors


def test_a_package_evaluator_who_is_an_msp_user_is_refused(procurement):
    person = make_user("bidder")
    person.groups.add(Group.objects.get(name=MSP_ROLE))
    package = services.package_document(make_evaluation(procurement))
    package["evaluators"] = [{"username": "bidder"}]
    count = Evaluation.objects.count()

    with pytest.raises(PackageError) as refused:
        parse_package(loads(json.dumps(package)), vet=lambda found: loading.package_problems(found, door="web"))

    assert refused.value.errors == [
        "evaluators[0].username: bidder signs in for a bidding MSP: the MSPs' people never score"
    ]
    assert Evaluation.objects.count() == count


def test_no_bid_is_recorded_by_hand_for_an_msp_whose_sealed_bid_waits(tender, procurement):
    evaluation, acme, _ = tender
    _submit(acme, _bidder(acme, "Luis"))

    with time_machine.travel(BEFORE, tick=False):
        with pytest.raises(ValidationError) as refused:
            services.bid_create(evaluation=evaluation, msp=acme.msp, model="fully_managed", pricing_model="flat",
                                monthly_fee=Decimal(900), contract_term_months=12, critical_response_minutes=30)  # fmt: skip
        page = client_for(procurement).get(f"/evaluations/{evaluation.pk}/bids/new/").content.decode()

    assert refused.value.message_dict["msp"] == [
        "Acme Managed IT has a sealed bid in the bid room: it becomes its bid when the bids are opened."
    ]
    assert f'value="{acme.msp_id}"' not in page  # not offered on the bid form either
    assert not evaluation.bids.exists()


def test_an_opening_that_can_not_make_a_bid_says_why_and_opens_nothing(tender, procurement):
    evaluation, acme, beacon = tender
    _submit(acme, _bidder(acme, "Luis"))
    _submit(beacon, _bidder(beacon, "Bea"))
    # Since it was submitted, the request changed under Beacon's bid: the model it offered is no longer compared.
    Evaluation.objects.filter(pk=evaluation.pk).update(model="co_managed")

    with time_machine.travel(AFTER, tick=False):
        response = client_for(procurement).post(f"/evaluations/{evaluation.pk}/bids/open/", follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "The bids were not opened" in page and "Acme Managed IT:" in page
    assert not evaluation.bids.exists() and not Submission.objects.filter(bid__isnull=False).exists()


def test_inviting_someone_invited_already_invites_nobody_twice(tender, procurement, mailoutbox):
    evaluation, acme, _ = tender
    luis = _bidder(acme, "Luis")
    url = f"/evaluations/{evaluation.pk}/candidates/{acme.pk}/bid-room/"

    with time_machine.travel(BEFORE, tick=False):
        client = client_for(procurement)
        response = client.post(url, {f"bid-room-{acme.pk}-contacts": [luis.msp_account.contact_id]}, follow=True)

    assert "everyone chosen was invited already" in response.content.decode()
    assert luis.msp_account.invitations.count() == 1


def test_an_msp_downloads_its_own_files_and_no_one_elses(tender):
    _, acme, beacon = tender
    luis, bea = _bidder(acme, "Luis"), _bidder(beacon, "Bea")
    with time_machine.travel(BEFORE, tick=False):
        mine = services.response_document_add(
            candidate=acme, by=luis, kind="proposal", envelope="technical",
            upload=SimpleUploadedFile("proposal.pdf", PDF, "application/pdf"),
        )  # fmt: skip
        luis_client, bea_client = client_for(luis), client_for(bea)
    luis_invitation, bea_invitation = luis.msp_account.invitations.get(), bea.msp_account.invitations.get()

    own = luis_client.get(f"/bid-room/{luis_invitation.pk}/documents/{mine.pk}/")
    theirs = bea_client.get(f"/bid-room/{bea_invitation.pk}/documents/{mine.pk}/")
    through_theirs = luis_client.get(f"/bid-room/{bea_invitation.pk}/documents/{mine.pk}/")

    assert own.status_code == 200 and b"".join(own.streaming_content) == PDF
    assert theirs.status_code == 404 and through_theirs.status_code == 404


def test_the_receipt_can_not_be_matched_against_guessed_prices(tender):
    # The same terms submitted twice (withdrawn between) give two different digests: a random nonce is hashed
    # with them, so nobody can hash guessed fees and find the sealed one.
    _, acme, _ = tender
    luis = _bidder(acme, "Luis")
    first = _submit(acme, luis)
    with time_machine.travel(BEFORE, tick=False):
        services.response_withdraw(candidate=acme, by=luis)
    second = _submit(acme, luis)

    assert first.form_data == second.form_data and first.answers == second.answers
    assert first.sha256 != second.sha256 and len(first.nonce) == 64


def test_the_models_compared_can_not_change_under_a_sealed_bid(tender, procurement):
    evaluation, acme, _ = tender
    _submit(acme, _bidder(acme, "Luis"))
    fresh = Evaluation.objects.get(pk=evaluation.pk)

    with time_machine.travel(BEFORE, tick=False), pytest.raises(ValidationError) as refused:
        services.evaluation_update(evaluation=fresh, expected_version=fresh.version, model="co_managed")

    assert "Sealed bids in the bid room answered the request as it is" in refused.value.message_dict["model"][0]
    assert Evaluation.objects.get(pk=evaluation.pk).model == "fully_managed"


def test_the_owner_can_not_set_aside_a_candidate_whose_sealed_bid_waits(tender, procurement):
    evaluation, acme, _ = tender
    _submit(acme, _bidder(acme, "Luis"))

    with time_machine.travel(BEFORE, tick=False), pytest.raises(ValidationError) as refused:
        services.candidate_update(candidate=acme, expected_version=acme.version, status="withdrawn", note="x")

    assert "sealed bid waits in the bid room" in refused.value.message_dict["status"][0]
    assert Candidate.objects.get(pk=acme.pk).is_invited


def test_once_opened_the_bid_room_is_closed_for_good(tender, procurement):
    evaluation, acme, _ = tender
    luis = _bidder(acme, "Luis")
    _submit(acme, luis)
    with time_machine.travel(AFTER, tick=False):
        services.bids_open(evaluation=evaluation, by=procurement, terms_of=lambda s: validated(s.candidate, s).terms())
    # The owner moves the day bids are due later: the room stays closed, the opened bid stays whole.
    fresh = Evaluation.objects.get(pk=evaluation.pk)
    services.evaluation_update(evaluation=fresh, expected_version=fresh.version, bids_due=dt.date(2027, 2, 1))

    with time_machine.travel(AFTER, tick=False), pytest.raises(ValidationError):
        services.response_withdraw(candidate=acme, by=luis)
    assert Submission.objects.get(candidate=acme).state == "submitted"
    assert evaluation.bids.count() == 1


def test_a_nul_in_the_response_is_refused_and_nothing_is_written(tender):
    _, acme, _ = tender
    luis = _bidder(acme, "Luis")
    invitation = luis.msp_account.invitations.get()

    with time_machine.travel(BEFORE, tick=False):
        response = client_for(luis).post(
            f"/bid-room/{invitation.pk}/response/", {"monthly_fee": ["\x00", "100"], "environment_assessed": "on\x00"}
        )

    assert response.status_code == 200
    assert "a character that can&#x27;t be stored" in response.content.decode()
    assert not Submission.objects.exists()


def test_an_msp_reads_its_own_decline_never_the_buyers_note(tender, procurement):
    _, acme, _ = tender
    luis = _bidder(acme, "Luis")
    with time_machine.travel(BEFORE, tick=False):
        services.invitation_decline(candidate=acme, by=luis, reason="Fully booked.")
        Candidate.objects.filter(pk=acme.pk).update(note="Internal: their rival Beacon is cheaper anyway.")
        page = client_for(luis).get(f"/bid-room/{luis.msp_account.invitations.get().pk}/").content.decode()

    assert "Fully booked." in page and "Beacon" not in page
