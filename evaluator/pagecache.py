"""Whole pages cached per person until the data changes: the dashboard, side by side, the portfolio.

A page is cached under a key made of who asks (the user and their CSRF cookie, which
the page's forms carry), what they ask for (the full path with its query string),
the data's revision (``evaluator.revision``: it moves with every write, so any
change to anything a page shows, or to who may see it, is a new key), today's date
(deadlines, expired evidence) and the code that draws pages. A page is therefore
served from the cache only to the person it was drawn for, only while nothing has
been written since, and never invalidated by hand; unused entries expire.

Only plain GETs of a logged-in person with no messages waiting are cached, and only
answers of 200: a refusal or a 404 is drawn every time. ``PAGE_CACHE_SECONDS=0``
turns it off.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from . import revision

# The code that draws pages: a deployment that changes any of it starts new keys.
_CODE = ("templates", "accounts", "evaluator", "notifications", "scoring", "vendors")
# Response headers a cached page keeps (the middleware adds the rest on every answer).
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Cache-Control", "Vary")


@functools.cache
def _code_digest() -> str:
    digest = hashlib.sha256()
    for folder in _CODE:
        for path in sorted((Path(settings.BASE_DIR) / folder).rglob("*")):
            if path.suffix in {".py", ".html", ".txt"} and "migrations" not in path.parts:
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def key(request: HttpRequest) -> str | None:
    """The cache key of the page ``request`` asks for; None when the page must be drawn."""
    if request.method != "GET" or getattr(request, "htmx", False):
        return None
    user = request.user
    if not user.is_authenticated:
        return None
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not csrf_cookie or len(get_messages(request)):
        return None  # the page will set the cookie, or show messages that are shown once
    number = revision.current()
    if number is None:
        return None
    parts = (
        _code_digest(),
        request.get_full_path(),
        user.pk,
        csrf_cookie,
        number,
        timezone.localdate().isoformat(),
        translation.get_language(),
    )
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve ``view``'s page from the cache while nothing it may show has changed (see the module)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        timeout = settings.PAGE_CACHE_SECONDS
        page_key = key(request) if timeout > 0 else None
        if page_key is None:
            return view(request, *args, **kwargs)
        hit = cache.get(page_key)
        if hit is not None:
            content, headers = hit
            return HttpResponse(content, headers=headers)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            headers = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
            cache.set(page_key, (response.content, headers), timeout)
        return response

    return wrapped
