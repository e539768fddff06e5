"""Bid documents and reference checks."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from scoring import services
from scoring.forms import (
    DocumentForm,
    ReferenceCheckForm,
)
from scoring.models import (
    BidDocument,
    Evaluation,
)
from scoring.rules import opens_document
from scoring.views.access import add_errors, evaluation_view
from scoring.views.bids import get_bid, reason_action


@evaluation_view("scoring.manage_evaluation", writable=True)
def document_upload(request: HttpRequest, evaluation: Evaluation, bid_pk: int) -> HttpResponse:
    bid = get_bid(evaluation, bid_pk)
    form = DocumentForm(request.POST or None, request.FILES or None, bid=bid)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_upload(
                bid=bid,
                kind=data["kind"],
                envelope=data["envelope"],
                upload=data["file"],
                requirement=data["requirement"],
                expires_on=data["expires_on"],
                by=request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{document.name} stored (SHA-256 {document.sha256[:12]}…).")
            return redirect(bid)
    return render(request, "scoring/document_form.html", {"evaluation": evaluation, "bid": bid, "form": form})


MISMATCH_MESSAGE = (
    "{name} was not served: the stored file no longer matches the SHA-256 taken when it was uploaded. "
    "The mismatch is on the record; upload the document again."
)


@evaluation_view()
def document_download(request: HttpRequest, evaluation: Evaluation, bid_pk: int, document_pk: int) -> HttpResponse:
    bid = get_bid(evaluation, bid_pk)
    document = get_object_or_404(BidDocument, pk=document_pk, bid=bid)
    if not opens_document(request.user, evaluation, document):
        raise PermissionDenied("This document holds prices: it opens to you once you submit your scorecard.")
    if not document.file:
        raise Http404("This document came as a record in a package; its file was not part of it.")
    handle = services.verified_file(document, by=request.user, door="download")
    if handle is None:
        messages.error(request, MISMATCH_MESSAGE.format(name=document.name))
        return redirect(bid)
    response = FileResponse(handle, as_attachment=True, filename=document.name)
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@evaluation_view("scoring.manage_evaluation")
def document_withdraw(request: HttpRequest, evaluation: Evaluation, bid_pk: int, document_pk: int) -> HttpResponse:
    return reason_action(
        request,
        evaluation,
        bid_pk,
        BidDocument,
        document_pk,
        lambda document, reason: services.document_withdraw(document=document, reason=reason),
        "Document withdrawn; it stays in the record.",
    )


@evaluation_view("scoring.manage_evaluation", writable=True)
def reference_check_create(request: HttpRequest, evaluation: Evaluation, bid_pk: int) -> HttpResponse:
    bid = get_bid(evaluation, bid_pk)
    form = ReferenceCheckForm(request.POST or None, bid=bid)
    if request.method == "POST" and form.is_valid():
        try:
            services.reference_check_create(bid=bid, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Reference check recorded.")
            return redirect(bid)
    return render(request, "scoring/reference_check_form.html", {"evaluation": evaluation, "bid": bid, "form": form})
