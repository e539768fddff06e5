"""The history sees every write: every model is recorded, the writes the history library can't
see are not used on recorded models, and a bulk import leaves a creation row for every row it wrote."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps

from accounts.models import FormSubmission
from scoring.models import StoredRanking, Submission, SubmissionDocument
from tests.scoring.factories import load, scored_package

ROOT = Path(__file__).resolve().parents[1]
APP_DIRS = ("accounts", "vendors", "scoring", "notifications", "evaluator", "core")
# Derived data, recomputable from recorded rows, and forms' one-time keys: no history of their own.
# A sealed submission's content stays out of the history's reach until the bids are opened (the history
# copies every field, and the history pages, history.csv and the admin read it); its steps are on the record
# as TenderEvents (time and receipt digest), and at opening it becomes a recorded Bid with its answers.
UNRECORDED = {StoredRanking, FormSubmission, Submission, SubmissionDocument}
# Writes django-simple-history does not see: queryset update/delete, bulk_update, plain
# bulk_create (bulk_create_with_history is fine), raw SQL.
INVISIBLE = re.compile(r"\.update\(|\.bulk_update\(|(?<!_with_history)\bbulk_create\(|\.raw\(|\.cursor\(|\.delete\(\)")
# The lines that may use them, and why.
ALLOWED = {
    "accounts/submissions.py": ["submission.delete()"],  # a one-time key given back: not recorded data
    "scoring/results.py": [
        "StoredRanking.objects.filter(evaluation=evaluation).update(analysis=result)",  # derived data
    ],
    # The bid model's class body taking its fields from the terms' declaration; a dict of errors.
    "scoring/models/bids.py": ["vars().update(terms.model_fields())", "errors.update("],
    "scoring/pages/decision.py": ["data.update("],  # a dict of the what-if's weights
    "scoring/services/bids.py": ["link.delete()  # recorded as a deletion in the history"],  # an instance's delete
    "scoring/services/scorecards.py": ["score.delete()  # drafts only", "score.delete()"],  # an instance's delete
    "scoring/services/documents.py": ["digest.update(chunk)"],  # hashlib, not the database
    # The COPY of a large import's scores writes their history rows too.
    "scoring/package/bulk.py": ["with connection.cursor() as cursor:"],  # COPY, with its history rows
    "scoring/fragments.py": ["digest.update("],  # hashlib, not the database
    "notifications/reminders/recording.py": [
        "Notification.objects.bulk_create(",  # what a person has seen: no history of its own
        "found.update(",  # a set
    ],
    "notifications/reminders/delivery.py": [
        # Each followed by Reminder.history.bulk_history_create of the same rows (deliver_many).
        'Reminder.objects.filter(pk__in=[r.pk for r in batch]).update(attempts=F("attempts") + 1)',
        'Reminder.objects.filter(pk__in=sent).update(delivery=Delivery.SENT, error="", sent_at=now)',
        "Reminder.objects.filter(pk=reminder.pk).update(delivery=reminder.delivery, error=reminder.error)",
    ],
    "notifications/services.py": ["return Notification.objects.filter("],  # read marks: no history of their own
    "core/append_only.py": ["with connection.cursor() as cursor:"],  # installs the guard itself
    "evaluator/views.py": ["with connection.cursor() as cursor:"],  # /healthz: SELECT 1
    # The data's revision: a sequence or a counter of its own, no model's rows.
    "core/revision.py": ["with connection.cursor() as cursor:"],
    "core/pagecache.py": ["digest.update("],
    # One question never scored, deleted through the model: the history records the deletion and its reason.
    "scoring/services/questions.py": ["criterion.delete()"],  # hashlib, not the database
}


def app_models():
    yield apps.get_model("auth", "User")  # people: their roles and activation are recorded too
    for label in ("scoring", "vendors", "accounts"):
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical"):
                yield model


def test_every_model_of_the_app_is_recorded():
    missing = [m.__name__ for m in app_models() if m not in UNRECORDED and not hasattr(m, "history")]
    assert missing == []


def test_the_code_never_writes_where_the_history_cant_see():
    found = []
    for folder in APP_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            relative = path.relative_to(ROOT).as_posix()
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                code = line.strip()
                if INVISIBLE.search(code) and not any(code.startswith(a) for a in ALLOWED.get(relative, [])):
                    if ".update({" in code or "context.update(" in code or "kwargs.update(" in code:
                        continue  # dicts
                    found.append(f"{relative}:{number}: {code}")
    assert found == []


def test_a_bulk_import_leaves_a_creation_row_for_every_row(procurement):
    recorded = [m for m in app_models() if m not in UNRECORDED]
    before = {m: set(m.objects.values_list("pk", flat=True)) for m in recorded}
    load(procurement, scored_package(6, ("alice", "bob", "carol")))
    written = 0
    for model in recorded:
        ids = set(model.objects.values_list("pk", flat=True)) - before[model]
        created = set(model.history.filter(history_type="+", id__in=ids).values_list("id", flat=True))
        assert ids == created, f"{model.__name__}: rows {sorted(ids - created)[:5]} have no creation in the history"
        written += len(ids)
    # 1 evaluation, 3 criteria, 3 assignments, 6 bids, 6 candidates (every bidder), 6 MSPs,
    # 6 × 2 × 3 = 36 scores, the 3 new users, and the load's provenance (1 PackageLoad)
    assert written == 1 + 3 + 3 + 6 + 6 + 6 + 36 + 3 + 1
