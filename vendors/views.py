"""Pages of the MSP registry. Every role may read; Procurement and admins edit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from core.concurrency import CONFLICT_MESSAGE, EditConflict

from . import selectors, services
from .filters import MSPFilter
from .forms import ContactForm, MSPForm, ReferenceForm
from .models import MSP, ClientReference, Contact
from .tables import MSPTable


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied("Only Procurement and admins can change the MSP registry.")


def _get_msp(pk: int, queryset: QuerySet[MSP] | None = None) -> MSP:
    return get_object_or_404(queryset if queryset is not None else MSP, pk=pk)


def _form_fields(form: Any) -> dict[str, Any]:
    return {name: value for name, value in form.cleaned_data.items() if name != "version"}


def _save(form: Any, write: Callable[[dict[str, Any]], Any]) -> Any | None:
    """What ``write`` returns for the form's values, or None when it refused them (said on the form)."""
    try:
        return write(_form_fields(form))
    except EditConflict as conflict:
        form.add_conflict(conflict.current)
    except ValidationError as exc:
        form.add_error(None, exc)
    return None


class MSPListView(SingleTableMixin, FilterView):
    table_class = MSPTable
    filterset_class = MSPFilter
    template_name = "vendors/msp_list.html"

    def get_queryset(self) -> QuerySet[MSP]:
        return selectors.msp_list()

    def get_filterset_kwargs(self, filterset_class: type[MSPFilter]) -> dict[str, Any]:
        # Always bind the filter, so an empty query string still applies its
        # defaults (active MSPs only) instead of listing everything.
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = self.request.GET
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_edit"] = self.request.user.has_perm("vendors.add_msp")
        return context


def msp_detail(request: HttpRequest, pk: int) -> HttpResponse:
    msp = _get_msp(pk, selectors.msp_detail())
    return render(
        request,
        "vendors/msp_detail.html",
        {
            "msp": msp,
            "can_edit": request.user.has_perm("vendors.change_msp", msp),
            "history": selectors.msp_history(msp),
        },
    )


def msp_create(request: HttpRequest) -> HttpResponse:
    _require(request, "vendors.add_msp")
    form = MSPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        msp = _save(form, lambda f: services.msp_create(**f))
        if msp is not None:
            messages.success(request, f"{msp.name} was added to the registry.")
            return redirect(msp)
    return render(request, "vendors/msp_form.html", {"form": form})


def msp_edit(request: HttpRequest, pk: int) -> HttpResponse:
    msp = _get_msp(pk)
    _require(request, "vendors.change_msp")
    if msp.is_archived:
        messages.error(request, f"{msp.name} is archived; restore it before editing.")
        return redirect(msp)
    form = MSPForm(request.POST or None, instance=msp)
    if request.method == "POST" and form.is_valid():
        # The service gets the record as saved: the form has put its values on ``msp`` already.
        saved = _save(
            form, lambda f: services.msp_update(msp=selectors.msp(pk), expected_version=form.expected_version, **f)
        )
        if saved is not None:
            messages.success(request, f"Saved {form.cleaned_data['name']}.")
            return redirect(msp)
    return render(request, "vendors/msp_form.html", {"form": form, "msp": msp})


def _version_from_post(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0


@require_POST
def msp_archive(request: HttpRequest, pk: int) -> HttpResponse:
    msp = _get_msp(pk)
    _require(request, "vendors.archive_msp")
    if msp.is_archived:
        messages.info(request, f"{msp.name} was already archived.")
        return redirect(msp)
    try:
        services.msp_archive(msp=msp, expected_version=_version_from_post(request))
    except EditConflict:
        messages.error(request, CONFLICT_MESSAGE.split(".")[0] + ". Check the record and archive again.")
    else:
        messages.success(request, f"{msp.name} is archived. It stays in the record and can be restored.")
    return redirect(msp)


@require_POST
def msp_restore(request: HttpRequest, pk: int) -> HttpResponse:
    msp = _get_msp(pk)
    _require(request, "vendors.archive_msp")
    if not msp.is_archived:
        return redirect(msp)
    try:
        services.msp_restore(msp=msp, expected_version=_version_from_post(request))
    except EditConflict:
        messages.error(request, CONFLICT_MESSAGE.split(".")[0] + ". Check the record and restore again.")
    else:
        messages.success(request, f"{msp.name} is active again.")
    return redirect(msp)


def contact_form(request: HttpRequest, pk: int, contact_pk: int | None = None) -> HttpResponse:
    msp = _get_msp(pk)
    contact = get_object_or_404(Contact, pk=contact_pk, msp=msp) if contact_pk else None
    _require(request, "vendors.change_msp")
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda fields: _write_contact(msp, contact, form, fields))
        if saved is not None:
            messages.success(request, f"Saved contact {form.cleaned_data['name']}.")
            return redirect(msp)
    return render(request, "vendors/contact_form.html", {"form": form, "msp": msp, "contact": contact})


def _write_contact(msp: MSP, contact: Contact | None, form: ContactForm, fields: dict[str, Any]) -> Contact:
    if contact is None:
        return services.contact_create(msp=msp, **fields)
    # The service gets the record as saved: the form has put its values on ``contact`` already.
    return services.contact_update(
        contact=selectors.contact(contact.pk), expected_version=form.expected_version, **fields
    )


def reference_form(request: HttpRequest, pk: int, reference_pk: int | None = None) -> HttpResponse:
    msp = _get_msp(pk)
    reference = get_object_or_404(ClientReference, pk=reference_pk, msp=msp) if reference_pk else None
    _require(request, "vendors.change_msp")
    if reference is not None and reference.is_archived:
        messages.error(request, "This reference is archived and can't be edited.")
        return redirect(msp)
    form = ReferenceForm(request.POST or None, instance=reference)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda fields: _write_reference(msp, reference, form, fields, by=request.user))
        if saved is not None:
            messages.success(request, f"Saved reference {form.cleaned_data['client']}.")
            return redirect(msp)
    return render(request, "vendors/reference_form.html", {"form": form, "msp": msp, "reference": reference})


def _write_reference(
    msp: MSP, reference: ClientReference | None, form: ReferenceForm, fields: dict[str, Any], *, by: Any
) -> ClientReference:
    if reference is None:
        return services.reference_create(msp=msp, by=by, **fields)
    return services.reference_update(
        reference=selectors.reference(reference.pk), expected_version=form.expected_version, by=by, **fields
    )


@require_POST
def reference_archive(request: HttpRequest, pk: int, reference_pk: int) -> HttpResponse:
    msp = _get_msp(pk)
    reference = get_object_or_404(ClientReference, pk=reference_pk, msp=msp)
    _require(request, "vendors.change_msp")
    if not reference.is_archived:
        try:
            services.reference_archive(reference=reference, expected_version=_version_from_post(request))
        except EditConflict:
            messages.error(request, "The reference was changed by someone else; check it and archive again.")
            return redirect(msp)
        messages.success(request, f"Reference {reference.client} archived.")
    return redirect(msp)
