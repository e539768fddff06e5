"""The side by side of two to four bids: the page, and the sections it shares with the workbook.

``sections`` is pure (no database, no request): the page's table and ``exports.comparison_xlsx``
draw the same rows from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.template.loader import render_to_string

from scoring import fragments, guide, selectors, services, terms
from scoring.models import Bid, Criterion, Evaluation, Requirement
from scoring.pages.page import Page

CompareLine = tuple[str, list[str], bool]  # label, one value per bid, whether they differ
Section = tuple[str, list[CompareLine]]

PICK_ERROR = "Pick two to four bids of this evaluation."


@dataclass(frozen=True)
class ComparisonInput:
    """What the sections are drawn from: the chosen bids in full and what the evaluation says of them."""

    bids: Sequence[Bid]
    rows: Sequence[dict]  # each bid's row of the stored ranking ({} for a bid it does not list)
    criteria: Sequence[Criterion]
    requirements: Sequence[Requirement]
    met: set[tuple[int, str]]  # (bid id, requirement key)
    term_months: int


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _line(label: str, values: list[str]) -> CompareLine:
    return (label, values, len(set(values)) > 1)


def _total(row: dict) -> str:
    return f"{row['total']:.2f}" if row.get("total") is not None else "disqualified"


def _criterion_line(criterion: Criterion, rows: Sequence[dict]) -> CompareLine:
    return _line(
        f"{criterion.key} (weight {criterion.weight.normalize():f})",
        [f"{r['criteria'][criterion.key]:.1f} %" if criterion.key in r.get("criteria", {}) else "n/a" for r in rows],
    )


def _result(source: ComparisonInput) -> Section:
    rows = source.rows
    return (
        "Result",
        [
            _line("Rank", [str(r.get("rank") or "—") for r in rows]),
            _line("Total", [_total(r) for r in rows]),
            _line("Red flags", [", ".join(r.get("red_flags", [])) or "none" for r in rows]),
            *[_criterion_line(c, rows) for c in source.criteria],
        ],
    )


def _price(source: ComparisonInput) -> Section:
    bids, rows = source.bids, source.rows
    return (
        "Price",
        [
            _line("Model", [bid.get_model_display() for bid in bids]),
            _line("Pricing", [bid.get_pricing_model_display() for bid in bids]),
            _line("Monthly cost", [f"${r.get('monthly_cost', 0):,.2f}" for r in rows]),
            _line(f"TCO over {source.term_months} months", [f"${r.get('tco', 0):,.2f}" for r in rows]),
            *[_term_line(term, bids) for term in terms.in_group(terms.PRICE)],
        ],
    )


def _term_value(term: terms.Term, bid: Bid) -> str:
    if not terms.concerns(term, bid):
        return "—"
    return term.display(getattr(bid, term.name))


def _term_line(term: terms.Term, bids: Sequence[Bid]) -> CompareLine:
    """One declared term (``scoring.terms``) across the bids."""
    return _line(term.label, [_term_value(term, bid) for bid in bids])


def _service(source: ComparisonInput) -> Section:
    bids = source.bids
    return (
        "Service and contract",
        [
            *[_term_line(term, bids) for term in (*terms.in_group(terms.SERVICE), *terms.in_group(terms.PRACTICE))],
            *[_line(r.text, [_yes_no((bid.pk, r.key) in source.met) for bid in bids]) for r in source.requirements],
        ],
    )


def _scope(source: ComparisonInput) -> Section:
    def included(bid: Bid, key: str) -> str:
        return _yes_no(key in bid.scope_included) if bid.model == "fully_managed" else "—"

    return (
        "Scope (fully managed)",
        [
            _line(label, [included(bid, key) for bid in source.bids])
            for key, label in guide.FULLY_MANAGED_INCLUSIONS.items()
        ],
    )


def _ownership(source: ComparisonInput) -> Section:
    def owner(bid: Bid, function: str) -> str:
        return guide.OWNERS.get(bid.responsibilities.get(function, ""), "nobody") if bid.model == "co_managed" else "—"

    return (
        "Who owns what (co-managed)",
        [
            _line(label, [owner(bid, function) for bid in source.bids])
            for function, label in guide.RESPONSIBILITY_FUNCTIONS.items()
        ],
    )


SECTIONS: tuple[Callable[[ComparisonInput], Section], ...] = (_result, _price, _service, _scope, _ownership)


def sections(source: ComparisonInput) -> list[Section]:
    """The comparison of ``source.bids`` in sections of lines, each line with whether the bids differ on it."""
    return [section(source) for section in SECTIONS]


def picked(bids: Sequence[Bid], raw: Sequence[str]) -> tuple[list[Bid], str]:
    """The bids of ``bids`` whose ids are in ``raw`` (the ``?bid=`` values), in their order, and an error for a bad pick."""
    chosen_ids = [int(value) for value in raw if value.isascii() and value.isdigit() and len(value) < 19]
    found = [bid for bid in bids if bid.pk in chosen_ids]
    if raw and not 2 <= len(found) <= 4:
        return found, PICK_ERROR
    return found, ""


@dataclass(frozen=True)
class Comparison:
    """The chosen bids (in full once they are compared) and their sections; an error for a bad pick."""

    chosen: list[Bid]
    sections: list[Section] = field(default_factory=list)
    error: str = ""


def comparison(evaluation: Evaluation, bids: Sequence[Bid], raw: Sequence[str]) -> Comparison:
    """The comparison of the bids of ``bids`` (the picker's, see ``selectors.bid_picker``) picked in ``raw``."""
    found, error = picked(bids, raw)
    if error or len(found) < 2:
        return Comparison(found, error=error)
    full = selectors.bids_in_full(bid.pk for bid in found)
    chosen = [full[bid.pk] for bid in found if bid.pk in full] if full else found
    if len(chosen) < 2:
        return Comparison(chosen)
    row_of = {row["vendor"]: row for row in services.stored_ranking(evaluation)["ranking"]}
    source = ComparisonInput(
        bids=chosen,
        rows=[row_of.get(bid.vendor_name, {}) for bid in chosen],
        criteria=list(selectors.criteria(evaluation)),
        requirements=list(evaluation.requirements.all()),
        met=selectors.requirements_met(chosen),
        term_months=evaluation.term_months,
    )
    return Comparison(chosen, sections(source))


@dataclass
class ComparePage(Page):
    evaluation: Evaluation
    bids: list[Bid]  # the picker's
    chosen: list[Bid]
    sections: list[Section]  # when the table was drawn now; empty when it came from the cache
    table: str
    error: str
    query: str


def compare_page(evaluation: Evaluation, raw: Sequence[str], query: str) -> ComparePage:
    """The side by side of the bids picked in ``raw``; the table from the cache while nothing it shows has changed."""
    bids = selectors.bid_picker(evaluation)
    found, error = picked(bids, raw)
    if error or len(found) < 2:
        return ComparePage(evaluation, bids, found, [], "", error, query)
    drawn: list[Comparison] = []

    def draw() -> str:
        drawn.append(comparison(evaluation, bids, raw))
        context = {"chosen": drawn[0].chosen, "sections": drawn[0].sections, "evaluation": evaluation}
        return render_to_string("scoring/_compare_table.html", context)

    table = fragments.comparison(evaluation, found, draw)
    if drawn:
        return ComparePage(evaluation, bids, drawn[0].chosen, drawn[0].sections, table, "", query)
    return ComparePage(evaluation, bids, found, [], table, "", query)
