"""The ranking and package as files: JSON, CSV and XLSX, all from the stored ranking."""

from __future__ import annotations

import io

from openpyxl import Workbook

from . import ranking, services
from .models import Criterion, Evaluation


def _criterion_keys(evaluation: Evaluation) -> list[str]:
    return list(Criterion.objects.filter(evaluation=evaluation).values_list("key", flat=True))


def ranking_json(evaluation: Evaluation) -> dict:
    return services.stored_ranking(evaluation)


def ranking_csv(evaluation: Evaluation) -> str:
    return ranking.ranking_csv(services.stored_ranking(evaluation), _criterion_keys(evaluation))


def ranking_xlsx(evaluation: Evaluation) -> bytes:
    table = ranking.ranking_table(services.stored_ranking(evaluation), _criterion_keys(evaluation))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Ranking"
    for cells in table:
        sheet.append(cells)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(ranking.FORMULA_PREFIXES):
                # Text, never a formula: the exact value, marked so a spreadsheet won't evaluate it.
                cell.data_type = "s"
                cell.quotePrefix = True
    for column in sheet.iter_cols(min_row=2, min_col=6):
        for cell in column:
            if isinstance(cell.value, float):
                cell.number_format = "0.00"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
