"""Every write to evaluations goes through these functions.

Each runs in one transaction, refuses to touch an awarded or cancelled
evaluation, and refreshes the stored ranking in the same transaction when it
changes anything the ranking reads, so reading a dashboard never recomputes.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from accounts.roles import EVALUATOR
from vendors import services as vendor_services
from vendors.models import MSP

from . import ranking, selectors
from .models import (
    Assignment,
    Bid,
    ConflictOfInterest,
    Criterion,
    Evaluation,
    RedFlag,
    Requirement,
    RequirementMet,
    Score,
    StoredRanking,
    Waiver,
)
from .package import AMOUNT_FIELDS, PACKAGE_FORMAT, Package


class EvaluationLocked(ValidationError):
    pass


def ensure_writable(evaluation: Evaluation) -> None:
    """The guard every write passes: awarded and cancelled evaluations are final."""
    if evaluation.is_locked:
        raise EvaluationLocked(
            f"“{evaluation.title}” is {evaluation.get_status_display().lower()}: it is locked and can't be changed."
        )


def refresh_ranking(evaluation: Evaluation) -> dict:
    """Recompute the ranking and store it; call inside the transaction of the write."""
    document = ranking.ranking_document(selectors.ranking_input(evaluation).data)
    StoredRanking.objects.update_or_create(evaluation=evaluation, defaults={"document": document})
    return document


def stored_ranking(evaluation: Evaluation) -> dict:
    """The stored ranking document (computed once if an older row predates it)."""
    stored = StoredRanking.objects.filter(evaluation=evaluation).values_list("document", flat=True).first()
    if stored is None:
        with transaction.atomic():
            return refresh_ranking(evaluation)
    return stored


# --- Loading a package -------------------------------------------------------------------------


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.partition(" ")
    return first[:150], last[:150]


def _evaluator_users(evaluators: list[dict[str, str]]) -> dict[str, User]:
    """Users for the package's evaluators; unknown ones become Evaluators with no usable password."""
    usernames = [e["username"] for e in evaluators]
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    group = Group.objects.get(name=EVALUATOR)
    for entry in evaluators:
        if entry["username"] in users:
            continue
        first, last = _split_name(entry["name"])
        user = User(username=entry["username"], email=entry["email"], first_name=first, last_name=last)
        user.set_unusable_password()
        user.save()
        user.groups.add(group)
        users[user.username] = user
    return users


def _msps(bids: Iterable[Any]) -> dict[str, MSP]:
    """The MSP of each bid's vendor: an existing one of the same name, or a new one."""
    result: dict[str, MSP] = {}
    for bid in bids:
        key = bid.vendor.casefold()
        msp = MSP.objects.filter(name__iexact=bid.vendor).first()
        if msp is None:
            msp = vendor_services.msp_create(
                name=bid.vendor,
                offers_fully_managed=bid.model == "fully_managed",
                offers_co_managed=bid.model == "co_managed",
            )
        result[key] = msp
    return result


@transaction.atomic
def evaluation_load(*, package: Package, owner: AbstractBaseUser) -> Evaluation:
    """Create one evaluation from a valid package, all of it or nothing."""
    for i, score in enumerate(package.scores):
        conflicted = {(c["evaluator"], c["vendor"].casefold()) for c in package.conflicts}
        if (score["evaluator"], score["vendor"].casefold()) in conflicted:
            raise ValidationError(f"scores[{i}]: {score['evaluator']} declared a conflict with {score['vendor']}")

    e, org = package.evaluation, package.organization
    evaluation = Evaluation(
        title=e["title"],
        model=e["model"],
        term_months=e["term_months"],
        status=e["status"],
        red_flag_policy=e["red_flag_policy"],
        red_flag_penalty=e["red_flag_penalty"],
        sealed_prices=e["sealed_prices"],
        bids_due=e["bids_due"],
        scoring_due=e["scoring_due"],
        decision_due=e["decision_due"],
        owner=owner,
        organization_name=org["name"],
        employees=org["employees"],
        devices=org["devices"],
        it_staff=org["it_staff"],
        it_staff_annual_cost=org["it_staff_annual_cost"],
        industry=org["industry"],
        compliance=org["compliance"],
    )
    evaluation.full_clean()
    evaluation.save()

    criteria = bulk_create_with_history(
        [
            Criterion(
                evaluation=evaluation,
                key=c.key,
                kind=c.kind,
                text=c.text,
                category=c.category,
                weight=c.weight,
                applies_to=c.applies_to,
                rubric=c.rubric,
                position=i,
            )
            for i, c in enumerate(package.criteria)
        ],
        Criterion,
        default_user=owner,
    )
    criteria_by_key = {c.key: c for c in criteria}
    requirements = bulk_create_with_history(
        [
            Requirement(evaluation=evaluation, key=r["key"], text=r["text"], position=i)
            for i, r in enumerate(package.requirements)
        ],
        Requirement,
        default_user=owner,
    )
    requirements_by_key = {r.key: r for r in requirements}

    users = _evaluator_users(package.evaluators)
    submitted = set(package.submitted)
    from django.utils import timezone

    now = timezone.now()
    assignments = bulk_create_with_history(
        [
            Assignment(
                evaluation=evaluation,
                evaluator=users[entry["username"]],
                submitted_at=now if entry["username"] in submitted else None,
                position=i,
            )
            for i, entry in enumerate(package.evaluators)
        ],
        Assignment,
        default_user=owner,
    )
    assignment_of = {a.evaluator.username: a for a in assignments}

    msps = _msps(package.bids)
    bids = bulk_create_with_history(
        [
            Bid(
                evaluation=evaluation,
                msp=msps[b.vendor.casefold()],
                position=i,
                model=b.model,
                pricing_model=b.pricing_model,
                rate=b.rate,
                monthly_fee=b.monthly_fee,
                est_hours_per_month=b.est_hours_per_month,
                project_price=b.project_price,
                onboarding_fee=b.onboarding_fee,
                retained_internal_cost=b.retained_internal_cost,
                contract_term_months=b.contract_term_months,
                critical_response_minutes=b.critical_response_minutes,
                sla_best_effort=b.sla_best_effort,
                references_offered=b.references_offered,
                environment_assessed=b.environment_assessed,
                documented_escalation=b.documented_escalation,
                documented_onboarding=b.documented_onboarding,
                performance_exit_clause=b.performance_exit_clause,
            )
            for i, b in enumerate(package.bids)
        ],
        Bid,
        default_user=owner,
    )
    bid_of = {b.vendor.casefold(): bid for b, bid in zip(package.bids, bids, strict=True)}

    bulk_create_with_history(
        [
            RequirementMet(bid=bid_of[b.vendor.casefold()], requirement=requirements_by_key[key])
            for b in package.bids
            for key in b.requirements_met
        ],
        RequirementMet,
        default_user=owner,
    )
    bulk_create_with_history(
        [
            RedFlag(bid=bid_of[b.vendor.casefold()], code=flag["code"], note=flag["note"], raised_by=owner)
            for b in package.bids
            for flag in b.manual_red_flags
        ],
        RedFlag,
        default_user=owner,
    )
    bulk_create_with_history(
        [
            Waiver(bid=bid_of[b.vendor.casefold()], code=waiver["code"], reason=waiver["reason"], waived_by=owner)
            for b in package.bids
            for waiver in b.waived_red_flags
        ],
        Waiver,
        default_user=owner,
    )
    bulk_create_with_history(
        [
            ConflictOfInterest(
                evaluation=evaluation,
                evaluator=users[c["evaluator"]],
                msp=msps[c["vendor"].casefold()],
                note=c["note"],
            )
            for c in package.conflicts
        ],
        ConflictOfInterest,
        default_user=owner,
    )
    bulk_create_with_history(
        [
            Score(
                assignment=assignment_of[s["evaluator"]],
                bid=bid_of[s["vendor"].casefold()],
                criterion=criteria_by_key[s["criterion"]],
                score=s["score"],
                note=s["note"],
            )
            for s in package.scores
        ],
        Score,
        default_user=owner,
    )
    refresh_ranking(evaluation)
    return evaluation


# --- Exporting a package -----------------------------------------------------------------------


def _number(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON number: an integer when it is whole."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def evaluation_export(evaluation: Evaluation) -> dict[str, Any]:
    """The evaluation as an ``msp-eval/1`` package: everything the app records about it."""
    data = selectors.ranking_input(evaluation)
    assignments = list(Assignment.objects.filter(evaluation=evaluation).select_related("evaluator"))
    bids = data.bids
    met: dict[int, list[str]] = {}
    for bid_id, key in (
        RequirementMet.objects.filter(bid__evaluation=evaluation)
        .order_by("requirement__position", "requirement__pk")
        .values_list("bid_id", "requirement__key")
    ):
        met.setdefault(bid_id, []).append(key)
    manual: dict[int, list[dict]] = {}
    for flag in RedFlag.objects.filter(bid__evaluation=evaluation, withdrawn_at__isnull=True):
        manual.setdefault(flag.bid_id, []).append({"code": flag.code, "note": flag.note})
    waived: dict[int, list[dict]] = {}
    for waiver in Waiver.objects.filter(bid__evaluation=evaluation, revoked_at__isnull=True):
        waived.setdefault(waiver.bid_id, []).append({"code": waiver.code, "reason": waiver.reason})
    vendor_of = {bid.pk: bid.msp.name for bid in bids}

    def bid_entry(bid: Bid) -> dict[str, Any]:
        from .ranking import PRICING_REQUIREMENTS

        required = PRICING_REQUIREMENTS[bid.pricing_model]
        return {
            "vendor": bid.msp.name,
            "model": bid.model,
            "pricing_model": bid.pricing_model,
            **{name: _number(getattr(bid, name)) if name in required else None for name in AMOUNT_FIELDS},
            "onboarding_fee": _number(bid.onboarding_fee),
            "retained_internal_cost": _number(bid.retained_internal_cost),
            "contract_term_months": bid.contract_term_months,
            "critical_response_minutes": bid.critical_response_minutes,
            "sla_best_effort": bid.sla_best_effort,
            "references_offered": bid.references_offered,
            "environment_assessed": bid.environment_assessed,
            "documented_escalation": bid.documented_escalation,
            "documented_onboarding": bid.documented_onboarding,
            "performance_exit_clause": bid.performance_exit_clause,
            "requirements_met": met.get(bid.pk, []),
            "manual_red_flags": manual.get(bid.pk, []),
            "waived_red_flags": waived.get(bid.pk, []),
        }

    scores = (
        Score.objects.filter(bid__evaluation=evaluation)
        .order_by("assignment__position", "bid__position", "criterion__position", "pk")
        .values_list("assignment__evaluator__username", "bid_id", "criterion__key", "score", "note")
    )
    conflicts = ConflictOfInterest.objects.filter(evaluation=evaluation).select_related("evaluator", "msp")
    return {
        "format": PACKAGE_FORMAT,
        "evaluation": {
            "title": evaluation.title,
            "model": evaluation.model,
            "term_months": evaluation.term_months,
            "status": evaluation.status,
            "red_flag_policy": evaluation.red_flag_policy,
            "red_flag_penalty": _number(evaluation.red_flag_penalty),
            "bids_due": evaluation.bids_due.isoformat() if evaluation.bids_due else None,
            "scoring_due": evaluation.scoring_due.isoformat() if evaluation.scoring_due else None,
            "decision_due": evaluation.decision_due.isoformat() if evaluation.decision_due else None,
            "sealed_prices": evaluation.sealed_prices,
        },
        "organization": {
            "name": evaluation.organization_name,
            "employees": evaluation.employees,
            "devices": evaluation.devices,
            "it_staff": evaluation.it_staff,
            "it_staff_annual_cost": _number(evaluation.it_staff_annual_cost),
            "industry": evaluation.industry or None,
            "compliance": list(evaluation.compliance),
        },
        "criteria": [
            {
                "key": c.key,
                "kind": c.kind,
                "text": c.text,
                "category": c.category,
                "weight": _number(c.weight),
                "applies_to": c.applies_to,
                **({"rubric": list(c.rubric)} if c.rubric else {}),
            }
            for c in data.criteria
        ],
        "requirements": [{"key": r.key, "text": r.text} for r in data.requirements],
        "evaluators": [
            {"username": a.evaluator.username, "name": a.evaluator.get_full_name(), "email": a.evaluator.email}
            for a in assignments
        ],
        "bids": [bid_entry(bid) for bid in bids],
        "scores": [
            {"evaluator": username, "vendor": vendor_of[bid_id], "criterion": key, "score": score, "note": note}
            for username, bid_id, key, score, note in scores
        ],
        "submitted": [a.evaluator.username for a in assignments if a.is_submitted],
        "conflicts": [
            {"evaluator": c.evaluator.username, "vendor": c.msp.name, "note": c.note}
            for c in conflicts
            if c.msp_id in {bid.msp_id for bid in bids}
        ],
    }
