"""The pieces of the security settings that need code.

``client_ip`` tells django-axes which address a failed login came from, so a
lockout hits the guesser and not the proxy in front of every user.
``UploadSizeCap`` keeps an oversized upload from filling memory or the disk:
it passes at most one byte more than the largest file any form accepts, so
that form still sees the file is too large and says so.
``private_responses`` marks every answer to a signed-in person ``Cache-Control: private, no-store``:
evaluation data (pages, downloads, documents) is never kept by a shared proxy or the browser's disk cache.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


def client_ip(request: HttpRequest) -> str:
    """The client's address, read through ``TRUSTED_PROXY_COUNT`` proxies.

    Each proxy appends the address it saw to ``X-Forwarded-For``, so behind N
    proxies the client is the Nth entry from the right; anything further left
    was sent by the client and can't be trusted.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def max_upload_bytes() -> int:
    """The largest file any form of the app accepts."""
    return max(settings.MAX_DOCUMENT_BYTES, settings.MAX_PACKAGE_BYTES)


class UploadSizeCap(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: the handlers after it never see more than the cap plus one byte.

    The rest of an oversized file is read off the connection and dropped, so
    the request still parses and the form answers with its own message.
    """

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.keep = max_upload_bytes() + 1

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        room = self.keep - self.received
        self.received += len(raw_data)
        if room <= 0:
            return None  # stops the chunk here: the next handlers store nothing more
        return raw_data[:room]

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the file from what it was passed


def private_responses(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Middleware: what a signed-in person is answered is theirs alone, and not to be stored anywhere."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware
