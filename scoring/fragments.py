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

import functools
import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from . import insight, services
from .models import Bid, Criterion, Evaluation

TIMEOUT = 24 * 60 * 60  # seconds; a key is only reused while nothing it is made of changes

# The code that draws the fragments: a deployment that changes any of it starts new keys.
_SOURCES = (
    "templates/scoring/_dashboard_results.html",
    "templates/scoring/_lead.html",
    "templates/scoring/_result_charts.html",
    "templates/scoring/_chart_bars.html",
    "templates/scoring/_chart_lines.html",
    "scoring/insight.py",
    "scoring/charts.py",
    "scoring/analysis.py",
    "scoring/templatetags/scoring_extras.py",
    "scoring/ranking.py",
    "scoring/exports.py",
)


@functools.cache
def _code_digest() -> str:
    digest = hashlib.sha256()
    for name in _SOURCES:
        digest.update((settings.BASE_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def _key(parts: Iterable[Any]) -> str:
    return "fragment:" + hashlib.sha256(repr(tuple(parts)).encode()).hexdigest()


def dashboard_results(
    evaluation: Evaluation, criteria: list[Criterion], bids: list[Bid], *, can_export_package: bool
) -> tuple[SafeString, dict[str, Any] | None]:
    """The dashboard's results section, and its context when it was drawn now (None from the cache)."""
    stamp = services.stored_results_stamp(evaluation)
    key = None
    if stamp is not None:  # otherwise reading the results recomputes them: draw, and cache next time
        key = _key(
            [
                "dashboard-results",
                _code_digest(),
                evaluation.pk,
                evaluation.version,
                evaluation.status,
                stamp,
                can_export_package,
                [(b.pk, b.version) for b in bids],
                [(c.pk, c.key, str(c.weight), c.category, c.text, c.applies_to) for c in criteria],
            ]
        )
        html = cache.get(key)
        if html is not None:
            return mark_safe(html), None  # noqa: S308 (HTML this module rendered and escaped)
    context = {
        "evaluation": evaluation,
        "criteria": criteria,
        "bid_urls": {bid.vendor_name: bid.get_absolute_url() for bid in bids},
        "bid_ids": {bid.vendor_name: bid.pk for bid in bids},
        "can_export_package": can_export_package,
        **insight.results(evaluation, criteria, bids),
    }
    html = render_to_string("scoring/_dashboard_results.html", context)
    if key is not None:
        cache.set(key, str(html), TIMEOUT)
    return mark_safe(html), context  # noqa: S308 (rendered by the template engine, which escaped it)


def ranking_download(evaluation: Evaluation, kind: str, build: Callable[[], bytes], *parts: Any) -> bytes:
    """A ranking file (``kind``: csv, json …) built by ``build``, cached like the dashboard's results;
    ``parts`` are whatever else the file is drawn from."""
    stamp = services.stored_results_stamp(evaluation)
    if stamp is None:
        return build()
    key = _key(["ranking-download", kind, _code_digest(), evaluation.pk, evaluation.version, stamp, *parts])
    body = cache.get(key)
    if body is None:
        body = build()
        cache.set(key, body, TIMEOUT)
    return body
