"""The unique (assignment, bid, criterion) index of scores serves lookups by assignment: no index of its own."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0013_page_revision"),
    ]

    operations = [
        migrations.AlterField(
            model_name="score",
            name="assignment",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="scores",
                to="scoring.assignment",
            ),
        ),
    ]
