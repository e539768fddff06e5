"""Imports keep their provenance: who loaded which file, how, and what came from it.

Issue 14, hole 2: a web upload at ``"status": "awarded"`` created an evaluation awarded and
locked with no proposal, no executive decision and no digests; ``load_evaluation`` did the same
with no award record at all. Now the upload refuses ``awarded`` (path ``evaluation.status``), the
command loads an archive with an award marked LOADED and fingerprinted at load, every load keeps
a ``PackageLoad``, and scores and submissions from a package are shown as the importer's.

New models and fields (``PackageLoad``, ``from_package`` …) are imported inside the tests that
read them, so the rest of this file also runs on code that predates them.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import dateformat, timezone

from scoring import record, services
from scoring.models import Assignment, Award, Evaluation, Score
from scoring.package import PackageError, export, loads, parse_package
from tests.conftest import client_for

from .factories import award_leader, contract_example, load, package_bid, refreshed, row_counts, stored_document

SHA_LEN = 64


def awarded(**award) -> dict:
    """The contract's example as an archive at ``awarded``, with the ``award`` key if given."""
    data = contract_example()
    data["evaluation"]["status"] = "awarded"
    if award:
        data["award"] = award
    return data


def command_load(tmp_path, data: dict | str, *options: str) -> tuple[Evaluation, bytes]:
    """Load through ``load_evaluation``; the evaluation and the exact bytes of the file."""
    raw = (data if isinstance(data, str) else json.dumps(data, indent=1)).encode()
    path = tmp_path / "package.json"
    path.write_bytes(raw)
    out = io.StringIO()
    call_command("load_evaluation", str(path), *options, stdout=out, stderr=io.StringIO())
    return Evaluation.objects.get(pk=int(out.getvalue().strip().splitlines()[-1])), raw


def command_errors(tmp_path, data: dict) -> list[str]:
    path = tmp_path / "package.json"
    path.write_text(json.dumps(data))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_evaluation", str(path), stdout=io.StringIO(), stderr=err)
    return err.getvalue().splitlines()


def upload(client, raw: bytes):
    return client.post("/evaluations/import/", {"package": SimpleUploadedFile("package.json", raw)})


def day(moment) -> str:
    """A moment as the pages write a day ("3 Dec 2026")."""
    return dateformat.format(timezone.localtime(moment), "j M Y")


@pytest.fixture
def admin(db) -> User:
    """The first superuser, the command's default owner (no password: no test logs in as them)."""
    return User.objects.create_superuser("ada", "ada@example.com", None, first_name="Ada")


# --- The web upload refuses an archive at awarded ------------------------------------------------


def test_the_upload_refuses_an_awarded_package_and_writes_nothing(procurement):
    before = row_counts()

    response = upload(client_for(procurement), json.dumps(awarded()).encode())

    assert response.status_code == 400
    assert response.context["problems"] == [
        "evaluation.status: only the operator's load_evaluation loads an archive as awarded; "
        "an upload may not (an award here is proposed by the owner and approved by an executive)"
    ]
    assert "only the operator&#x27;s load_evaluation loads an archive as awarded" in response.text
    assert row_counts() == before


def test_the_upload_refuses_an_awarded_package_even_stating_its_award(admin_user):
    before = row_counts()

    response = upload(client_for(admin_user), json.dumps(awarded(winner="Acme Managed IT")).encode())

    assert response.status_code == 400
    assert [p.split(":")[0] for p in response.context["problems"]] == ["evaluation.status"]
    assert row_counts() == before


def test_the_upload_loads_other_statuses_with_their_provenance(procurement):
    from scoring.models import PackageLoad

    raw = json.dumps(contract_example(), indent=2).encode()

    response = upload(client_for(procurement), raw)

    evaluation = Evaluation.objects.get()
    assert response.status_code == 302
    load_record = PackageLoad.objects.get(evaluation=evaluation)
    assert (load_record.loaded_by, load_record.door, load_record.status) == (procurement, "web", "scoring")
    assert load_record.sha256 == hashlib.sha256(raw).hexdigest()
    assert not Award.objects.exists()


# --- The command loads an archive at awarded, with an award marked LOADED -------------------------


def test_the_command_loads_an_archive_with_a_loaded_award_fingerprinted_at_load(tmp_path, admin):
    from scoring.models import LockedRecord, PackageLoad

    evaluation, raw = command_load(tmp_path, awarded())

    assert evaluation.status == "awarded" and evaluation.is_locked
    award = Award.objects.get(evaluation=evaluation)
    sha = hashlib.sha256(raw).hexdigest()
    assert award.decision == "loaded"
    assert award.bid is None  # the package states no winner: none is invented
    assert (award.proposed_by, award.decided_by) == (admin, admin)
    assert award.decided_at is not None and award.decided_on == timezone.localdate()
    assert award.rationale == (
        f"Loaded from a package (SHA-256 {sha}): nobody proposed or approved this award in this app."
    )
    assert award.ranking_document == stored_document(evaluation)
    assert award.ranking_digest == record.digest(award.ranking_document)
    assert award.package_digest == record.digest(export.evaluation_export(evaluation))
    assert len(award.package_digest) == len(award.ranking_digest) == SHA_LEN
    load_record = PackageLoad.objects.get(evaluation=evaluation)
    assert (load_record.loaded_by, load_record.door, load_record.status, load_record.sha256) == (
        admin,
        "command",
        "awarded",
        sha,
    )
    kept = LockedRecord.objects.get(evaluation=evaluation, released_at__isnull=True)
    assert kept.award == award
    assert (kept.package_digest, kept.ranking_digest) == (award.package_digest, award.ranking_digest)
    # Still locked like any awarded evaluation.
    with pytest.raises(services.EvaluationLocked):
        services.ensure_writable(evaluation)


def test_a_stated_winner_is_the_loaded_awards_bid_matched_ignoring_case(tmp_path, admin):
    data = awarded(winner="acme MANAGED it", rationale="Best value over the term.")

    evaluation, raw = command_load(tmp_path, data)

    award = Award.objects.get(evaluation=evaluation)
    assert award.bid == evaluation.bids.get(vendor_name="Acme Managed IT")
    assert award.rationale == (
        f"Loaded from a package (SHA-256 {hashlib.sha256(raw).hexdigest()}): nobody proposed or approved this "
        "award in this app.\nThe package's rationale: Best value over the term."
    )
    assert export.evaluation_export(evaluation)["award"] == {
        "winner": "Acme Managed IT",
        "rationale": "Best value over the term.",
    }


def test_a_cancelled_archive_is_locked_with_its_record_and_no_award(tmp_path, admin):
    from scoring.models import LockedRecord

    data = contract_example()
    data["evaluation"]["status"] = "cancelled"

    evaluation, _ = command_load(tmp_path, data)

    assert evaluation.is_locked and not Award.objects.exists()
    kept = LockedRecord.objects.get(evaluation=evaluation)
    assert kept.award is None and kept.status == "cancelled"


def test_a_caller_of_the_service_still_loads_as_before(admin):
    from scoring.models import PackageLoad

    evaluation = load(admin, awarded())  # evaluation_load(package=..., owner=...): tests and the bench

    assert Award.objects.get(evaluation=evaluation).decision == "loaded"
    load_record = PackageLoad.objects.get(evaluation=evaluation)
    assert (load_record.door, load_record.sha256) == ("command", "")


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (
            lambda d: d.__setitem__("award", {"winner": "Acme Managed IT"}),
            "award: only a package at evaluation.status awarded states an award; this one is at scoring",
        ),
        (
            lambda d: (d["evaluation"].__setitem__("status", "awarded"), d.__setitem__("award", {"winner": "Nobody"})),
            "award.winner: no bid from 'Nobody'",
        ),
        (
            lambda d: (
                d["evaluation"].__setitem__("status", "awarded"),
                d["bids"][0].__setitem__("references_offered", 0),
                d.__setitem__("award", {"winner": "Acme Managed IT"}),
            ),
            "award.winner: Acme Managed IT is disqualified (no-references): only a ranked bid can win",
        ),
        (
            lambda d: (
                d["evaluation"].__setitem__("status", "awarded"),
                d.__setitem__("award", {"winner": "Acme Managed IT", "colour": "gold"}),
            ),
            "award.colour: unknown key",
        ),
        (
            lambda d: (d["evaluation"].__setitem__("status", "awarded"), d.__setitem__("award", ["Acme"])),
            "award: must be an object",
        ),
    ],
    ids=["not-awarded", "unknown-winner", "disqualified-winner", "unknown-key", "not-an-object"],
)
def test_the_award_key_is_validated_with_its_path_and_nothing_is_written(tmp_path, admin, mutate, error):
    data = contract_example()
    mutate(data)
    before = row_counts()

    with pytest.raises(PackageError) as refused:
        parse_package(loads(json.dumps(data)))
    assert refused.value.errors == [error]
    assert command_errors(tmp_path, data) == [error]
    assert row_counts() == before


# --- Export and load again ------------------------------------------------------------------------


def test_the_award_round_trips_through_export_and_load(tmp_path, admin):
    first, _ = command_load(tmp_path, awarded(winner="Acme Managed IT", rationale="Best value."))
    exported = export.evaluation_export(first)

    second, _ = command_load(tmp_path, exported)

    assert exported["award"] == {"winner": "Acme Managed IT", "rationale": "Best value."}
    assert Award.objects.get(evaluation=second).bid.vendor_name == "Acme Managed IT"
    assert export.evaluation_export(second)["award"] == exported["award"]
    assert stored_document(second) == stored_document(first)


def test_an_archive_without_a_winner_exports_no_award(tmp_path, admin):
    evaluation, _ = command_load(tmp_path, awarded())

    assert "award" not in export.evaluation_export(evaluation)


def test_an_approved_award_is_exported_and_its_digest_still_verifies(admin, executive):
    data = contract_example()
    data["evaluation"]["status"] = "decision"
    evaluation = load(admin, data)

    award = award_leader(evaluation, approver=executive)

    package = export.evaluation_export(refreshed(evaluation))
    assert package["award"] == {"winner": "Acme Managed IT", "rationale": "Ranked first."}
    assert award.package_digest == record.digest(package)
    assert services.verification(refreshed(evaluation), refreshed(award))["matches"] is True


def test_an_open_evaluation_exports_no_award(admin):
    assert "award" not in export.evaluation_export(load(admin, contract_example()))


# --- Provenance marks ------------------------------------------------------------------------------


def drafts_and_submissions() -> dict:
    """The example with a second evaluator, bob, whose score is a draft (not submitted)."""
    data = contract_example()
    data["evaluators"].append({"username": "bob", "name": "Bob Stone", "email": "bob@example.com"})
    data["scores"].append({"evaluator": "bob", "vendor": "Acme Managed IT", "criterion": "sla-guarantee", "score": 2})
    return data


def test_loaded_scores_and_submissions_are_marked_and_their_history_says_so(tmp_path, admin):
    evaluation, raw = command_load(tmp_path, drafts_and_submissions())

    reason = f"loaded from a package (SHA-256 {hashlib.sha256(raw).hexdigest()[:12]}…)"
    alice, bob = Assignment.objects.filter(evaluation=evaluation).order_by("position")
    assert (alice.submitted_from_package, bob.submitted_from_package) == (True, False)
    assert set(Score.objects.filter(bid__evaluation=evaluation).values_list("from_package", flat=True)) == {True}
    for model in (Score, Assignment):
        rows = model.history.filter(
            **({"bid__evaluation": evaluation} if model is Score else {"evaluation": evaluation})
        )
        assert {(r.history_type, r.history_user, r.history_change_reason) for r in rows} == {("+", admin, reason)}
    assert Evaluation.history.get(id=evaluation.pk).history_change_reason == reason


def test_a_score_the_evaluator_changes_is_theirs_and_a_reopened_scorecard_no_longer_from_the_package(tmp_path, admin):
    evaluation, _ = command_load(tmp_path, drafts_and_submissions())
    alice, bob = Assignment.objects.filter(evaluation=evaluation).order_by("position")
    (bob_score,) = Score.objects.filter(assignment=bob)

    services.scorecard_save(assignment=bob, entries={(bob_score.bid_id, bob_score.criterion_id): (3, "")})
    services.scorecard_reopen(assignment=alice, reason="Alice asked to look again.")

    bob_score = refreshed(bob_score)
    assert (bob_score.score, bob_score.from_package) == (3, False)
    assert refreshed(alice).submitted_from_package is False
    # Alice's own score, untouched, still came from the package.
    assert Score.objects.get(assignment=alice).from_package is True


def test_an_unchanged_score_saved_again_stays_from_the_package(tmp_path, admin):
    evaluation, _ = command_load(tmp_path, drafts_and_submissions())
    bob = Assignment.objects.get(evaluation=evaluation, evaluator__username="bob")
    (bob_score,) = Score.objects.filter(assignment=bob)

    services.scorecard_save(assignment=bob, entries={(bob_score.bid_id, bob_score.criterion_id): (2, "")})

    assert refreshed(bob_score).from_package is True


# --- The pages say who entered what ----------------------------------------------------------------


@pytest.fixture
def uploaded(procurement):
    """Uploaded by Priya: alice submitted (score 4 on Acme), bob's 2 a draft."""
    response = upload(client_for(procurement), json.dumps(drafts_and_submissions()).encode())
    assert response.status_code == 302
    return Evaluation.objects.get()


def test_the_scorecard_page_shows_the_importer_entered_the_scores(uploaded):
    from scoring.models import PackageLoad

    loaded = PackageLoad.objects.get(evaluation=uploaded)
    alice = User.objects.get(username="alice")

    text = client_for(alice).get(f"/evaluations/{uploaded.pk}/scorecard/").text

    assert f"Submitted from a package: entered by Priya on {day(loaded.loaded_at)}" in text
    assert "This evaluation was loaded from a package by Priya" in text
    # Each score the package brought is marked, naming who entered it and when: alice's one score.
    assert text.count('data-testid="from-package"') == 1
    assert f'title="Entered by Priya from a package on {day(loaded.loaded_at)}">from a package</span>' in text


def test_the_consensus_page_shows_scores_from_a_package_as_the_importers(uploaded, procurement):
    from scoring.models import PackageLoad

    loaded = PackageLoad.objects.get(evaluation=uploaded)

    text = client_for(procurement).get(f"/evaluations/{uploaded.pk}/consensus/").text

    assert 'data-testid="from-package">†</sup>' in text
    assert f"† From a package: entered by Priya on {day(loaded.loaded_at)}, not by the evaluator in the app." in text
    assert f"Alice Ng (alice): submitted from a package: entered by Priya on {day(loaded.loaded_at)}." in text


def test_the_dashboard_lists_a_submission_from_a_package_as_the_importers(uploaded, procurement):
    from scoring.models import PackageLoad

    loaded = PackageLoad.objects.get(evaluation=uploaded)

    text = client_for(procurement).get(f"/evaluations/{uploaded.pk}/").text

    assert f"(submitted from a package: entered by Priya on {day(loaded.loaded_at)})" in text


def test_the_history_page_shows_the_load_and_the_importer_as_the_author(uploaded, procurement):
    from scoring.models import PackageLoad

    loaded = PackageLoad.objects.get(evaluation=uploaded)

    response = client_for(procurement).get(f"/evaluations/{uploaded.pk}/history/")

    assert f"Loaded from a package by Priya on {day(loaded.loaded_at)}" in response.text
    assert loaded.sha256 in response.text
    scores = [e for e in response.context["entries"] if e.kind == "Score"]
    assert scores and {(e.who, e.reason) for e in scores} == {
        ("Priya", f"loaded from a package (SHA-256 {loaded.sha256[:12]}…)")
    }
    assert any(e.kind == "PackageLoad" for e in response.context["entries"])


# --- Dates never refuse a loaded package -----------------------------------------------------------


def dated_package(status: str) -> dict:
    """Deadlines years ago, the winner's only evidence expired, reference checks long ago."""
    data = contract_example()
    data["evaluation"].update(
        {"status": status, "bids_due": "2019-01-15", "scoring_due": "2019-02-01", "decision_due": "2019-02-15"}
    )
    data["bids"][0]["documents"] = [
        {
            "kind": "evidence",
            "name": "baa-2018.pdf",
            "size": 1000,
            "sha256": "a" * 64,
            "requirement": "hipaa-baa",
            "expires_on": "2019-06-30",
            "withdrawn": False,
        }
    ]
    data["bids"][0]["reference_checks"] = [
        {"client": "Westside Pediatrics", "checked_on": "2018-11-02", "checked_by": None, "outcome": "positive"}
    ]
    data["bids"].append(package_bid("Second Choice IT", requirements_met=["hipaa-baa"]))
    if status == "awarded":
        data["award"] = {"winner": "Acme Managed IT", "rationale": "Chosen in 2019."}
    return data


def test_a_dated_package_loads_through_the_command(tmp_path, admin):
    evaluation, _ = command_load(tmp_path, dated_package("awarded"))

    assert evaluation.decision_due == date(2019, 2, 15)
    award = Award.objects.get(evaluation=evaluation)
    assert award.bid.vendor_name == "Acme Managed IT"
    # The evidence has expired since: today's ranking says so, and the archive still loads.
    acme = next(r for r in stored_document(evaluation)["ranking"] if r["vendor"] == "Acme Managed IT")
    assert acme["red_flags"] == ["unmet:hipaa-baa"]
    assert evaluation.bids.get(vendor_name="Acme Managed IT").reference_checks.get().checked_on == date(2018, 11, 2)


def test_a_dated_package_loads_through_the_upload(procurement):
    response = upload(client_for(procurement), json.dumps(dated_package("decision")).encode())

    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert (evaluation.status, evaluation.scoring_due) == ("decision", date(2019, 2, 1))


# --- Reminders after a loaded award ---------------------------------------------------------------


def test_reminders_skip_a_loaded_award_without_a_winner_and_count_one_with_a_winner(tmp_path, admin):
    from notifications import reminders

    no_winner, _ = command_load(tmp_path, awarded())
    stated = copy.deepcopy(awarded(winner="Acme Managed IT"))
    stated["evaluation"]["title"] = "Archive with its winner"
    with_winner, _ = command_load(tmp_path, stated)
    today = timezone.localdate()

    # Acme's 36-month term, counted from the load: notice 90 days before it ends.
    award = Award.objects.get(evaluation=with_winner)
    end = reminders.add_months(award.decided_on, 36)
    found = reminders.after_award(end - timedelta(days=10))
    assert {(d.rule, d.evaluation.pk) for d in found} == {("contract-ending", with_winner.pk)}
    assert reminders.after_award(today) == []
    assert reminders.evidence_expiring(today) == []
    assert Award.objects.get(evaluation=no_winner).bid is None


def test_the_award_page_of_a_loaded_archive_shows_the_loaded_award(tmp_path, admin):
    from scoring.models import PackageLoad

    evaluation, _ = command_load(tmp_path, awarded())

    response = client_for(admin).get(f"/evaluations/{evaluation.pk}/award/")

    assert response.status_code == 200
    section = response.text.split('data-testid="loaded"')[1].split("</section>")[0]
    assert "Awarded: loaded from a package that does not state its winner" in section
    assert "Nobody proposed or approved this award in this app" in section
    assert "by Ada on " in section and PackageLoad.objects.get(evaluation=evaluation).sha256 in section
    assert "An award is proposed once the evaluation is at the decision stage" not in response.text
    assert client_for(admin).get(f"/evaluations/{evaluation.pk}/evidence.zip").status_code == 200
