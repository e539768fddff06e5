"""Reminders: each rule with the clock fixed, exactly once, retries, preferences and digests, the
command, the events, and the pages. Celery runs eagerly here (no broker); the real worker is in
test_worker.py."""

from __future__ import annotations

import smtplib
import threading
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection
from django.test import TestCase

from accounts.roles import EVALUATOR, EXECUTIVE
from notifications import reminders
from notifications.models import Notification, Preference, Reminder, Schedule
from scoring import services
from scoring.models import Assignment, ReferenceCheck
from tests.conftest import client_for, make_user
from tests.scoring.factories import assign, make_bid, make_evaluation, move_to, score
from vendors.models import ClientReference

TODAY = date(2027, 1, 10)


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel("2027-01-10 09:00 +00:00", tick=False):
        yield


def scoring_evaluation(owner, *evaluators, due=TODAY + timedelta(days=3)):
    """In scoring, one clean bid whose references were checked (so only scorecards are due)."""
    evaluation = make_evaluation(owner, scoring_due=due, decision_due=due + timedelta(days=14))
    bid = make_bid(evaluation, "Acme Managed IT")
    ReferenceCheck.objects.create(
        bid=bid,
        reference=ClientReference.objects.create(msp=bid.msp, client="Westside Pediatrics"),
        checked_on=TODAY,
        outcome="positive",
        checked_by=owner,
    )
    assign(evaluation, *evaluators)
    return move_to(evaluation, "collecting_bids", "scoring")


def sweep(day=TODAY):
    """The sweep, with the deliveries it queues after commit run at once (as a worker would)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return reminders.sweep(day)


# --- Rule 1: scorecards due --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_before", "period"),
    [(3, "due-in-3"), (1, "due-tomorrow"), (-1, "overdue-0"), (-8, "overdue-1")],
)
def test_an_evaluator_who_has_not_submitted_is_reminded_on_the_right_days(procurement, evaluator, days_before, period):
    scoring_evaluation(procurement, evaluator, due=TODAY + timedelta(days=days_before))
    result = sweep()
    [reminder] = result.recorded
    assert (reminder.rule, reminder.recipient, reminder.period) == ("scoring-due", evaluator, period)
    [email] = mail.outbox
    assert email.to == [evaluator.email]
    assert reminder.url in email.body and reminder.url in email.alternatives[0][0]
    assert Reminder.objects.get().delivery == "sent"


@pytest.mark.parametrize("days_before", [2, 4, 0, -2, -7])
def test_no_reminder_on_the_other_days(procurement, evaluator, days_before):
    scoring_evaluation(procurement, evaluator, due=TODAY + timedelta(days=days_before))
    assert sweep().recorded == [] and mail.outbox == []


def test_an_evaluator_who_submitted_is_left_alone(procurement, evaluator):
    sam = make_user("sam", EVALUATOR)
    evaluation = scoring_evaluation(procurement, evaluator, sam, due=TODAY + timedelta(days=1))
    score(Assignment.objects.get(evaluation=evaluation, evaluator=sam), {"Acme Managed IT": 4})
    assert [r.recipient for r in sweep().recorded] == [evaluator]


def test_the_evaluations_own_days_replace_the_default(procurement, evaluator):
    evaluation = scoring_evaluation(procurement, evaluator, due=TODAY + timedelta(days=5))
    assert sweep().recorded == []
    Schedule.objects.create(evaluation=evaluation, scoring_days=5)
    assert [r.period for r in sweep().recorded] == ["due-in-5"]


def test_a_cancelled_evaluation_reminds_nobody(procurement, evaluator):
    evaluation = scoring_evaluation(procurement, evaluator, due=TODAY + timedelta(days=1))
    services.evaluation_transition(evaluation=evaluation, to="cancelled")
    assert sweep().recorded == []


# --- Exactly once ------------------------------------------------------------------------------


def test_two_sweeps_send_one_email(procurement, evaluator):
    scoring_evaluation(procurement, evaluator, due=TODAY + timedelta(days=1))
    first, second = sweep(), sweep()
    assert (len(first.recorded), len(second.recorded), second.already) == (1, 0, 1)
    assert len(mail.outbox) == 1 and Reminder.objects.count() == 1 and Notification.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_one_email(procurement, evaluator):
    scoring_evaluation(procurement, evaluator, make_user("sam", EVALUATOR), due=TODAY + timedelta(days=1))
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(sweep())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(len(r.recorded) for r in results) == 2  # one per evaluator, between both sweeps
    assert sum(r.already for r in results) == 2
    assert len(mail.outbox) == 2 and Reminder.objects.count() == 2


# --- Bad input and failures --------------------------------------------------------------------


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that refuses every message."""

    calls = 0

    def send_messages(self, messages):
        RefusingBackend.calls += 1
        raise smtplib.SMTPRecipientsRefused({"x": (550, b"refused")})


def test_a_refused_email_is_retried_then_marked_failed_and_the_sweep_goes_on(procurement, evaluator, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_reminders.RefusingBackend"
    RefusingBackend.calls = 0
    sam = make_user("sam", EVALUATOR)
    scoring_evaluation(procurement, evaluator, sam, due=TODAY + timedelta(days=1))
    result = sweep()
    assert len(result.recorded) == 2  # both recorded: one failure does not stop the other
    for reminder in Reminder.objects.all():
        # 1 try + 4 retries, then failed for good, with the reason shown to admins
        assert (reminder.delivery, reminder.attempts) == ("failed", 5)
        assert "SMTPRecipientsRefused" in reminder.error
    assert RefusingBackend.calls == 10
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sweep().recorded == [] and mail.outbox == []  # never sent twice, even after a failure


class PickyBackend(BaseEmailBackend):
    """A mail server that refuses one address and takes the rest (kept in ``sent``)."""

    refused = "sam@example.com"
    sent: list[str] = []

    def send_messages(self, messages):
        for message in messages:
            if self.refused in message.to:
                raise smtplib.SMTPRecipientsRefused({self.refused: (550, b"mailbox unavailable")})
            PickyBackend.sent.extend(message.to)
        return len(messages)


def test_one_refused_address_does_not_hold_up_the_rest_of_its_batch(procurement, evaluator, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_reminders.PickyBackend"
    PickyBackend.sent = []
    sam = make_user("sam", EVALUATOR)
    sam.email = PickyBackend.refused
    sam.save()
    ada = make_user("ada", EVALUATOR)
    scoring_evaluation(procurement, evaluator, sam, ada, due=TODAY + timedelta(days=1))

    result = sweep()

    assert len(result.recorded) == 3  # one batch of three
    assert sorted(PickyBackend.sent) == sorted([evaluator.email, ada.email])
    states = {r.recipient.username: (r.delivery, r.attempts) for r in Reminder.objects.select_related("recipient")}
    # The two others went out on the batch's one try; Sam's was tried on its own 4 more times, then failed.
    assert states == {evaluator.username: ("sent", 1), "ada": ("sent", 1), "sam": ("failed", 5)}
    assert "mailbox unavailable" in Reminder.objects.get(recipient=sam).error
    # Each change of state is in the reminders' history: recorded, tried, sent.
    sent = Reminder.objects.get(recipient__username="ada")
    assert [h.delivery for h in sent.history.order_by("history_id")] == ["pending", "pending", "sent"]


def test_an_evaluator_without_email_gets_the_notification_and_the_log_says_why(procurement):
    quiet = make_user("quiet", EVALUATOR)
    quiet.email = ""
    quiet.save()
    scoring_evaluation(procurement, quiet, due=TODAY + timedelta(days=1))
    sweep()
    reminder = Reminder.objects.get()
    assert (reminder.delivery, reminder.error) == ("skipped", "quiet has no email address")
    assert mail.outbox == [] and Notification.objects.get().user == quiet


def test_a_deactivated_user_is_skipped_and_said_so(procurement, evaluator):
    scoring_evaluation(procurement, evaluator, due=TODAY + timedelta(days=1))
    evaluator.is_active = False
    evaluator.save()
    result = sweep()
    assert result.recorded == [] and "deactivated" in result.skipped[0]


# --- Preferences and digests -------------------------------------------------------------------


def test_a_digest_reader_gets_one_email_a_day_with_everything(procurement, evaluator):
    Preference.objects.create(user=evaluator, mode="digest")
    scoring_evaluation(procurement, evaluator, due=TODAY + timedelta(days=1))
    scoring_evaluation(procurement, evaluator, due=TODAY + timedelta(days=3))
    sweep()
    assert mail.outbox == [] and Reminder.objects.filter(delivery="digest").count() == 2
    assert reminders.send_digests() == 1
    [email] = mail.outbox
    assert email.subject == "Your reminders: 2 today" and email.body.count("/scorecard/") == 2
    assert Reminder.objects.filter(delivery="sent").count() == 2
    assert reminders.send_digests() == 0


def test_opting_out_stops_optional_reminders_never_own_deadlines(procurement, executive):
    other_exec = make_user("olga", EXECUTIVE)
    Preference.objects.create(user=executive, optional=False)
    Preference.objects.create(user=procurement, optional=False)
    make_evaluation(procurement, decision_due=TODAY - timedelta(days=1))
    evaluation = make_evaluation(procurement, title="Late one", decision_due=TODAY - timedelta(days=1))
    move_to(evaluation, "collecting_bids", "scoring")
    recorded = sweep().recorded
    # The owner's own deadline reaches them despite the opt-out; the executive who opted out gets nothing.
    assert sorted(r.recipient.username for r in recorded) == sorted([procurement.username, other_exec.username])


# --- The other rules ---------------------------------------------------------------------------


def test_decision_overdue_tells_the_owner_and_the_executives(procurement, executive):
    evaluation = make_evaluation(procurement, decision_due=TODAY - timedelta(days=1))
    move_to(evaluation, "collecting_bids", "scoring", "decision")
    recorded = sweep().recorded
    assert {(r.rule, r.recipient.username, r.essential) for r in recorded} == {
        ("decision-overdue", "priya", True),
        ("decision-overdue", "marcus", False),
    }
    with time_machine.travel("2027-01-12 09:00 +00:00", tick=False):
        assert sweep(TODAY + timedelta(days=2)).recorded == []  # not daily
    assert len(sweep(TODAY + timedelta(days=7)).recorded) == 2  # a week after the first


def test_unchecked_references_before_scoring_is_due(procurement):
    evaluation = make_evaluation(procurement, scoring_due=TODAY + timedelta(days=2))
    make_bid(evaluation, "Acme Managed IT", references_offered=3)
    make_bid(evaluation, "No Refs IT", references_offered=0)
    move_to(evaluation, "collecting_bids")
    [reminder] = sweep().recorded
    assert reminder.rule == "references-unchecked" and "Acme Managed IT" in reminder.body
    assert "No Refs IT" not in reminder.body


def test_evidence_expiring_soon_for_a_bid_in_play(procurement, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from scoring.models import Requirement

    evaluation = make_evaluation(procurement)
    requirement = Requirement.objects.create(evaluation=evaluation, key="soc2", text="SOC 2 report")
    bid = make_bid(evaluation, "Acme Managed IT")
    services.document_upload(
        bid=bid,
        kind="evidence",
        upload=SimpleUploadedFile("soc2.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
        requirement=requirement,
        expires_on=TODAY + timedelta(days=20),
        by=procurement,
    )
    [reminder] = sweep().recorded
    assert reminder.rule == "evidence-expiring" and "in 20 days" in reminder.title


def test_after_an_award_quarterly_reviews_and_notice_before_the_term_ends(procurement, executive):
    evaluation = make_evaluation(procurement)
    make_bid(evaluation, "Acme Managed IT", contract_term_months=12)
    move_to(evaluation, "collecting_bids", "scoring", "decision", "awarded")
    # Awarded on 10 Jan 2027: reviews on 10 Apr, 10 Jul, 10 Oct; the term ends on 10 Jan 2028.
    assert sweep(date(2027, 4, 9)).recorded == []
    [review] = sweep(date(2027, 4, 10)).recorded
    assert (review.rule, review.period, review.recipient) == ("partnership-review", "quarter-1", procurement)
    assert sweep(date(2027, 4, 11)).recorded == []  # once per quarter
    # 90 days' notice: from 12 Oct 2027 (the 3rd quarter's review on 10 Oct came first).
    notices = [r for r in sweep(date(2027, 10, 12)).recorded if r.rule == "contract-ending"]
    assert sorted(r.recipient.username for r in notices) == ["approver", "marcus", "priya"]
    assert all(r.period == "ends-2028-01-10" for r in notices)


# --- Events at once ----------------------------------------------------------------------------


def test_a_conflict_declaration_reaches_the_owner_at_once(procurement, evaluator, django_capture_on_commit_callbacks):
    evaluation = scoring_evaluation(procurement, evaluator)
    assignment = Assignment.objects.get(evaluation=evaluation)
    with django_capture_on_commit_callbacks(execute=True):
        services.conflict_declare(assignment=assignment, msp=evaluation.bids.get().msp, note="Ex-employee.")
    [email] = mail.outbox
    assert email.to == [procurement.email] and "Ex-employee." in email.body
    assert Reminder.objects.get().rule == "conflict-declared"


def test_an_award_proposal_reaches_the_executives_at_once(procurement, executive, django_capture_on_commit_callbacks):
    scorer = make_user("scoring-exec", EXECUTIVE)
    evaluation = scoring_evaluation(procurement)
    # An executive assigned before duties were separated (evaluators_add refuses one now): old data.
    Assignment.objects.create(evaluation=evaluation, evaluator=scorer)
    evaluation = move_to(evaluation, "decision")
    with django_capture_on_commit_callbacks(execute=True):
        services.award_propose(evaluation=evaluation, bid=evaluation.bids.get(), rationale="Best.", by=procurement)
    # The executive who scored it may not decide: not told.
    assert [e.to for e in mail.outbox] == [[executive.email]]


# --- The command -------------------------------------------------------------------------------


def test_send_reminders_does_the_sweep_without_a_broker(procurement, evaluator, capsys):
    scoring_evaluation(procurement, evaluator, due=TODAY + timedelta(days=1))
    call_command("send_reminders", "--dry-run")
    assert "scoring-due  evan  due-tomorrow" in capsys.readouterr().out
    assert Reminder.objects.count() == 0 and mail.outbox == []
    call_command("send_reminders")
    assert "1 recorded, 1 emailed now, 0 failed" in capsys.readouterr().out
    call_command("send_reminders")
    assert "0 recorded, 0 emailed now, 0 failed, 1 already sent before" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_send_reminders_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is not a date"):
        call_command("send_reminders", "--date", "tomorrow")


# --- Pages -------------------------------------------------------------------------------------


def test_the_notification_list_counts_unread_and_opens_the_scorecard(procurement, evaluator):
    evaluation = scoring_evaluation(procurement, evaluator, due=TODAY + timedelta(days=1))
    sweep()
    client = client_for(evaluator)
    page = client.get("/notifications/")
    assert page.status_code == 200 and page.context["unread_count"] == 1
    assert 'data-testid="unread-count">1<' in client.get("/").content.decode()
    notification = Notification.objects.get()
    response = client.post(f"/notifications/{notification.pk}/open/")
    assert response["Location"] == f"/evaluations/{evaluation.pk}/scorecard/"
    assert Notification.objects.get().read_at is not None
    assert 'data-testid="unread-count"' not in client.get("/").content.decode()
    # Someone else's notification: 404.
    assert client_for(procurement).post(f"/notifications/{notification.pk}/open/").status_code == 404


def test_the_log_is_for_admins_and_auditors(procurement, auditor, admin_user, evaluator, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_reminders.RefusingBackend"
    scoring_evaluation(procurement, evaluator, due=TODAY + timedelta(days=1))
    sweep()
    for user, status in ((admin_user, 200), (auditor, 200), (procurement, 403), (evaluator, 403)):
        assert client_for(user).get("/notifications/log/").status_code == status
    page = client_for(admin_user).get("/notifications/log/", {"delivery": "failed"}).content.decode()
    assert "1 failed" in page and "SMTPRecipientsRefused" in page
    assert client_for(admin_user).get("/notifications/log/", {"delivery": "nonsense"}).status_code == 200


def test_preferences_and_reminder_days_pages(procurement, evaluator):
    client = client_for(evaluator)
    assert client.post("/notifications/preferences/", {"mode": "digest"}).status_code == 302
    assert Preference.objects.get(user=evaluator).mode == "digest"
    assert client.post("/notifications/preferences/", {"mode": "weekly"}).status_code == 200  # an error, not saved
    evaluation = scoring_evaluation(procurement, evaluator)
    url = f"/notifications/evaluations/{evaluation.pk}/schedule/"
    assert client.get(url).status_code == 403  # assigned, not the owner
    assert client_for(make_user("other-buyer", "Procurement")).get(url).status_code == 404
    owner = client_for(procurement)
    assert (
        owner.post(
            url, {"scoring_days": 0, "bids_days": 5, "evidence_days": 30, "contract_notice_days": 90}
        ).status_code
        == 200
    )
    assert not Schedule.objects.exists()
    owner.post(url, {"scoring_days": 7, "bids_days": 5, "evidence_days": 30, "contract_notice_days": 60})
    assert (Schedule.objects.get().scoring_days, Schedule.objects.get().contract_notice_days) == (7, 60)
