from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core import revision


class Command(BaseCommand):
    help = (
        "Move the data's revision past every number handed out before, so no cached page is served again. "
        "Run it after writing to the database outside the app (psql, a script) or restoring a backup."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        number = revision.move_past_everything()
        if not number:
            raise CommandError("the database has no revision yet: run manage.py migrate first")
        self.stdout.write(f"The data's revision is now {number}: every page will be drawn afresh.")
