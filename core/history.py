"""Reading the change history that django-simple-history records.

Turns historical rows into entries a person can read: when, who, what was
created, changed or deleted, and each field's old and new value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords

ACTIONS = {"+": "create", "~": "update", "-": "delete"}
# Bookkeeping, and documents kept whole elsewhere (an award's ranking: its digest is in the history).
HIDDEN_FIELDS = {"version", "updated_at", "created_at", "ranking_document"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    action: str
    record: str  # for people: "Bid: Acme Managed IT"
    reason: str = ""
    changes: list[Change] = field(default_factory=list)
    kind: str = ""  # for the trail: "Bid"
    object_id: Any = None
    username: str = ""

    @property
    def is_create(self) -> bool:
        return self.action == "create"

    @property
    def is_delete(self) -> bool:
        return self.action == "delete"

    @property
    def is_update(self) -> bool:
        return self.action == "update"

    @property
    def record_ref(self) -> str:
        """Kind and id, as the audit trail names a record: "Bid 12"."""
        return f"{self.kind} {self.object_id}"

    @property
    def changes_text(self) -> str:
        return "; ".join(f"{c.field}: {c.old} → {c.new}" for c in self.changes)


def _display(model: type[models.Model], name: str, value: Any, related: dict[tuple[type, Any], str]) -> str:
    model_field = model._meta.get_field(name)
    if value is None or value == "":
        return "—"
    if model_field.many_to_many:  # a list of through rows as dicts
        target = model_field.related_model
        ids = [row.get(target._meta.model_name) for row in value]
        return ", ".join(sorted(related.get((target, pk), f"#{pk}") for pk in ids)) or "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{key}={item}" for key, item in value.items()) or "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        return related.get((model_field.related_model, value), f"#{value}")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def entries(
    records: list[models.Model],
    *,
    label: str,
    describe: Callable[[Any], str] | None = None,
    exclude: Collection[str] = (),
) -> list[HistoryEntry]:
    """History entries for historical rows of one model (any number of objects).

    ``records`` must carry ``history_user`` (select_related) and be complete for
    each object, so each row is compared with the one before it in memory.
    ``exclude`` names fields left out: documents kept whole elsewhere, or a
    many-to-many field (diffing one costs a query per row).
    """
    if not records:
        return []
    model = records[0].instance_type
    hidden = HIDDEN_FIELDS | set(exclude)
    initial_fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in hidden]
    pairs = []
    needed: dict[type, set[Any]] = defaultdict(set)
    for rows in _by_object(records).values():
        previous = None
        for record in rows:
            changes = _raw_changes(record, previous, initial_fields, exclude)
            pairs.append((record, changes))
            _note_related(model, changes, needed)
            previous = record
    related = _related_names(needed)
    result = []
    for record, changes in pairs:
        shown = [
            Change(
                field=str(model._meta.get_field(c.field).verbose_name),
                old=_display(model, c.field, c.old, related),
                new=_display(model, c.field, c.new, related),
            )
            for c in changes
            if c.field not in hidden
        ]
        if ACTIONS[record.history_type] == "update" and not shown:
            continue
        result.append(_entry(record, shown, label=label, describe=describe))
    return result


def _by_object(records: list[Any]) -> dict[Any, list[Any]]:
    """Each object's historical rows, oldest first."""
    by_object: dict[Any, list[Any]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        by_object[record.id].append(record)
    return by_object


def _raw_changes(record: Any, previous: Any, initial_fields: list[Any], exclude: Collection[str]) -> list[Any]:
    """What ``record`` changed since ``previous`` (the row before it of the same object)."""
    if previous is not None:
        return record.diff_against(previous, excluded_fields=exclude).changes
    if record.history_type == "+":
        # A creation shows the values the record started with.
        return [
            SimpleNamespace(field=f.name, old=None, new=getattr(record, f.attname))
            for f in initial_fields
            if getattr(record, f.attname) not in (None, "", [], {})
        ]
    return []


def _note_related(model: type[models.Model], changes: list[Any], needed: dict[type, set[Any]]) -> None:
    """Add the ids of related objects the changes name, to read their names in one query per model."""
    for change in changes:
        model_field = model._meta.get_field(change.field)
        if model_field.many_to_many:
            target = model_field.related_model
            for value in (change.old or []) + (change.new or []):
                needed[target].add(value.get(target._meta.model_name))
        elif model_field.is_relation:
            needed[model_field.related_model].update({change.old, change.new} - {None})


def _related_names(needed: dict[type, set[Any]]) -> dict[tuple[type, Any], str]:
    return {
        (target, obj.pk): str(obj)
        for target, ids in needed.items()
        for obj in target._default_manager.filter(pk__in=ids)
    }


def _entry(record: Any, shown: list[Change], *, label: str, describe: Callable[[Any], str] | None) -> HistoryEntry:
    user = record.history_user
    return HistoryEntry(
        when=record.history_date,
        who=(user.get_full_name() or user.get_username()) if user else "system",
        action=ACTIONS[record.history_type],
        record=f"{label}: {describe(record) if describe else record.instance}",
        reason=record.history_change_reason or "",
        changes=shown,
        kind=label,
        object_id=record.id,
        username=user.get_username() if user else "",
    )


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Attribute history rows written inside the block to ``user``.

    Web requests get this from HistoryRequestMiddleware; commands (the demo,
    package imports) use this so their changes are attributed too.
    """
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous
