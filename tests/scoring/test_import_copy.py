"""A large import streams its scores to PostgreSQL with COPY (``bulk.insert_scores``): the rows and
their history rows are exactly those the INSERT path writes, and the import stays all or nothing."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection

from scoring import services
from scoring.models import Evaluation, Score
from scoring.package import bulk, loading

from .factories import load, scored_package

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")

# What the rows say, without ids and times: (evaluator, vendor, criterion, score, note).
SCORE = ("assignment__evaluator__username", "bid__vendor_name", "criterion__key", "score", "note")


def _scores(evaluation: Evaluation) -> list[tuple]:
    return sorted(Score.objects.filter(bid__evaluation=evaluation).values_list(*SCORE))


def _history(evaluation: Evaluation) -> list[tuple]:
    rows = Score.history.filter(bid__evaluation=evaluation).values_list(
        "id", "history_type", "history_user__username", "history_change_reason", "score", "note"
    )
    return sorted(rows)


def test_copied_scores_and_history_are_those_the_insert_path_writes(procurement, monkeypatch):
    package = scored_package(7)  # 7 bids × 2 questions × 2 evaluators = 28 scores
    # Notes with what COPY's text format must escape, and some it must not touch.
    notes = ["tab\there", "two\nlines", "back\\slash \\N", "carriage\rreturn", "Zürich — “quoted”", ""]
    for entry, note in zip(package["scores"], notes, strict=False):
        entry["note"] = note
    by_insert = load(procurement, package)
    monkeypatch.setattr(bulk, "COPY_SCORES_FROM", 1)
    package["evaluation"]["title"] = "Budget check by COPY"
    by_copy = load(procurement, package)

    assert len(_scores(by_copy)) == 28
    assert {row[4] for row in _scores(by_copy)} == set(notes)
    assert _scores(by_copy) == _scores(by_insert)
    history = _history(by_copy)
    score_ids = sorted(Score.objects.filter(bid__evaluation=by_copy).values_list("pk", flat=True))
    # One "+" row per score, under the score's own id, by the owner, with the load's reason, as the
    # INSERT path (bulk_create_with_history) writes them; both paths mark the scores as loaded.
    assert [row[0] for row in history] == score_ids
    assert {row[1:4] for row in history} == {("+", procurement.username, "loaded from a package")}
    assert {row[1:4] for row in _history(by_insert)} == {("+", procurement.username, "loaded from a package")}
    assert set(
        Score.objects.filter(bid__evaluation__in=[by_copy, by_insert]).values_list("from_package", flat=True)
    ) == {True}
    # The ranking was computed from them: the same totals both ways.
    assert services.stored_ranking(by_copy)["ranking"] == services.stored_ranking(by_insert)["ranking"]
    # The ids came from the table's own sequence: the next score written gets a fresh one.
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('scoring_score', 'id'))")
        assert cursor.fetchone()[0] > score_ids[-1]


def test_an_import_failing_after_the_copy_leaves_nothing_behind(procurement, monkeypatch):
    monkeypatch.setattr(bulk, "COPY_SCORES_FROM", 1)

    def broken(*args, **kwargs):
        raise DatabaseError("simulated failure after the scores were copied")

    monkeypatch.setattr(loading, "_load_documents_and_checks", broken)
    before = (Evaluation.objects.count(), Score.objects.count(), Score.history.count())

    with pytest.raises(DatabaseError):
        load(procurement, scored_package(3))

    assert (Evaluation.objects.count(), Score.objects.count(), Score.history.count()) == before
