"""An evaluator is reminded that a scorecard is due tomorrow, sees it in the app, and follows it.

The sweep runs as the command runs it (no broker: each email sent inline), then the evaluator
logs in: the navbar shows 1 unread, the list shows the reminder, and "Open" lands on the scorecard.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import Notification, Reminder
from tests.browser.test_registry_journey import log_in
from tests.scoring.factories import assign, make_bid, make_evaluation, move_to


@pytest.mark.django_db(transaction=True)
def test_an_evaluator_follows_a_reminder_to_the_scorecard(page, live_server, procurement, evaluator):
    evaluation = make_evaluation(
        procurement, title="Managed IT 2028", scoring_due=timezone.localdate() + timedelta(days=1)
    )
    make_bid(evaluation, "Bayside IT", references_offered=0)
    assign(evaluation, evaluator)
    move_to(evaluation, "collecting_bids", "scoring")
    call_command("send_reminders")
    reminder = Reminder.objects.get(rule="scoring-due")
    assert (reminder.recipient, reminder.delivery) == (evaluator, "sent")
    [email] = [m for m in mail.outbox if m.to == [evaluator.email]]
    assert f"/evaluations/{evaluation.pk}/scorecard/" in email.body

    log_in(page, live_server, evaluator.username)
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    page.get_by_test_id("notifications-link").click()
    item = page.get_by_test_id("notifications").locator("li").first
    expect(item).to_contain_text("Your scorecard for “Managed IT 2028” is due tomorrow")
    expect(item).to_contain_text("new")
    item.get_by_role("button", name="Open").click()
    expect(page).to_have_url(f"{live_server.url}/evaluations/{evaluation.pk}/scorecard/")
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    assert Notification.objects.get(user=evaluator).read_at is not None
