"""Run the reminder sweep now, with no broker: for cron, or a laptop.

The same sweep Celery beat runs every hour; here each email is sent inline.
``--dry-run`` lists what is due without recording or sending anything.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from notifications import reminders


class Command(BaseCommand):
    help = "Record and send the reminders due today (exactly once each)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what is due; record and send nothing.")
        parser.add_argument("--date", help="Sweep as on this day (YYYY-MM-DD) instead of today.")

    def handle(self, *args: Any, dry_run: bool, date: str | None, **options: Any) -> None:
        today = self._day(date)
        if dry_run:
            found = 0
            for rule in reminders.RULES.values():
                for due in rule(today):
                    found += 1
                    self.stdout.write(f"{due.rule}  {due.recipient.get_username()}  {due.period}  {due.title}")
            self.stdout.write(f"{found} reminder(s) due on {today:%Y-%m-%d} (dry run: nothing recorded or sent).")
            return
        delivered: list[int] = []
        with transaction.atomic():
            result = reminders.sweep(today, deliver=delivered.append)
        failed = 0
        for start in range(0, len(delivered), reminders.BATCH):
            outcome = reminders.deliver_many(delivered[start : start + reminders.BATCH])
            for reminder_id in outcome.retry:  # once more on its own; then it is marked failed
                try:
                    reminders.deliver(reminder_id)
                except Exception as exc:  # logged and visible; the others go on
                    failed += 1
                    reminders.mark_failed(reminder_id, f"{type(exc).__name__}: {exc}")
                    self.stderr.write(f"reminder {reminder_id}: {type(exc).__name__}: {exc}")
        for reason in result.skipped:
            self.stdout.write(f"skipped: {reason}")
        for problem in result.failed_rules:
            self.stderr.write(f"rule failed: {problem}")
        self.stdout.write(
            f"{len(result.recorded)} recorded, {len(delivered) - failed} emailed now, {failed} failed, "
            f"{result.already} already sent before, {len(result.skipped)} skipped."
        )

    @staticmethod
    def _day(raw: str | None) -> date:
        if not raw:
            return timezone.localdate()
        try:
            return date.fromisoformat(raw)
        except ValueError as exc:
            raise CommandError(f"--date: {raw!r} is not a date (YYYY-MM-DD).") from exc
