"""A locked record nothing moves: every door tried after an award.

At the lock (an approved award, a cancellation) the package and ranking documents are kept as
they stand. Afterwards the registry stays editable for everything else, but nothing written
anywhere (a registry form, the admin, an upload, a command, the reminder schedule) changes what
the locked evaluation serves: ``package.json``, ``ranking.json``/``.csv``/``.xlsx``,
``export_evaluation``, ``rank``, ``evidence.zip`` stay byte for byte as they were (the workbook:
its values), and the award page still says the record matches. Writes to the evaluation itself
are refused and the refusal is kept; registry edits appear in the evaluation's history.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.roles import EVALUATOR
from scoring import models as scoring_models
from scoring import record, services
from scoring.models import Award, Bid, Evaluation, LockedWriteAttempt, QuestionTemplate, RequirementTemplate
from scoring.package import export
from tests.conftest import client_for, make_user
from tests.scoring.factories import (
    award_leader,
    make_bid,
    make_evaluation,
    make_msp,
    move_to,
    package_bid,
    refreshed,
    running_evaluation,
    scored_package,
)
from vendors import services as vendor_services
from vendors.models import MSP, ClientReference, Contact

pytestmark = pytest.mark.django_db


# --- The locked evaluation and what it serves --------------------------------------------------


@pytest.fixture
def scorer(db) -> User:
    """The evaluator who submitted: named in the package (name and email) as they stood at the lock."""
    return make_user("sam", EVALUATOR)


@pytest.fixture
def locked(procurement, evaluator, scorer, auditor) -> SimpleNamespace:
    """An awarded evaluation that draws on the registry in every way a package shows.

    Acme's bid wins; it carries a reference check on its client reference "Westside Pediatrics"
    (the package names the client); Harbor Tech was invited and never bid (the package names it
    as the registry does); Sam submitted (the package carries his name and email).
    """
    running = running_evaluation(procurement, evaluator, scorer)
    evaluation = running.evaluation
    reference = vendor_services.reference_create(
        msp=running.acme.msp, client="Westside Pediatrics", contact_name="Dr Ruiz", industry="healthcare"
    )
    contact = vendor_services.contact_create(msp=running.acme.msp, name="Jo Acme", email="jo@acme.example")
    services.reference_check_create(
        bid=running.acme,
        reference=reference,
        checked_on=date.today(),
        outcome="positive",
        notes="Answers within the hour.",
        by=procurement,
    )
    vendor_services.msp_update(
        msp=running.acme.msp, expected_version=running.acme.msp.version, website="https://acme.example"
    )
    invited = make_msp("Harbor Tech")
    services.candidate_invite(evaluation=evaluation, msps=[invited], by=procurement)
    services.flag_withdraw(flag=running.flag, reason="Invoices were on time after all.")  # Acme leads
    evaluation = move_to(refreshed(evaluation), "decision", "awarded")
    reader = client_for(auditor)
    return SimpleNamespace(
        evaluation=evaluation,
        acme=refreshed(running.acme),
        reference=refreshed(reference),
        contact=refreshed(contact),
        invited=refreshed(invited),
        reader=reader,
        before=documents(reader, evaluation),
    )


def base(evaluation: Evaluation) -> str:
    return f"/evaluations/{evaluation.pk}"


def command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def sheet_values(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def zipped(content: bytes, *names: str) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in names}


def documents(client: Client, evaluation: Evaluation) -> dict[str, Any]:
    """Every door that serves the record, as it answers now (the workbook: its values)."""
    found: dict[str, Any] = {}
    for name in ("package.json", "ranking.json", "ranking.csv"):
        response = client.get(f"{base(evaluation)}/{name}")
        assert response.status_code == 200, name
        found[name] = response.content
    found["ranking.xlsx"] = sheet_values(client.get(f"{base(evaluation)}/ranking.xlsx").content)
    found["evidence.zip"] = zipped(
        client.get(f"{base(evaluation)}/evidence.zip").getvalue(), "package.json", "ranking.json"
    )
    found["export_evaluation"] = command("export_evaluation", str(evaluation.pk))
    found["rank"] = command("rank", str(evaluation.pk))
    found["rank --format csv"] = command("rank", str(evaluation.pk), "--format", "csv")
    return found


def award_page(client: Client, evaluation: Evaluation) -> str:
    response = client.get(f"{base(evaluation)}/award/")
    assert response.status_code == 200
    return response.content.decode()


def assert_record_unmoved(locked: SimpleNamespace) -> None:
    after = documents(locked.reader, locked.evaluation)
    for door, served in locked.before.items():
        assert after[door] == served, f"{door} moved"
    assert "The record is as it was approved" in award_page(locked.reader, locked.evaluation)


def package_served(locked: SimpleNamespace) -> dict:
    return json.loads(locked.before["package.json"])


def posted(data: dict[str, Any]) -> dict[str, Any]:
    """A browser's POST: ticked boxes "on", unticked ones and None left out or empty."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is False or value is None:
            continue
        out[key] = "on" if value is True else value
    return out


def msp_form(msp: MSP, **changes: Any) -> dict[str, Any]:
    data = {name: getattr(msp, name) for name in vendor_services.MSP_FIELDS}
    data.update(specialties=[s.pk for s in msp.specialties.all()], version=msp.version, **changes)
    return posted(data)


def reference_form(reference: ClientReference, **changes: Any) -> dict[str, Any]:
    data = {name: getattr(reference, name) for name in vendor_services.REFERENCE_FIELDS}
    data.update(version=reference.version, **changes)
    if data["checked_on"]:
        data["checked_on"] = data["checked_on"].isoformat()
    return posted(data)


def contact_form(contact: Contact | None = None, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "New Contact", "title": "", "email": "", "phone": "", "is_primary": False}
    if contact is not None:
        data = {name: getattr(contact, name) for name in vendor_services.CONTACT_FIELDS}
        data["version"] = contact.version
    data.update(changes)
    return posted(data)


def admin_form(client: Client, url: str, /, **changes: Any) -> dict[str, Any]:
    """An admin change form as the browser posts it: the values it was opened with, and ``changes``."""
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value is not False and value is not None}
    return {**data, **changes}


# --- At the lock -------------------------------------------------------------------------------


def test_the_lock_keeps_the_documents_with_the_awards_digests(locked):
    evaluation = locked.evaluation
    kept = services.kept_record(evaluation)
    award = Award.objects.get(evaluation=evaluation)
    assert (kept.status, kept.award, kept.released_at) == ("awarded", award, None)
    assert (kept.package_digest, kept.ranking_digest) == (award.package_digest, award.ranking_digest)
    assert kept.package_digest == record.digest(kept.package) == record.digest(export.evaluation_export(evaluation))
    assert kept.ranking == award.ranking_document == services.stored_ranking(evaluation)
    # The downloads and commands serve the kept documents.
    assert json.loads(locked.before["package.json"]) == kept.package
    assert json.loads(locked.before["ranking.json"]) == kept.ranking
    assert json.loads(locked.before["export_evaluation"]) == kept.package
    assert package_served(locked)["bids"][0]["reference_checks"][0]["client"] == "Westside Pediatrics"
    # One history row for the approval: the record gave the digests the award already had.
    assert Award.history.filter(id=award.pk, history_type="~").count() == 1


def test_a_second_lock_keeps_the_record_it_has(locked):
    kept = services.kept_record(locked.evaluation)
    again = services.lock_record(evaluation=locked.evaluation)
    assert again == kept and scoring_models.LockedRecord.objects.count() == 1


# --- Registry forms, as procurement ------------------------------------------------------------


def rename_invited_msp(locked, client) -> Any:
    return client.post(f"/vendors/{locked.invited.pk}/edit/", msp_form(locked.invited, name="Harbor Tech Group"))


def rename_winning_msp(locked, client) -> Any:
    msp = locked.acme.msp
    return client.post(f"/vendors/{msp.pk}/edit/", msp_form(msp, name="Acme Holdings", website="https://new.example"))


def add_contact(locked, client) -> Any:
    return client.post(f"/vendors/{locked.acme.msp_id}/contacts/new/", contact_form(name="Kim New"))


def edit_contact(locked, client) -> Any:
    url = f"/vendors/{locked.acme.msp_id}/contacts/{locked.contact.pk}/edit/"
    return client.post(url, contact_form(locked.contact, name="Jo Renamed", email="jo@new.example"))


def add_reference(locked, client) -> Any:
    return client.post(f"/vendors/{locked.acme.msp_id}/references/new/", reference_form(ClientReference(client="X")))


def rename_reference(locked, client) -> Any:
    url = f"/vendors/{locked.acme.msp_id}/references/{locked.reference.pk}/edit/"
    return client.post(url, reference_form(locked.reference, client="Westside Kids Clinic"))


def archive_reference(locked, client) -> Any:
    url = f"/vendors/{locked.acme.msp_id}/references/{locked.reference.pk}/archive/"
    return client.post(url, {"version": locked.reference.version})


REGISTRY_FORMS = {
    "rename the invited MSP": rename_invited_msp,
    "rename the winner's MSP, change its website": rename_winning_msp,
    "add a contact": add_contact,
    "edit a contact": edit_contact,
    "add a client reference": add_reference,
    "rename the client reference a check named": rename_reference,
    "archive that reference": archive_reference,
}
# The doors through which today's export of the evaluation would read something new.
MOVES_THE_EXPORT = {"rename the invited MSP", "rename the client reference a check named"}


@pytest.mark.parametrize("door", list(REGISTRY_FORMS))
def test_a_registry_form_saves_and_moves_nothing_of_the_locked_record(locked, procurement, door):
    response = REGISTRY_FORMS[door](locked, client_for(procurement))

    assert response.status_code == 302, door  # the registry stays editable
    if door in MOVES_THE_EXPORT:  # the door is real: read today, the package would differ
        assert export.evaluation_export(refreshed(locked.evaluation)) != package_served(locked)
    assert_record_unmoved(locked)
    assert not LockedWriteAttempt.objects.exists()  # nothing of the evaluation was written


# --- The admin ---------------------------------------------------------------------------------


def admin_msp(locked, client) -> Any:
    url = f"/admin/vendors/msp/{locked.invited.pk}/change/"
    return client.post(url, admin_form(client, url, name="Harbor Tech Renamed"))


def admin_reference(locked, client) -> Any:
    url = f"/admin/vendors/clientreference/{locked.reference.pk}/change/"
    return client.post(url, admin_form(client, url, client="Westside (admin)"))


def admin_question(locked, client) -> Any:
    question = QuestionTemplate.objects.filter(model="fully_managed").order_by("pk").first()
    url = f"/admin/scoring/questiontemplate/{question.pk}/change/"
    return client.post(url, admin_form(client, url, text="Reworded after the award?", category="Renamed"))


def admin_requirement(locked, client) -> Any:
    requirement = RequirementTemplate.objects.order_by("pk").first()
    url = f"/admin/scoring/requirementtemplate/{requirement.pk}/change/"
    return client.post(url, admin_form(client, url, text="Reworded after the award"))


def admin_user_names(locked, client) -> Any:
    sam = User.objects.get(username="sam")
    url = f"/admin/auth/user/{sam.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        "username": sam.username,
        "first_name": "Samuel",
        "last_name": "Renamed",
        "email": "samuel@new.example",
        "is_active": "on",
        "groups": [g.pk for g in sam.groups.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": sam.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": sam.date_joined.strftime("%H:%M:%S"),
        "version": form["version"].value(),
    }
    return client.post(url, data)


ADMIN_DOORS = {
    "an MSP": admin_msp,
    "a client reference": admin_reference,
    "a question template": admin_question,
    "a requirement template": admin_requirement,
    "a user's names and email": admin_user_names,
}
MOVES_THE_EXPORT_TOO = {"an MSP", "a client reference", "a user's names and email"}


@pytest.mark.parametrize("door", list(ADMIN_DOORS))
def test_an_admin_edit_saves_and_moves_nothing_of_the_locked_record(locked, admin_user, door):
    response = ADMIN_DOORS[door](locked, client_for(admin_user))

    assert response.status_code == 302, (door, response.content[:2000])
    if door in MOVES_THE_EXPORT_TOO:
        assert export.evaluation_export(refreshed(locked.evaluation)) != package_served(locked)
    assert_record_unmoved(locked)


@pytest.mark.parametrize(
    ("model", "obj"),
    [
        ("evaluation", lambda locked: locked.evaluation),
        ("bid", lambda locked: locked.acme),
        ("award", lambda locked: Award.objects.get(evaluation=locked.evaluation)),
        ("lockedrecord", lambda locked: scoring_models.LockedRecord.objects.get()),
    ],
)
def test_the_admin_refuses_writes_to_the_locked_evaluations_records(locked, admin_user, model, obj):
    client = client_for(admin_user)
    url = f"/admin/scoring/{model}/{obj(locked).pk}/change/"
    assert client.get(url).status_code == 200  # readable
    assert client.post(url, {"status": "decision", "monthly_fee": "1"}).status_code == 403
    assert client.post(f"/admin/scoring/{model}/add/", {}).status_code == 403
    assert_record_unmoved(locked)


def test_the_admin_lists_locked_records_and_package_loads_to_read_only(locked, admin_user):
    client = client_for(admin_user)
    listing = client.get("/admin/scoring/lockedrecord/")
    assert listing.status_code == 200 and locked.evaluation.title in listing.content.decode()
    assert client.get("/admin/scoring/packageload/").status_code == 200
    assert client.get("/admin/scoring/packageload/add/").status_code == 403


# --- An upload and the commands ----------------------------------------------------------------


def another_package() -> dict[str, Any]:
    """Another evaluation naming the same MSP, the same client (in other case), and the same people."""
    data = scored_package(2, evaluators=("sam", "newcomer"))
    data["evaluators"][0].update(name="Somebody Else", email="else@example.com")
    data["bids"][0] = package_bid(
        "acme managed it",
        reference_checks=[{"client": "WESTSIDE PEDIATRICS", "checked_on": "2026-01-05", "outcome": "negative"}],
    )
    data["scores"] = [s for s in data["scores"] if s["vendor"] != "Vendor 00"]
    data["candidates"] = [{"vendor": "HARBOR TECH", "status": "declined", "note": "Too busy."}]
    return data


def test_an_upload_of_another_evaluation_moves_nothing_of_the_locked_record(locked, procurement):
    upload = SimpleUploadedFile("package.json", json.dumps(another_package()).encode(), "application/json")
    response = client_for(procurement).post("/evaluations/import/", {"package": upload})
    assert response.status_code == 302, response.content[:3000]
    assert Evaluation.objects.count() == 2
    assert_record_unmoved(locked)


def test_load_evaluation_of_another_package_moves_nothing_of_the_locked_record(locked, admin_user, tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps(another_package()))
    command("load_evaluation", str(path))
    assert Evaluation.objects.count() == 2
    assert_record_unmoved(locked)


# --- The reminder schedule ---------------------------------------------------------------------


def schedule_days(**days: int) -> dict[str, int]:
    return {"scoring_days": 3, "bids_days": 5, "evidence_days": 30, "contract_notice_days": 90, **days}


def test_the_schedule_page_of_a_locked_evaluation_refuses_and_keeps_the_attempt(locked, procurement):
    from notifications.models import Schedule

    client = client_for(procurement)
    url = f"/notifications/evaluations/{locked.evaluation.pk}/schedule/"
    assert "can't be changed" in client.get(url).content.decode()

    response = client.post(url, schedule_days(contract_notice_days=7))

    assert response.status_code == 200
    assert "is awarded: it is locked" in response.content.decode()
    assert not Schedule.objects.exists()  # nothing saved
    [attempt] = LockedWriteAttempt.objects.all()
    assert attempt.user == procurement and "schedule update" in attempt.action
    assert_record_unmoved(locked)


def test_the_schedule_admin_refuses_a_locked_evaluations_days_and_keeps_the_attempts(procurement, admin_user):
    from notifications.models import Schedule
    from notifications.services import schedule_update

    evaluation = make_evaluation(procurement)
    make_bid(evaluation)
    saved = schedule_update(evaluation=evaluation, **schedule_days(bids_days=6))  # while it is open
    other = make_evaluation(procurement, title="Second")
    make_bid(other)
    evaluation = move_to(evaluation, "collecting_bids", "scoring", "decision", "awarded")
    other = move_to(other, "cancelled")
    client = client_for(admin_user)
    url = f"/admin/notifications/schedule/{saved.pk}/change/"

    changed = client.post(url, admin_form(client, url, contract_notice_days="7"))
    added = client.post("/admin/notifications/schedule/add/", {"evaluation": other.pk, **schedule_days()})

    assert (changed.status_code, added.status_code) == (200, 200)
    assert "is awarded: it is locked" in changed.content.decode()
    assert "is cancelled: it is locked" in added.content.decode()
    assert list(Schedule.objects.values_list("pk", "contract_notice_days", "bids_days")) == [(saved.pk, 90, 6)]
    assert set(LockedWriteAttempt.objects.values_list("evaluation_id", "user")) == {
        (evaluation.pk, admin_user.pk),
        (other.pk, admin_user.pk),
    }


def test_the_schedule_service_refuses_a_locked_evaluation(locked):
    from notifications.services import schedule_update

    with pytest.raises(services.EvaluationLocked):
        schedule_update(evaluation=locked.evaluation, **schedule_days())


# --- What the locked evaluation's pages show ---------------------------------------------------


def rename(user: User, first_name: str) -> None:
    user.first_name = first_name
    user.save(update_fields=["first_name"])


def test_the_bid_page_shows_the_reference_and_the_caller_as_they_stood_at_the_lock(locked, procurement):
    rename_reference(locked, client_for(procurement))
    rename(procurement, "Renamed")  # a name changed elsewhere, after the lock

    page = locked.reader.get(f"{base(locked.evaluation)}/bids/{locked.acme.pk}/").content.decode()

    assert "Westside Pediatrics" in page and "Westside Kids Clinic" not in page
    assert "Priya" in page and "Renamed" not in page


def test_the_letters_show_the_msp_and_signatory_as_they_stood_at_the_lock(locked, procurement):
    rename_winning_msp(locked, client_for(procurement))
    rename(procurement, "Renamed")
    owner = locked.reader  # the owner's own navbar shows the name of today

    letter = owner.get(f"{base(locked.evaluation)}/award/letter/").content.decode()
    beacon = Bid.objects.get(evaluation=locked.evaluation, vendor_name="Beacon IT")
    debrief = owner.get(f"{base(locked.evaluation)}/award/debrief/{beacon.pk}/").content.decode()

    assert "Acme Managed IT" in letter and "https://acme.example" in letter
    assert "Acme Holdings" not in letter and "new.example" not in letter
    assert "Priya" in letter and "Renamed" not in letter
    assert "Dear Beacon IT team" in debrief and "Renamed" not in debrief


def test_the_candidates_page_names_the_msps_as_they_stood_at_the_lock(locked, procurement):
    rename_invited_msp(locked, client_for(procurement))

    page = locked.reader.get(f"{base(locked.evaluation)}/candidates/").content.decode()

    assert "Harbor Tech" in page and "Harbor Tech Group" not in page


# --- The history ---------------------------------------------------------------------------------


def test_a_registry_edit_appears_in_the_evaluations_history_and_its_csv(locked, procurement):
    client = client_for(procurement)
    rename_reference(locked, client)
    rename_invited_msp(locked, client)
    edit_contact(locked, client)

    page = client.get(f"{base(locked.evaluation)}/history/").content.decode()
    trail = list(csv.reader(io.StringIO(client.get(f"{base(locked.evaluation)}/history.csv").content.decode())))

    assert "Client reference" in page and "Westside Kids Clinic" in page and "Harbor Tech Group" in page
    changes = {(row[3], row[4]) for row in trail[1:] if row[2] == "update"}
    assert (f"Client reference {locked.reference.pk}", "client: Westside Pediatrics → Westside Kids Clinic") in changes
    assert (f"MSP {locked.invited.pk}", "name: Harbor Tech → Harbor Tech Group") in changes
    assert any(record == f"MSP contact {locked.contact.pk}" and "Jo Renamed" in text for record, text in changes)
    # The record kept at the lock is in the history too, with its fingerprints.
    assert any(
        row[3].startswith("Locked record") and locked.evaluation.awards.get().package_digest in row[4] for row in trail
    )


def test_the_history_page_reads_the_registry_in_a_fixed_number_of_queries(procurement, auditor):
    def history_queries(bids: int) -> int:
        evaluation = make_evaluation(procurement, title=f"{bids} bids")
        for i in range(bids):
            bid = make_bid(evaluation, f"Vendor {bids}-{i}")
            reference = vendor_services.reference_create(msp=bid.msp, client=f"Client {bids}-{i}")
            vendor_services.reference_update(reference=reference, expected_version=1, client=f"Client {bids}-{i}b")
            contact = vendor_services.contact_create(msp=bid.msp, name=f"Contact {bids}-{i}")
            vendor_services.contact_update(contact=contact, expected_version=1, title="Account manager")
            vendor_services.msp_update(msp=bid.msp, expected_version=bid.msp.version, headquarters="Somewhere")
        client = client_for(auditor)
        address = f"{base(evaluation)}/history/"
        client.get(address)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        return len(queries)

    # The registry's part: 1 the MSPs' history rows, 2 their contacts', 3 their client references',
    # 4 the locked records' (none here); names in the changes, by kind: 5 the MSPs (contacts' and
    # references' msp), 6 the users (a reference's checker); and the bids' MSP ids come with the
    # bid names the page already read.
    assert history_queries(1) == history_queries(4)


# --- Unlocking -----------------------------------------------------------------------------------


def test_an_admin_unlock_keeps_the_earlier_digests_the_reason_and_who(locked, admin_user, auditor):
    award = Award.objects.get(evaluation=locked.evaluation)
    kept = services.kept_record(locked.evaluation)

    response = client_for(admin_user).post(f"{base(locked.evaluation)}/unlock/", {"reason": "Wrong exit clause."})

    assert response.status_code == 302
    award.refresh_from_db()
    kept.refresh_from_db()
    assert (award.decision, award.unlocked_by, award.unlock_reason) == ("unlocked", admin_user, "Wrong exit clause.")
    assert award.unlocked_at is not None and award.unlocked_at == kept.released_at
    assert (kept.released_by, kept.release_reason) == (admin_user, "Wrong exit clause.")
    assert services.kept_record(refreshed(locked.evaluation)) is None
    page = award_page(client_for(auditor), refreshed(locked.evaluation))
    assert award.package_digest in page and award.ranking_digest in page
    assert "Wrong exit clause." in page and "Unlocked by ada" in page
    assert "The record is as it was approved" in page  # the released record still gives the digests


def test_awarding_again_after_an_unlock_keeps_a_second_record(locked, admin_user, procurement):
    services.evaluation_unlock(evaluation=locked.evaluation, reason="Redo.", by=admin_user)
    award_leader(refreshed(locked.evaluation))

    first, second = scoring_models.LockedRecord.objects.order_by("pk")
    assert first.released_at is not None and second.released_at is None
    assert services.kept_record(refreshed(locked.evaluation)) == second
    assert Award.objects.filter(evaluation=locked.evaluation, decision="approved").get().package_digest == (
        second.package_digest
    )


def test_an_archive_loaded_as_awarded_is_unlocked_too(admin_user, tmp_path):
    data = scored_package(2)
    data["evaluation"]["status"] = "awarded"
    path = tmp_path / "archive.json"
    path.write_text(json.dumps(data))
    evaluation = Evaluation.objects.get(pk=int(command("load_evaluation", str(path)).strip().splitlines()[-1]))
    assert evaluation.is_locked and services.kept_record(evaluation) is not None

    services.evaluation_unlock(evaluation=evaluation, reason="Reopen the archive.", by=admin_user)

    award = Award.objects.get(evaluation=evaluation)
    assert (refreshed(evaluation).status, award.decision, award.unlock_reason) == (
        "decision",
        "unlocked",
        "Reopen the archive.",
    )
    assert scoring_models.LockedRecord.objects.get(evaluation=evaluation).released_by == admin_user


# --- Cancellation, and evaluations locked before records were kept -------------------------------


def test_a_cancellation_keeps_a_record_nothing_moves(procurement, auditor):
    evaluation = make_evaluation(procurement)
    bid = make_bid(evaluation)
    reference = vendor_services.reference_create(msp=bid.msp, client="Westside Pediatrics")
    services.reference_check_create(
        bid=bid, reference=reference, checked_on=date.today(), outcome="mixed", notes="", by=procurement
    )
    evaluation = services.evaluation_transition(evaluation=evaluation, to="cancelled")
    kept = services.kept_record(evaluation)
    assert (kept.status, kept.award, kept.package["evaluation"]["status"]) == ("cancelled", None, "cancelled")
    reader = client_for(auditor)
    before = documents(reader, evaluation)

    vendor_services.reference_update(reference=reference, expected_version=reference.version, client="Renamed")

    assert documents(reader, evaluation) == before
    assert "The record is as it was locked" in award_page(reader, evaluation)


def test_an_evaluation_locked_before_records_were_kept_gets_one_on_first_read(locked):
    scoring_models.LockedRecord.objects.all().delete()  # as if locked by an earlier version
    evaluation = refreshed(locked.evaluation)

    assert documents(locked.reader, evaluation) == locked.before
    assert scoring_models.LockedRecord.objects.filter(evaluation=evaluation, released_at__isnull=True).count() == 1
    assert services.verification(evaluation, Award.objects.get(evaluation=evaluation))["matches"] is True


def test_an_award_approved_before_exports_named_it_keeps_the_package_as_approved(locked):
    """Approved by an earlier version, whose package had no ``award`` key: that package is the one kept."""
    award = Award.objects.get(evaluation=locked.evaluation)
    as_approved = {k: v for k, v in export.evaluation_export(locked.evaluation).items() if k != "award"}
    scoring_models.LockedRecord.objects.all().delete()  # as if locked by an earlier version
    Award.objects.filter(pk=award.pk).update(package_digest=record.digest(as_approved))
    evaluation = refreshed(locked.evaluation)

    kept = services.kept_record(evaluation)

    assert "award" not in kept.package and record.digest(kept.package) == record.digest(as_approved)
    assert services.verification(evaluation, Award.objects.get(pk=award.pk))["matches"] is True


# --- What the award page checked ---------------------------------------------------------------


def test_the_award_page_says_what_it_checked(locked):
    award = Award.objects.get(evaluation=locked.evaluation)
    check = services.verification(locked.evaluation, award)
    assert (check["package_matches"], check["ranking_matches"], check["follows"], check["rows_match"]) == (
        True,
        True,
        True,
        True,
    )
    page = award_page(locked.reader, locked.evaluation)
    assert "Ranking the kept package by the contract's rules" in page
    assert "still give the kept ranking" in page
