"""Edit conflicts on the reminder days page and the preferences: a stale save is refused, shows both
versions, and a second save overwrites on purpose."""

from __future__ import annotations

from typing import Any

from core.concurrency import CONFLICT_MESSAGE
from notifications.models import Preference, Schedule
from tests.conftest import client_for
from tests.scoring.factories import make_evaluation


def schedule_data(version: int | None, **days: int) -> dict[str, Any]:
    data = {"scoring_days": 3, "bids_days": 5, "evidence_days": 30, "contract_notice_days": 90, **days}
    return data if version is None else {**data, "version": version}


def test_a_stale_schedule_save_is_refused_shows_both_and_a_second_save_overwrites(procurement, admin_user):
    evaluation = make_evaluation(procurement)
    url = f"/notifications/evaluations/{evaluation.pk}/schedule/"
    owner, admin = client_for(procurement), client_for(admin_user)
    # The first save creates the schedule (no version yet), at version 1.
    assert owner.post(url, schedule_data(None)).status_code == 302
    assert 'name="version" value="1"' in owner.get(url).content.decode()
    # Both opened it at version 1; the admin saves first (1 → 2).
    assert admin.post(url, schedule_data(1, scoring_days=5)).status_code == 302

    refused = owner.post(url, schedule_data(1, bids_days=10))

    assert refused.status_code == 200
    form = refused.context["form"]
    assert CONFLICT_MESSAGE in form.non_field_errors()
    assert form.conflict[:2] == [
        ("Remind evaluators this many days before scoring is due", "5", "3"),
        ("Remind about missing bids this many days before they are due", "5", "10"),
    ]
    assert 'data-testid="edit-conflict"' in refused.content.decode()
    schedule = Schedule.objects.get(evaluation=evaluation)
    assert (schedule.scoring_days, schedule.bids_days, schedule.version) == (5, 5, 2)
    assert form["version"].value() == "2"

    again = owner.post(url, schedule_data(2, bids_days=10))

    assert again.status_code == 302
    schedule.refresh_from_db()
    # The owner's form had 3 scoring days: saving it again replaced the admin's 5 on purpose.
    assert (schedule.scoring_days, schedule.bids_days, schedule.version) == (3, 10, 3)
    assert schedule.history.first().history_user == procurement


def test_saving_ones_preferences_refuses_an_admin_form_opened_before(evaluator, admin_user):
    own = client_for(evaluator)
    assert own.post("/notifications/preferences/", {"mode": "digest"}).status_code == 302  # created at version 1
    preference = Preference.objects.get(user=evaluator)
    admin = client_for(admin_user)
    admin_url = f"/admin/notifications/preference/{preference.pk}/change/"
    assert admin.get(admin_url).context["adminform"].form["version"].value() == 1

    saved = own.post("/notifications/preferences/", {"mode": "immediate", "version": 1})
    refused = admin.post(admin_url, {"mode": "digest", "optional": "on", "version": 1})

    assert saved.status_code == 302
    assert refused.status_code == 200
    assert CONFLICT_MESSAGE in refused.context["adminform"].form.non_field_errors()
    preference.refresh_from_db()
    assert (preference.mode, preference.version) == ("immediate", 2)


def test_a_stale_preferences_save_is_refused(evaluator):
    own = client_for(evaluator)
    own.post("/notifications/preferences/", {"mode": "digest"})
    # Two tabs opened at version 1: the first turns optional reminders off (1 → 2).
    own.post("/notifications/preferences/", {"mode": "digest", "version": 1})

    refused = own.post("/notifications/preferences/", {"mode": "immediate", "optional": "on", "version": 1})

    assert refused.status_code == 200
    assert CONFLICT_MESSAGE in refused.context["form"].non_field_errors()
    preference = Preference.objects.get(user=evaluator)
    assert (preference.mode, preference.optional, preference.version) == ("digest", False, 2)
