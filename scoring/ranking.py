"""The one definition of the score: monthly cost, TCO, red flags, percentages, totals, ranking.

Pure Python (no ORM): pages, exports, commands and tests all call this module,
so every number the app shows comes from the same code. The rules are those of
the exchange contract (``shared/contracts/evaluation-package.md``); money and
weights are ``Decimal`` throughout and rounded only when written out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

RANKING_FORMAT = "msp-eval-ranking/1"

ZERO = Decimal(0)
HUNDRED = Decimal(100)
TOTAL_TIE_PRECISION = Decimal("0.000001")
CENT = Decimal("0.01")
PRECISION = 60  # digits: room for the largest amounts a package may carry, to the cent

FULLY_MANAGED = "fully_managed"
CO_MANAGED = "co_managed"

# pricing_model -> the amounts it requires
PRICING_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "per_user": ("rate",),
    "per_device": ("rate",),
    "flat": ("monthly_fee",),
    "hourly": ("rate", "est_hours_per_month"),
    "hybrid": ("monthly_fee", "rate", "est_hours_per_month"),
    "project": ("project_price",),
}

# pricing_model -> the monthly cost M as (a fixed monthly amount, what the rate is multiplied by),
# None where the model has no such part. ``monthly_cost`` computes from it and
# ``price_formula`` writes it in words, so the two cannot disagree.
MONTHLY_COST_TERMS: dict[str, tuple[str | None, str | None]] = {
    "per_user": (None, "employees"),
    "per_device": (None, "devices"),
    "flat": ("monthly_fee", None),
    "hourly": (None, "est_hours_per_month"),
    "hybrid": ("monthly_fee", "est_hours_per_month"),
    "project": (None, None),
}
# What the rate is multiplied by, read off the buyer's organization; anything else is a bid's term.
ORGANIZATION_QUANTITIES = ("employees", "devices")
TERM_WORDS: dict[str, str] = {
    "rate": "rate",
    "monthly_fee": "monthly fee",
    "employees": "employees",
    "devices": "devices",
    "est_hours_per_month": "estimated hours",
}

# The guide's five warning signs, each an automatic rule on bid fields.
AUTOMATIC_RULES: dict[str, str] = {
    "no-references": "No client references offered",
    "no-clear-sla": "No guaranteed critical response time, or “best effort” support",
    "one-size-pricing": "Priced without assessing the environment",
    "undocumented-procedures": "No documented escalation or onboarding procedure",
    "lock-in-contract": "Commitment over 12 months with no performance-based exit clause",
}
UNMET_PREFIX = "unmet:"

# A ranking row's status.
RANKED = "ranked"
DISQUALIFIED = "disqualified"


@dataclass(frozen=True)
class Organization:
    employees: int
    devices: int
    it_staff_annual_cost: Decimal


@dataclass(frozen=True)
class Criterion:
    key: str
    kind: str  # "question" or "price"
    weight: Decimal
    applies_to: str = "all"

    def applies(self, model: str) -> bool:
        return self.applies_to in ("all", model)


@dataclass(frozen=True)
class Bid:
    vendor: str
    model: str
    pricing_model: str
    contract_term_months: int
    critical_response_minutes: int | None
    sla_best_effort: bool
    references_offered: int
    environment_assessed: bool
    documented_escalation: bool
    documented_onboarding: bool
    performance_exit_clause: bool
    rate: Decimal | None = None
    monthly_fee: Decimal | None = None
    est_hours_per_month: Decimal | None = None
    project_price: Decimal | None = None
    onboarding_fee: Decimal = ZERO
    retained_internal_cost: Decimal = ZERO
    requirements_met: frozenset[str] = frozenset()
    manual_flags: tuple[str, ...] = ()
    waived_flags: tuple[str, ...] = ()

    @classmethod
    def from_terms(cls, source: object, *, vendor: str, **extra: object) -> Bid:
        """A Bid from anything carrying the bid's terms under their own names (a row, parsed data)."""
        return cls(vendor=vendor, **{name: getattr(source, name) for name in BID_TERMS}, **extra)


BID_TERMS = (
    "model",
    "pricing_model",
    "contract_term_months",
    "critical_response_minutes",
    "sla_best_effort",
    "references_offered",
    "environment_assessed",
    "documented_escalation",
    "documented_onboarding",
    "performance_exit_clause",
    "rate",
    "monthly_fee",
    "est_hours_per_month",
    "project_price",
    "onboarding_fee",
    "retained_internal_cost",
)


@dataclass(frozen=True)
class Evaluation:
    title: str
    model: str
    term_months: int
    red_flag_policy: str
    red_flag_penalty: Decimal
    organization: Organization
    criteria: tuple[Criterion, ...]
    requirements: tuple[str, ...]
    bids: tuple[Bid, ...]
    # (vendor, criterion key) -> the submitted evaluators' scores; drafts never reach here.
    # Whole numbers 0–5 in the contract's ranking; decimals in the normalised view.
    scores: Mapping[tuple[str, str], Sequence[int | Decimal]] = field(default_factory=dict)


@dataclass
class Row:
    vendor: str
    model: str
    monthly_cost: Decimal
    tco: Decimal
    red_flags: list[str]
    waived_flags: list[str]
    eligible: bool
    complete: bool = False
    total: Decimal | None = None
    criteria: dict[str, Decimal] = field(default_factory=dict)
    rank: int | None = None

    @property
    def status(self) -> str:
        return RANKED if self.eligible else DISQUALIFIED


def _amount(value: Decimal | None) -> Decimal:
    return value if value is not None else ZERO


def monthly_cost(bid: Bid, organization: Organization) -> Decimal:
    """M, the monthly MSP cost, by pricing model (``MONTHLY_COST_TERMS``)."""
    if bid.pricing_model not in MONTHLY_COST_TERMS:
        raise ValueError(f"unknown pricing model {bid.pricing_model!r}")
    fixed_name, quantity_name = MONTHLY_COST_TERMS[bid.pricing_model]
    fixed = _amount(getattr(bid, fixed_name)) if fixed_name else None
    variable = None
    if quantity_name:
        source = organization if quantity_name in ORGANIZATION_QUANTITIES else bid
        variable = _amount(bid.rate) * _amount(getattr(source, quantity_name))
    if fixed is None:
        return ZERO if variable is None else variable
    return fixed if variable is None else fixed + variable


def price_formula(pricing_model: str) -> str:
    """M of ``pricing_model`` in words ("rate × employees"), from the table ``monthly_cost`` computes with."""
    fixed_name, quantity_name = MONTHLY_COST_TERMS[pricing_model]
    parts = []
    if fixed_name:
        parts.append(TERM_WORDS[fixed_name])
    if quantity_name:
        parts.append(f"{TERM_WORDS['rate']} × {TERM_WORDS[quantity_name]}")
    return " + ".join(parts) or "none (the project price is paid once)"


def internal_annual_cost(bid: Bid, organization: Organization) -> Decimal:
    """Internal IT cost the buyer keeps paying beside the MSP, per year."""
    if bid.model == CO_MANAGED:
        return organization.it_staff_annual_cost
    return bid.retained_internal_cost


def upfront_cost(bid: Bid) -> Decimal:
    """What is paid once: the onboarding fee, and the price of a project bid."""
    if bid.pricing_model == "project":
        return bid.onboarding_fee + _amount(bid.project_price)
    return bid.onboarding_fee


@dataclass(frozen=True)
class CostParts:
    """A bid's cost over ``months``, in the three parts the TCO adds up."""

    upfront: Decimal
    msp_fees: Decimal
    internal: Decimal

    @property
    def total(self) -> Decimal:
        return self.upfront + self.msp_fees + self.internal


def cost_parts(bid: Bid, organization: Organization, months: int) -> CostParts:
    with localcontext(prec=PRECISION):
        return CostParts(
            upfront=upfront_cost(bid),
            msp_fees=monthly_cost(bid, organization) * months,
            internal=internal_annual_cost(bid, organization) * months / 12,
        )


def tco(bid: Bid, organization: Organization, term_months: int) -> Decimal:
    """Total cost of ownership over the horizon of ``term_months``."""
    return cost_parts(bid, organization, term_months).total


def automatic_flags(bid: Bid) -> set[str]:
    """The automatic red-flag codes that hold for ``bid``."""
    flags = set()
    if bid.references_offered == 0:
        flags.add("no-references")
    if bid.critical_response_minutes is None or bid.sla_best_effort:
        flags.add("no-clear-sla")
    if not bid.environment_assessed:
        flags.add("one-size-pricing")
    if not bid.documented_escalation or not bid.documented_onboarding:
        flags.add("undocumented-procedures")
    if bid.contract_term_months > 12 and not bid.performance_exit_clause:
        flags.add("lock-in-contract")
    return flags


def unmet_flags(bid: Bid, requirements: Iterable[str]) -> set[str]:
    return {f"{UNMET_PREFIX}{key}" for key in requirements if key not in bid.requirements_met}


def expired_requirements(evidence: Iterable[tuple[object, str, date | None]], today: date) -> set[tuple[object, str]]:
    """The (bid, requirement) pairs whose evidence has all expired by ``today``: they count as unmet.

    ``evidence`` holds (bid, requirement key, expires on) for each piece of evidence in force (not
    withdrawn); a requirement with any piece still valid (or never expiring) stays met.
    """
    valid: dict[tuple[object, str], bool] = {}
    for bid, key, expires_on in evidence:
        valid[(bid, key)] = valid.get((bid, key), False) or expires_on is None or expires_on >= today
    return {pair for pair, ok in valid.items() if not ok}


def red_flags(bid: Bid, requirements: Iterable[str]) -> tuple[list[str], list[str]]:
    """(counted flags, waived flags), each sorted. Each code counts once."""
    automatic = automatic_flags(bid)
    waived = {code for code in bid.waived_flags if code in automatic and code not in bid.manual_flags}
    counted = (set(bid.manual_flags) | automatic | unmet_flags(bid, requirements)) - waived
    return sorted(counted), sorted(waived)


def is_eligible(flags: Iterable[str], policy: str) -> bool:
    flags = list(flags)
    if policy == "disqualify":
        return not flags
    return not any(code.startswith(UNMET_PREFIX) for code in flags)


def _mean_percentage(scores: Sequence[int | Decimal]) -> Decimal:
    return sum((Decimal(s) for s in scores), start=ZERO) / len(scores) / 5 * HUNDRED


def order_key(total: Decimal, tco: Decimal, vendor: str) -> tuple[Decimal, Decimal, str]:
    """The ranking order: higher total (to 6 decimals), then lower TCO (to the cent), then name."""
    return (
        -total.quantize(TOTAL_TIE_PRECISION, rounding=ROUND_HALF_UP),
        tco.quantize(CENT, rounding=ROUND_HALF_UP),
        vendor.casefold(),
    )


def rank(evaluation: Evaluation) -> list[Row]:
    """Every bid's row: ranked rows first in rank order, then the disqualified by name."""
    with localcontext(prec=PRECISION):
        return _rank(evaluation)


def _rank(evaluation: Evaluation) -> list[Row]:
    organization = evaluation.organization
    rows: list[tuple[Row, Bid]] = []
    for bid in evaluation.bids:
        flags, waived = red_flags(bid, evaluation.requirements)
        row = Row(
            vendor=bid.vendor,
            model=bid.model,
            monthly_cost=monthly_cost(bid, organization),
            tco=tco(bid, organization, evaluation.term_months),
            red_flags=flags,
            waived_flags=waived,
            eligible=is_eligible(flags, evaluation.red_flag_policy),
        )
        rows.append((row, bid))

    eligible = [(row, bid) for row, bid in rows if row.eligible]
    min_tco = min((row.tco for row, _ in eligible), default=ZERO)
    for row, bid in eligible:
        applicable = [c for c in evaluation.criteria if c.applies(bid.model)]
        complete = True
        weighted = ZERO
        weights = ZERO
        for criterion in applicable:
            if criterion.kind == "price":
                percentage = HUNDRED if row.tco == 0 else min_tco / row.tco * HUNDRED
            else:
                scores = evaluation.scores.get((bid.vendor, criterion.key), ())
                if scores:
                    percentage = _mean_percentage(scores)
                else:
                    percentage = ZERO
                    complete = False
            row.criteria[criterion.key] = percentage
            weighted += criterion.weight * percentage
            weights += criterion.weight
        total = weighted / weights if weights else ZERO
        if evaluation.red_flag_policy == "penalty":
            total = max(ZERO, total - evaluation.red_flag_penalty * len(row.red_flags))
        row.total = total
        row.complete = complete

    ranked = sorted((row for row, _ in eligible), key=lambda r: order_key(r.total, r.tco, r.vendor))
    for position, row in enumerate(ranked, start=1):
        row.rank = position
    disqualified = sorted((row for row, _ in rows if not row.eligible), key=lambda r: r.vendor.casefold())
    return [*ranked, *disqualified]


def contributions(evaluation: Evaluation, row: Row, categories: Mapping[str, str]) -> dict[str, Decimal]:
    """A ranked row's total before any penalty, split by criterion category (weighted share each).

    ``categories`` maps criterion key to category; the parts add up to the total
    (or, under ``penalty``, to the total plus the penalty taken off it).
    """
    with localcontext(prec=PRECISION):
        weights = {c.key: c.weight for c in evaluation.criteria}
        weight_sum = sum((weights[key] for key in row.criteria), start=ZERO)
        parts: dict[str, Decimal] = {}
        for key, percentage in row.criteria.items():
            share = weights[key] * percentage / weight_sum if weight_sum else ZERO
            category = categories.get(key, "")
            parts[category] = parts.get(category, ZERO) + share
        return parts


def written(value: Decimal | None) -> float | None:
    """A number as the documents write it: rounded to 2 decimals, a JSON number."""
    if value is None:
        return None
    with localcontext(prec=PRECISION):
        return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def ranking_document(evaluation: Evaluation, rows: list[Row] | None = None) -> dict:
    """The ranking in the contract's ``msp-eval-ranking/1`` format."""
    rows = rank(evaluation) if rows is None else rows
    return {
        "format": RANKING_FORMAT,
        "evaluation": evaluation.title,
        "model": evaluation.model,
        "term_months": evaluation.term_months,
        "red_flag_policy": evaluation.red_flag_policy,
        "ranking": [
            {
                "rank": row.rank,
                "vendor": row.vendor,
                "model": row.model,
                "status": row.status,
                "complete": row.complete if row.eligible else False,
                "total": written(row.total) if row.eligible else None,
                "monthly_cost": written(row.monthly_cost),
                "tco": written(row.tco),
                "red_flags": list(row.red_flags),
                "criteria": {key: written(value) for key, value in row.criteria.items()} if row.eligible else {},
            }
            for row in rows
        ],
    }


CSV_COLUMNS = ("rank", "vendor", "model", "status", "complete", "total", "monthly_cost", "tco", "red_flags")


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """Text a spreadsheet would run as a formula, kept as text."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _cell(value: object) -> str:
    if isinstance(value, str):
        return spreadsheet_safe(value)
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def ranking_table(document: Mapping, criterion_keys: Sequence[str]) -> list[list[object]]:
    """The ranking as rows of cells (header first), for CSV and XLSX."""
    table: list[list[object]] = [[*CSV_COLUMNS, *criterion_keys]]
    for row in document["ranking"]:
        table.append(
            [
                row["rank"],
                row["vendor"],
                row["model"],
                row["status"],
                row["complete"],
                row["total"],
                row["monthly_cost"],
                row["tco"],
                ";".join(row["red_flags"]),
                *(row["criteria"].get(key) for key in criterion_keys),
            ]
        )
    return table


def ranking_csv(document: Mapping, criterion_keys: Sequence[str]) -> str:
    """CSV: empty cell for null, true/false, integer rank, 2 decimals for other numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for cells in ranking_table(document, criterion_keys):
        writer.writerow([_cell(value) for value in cells])
    return out.getvalue()
