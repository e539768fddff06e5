"""The data's revision: a number that moves on whenever anything the app shows is written.

Cached whole pages (``core.pagecache``) are keyed by it, so a page is served
from the cache only while nothing has been written since it was drawn.

Every write the app makes goes through Django's database connections, so a
wrapper on each connection watches the SQL it sends. The first statement of a
transaction that writes a table moves the revision on *inside* the transaction
(so that the transaction's own later reads, and a test's, see a new number) and
once more just after the transaction commits (so that a page drawn by another
request from the data as it was before the commit, and cached under the
number of the first move, is never read again). Later writes of the same
transaction move it again only if it was read in between (a page the
transaction itself cached since must not outlive them). A write outside a
transaction moves it once, after the statement. A savepoint rolled back takes
the transaction's mark with it: the next write moves the number again.

On PostgreSQL the number is a sequence, which never blocks and is never rolled
back; elsewhere (SQLite) a one-row table, whose writes SQLite serialises anyway.
Tables whose rows no page shows (sessions, login attempts, the beat schedule)
are left out, so Celery beat's bookkeeping or a session saved does not empty the
cache. (A login does: the person's last login is written, and their history.)

Writes the app does not make (SQL typed into psql, a restored backup, which
also winds the sequence back) are not seen: ``manage.py move_page_revision``
moves the number past every one handed out before. Transactions are the app's
``atomic()`` blocks; one managed by hand (``set_autocommit(False)``) would move
the number before its commit only, and the app has none.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

SEQUENCE = "page_revision"
TABLE = "page_revision_counter"

# The table a statement writes; Django quotes names, hand-written SQL may not.
_WRITE = re.compile(
    r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY|TRUNCATE(?:\s+TABLE)?|MERGE\s+INTO)\s+"?(\w+)', re.IGNORECASE
)
_VERBS = ("INSERT", "UPDATE", "DELETE", "COPY", "TRUNCATE", "MERGE")
_UNSHOWN = ("django_session", "axes_", "django_celery_beat_", "django_migrations", TABLE)
_CTE_WRITE = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_LEADING_COMMENTS = re.compile(r"\s*(?:--[^\n]*(?:\n|$)|/\*.*?\*/)", re.DOTALL)

# The databases (alias, name) known to hold the number: not before the migration that creates it.
_READY: set[tuple[str, str]] = set()


def writes(sql: str) -> bool:
    """Whether ``sql`` writes a table whose rows may show on a page."""
    while sql[:2] in ("--", "/*") or sql[:1].isspace():
        match = _LEADING_COMMENTS.match(sql)
        if match is None:
            break
        sql = sql[match.end() :]
    start = sql.lstrip()[:8].upper()
    if start.startswith("WITH"):  # hand-written SQL: a common table expression may write
        return bool(_CTE_WRITE.search(sql))
    if not start.startswith(_VERBS):
        return False
    match = _WRITE.match(sql)
    return match is None or not match.group(1).lower().startswith(_UNSHOWN)


def _database(connection: BaseDatabaseWrapper) -> tuple[str, str]:
    return connection.alias, str(connection.settings_dict["NAME"])


def _ready(connection: BaseDatabaseWrapper) -> bool:
    """Whether the database holds the number yet (not before the migration that creates it)."""
    if _database(connection) in _READY:
        return True
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [SEQUENCE])
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE])
        ready = bool(cursor.fetchone()[0])
    if ready:
        _READY.add(_database(connection))
    return ready


def current(using: str = "default") -> int | None:
    """The revision now (one small query); None before the migration that creates it."""
    connection = connections[using]
    if not _ready(connection):
        return None
    connection._page_revision_read = True
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A sequence never advanced says 1 before its first nextval() and after it.
            cursor.execute(f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {SEQUENCE}")  # noqa: S608
        else:
            cursor.execute(f"SELECT number FROM {TABLE} WHERE id = 1")  # noqa: S608 (a constant name)
        row = cursor.fetchone()
    return 0 if row is None else row[0]


def _move(connection: BaseDatabaseWrapper, *, past: int | None = None) -> None:
    if not _ready(connection):
        return  # writes of the migrations that come before the number's own
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if past is None:
                cursor.execute(f"SELECT nextval('{SEQUENCE}')")
            else:
                cursor.execute(
                    f"SELECT setval('{SEQUENCE}', greatest(%s, (SELECT last_value FROM {SEQUENCE}) + 1))",  # noqa: S608
                    [past],
                )
        else:
            cursor.execute(
                f"INSERT INTO {TABLE} (id, number) VALUES (1, %s) "  # noqa: S608 (a constant name)
                "ON CONFLICT (id) DO UPDATE SET number = max(number + 1, excluded.number)",
                [past or 1],
            )


def move_past_everything(using: str = "default") -> int:
    """Move the number past every one handed out before, even by a database since restored.

    The number becomes at least the current time in microseconds: the moves between two
    calls are far fewer than the microseconds between them.
    """
    connection = connections[using]
    _move(connection, past=time.time_ns() // 1000)
    return current(using) or 0


class _AfterCommit:
    """Moves the revision once the transaction has committed; also marks a transaction as moved."""

    __slots__ = ("alias",)

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def __call__(self) -> None:
        try:
            _move(connections[self.alias])
        except Exception:
            # Committed data stays committed; the pages cached during the transaction expire
            # (PAGE_CACHE_SECONDS) or give way at the next write.
            logger.exception("the data's revision could not be moved after a commit")


def changed(connection: BaseDatabaseWrapper) -> None:
    """Record that the current transaction (or, outside one, the statement just sent) wrote data.

    For writes that do not pass through a cursor's ``execute`` (PostgreSQL's COPY).
    """
    if not connection.in_atomic_block:
        _move(connection)
        return
    marker = getattr(connection, "_page_revision_marker", None)
    # The marker stays in run_on_commit until the transaction ends or the savepoint it was
    # registered in is rolled back; either way a write after that moves the number again. So
    # does a write after the number was read in this transaction (a page cached since, by this
    # very transaction, must not be served after it).
    if (
        marker is not None
        and not getattr(connection, "_page_revision_read", False)
        and any(entry[1] is marker for entry in connection.run_on_commit)
    ):
        return
    _move(connection)
    connection._page_revision_read = False
    marker = _AfterCommit(connection.alias)
    connection._page_revision_marker = marker
    connection.on_commit(marker, robust=True)
    # First in line: a callback before it that raises must not keep the number from moving.
    connection.run_on_commit.insert(0, connection.run_on_commit.pop())


def _watch(execute, sql: str, params: Any, many: bool, context: dict) -> Any:
    if not writes(sql):
        return execute(sql, params, many, context)
    connection = context["connection"]
    if connection.in_atomic_block:
        changed(connection)
        return execute(sql, params, many, context)
    result = execute(sql, params, many, context)
    changed(connection)
    return result


def watch(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created`` receiver: watch the new connection's writes."""
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def create(apps: Any, schema_editor: Any) -> None:
    """Migration step: the sequence (PostgreSQL) or the one-row table that holds the number.

    Undoing the migration leaves it in place: processes still running keep writing to it.
    """
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
    else:
        schema_editor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id integer PRIMARY KEY, number bigint NOT NULL)")
        schema_editor.execute(f"INSERT INTO {TABLE} (id, number) VALUES (1, 1) ON CONFLICT (id) DO NOTHING")  # noqa: S608
    _READY.add(_database(schema_editor.connection))
