"""The demo command: DEBUG only, fills an empty database once, attributes its history."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import override_settings

from scoring.models import Organization
from vendors.models import MSP, ClientReference, Contact

DEMO_PASSWORD = "x-demo-pass-1"


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", password=DEMO_PASSWORD, stdout=out, **options)
    return out.getvalue()


def test_it_refuses_to_run_without_debug(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        seed()

    assert User.objects.count() == 0
    assert MSP.objects.count() == 0
    assert Organization.objects.count() == 0


@override_settings(DEBUG=True)
def test_it_fills_an_empty_database(db):
    output = seed()

    assert MSP.objects.count() == 12
    assert MSP.objects.filter(archived_at__isnull=True).count() == 12
    assert Organization.objects.get().name == "Harbor Dental Group"
    assert Contact.objects.count() == 13
    assert ClientReference.objects.count() == 22
    assert "Demo loaded" in output


@override_settings(DEBUG=True)
def test_it_creates_one_user_per_role_and_an_admin(db):
    seed()

    assert sorted(User.objects.filter(msp_account__isnull=True).values_list("username", flat=True)) == [
        "admin",
        "auditor",
        "evaluator",
        "evaluator2",
        "evaluator3",
        "executive",
        "procurement",
    ]
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == ["admin"]
    groups = {user.username: [g.name for g in user.groups.all()] for user in User.objects.all()}
    assert groups == {
        "admin": [],
        "procurement": ["Procurement"],
        "evaluator": ["Evaluator"],
        "evaluator2": ["Evaluator"],
        "evaluator3": ["Evaluator"],
        "executive": ["Executive"],
        "auditor": ["Auditor"],
        # Two people of bidding MSPs, in the bid room.
        "rachel@canyoncompliance.example": ["MSP"],
        "kyle@apexmanaged.example": ["MSP"],
    }
    assert all(user.check_password(DEMO_PASSWORD) for user in User.objects.all())


@override_settings(DEBUG=True)
def test_it_attributes_the_demo_history_to_procurement(db):
    seed()
    procurement = User.objects.get(username="procurement")

    for msp in MSP.objects.all():
        assert {row.history_user for row in msp.history.all()} == {procurement}, msp.name
    assert {row.history_user for row in Organization.history.all()} == {procurement}
    checked = ClientReference.objects.exclude(outcome="not_checked")
    assert checked.count() == 17
    assert {reference.checked_by for reference in checked} == {procurement}


@override_settings(DEBUG=True)
def test_it_gives_each_demo_msp_one_primary_contact(db):
    seed()

    for msp in MSP.objects.all():
        assert msp.contacts.filter(is_primary=True).count() == 1, msp.name


@override_settings(DEBUG=True)
def test_it_does_nothing_when_run_again_with_if_empty(db):
    seed()

    output = seed(if_empty=True)

    assert "not loaded" in output
    assert MSP.objects.count() == 12
    assert User.objects.count() == 9
    assert Organization.objects.count() == 1


@override_settings(DEBUG=True)
def test_it_refuses_to_run_again_without_if_empty(db):
    seed()

    with pytest.raises(CommandError, match="not empty"):
        seed()

    assert MSP.objects.count() == 12
    assert User.objects.count() == 9


@override_settings(DEBUG=True)
def test_it_refuses_a_database_that_only_has_users(db):
    User.objects.create_user("someone")

    with pytest.raises(CommandError, match="not empty"):
        seed()

    assert MSP.objects.count() == 0


@override_settings(DEBUG=True)
def test_it_loads_a_ranked_demo_evaluation(db):
    from scoring.models import Assignment, Bid, Evaluation, Waiver
    from scoring.services import stored_ranking

    seed()

    evaluation = Evaluation.objects.get(status="scoring")
    assert evaluation.model == "both"
    assert Bid.objects.filter(evaluation=evaluation).count() == 6
    assert set(Bid.objects.values_list("model", flat=True)) == {"co_managed", "fully_managed"}
    assert Waiver.objects.get().code == "lock-in-contract"
    submitted = {
        a.evaluator.username: a.is_submitted
        for a in Assignment.objects.filter(evaluation=evaluation).select_related("evaluator")
    }
    assert submitted == {"evaluator": True, "evaluator2": True, "evaluator3": False}
    rows = stored_ranking(evaluation)["ranking"]
    assert [row["status"] for row in rows].count("ranked") == 5
    assert rows[-1]["vendor"] == "Apex Managed Services"
    assert rows[-1]["red_flags"] == ["lock-in-contract"]


@override_settings(DEBUG=True)
def test_it_loads_an_awarded_evaluation_with_an_intact_record(db):
    from scoring import services
    from scoring.models import Award, Evaluation

    seed()

    awarded = Evaluation.objects.get(status="awarded")
    award = Award.objects.get(evaluation=awarded)
    assert (award.decision, award.proposed_by.username, award.decided_by.username) == (
        "approved",
        "procurement",
        "executive",
    )
    assert award.bid.vendor_name == services.stored_ranking(awarded)["ranking"][0]["vendor"]
    assert services.verification(awarded, award)["matches"] is True


@override_settings(DEBUG=True)
def test_it_opens_a_bid_room_with_one_bid_submitted_and_one_in_draft(db):
    from scoring.models import Evaluation, Submission

    output = seed()

    tender = Evaluation.objects.get(title="Help desk and security 2027 (bid room)")
    assert tender.status == "collecting_bids"
    states = dict(Submission.objects.filter(candidate__evaluation=tender).values_list("candidate__msp__name", "state"))
    assert states == {"Canyon Compliance IT": "submitted", "Apex Managed Services": "draft"}
    assert not tender.bids.exists()  # sealed until the owner opens them after the close
    for username in ("rachel@canyoncompliance.example", "kyle@apexmanaged.example"):
        person = User.objects.get(username=username)
        assert person.check_password(DEMO_PASSWORD) and person.groups.filter(name="MSP").exists()
        assert f"{username}" in output and "(MSP: " in output
