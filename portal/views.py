"""The bid room: what an invited MSP's person sees and does. Every page is scoped to their own
invitations (``selectors.invitation``: 404 for any other id); internal users are refused (403)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from accounts.roles import is_msp_user
from portal import pages, selectors
from portal.forms import DeclineForm, NewLinkForm, QuestionForm
from scoring import services
from scoring.forms.responses import ResponseDocumentForm
from scoring.models import Invitation
from scoring.views.access import add_errors

BID_ROOM_ONLY = "The bid room is for the people of the invited MSPs."


def bid_room_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The one door of the bid room's pages about an invitation: the person's own, or 404."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_msp_user(request.user):
            raise PermissionDenied(BID_ROOM_ONLY)
        return view(request, selectors.invitation(request.user, pk), *args, **kwargs)

    return wrapped


def home(request: HttpRequest) -> HttpResponse:
    if not is_msp_user(request.user):
        raise PermissionDenied(BID_ROOM_ONLY)
    return render(request, "portal/home.html", pages.home_page(request.user).context())


@bid_room_view
def request_detail(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    return render(request, "portal/request.html", pages.request_page(invitation).context())


@bid_room_view
def response_edit(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    candidate = invitation.candidate
    submitting = "submit" in request.POST
    if refusal := pages.why_closed(invitation):
        pages.note_if_late(invitation, request.user, submitting)
        messages.error(request, refusal) if request.method == "POST" else messages.info(request, refusal)
        return redirect("portal:request", pk=invitation.pk)
    form = pages.response_form(invitation, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            if submitting:
                pages.save_and_submit(form, candidate, request.user)
                messages.success(request, "Your bid is submitted and sealed. The receipt is on its way by email.")
            else:
                pages.save_draft(form, candidate, request.user)
                messages.success(request, "Draft saved. Nobody at the buyer can see it.")
        except ValidationError as exc:
            pages.show_problems(form, exc)
        else:
            return redirect("portal:documents" if "files" in request.POST else "portal:request", pk=invitation.pk)
    page = pages.response_page(invitation, form)
    return render(request, "portal/response.html", {**page.context(), "submitting": submitting})


@bid_room_view
def documents(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """The response's files: add one (checked as any bid document is), or see those added."""
    candidate = invitation.candidate
    form = ResponseDocumentForm(request.POST or None, request.FILES or None, evaluation=candidate.evaluation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.response_document_add(
                candidate=candidate, by=request.user, kind=data["kind"], upload=data["file"],
                envelope=data["envelope"], requirement=data.get("requirement"), expires_on=data.get("expires_on"),
            )  # fmt: skip
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{data['file'].name} added to your draft.")
            return redirect("portal:documents", pk=invitation.pk)
    return render(request, "portal/documents.html", pages.documents_page(invitation, form).context())


@bid_room_view
def document_download(request: HttpRequest, invitation: Invitation, document_pk: int) -> HttpResponse:
    """One of the company's own files, to check what was uploaded; never served if its bytes changed."""
    document = selectors.own_document(invitation, document_pk)
    handle = services.response_file(document)
    if handle is None:
        messages.error(request, f"{document.name} could not be read back as it was uploaded: upload it again.")
        return redirect("portal:documents", pk=invitation.pk)
    response = FileResponse(handle, as_attachment=True, filename=document.name)
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@bid_room_view
def document_remove(request: HttpRequest, invitation: Invitation, document_pk: int) -> HttpResponse:
    try:
        services.response_document_remove(candidate=invitation.candidate, by=request.user, document_id=document_pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "File removed from your draft.")
    return redirect("portal:documents", pk=invitation.pk)


@bid_room_view
def outcome(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """The MSP's own outcome: chosen, or its debrief letter (printable, to keep)."""
    return render(request, "portal/outcome.html", pages.outcome_page(invitation).context())


@bid_room_view
def outcome_letter(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """The MSP's own outcome letter as a file to keep (once there is an outcome to tell)."""
    page = pages.outcome_page(invitation)
    if page.award is None or page.bid is None:
        raise Http404("There is no letter yet: the buyer has not decided.")
    response = render(request, "portal/outcome_letter.html", page.context())
    name = slugify(f"{'award' if page.won else 'debrief'} {page.evaluation.title}") or "letter"
    response["Content-Disposition"] = f'attachment; filename="{name}.html"'
    return response


@require_POST
@bid_room_view
def acknowledge(request: HttpRequest, invitation: Invitation, addendum_pk: int) -> HttpResponse:
    addendum = selectors.addendum(invitation, addendum_pk)
    services.addendum_acknowledge(addendum=addendum, candidate=invitation.candidate, by=request.user)
    messages.success(request, f"Noted: {invitation.candidate.msp.name} has read addendum {addendum.number}.")
    return redirect(reverse("portal:request", args=[invitation.pk]) + "#addenda-heading")


@require_POST
@bid_room_view
def ask(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.clarification_ask(
                candidate=invitation.candidate, by=request.user, question=form.cleaned_data["question"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Question sent to the buyer. Its answer shows here, and comes by email.")
            return redirect(reverse("portal:request", args=[invitation.pk]) + "#clarifications-heading")
    page = pages.request_page(invitation)
    page.question_form, page.question_open = form, True  # the words kept, the error beside them
    return render(request, "portal/request.html", page.context(), status=400)


@require_POST
@bid_room_view
def response_withdraw(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    try:
        services.response_withdraw(candidate=invitation.candidate, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Your bid is withdrawn. It is kept as a draft: change it and submit again.")
    return redirect("portal:request", pk=invitation.pk)


@require_POST
@bid_room_view
def invitation_decline(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    form = DeclineForm(request.POST)
    if not form.is_valid() and "reason" in form.errors and request.POST.get("reason", "").strip():
        messages.error(request, "Not declined: " + " ".join(form.errors["reason"]))
        return redirect("portal:request", pk=invitation.pk)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.invitation_decline(candidate=invitation.candidate, by=request.user, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "You have declined the invitation. Thank you for saying why.")
    return redirect("portal:request", pk=invitation.pk)


class Welcome(auth_views.PasswordResetConfirmView):
    """The invitation's link: set a password, then straight into the bid room. A used or expired link
    says so and offers a new one."""

    template_name = "portal/welcome.html"
    success_url = reverse_lazy("portal:home")
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"


welcome = login_not_required(Welcome.as_view())


@login_not_required
def new_link(request: HttpRequest) -> HttpResponse:
    """Ask for a new link by email address; the answer is the same whether or not it is known."""
    form = NewLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.bid_room_new_link(email=form.cleaned_data["email"])
        messages.success(request, "If that address was invited to a bid room, a new link is on its way to it.")
        return redirect("login")
    return render(request, "portal/new_link.html", {"form": form})
