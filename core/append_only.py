"""History tables are append-only on PostgreSQL: a trigger refuses UPDATE and DELETE on them.

The app connects as a superuser there, so table permissions alone would not stop
a change; a trigger does, for every connection. Installed after every
``migrate`` (idempotently) on each table django-simple-history records into, so
a model that gains a history later is covered too. SQLite (development and the
quick test run) has no such guard.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import connections

FUNCTION = "history_is_append_only"

CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def history_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model.__name__.startswith("Historical") and hasattr(model, "instance_type")
    )


def install(using: str = "default") -> list[str]:
    """Create the function and one trigger per history table; returns the tables guarded."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    tables = history_tables()
    existing = set(connection.introspection.table_names())
    guarded = [table for table in tables if table in existing]
    with connection.cursor() as cursor:
        cursor.execute(CREATE_FUNCTION)
        for table in guarded:
            name = connection.ops.quote_name(table)
            cursor.execute(f"DROP TRIGGER IF EXISTS history_append_only ON {name}")
            cursor.execute(
                f"CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON {name} "
                f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
            )
    return guarded


def on_post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    install(using)
