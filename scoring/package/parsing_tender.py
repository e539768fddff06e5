"""Parsing a package's clarifications (an app extension): the questions asked in the bid room and the
owner's answers, published (numbered) or private (with the reason)."""

from __future__ import annotations

from typing import Any

from scoring.package.schema import Reader, vendor_key

VISIBILITIES = ("published", "private")
MAX_CLARIFICATION = 5000
KEYS = {"vendor", "question", "answer", "visibility", "reason", "number"}


def parse_clarifications(r: Reader, value: Any, vendors: set[str]) -> list[dict[str, Any]]:
    """``clarifications``: each names the asking vendor (a bidder or candidate of the package), its
    question, and once answered the answer with its visibility; a private answer gives its reason, a
    published one its number (unique, from 1)."""
    result: list[dict[str, Any]] = []
    numbers: set[int] = set()
    for i, item in enumerate(r.array(value, "clarifications") if value is not None else []):
        p = f"clarifications[{i}]"
        data = r.obj(item, p, KEYS)
        if data is not None:
            entry = _clarification(r, data, p, vendors)
            _check_answer(r, entry, p, numbers)
            result.append(entry)
    return result


def _clarification(r: Reader, data: dict, p: str, vendors: set[str]) -> dict[str, Any]:
    vendor = r.text(data, "vendor", p, max_length=200)
    if vendor is not None and vendor_key(vendor) not in vendors:
        r.error(f"{p}.vendor", f"{vendor!r} is neither a bid nor a candidate of the package")
    visibility = r.choice(data, "visibility", p, VISIBILITIES) if data.get("visibility") is not None else ""
    return {
        "vendor": vendor or "",
        "question": r.text(data, "question", p, max_length=MAX_CLARIFICATION) or "",
        "answer": r.text(data, "answer", p, required=False, nullable=True, max_length=MAX_CLARIFICATION) or "",
        "visibility": visibility or "",
        "reason": r.text(data, "reason", p, required=False, nullable=True) or "",
        "number": r.integer(data, "number", p, minimum=1, maximum=100_000, default=None, nullable=True),
    }


def _check_answer(r: Reader, entry: dict[str, Any], p: str, numbers: set[int]) -> None:
    """An answer goes with its visibility; a private one with its reason; a published one with a number of
    its own. What a visibility does not use is dropped."""
    visibility, number = entry["visibility"], entry["number"]
    if visibility and not entry["answer"]:
        r.error(f"{p}.answer", "required once the question is answered")
    if entry["answer"] and not visibility:
        r.error(f"{p}.visibility", "required with an answer: published or private")
    if visibility == "private" and not entry["reason"]:
        r.error(f"{p}.reason", "required for a private answer")
    if visibility == "published" and number is None:
        r.error(f"{p}.number", "required for a published answer")
    elif visibility == "published" and number in numbers:
        r.error(f"{p}.number", f"a second clarification numbered {number}")
    elif visibility == "published":
        numbers.add(number)
    entry["reason"] = entry["reason"] if visibility == "private" else ""
    entry["number"] = number if visibility == "published" else None
