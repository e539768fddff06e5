"""Optimistic locking: one edit-conflict mechanism for every edit form.

Each editable record carries a ``version``. An edit form sends back the version
it was opened at; the save locks the row, compares, and refuses with
``EditConflict`` when someone else saved in between, so nobody's work is
silently overwritten. The form then shows the other person's values beside the
user's own, and a second save (now at the current version) overwrites on
purpose.

A model that cannot carry a version column (django.contrib.auth's User) uses a
fingerprint of the saved values its form edits as the version instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models, transaction

CONFLICT_MESSAGE = (
    "This record was changed by someone else while you were editing it. "
    "Their values are shown below; save again to replace them with yours, "
    "or reload to start from theirs."
)


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class EditConflict(Exception):
    def __init__(self, current: VersionedModel) -> None:
        super().__init__(CONFLICT_MESSAGE)
        self.current = current


def save_versioned(instance: VersionedModel, *, expected_version: int, fields: list[str]) -> None:
    """Save ``fields`` of ``instance`` if nobody saved it since ``expected_version``.

    The row is locked for the comparison (a real lock on PostgreSQL; on SQLite
    the IMMEDIATE transaction mode already serialises writers).
    """
    model = type(instance)
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=instance.pk)
        if current.version != expected_version:
            raise EditConflict(current)
        instance.version = current.version + 1
        instance.full_clean()
        instance.save(update_fields=[*fields, "version"])


def fingerprint(instance: models.Model, fields: Iterable[str]) -> str:
    """A digest of the saved values of ``fields`` (many-to-many ones too): it moves on whenever one of them does."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        value = field.value_from_object(instance)
        values[name] = sorted(obj.pk for obj in value) if field.many_to_many else value
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def save_fingerprinted(instance: models.Model, *, expected_fingerprint: str, fields: list[str]) -> None:
    """``save_versioned`` for a model without a version: ``fields`` are compared by their fingerprint.

    Only the plain fields among ``fields`` are saved here; the caller saves the many-to-many ones
    (the admin does, right after, in the same transaction).
    """
    model = type(instance)
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=instance.pk)
        if fingerprint(current, fields) != expected_fingerprint:
            raise EditConflict(current)
        instance.full_clean()
        instance.save(update_fields=[name for name in fields if not model._meta.get_field(name).many_to_many])


class VersionedModelForm(forms.ModelForm):
    """A ModelForm that carries the record's version and reports conflicts."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conflict: list[tuple[str, str, str]] = []
        for name, field in self.fields.items():
            # 5000.000000 reads badly in a form: show 5000.
            value = self.initial.get(name)
            if isinstance(field, forms.DecimalField) and isinstance(value, Decimal):
                self.initial[name] = format(value.normalize(), "f")
        if self.instance.pk:
            self.fields["version"].initial = self.version_of(self.instance)
        else:
            del self.fields["version"]

    def version_of(self, instance: Any) -> Any:
        """The version ``instance`` is saved at, as the hidden field carries it."""
        return instance.version

    @property
    def expected_version(self) -> Any:
        return self.cleaned_data["version"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        version = cleaned.get("version")
        if self.instance.pk and version is not None:
            current = type(self.instance)._default_manager.get(pk=self.instance.pk)
            if self.version_of(current) != version:
                self.add_conflict(current)
        return cleaned

    def add_conflict(self, current: VersionedModel) -> None:
        """Refuse the save and show ``current`` (the other person's values).

        The hidden version moves to the current one, so saving again
        deliberately replaces their values with the user's.
        """
        self.conflict = []
        for name in self._meta.fields or []:
            # A disabled field is never written by the form (the user's password hash): nothing to compare.
            if name not in self.fields or name == "version" or self.fields[name].disabled:
                continue
            field = self.fields[name]
            theirs = _display(current, name)
            yours = _display_submitted(field, self.cleaned_data.get(name, self.data.get(self.add_prefix(name))))
            self.conflict.append((str(field.label or name), theirs, yours))
        data = self.data.copy()
        data[self.add_prefix("version")] = str(self.version_of(current))
        self.data = data
        if "version" in self.fields:
            self.add_error(None, CONFLICT_MESSAGE)


class FingerprintedModelForm(VersionedModelForm):
    """A VersionedModelForm for a model without a version column (django.contrib.auth's User).

    Its version is the fingerprint of the saved values of the fields it edits, so a change to
    any of them, whoever made it and however, refuses a form opened before. Disabled fields
    are left out: the form never writes them.
    """

    version = forms.CharField(widget=forms.HiddenInput)

    @property
    def fingerprinted_fields(self) -> list[str]:
        model_fields = {f.name for f in self._meta.model._meta.get_fields() if f.concrete}
        return sorted(name for name, field in self.fields.items() if name in model_fields and not field.disabled)

    def version_of(self, instance: Any) -> str:
        return fingerprint(instance, self.fingerprinted_fields)


def _display(instance: models.Model, name: str) -> str:
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(str(obj) for obj in getattr(instance, name).all()) or "—"
    if field.choices:
        return str(getattr(instance, f"get_{name}_display")()) or "—"
    value = getattr(instance, name)
    return _text(value)


def _display_submitted(field: forms.Field, value: Any) -> str:
    if hasattr(value, "all") and not isinstance(value, str):
        return ", ".join(str(obj) for obj in value) or "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "—"
    choices = dict(getattr(field, "choices", []) or []) if not hasattr(field, "queryset") else {}
    if value in choices:
        return str(choices[value])
    return _text(value)


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return str(value)


class VersionedAdminMixin:
    """Gives admin change forms the same conflict check as the app's forms.

    The hidden version travels on change forms only (a new record has none), and
    is never handed to the model form factory as a model field (it isn't editable).
    """

    form = VersionedModelForm

    def get_fieldsets(self, request: Any, obj: Any = None) -> Any:
        fieldsets = [
            (name, {**options, "fields": list(options["fields"])})
            for name, options in super().get_fieldsets(request, obj)
        ]
        for _, options in fieldsets:
            options["fields"] = [f for f in options["fields"] if f != "version"]
        if obj is not None:
            fieldsets[0][1]["fields"].append("version")
        return fieldsets

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        from django.contrib.admin.utils import flatten_fieldsets

        if "fields" not in kwargs:  # (None: the admin asks for the form's own fields, version excluded)
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        if kwargs["fields"] is not None:
            kwargs["fields"] = [f for f in kwargs["fields"] if f != "version"]
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request: Any, obj: VersionedModel, form: forms.ModelForm, change: bool) -> None:
        if not change:
            obj.save()
            return
        fields = [f.name for f in obj._meta.concrete_fields if f.name in form.cleaned_data and not f.primary_key]
        if not isinstance(form, VersionedModelForm):
            # A list_editable row of a change list: Django renders only its id there, so it could not
            # carry the version, and a stale row would overwrite. Versioned models are not list-edited.
            raise TypeError(f"{type(self).__name__}: a versioned model can't be list-edited (no version)")
        save_versioned(obj, expected_version=form.expected_version, fields=fields)


class FingerprintedAdminMixin(VersionedAdminMixin):
    """VersionedAdminMixin for a model without a version column: the form's fingerprint stands in for it."""

    form = FingerprintedModelForm

    def save_model(self, request: Any, obj: Any, form: FingerprintedModelForm, change: bool) -> None:
        if not change:
            obj.save()
            return
        save_fingerprinted(obj, expected_fingerprint=form.expected_version, fields=form.fingerprinted_fields)
