"""Whole pages cached per person (core.pagecache) until the data's revision moves (core.revision).

A cached page must never outlive a change to anything it shows, nor reach anyone but the person it
was drawn for: each test draws a page, makes a change by one of the ways the app writes, and checks
that the next view shows it.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from accounts.roles import EXECUTIVE
from core import revision
from notifications.models import Notification, Reminder
from scoring import services
from scoring.models import Bid
from vendors.models import MSP

from ..conftest import client_for, make_user
from ..scoring.factories import load, scored_package


def get(client, address: str, *, status: int = 200, **headers):
    response = client.get(address, headers=headers)
    assert response.status_code == status
    return response


def cached(response) -> bool:
    """Whether the page came from the page cache (no template was drawn for it)."""
    return response.context is None


@pytest.fixture
def evaluation(procurement):
    return load(procurement, scored_package(3))


@pytest.fixture
def dashboard(evaluation) -> str:
    return f"/evaluations/{evaluation.pk}/"


@pytest.fixture
def warm(executive, dashboard):
    """The executive's client, with the dashboard drawn and cached."""
    client = client_for(executive)
    get(client, dashboard)  # sets the CSRF cookie: drawn, not cached
    assert not cached(get(client, dashboard))  # drawn and cached
    assert cached(get(client, dashboard))
    return client


# --- Served only while nothing changed ------------------------------------------------------------


def test_a_cached_page_is_the_page_as_drawn(executive, dashboard):
    client = client_for(executive)
    get(client, dashboard)
    drawn = get(client, dashboard)
    served = get(client, dashboard)
    assert not cached(drawn) and cached(served)
    assert served.content == drawn.content
    assert served["Content-Type"] == drawn["Content-Type"] == "text/html; charset=utf-8"
    # The middleware's headers are set on every answer, cached or not.
    assert served["Content-Security-Policy"] == drawn["Content-Security-Policy"]
    assert served["X-Frame-Options"] == "DENY"


def test_a_bid_changed_through_the_service_shows_at_once(warm, dashboard, evaluation):
    bid = evaluation.bids.get(vendor_name="Vendor 01")

    services.bid_update(bid=bid, expected_version=bid.version, onboarding_fee=Decimal(750), reason="A corrected fee.")

    page = get(warm, dashboard)
    assert not cached(page)
    assert {b.vendor_name: b.onboarding_fee for b in page.context["bids"]}["Vendor 01"] == Decimal(750)


def test_a_bulk_update_that_sends_no_signal_shows_at_once(warm, dashboard, evaluation):
    # QuerySet.update() bypasses save() and every signal; the revision watches the SQL itself.
    # (The dashboard names each bid as it was made, so the bid's own name is what is changed.)
    Bid.objects.filter(evaluation=evaluation, vendor_name="Vendor 02").update(vendor_name="Renamed Networks")
    page = get(warm, dashboard)
    assert not cached(page)
    assert "Renamed Networks" in page.text


def test_a_new_notification_shows_in_the_navbar_at_once(warm, dashboard, executive, evaluation):
    assert 'data-testid="unread-count"' not in get(warm, dashboard).text
    reminder = Reminder.objects.create(
        rule="scoring-due",
        subject_key="pagecache:1",
        recipient=executive,
        period="due-in-1",
        evaluation=evaluation,
        title="Scorecards due tomorrow",
        body="One scorecard is still open.",
        url=dashboard,
    )
    Notification.objects.create(user=executive, reminder=reminder)
    page = get(warm, dashboard)
    assert not cached(page)
    assert 'data-testid="unread-count">1<' in page.text


def test_a_person_who_loses_their_role_is_refused_not_served_the_cached_page(warm, dashboard, executive):
    executive.groups.remove(Group.objects.get(name=EXECUTIVE))
    get(warm, dashboard, status=404)


def test_a_new_day_draws_the_page_again(warm, dashboard):
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        assert not cached(get(warm, dashboard))
        assert cached(get(warm, dashboard))


def test_a_session_saved_does_not_empty_the_cache(warm, dashboard):
    # Sessions and login attempts are no page's data: writing them leaves the revision where it is.
    before = revision.current()
    session = SessionStore()
    session["anything"] = 1
    session.save()
    assert revision.current() == before
    assert cached(get(warm, dashboard))


# --- Only to the person it was drawn for ----------------------------------------------------------


def test_each_person_has_their_own_page(warm, dashboard, executive):
    other = make_user("olivia", EXECUTIVE)
    client = client_for(other)
    get(client, dashboard)
    page = get(client, dashboard)
    assert not cached(page)  # not the first executive's page
    assert "Olivia" in page.text and "Marcus" not in page.text


def test_a_guessed_address_is_refused_whatever_others_have_cached(warm, dashboard, no_role_user):
    client = client_for(no_role_user)
    for _ in range(3):
        get(client, dashboard, status=404)


def test_a_new_csrf_cookie_draws_the_page_again(warm, dashboard):
    # The page's forms carry a token of the cookie it was drawn for.
    warm.cookies.pop("csrftoken")
    get(warm, dashboard)  # sets a new cookie: drawn
    page = get(warm, dashboard)
    assert not cached(page)
    assert cached(get(warm, dashboard))


def test_a_message_waiting_is_shown_on_a_page_drawn_for_it(procurement, dashboard, evaluation):
    client = client_for(procurement)
    get(client, dashboard)
    get(client, dashboard)
    assert cached(get(client, dashboard))
    # A refused status change writes nothing and comes back to the dashboard with a message.
    response = client.post(f"/evaluations/{evaluation.pk}/status/", {"to": ""}, follow=True)
    assert response.status_code == 200
    assert not cached(response)
    assert "Choose a status to move to." in response.text
    # Shown once: the next view is the cached page again, without it.
    page = get(client, dashboard)
    assert cached(page) and "Choose a status to move to." not in page.text


def test_htmx_requests_and_the_page_cache_off_are_drawn_every_time(warm, dashboard):
    assert not cached(get(warm, dashboard, HX_Request="true"))
    with override_settings(PAGE_CACHE_SECONDS=0):
        assert not cached(get(warm, dashboard))
        assert not cached(get(warm, dashboard))


# --- The revision --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ('INSERT INTO "scoring_score" ("score") VALUES (%s)', True),
        ('UPDATE "vendors_msp" SET "name" = %s WHERE "vendors_msp"."id" = %s', True),
        ('DELETE FROM "scoring_bid" WHERE "scoring_bid"."id" IN (%s)', True),
        ("  update scoring_bid set version = version + 1", True),
        ("COPY scoring_score (id, score) FROM STDIN", True),
        ('SELECT "scoring_bid"."id" FROM "scoring_bid" FOR UPDATE', False),
        ('UPDATE "django_session" SET "session_data" = %s', False),
        ('INSERT INTO "axes_accessattempt" ("username") VALUES (%s)', False),
        ('UPDATE "django_celery_beat_periodictask" SET "last_run_at" = %s', False),
        ("SAVEPOINT s1", False),
        ("WITH moved AS (DELETE FROM scoring_waiver RETURNING id) SELECT count(*) FROM moved", True),
        ("WITH latest AS (SELECT max(id) FROM scoring_bid) SELECT * FROM latest", False),
    ],
)
def test_which_statements_move_the_revision(sql, expected):
    assert revision.writes(sql) is expected


def test_a_write_moves_the_revision_once_per_transaction_until_it_is_read(db, msp):
    with transaction.atomic():
        before = revision.current()
        MSP.objects.filter(pk=msp.pk).update(name="One")
        moved = revision.current()
        assert moved > before
        # Reading the number (as a cached page does) makes the next write move it again …
        MSP.objects.filter(pk=msp.pk).update(name="Two")
        again = revision.current()
        assert again > moved
        # … once for writes in a row.
        MSP.objects.filter(pk=msp.pk).update(name="Three")
        MSP.objects.filter(pk=msp.pk).update(name="Four")
        assert revision.current() == again + 1


def marks() -> int:
    """How many moves after the commit the current transaction holds."""
    return sum(isinstance(entry[1], revision._AfterCommit) for entry in connection.run_on_commit)


@pytest.mark.django_db(transaction=True)
def test_a_write_after_a_rolled_back_savepoint_moves_the_revision_again(msp):
    with transaction.atomic():
        try:
            with transaction.atomic():
                MSP.objects.filter(pk=msp.pk).update(name="Rolled back")
                assert marks() == 1
                raise RuntimeError
        except RuntimeError:
            pass
        assert marks() == 0  # the mark went with the savepoint
        MSP.objects.filter(pk=msp.pk).update(name="Kept")
        assert marks() == 1  # so the next write moved the number again
    assert MSP.objects.get(pk=msp.pk).name == "Kept"


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_moves_the_revision_again_after_the_commit(msp):
    with transaction.atomic():
        MSP.objects.filter(pk=msp.pk).update(name="Inside")
        inside = revision.current()
    # Another request may have drawn the page from the data before the commit and cached it under
    # the number seen inside: the move after the commit leaves that entry behind.
    assert revision.current() > inside
    # Outside a transaction a write moves it once, after the statement.
    before = revision.current()
    MSP.objects.filter(pk=msp.pk).update(name="Autocommit")
    assert revision.current() == before + 1


def test_move_page_revision_passes_every_number_handed_out_before(warm, dashboard):
    # A restored backup winds the number back; the command moves it past any used since.
    before = revision.current()
    out = io.StringIO()
    call_command("move_page_revision", stdout=out)
    after = revision.current()
    assert after > before + 10**15  # the time in microseconds: past anything a restore brings back
    assert f"now {after}" in out.getvalue()
    assert not cached(get(warm, dashboard))
    # Ordinary moves carry on from there.
    MSP.objects.update(notes="moved")
    assert revision.current() == after + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the sequence is PostgreSQL's")
def test_a_fresh_sequence_moves_on_its_first_write(db):
    # A sequence never advanced says 1 before its first nextval() and after it: read as 0, then 1.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval('{revision.SEQUENCE}', 1, false)")
    assert revision.current() == 0
    MSP.objects.update(notes="first")
    assert revision.current() == 1


def test_statements_behind_a_comment_are_seen():
    assert revision.writes("/* by hand */ UPDATE scoring_bid SET version = 2")
    assert revision.writes("-- fix\n  DELETE FROM scoring_waiver")
    assert not revision.writes("-- just looking\nSELECT 1")


def test_an_address_with_parameters_the_page_does_not_read_is_drawn_every_time(warm, dashboard):
    for _ in range(3):
        assert not cached(get(warm, dashboard + "?utm=1"))
