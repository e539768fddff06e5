"""Create one evaluation from an ``msp-eval/1`` package (a file, or ``-`` for stdin)."""

from __future__ import annotations

import hashlib
import sys
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.roles import may_own_evaluation
from core.history import acting_as
from scoring.models import PackageLoad
from scoring.package import PackageError, loading, loads, parse_package

DOOR = PackageLoad.Door.COMMAND


class Command(BaseCommand):
    help = "Create a new evaluation from a package; prints its id on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The package (JSON); - reads stdin.")
        parser.add_argument(
            "--owner",
            help="Username of the owner, an active Procurement user or an admin (default: the first active superuser).",
        )

    def handle(self, *args: Any, file: str, owner: str | None, **options: Any) -> None:
        owner_user = self._owner(owner)
        try:
            if file == "-":
                raw = sys.stdin.buffer.read()
            else:
                with open(file, "rb") as handle:
                    raw = handle.read()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        try:
            data = loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            self._fail([f"(document): not valid JSON: {exc}"])
        try:
            package = parse_package(data, vet=lambda found: loading.package_problems(found, door=DOOR))
            with acting_as(owner_user):
                evaluation = loading.evaluation_load(
                    package=package, owner=owner_user, source_sha256=hashlib.sha256(raw).hexdigest(), door=DOOR
                )
        except PackageError as exc:
            self._fail(exc.errors)
        except ValidationError as exc:
            self._fail(exc.messages)
        self.stdout.write(f"Loaded “{evaluation.title}” with {len(package.bids)} bids.")
        self.stdout.write(str(evaluation.pk))

    def _owner(self, username: str | None) -> User:
        """The owner: an active Procurement user or a superuser (``may_own_evaluation``)."""
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"--owner: no user named {username!r}")
            if not may_own_evaluation(user):
                state = "is deactivated" if not user.is_active else "is neither in Procurement nor an admin"
                raise CommandError(
                    f"--owner: {username} {state}; an evaluation is owned by an active Procurement user or an admin"
                )
            return user
        user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("there is no active superuser to own the evaluation: pass --owner USERNAME")
        return user

    def _fail(self, errors: list[str]) -> None:
        for error in errors:
            self.stderr.write(error)
        raise CommandError(f"the package was not loaded: {len(errors)} problem(s); nothing was written")
