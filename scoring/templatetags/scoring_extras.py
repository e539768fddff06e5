from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

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
