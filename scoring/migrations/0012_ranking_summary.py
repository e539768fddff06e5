"""Analyses of version 2 gain the summary the portfolio reads (version 3 adds nothing else)."""

from django.db import migrations


def _summary(document):
    rows = document.get("ranking", [])
    first = rows[0] if rows and rows[0].get("rank") == 1 else None
    return {
        "leader": None if first is None else {"vendor": first["vendor"], "total": first["total"]},
        "flagged": sum(1 for row in rows if row["red_flags"]),
        "bids": len(rows),
    }


def add_summaries(apps, schema_editor):
    StoredRanking = apps.get_model("scoring", "StoredRanking")
    for stored in StoredRanking.objects.all().iterator(chunk_size=200):
        if (stored.analysis or {}).get("version") == 2:
            stored.analysis = {**stored.analysis, "version": 3, "summary": _summary(stored.document)}
            # update(), not save(): computed_at keeps the time the ranking was computed.
            StoredRanking.objects.filter(pk=stored.pk).update(analysis=stored.analysis)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0011_edit_versions")]

    operations = [migrations.RunPython(add_summaries, migrations.RunPython.noop)]
