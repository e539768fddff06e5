"""The evaluation's history: the page, and the same rows as CSV."""

from __future__ import annotations

import csv
import io

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from scoring import ranking, selectors
from scoring.models import Evaluation
from scoring.pages.history import history_page
from scoring.views.access import download_name, evaluation_view


@evaluation_view("scoring.export_package")
def history(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    return render(request, "scoring/history.html", history_page(evaluation, request.GET).context())


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
