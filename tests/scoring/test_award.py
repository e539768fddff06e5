"""The award: proposal, approval by an executive who did not score, the lock, the unlock, the
fingerprinted record, the ranking as of a past moment, letters and the evidence zip.

The evaluation is the hand-worked one of test_views_decision: A 85, B 72 (quality 70, price 30).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.roles import EVALUATOR, EXECUTIVE
from core.history import acting_as
from scoring import ranking, record, selectors, services
from scoring.models import Assignment, Award, Bid, Evaluation, LockedRecord, LockedWriteAttempt, Score
from scoring.package import export
from tests.conftest import client_for, make_user
from tests.scoring.factories import (
    bid_form_data,
    load,
    make_bid,
    make_evaluation,
    move_to,
    refreshed,
    scoring_state,
)
from tests.scoring.test_views_decision import two_bid_package


@pytest.fixture
def worked(procurement):
    """At the decision stage: A leads with 85, B follows with 72."""
    evaluation = load(procurement, two_bid_package())
    return services.evaluation_transition(evaluation=evaluation, to="decision", reason="The board meets this week.")


def bid(evaluation, vendor):
    return Bid.objects.get(evaluation=evaluation, vendor_name=vendor)


def propose(evaluation, vendor="A", by=None, rationale="Best on service."):
    return services.award_propose(
        evaluation=evaluation, bid=bid(evaluation, vendor), rationale=rationale, by=by or evaluation.owner
    )


# --- Proposal ----------------------------------------------------------------------------------


def test_the_owner_proposes_a_ranked_bid_with_a_rationale(worked, procurement):
    award = propose(worked, "B", rationale="Half the price; the board accepts the lower score.")
    assert (award.decision, award.bid.vendor_name, award.proposed_by) == ("pending", "B", procurement)
    assert refreshed(worked).status == "decision"  # nothing is locked until an executive approves


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda e: services.evaluation_transition(evaluation=e, to="scoring"), "at the decision stage"),
        (lambda e: propose(e), "already waiting for approval"),
    ],
)
def test_a_proposal_needs_the_decision_stage_and_no_other_open_one(worked, setup, message):
    setup(worked)
    before = Award.objects.count()
    with pytest.raises(ValidationError, match=message):
        propose(refreshed(worked))
    assert Award.objects.count() == before


def test_a_proposal_needs_a_rationale_and_a_ranked_bid(worked, procurement):
    with pytest.raises(ValidationError, match="Say why"):
        propose(worked, rationale="   ")
    services.flag_raise(bid=bid(worked, "B"), code="late-bid", note="Arrived after the deadline.", by=procurement)
    with pytest.raises(ValidationError, match="B is disqualified"):
        propose(refreshed(worked), "B")
    assert Award.objects.count() == 0


def test_an_evaluation_with_no_ranked_bid_has_nothing_to_award(procurement):
    evaluation = make_evaluation(procurement)
    only = make_bid(evaluation, "Flagged IT", references_offered=0)  # no-references: disqualified
    evaluation = move_to(evaluation, "collecting_bids", "scoring", "decision")
    with pytest.raises(ValidationError, match="No bid is ranked"):
        services.award_propose(evaluation=evaluation, bid=only, rationale="Only one.", by=procurement)
    assert Award.objects.count() == 0


# --- Decision ----------------------------------------------------------------------------------


def test_an_executive_who_did_not_score_approves_and_the_record_is_fixed(worked, executive):
    award = propose(worked)
    with acting_as(executive):
        award = services.award_decide(award=award, approve=True, comment="Agreed.", by=executive)
    evaluation = refreshed(worked)
    assert evaluation.status == "awarded" and evaluation.is_locked
    assert (award.decision, award.decided_by, award.comment) == ("approved", executive, "Agreed.")
    assert award.ranking_document == services.stored_ranking(evaluation)
    assert award.ranking_digest == record.digest(award.ranking_document)
    assert award.package_digest == record.digest(export.evaluation_export(evaluation))
    assert len(award.package_digest) == len(award.ranking_digest) == 64
    assert services.verification(evaluation, award)["matches"] is True
    # The history names the approver and carries the comment as the reason.
    entries = [e for e in selectors.evaluation_history(evaluation) if e.kind == "Award" and e.action == "update"]
    [approval] = entries
    assert approval.username == "marcus" and approval.reason == "Agreed."
    assert {c.field: c.new for c in approval.changes}["decision"] == "Approved"


@pytest.mark.parametrize("who", ["procurement", "assigned executive", "auditor", "evaluator"])
def test_only_an_executive_who_did_not_score_may_decide(worked, who, procurement, auditor, evaluator):
    award = propose(worked)
    if who == "assigned executive":
        user = make_user("scoring-exec", EXECUTIVE)
        # Assigned before duties were separated (evaluators_add refuses an executive now): old data.
        Assignment.objects.create(evaluation=refreshed(worked), evaluator=user, position=99)
    else:
        user = {"procurement": procurement, "auditor": auditor, "evaluator": evaluator}[who]
    before = scoring_state()
    with pytest.raises(ValidationError, match="Only an executive who did not score"):
        services.award_decide(award=award, approve=True, comment="", by=user)
    assert scoring_state() == before and refreshed(award).decision == "pending"


def test_a_decided_proposal_cant_be_decided_again(worked, executive):
    award = propose(worked)
    services.award_decide(award=award, approve=True, comment="", by=executive)
    other = make_user("second-exec", EXECUTIVE)
    with pytest.raises(ValidationError, match="already decided: approved"):
        services.award_decide(award=award, approve=False, comment="No.", by=other)
    assert refreshed(award).decided_by == executive


def test_a_rejection_needs_a_comment_and_leaves_the_evaluation_open(worked, executive):
    award = propose(worked)
    with pytest.raises(ValidationError, match="Say why the proposal is rejected"):
        services.award_decide(award=award, approve=False, comment=" ", by=executive)
    rejected = services.award_decide(award=award, approve=False, comment="Check B's references first.", by=executive)
    assert rejected.decision == "rejected" and rejected.ranking_digest == ""
    assert refreshed(worked).status == "decision"
    propose(refreshed(worked), "B")  # a new proposal may follow


def test_the_status_form_no_longer_awards(worked, procurement):
    response = client_for(procurement).post(f"/evaluations/{worked.pk}/status/", {"to": "awarded"})
    assert response.status_code == 302 and refreshed(worked).status == "decision"


def test_a_pending_proposal_holds_the_status(worked):
    propose(worked)
    with pytest.raises(ValidationError, match="waiting for an executive's decision"):
        services.evaluation_transition(evaluation=refreshed(worked), to="scoring")


# --- Through the pages -------------------------------------------------------------------------


def test_the_pages_take_the_award_from_proposal_to_approval(worked, procurement, executive):
    url = f"/evaluations/{worked.pk}/award/"
    a = bid(worked, "A")
    owner = client_for(procurement)
    response = owner.post(url + "propose/", {"bid": a.pk, "rationale": "Leads by 13 points."})
    assert response.status_code == 302
    award = Award.objects.get()
    assert award.rationale == "Leads by 13 points."
    page = client_for(executive).get(url)
    assert page.context["can_decide"] is True and "Leads by 13 points." in page.content.decode()
    assert owner.get(url).context["can_decide"] is False  # the proposer never decides
    response = client_for(executive).post(url + f"{award.pk}/decide/", {"decision": "approve", "comment": "Go."})
    assert response.status_code == 302 and refreshed(worked).status == "awarded"
    page = client_for(executive).get(url).content.decode()
    assert refreshed(award).package_digest in page and "The record is as it was approved" in page
    # Bad input on the forms: a clear message, nothing written.
    assert owner.post(url + "propose/", {"bid": "99999999999999999999", "rationale": "x"}).status_code == 302
    assert Award.objects.count() == 1


def test_the_auditor_reads_the_award_but_cant_act(worked, auditor, executive):
    award = propose(worked)
    url = f"/evaluations/{worked.pk}/award/"
    client = client_for(auditor)
    assert client.get(url).status_code == 200
    assert client.post(url + f"{award.pk}/decide/", {"decision": "approve"}).status_code == 403
    assert client.post(url + "propose/", {"bid": bid(worked, "A").pk, "rationale": "x"}).status_code == 403
    assert client.post(f"/evaluations/{worked.pk}/unlock/", {"reason": "x"}).status_code == 403
    assert refreshed(award).decision == "pending"


# --- The lock ----------------------------------------------------------------------------------


@pytest.fixture
def awarded(worked, executive):
    services.award_decide(award=propose(worked), approve=True, comment="", by=executive)
    return refreshed(worked)


def test_the_lock_refuses_a_form_and_records_the_attempt(awarded, procurement):
    a = bid(awarded, "A")
    before = scoring_state()
    response = client_for(procurement).post(
        f"/evaluations/{awarded.pk}/bids/{a.pk}/edit/", bid_form_data(a, monthly_fee=1)
    )
    assert response.status_code == 302
    assert scoring_state() == before
    [attempt] = LockedWriteAttempt.objects.all()
    assert attempt.user == procurement and "bid edit" in attempt.action
    timeline = [e for e in selectors.evaluation_history(awarded) if e.kind == "LockedWriteAttempt"]
    assert timeline and timeline[0].username == "priya"


def test_the_lock_refuses_an_upload_and_records_the_attempt(awarded, procurement):
    a = bid(awarded, "A")
    upload = io.BytesIO(b"%PDF-1.4\n%%EOF\n")
    upload.name = "soc2.pdf"
    before = scoring_state()
    response = client_for(procurement).post(
        f"/evaluations/{awarded.pk}/bids/{a.pk}/documents/new/", {"kind": "proposal", "title": "Late", "file": upload}
    )
    assert response.status_code == 302 and scoring_state() == before
    assert LockedWriteAttempt.objects.filter(evaluation=awarded, user=procurement).count() == 1


def test_the_lock_refuses_the_service_layer_under_any_caller(awarded, procurement):
    # What a management command or a script would call: the same refusal.
    with pytest.raises(services.EvaluationLocked, match="awarded: it is locked"):
        services.bid_update(bid=bid(awarded, "A"), expected_version=bid(awarded, "A").version, monthly_fee=1)
    with services.recording_refusals(procurement, "manage.py shell"), pytest.raises(services.EvaluationLocked):
        services.criteria_update(evaluation=awarded, weights={}, reason="After the fact.")
    attempt = LockedWriteAttempt.objects.get()
    assert attempt.action == "criteria update (manage.py shell)" and attempt.user == procurement


def test_the_lock_refuses_a_command(awarded, capsys):
    with pytest.raises(services.EvaluationLocked):
        call_command(
            "shell",
            command=(
                "from scoring import services; from scoring.models import Evaluation; "
                f"services.evaluation_transition(evaluation=Evaluation.objects.get(pk={awarded.pk}), to='scoring')"
            ),
        )
    assert refreshed(awarded).status == "awarded"


def test_the_admin_cant_change_a_locked_evaluations_records(awarded, admin_user):
    a = bid(awarded, "A")
    client = client_for(admin_user)
    before = scoring_state()
    assert client.post(f"/admin/scoring/bid/{a.pk}/change/", {"monthly_fee": "1"}).status_code == 403
    assert client.post(f"/admin/scoring/evaluation/{awarded.pk}/change/", {"status": "draft"}).status_code == 403
    assert scoring_state() == before


def test_only_an_admin_unlocks_and_the_reason_is_kept(awarded, procurement, admin_user):
    with pytest.raises(ValidationError, match="Only an admin"):
        services.evaluation_unlock(evaluation=awarded, reason="Typo.", by=procurement)
    with pytest.raises(ValidationError, match="Say why"):
        services.evaluation_unlock(evaluation=awarded, reason=" ", by=admin_user)
    response = client_for(admin_user).post(f"/evaluations/{awarded.pk}/unlock/", {"reason": "Wrong bid fee typed in."})
    assert response.status_code == 302
    evaluation = refreshed(awarded)
    assert evaluation.status == "decision" and Award.objects.get().decision == "unlocked"
    [unlock] = [
        e for e in selectors.evaluation_history(evaluation) if e.kind == "Evaluation" and "Unlocked" in e.reason
    ]
    assert unlock.reason == "Unlocked: Wrong bid fee typed in." and unlock.username == admin_user.username
    propose(evaluation)  # and the award can be proposed again


# --- The verifiable record ---------------------------------------------------------------------


def test_canonical_json_is_one_byte_string_per_document():
    assert record.canonical({"b": 1.0, "a": [2.5, 3, None, True], "c": "é"}) == (
        '{"a":[2.5,3,null,true],"b":1,"c":"é"}'.encode()
    )
    assert record.canonical({"x": 0.1 + 0.2}) == b'{"x":0.3}'  # 6 decimals: float noise is gone
    assert record.digest({"a": 1, "b": 2}) == record.digest({"b": 2, "a": 1.0})


def test_the_check_catches_a_deliberate_database_edit(awarded, executive):
    award = Award.objects.get()
    assert services.verification(awarded, award)["matches"]
    # Behind the app's back: one score changed straight in the database (no history, no lock).
    Score.objects.filter(bid__vendor_name="B").update(score=5)
    check = services.verification(refreshed(awarded), award)
    # The documents kept at the lock are intact and still follow from each other; the evaluation's
    # own rows no longer give the kept ranking, and that fails the record.
    assert (check["package_matches"], check["ranking_matches"], check["follows"]) == (True, True, True)
    assert (check["rows_match"], check["matches"]) == (False, False)
    page = client_for(executive).get(f"/evaluations/{awarded.pk}/award/").content.decode()
    assert "The record has changed since it was approved" in page


def test_the_check_catches_an_edit_of_the_kept_record(awarded, executive):
    award = Award.objects.get()
    # Behind the app's back: the kept ranking itself rewritten in the database.
    kept = LockedRecord.objects.get()
    kept.ranking["ranking"][0]["total"] = 99.99
    LockedRecord.objects.filter(pk=kept.pk).update(ranking=kept.ranking)
    check = services.verification(refreshed(awarded), award)
    assert (check["package_matches"], check["ranking_matches"], check["follows"]) == (True, False, False)
    assert check["matches"] is False


def test_the_ranking_digest_ignores_time_passing(awarded):
    # Evidence expiring after the award must not make an untouched record look touched.
    award = Award.objects.get()
    with time_machine.travel(timezone.now() + timedelta(days=800)):
        assert services.verification(awarded, award)["matches"]


# --- The ranking as of a past moment -----------------------------------------------------------


def test_the_ranking_as_of_a_moment_equals_the_ranking_then(procurement, executive):
    start = timezone.now()
    with time_machine.travel(start - timedelta(hours=3), tick=False):
        evaluation = load(procurement, two_bid_package())
    then = services.stored_ranking(evaluation)
    assert [(r["vendor"], r["total"]) for r in then["ranking"]] == [("A", 85.0), ("B", 72.0)]
    with time_machine.travel(start - timedelta(hours=1), tick=False):
        assignment = Assignment.objects.get(evaluation=evaluation)
        services.scorecard_reopen(assignment=assignment, reason="B's SLA was misread.")
        entries = {
            (score.bid_id, score.criterion_id): (5 if score.bid.vendor_name == "B" else 3, "")
            for score in Score.objects.filter(assignment=assignment).select_related("bid")
        }
        services.scorecard_save(assignment=assignment, entries=entries, submit=True)
    now = services.stored_ranking(evaluation)
    # B: quality 100 %, price 100 % → 100; A: quality 60 %, price 50 % → 0.7·60 + 0.3·50 = 57
    assert [(r["vendor"], r["total"]) for r in now["ranking"]] == [("B", 100.0), ("A", 57.0)]
    as_of = ranking.ranking_document(selectors.ranking_input_as_of(evaluation, start - timedelta(hours=2)).data)
    assert as_of == then
    # Between the reopen and the new submission nothing of the scorecard counted.
    response = client_for(executive).get(
        f"/evaluations/{evaluation.pk}/ranking/as-of/",
        {"when": timezone.localtime(start - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.context["past"] == then and response.context["changed"] is True


@pytest.mark.parametrize(
    ("when", "message"),
    [("2001-01-01T00:00", "did not exist yet"), ("not a date", "Give a date and time"), ("2999-01-01T00:00", "future")],
)
def test_the_as_of_page_explains_a_moment_it_cant_show(worked, executive, when, message):
    response = client_for(executive).get(f"/evaluations/{worked.pk}/ranking/as-of/", {"when": when})
    assert response.status_code == 200 and message in response.context["error"]


# --- Letters and evidence ----------------------------------------------------------------------


def test_the_debrief_shows_the_bid_only_its_own_results(awarded, procurement):
    b = bid(awarded, "B")
    response = client_for(procurement).get(f"/evaluations/{awarded.pk}/award/debrief/{b.pk}/")
    text = response.content.decode()
    assert response.status_code == 200 and "#2 of 2" in text and "72.00" in text
    # B by category: Service (quality) 60 %, weight 70 %; Cost (price) 100 %, weight 30 %.
    rows = [(c["category"], round(c["percentage"], 2), round(c["share"], 2)) for c in response.context["categories"]]
    assert rows == [("Service", 60, 70), ("Cost", 100, 30)]
    # Nothing about any other bid: not the winner's name, not its score.
    assert response.context["row"]["vendor"] == "B" and "85.00" not in text and ">A<" not in text
    letter = client_for(procurement).get(f"/evaluations/{awarded.pk}/award/letter/").content.decode()
    assert "85.00" in letter and "selected your fully managed" in letter


def test_letters_exist_only_after_an_approved_award(worked, procurement):
    assert client_for(procurement).get(f"/evaluations/{worked.pk}/award/letter/").status_code == 404
    b = bid(worked, "B")
    assert client_for(procurement).get(f"/evaluations/{worked.pk}/award/debrief/{b.pk}/").status_code == 404


def test_the_evidence_zip_holds_the_whole_record(awarded, auditor):
    response = client_for(auditor).get(f"/evaluations/{awarded.pk}/evidence.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.getvalue()))
    assert sorted(archive.namelist()) == [
        "README.txt",
        "award.json",
        "conflicts-of-interest.csv",
        "declarations.csv",
        "documents/SHA256SUMS",
        "documents/documents.csv",
        "history.csv",
        "package.json",
        "ranking.json",
    ]
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    award = json.loads(archive.read("award.json"))["awards"][0]
    stored = Award.objects.get()
    assert (award["decision"], award["ranking_sha256"], award["package_sha256"]) == (
        "approved",
        stored.ranking_digest,
        stored.package_digest,
    )
    assert record.digest(json.loads(archive.read("ranking.json"))) == stored.ranking_digest
    assert archive.read("history.csv").decode().splitlines()[0] == "when,who,action,record,changes,reason"


# --- Append-only history on PostgreSQL ---------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_history_rows_cant_be_changed_or_deleted_on_postgresql(awarded):
    from django.db import DatabaseError, transaction

    for statement in (
        "UPDATE scoring_historicalaward SET comment = 'rewritten'",
        "DELETE FROM scoring_historicalscore",
        "UPDATE scoring_historicalevaluation SET status = 'draft'",
    ):
        with (
            pytest.raises(DatabaseError, match="history is append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert Award.history.filter(comment="rewritten").count() == 0


def test_every_history_table_is_guarded():
    from core import append_only

    tables = append_only.history_tables()
    assert {"scoring_historicalaward", "scoring_historicalscore", "vendors_historicalmsp"} <= set(tables)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT event_object_table FROM information_schema.triggers WHERE trigger_name = 'history_append_only'"
            )
            guarded = {row[0] for row in cursor.fetchall()}
        assert set(tables) <= guarded


def test_an_evaluator_never_reaches_the_record(awarded, evaluator):
    services_user = make_user("assigned-later", EVALUATOR)
    assert services_user  # an unassigned evaluator: out of scope
    for suffix in ("award/", "evidence.zip", "ranking/as-of/", "award/letter/"):
        assert client_for(services_user).get(f"/evaluations/{awarded.pk}/{suffix}").status_code == 404
    assert Evaluation.objects.get(pk=awarded.pk).status == "awarded"
