"""The package's format (``msp-eval/1``): its keys and values, the clean values parsing yields, and the reader
that checks each value and collects every problem as ``PATH: message``."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from core.text import name_key
from scoring import terms

PACKAGE_FORMAT = "msp-eval/1"


MODELS = ("fully_managed", "co_managed", "both")


BID_MODELS = ("fully_managed", "co_managed")


STATUSES = ("draft", "collecting_bids", "scoring", "decision", "awarded", "cancelled")


POLICIES = ("disqualify", "penalty")


APPLIES_TO = ("all", "fully_managed", "co_managed")


KINDS = ("question", "price")


CANDIDATE_STATUSES = ("invited", "declined", "withdrawn")


AMOUNT_FIELDS = terms.AMOUNT_NAMES


SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")


MAX_DECIMALS = 6


# 15 significant digits at most (9 + 6 decimals): what SQLite keeps exactly and a JSON float writes back.
MAX_NUMBER = Decimal("1e9")


MAX_TEXT = 5000


MAX_HEADCOUNT = 10_000_000


def loads(text: str | bytes) -> Any:
    """Decode JSON keeping every non-integer number exact (as ``Decimal``).

    Raises ``ValueError`` for anything that is not a JSON document we can read,
    including nesting too deep to decode.
    """
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def _printable(key: str) -> str:
    """A key as a path names it; one that can't be written out as text (a lone surrogate) is escaped."""
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return key.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
    return key


@dataclass
class CriterionData:
    key: str
    kind: str
    text: str
    category: str
    weight: Decimal
    applies_to: str
    rubric: list[str] = field(default_factory=list)


@dataclass
class BidData:
    vendor: str
    model: str
    pricing_model: str
    # The contract's terms (``scoring.terms``, ``contract=True``), as the ranking reads them.
    rate: Decimal | None
    monthly_fee: Decimal | None
    est_hours_per_month: Decimal | None
    project_price: Decimal | None
    onboarding_fee: Decimal
    retained_internal_cost: Decimal
    contract_term_months: int
    critical_response_minutes: int | None
    sla_best_effort: bool
    references_offered: int
    environment_assessed: bool
    documented_escalation: bool
    documented_onboarding: bool
    performance_exit_clause: bool
    requirements_met: list[str]
    manual_red_flags: list[dict[str, str]]
    waived_red_flags: list[dict[str, str]]
    scope_included: list[str] = field(default_factory=list)
    scope_excluded: list[str] = field(default_factory=list)
    arrangement: str = ""
    responsibilities: dict[str, str] = field(default_factory=dict)
    documents: list[dict[str, Any]] = field(default_factory=list)
    reference_checks: list[dict[str, Any]] = field(default_factory=list)
    # The written answers the MSP gave in the bid room, by question key (an app extension).
    answers: dict[str, str] = field(default_factory=dict)
    # The app's own terms (``scoring.terms``, ``contract=False``), by name.
    extensions: dict[str, Any] = field(default_factory=dict)


@dataclass
class Package:
    evaluation: dict[str, Any]
    organization: dict[str, Any]
    criteria: list[CriterionData]
    requirements: list[dict[str, str]]
    evaluators: list[dict[str, str]]
    bids: list[BidData]
    scores: list[dict[str, Any]]
    submitted: list[str]
    conflicts: list[dict[str, str]]
    candidates: list[dict[str, str]] = field(default_factory=list)
    # The award an archive states (an app extension): {"winner": the bid's vendor or None, "rationale": text}.
    award: dict[str, str | None] | None = None
    # Questions asked in the bid room and their answers (an app extension): see ``parsing_tender``.
    clarifications: list[dict[str, Any]] = field(default_factory=list)


class PackageError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def vendor_key(name: str) -> str:
    """Vendors are the same when their names match ignoring case, runs of spaces and invisible characters."""
    return name_key(name)


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Missing:
    pass


MISSING = _Missing()


class Reader:
    """Collects every problem with its path instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def obj(self, value: Any, path: str, allowed: set[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path or "(document)", "must be an object")
            return None
        for key in value:
            if key not in allowed:
                shown = _printable(key)
                self.error(f"{path}.{shown}" if path else shown, "unknown key")
        return value

    def array(self, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            self.error(path, "must be a list")
            return []
        return value

    def text(
        self,
        data: dict,
        key: str,
        path: str,
        *,
        required: bool = True,
        nullable: bool = False,
        max_length: int = MAX_TEXT,
    ) -> str | None:
        value = data.get(key, MISSING)
        where = f"{path}.{key}"
        if value is MISSING or (value is None and nullable):
            if required and value is MISSING:
                self.error(where, "required")
            return None
        if not isinstance(value, str):
            self.error(where, "must be a string")
            return None
        if not _storable(value):
            self.error(where, "contains characters that can't be stored (a NUL or a lone surrogate)")
            return None
        value = value.strip()
        if required and not value:
            self.error(where, "must not be empty")
            return None
        if len(value) > max_length:
            self.error(where, f"must be at most {max_length} characters")
            return None
        return value

    def choice(self, data: dict, key: str, path: str, choices: tuple[str, ...], default: Any = MISSING) -> str | None:
        value = data.get(key, MISSING)
        where = f"{path}.{key}"
        if value is MISSING:
            if default is MISSING:
                self.error(where, "required")
                return None
            return default
        if value not in choices or not isinstance(value, str):
            self.error(where, f"must be one of {', '.join(choices)}")
            return None
        return value

    def integer(
        self,
        data: dict,
        key: str,
        path: str,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        default: Any = MISSING,
        nullable: bool = False,
    ) -> int | None:
        value = data.get(key, MISSING)
        where = f"{path}.{key}"
        if value is None and nullable:
            return None
        if value is MISSING:
            if default is MISSING:
                self.error(where, "required")
            return None if default is MISSING else default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(where, "must be an integer")
            return None
        return self._bounded(value, where, minimum, maximum)

    def number(
        self,
        data: dict,
        key: str,
        path: str,
        *,
        minimum: Decimal | None = Decimal(0),
        maximum: Decimal | None = None,
        default: Any = MISSING,
        required_because: str = "",
        nullable: bool = False,
    ) -> Decimal | None:
        value = data.get(key, MISSING)
        where = f"{path}.{key}"
        if value is MISSING or (value is None and nullable):
            if default is MISSING:
                self.error(where, f"required{required_because}")
                return None
            return default
        if value is None:
            self.error(where, f"required{required_because}" if default is MISSING else "must be a number")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            self.error(where, "must be a number")
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            self.error(where, "must be a number")
            return None
        if not number.is_finite() or abs(number) >= MAX_NUMBER:
            self.error(where, "must be a number below 1,000,000,000")
            return None
        if number.as_tuple().exponent < -MAX_DECIMALS and number != number.quantize(Decimal(1).scaleb(-MAX_DECIMALS)):
            self.error(where, f"must have at most {MAX_DECIMALS} decimal places")
            return None
        return self._bounded(number, where, minimum, maximum)

    def _bounded(self, value: Any, where: str, minimum: Any, maximum: Any) -> Any:
        if minimum is not None and value < minimum:
            self.error(where, f"must be ≥ {minimum}")
            return None
        if maximum is not None and value > maximum:
            self.error(where, f"must be ≤ {maximum}")
            return None
        return value

    def boolean(self, data: dict, key: str, path: str, *, default: Any = MISSING) -> bool | None:
        value = data.get(key, MISSING)
        where = f"{path}.{key}"
        if value is MISSING:
            if default is MISSING:
                self.error(where, "required")
                return None
            return default
        if not isinstance(value, bool):
            self.error(where, "must be true or false")
            return None
        return value

    def date(self, data: dict, key: str, path: str) -> dt.date | None:
        value = data.get(key)
        if value is None:
            return None
        where = f"{path}.{key}"
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            self.error(where, "must be a date YYYY-MM-DD or null")
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.error(where, "is not a real date")
            return None

    def slug(self, value: Any, where: str) -> str | None:
        if not isinstance(value, str):
            self.error(where, "must be a string" if value is not None else "required")
            return None
        if not SLUG.match(value) or len(value) > 100:
            self.error(where, "must be a slug (letters, digits, - and _, at most 100)")
            return None
        return value


TOP_KEYS = {
    "format",
    "evaluation",
    "organization",
    "criteria",
    "requirements",
    "evaluators",
    "bids",
    "scores",
    "submitted",
    "conflicts",
    "candidates",
    "award",
    "clarifications",
}


EVALUATION_KEYS = {
    "title",
    "model",
    "term_months",
    "status",
    "red_flag_policy",
    "red_flag_penalty",
    "bids_due",
    "scoring_due",
    "decision_due",
    "sealed_prices",
    "monthly_budget",
    "request_publishes",
    "request_shows_weights",
    "questions_due",
}

# What the bid room's request may show bidders of the buyer (``evaluation.request_publishes``).
BUYER_FACTS = ("employees", "devices", "industry", "compliance")


ORGANIZATION_KEYS = {"name", "employees", "devices", "it_staff", "it_staff_annual_cost", "industry", "compliance"}


CRITERION_KEYS = {"key", "kind", "text", "category", "weight", "applies_to", "rubric"}


BID_KEYS = {
    "vendor",
    "model",
    "pricing_model",
    *terms.NAMES,
    "requirements_met",
    "manual_red_flags",
    "waived_red_flags",
    "scope_included",
    "scope_excluded",
    "arrangement",
    "responsibilities",
    "documents",
    "reference_checks",
    "answers",
}


DOCUMENT_KINDS = ("proposal", "sla", "contract_draft", "evidence", "other")
# A document's envelope; a record without one (or null) holds prices, as far as anyone knows.
ENVELOPES = ("technical", "commercial")


OUTCOMES = ("positive", "mixed", "negative", "unreachable")
