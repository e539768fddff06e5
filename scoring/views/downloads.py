"""The ranking and the package as files."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse

from scoring import exports, services
from scoring.models import (
    Evaluation,
)
from scoring.views.access import download_name, evaluation_view


@evaluation_view("scoring.view_results")
def ranking_json(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    response = HttpResponse(exports.ranking_json_bytes(evaluation), content_type="application/json")
    response["Content-Disposition"] = f'inline; filename="{download_name(evaluation, "ranking.json")}"'
    return response


@evaluation_view("scoring.view_results")
def ranking_csv(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    response = HttpResponse(exports.ranking_csv_bytes(evaluation), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{download_name(evaluation, "ranking.csv")}"'
    return response


@evaluation_view("scoring.view_results")
def ranking_xlsx(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    response = HttpResponse(
        exports.ranking_xlsx(evaluation),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{download_name(evaluation, "ranking.xlsx")}"'
    return response


@evaluation_view("scoring.export_package")
def package_json(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    # A locked evaluation serves the package kept at its lock, whatever was written since.
    body = json.dumps(services.package_document(evaluation), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{download_name(evaluation, "package.json")}"'
    return response
