"""Each form sent once: a create form posted twice (Enter pressed twice, a page resent) does its work once.

Forms carry a one-time key (``{% once_key %}``, a hidden ``once`` field). ``sent_once`` is middleware:
a signed-in person's POST with a key runs its view in one transaction that first records the key
(``FormSubmission``); the same key sent again waits for the first sending to finish, then is sent where
the first one led, with a word saying so, and nothing is done twice. A sending that did not lead on
(a form shown again with its errors) gives its key back, so the corrected form can be sent with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .models import FormSubmission

FIELD = "once"
ALREADY_SENT = "That form was already sent and done; this is where it led. Nothing was done twice."


def key_of(request: HttpRequest) -> uuid.UUID | None:
    """The one-time key a POST carries, if a well-formed one."""
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


def sent_once(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        key = key_of(request) if request.method == "POST" and request.user.is_authenticated else None
        if key is None:
            return get_response(request)
        with transaction.atomic():
            submission = _record(key, request)
            if submission is None:
                first = FormSubmission.objects.filter(key=key).first()
                if first is not None and first.user_id == request.user.pk:
                    messages.info(request, ALREADY_SENT)
                    return redirect(first.location or request.path)
                return get_response(request)  # someone else's key: this sending is not theirs to stop
            response = get_response(request)
            if response.status_code in (301, 302, 303) and response.has_header("Location"):
                submission.location = response["Location"][:500]
                submission.save(update_fields=["location"])
            else:
                submission.delete()  # shown again, with its errors: the key is free for the corrected form
            return response

    return middleware


def _record(key: uuid.UUID, request: HttpRequest) -> FormSubmission | None:
    """The key, recorded for this sending; None when it is taken. A twin of a sending still running
    waits here (the key's unique index) until that one is done."""
    try:
        with transaction.atomic():
            return FormSubmission.objects.create(key=key, user=request.user)
    except IntegrityError:
        return None
