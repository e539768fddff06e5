"""The migrations describe the models exactly: a model change (a new ``Term`` in ``scoring/terms.py``
included) without its migration fails here, and no migration names one machine's folders."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_no_model_change_is_missing_its_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:  # --check exits non-zero when a migration is missing
        pytest.fail("a model change has no migration:\n" + out.getvalue())


def test_the_latest_migrations_name_no_folder_of_this_machine():
    # 0006 and 0007 were written when the documents' storage was an instance (with the folder of the
    # machine that made them); the storage is a callable since 0017, which migrations name instead.
    for path in sorted(ROOT.glob("*/migrations/0*.py")):
        if path.parent.parent.name == "scoring" and path.name < "0017":
            continue
        assert "PurePosixPath(" not in path.read_text(), path
