"""The bid page: its price against the budget, scope, who owns what and its risks, red flags and waivers,
requirements and their evidence, and the client references checked; at the lock when it is locked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.auth.models import AbstractBaseUser, User
from django.utils import timezone

from scoring import guide, ranking, selectors, services, tender_selectors
from scoring import terms as bid_terms
from scoring.models import Bid, BidDocument, Criterion, Evaluation, RedFlag, ReferenceCheck, Requirement, Waiver
from scoring.pages.page import Page
from scoring.rules import can, opens_document
from scoring.templatetags.scoring_extras import money
from vendors.models import ClientReference


class SplitRow(NamedTuple):
    """One function of a co-managed split: its label, its owner's label, and its risk."""

    label: str
    owner: str
    dropped: bool  # nobody owns it
    finger_pointing: bool  # shared: two owners


Split = list[SplitRow]


def over_budget(monthly_cost: Decimal, budget: Decimal | None) -> Decimal | None:
    """By how much the monthly cost is over the evaluation's budget; None within it or without one."""
    return monthly_cost - budget if budget is not None and monthly_cost > budget else None


def responsibility_split(bid: Bid, risks: guide.SplitRisks) -> Split:
    """Each function of a co-managed split with its owner and its risk: dropped (nobody owns it) or
    finger-pointing (shared)."""

    return [
        SplitRow(
            label=label,
            owner=guide.OWNERS.get(bid.responsibilities.get(function, ""), ""),
            dropped=function in risks.dropped,
            finger_pointing=function in risks.finger_pointing,
        )
        for function, label in guide.RESPONSIBILITY_FUNCTIONS.items()
    ]


def price_working(bid: ranking.Bid, organization: ranking.Organization) -> str:
    """The monthly cost's formula (``ranking.price_formula``) with the bid's numbers: "$12.00 × 50"."""
    fixed_name, quantity_name = ranking.MONTHLY_COST_TERMS[bid.pricing_model]
    parts = []
    if fixed_name:
        parts.append(money(getattr(bid, fixed_name), True))
    if quantity_name:
        source = organization if quantity_name in ranking.ORGANIZATION_QUANTITIES else bid
        parts.append(f"{money(bid.rate, True)} × {Decimal(str(getattr(source, quantity_name))).normalize():,f}")
    return " + ".join(parts)


def scope(bid: Bid) -> list[tuple[str, bool]]:
    """Each service a fully managed bid usually includes, and whether this one does."""
    return [(label, key in bid.scope_included) for key, label in guide.FULLY_MANAGED_INCLUSIONS.items()]


def left_out(bid: Bid) -> list[str]:
    """The usual exclusions this bid leaves out of its scope."""
    return [label for key, label in guide.USUAL_EXCLUSIONS.items() if key in bid.scope_excluded]


def evidence_in_force(documents: list[BidDocument], requirements: list[Requirement]) -> dict[str, list[BidDocument]]:
    """Each requirement's evidence not withdrawn, by the requirement's key."""
    return {r.key: [d for d in documents if d.requirement_id == r.pk and d.withdrawn_at is None] for r in requirements}


@dataclass
class BidPage(Page):
    evaluation: Evaluation
    bid: Bid
    sees_prices: bool
    sees_results: bool
    manages: bool  # and the evaluation is open
    monthly_cost: Decimal
    over_budget: Decimal | None
    price_marks: list[str]
    scope: list[tuple[str, bool]]
    left_out: list[str]
    arrangement: str
    split: Split
    risks: guide.SplitRisks
    documents: list[BidDocument]
    openable: set[int]  # the documents this person may open (rules.opens_document)
    evidence: dict[str, list[BidDocument]]  # each requirement's evidence in force, by key
    reference_checks: list[ReferenceCheck]
    references_on_file: int
    today: date
    tco: Decimal
    internal_annual: Decimal
    flags: list[str]
    automatic: list[tuple[str, str]]
    manual: list[RedFlag]
    waivers: list[Waiver]
    waived: list[str]
    requirements: list[tuple[Requirement, bool]]
    rules: dict[str, str]
    eligible: bool
    price_working: str  # the monthly cost's formula with the bid's numbers
    terms: list[tuple[str, str]]  # the bid's declared terms (scoring.terms), label and value
    arrival: tender_selectors.Arrival  # how the bid reached the buyer: the bid room, or typed in by hand
    answers: list[tuple[Criterion, str]]  # its written answers, by question


def bid_page(user: AbstractBaseUser, evaluation: Evaluation, bid: Bid) -> BidPage:
    """The page of ``bid`` as ``user`` sees it (what the prices and results show is the template's, by the flags)."""
    data = selectors.ranking_input(evaluation).data
    terms = next(b for b in data.bids if b.vendor == bid.vendor_name)
    flags, waived = ranking.red_flags(terms, data.requirements)
    manual = list(RedFlag.objects.filter(bid=bid).select_related("raised_by"))
    waivers = list(Waiver.objects.filter(bid=bid).select_related("waived_by"))
    requirements = [(r, r.key in terms.requirements_met) for r in evaluation.requirements.all()]
    monthly_cost = ranking.monthly_cost(terms, data.organization)
    risks = guide.split_risks(bid.responsibilities or {})
    documents = list(BidDocument.objects.filter(bid=bid).select_related("uploaded_by", "requirement"))
    page = BidPage(
        evaluation=evaluation,
        bid=bid,
        sees_prices=can(user, "scoring.view_prices", evaluation),
        sees_results=can(user, "scoring.view_results", evaluation),
        manages=can(user, "scoring.manage_evaluation", evaluation) and not evaluation.is_locked,
        monthly_cost=monthly_cost,
        over_budget=over_budget(monthly_cost, evaluation.monthly_budget),
        price_marks=guide.price_marks(
            model=bid.model,
            pricing_model=bid.pricing_model,
            rate=bid.rate,
            monthly_cost=monthly_cost,
            critical_response=bid.critical_response_minutes,
        ),
        scope=scope(bid),
        left_out=left_out(bid),
        arrangement=guide.CO_MANAGED_ARRANGEMENTS.get(bid.arrangement, ""),
        split=responsibility_split(bid, risks),
        risks=risks,
        documents=documents,
        openable={d.pk for d in documents if d.file and opens_document(user, evaluation, d)},
        evidence=evidence_in_force(documents, [r for r, _ in requirements]),
        reference_checks=list(bid.reference_checks.select_related("reference", "checked_by")),
        references_on_file=bid.msp.references.filter(archived_at__isnull=True).count(),
        today=timezone.localdate(),
        tco=ranking.tco(terms, data.organization, data.term_months),
        internal_annual=ranking.internal_annual_cost(terms, data.organization),
        flags=flags,
        automatic=[(code, ranking.AUTOMATIC_RULES[code]) for code in sorted(ranking.automatic_flags(terms))],
        manual=manual,
        waivers=waivers,
        waived=waived,
        requirements=requirements,
        rules=ranking.AUTOMATIC_RULES,
        eligible=ranking.is_eligible(flags, evaluation.red_flag_policy),
        price_working=price_working(terms, data.organization),
        terms=bid_terms.shown(bid, prices=can(user, "scoring.view_prices", evaluation)),
        arrival=tender_selectors.arrival(bid),
        answers=tender_selectors.bid_answers(bid),
    )
    if (locked_at := services.lock_moment(evaluation)) is not None:
        _as_at_lock(page, locked_at)
    return page


def _as_at_lock(page: BidPage, locked_at: datetime) -> None:
    """A locked evaluation's bid page shows what it drew on from outside as it stood at the lock:
    the client references called and the names of the people who acted, however edited since."""
    checks = page.reference_checks
    references = selectors.as_of(ClientReference, {c.reference_id for c in checks}, locked_at)
    people = selectors.as_of(
        User,
        {c.checked_by_id for c in checks}
        | {d.uploaded_by_id for d in page.documents}
        | {f.raised_by_id for f in page.manual}
        | {w.waived_by_id for w in page.waivers},
        locked_at,
    )
    for check in checks:
        check.reference = references.get(check.reference_id, check.reference)
        check.checked_by = people.get(check.checked_by_id, check.checked_by)
    _named_as_at(people, page.documents, "uploaded_by")
    _named_as_at(people, page.manual, "raised_by")
    _named_as_at(people, page.waivers, "waived_by")
    page.references_on_file = (
        ClientReference.history.as_of(locked_at).filter(msp_id=page.bid.msp_id, archived_at__isnull=True).count()
    )


def _named_as_at(people: dict[int, Any], rows: Iterable[Any], field: str) -> None:
    """Each row's ``field`` (a person) as they stood at the lock, where the history has them."""
    for row in rows:
        if (person_id := getattr(row, f"{field}_id")) is not None:
            setattr(row, field, people.get(person_id, getattr(row, field)))
