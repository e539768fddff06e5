"""The data's revision that cached pages are keyed by (core.revision): a sequence on PostgreSQL.

Undone, it is left in place (running processes keep moving it); done again, it is reused.
"""

from django.db import migrations

from core import revision


class Migration(migrations.Migration):
    dependencies = [("scoring", "0012_ranking_summary")]

    operations = [migrations.RunPython(revision.create, migrations.RunPython.noop)]
