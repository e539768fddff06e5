"""The stored ranking's summary (leader, red-flagged bids) that the portfolio reads, filled in for those stored."""

from django.db import migrations, models


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
    for stored in StoredRanking.objects.only("pk", "document").iterator(chunk_size=200):
        # update(), not save(): computed_at keeps the time the ranking was computed.
        StoredRanking.objects.filter(pk=stored.pk).update(summary=_summary(stored.document))


class Migration(migrations.Migration):
    dependencies = [("scoring", "0011_edit_versions")]

    operations = [
        migrations.AddField(
            model_name="storedranking",
            name="summary",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(add_summaries, migrations.RunPython.noop),
    ]
