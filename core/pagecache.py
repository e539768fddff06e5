"""Whole pages cached per person until the data changes: the dashboard, side by side, the portfolio.

A page is cached under a key made of who asks (the user and their CSRF secret, which
the page's forms carry), what they ask for (the path and the query string), the data's
revision (``core.revision``: it moves with every write, so any change to
anything a page shows, or to who may see it, is a new key), today's date (deadlines,
expired evidence) and the code that draws pages. A page is therefore served from the
cache only to the person it was drawn for, only while nothing has been written
since, and never invalidated by hand; unused entries expire.

Only plain GETs of a logged-in person with no messages waiting, whose query string
holds only the parameters the view reads, are cached, and only answers of 200: a
refusal, a 404 or an address with anything else in it is drawn every time (so odd
query strings cannot fill the cache). Pages have a cache of their own (``pages``),
so they never push out the fragments shared by everyone. ``PAGE_CACHE_SECONDS=0``
turns it off.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from . import revision

CACHE = "pages"
# What draws pages: a deployment that changes any of it (code, templates, static files,
# pinned libraries) starts new keys.
_SOURCES = (
    "templates",
    "static",
    "accounts",
    "core",
    "evaluator",
    "notifications",
    "scoring",
    "vendors",
    "requirements.txt",
)
# Response headers a cached page keeps (the middleware adds the rest on every answer).
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Cache-Control", "Vary")


@functools.cache
def code_digest() -> str:
    """A digest of what draws pages (the cached fragments' keys hold it too)."""
    digest = hashlib.sha256(f"{settings.DEBUG}|{settings.STATIC_URL}".encode())
    base = Path(settings.BASE_DIR)
    for source in _SOURCES:
        path = base / source
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file() and file.suffix != ".pyc" and "migrations" not in file.parts:
                digest.update(str(file.relative_to(base)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def key(request: HttpRequest, params: frozenset[str]) -> str | None:
    """The cache key of the page ``request`` asks for; None when the page must be drawn."""
    if request.method != "GET" or getattr(request, "htmx", False) or not params.issuperset(request.GET):
        return None
    user = request.user
    if not user.is_authenticated:
        return None
    # The secret the CSRF middleware read from the cookie: the page's tokens are masks of it.
    csrf_secret = request.META.get("CSRF_COOKIE") if settings.CSRF_COOKIE_NAME in request.COOKIES else None
    if not csrf_secret or len(get_messages(request)):
        return None  # the page will set the cookie, or show messages that are shown once
    number = revision.current()
    if number is None:
        return None
    parts = (
        code_digest(),
        request.get_full_path(),
        user.pk,
        csrf_secret,
        number,
        timezone.localdate().isoformat(),
        translation.get_language(),
    )
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_page(*params: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Serve the view's page from the cache while nothing it may show has changed (see the module).

    ``params`` are the query-string parameters the view reads; an address with any other is drawn.
    """
    allowed = frozenset(params)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            timeout = settings.PAGE_CACHE_SECONDS
            page_key = key(request, allowed) if timeout > 0 else None
            if page_key is None:
                return view(request, *args, **kwargs)
            cache = caches[CACHE]
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

    return decorator
