"""Exporting an evaluation as a package: the contract's format, read back by the loader to the same rows."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from scoring import ranking, selectors, terms
from scoring.models import (
    OPEN_AWARD_DECISIONS,
    Assignment,
    Award,
    AwardDecision,
    Bid,
    BidAnswer,
    BidDocument,
    Candidate,
    Clarification,
    ConflictOfInterest,
    Criterion,
    Evaluation,
    RedFlag,
    ReferenceCheck,
    RequirementMet,
    Score,
    Status,
    Waiver,
)
from scoring.package import PACKAGE_FORMAT

logger = logging.getLogger(__name__)


PACKAGE_RATIONALE = "\nThe package's rationale: "


def package_rationale(award: Award) -> str:
    """The rationale to export: a loaded award's own words from its package, an approved one's whole."""
    if award.decision == AwardDecision.LOADED:
        return award.rationale.partition(PACKAGE_RATIONALE)[2]
    return award.rationale


def _number(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON number: an integer when it is whole."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _term(bid: Bid, term: terms.Term) -> Any:
    """A term as the package writes it: an amount only for the pricing models that use it."""
    if not terms.applies(term, bid.pricing_model):
        return None
    value = getattr(bid, term.name)
    return _number(value) if term.is_decimal else value


def _requirements_met(evaluation: Evaluation) -> dict[int, list[str]]:
    """The keys of the requirements each bid meets, in the requirements' order."""
    met: dict[int, list[str]] = {}
    for bid_id, key in (
        RequirementMet.objects.filter(bid__evaluation=evaluation)
        .order_by("requirement__position", "requirement__pk")
        .values_list("bid_id", "requirement__key")
    ):
        met.setdefault(bid_id, []).append(key)
    return met


def _manual_flags(evaluation: Evaluation) -> dict[int, list[dict]]:
    """Each bid's manual red flags still raised."""
    manual: dict[int, list[dict]] = {}
    for flag in RedFlag.objects.filter(bid__evaluation=evaluation, withdrawn_at__isnull=True):
        manual.setdefault(flag.bid_id, []).append({"code": flag.code, "note": flag.note})
    return manual


def _waivers_in_force(evaluation: Evaluation, data: selectors.RankingInput) -> dict[int, list[dict]]:
    """Each bid's waivers in force.

    A waiver counts only while its flag holds (a later edit may have cured it): export
    the waivers in force, so the package loads back.
    """
    holding = {
        bid.pk: ranking.automatic_flags(bid_data) - set(bid_data.manual_flags)
        for bid, bid_data in zip(data.bids, data.data.bids, strict=True)
    }
    waived: dict[int, list[dict]] = {}
    for waiver in Waiver.objects.filter(bid__evaluation=evaluation, revoked_at__isnull=True):
        if waiver.code in holding.get(waiver.bid_id, set()):
            waived.setdefault(waiver.bid_id, []).append({"code": waiver.code, "reason": waiver.reason})
    return waived


def _answers_of(evaluation: Evaluation) -> dict[int, dict[str, str]]:
    """Each bid's written answers by question key, in the criteria's order."""
    found: dict[int, dict[str, str]] = {}
    rows = BidAnswer.objects.filter(bid__evaluation=evaluation).order_by("criterion__position", "criterion_id")
    for bid_id, key, text in rows.values_list("bid_id", "criterion__key", "text"):
        found.setdefault(bid_id, {})[key] = text
    return found


def _documents_of(evaluation: Evaluation) -> dict[int, list[BidDocument]]:
    documents_of: dict[int, list[BidDocument]] = {}
    for document in BidDocument.objects.filter(bid__evaluation=evaluation).select_related("requirement").order_by("pk"):
        documents_of.setdefault(document.bid_id, []).append(document)
    return documents_of


def _checks_of(evaluation: Evaluation) -> dict[int, list[ReferenceCheck]]:
    checks_of: dict[int, list[ReferenceCheck]] = {}
    for check in (
        ReferenceCheck.objects.filter(bid__evaluation=evaluation)
        .select_related("reference", "checked_by")
        .order_by("pk")
    ):
        checks_of.setdefault(check.bid_id, []).append(check)
    return checks_of


def _document_entry(d: BidDocument) -> dict[str, Any]:
    return {
        "kind": d.kind,
        "envelope": d.envelope,
        "name": d.name,
        "size": d.size,
        "sha256": d.sha256,
        "requirement": d.requirement.key if d.requirement_id else None,
        "expires_on": d.expires_on.isoformat() if d.expires_on else None,
        "withdrawn": d.withdrawn_at is not None,
    }


def _check_entry(c: ReferenceCheck) -> dict[str, Any]:
    return {
        "client": c.reference.client,
        "checked_on": c.checked_on.isoformat(),
        "checked_by": c.checked_by.get_username(),
        "outcome": c.outcome,
        "notes": c.notes,
    }


@dataclass(frozen=True)
class _BidRecords:
    """What the package carries of each bid beyond its own fields, by bid id."""

    met: dict[int, list[str]]
    manual: dict[int, list[dict]]
    waived: dict[int, list[dict]]
    documents: dict[int, list[BidDocument]]
    checks: dict[int, list[ReferenceCheck]]
    answers: dict[int, dict[str, str]]


def _bid_records(evaluation: Evaluation, data: selectors.RankingInput) -> _BidRecords:
    return _BidRecords(
        met=_requirements_met(evaluation),
        manual=_manual_flags(evaluation),
        waived=_waivers_in_force(evaluation, data),
        documents=_documents_of(evaluation),
        checks=_checks_of(evaluation),
        answers=_answers_of(evaluation),
    )


def _bid_entry(bid: Bid, records: _BidRecords) -> dict[str, Any]:
    return {
        "vendor": bid.vendor_name,
        "model": bid.model,
        "pricing_model": bid.pricing_model,
        **{term.name: _term(bid, term) for term in terms.TERMS},
        "requirements_met": records.met.get(bid.pk, []),
        "manual_red_flags": records.manual.get(bid.pk, []),
        "waived_red_flags": records.waived.get(bid.pk, []),
        "scope_included": list(bid.scope_included),
        "scope_excluded": list(bid.scope_excluded),
        "arrangement": bid.arrangement or None,
        "responsibilities": dict(bid.responsibilities),
        "documents": [_document_entry(d) for d in records.documents.get(bid.pk, [])],
        "reference_checks": [_check_entry(c) for c in records.checks.get(bid.pk, [])],
        "answers": records.answers.get(bid.pk, {}),
    }


def _clarifications_section(evaluation: Evaluation) -> list[dict[str, Any]]:
    """The bid room's questions and answers, the asker by the name its bid or candidacy carries."""
    vendor = dict(Bid.objects.filter(evaluation=evaluation).values_list("msp_id", "vendor_name"))
    return [
        {
            "vendor": vendor.get(c.candidate.msp_id, c.candidate.msp.name),
            "question": c.question,
            "answer": c.answer or None,
            "visibility": c.visibility or None,
            "reason": c.private_reason or None,
            "number": c.number,
        }
        for c in Clarification.objects.filter(evaluation=evaluation).select_related("candidate__msp").order_by("pk")
    ]


def _candidates_section(evaluation: Evaluation, vendor_of_msp: dict[int, str]) -> list[dict[str, Any]]:
    return [
        # A bidder under the name its bid carries, so the loader matches the two.
        {"vendor": vendor_of_msp.get(c.msp_id, c.msp.name), "status": c.status, "note": c.note}
        for c in Candidate.objects.filter(evaluation=evaluation).select_related("msp")
    ]


def _stated_award(evaluation: Evaluation) -> Award | None:
    """The award of an awarded evaluation, when it names a winner (an approved one, or an archive's
    that stated it), so loading the export states it again. Read as soon as the status is awarded
    (the approval saves the status before the award), so the digest fixed then is the one read later."""
    if evaluation.status != Status.AWARDED:
        return None
    return (
        Award.objects.filter(evaluation=evaluation, decision__in=OPEN_AWARD_DECISIONS, bid__isnull=False)
        .select_related("bid")
        .first()
    )


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _evaluation_section(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "title": evaluation.title,
        "model": evaluation.model,
        "term_months": evaluation.term_months,
        "status": evaluation.status,
        "red_flag_policy": evaluation.red_flag_policy,
        "red_flag_penalty": _number(evaluation.red_flag_penalty),
        "bids_due": _date(evaluation.bids_due),
        "scoring_due": _date(evaluation.scoring_due),
        "decision_due": _date(evaluation.decision_due),
        "sealed_prices": evaluation.sealed_prices,
        "monthly_budget": _number(evaluation.monthly_budget),
        "request_publishes": list(evaluation.request_publishes or []),
        "request_shows_weights": evaluation.request_shows_weights,
        "questions_due": _date(evaluation.questions_due),
    }


def _organization_section(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "name": evaluation.organization_name,
        "employees": evaluation.employees,
        "devices": evaluation.devices,
        "it_staff": evaluation.it_staff,
        "it_staff_annual_cost": _number(evaluation.it_staff_annual_cost),
        "industry": evaluation.industry or None,
        "compliance": list(evaluation.compliance),
    }


def _criteria_section(criteria: Iterable[Criterion]) -> list[dict[str, Any]]:
    return [
        {
            "key": c.key,
            "kind": c.kind,
            "text": c.text,
            "category": c.category,
            "weight": _number(c.weight),
            "applies_to": c.applies_to,
            **({"rubric": list(c.rubric)} if c.rubric else {}),
        }
        for c in criteria
    ]


def _evaluators_section(assignments: list[Assignment]) -> list[dict[str, str]]:
    return [
        {"username": a.evaluator.username, "name": a.evaluator.get_full_name(), "email": a.evaluator.email}
        for a in assignments
    ]


def _scores_section(evaluation: Evaluation, data: selectors.RankingInput) -> list[dict[str, Any]]:
    vendor_of = {bid.pk: bid.vendor_name for bid in data.bids}
    model_of = {bid.pk: bid.model for bid in data.bids}
    criteria_of = {c.key: c for c in data.criteria}
    scores = (
        Score.objects.filter(bid__evaluation=evaluation)
        .order_by("assignment__position", "bid__position", "criterion__position", "pk")
        .values_list("assignment__evaluator__username", "bid_id", "criterion__key", "score", "note")
    )
    return [
        {"evaluator": username, "vendor": vendor_of[bid_id], "criterion": key, "score": score, "note": note}
        for username, bid_id, key, score, note in scores
        # A bid whose model changed keeps old scores on questions that no longer apply;
        # they never count, and the package only carries scores that can.
        if criteria_of[key].kind == "question" and criteria_of[key].applies(model_of[bid_id])
    ]


def _conflicts_section(evaluation: Evaluation, vendor_of_msp: dict[int, str]) -> list[dict[str, str]]:
    conflicts = ConflictOfInterest.objects.filter(evaluation=evaluation).select_related("evaluator", "msp")
    return [
        {"evaluator": c.evaluator.username, "vendor": vendor_of_msp[c.msp_id], "note": c.note}
        for c in conflicts
        if c.msp_id in vendor_of_msp
    ]


def evaluation_export(evaluation: Evaluation) -> dict[str, Any]:
    """The evaluation as an ``msp-eval/1`` package: everything the app records about it."""
    data = selectors.ranking_input(evaluation)
    assignments = list(Assignment.objects.filter(evaluation=evaluation).select_related("evaluator"))
    records = _bid_records(evaluation, data)
    vendor_of_msp = {bid.msp_id: bid.vendor_name for bid in data.bids}
    candidates = _candidates_section(evaluation, vendor_of_msp)
    award = _stated_award(evaluation)
    return {
        "format": PACKAGE_FORMAT,
        "evaluation": _evaluation_section(evaluation),
        "organization": _organization_section(evaluation),
        "criteria": _criteria_section(data.criteria),
        "requirements": [{"key": r.key, "text": r.text} for r in data.requirements],
        "evaluators": _evaluators_section(assignments),
        "bids": [_bid_entry(bid, records) for bid in data.bids],
        "scores": _scores_section(evaluation, data),
        "submitted": [a.evaluator.username for a in assignments if a.is_submitted],
        "conflicts": _conflicts_section(evaluation, vendor_of_msp),
        # Left out when there are none, so the package of an evaluation awarded before candidates
        # were kept still matches the digest fixed at its approval.
        **({"candidates": candidates} if candidates else {}),
        **({"clarifications": clarifications} if (clarifications := _clarifications_section(evaluation)) else {}),
        **({"award": {"winner": award.bid.vendor_name, "rationale": package_rationale(award)}} if award else {}),
    }
