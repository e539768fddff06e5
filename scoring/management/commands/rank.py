from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from scoring import exports
from scoring.management.commands.export_evaluation import get_evaluation


class Command(BaseCommand):
    help = "Print the ranking (msp-eval-ranking/1) of evaluation ID as JSON or CSV (a locked one's as kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id", help="The evaluation's id.")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args: Any, id: str, format: str, **options: Any) -> None:
        evaluation = get_evaluation(id)
        if format == "csv":
            self.stdout.write(exports.ranking_csv(evaluation), ending="")
        else:
            self.stdout.write(json.dumps(exports.ranking_json(evaluation), indent=2, ensure_ascii=False))
