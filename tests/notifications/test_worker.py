"""A real Celery worker, against Redis and PostgreSQL: two sweeps at once, each reminder sent once.

Skipped on SQLite (the worker is another process: it needs a shared database) and when Redis
is not listening; CI starts Redis and runs the suite on PostgreSQL, where this runs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.roles import EVALUATOR
from notifications.models import Reminder
from tests.conftest import make_user
from tests.scoring.factories import assign, make_bid, make_evaluation, move_to

ROOT = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)
BROKER = "redis://127.0.0.1:6379/14"


def redis_listening() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


pytestmark = [
    # The broker's queue (Redis database 14) is shared: never two of these tests at once.
    pytest.mark.xdist_group("celery-broker"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a worker process needs PostgreSQL"),
    pytest.mark.skipif(not redis_listening(), reason="Redis is not listening on 127.0.0.1:6379"),
]


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def broker():
    """A Celery client of its own on Redis: the app's pooled connections (eager, or any broker an
    earlier test touched) are left alone. The queue starts and ends empty."""
    client = Celery("reminder-worker-test", broker=BROKER)
    client.control.purge()
    yield client
    client.control.purge()
    client.close()


@pytest.fixture
def worker(broker, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "evaluator.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "false",
    }
    # Two threads in one process (so two sweeps can run at once), in its own process group so
    # that everything it started goes when the test ends, database connections included.
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "evaluator", "worker", "--pool=threads", "--concurrency=2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not broker.control.ping(timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Celery worker did not start")
        yield tmp_path / "mail"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_each_reminder_once(broker, worker, procurement, evaluator):
    sam = make_user("sam", EVALUATOR)
    evaluation = make_evaluation(procurement, scoring_due=timezone.localdate() + timedelta(days=1))
    make_bid(evaluation, "Acme Managed IT", references_offered=0)
    assign(evaluation, evaluator, sam)
    move_to(evaluation, "collecting_bids", "scoring")

    # Two sweeps at once, as two beats or a beat and a cron job would.
    worker_mail = worker
    broker.send_task("notifications.tasks.sweep")
    broker.send_task("notifications.tasks.sweep")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if Reminder.objects.filter(rule="scoring-due", delivery="sent").count() == 2:
            break
        time.sleep(0.5)
    reminders = Reminder.objects.filter(rule="scoring-due").order_by("recipient__username")
    assert [(r.recipient.username, r.period, r.delivery) for r in reminders] == [
        ("evan", "due-tomorrow", "sent"),
        ("sam", "due-tomorrow", "sent"),
    ]
    time.sleep(2)  # anything sent twice would have landed by now
    messages = "".join(path.read_text() for path in worker_mail.glob("*.log"))
    assert messages.count("\nSubject: ") == 2  # two emails in all (subjects are MIME-encoded: curly quotes)
    assert "To: evan@example.com" in messages and "To: sam@example.com" in messages
