"""The fence around the bid room: a person signed in for a bidding MSP reaches the bid room, their own
password and sign-out, and nothing else. One place for the rule, in front of every internal page,
download, the admin and whatever is added later: anything else answers 404, as if it did not exist."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from accounts.roles import is_msp_user

# Set in the session at sign-in (``PortalConfig.ready``): the fence then costs no query of its own, which
# matters for pages served from the page cache. MSP users are only ever made by invitations, never from a
# signed-in internal user.
SESSION_KEY = "bid_room_user"

OPEN_TO_MSPS = ("/bid-room/", "/accounts/logout/", "/accounts/password/", "/accounts/login/", "/healthz")


def msp_fence(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    static = "/" + settings.STATIC_URL.lstrip("/")

    def middleware(request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if not (session and session.get(SESSION_KEY)) or request.path.startswith((*OPEN_TO_MSPS, static)):
            return get_response(request)
        if request.path == "/":
            return redirect("portal:home")
        response = TemplateResponse(request, "404.html", {"exception": "Not found"}, status=404)
        return response.render()

    return middleware


def note_bid_room_user(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """At sign-in: whether this person is fenced into the bid room."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = is_msp_user(user)
