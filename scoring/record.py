"""The verifiable record: canonical JSON and its SHA-256, for the package and the ranking.

Canonical means: keys sorted, no insignificant whitespace, UTF-8, and every
number in one fixed form (integers as integers; other numbers rounded to 6
decimal places, then written in Python's shortest round-trip form). The same
document always gives the same bytes, so the digest can be quoted in a board
minute and recomputed by anyone with the documents.

``package_ranking`` is the other half of the check: the ranking a package gives by
the contract's rules, so a kept ranking can be shown to follow from the kept package.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from . import ranking
from .package import Package

NUMBER_PLACES = 6


def _fixed(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        rounded = round(value, NUMBER_PLACES)
        return int(rounded) if rounded.is_integer() else rounded
    if isinstance(value, dict):
        return {str(key): _fixed(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_fixed(item) for item in value]
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def canonical(document: Any) -> bytes:
    return json.dumps(_fixed(document), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(document: Any) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def package_ranking(package: Package, *, today: date) -> dict:
    """The ranking a package gives by the contract's rules, computed for the day ``today``.

    What an auditor does by hand with a kept package: only submitted scorecards count, and
    a requirement whose evidence (not withdrawn) has all expired by ``today`` counts as unmet,
    as it does in the app on that day.
    """
    expired = ranking.expired_requirements(
        (
            (bid.vendor, document["requirement"], document["expires_on"])
            for bid in package.bids
            for document in bid.documents
            if document["kind"] == "evidence" and not document["withdrawn"] and document["requirement"]
        ),
        today,
    )
    submitted = set(package.submitted)
    scores: dict[tuple[str, str], list[int]] = {}
    for entry in package.scores:
        if entry["evaluator"] in submitted:
            scores.setdefault((entry["vendor"], entry["criterion"]), []).append(entry["score"])
    e, organization = package.evaluation, package.organization
    data = ranking.Evaluation(
        title=e["title"],
        model=e["model"],
        term_months=e["term_months"],
        red_flag_policy=e["red_flag_policy"],
        red_flag_penalty=e["red_flag_penalty"],
        organization=ranking.Organization(
            employees=organization["employees"],
            devices=organization["devices"],
            it_staff_annual_cost=organization["it_staff_annual_cost"],
        ),
        criteria=tuple(
            ranking.Criterion(key=c.key, kind=c.kind, weight=c.weight, applies_to=c.applies_to)
            for c in package.criteria
        ),
        requirements=tuple(r["key"] for r in package.requirements),
        bids=tuple(
            ranking.Bid.from_terms(
                bid,
                vendor=bid.vendor,
                requirements_met=frozenset(key for key in bid.requirements_met if (bid.vendor, key) not in expired),
                manual_flags=tuple(flag["code"] for flag in bid.manual_red_flags),
                waived_flags=tuple(waiver["code"] for waiver in bid.waived_red_flags),
            )
            for bid in package.bids
        ),
        scores=scores,
    )
    return ranking.ranking_document(data)
