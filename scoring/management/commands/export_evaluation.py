from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring import services
from scoring.models import Evaluation


class Command(BaseCommand):
    help = "Print the package (msp-eval/1) of evaluation ID (of a locked one: as kept at its lock)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id", help="The evaluation's id.")

    def handle(self, *args: Any, id: str, **options: Any) -> None:
        evaluation = get_evaluation(id)
        self.stdout.write(json.dumps(services.package_document(evaluation), indent=2, ensure_ascii=False))


def get_evaluation(raw_id: str) -> Evaluation:
    try:
        pk = int(raw_id)
    except ValueError:
        raise CommandError(f"{raw_id!r} is not an evaluation id (a whole number)") from None
    evaluation = Evaluation.objects.filter(pk=pk).first()
    if evaluation is None:
        raise CommandError(f"there is no evaluation with id {pk}")
    return evaluation
