"""The ranking and package as files: JSON, CSV and XLSX, all from the stored ranking.

A locked evaluation's files come from the record kept at its lock (``services.kept_record``):
byte for byte the same whatever is written after it.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from . import fragments, ranking, services
from .models import Criterion, Evaluation


def _criterion_keys(evaluation: Evaluation) -> list[str]:
    return list(Criterion.objects.filter(evaluation=evaluation).values_list("key", flat=True))


def _ranking_and_keys(evaluation: Evaluation, keys: list[str] | None = None) -> tuple[dict, list[str]]:
    """The ranking a download serves and its criterion columns, in package order (``keys`` if read already)."""
    kept = services.kept_record(evaluation)
    if kept is not None:
        return kept.ranking, [criterion["key"] for criterion in kept.package["criteria"]]
    return services.stored_ranking(evaluation), _criterion_keys(evaluation) if keys is None else keys


def ranking_json(evaluation: Evaluation) -> dict:
    return services.ranking_document(evaluation)


def ranking_json_bytes(evaluation: Evaluation) -> bytes:
    """The ranking document as the download sends it (indented), from the cache when it is current."""

    def build() -> bytes:
        return json.dumps(ranking_json(evaluation), cls=DjangoJSONEncoder, indent=2).encode()

    return fragments.ranking_download(evaluation, "json", build)


def ranking_csv(evaluation: Evaluation) -> str:
    return ranking.ranking_csv(*_ranking_and_keys(evaluation))


def ranking_csv_bytes(evaluation: Evaluation) -> bytes:
    """The ranking as CSV, from the cache when it is current (the columns follow the criteria's order)."""
    keys = _criterion_keys(evaluation)

    def build() -> bytes:
        return ranking.ranking_csv(*_ranking_and_keys(evaluation, keys)).encode()

    return fragments.ranking_download(evaluation, "csv", build, keys)


def _protect_text(sheet) -> None:
    """Text, never a formula: the exact value, marked so a spreadsheet won't evaluate it."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(ranking.FORMULA_PREFIXES):
                cell.data_type = "s"
                cell.quotePrefix = True


def ranking_xlsx(evaluation: Evaluation) -> bytes:
    table = ranking.ranking_table(*_ranking_and_keys(evaluation))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Ranking"
    for cells in table:
        sheet.append(cells)
    _protect_text(sheet)
    for column in sheet.iter_cols(min_row=2, min_col=6):
        for cell in column:
            if isinstance(cell.value, float):
                cell.number_format = "0.00"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# The side by side shows money as "$1,234.56", percentages as "80.0 %" and totals as "85.00":
# the workbook keeps them as numbers a spreadsheet can sum, with the same look.
_MONEY = re.compile(r"^\$(-?[\d,]+\.\d{2})$")
_PERCENT = re.compile(r"^(-?\d+(?:\.\d+)?) %$")
_NUMBER = re.compile(r"^-?\d+\.\d{2}$")
DIFFERS_FILL = PatternFill("solid", start_color="FFF3CD", end_color="FFF3CD")
SECTION_FILL = PatternFill("solid", start_color="E9ECEF", end_color="E9ECEF")


def _typed(text: str) -> tuple[object, str | None]:
    """A side-by-side value as a workbook cell: (value, number format or None)."""
    if match := _MONEY.match(text):
        return float(Decimal(match.group(1).replace(",", ""))), '"$"#,##0.00'
    if match := _PERCENT.match(text):
        return float(Decimal(match.group(1))), '0.0" %"'
    if _NUMBER.match(text):
        return float(Decimal(text)), "0.00"
    return text, None


def _fill_row(sheet, row: int, width: int, fill: PatternFill) -> None:
    for column in range(1, width + 1):
        sheet.cell(row=row, column=column).fill = fill


def _append_line(sheet, label: str, values: Sequence[str]) -> None:
    """One line of the side by side: its label, then each bid's value as a typed cell."""
    sheet.append([label])
    row = sheet.max_row
    for column, text in enumerate(values, start=2):
        value, number_format = _typed(text)
        cell = sheet.cell(row=row, column=column, value=value)
        if number_format:
            cell.number_format = number_format


def comparison_xlsx(evaluation: Evaluation, vendors: Sequence[str], sections: Sequence) -> bytes:
    """The side by side as a workbook: one column per bid, sections as bands, differing rows shaded.

    ``sections`` are the page's (``pages.compare.sections``), so the workbook and the page show the same lines.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Side by side"
    sheet.append([evaluation.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["", *vendors])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for title, lines in sections:
        sheet.append([title])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        _fill_row(sheet, sheet.max_row, len(vendors) + 1, SECTION_FILL)
        for label, values, differs in lines:
            _append_line(sheet, label, values)
            if differs:
                _fill_row(sheet, sheet.max_row, len(vendors) + 1, DIFFERS_FILL)
    sheet.append([])
    sheet.append(["Shaded rows differ between the bids. Totals and percentages are the ranking's."])
    sheet.column_dimensions["A"].width = 48
    for index in range(len(vendors)):
        sheet.column_dimensions[chr(ord("B") + index)].width = 24
    for row in sheet.iter_rows(min_row=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    _protect_text(sheet)
    sheet.freeze_panes = "B3"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
