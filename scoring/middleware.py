"""Keeps refused writes to locked evaluations on the record (see ``services.recording_refusals``)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import services


class LockedWriteMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return self.get_response(request)
        with services.recording_refusals(getattr(request, "user", None), f"{request.method} {request.path}"):
            return self.get_response(request)
