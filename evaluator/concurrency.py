"""Optimistic locking: one edit-conflict mechanism for every edit form.

Each editable record carries a ``version``. An edit form sends back the version
it was opened at; the save locks the row, compares, and refuses with
``EditConflict`` when someone else saved in between, so nobody's work is
silently overwritten. The form then shows the other person's values beside the
user's own, and a second save (now at the current version) overwrites on
purpose.
"""

from __future__ import annotations

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
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]

    @property
    def expected_version(self) -> int:
        return self.cleaned_data["version"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        version = cleaned.get("version")
        if self.instance.pk and version is not None:
            current = type(self.instance)._default_manager.get(pk=self.instance.pk)
            if current.version != version:
                self.add_conflict(current)
        return cleaned

    def add_conflict(self, current: VersionedModel) -> None:
        """Refuse the save and show ``current`` (the other person's values).

        The hidden version moves to the current one, so saving again
        deliberately replaces their values with the user's.
        """
        self.conflict = []
        for name in self._meta.fields or []:
            if name not in self.fields or name == "version":
                continue
            field = self.fields[name]
            theirs = _display(current, name)
            yours = _display_submitted(field, self.cleaned_data.get(name, self.data.get(self.add_prefix(name))))
            self.conflict.append((str(field.label or name), theirs, yours))
        data = self.data.copy()
        data[self.add_prefix("version")] = str(current.version)
        self.data = data
        if "version" in self.fields:
            self.add_error(None, CONFLICT_MESSAGE)


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

    def save_model(self, request: Any, obj: VersionedModel, form: VersionedModelForm, change: bool) -> None:
        if not change:
            obj.save()
            return
        fields = [f.name for f in obj._meta.concrete_fields if f.name in form.cleaned_data]
        save_versioned(obj, expected_version=form.expected_version, fields=fields)
