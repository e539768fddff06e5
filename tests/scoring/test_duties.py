"""Separated duties through every door: auditors read, executives decide, neither ever scores.

Issue 14, hole 3: a package could make anyone an evaluator (and invent their submitted
scorecards), so an executive made an evaluator could no longer decide the award and the owner
chose who approves. Refused now in the services, whichever door: the upload, the command, the
evaluators form, the scorecard, the admin.
"""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.roles import AUDITOR, EVALUATOR, EXECUTIVE, PROCUREMENT
from scoring import services
from scoring.forms import EvaluatorsForm
from scoring.models import Assignment, ConflictOfInterest, Evaluation, Score
from scoring.package import PackageError, loading, loads, parse_package
from tests.conftest import client_for, make_user

from .factories import (
    assign,
    contract_example,
    entries_for,
    make_bid,
    make_evaluation,
    move_to,
    refreshed,
    row_counts,
    score,
    start_scoring,
)

AUDITOR_REFUSED = "evaluators[1].username: aisha is an auditor: auditors read the record and never score"
EXECUTIVE_REFUSED = "evaluators[2].username: marcus is an executive: executives decide the award and never score"
DEACTIVATED_REFUSED = "evaluators[3].username: gone is deactivated: a deactivated user does nothing, and never scores"


@pytest.fixture
def gone(db) -> User:
    user = make_user("gone", EVALUATOR)
    user.is_active = False
    user.save()
    return user


def package_naming(*usernames: str, submitted: bool = True) -> dict:
    """The contract's example with more evaluators after alice, each scoring Acme 5 and submitted."""
    data = contract_example()
    for username in usernames:
        data["evaluators"].append({"username": username, "name": username.title(), "email": ""})
        data["scores"].append(
            {"evaluator": username, "vendor": "Acme Managed IT", "criterion": "sla-guarantee", "score": 5}
        )
        if submitted:
            data["submitted"].append(username)
    return data


def command(tmp_path, data: dict, *options: str) -> tuple[str, str]:
    path = tmp_path / "package.json"
    path.write_text(json.dumps(data))
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("load_evaluation", str(path), *options, stdout=out, stderr=err)
    except CommandError as exc:
        return "", err.getvalue() + f"CommandError: {exc}"
    return out.getvalue(), err.getvalue()


def upload(client, data: dict):
    content = json.dumps(data).encode()
    return client.post("/evaluations/import/", {"package": SimpleUploadedFile("package.json", content)})


# --- A package naming an auditor, an executive or a deactivated user -----------------------------


def test_the_command_refuses_auditors_executives_and_the_deactivated_as_evaluators(
    tmp_path, admin_user, auditor, executive, gone
):
    before = row_counts()

    out, err = command(tmp_path, package_naming("aisha", "marcus", "gone"))

    assert out == ""
    lines = err.splitlines()
    assert lines[:3] == [AUDITOR_REFUSED, EXECUTIVE_REFUSED, DEACTIVATED_REFUSED]
    assert lines[-1].startswith("CommandError: the package was not loaded: 3 problem(s)")
    assert row_counts() == before


def test_the_upload_refuses_them_listing_every_problem_and_writing_nothing(procurement, auditor, executive, gone):
    data = package_naming("aisha", "marcus", "gone")
    data["bids"][0]["colour"] = "blue"  # a problem of the package itself, listed with theirs
    before = row_counts()

    response = upload(client_for(procurement), data)

    assert response.status_code == 400
    assert sorted(response.context["problems"]) == sorted(
        ["bids[0].colour: unknown key", AUDITOR_REFUSED, EXECUTIVE_REFUSED, DEACTIVATED_REFUSED]
    )
    assert "aisha is an auditor: auditors read the record and never score" in response.text
    assert row_counts() == before


def test_the_service_refuses_them_whoever_calls_it(admin_user, auditor):
    package = parse_package(loads(json.dumps(package_naming("aisha"))))  # parse_package alone is pure
    before = row_counts()

    with pytest.raises(PackageError) as refused:
        loading.evaluation_load(package=package, owner=admin_user)

    assert refused.value.errors == [
        "evaluators[1].username: aisha is an auditor: auditors read the record and never score"
    ]
    assert row_counts() == before


def test_procurement_and_unknown_people_may_be_evaluators_in_a_package(tmp_path, admin_user, procurement):
    out, err = command(tmp_path, package_naming("priya", "newcomer"))

    evaluation = Evaluation.objects.get(pk=int(out.splitlines()[-1]))
    assert err == ""
    assert sorted(evaluation.evaluators.values_list("username", flat=True)) == ["alice", "newcomer", "priya"]


def test_an_executive_named_in_a_package_still_decides_the_award(tmp_path, admin_user, executive):
    # The hole: make the executive an evaluator and they may no longer decide, so the owner picks the approver.
    command(tmp_path, package_naming("marcus"))

    assert not Assignment.objects.filter(evaluator=executive).exists()


# --- The owner of a loaded evaluation ------------------------------------------------------------


@pytest.mark.parametrize("who", ["evaluator", "auditor", "executive", "deactivated procurement"])
def test_the_command_refuses_an_owner_who_may_not_own_an_evaluation(request, tmp_path, admin_user, who):
    if who == "deactivated procurement":
        user = make_user("paul", PROCUREMENT)
        user.is_active = False
        user.save()
    else:
        user = request.getfixturevalue(who)
    before = row_counts()

    out, err = command(tmp_path, contract_example(), "--owner", user.username)

    assert out == ""
    assert err.startswith(f"CommandError: --owner: {user.username} ")
    assert "an evaluation is owned by an active Procurement user or an admin" in err
    assert row_counts() == before


def test_the_command_loads_for_a_procurement_owner(tmp_path, admin_user, procurement):
    out, _ = command(tmp_path, contract_example(), "--owner", "priya")

    assert Evaluation.objects.get(pk=int(out.splitlines()[-1])).owner == procurement


def test_the_default_owner_is_the_first_active_superuser(tmp_path):
    retired = User.objects.create_superuser("root", "root@example.com", None)
    retired.is_active = False
    retired.save()
    active = User.objects.create_superuser("ada", "ada@example.com", None)

    out, _ = command(tmp_path, contract_example())

    assert Evaluation.objects.get(pk=int(out.splitlines()[-1])).owner == active


def test_the_service_refuses_an_owner_who_may_not_own(evaluator):
    package = parse_package(loads(json.dumps(contract_example())))
    before = row_counts()

    with pytest.raises(ValidationError, match="evan may not own an evaluation"):
        loading.evaluation_load(package=package, owner=evaluator)

    assert row_counts() == before


# --- Assigning evaluators --------------------------------------------------------------------------


def test_evaluators_add_refuses_anyone_who_may_not_score_naming_them(procurement, evaluator, auditor, executive, gone):
    evaluation = make_evaluation(procurement)
    before = row_counts()

    with pytest.raises(ValidationError) as refused:
        services.evaluators_add(evaluation=evaluation, users=[evaluator, auditor, executive, gone])

    assert refused.value.message_dict == {
        "evaluators": [
            "aisha is an auditor: auditors read the record and never score.",
            "marcus is an executive: executives decide the award and never score.",
            "gone is deactivated: a deactivated user does nothing, and never scores.",
        ]
    }
    assert row_counts() == before  # evan, who may score, is not assigned either: all or nothing


def test_an_auditor_or_executive_in_the_evaluator_group_too_is_still_refused(procurement):
    both = make_user("dual", AUDITOR)
    both.groups.add(Group.objects.get(name=EVALUATOR))
    evaluation = make_evaluation(procurement)

    with pytest.raises(ValidationError, match="dual is an auditor"):
        services.evaluators_add(evaluation=evaluation, users=[both])
    assert not Assignment.objects.exists()


def test_the_evaluators_form_offers_only_people_who_may_score(procurement, evaluator):
    evaluation = make_evaluation(procurement)
    dual_auditor = make_user("dual-auditor", AUDITOR)
    dual_executive = make_user("dual-exec", EXECUTIVE)
    for user in (dual_auditor, dual_executive):
        user.groups.add(Group.objects.get(name=EVALUATOR))

    offered = list(EvaluatorsForm(evaluation=evaluation).fields["evaluators"].queryset)

    assert offered == [evaluator]


def test_the_evaluators_page_does_not_assign_an_auditor_in_the_evaluator_group(procurement):
    dual = make_user("dual", AUDITOR)
    dual.groups.add(Group.objects.get(name=EVALUATOR))
    evaluation = make_evaluation(procurement)

    response = client_for(procurement).post(f"/evaluations/{evaluation.pk}/evaluators/", {"evaluators": [dual.pk]})

    assert response.status_code == 200  # the form again: that choice is not offered
    assert not Assignment.objects.exists()


def test_the_admin_creates_no_assignment(admin_user):
    client = client_for(admin_user)

    assert client.get("/admin/scoring/assignment/add/").status_code == 403
    assert client.post("/admin/scoring/assignment/add/", {}).status_code == 403


# --- Scoring: an auditor or executive assigned through old data ----------------------------------


@pytest.fixture
def old_data(procurement, evaluator, auditor):
    """In scoring, with the auditor assigned before duties were separated (as old data may have it)."""
    evaluation = make_evaluation(procurement)
    make_bid(evaluation, "Acme Managed IT")
    assign(evaluation, evaluator)
    Assignment.objects.create(evaluation=evaluation, evaluator=auditor, position=1)
    evaluation = start_scoring(evaluation)
    return evaluation


def test_scorecard_save_refuses_an_auditor_assigned_through_old_data(old_data, auditor):
    assignment = Assignment.objects.get(evaluation=old_data, evaluator=auditor)

    with pytest.raises(ValidationError, match="aisha is an auditor: auditors read the record and never score"):
        score(assignment, {"Acme Managed IT": 5})

    assert not Score.objects.filter(assignment=assignment).exists()
    assert not refreshed(assignment).is_submitted


def test_scorecard_save_refuses_a_deactivated_evaluator(old_data, evaluator):
    assignment = Assignment.objects.get(evaluation=old_data, evaluator=evaluator)
    evaluator.is_active = False
    evaluator.save()

    with pytest.raises(ValidationError, match="evan is deactivated"):
        score(refreshed(assignment), {"Acme Managed IT": 5})
    assert not Score.objects.exists()


def test_conflict_declare_refuses_an_auditor(old_data, auditor):
    assignment = Assignment.objects.get(evaluation=old_data, evaluator=auditor)
    msp = old_data.bids.get().msp

    with pytest.raises(ValidationError, match="aisha is an auditor"):
        services.conflict_declare(assignment=assignment, msp=msp, note="Former employer.")
    assert not ConflictOfInterest.objects.exists()


def test_the_scorecard_page_answers_403_to_an_auditor_assigned_through_old_data(old_data, auditor):
    client = client_for(auditor)
    assignment = Assignment.objects.get(evaluation=old_data, evaluator=auditor)
    posted = {
        f"score_{bid_id}_{criterion_id}": "5"
        for (bid_id, criterion_id) in entries_for(assignment, {"Acme Managed IT": 5})
    }

    assert client.get(f"/evaluations/{old_data.pk}/scorecard/").status_code == 403
    assert client.post(f"/evaluations/{old_data.pk}/scorecard/", {**posted, "submit": "1"}).status_code == 403
    msp = old_data.bids.get().msp
    assert client.post(f"/evaluations/{old_data.pk}/conflicts/new/", {"msp": msp.pk, "note": "x"}).status_code == 403
    assert not Score.objects.exists() and not ConflictOfInterest.objects.exists()


def test_the_issue_scenario_an_auditor_reopened_by_the_owner_cannot_change_a_score(old_data, evaluator, auditor):
    # Old data: the auditor's scorecard was submitted. The owner reopens it; the auditor tries a change.
    assignment = Assignment.objects.get(evaluation=old_data, evaluator=auditor)
    bid = old_data.bids.get()
    criterion = old_data.criteria.filter(kind="question").first()
    Score.objects.create(assignment=assignment, bid=bid, criterion=criterion, score=1)
    assignment.submitted_at = timezone.now()
    assignment.save()
    services.scorecard_reopen(assignment=assignment, reason="Let them fix a typo.")

    with pytest.raises(ValidationError, match="aisha is an auditor"):
        services.scorecard_save(assignment=refreshed(assignment), entries={(bid.pk, criterion.pk): (5, "")})

    assert Score.objects.get(assignment=assignment).score == 1


def test_an_evaluator_still_scores(old_data, evaluator):
    assignment = Assignment.objects.get(evaluation=old_data, evaluator=evaluator)
    assert score(assignment, {"Acme Managed IT": 4}).is_submitted
    assert client_for(evaluator).get(f"/evaluations/{old_data.pk}/scorecard/").status_code == 200


# --- Who may decide a pending award ----------------------------------------------------------------


@pytest.fixture
def proposed(procurement, evaluator):
    evaluation = make_evaluation(procurement)
    make_bid(evaluation, "Acme Managed IT")
    (assignment,) = assign(evaluation, evaluator)
    evaluation = start_scoring(evaluation)
    score(assignment, {"Acme Managed IT": 4})
    evaluation = move_to(evaluation, "decision")
    services.award_propose(evaluation=evaluation, bid=evaluation.bids.get(), rationale="Best.", by=procurement)
    return evaluation


def test_the_award_page_names_who_may_decide(proposed, procurement, executive):
    make_user("nadia", EXECUTIVE)
    scorer = make_user("scoring-exec", EXECUTIVE)
    Assignment.objects.create(evaluation=proposed, evaluator=scorer, position=5)  # old data: scored, may not decide
    retired = make_user("old-exec", EXECUTIVE)
    retired.is_active = False
    retired.save()

    response = client_for(procurement).get(f"/evaluations/{proposed.pk}/award/")

    assert response.status_code == 200
    assert [u.username for u in response.context["deciders"]] == ["marcus", "nadia"]
    section = response.text.split('data-testid="deciders"')[1].split("</section>")[0]
    assert "<strong>Marcus</strong> (marcus)" in section and "<strong>Nadia</strong> (nadia)" in section
    assert "scoring-exec" not in section and "old-exec" not in section


def test_the_award_page_says_when_nobody_may_decide(proposed, procurement):
    response = client_for(procurement).get(f"/evaluations/{proposed.pk}/award/")

    assert response.context["deciders"] == []
    assert "Nobody can: there is no active executive who neither scored this evaluation nor proposed the award" in (
        response.text
    )


# --- An owner who scores ---------------------------------------------------------------------------


def test_an_owner_who_scores_is_shown_as_such_on_the_consensus_page_and_dashboard(procurement, evaluator):
    procurement.groups.add(Group.objects.get(name=EVALUATOR))
    evaluation = make_evaluation(procurement)
    make_bid(evaluation, "Acme Managed IT")
    own, other = assign(evaluation, procurement, evaluator)
    evaluation = start_scoring(evaluation)
    score(own, {"Acme Managed IT": 5})
    score(other, {"Acme Managed IT": 3})
    client = client_for(procurement)

    consensus = client.get(f"/evaluations/{evaluation.pk}/consensus/")
    dashboard = client.get(f"/evaluations/{evaluation.pk}/")

    note = "owner — recorded the bids, so saw the prices"
    assert consensus.status_code == 200
    assert f"Priya (priya): {note}." in consensus.text
    assert f"({note})" in dashboard.text
    assert "evan (evan)" not in consensus.text  # an evaluator with nothing to note is not listed
