from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def money(value: object, cents: bool = False) -> str:
    """$12,345 (or $12,345.67 with cents); an em dash for nothing."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    if cents:
        return f"${amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    return f"${amount.quantize(Decimal('1'), rounding=ROUND_HALF_UP):,.0f}"


@register.filter
def number(value: object, places: int = 2) -> str:
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value)).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    return f"{amount:,.{int(places)}f}"


@register.filter
def get(mapping: dict, key: object) -> object:
    return mapping.get(key) if mapping else None


@register.filter
def weight(value: object) -> str:
    """A weight as people write it: at most 2 decimals, no trailing zeros (18, 37.5)."""
    if value is None or value == "":
        return "—"
    from scoring.analysis import shown

    return shown(str(value))


@register.filter
def model_name(value: object) -> str:
    """A bid model as people write it ("Co-managed", "Fully managed"), for rows of a ranking document."""
    from scoring.models.library import BidModel

    return BidModel.CO_MANAGED.label if value == BidModel.CO_MANAGED else BidModel.FULLY_MANAGED.label


@register.filter
def is_ranked(row: object) -> bool:
    """Whether a row of a ranking (a document's mapping or a ``ranking.Row``) is ranked, not disqualified."""
    from scoring.ranking import RANKED

    status = row.get("status") if isinstance(row, Mapping) else getattr(row, "status", None)
    return status == RANKED


@register.simple_tag
def criterion_matrix(rows: list[dict], criteria: list) -> str:
    """The table of each ranked bid's percentage on each criterion.

    Built in Python: at 50 bids and 60 criteria it is 3,000 cells, which the template
    language renders ten times slower than this.
    """
    head = format_html_join(
        "",
        '<th scope="col" class="text-end small">{}<div class="fw-normal text-body-secondary">w {}</div></th>',
        ((c.key, weight(c.weight)) for c in criteria),
    )
    keys = [c.key for c in criteria]
    not_applicable = '<td class="text-end"><span class="text-body-secondary">n/a</span></td>'
    body = []
    for row in rows:
        percentages = row.get("criteria") or {}
        cells = "".join(
            not_applicable
            if percentages.get(key) is None
            else f'<td class="text-end">{number(percentages[key], 1)}%</td>'
            for key in keys
        )
        cells = mark_safe(cells)  # noqa: S308 (constant markup around numbers we formatted)
        body.append(format_html('<tr><th scope="row" class="fw-normal">{}</th>{}</tr>', row["vendor"], cells))
    return format_html(
        '<table class="table table-sm align-middle mb-0"><thead><tr><th scope="col">MSP</th>{}</tr></thead>'
        "<tbody>{}</tbody></table>",
        head,
        mark_safe("".join(body)),  # noqa: S308 (each row escaped above)
    )
