"""The evaluation's history: the page, and the same rows as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from scoring import ranking, selectors
from scoring.models import (
    Evaluation,
)
from scoring.views.access import download_name, evaluation_view


def _date_range(request: HttpRequest) -> tuple[date | None, date | None, str]:
    """The ``from`` and ``to`` dates of the history filter; a bad one is ignored with a message."""
    found: list[date | None] = []
    problems = []
    for name, label in (("from", "From"), ("to", "To")):
        raw = request.GET.get(name, "").strip()
        try:
            found.append(date.fromisoformat(raw) if raw else None)
        except ValueError:
            found.append(None)
            problems.append(f"{label} is not a date (use YYYY-MM-DD): it was left out.")
    if found[0] and found[1] and found[0] > found[1]:
        problems.append("From is after To: nothing can match.")
    return found[0], found[1], " ".join(problems)


@evaluation_view("scoring.export_package")
def history(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    found = selectors.evaluation_history(evaluation)
    kinds = sorted({entry.kind for entry in found})
    people = sorted({entry.who for entry in found})
    kind, person = request.GET.get("kind", ""), request.GET.get("who", "")
    date_from, date_to, filter_error = _date_range(request)
    shown = [
        e
        for e in found
        if (not kind or e.kind == kind)
        and (not person or e.who == person)
        and (date_from is None or timezone.localtime(e.when).date() >= date_from)
        and (date_to is None or timezone.localtime(e.when).date() <= date_to)
    ]
    return render(
        request,
        "scoring/history.html",
        {
            "evaluation": evaluation,
            "entries": list(reversed(shown)),
            "kinds": kinds,
            "people": people,
            "kind": kind,
            "person": person,
            "date_from": date_from,
            "date_to": date_to,
            "filter_error": filter_error,
            "total": len(found),
            "package_load": selectors.package_load(evaluation),
        },
    )


HISTORY_COLUMNS = ("when", "who", "action", "record", "changes", "reason")


def history_rows(evaluation: Evaluation) -> list[tuple[str, ...]]:
    """The audit trail as the contract's CSV columns, header first."""
    return [HISTORY_COLUMNS] + [
        (
            entry.when.isoformat(),
            entry.username or entry.who,
            entry.action,
            entry.record_ref,
            entry.changes_text,
            entry.reason,
        )
        for entry in selectors.evaluation_history(evaluation)
    ]


@evaluation_view("scoring.export_package")
def history_csv(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for cells in history_rows(evaluation):
        writer.writerow([ranking.spreadsheet_safe(cell) for cell in cells])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{download_name(evaluation, "history.csv")}"'
    return response
