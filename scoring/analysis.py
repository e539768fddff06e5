"""What the dashboard says beyond the ranking: each total by category, and how robust the lead is.

Computed with the ranking, from the same exact numbers, and stored beside it
(``StoredRanking.analysis``), so pages read it without recomputing. Amounts are
kept as decimal strings: nothing is rounded until it is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from . import consensus, ranking, sensitivity

# 3: ``scored``, whether any scorecard counts yet (before that, first place is a standing by price alone).
VERSION = 3


def build(data: ranking.Evaluation, rows: list[ranking.Row], categories: Mapping[str, str]) -> dict:
    """The stored analysis of one ranking: contributions per ranked bid, and the weight ranges."""
    return {
        "version": VERSION,
        # Whether any submitted score counts: until one does, the order is by price alone and
        # no page calls a bid the leader (scoring.rules).
        "scored": bool(data.scores),
        "contributions": {
            row.vendor: {
                category: str(value) for category, value in ranking.contributions(data, row, categories).items()
            }
            for row in rows
            if row.rank is not None
        },
        # Where the submitted scores of one bid on one question spread by DISCUSS_RANGE or more.
        "discuss": [
            {"vendor": vendor, "criterion": key, "low": min(scores), "high": max(scores), "count": len(scores)}
            for (vendor, key), scores in sorted(
                data.scores.items(), key=lambda item: (item[0][0].casefold(), item[0][1])
            )
            if scores and max(scores) - min(scores) >= consensus.DISCUSS_RANGE
        ],
        "sensitivity": [
            {
                "criterion": found.criterion,
                "weight": str(found.weight),
                "low": None if found.low is None else str(found.low),
                "high": None if found.high is None else str(found.high),
                "below_leader": found.below_leader,
                "above_leader": found.above_leader,
            }
            for found in sensitivity.weight_ranges(data, rows)
        ],
    }


def summary(document: Mapping) -> dict:
    """What the portfolio shows of a ranking, small enough to read for a page of evaluations at once."""
    rows = document.get("ranking", [])
    first = rows[0] if rows and rows[0].get("rank") == 1 else None
    return {
        "leader": None if first is None else {"vendor": first["vendor"], "total": first["total"]},
        "flagged": sum(1 for row in rows if row["red_flags"]),
        "bids": len(rows),
    }


def is_current(analysis: Mapping | None) -> bool:
    return bool(analysis) and analysis.get("version") == VERSION


def shown(value: str | Decimal) -> str:
    """A weight as people write it: at most 2 decimals, no trailing zeros (18, 37.5, 12.34)."""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def statement(entry: Mapping, subject: str) -> str:
    """The weight range in words, ``subject`` naming the weight.

    "stays first unless the weight of “Price” falls below 18 (Bayside IT then leads)".
    """
    low, high = entry.get("low"), entry.get("high")
    below, above = entry.get("below_leader"), entry.get("above_leader")
    if low is None and high is None:
        return f"stays first whatever {subject}"
    if low is not None and shown(low) == "0":
        falls = f"{subject} is cut to 0 ({below} then leads)"
    elif low is not None:
        falls = f"{subject} falls below {shown(low)} ({below} then leads)"
    rises = f"{subject} rises above {shown(high)} ({above} then leads)" if high is not None else ""
    if low is not None and high is not None:
        return f"stays first unless {falls}, or {rises}"
    return f"stays first unless {falls if low is not None else rises}"
