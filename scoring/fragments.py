"""Rendered parts of pages that are the same for everyone who may see them, cached by what they show.

The dashboard's results (ranking, lead, charts, the criterion table) are thousands of
cells worked out from the stored ranking. They change only when the ranking is
recomputed, so the HTML is cached under a key made of everything it is drawn from:
the time the stored ranking was computed, the evaluation's and bids' versions, the
criteria, the viewer's one permission that changes it, and the code that draws it. A
change to any of them is a new key, so nothing is ever invalidated by hand and a
stale page cannot be shown; unused entries simply expire.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from core.pagecache import code_digest

from . import guide, insight, selectors, services
from .models import Bid, Evaluation

TIMEOUT = 24 * 60 * 60  # seconds; a key is only reused while nothing it is made of changes


def _key(parts: Iterable[Any]) -> str:
    return "fragment:" + hashlib.sha256(repr(tuple(parts)).encode()).hexdigest()


# The dashboard's cached parts, each a template of its own.
DASHBOARD_PARTS = {
    "results": "scoring/_dashboard_results.html",
    "bids": "scoring/_dashboard_bids.html",
    "criteria": "scoring/_dashboard_criteria.html",
}


def dashboard(
    evaluation: Evaluation, *, can_export_package: bool
) -> tuple[dict[str, SafeString], dict[str, Any] | None]:
    """The dashboard's results, bid list and criteria as HTML, and their context when drawn now (None from the cache).

    A cache hit costs the stamp and two small queries (the bids' versions and names, the criteria);
    a miss reads the bids and criteria in full and draws all three.
    """
    stamp = services.stored_results_stamp(evaluation)
    key = None
    if stamp is not None:  # otherwise reading the results recomputes them: draw, and cache next time
        key = _dashboard_key(evaluation, stamp, can_export_package)
        cached = cache.get(key)
        if cached is not None:
            return {name: mark_safe(html) for name, html in cached.items()}, None  # noqa: S308 (rendered here, escaped)
    context = _dashboard_context(evaluation, can_export_package)
    parts = {name: render_to_string(template, context) for name, template in DASHBOARD_PARTS.items()}
    if key is not None:
        cache.set(key, {name: str(html) for name, html in parts.items()}, TIMEOUT)
    return {name: mark_safe(html) for name, html in parts.items()}, context  # noqa: S308 (escaped by the templates)


def _dashboard_key(evaluation: Evaluation, stamp: Any, can_export_package: bool) -> str:
    """Everything the dashboard's parts are drawn from, the one permission that changes them included."""
    return _key(
        [
            "dashboard",
            code_digest(),
            evaluation.pk,
            evaluation.version,
            evaluation.status,
            stamp,
            can_export_package,
            list(selectors.bids(evaluation).values_list("pk", "version", "vendor_name", "msp__name")),
            list(selectors.criteria(evaluation).values_list("pk", "key", "weight", "category", "text", "applies_to")),
        ]
    )


def _dashboard_context(evaluation: Evaluation, can_export_package: bool) -> dict[str, Any]:
    criteria = list(selectors.criteria(evaluation))
    bids = list(selectors.bids(evaluation))
    return {
        "evaluation": evaluation,
        "criteria": criteria,
        "bids": bids,
        "coverage": {bid.pk: guide.coverage_note(bid.model, bid.scope_included, bid.responsibilities) for bid in bids},
        "bid_urls": {bid.vendor_name: bid.get_absolute_url() for bid in bids},
        "bid_ids": {bid.vendor_name: bid.pk for bid in bids},
        "can_export_package": can_export_package,
        **insight.results(evaluation, criteria, bids),
    }


def _cached(parts: list[Any], build: Callable[[], Any]) -> Any:
    key = _key([code_digest(), *parts])
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value


def comparison(evaluation: Evaluation, chosen: list[Bid], draw: Callable[[], str]) -> SafeString:
    """The side by side's table of the ``chosen`` bids (each with its version and MSP), drawn by ``draw``."""
    stamp = services.stored_results_stamp(evaluation)
    if stamp is None:
        return mark_safe(draw())  # noqa: S308 (rendered by the template engine, which escaped it)
    parts = [
        "comparison",
        evaluation.pk,
        evaluation.version,
        stamp,
        [(bid.pk, bid.version, bid.vendor_name, bid.msp.name) for bid in chosen],
        list(selectors.criteria(evaluation).values_list("pk", "key", "weight")),
        list(evaluation.requirements.values_list("pk", "key", "text")),
    ]
    return mark_safe(_cached(parts, lambda: str(draw())))  # noqa: S308 (rendered and escaped by the template)


def ranking_download(evaluation: Evaluation, kind: str, build: Callable[[], bytes], *parts: Any) -> bytes:
    """A ranking file (``kind``: csv, json …) built by ``build``, cached like the dashboard's results;
    ``parts`` are whatever else the file is drawn from."""
    stamp = services.stored_results_stamp(evaluation)
    if stamp is None:
        return build()
    return _cached(["ranking-download", kind, evaluation.pk, evaluation.version, stamp, *parts], build)
