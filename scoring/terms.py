"""A bid's terms, declared once.

Each ``Term`` says what one of a bid's scalar terms is: its name, kind, label, unit,
default and which pricing models use it. From this one list come the bid model's
fields (``model_field``), the bid form's fields, the fields a bid's service writes, the
package's parsing and export of each term, the rows of the side by side and of a bid's
page. Adding a term is: one ``Term`` here, a migration, and a row in the README's table
of package keys (a term that is not in the contract is an extension key: optional,
with its default, so packages without it still load).

The ranking reads only the contract's terms (``contract=True``), through its own
``ranking.Bid``: a new term shows and travels with the bid, and changes no score until
the ranking is taught to read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models

from scoring.ranking import PRICING_REQUIREMENTS

# The longest written answer an MSP may give to one question (the bid room and the package alike).
MAX_ANSWER = 20_000

MONEY = {"max_digits": 15, "decimal_places": 6}  # < 1e9 with 6 decimals: exact on SQLite too

MONEY_KIND = "money"
QUANTITY = "quantity"  # a decimal number that is not money (hours), shown with its unit
COUNT = "count"
FLAG = "flag"

# Where a term shows on a bid's page and in the side by side.
PRICE = "price"
SERVICE = "service"
PRACTICE = "practice"

REQUIRED = object()  # a contract key the package must carry


@dataclass(frozen=True)
class Term:
    name: str
    kind: str  # MONEY_KIND, QUANTITY, COUNT or FLAG
    group: str  # PRICE, SERVICE or PRACTICE
    label: str  # as people read it: the form's label, the page's and the side by side's row
    verbose_name: str | None = None  # the model field's, when not the name in words
    unit: str = ""  # shown after a count: "months", "minutes"
    default: Any = None  # the model's default; None with nullable for an amount that may be left empty
    nullable: bool = False
    minimum: int = 0
    maximum: int | None = None  # a count's largest value in a package
    package_default: Any = REQUIRED  # what a package that leaves the key out means (extension keys: always set)
    help_text: str = ""  # the model field's help
    form_help: str = ""  # the form's help, when it says more than the model's
    contract: bool = True  # a key of the contract's bids (False: an extension key of this app)
    bid_models: tuple[str, ...] = ()  # the bid models it concerns (none: both)
    empty: str = "—"  # what the pages show when a count is left empty

    @property
    def pricing_models(self) -> tuple[str, ...]:
        """The pricing models whose price uses this amount (none: every bid carries it)."""
        return tuple(model for model, names in PRICING_REQUIREMENTS.items() if self.name in names)

    @property
    def is_decimal(self) -> bool:
        """Stored, parsed and exported as an exact decimal (money, or a quantity such as hours)."""
        return self.kind in (MONEY_KIND, QUANTITY)

    @property
    def is_amount(self) -> bool:
        """An amount only some pricing models use: kept only when the bid's pricing model needs it."""
        return bool(self.pricing_models)

    def model_field(self) -> models.Field:
        """The bid model's field for this term."""
        options: dict[str, Any] = {}
        if self.verbose_name:
            options["verbose_name"] = self.verbose_name
        if self.nullable:
            options["null"] = options["blank"] = True
        elif self.default is not None:
            options["default"] = self.default
        if self.help_text:
            options["help_text"] = self.help_text
        if self.is_decimal:
            return models.DecimalField(validators=[MinValueValidator(Decimal(0))], **options, **MONEY)
        if self.kind == COUNT:
            if self.minimum:
                options["validators"] = [MinValueValidator(self.minimum)]
            return models.PositiveIntegerField(**options)
        return models.BooleanField(**options)

    def display(self, value: Any) -> str:
        """The value as the pages and the side by side show it: $1,234.50, 12 months, Yes."""
        if self.kind == FLAG:
            return "Yes" if value else "No"
        if value is None:
            return self.empty
        if self.kind == MONEY_KIND:
            return f"${Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
        if self.kind == QUANTITY:  # 12.500000 hours reads "12.5 hours"
            return f"{Decimal(value).normalize():,f} {self.unit}".strip()
        return f"{value} {self.unit}".strip()


_AMOUNT = {"kind": MONEY_KIND, "group": PRICE, "nullable": True}

TERMS: tuple[Term, ...] = (
    Term("rate", label="Rate", form_help="Per user, per device or per hour, by pricing model.", **_AMOUNT),
    Term("monthly_fee", label="Monthly fee", **_AMOUNT),
    Term(
        "est_hours_per_month",
        label="Estimated hours per month",
        verbose_name="estimated hours per month",
        unit="hours",
        **{**_AMOUNT, "kind": QUANTITY},
    ),
    Term("project_price", label="Project price", **_AMOUNT),
    Term("onboarding_fee", MONEY_KIND, PRICE, "Onboarding fee", default=Decimal(0), package_default=Decimal(0)),
    Term(
        "retained_internal_cost",
        MONEY_KIND,
        PRICE,
        "Retained internal IT cost per year",
        verbose_name="retained internal IT cost per year",
        default=Decimal(0),
        package_default=Decimal(0),
        help_text="Fully managed bids only: internal IT cost the buyer keeps anyway.",
        bid_models=("fully_managed",),
    ),
    Term(
        "contract_term_months",
        COUNT,
        SERVICE,
        "Contract term",
        verbose_name="contract term (months)",
        unit="months",
        minimum=1,
        maximum=1200,
        help_text="The commitment the MSP asks for.",
    ),
    Term(
        "critical_response_minutes",
        COUNT,
        SERVICE,
        "Guaranteed critical response",
        verbose_name="guaranteed critical response (minutes)",
        unit="minutes",
        nullable=True,
        minimum=1,
        maximum=1_000_000,
        empty="None guaranteed",
        help_text="Leave empty when no time is guaranteed.",
    ),
    Term("sla_best_effort", FLAG, SERVICE, "SLA is “best effort”", verbose_name="SLA is “best effort”", default=False),
    Term(
        "references_offered",
        COUNT,
        PRACTICE,
        "References offered",
        default=0,
        maximum=100_000,
        form_help="How many client references the MSP is willing to share.",
    ),
    Term(
        "environment_assessed",
        FLAG,
        PRACTICE,
        "Assessed our environment before pricing",
        verbose_name="assessed our environment before pricing",
        default=False,
    ),
    Term(
        "documented_escalation",
        FLAG,
        PRACTICE,
        "Documented escalation procedure",
        verbose_name="documented escalation procedure",
        default=False,
    ),
    Term(
        "documented_onboarding",
        FLAG,
        PRACTICE,
        "Documented onboarding procedure",
        verbose_name="documented onboarding procedure",
        default=False,
    ),
    Term(
        "performance_exit_clause",
        FLAG,
        PRACTICE,
        "Performance-based exit clause",
        verbose_name="performance-based exit clause",
        default=False,
    ),
)

BY_NAME = {term.name: term for term in TERMS}
NAMES = tuple(BY_NAME)
CONTRACT_NAMES = tuple(term.name for term in TERMS if term.contract)
EXTENSION_NAMES = tuple(term.name for term in TERMS if not term.contract)
AMOUNT_NAMES = tuple(term.name for term in TERMS if term.is_amount)


def model_fields() -> dict[str, models.Field]:
    """The bid model's fields for every term, by name."""
    return {term.name: term.model_field() for term in TERMS}


GROUP_HEADINGS = {PRICE: "Price", SERVICE: "Contract and service", PRACTICE: "How they work"}


def in_group(group: str) -> tuple[Term, ...]:
    return tuple(term for term in TERMS if term.group == group)


def applies(term: Term, pricing_model: str) -> bool:
    """Whether a bid of this pricing model carries the term (amounts belong to some models only)."""
    return not term.is_amount or pricing_model in term.pricing_models


def concerns(term: Term, bid: Any) -> bool:
    """Whether the term is one of this bid's: its pricing model uses it, and it is of the bid's model."""
    return applies(term, bid.pricing_model) and (not term.bid_models or bid.model in term.bid_models)


def shown(bid: Any, *, prices: bool = True) -> list[tuple[str, str]]:
    """A bid's terms as a page lists them, label and value; without the price terms for someone
    who may not see prices yet, and without those of a pricing or bid model the bid does not use."""
    return [
        (term.label, term.display(getattr(bid, term.name)))
        for term in TERMS
        if concerns(term, bid) and (prices or term.group != PRICE)
    ]
