"""Who may open and act on each evaluation address: anonymous, outsiders, the owner and every role.

An evaluation is visible to its owner, its assigned evaluators, executives,
auditors and admins; anyone else gets 404 on every address of it. On a visible
evaluation, only the owner and admins may change anything (others: 403, and
nothing is written); only Procurement and admins create or import evaluations.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import EVALUATOR, PROCUREMENT
from scoring.models import Assignment, Criterion, Evaluation, RedFlag, Waiver
from tests.conftest import client_for, make_user

from .factories import (
    CONTRACT_EXAMPLE,
    assign,
    bid_form_data,
    evaluation_form_data,
    make_bid,
    make_evaluation,
    make_msp,
    refreshed,
    running_evaluation,
    scoring_state,
)


@pytest.fixture
def world(procurement, evaluator) -> SimpleNamespace:
    """Priya's running evaluation (see ``running_evaluation``): Evan assigned, Sam assigned and submitted.

    Another Procurement user, Paolo, owns a second evaluation with its own bid.
    """
    w = running_evaluation(procurement, evaluator, make_user("sam", EVALUATOR))
    w.evan, w.sam = w.pending, w.submitted
    w.paolo = make_user("paolo", PROCUREMENT)
    w.elsewhere = make_evaluation(w.paolo, title="Paolo's evaluation")
    w.elsewhere_bid = make_bid(w.elsewhere, "Cobalt Networks")
    return w


def base(w: SimpleNamespace) -> str:
    return f"/evaluations/{w.evaluation.pk}"


# Every address that answers a GET, by name.
PAGES: dict[str, Callable[[SimpleNamespace], str]] = {
    "dashboard": lambda w: f"{base(w)}/",
    "edit": lambda w: f"{base(w)}/edit/",
    "criteria": lambda w: f"{base(w)}/criteria/",
    "evaluators": lambda w: f"{base(w)}/evaluators/",
    "bid create": lambda w: f"{base(w)}/bids/new/",
    "bid": lambda w: f"{base(w)}/bids/{w.acme.pk}/",
    "bid edit": lambda w: f"{base(w)}/bids/{w.acme.pk}/edit/",
    "flag create": lambda w: f"{base(w)}/bids/{w.acme.pk}/flags/new/",
    "waiver create": lambda w: f"{base(w)}/bids/{w.beacon.pk}/waivers/new/",
    "scorecard": lambda w: f"{base(w)}/scorecard/",
    "ranking.json": lambda w: f"{base(w)}/ranking.json",
    "ranking.csv": lambda w: f"{base(w)}/ranking.csv",
    "ranking.xlsx": lambda w: f"{base(w)}/ranking.xlsx",
    "package.json": lambda w: f"{base(w)}/package.json",
}

MANAGE_PAGES = {"edit", "criteria", "evaluators", "bid create", "bid edit", "flag create", "waiver create"}
RESULT_PAGES = {"ranking.json", "ranking.csv", "ranking.xlsx"}

# The status each role gets on each page of a visible evaluation (200 unless listed).
EXPECTED_STATUS: dict[str, dict[str, int]] = {
    # The owner and admins run the evaluation; they have no scorecard of their own.
    "procurement": {"scorecard": 403},
    "admin_user": {"scorecard": 403},
    # Executives and auditors read everything (ranking at once, package), change nothing.
    "executive": {"scorecard": 403, **dict.fromkeys(MANAGE_PAGES, 403)},
    "auditor": {"scorecard": 403, **dict.fromkeys(MANAGE_PAGES, 403)},
    # Evan is assigned and has not submitted: blind to the ranking, never the package.
    "evaluator": {"package.json": 403, **dict.fromkeys(RESULT_PAGES | MANAGE_PAGES, 403)},
}

Request = tuple[str, dict[str, Any]]

# Every POST that changes an evaluation, with data the owner could send successfully.
ACTIONS: dict[str, Callable[[SimpleNamespace], Request]] = {
    "edit": lambda w: (f"{base(w)}/edit/", evaluation_form_data(refreshed(w.evaluation), title="Renamed")),
    "criteria": lambda w: (
        f"{base(w)}/criteria/",
        {
            **{f"weight_{c.pk}": "1" for c in Criterion.objects.filter(evaluation=w.evaluation)},
            "reason": "Equal weights, agreed with the board.",
        },
    ),
    "evaluators": lambda w: (f"{base(w)}/evaluators/", {"evaluators": [make_user("ezra", EVALUATOR).pk]}),
    "bid create": lambda w: (f"{base(w)}/bids/new/", bid_form_data(msp=make_msp("Delta Support"))),
    "bid edit": lambda w: (
        f"{base(w)}/bids/{w.acme.pk}/edit/",
        bid_form_data(refreshed(w.acme), monthly_fee=900, reason="Acme corrected its fee."),
    ),
    "flag create": lambda w: (
        f"{base(w)}/bids/{w.acme.pk}/flags/new/",
        {"code": "pushy-sales", "note": "Three calls a day."},
    ),
    "flag withdraw": lambda w: (
        f"{base(w)}/bids/{w.acme.pk}/flags/{w.flag.pk}/withdraw/",
        {"reason": "Invoices fixed."},
    ),
    "waiver create": lambda w: (
        f"{base(w)}/bids/{w.beacon.pk}/waivers/new/",
        {"code": "no-references", "reason": "References checked by phone."},
    ),
    "waiver revoke": lambda w: (
        f"{base(w)}/bids/{w.beacon.pk}/waivers/{w.waiver.pk}/revoke/",
        {"reason": "The desk is business hours only."},
    ),
    "status": lambda w: (f"{base(w)}/status/", {"to": "decision", "reason": "Scoring is done."}),
    "reopen": lambda w: (f"{base(w)}/scorecards/{w.sam.pk}/reopen/", {"reason": "Sam scored the wrong bid."}),
}


# Anonymous visitors


def test_it_sends_anonymous_visitors_of_every_page_to_login(client, world):
    locations = {page: client.get(url(world))["Location"] for page, url in PAGES.items()}

    assert locations == {page: f"/accounts/login/?next={url(world)}" for page, url in PAGES.items()}


def test_it_sends_anonymous_writers_to_login_and_writes_nothing(client, world):
    before = scoring_state()

    locations = {action: client.post(*build(world))["Location"] for action, build in ACTIONS.items()}

    assert all(location.startswith("/accounts/login/?next=") for location in locations.values()), locations
    assert scoring_state() == before


@pytest.mark.parametrize("url", ["/evaluations/new/", "/evaluations/import/"])
def test_it_sends_anonymous_creators_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


# Outsiders: another Procurement user, an unassigned evaluator, a user with no role

OUTSIDERS: dict[str, Callable[[SimpleNamespace], Any]] = {
    "other procurement": lambda w: w.paolo,
    "unassigned evaluator": lambda w: make_user("erin", EVALUATOR),
    "no role": lambda w: make_user("nobody"),
}


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_it_answers_404_to_outsiders_on_every_page(world, outsider):
    client = client_for(OUTSIDERS[outsider](world))

    responses = {page: client.get(url(world)) for page, url in PAGES.items()}

    assert {page: r.status_code for page, r in responses.items()} == dict.fromkeys(PAGES, 404)
    assert not [page for page, r in responses.items() if world.evaluation.title.encode() in r.content]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_it_answers_404_to_outsiders_on_every_action_and_writes_nothing(world, outsider):
    client = client_for(OUTSIDERS[outsider](world))
    before = scoring_state()

    statuses = {action: client.post(*build(world)).status_code for action, build in ACTIONS.items()}
    statuses["conflict"] = client.post(f"{base(world)}/conflicts/new/", {"msp": world.acme.msp_id}).status_code

    assert statuses == dict.fromkeys([*ACTIONS, "conflict"], 404)
    assert scoring_state() == before


def test_it_lists_only_visible_evaluations_to_an_outsider(world):
    response = client_for(world.paolo).get("/evaluations/")

    assert response.status_code == 200
    assert [row.record.pk for row in response.context["table"].page.object_list] == [world.elsewhere.pk]
    assert world.evaluation.title not in response.text


# Everyone who may see the evaluation


@pytest.mark.parametrize("role", EXPECTED_STATUS)
def test_it_answers_each_role_on_each_page(request, world, role):
    client = client_for(request.getfixturevalue(role))

    statuses = {page: client.get(url(world)).status_code for page, url in PAGES.items()}

    assert statuses == {page: EXPECTED_STATUS[role].get(page, 200) for page in PAGES}


def test_it_lists_an_assigned_evaluation_to_its_evaluator(world, evaluator):
    response = client_for(evaluator).get("/evaluations/")

    assert [row.record.pk for row in response.context["table"].page.object_list] == [world.evaluation.pk]


# Ids that don't belong here

BID_PAGES: dict[str, Callable[[SimpleNamespace, int], str]] = {
    "bid": lambda w, b: f"{base(w)}/bids/{b}/",
    "bid edit": lambda w, b: f"{base(w)}/bids/{b}/edit/",
    "flag create": lambda w, b: f"{base(w)}/bids/{b}/flags/new/",
    "waiver create": lambda w, b: f"{base(w)}/bids/{b}/waivers/new/",
}


@pytest.mark.parametrize("user_fixture", ["procurement", "admin_user"])
def test_it_answers_404_for_a_bid_of_another_evaluation(request, world, user_fixture):
    client = client_for(request.getfixturevalue(user_fixture))

    responses = {page: client.get(url(world, world.elsewhere_bid.pk)) for page, url in BID_PAGES.items()}

    assert {page: r.status_code for page, r in responses.items()} == dict.fromkeys(BID_PAGES, 404)
    assert not [page for page, r in responses.items() if b"Cobalt Networks" in r.content]


def test_it_refuses_an_edit_of_a_bid_of_another_evaluation_and_writes_nothing(world, admin_user):
    before = scoring_state()

    response = client_for(admin_user).post(
        f"{base(world)}/bids/{world.elsewhere_bid.pk}/edit/",
        bid_form_data(refreshed(world.elsewhere_bid), monthly_fee=1),
    )

    assert response.status_code == 404
    assert scoring_state() == before


def test_it_answers_404_for_a_flag_or_waiver_of_another_bid(world, procurement):
    client = client_for(procurement)
    before = scoring_state()

    # The flag is on Acme's bid and the waiver on Beacon's: swapped, neither belongs.
    flag = client.post(f"{base(world)}/bids/{world.beacon.pk}/flags/{world.flag.pk}/withdraw/", {"reason": "x"})
    waiver = client.post(f"{base(world)}/bids/{world.acme.pk}/waivers/{world.waiver.pk}/revoke/", {"reason": "x"})

    assert (flag.status_code, waiver.status_code) == (404, 404)
    assert scoring_state() == before


def test_it_answers_404_for_a_scorecard_of_another_evaluation(world, procurement):
    other = assign(world.elsewhere, make_user("olga", EVALUATOR))[0]

    response = client_for(procurement).post(f"{base(world)}/scorecards/{other.pk}/reopen/", {"reason": "x"})

    assert response.status_code == 404


def test_it_answers_404_for_an_evaluation_that_does_not_exist(world, admin_user):
    client = client_for(admin_user)
    missing = Evaluation.objects.order_by("-pk").first().pk + 100
    prefix = f"/evaluations/{world.evaluation.pk}/"

    statuses = {
        page: client.get(url(world).replace(prefix, f"/evaluations/{missing}/")).status_code
        for page, url in PAGES.items()
    }

    assert statuses == dict.fromkeys(PAGES, 404)


def test_it_answers_404_for_a_bid_that_does_not_exist(world, admin_user):
    response = client_for(admin_user).get(f"{base(world)}/bids/{world.elsewhere_bid.pk + 100}/")

    assert response.status_code == 404


# Acting on a visible evaluation


@pytest.mark.parametrize("role", ["executive", "auditor", "evaluator"])
def test_it_forbids_readers_to_act_and_writes_nothing(request, world, role):
    client = client_for(request.getfixturevalue(role))
    before = scoring_state()

    statuses = {action: client.post(*build(world)).status_code for action, build in ACTIONS.items()}

    assert statuses == dict.fromkeys(ACTIONS, 403)
    assert scoring_state() == before


def test_it_forbids_a_submitted_evaluator_to_reopen_their_own_scorecard(world):
    before = scoring_state()

    response = client_for(world.sam.evaluator).post(
        f"{base(world)}/scorecards/{world.sam.pk}/reopen/", {"reason": "I changed my mind."}
    )

    assert response.status_code == 403
    assert scoring_state() == before


@pytest.mark.parametrize("user_fixture", ["procurement", "admin_user"])
@pytest.mark.parametrize("action", ACTIONS)
def test_it_lets_the_owner_and_admins_act(request, world, user_fixture, action):
    client = client_for(request.getfixturevalue(user_fixture))
    url, data = ACTIONS[action](world)
    before = scoring_state()

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context.get("form")
    assert response["Location"].startswith(f"{base(world)}/")
    assert scoring_state() != before


def test_it_records_what_the_owner_did(world, procurement):
    client = client_for(procurement)
    for action in ("flag withdraw", "waiver revoke", "reopen"):
        client.post(*ACTIONS[action](world))

    assert RedFlag.objects.get(pk=world.flag.pk).withdrawn_at is not None
    assert Waiver.objects.get(pk=world.waiver.pk).revoked_at is not None
    assert Assignment.objects.get(pk=world.sam.pk).submitted_at is None


def test_it_forbids_a_non_assigned_reader_to_declare_a_conflict(world, executive):
    before = scoring_state()

    response = client_for(executive).post(f"{base(world)}/conflicts/new/", {"msp": world.acme.msp_id})

    assert response.status_code == 403
    assert scoring_state() == before


# Creating and importing evaluations

CREATORS = ["procurement", "admin_user"]
NON_CREATORS = ["evaluator", "executive", "auditor", "no_role_user"]


@pytest.mark.parametrize("user_fixture", CREATORS)
@pytest.mark.parametrize("url", ["/evaluations/new/", "/evaluations/import/"])
def test_it_opens_the_create_and_import_pages_to_procurement_and_admins(request, user_fixture, url):
    response = client_for(request.getfixturevalue(user_fixture)).get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("user_fixture", NON_CREATORS)
@pytest.mark.parametrize("url", ["/evaluations/new/", "/evaluations/import/"])
def test_it_forbids_the_create_and_import_pages_to_other_roles(request, user_fixture, url):
    response = client_for(request.getfixturevalue(user_fixture)).get(url)

    assert response.status_code == 403


@pytest.mark.parametrize("user_fixture", NON_CREATORS)
def test_it_forbids_other_roles_to_create_an_evaluation(request, user_fixture):
    response = client_for(request.getfixturevalue(user_fixture)).post("/evaluations/new/", evaluation_form_data())

    assert response.status_code == 403
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize("user_fixture", NON_CREATORS)
def test_it_forbids_other_roles_to_import_a_package(request, user_fixture):
    upload = SimpleUploadedFile("package.json", CONTRACT_EXAMPLE.read_bytes(), content_type="application/json")

    response = client_for(request.getfixturevalue(user_fixture)).post("/evaluations/import/", {"package": upload})

    assert response.status_code == 403
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize("user_fixture", CREATORS)
def test_it_lets_procurement_and_admins_create_an_evaluation(request, user_fixture):
    user = request.getfixturevalue(user_fixture)

    response = client_for(user).post("/evaluations/new/", evaluation_form_data())

    evaluation = Evaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/evaluations/{evaluation.pk}/"
    assert evaluation.owner == user
    assert evaluation.status == "draft"
