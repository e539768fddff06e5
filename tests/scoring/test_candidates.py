"""Candidates: the MSPs invited to bid on an evaluation, whether or not they have bid.

Every bidder is a candidate (recording or loading a bid adds one); whether a
candidate's bid was received is read off the bids. Candidates travel in the
package's ``candidates`` key and are never ranked.
"""

from __future__ import annotations

import importlib
import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import EVALUATOR, PROCUREMENT
from core.concurrency import CONFLICT_MESSAGE, EditConflict
from scoring import selectors, services
from scoring.models import Candidate, Evaluation, LockedWriteAttempt
from scoring.package import PackageError, export, loads, parse_package
from tests.conftest import client_for, make_user
from vendors import services as vendor_services
from vendors.models import MSP

from .factories import (
    assign,
    contract_example,
    load,
    make_bid,
    make_evaluation,
    make_msp,
    messages_of,
    move_to,
    package_bid,
    refreshed,
    score,
    scoring_state,
    start_scoring,
)


@pytest.fixture
def evaluation(procurement) -> Evaluation:
    """A fully managed draft evaluation owned by Priya."""
    return make_evaluation(procurement)


def co_managed_only(name: str) -> MSP:
    return vendor_services.msp_create(name=name, offers_fully_managed=False, offers_co_managed=True)


def state(evaluation: Evaluation) -> list[tuple[str, str, str]]:
    """The evaluation's candidates as (MSP, status, note), by MSP name."""
    return [(c.msp.name, c.status, c.note) for c in selectors.candidates(evaluation)]


def candidate_rows() -> list[tuple[Any, ...]]:
    """Every candidate row, to prove a refused write wrote nothing."""
    return list(Candidate.objects.order_by("pk").values_list("pk", "evaluation_id", "msp_id", "status", "note"))


def url(evaluation: Evaluation, rest: str = "") -> str:
    return f"/evaluations/{evaluation.pk}/candidates/{rest}"


# --- Inviting ----------------------------------------------------------------------------------


def test_it_invites_msps_and_skips_those_already_candidates(evaluation, procurement):
    acme, beacon, cobalt = make_msp("Acme Managed IT"), make_msp("Beacon IT"), make_msp("Cobalt Networks")

    first = services.candidate_invite(evaluation=evaluation, msps=[acme, beacon], by=procurement)
    second = services.candidate_invite(evaluation=evaluation, msps=[beacon, cobalt, cobalt], by=procurement)

    assert [c.msp for c in first] == [acme, beacon]
    assert [c.msp for c in second] == [cobalt]  # Beacon was there already; Cobalt is listed twice, added once
    assert state(evaluation) == [
        ("Acme Managed IT", "invited", ""),
        ("Beacon IT", "invited", ""),
        ("Cobalt Networks", "invited", ""),
    ]
    # The history names who invited, outside a request too.
    creations = Candidate.history.filter(history_type="+")
    assert creations.count() == 3
    assert {row.history_user_id for row in creations} == {procurement.pk}


def test_it_refuses_msps_that_offer_no_model_the_evaluation_compares_and_names_them(evaluation, procurement):
    fits = make_msp("Acme Managed IT")
    partner, tier3 = co_managed_only("Partner IT"), co_managed_only("Tier3 Help")

    with pytest.raises(ValidationError) as refused:
        services.candidate_invite(evaluation=evaluation, msps=[fits, partner, tier3], by=procurement)
    with pytest.raises(ValidationError) as refused_one:
        services.candidate_invite(evaluation=evaluation, msps=[partner], by=procurement)

    assert refused.value.message_dict == {
        "msps": ["Partner IT and Tier3 Help do not offer fully managed IT, the model this evaluation compares."]
    }
    assert refused_one.value.message_dict == {
        "msps": ["Partner IT does not offer fully managed IT, the model this evaluation compares."]
    }
    assert not Candidate.objects.exists()  # all or nothing: not even Acme


def test_an_evaluation_of_both_models_invites_an_msp_offering_either(procurement):
    evaluation = make_evaluation(procurement, model="both")

    added = services.candidate_invite(evaluation=evaluation, msps=[co_managed_only("Partner IT")], by=procurement)

    assert [c.msp.name for c in added] == ["Partner IT"]


def test_it_refuses_an_archived_msp(evaluation, procurement):
    msp = make_msp("Gone IT")
    msp = vendor_services.msp_archive(msp=msp, expected_version=msp.version)

    with pytest.raises(ValidationError) as refused:
        services.candidate_invite(evaluation=evaluation, msps=[msp], by=procurement)

    assert refused.value.message_dict == {"msps": ["Gone IT is archived: restore them to invite them."]}
    assert not Candidate.objects.exists()


# --- Status ------------------------------------------------------------------------------------


def test_it_records_a_decline_with_its_note_in_the_history(evaluation, procurement):
    [candidate] = services.candidate_invite(evaluation=evaluation, msps=[make_msp("Beacon IT")], by=procurement)

    services.candidate_update(
        candidate=candidate, expected_version=1, status="declined", note="  Fully booked until June.  "
    )

    assert state(evaluation) == [("Beacon IT", "declined", "Fully booked until June.")]
    latest = Candidate.history.filter(id=candidate.pk).latest()
    assert (latest.history_type, latest.status) == ("~", "declined")


def test_it_refuses_an_unknown_status_and_writes_nothing(evaluation, procurement):
    [candidate] = services.candidate_invite(evaluation=evaluation, msps=[make_msp("Beacon IT")], by=procurement)
    before = candidate_rows()

    with pytest.raises(ValidationError) as refused:
        services.candidate_update(candidate=refreshed(candidate), expected_version=1, status="maybe", note="")

    assert list(refused.value.message_dict) == ["status"]
    assert candidate_rows() == before


def test_it_refuses_a_status_change_from_a_stale_version_and_writes_nothing(evaluation, procurement):
    [candidate] = services.candidate_invite(evaluation=evaluation, msps=[make_msp("Beacon IT")], by=procurement)
    # Two people opened the row at version 1; the first saves (version 1 → 2).
    services.candidate_update(candidate=refreshed(candidate), expected_version=1, status="declined", note="Booked.")
    before = candidate_rows()

    with pytest.raises(EditConflict) as refused:
        services.candidate_update(candidate=refreshed(candidate), expected_version=1, status="withdrawn", note="")

    assert (refused.value.current.status, refused.value.current.version) == ("declined", 2)
    assert candidate_rows() == before
    assert refreshed(candidate).version == 2
    history = Candidate.history.filter(id=candidate.pk).order_by("history_id")
    assert list(history.values_list("history_type", "status", "version")) == [("+", "invited", 1), ("~", "declined", 2)]


# --- Every bidder is a candidate ---------------------------------------------------------------


def test_recording_a_bid_makes_its_msp_an_invited_candidate(evaluation):
    make_bid(evaluation, "Acme Managed IT")

    assert state(evaluation) == [("Acme Managed IT", "invited", "")]
    assert [c.bid_id for c in selectors.candidates(evaluation)] == [evaluation.bids.get().pk]


def test_recording_a_bid_keeps_the_candidate_already_there(evaluation, procurement):
    [candidate] = services.candidate_invite(evaluation=evaluation, msps=[make_msp("Beacon IT")], by=procurement)
    services.candidate_update(
        candidate=candidate, expected_version=1, status="withdrawn", note="Changed their mind, then bid after all."
    )

    make_bid(evaluation, "Beacon IT")

    assert state(evaluation) == [("Beacon IT", "withdrawn", "Changed their mind, then bid after all.")]
    assert Candidate.objects.count() == 1


def test_a_refused_bid_adds_no_candidate(evaluation):
    msp = make_msp("Acme Managed IT")

    with pytest.raises(ValidationError):
        # Hourly pricing needs a rate and hours: the bid is refused, and the candidate with it.
        services.bid_create(evaluation=evaluation, msp=msp, model="fully_managed", pricing_model="hourly",
                            contract_term_months=12)  # fmt: skip

    assert not Candidate.objects.exists()


# --- Candidates without a bid, worked by hand --------------------------------------------------


def test_candidates_without_bid_are_the_invited_ones_whose_bid_has_not_arrived(evaluation, procurement):
    # Acme: invited, bid.           Beacon: invited, no bid.        Cobalt: declined, no bid.
    # Delta: withdrawn, no bid.     Echo: invited, bid elsewhere only (not on this evaluation).
    # Foxtrot: invited, bid.        → without a bid: Beacon and Echo, by name.
    names = ["Acme Managed IT", "Beacon IT", "Cobalt Networks", "Delta Support", "Echo Systems", "Foxtrot IT"]
    services.candidate_invite(evaluation=evaluation, msps=[make_msp(n) for n in names], by=procurement)
    make_bid(evaluation, "Acme Managed IT")
    make_bid(evaluation, "Foxtrot IT")
    for name, status in (("Cobalt Networks", "declined"), ("Delta Support", "withdrawn")):
        candidate = Candidate.objects.get(evaluation=evaluation, msp__name=name)
        services.candidate_update(candidate=candidate, expected_version=1, status=status, note="")
    elsewhere = make_evaluation(procurement, title="Elsewhere")
    make_bid(elsewhere, "Echo Systems")
    services.candidate_invite(evaluation=elsewhere, msps=[make_msp("Beacon IT")], by=procurement)

    waiting = selectors.candidates_without_bid(evaluation)

    assert [c.msp.name for c in waiting] == ["Beacon IT", "Echo Systems"]
    assert selectors.candidate_counts(evaluation) == {"invited": 6, "bid": 2, "sealed": 0}
    # Elsewhere: Echo bid (a candidate by bidding), Beacon was invited and has not.
    assert [c.msp.name for c in selectors.candidates_without_bid(elsewhere)] == ["Beacon IT"]
    assert selectors.candidate_counts(elsewhere) == {"invited": 2, "bid": 1, "sealed": 0}


# --- Locked evaluations ------------------------------------------------------------------------


@pytest.fixture
def cancelled(evaluation, procurement) -> SimpleNamespace:
    """Priya's evaluation with Acme invited and Beacon's bid, then cancelled."""
    services.candidate_invite(evaluation=evaluation, msps=[make_msp("Acme Managed IT")], by=procurement)
    make_bid(evaluation, "Beacon IT")
    acme = Candidate.objects.get(msp__name="Acme Managed IT")
    return SimpleNamespace(evaluation=move_to(evaluation, "cancelled"), acme=acme, cobalt=make_msp("Cobalt Networks"))


def test_the_services_refuse_a_locked_evaluation(cancelled, procurement):
    before = candidate_rows()

    with pytest.raises(services.EvaluationLocked):
        services.candidate_invite(evaluation=cancelled.evaluation, msps=[cancelled.cobalt], by=procurement)
    with pytest.raises(services.EvaluationLocked):
        services.candidate_update(
            candidate=refreshed(cancelled.acme), expected_version=1, status="declined", note="Too late."
        )

    assert candidate_rows() == before


def test_the_page_of_a_locked_evaluation_is_read_only_and_refuses_every_post(cancelled, procurement):
    client = client_for(procurement)
    before = candidate_rows()

    page = client.get(url(cancelled.evaluation))
    posts = {
        "invite": (url(cancelled.evaluation), {"msps": [cancelled.cobalt.pk]}),
        "status": (
            url(cancelled.evaluation, f"{cancelled.acme.pk}/"),
            status_data(cancelled.acme, "declined", "Late."),
        ),
    }

    assert page.status_code == 200
    assert (page.context["editable"], page.context["invite_form"]) == (False, None)
    assert 'name="msps"' not in page.content.decode()
    assert url(cancelled.evaluation, f"{cancelled.acme.pk}/") not in page.content.decode()
    for name, (address, data) in posts.items():
        response = client.post(address, data)
        assert (name, response.status_code, response["Location"]) == (
            name,
            302,
            f"/evaluations/{cancelled.evaluation.pk}/",
        )
        assert messages_of(response) == ["This evaluation is cancelled: it can't be changed."]
    assert candidate_rows() == before
    assert LockedWriteAttempt.objects.filter(evaluation=cancelled.evaluation, user=procurement).count() == 2


# --- The page: who sees it and who acts --------------------------------------------------------


@pytest.fixture
def world(procurement, evaluator) -> SimpleNamespace:
    """Priya's evaluation in scoring: Acme bid, Beacon invited and silent, Cobalt declined.

    Evan is assigned and has not submitted; Sam is assigned and submitted. Paolo, another
    Procurement user, owns an evaluation with its own candidate. Delta Support is in the
    registry and not a candidate; Gone IT is archived.
    """
    evaluation = make_evaluation(procurement)
    services.candidate_invite(
        evaluation=evaluation, msps=[make_msp(n) for n in ("Beacon IT", "Cobalt Networks")], by=procurement
    )
    make_bid(evaluation, "Acme Managed IT")
    cobalt = Candidate.objects.get(evaluation=evaluation, msp__name="Cobalt Networks")
    services.candidate_update(candidate=cobalt, expected_version=1, status="declined", note="No capacity.")
    sam = make_user("sam", EVALUATOR)
    _, submitted = assign(evaluation, evaluator, sam)
    evaluation = start_scoring(evaluation)
    score(submitted, {"Acme Managed IT": 4})
    paolo = make_user("paolo", PROCUREMENT)
    elsewhere = make_evaluation(paolo, title="Paolo's evaluation")
    [foreign] = services.candidate_invite(evaluation=elsewhere, msps=[make_msp("Echo Systems")], by=paolo)
    gone = make_msp("Gone IT")
    vendor_services.msp_archive(msp=gone, expected_version=gone.version)
    return SimpleNamespace(
        evaluation=evaluation,
        beacon=Candidate.objects.get(evaluation=evaluation, msp__name="Beacon IT"),
        cobalt=cobalt,
        delta=make_msp("Delta Support"),
        sam=sam,
        paolo=paolo,
        foreign=foreign,
    )


def invite_data(*msps: MSP) -> dict[str, Any]:
    return {"msps": [msp.pk for msp in msps]}


def status_data(candidate: Candidate, status: str, note: str = "", version: int | None = None) -> dict[str, Any]:
    """The row's status form as posted, at the candidate's saved version unless ``version`` says otherwise."""
    prefix = f"candidate-{candidate.pk}"
    version = refreshed(candidate).version if version is None else version
    return {f"{prefix}-status": status, f"{prefix}-note": note, f"{prefix}-version": version}


def test_it_shows_the_owner_every_candidate_with_its_status_and_bid(world, procurement):
    response = client_for(procurement).get(url(world.evaluation))

    assert response.status_code == 200
    rows = [
        (c.msp.name, c.status, c.bid_id is not None) for c in (row.candidate for row in response.context["candidates"])
    ]
    assert rows == [("Acme Managed IT", "invited", True), ("Beacon IT", "invited", False), ("Cobalt Networks", "declined", False)]  # fmt: skip
    assert response.context["bid_count"] == 1
    page = response.content.decode()
    assert "3 invited, 1 bid received" in page
    assert "No capacity." in page
    assert f"/evaluations/{world.evaluation.pk}/bids/{world.evaluation.bids.get().pk}/" in page
    # The registry's active MSPs that are not candidates, each with the models it offers.
    offered = response.context["invite_form"].fields["msps"]
    assert [msp.name for msp in offered.queryset] == ["Delta Support", "Echo Systems"]
    assert offered.label_from_instance(world.delta) == "Delta Support (fully managed, co-managed)"


def test_it_sends_anonymous_visitors_to_login_and_writes_nothing(client, world):
    before = candidate_rows()

    responses = [
        client.get(url(world.evaluation)),
        client.post(url(world.evaluation), invite_data(world.delta)),
        client.post(url(world.evaluation, f"{world.beacon.pk}/"), status_data(world.beacon, "declined")),
    ]

    assert [r["Location"].split("?")[0] for r in responses] == ["/accounts/login/"] * 3
    assert candidate_rows() == before


def test_it_answers_404_to_another_procurement_user_and_writes_nothing(world):
    client = client_for(world.paolo)
    before = candidate_rows()

    responses = [
        client.get(url(world.evaluation)),
        client.post(url(world.evaluation), invite_data(world.delta)),
        client.post(url(world.evaluation, f"{world.beacon.pk}/"), status_data(world.beacon, "declined")),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert not [r for r in responses if world.evaluation.title.encode() in r.content]
    assert candidate_rows() == before


@pytest.mark.parametrize("role", ["executive", "auditor"])
def test_readers_see_the_candidates_without_forms_and_may_not_post(request, world, role):
    client = client_for(request.getfixturevalue(role))
    before = candidate_rows()

    page = client.get(url(world.evaluation))
    invite = client.post(url(world.evaluation), invite_data(world.delta))
    update = client.post(url(world.evaluation, f"{world.beacon.pk}/"), status_data(world.beacon, "declined"))

    assert page.status_code == 200
    assert [row.candidate.msp.name for row in page.context["candidates"] if row.form is None] == [
        "Acme Managed IT",
        "Beacon IT",
        "Cobalt Networks",
    ]
    assert page.context["invite_form"] is None
    assert url(world.evaluation, f"{world.beacon.pk}/") not in page.content.decode()
    assert (invite.status_code, update.status_code) == (403, 403)
    assert candidate_rows() == before


def test_a_blind_evaluator_gets_403_like_the_ranking_and_a_submitted_one_reads(world, evaluator):
    before = candidate_rows()

    blind = client_for(evaluator)
    statuses = [
        blind.get(url(world.evaluation)).status_code,
        blind.get(f"/evaluations/{world.evaluation.pk}/ranking.json").status_code,
        blind.post(url(world.evaluation), invite_data(world.delta)).status_code,
        blind.post(url(world.evaluation, f"{world.beacon.pk}/"), status_data(world.beacon, "declined")).status_code,
    ]
    submitted = client_for(world.sam)

    assert statuses == [403, 403, 403, 403]
    assert submitted.get(url(world.evaluation)).status_code == 200
    assert submitted.post(url(world.evaluation), invite_data(world.delta)).status_code == 403
    assert candidate_rows() == before


@pytest.mark.parametrize("user_fixture", ["procurement", "admin_user"])
def test_the_owner_and_admins_invite_msps(request, world, user_fixture):
    user = request.getfixturevalue(user_fixture)

    response = client_for(user).post(url(world.evaluation), invite_data(world.delta))

    assert (response.status_code, response["Location"]) == (302, url(world.evaluation))
    assert messages_of(response) == ["1 MSP invited to bid."]
    assert ("Delta Support", "invited", "") in state(world.evaluation)
    assert Candidate.history.get(msp=world.delta).history_user == user


def test_the_owner_records_a_decline_with_a_note(world, procurement):
    response = client_for(procurement).post(
        url(world.evaluation, f"{world.beacon.pk}/"), status_data(world.beacon, "declined", " Too small for them. ")
    )

    assert (response.status_code, response["Location"]) == (302, url(world.evaluation))
    assert messages_of(response) == ["Beacon IT: declined."]
    assert ("Beacon IT", "declined", "Too small for them.") in state(world.evaluation)
    assert [c.msp.name for c in selectors.candidates_without_bid(world.evaluation)] == []


def test_the_page_renders_each_rows_version(world, procurement):
    page = client_for(procurement).get(url(world.evaluation)).content.decode()

    # Beacon was never changed (version 1); Cobalt declined once (version 2).
    assert f'name="candidate-{world.beacon.pk}-version" value="1"' in page
    assert f'name="candidate-{world.cobalt.pk}-version" value="2"' in page


def test_a_stale_status_change_is_refused_shows_both_and_a_second_save_overwrites(world, procurement, admin_user):
    address = url(world.evaluation, f"{world.beacon.pk}/")
    owner = client_for(procurement)
    # Both opened the page at version 1; the admin saves first (version 1 → 2).
    saved = client_for(admin_user).post(address, status_data(world.beacon, "declined", "Too small.", version=1))
    assert saved.status_code == 302

    refused = owner.post(address, status_data(world.beacon, "withdrawn", "", version=1))

    assert refused.status_code == 200
    form = {row.candidate: row.form for row in refused.context["candidates"]}[refreshed(world.beacon)]
    assert CONFLICT_MESSAGE in form.non_field_errors()
    assert form.conflict == [("Status", "Declined", "Withdrawn"), ("Note", "Too small.", "—")]
    assert 'data-testid="edit-conflict"' in refused.text
    assert f'href="{url(world.evaluation)}" class="alert-link">reload the form' in refused.text
    assert refused.context["open_form"] == world.beacon.pk
    assert ("Beacon IT", "declined", "Too small.") in state(world.evaluation)
    # The form is re-shown at version 2: saving it again replaces the admin's change on purpose.
    assert form["version"].value() == "2"

    again = owner.post(address, status_data(world.beacon, "withdrawn", "", version=2))

    assert again.status_code == 302
    assert ("Beacon IT", "withdrawn", "") in state(world.evaluation)
    assert refreshed(world.beacon).version == 3


def test_it_names_the_msps_that_offer_no_model_the_evaluation_compares_beside_the_field(world, procurement):
    partner = co_managed_only("Partner IT")
    before = candidate_rows()

    response = client_for(procurement).post(url(world.evaluation), invite_data(world.delta, partner))

    assert response.status_code == 200
    assert response.context["invite_form"].errors == {
        "msps": ["Partner IT does not offer fully managed IT, the model this evaluation compares."]
    }
    assert candidate_rows() == before


@pytest.mark.parametrize(
    "msps",
    [
        [],  # nothing chosen
        ["abc"],
        [2**70],  # beyond any id the database holds
        ["999999"],  # no such MSP
        ["candidate"],
    ],
    ids=["empty", "not-a-number", "huge", "unknown", "word"],
)
def test_it_refuses_a_bad_invitation_beside_the_field_and_writes_nothing(world, procurement, msps):
    before = candidate_rows()

    response = client_for(procurement).post(url(world.evaluation), {"msps": msps})

    assert response.status_code == 200
    assert list(response.context["invite_form"].errors) == ["msps"]
    assert candidate_rows() == before


def test_it_refuses_to_invite_a_candidate_again_or_an_archived_msp_through_the_form(world, procurement):
    gone = MSP.objects.get(name="Gone IT")
    before = candidate_rows()
    client = client_for(procurement)

    again = client.post(url(world.evaluation), invite_data(world.beacon.msp))
    archived = client.post(url(world.evaluation), invite_data(gone))

    # Neither is offered, so either is not a valid choice.
    assert list(again.context["invite_form"].errors) == ["msps"]
    assert list(archived.context["invite_form"].errors) == ["msps"]
    assert candidate_rows() == before


@pytest.mark.parametrize("status", ["", "maybe", "bid_received"])
def test_it_refuses_an_unknown_status_beside_the_field_and_writes_nothing(world, procurement, status):
    before = candidate_rows()

    response = client_for(procurement).post(
        url(world.evaluation, f"{world.beacon.pk}/"), status_data(world.beacon, status)
    )

    assert response.status_code == 200
    forms = {row.candidate.pk: row.form for row in response.context["candidates"]}
    assert list(forms[world.beacon.pk].errors) == ["status"]
    assert response.context["open_form"] == world.beacon.pk  # the row with the error is shown open
    assert candidate_rows() == before


def test_it_answers_404_for_a_guessed_candidate_id_and_writes_nothing(world, procurement):
    client = client_for(procurement)
    before = candidate_rows()
    missing = Candidate.objects.order_by("-pk").first().pk + 100

    foreign = client.post(url(world.evaluation, f"{world.foreign.pk}/"), status_data(world.foreign, "declined"))
    absent = client.post(url(world.evaluation, f"{missing}/"), {f"candidate-{missing}-status": "declined"})
    no_evaluation = client.post(
        f"/evaluations/{world.evaluation.pk + 100}/candidates/{world.beacon.pk}/", status_data(world.beacon, "declined")
    )
    get = client.get(url(world.evaluation, f"{world.beacon.pk}/"))

    assert [r.status_code for r in (foreign, absent, no_evaluation)] == [404, 404, 404]
    assert get.status_code == 405  # the status change is POST only
    assert b"Echo Systems" not in foreign.content
    assert candidate_rows() == before


# --- The dashboard -----------------------------------------------------------------------------


def test_the_dashboard_links_the_candidates_for_everyone_who_sees_results(world, procurement, executive, evaluator):
    owner = client_for(procurement).get(f"/evaluations/{world.evaluation.pk}/").content.decode()
    reader = client_for(executive).get(f"/evaluations/{world.evaluation.pk}/").content.decode()
    blind = client_for(evaluator).get(f"/evaluations/{world.evaluation.pk}/").content.decode()

    link = f'href="{url(world.evaluation)}"'
    assert owner.count(link) == 2  # the Set up menu and the Set-up card
    assert '<a class="dropdown-item" href="' + url(world.evaluation) + '">Candidates</a>' in owner
    assert reader.count(link) == 1  # no Set up menu for an executive
    assert ">3 invited, 1 bid</a>" in owner and ">3 invited, 1 bid</a>" in reader
    assert link not in blind


# --- Query budget ------------------------------------------------------------------------------


def count_queries(client, address: str) -> int:
    client.get(address)  # a first request settles anything computed once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


def test_the_page_uses_the_same_queries_for_3_and_20_candidates(procurement):
    make_msp("Not Invited IT")  # so the invitation form has a choice to render
    sizes = []
    for count in (3, 20):
        evaluation = make_evaluation(procurement, title=f"{count} candidates")
        msps = [make_msp(f"Vendor {count}-{i:02d}") for i in range(count)]
        services.candidate_invite(evaluation=evaluation, msps=msps, by=procurement)
        for msp in msps[::2]:
            make_bid(evaluation, msp.name)
        sizes.append(evaluation)
    client = client_for(procurement)

    counts = [count_queries(client, url(evaluation)) for evaluation in sizes]

    # 1 session, 2 user, 3 the user's groups, 4 the evaluation (scoped to the user, with its owner),
    # 5 the candidates with their MSPs and bids, 6 the unread notifications (the navbar),
    # 7 the bid room's invitations, 8 the sealed receipts (time and digest), 9 the contacts the owner may
    # invite to the bid room, 10 the bids' opening, 11 whether any MSP is left to invite, 12 the MSPs left
    # to invite (the form's choices).
    assert counts == [12, 12]


# --- The package -------------------------------------------------------------------------------


def package_with_candidates(candidates: list[dict[str, Any]]) -> dict[str, Any]:
    """The contract's example (both models; one bid, from Acme Managed IT) with a second bid and ``candidates``."""
    data = contract_example()
    data["bids"].append(package_bid("Beacon IT"))
    data["candidates"] = candidates
    return data


def test_it_keeps_the_candidates_through_export_and_load(admin_user):
    make_msp("Delta Support")  # in the registry already: matched by name, whatever the case
    data = package_with_candidates(
        [
            {"vendor": "Cobalt Networks", "status": "declined", "note": "No capacity."},
            {"vendor": "ACME managed IT", "status": "withdrawn", "note": "Bid stands, contact left."},
            {"vendor": "delta support"},
        ]
    )

    first = load(admin_user, data)
    exported = export.evaluation_export(first)
    second = load(admin_user, json.loads(json.dumps(exported)))

    # Listed first in the package's order, then the bidder it does not list (Beacon), invited.
    assert exported["candidates"] == [
        {"vendor": "Cobalt Networks", "status": "declined", "note": "No capacity."},
        {"vendor": "Acme Managed IT", "status": "withdrawn", "note": "Bid stands, contact left."},
        {"vendor": "Delta Support", "status": "invited", "note": ""},
        {"vendor": "Beacon IT", "status": "invited", "note": ""},
    ]
    assert export.evaluation_export(second)["candidates"] == exported["candidates"]
    assert state(second) == state(first)
    # Cobalt was new to the registry: added offering the models the evaluation compares (both).
    cobalt = MSP.objects.get(name="Cobalt Networks")
    assert (cobalt.offers_fully_managed, cobalt.offers_co_managed) == (True, True)
    assert MSP.objects.filter(name__iexact="delta support").count() == 1
    # Never ranked: the ranking holds the two bids only, the same in both.
    assert [row["vendor"] for row in services.stored_ranking(second)["ranking"]] == ["Acme Managed IT", "Beacon IT"]
    assert services.stored_ranking(second)["ranking"] == services.stored_ranking(first)["ranking"]
    assert [c.msp.name for c in selectors.candidates_without_bid(second)] == ["Delta Support"]


def test_loading_bids_without_the_key_makes_every_bidder_an_invited_candidate(admin_user):
    evaluation = load(admin_user, contract_example())

    assert state(evaluation) == [("Acme Managed IT", "invited", "")]
    creation = Candidate.history.get(history_type="+")
    assert creation.history_user == admin_user


def test_the_export_leaves_the_key_out_when_there_are_no_candidates(evaluation):
    # So the package of an evaluation awarded before candidates were kept keeps its digest.
    assert "candidates" not in export.evaluation_export(evaluation)


@pytest.mark.parametrize(
    ("candidates", "errors"),
    [
        (
            [{"vendor": "Cobalt", "status": "maybe"}],
            ["candidates[0].status: must be one of invited, declined, withdrawn"],
        ),
        (
            [{"vendor": "Cobalt Networks"}, {"vendor": "COBALT  networks", "status": "declined"}],
            ["candidates[1].vendor: a second entry for 'COBALT  networks'"],
        ),
        ([{"vendor": "Cobalt", "colour": "blue"}], ["candidates[0].colour: unknown key"]),
        ([{"status": "declined"}], ["candidates[0].vendor: required"]),
        ([{"vendor": "  "}], ["candidates[0].vendor: must not be empty"]),
        ([{"vendor": "Cobalt", "note": 5}], ["candidates[0].note: must be a string"]),
        (["Cobalt"], ["candidates[0]: must be an object"]),
        ({"vendor": "Cobalt"}, ["candidates: must be a list"]),
    ],
    ids=["status", "duplicate", "unknown-key", "no-vendor", "blank-vendor", "note-type", "not-object", "not-list"],
)
def test_it_refuses_bad_candidates_with_their_path(candidates, errors):
    with pytest.raises(PackageError) as refused:
        parse_package(loads(json.dumps(package_with_candidates(candidates))))

    assert refused.value.errors == errors


def test_a_refused_package_writes_no_candidate(admin_user):
    data = package_with_candidates([{"vendor": "Cobalt Networks", "status": "maybe"}])

    with pytest.raises(PackageError):
        load(admin_user, data)

    assert not Candidate.objects.exists()
    assert not MSP.objects.filter(name="Cobalt Networks").exists()


# --- The migration -----------------------------------------------------------------------------


def test_the_migration_makes_every_bidder_of_an_open_evaluation_a_candidate(procurement):
    migration = importlib.import_module("scoring.migrations.0010_candidates")
    open_one = make_evaluation(procurement, title="Open")
    make_bid(open_one, "Acme Managed IT")
    make_bid(open_one, "Beacon IT")
    locked = make_evaluation(procurement, title="Cancelled")
    make_bid(locked, "Acme Managed IT")
    move_to(locked, "cancelled")
    Candidate.objects.all().delete()  # as it was before candidates were kept
    before = scoring_state()

    migration.bidders_become_candidates(apps, None)

    assert state(open_one) == [("Acme Managed IT", "invited", ""), ("Beacon IT", "invited", "")]
    assert state(locked) == []  # its package was fingerprinted without candidates: left as it was
    creations = Candidate.history.filter(history_type="+", history_change_reason__startswith="bid recorded")
    assert sorted(creations.values_list("id", flat=True)) == sorted(Candidate.objects.values_list("pk", flat=True))
    assert scoring_state() == before
