"""Builders for the evaluation page and service tests.

Every row is written the way the app writes it: through ``scoring.services``
(or the package loader), so the stored ranking is always the one a real
request would leave behind.

The default evaluation is easy to work by hand: fully managed, a 12-month
horizon, the library's five fully managed questions (weight 15 each) plus
price (weight 25), so the weights add up to 100.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, Group, User

from scoring import ranking, selectors, services, terms
from scoring.models import (
    Assignment,
    Award,
    Bid,
    ConflictOfInterest,
    Criterion,
    CriterionKind,
    Evaluation,
    RedFlag,
    RequirementMet,
    Score,
    StoredRanking,
    Waiver,
)
from scoring.package import loading, loads, parse_package
from vendors import services as vendor_services
from vendors.models import MSP

D = Decimal

PACKAGES = Path(__file__).parent / "packages"
CONTRACT_EXAMPLE = PACKAGES / "contract_example.json"

# A bid on which no automatic red flag holds: 3 references, a 30-minute SLA, the
# environment assessed, both procedures documented, a 12-month term.
CLEAN_TERMS: dict[str, Any] = {
    "pricing_model": "flat",
    "monthly_fee": D(1000),
    "onboarding_fee": D(0),
    "retained_internal_cost": D(0),
    "contract_term_months": 12,
    "critical_response_minutes": 30,
    "sla_best_effort": False,
    "references_offered": 3,
    "environment_assessed": True,
    "documented_escalation": True,
    "documented_onboarding": True,
    "performance_exit_clause": True,
}

# The organization every default evaluation buys for.
BUYER: dict[str, Any] = {
    "organization_name": "Example Dental Group",
    "employees": 10,
    "devices": 20,
    "it_staff": 1,
    "it_staff_annual_cost": D(60000),
}


# --- Evaluations, bids and evaluators ----------------------------------------------------------


def make_msp(name: str) -> MSP:
    """The MSP of that name, created (offering both models) if the registry lacks it."""
    existing = MSP.objects.filter(name__iexact=name).first()
    if existing is not None:
        return existing
    return vendor_services.msp_create(name=name, offers_fully_managed=True, offers_co_managed=True)


def make_evaluation(
    owner: AbstractBaseUser, *, title: str = "Managed IT services 2027", model: str = "fully_managed", **fields: Any
) -> Evaluation:
    """A draft evaluation with the library's questions for ``model`` and the price criterion."""
    return services.evaluation_create(owner=owner, title=title, model=model, **{"term_months": 12, **BUYER, **fields})


def make_bid(evaluation: Evaluation, vendor: str = "Acme Managed IT", **fields: Any) -> Bid:
    """A clean bid (no red flag) from ``vendor``; ``fields`` override the terms."""
    model = fields.pop("model", "fully_managed" if evaluation.model == "both" else evaluation.model)
    return services.bid_create(evaluation=evaluation, msp=make_msp(vendor), model=model, **{**CLEAN_TERMS, **fields})


def move_to(evaluation: Evaluation, *statuses: str) -> Evaluation:
    """Walk the evaluation through ``statuses`` in order; returns the fresh row.

    "awarded" goes the only way there is: the owner proposes the leader, an executive approves.
    """
    for status in statuses:
        if status == "awarded":
            award_leader(evaluation)
            evaluation = Evaluation.objects.get(pk=evaluation.pk)
        else:
            evaluation = services.evaluation_transition(
                evaluation=evaluation, to=status, reason="Moved on in the set-up."
            )
    return evaluation


def award_leader(evaluation: Evaluation, approver: AbstractBaseUser | None = None) -> Award:
    """The owner proposes the ranked leader and an executive approves: the evaluation is awarded."""
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    ranked = [row for row in services.stored_ranking(evaluation)["ranking"] if row["status"] == "ranked"]
    if not ranked:  # every bid red-flagged: a clean one to award
        make_bid(evaluation, "Clean Winner IT")
        ranked = [row for row in services.stored_ranking(evaluation)["ranking"] if row["status"] == "ranked"]
    leader = ranked[0]
    bid = Bid.objects.get(evaluation=evaluation, vendor_name=leader["vendor"])
    award = services.award_propose(evaluation=evaluation, bid=bid, rationale="Ranked first.", by=evaluation.owner)
    if approver is None:
        approver = User.objects.filter(username="approver").first() or _executive("approver")
    return services.award_decide(award=award, approve=True, comment="Agreed.", by=approver)


def _executive(username: str) -> AbstractBaseUser:
    user = User.objects.create_user(username=username, password="x", email=f"{username}@example.com")
    user.groups.add(Group.objects.get(name="Executive"))
    return user


def start_scoring(evaluation: Evaluation) -> Evaluation:
    return move_to(evaluation, "collecting_bids", "scoring")


def assign(evaluation: Evaluation, *users: AbstractBaseUser, signed: bool = True) -> list[Assignment]:
    """``users`` assigned to score; with ``signed``, each has signed the evaluators' declaration."""
    services.evaluators_add(evaluation=evaluation, users=users)
    assignments = [Assignment.objects.get(evaluation=evaluation, evaluator=user) for user in users]
    if signed:
        for assignment in assignments:
            services.declaration_sign(assignment=assignment, signed_name=assignment.evaluator.get_username())
    return assignments


def questions(evaluation: Evaluation, applies_to: str | None = None) -> list[Criterion]:
    """The question criteria of the evaluation (those applying to bids of ``applies_to``, if given)."""
    found = list(Criterion.objects.filter(evaluation=evaluation, kind=CriterionKind.QUESTION))
    if applies_to is None:
        return found
    return [c for c in found if c.applies(applies_to)]


def entries_for(
    assignment: Assignment, scores: dict[str, int], note: str = ""
) -> dict[tuple[int, int], tuple[int, str]]:
    """Scorecard entries giving every applicable question of each vendor's bid that vendor's score."""
    return {
        (bid.pk, question.pk): (scores[bid.msp.name], note)
        for bid, applicable in services.scorecard_slots(assignment)
        if bid.msp.name in scores
        for question in applicable
    }


def score(assignment: Assignment, scores: dict[str, int], *, submit: bool = True) -> Assignment:
    """Score every applicable question of each named vendor's bid, and submit unless told not to."""
    return services.scorecard_save(assignment=assignment, entries=entries_for(assignment, scores), submit=submit)


def running_evaluation(
    owner: AbstractBaseUser, evaluator: AbstractBaseUser, submitted_evaluator: AbstractBaseUser
) -> SimpleNamespace:
    """An evaluation in scoring with something behind every address.

    Acme's bid is clean and carries a manual flag; Beacon's bid has no references
    (``no-references`` holds, so it can be waived) and a best-effort SLA, whose
    ``no-clear-sla`` flag is waived. ``evaluator`` is assigned and has not
    submitted; ``submitted_evaluator`` scored Acme 4 and Beacon 3 everywhere and submitted.
    """
    evaluation = make_evaluation(owner)
    acme = make_bid(evaluation, "Acme Managed IT")
    beacon = make_bid(evaluation, "Beacon IT", references_offered=0, sla_best_effort=True)
    flag = services.flag_raise(bid=acme, code="slow-invoices", note="Invoices arrive months late.", by=owner)
    waiver = services.waiver_create(bid=beacon, code="no-clear-sla", reason="24/7 desk in the contract.", by=owner)
    pending, submitted = assign(evaluation, evaluator, submitted_evaluator)
    evaluation = start_scoring(evaluation)
    score(submitted, {"Acme Managed IT": 4, "Beacon IT": 3})
    return SimpleNamespace(
        evaluation=evaluation,
        acme=acme,
        beacon=beacon,
        flag=flag,
        waiver=waiver,
        pending=pending,
        submitted=refreshed(submitted),
    )


def refreshed(instance: Any) -> Any:
    return type(instance)._default_manager.get(pk=instance.pk)


# --- The ranking, stored and recomputed --------------------------------------------------------


def stored_document(evaluation: Evaluation) -> dict:
    return StoredRanking.objects.get(evaluation_id=evaluation.pk).document


def computed_document(evaluation: Evaluation) -> dict:
    """The ranking recomputed from the recorded rows, the way ``refresh_ranking`` computes it."""
    return ranking.ranking_document(selectors.ranking_input(refreshed(evaluation)).data)


def row_of(document: dict, vendor: str) -> dict:
    return next(row for row in document["ranking"] if row["vendor"] == vendor)


def totals(document: dict) -> dict[str, float | None]:
    return {row["vendor"]: row["total"] for row in document["ranking"]}


# --- Packages ----------------------------------------------------------------------------------


def contract_example() -> dict[str, Any]:
    return json.loads(CONTRACT_EXAMPLE.read_text())


def package_bid(vendor: str, **fields: Any) -> dict[str, Any]:
    """A package bid entry: clean fully managed flat-fee terms (1,000 a month) unless overridden."""
    entry: dict[str, Any] = {
        "vendor": vendor,
        "model": "fully_managed",
        "pricing_model": "flat",
        "monthly_fee": 1000,
        "onboarding_fee": 0,
        "retained_internal_cost": 0,
        "contract_term_months": 12,
        "critical_response_minutes": 30,
        "sla_best_effort": False,
        "references_offered": 3,
        "environment_assessed": True,
        "documented_escalation": True,
        "documented_onboarding": True,
        "performance_exit_clause": True,
    }
    entry.update(fields)
    return entry


def scored_package(bid_count: int, evaluators: tuple[str, ...] = ("alice", "bob")) -> dict[str, Any]:
    """A fully managed package of ``bid_count`` flat-fee bids, every question scored by every evaluator, all submitted.

    Bid i costs 1,000 + 100 × i a month; every evaluator scores bid i (i mod 6) on both questions.
    """
    criteria = [
        {"key": "support", "kind": "question", "text": "Support?", "category": "Service", "weight": 40},
        {"key": "security", "kind": "question", "text": "Security?", "category": "Security", "weight": 30},
        {"key": "price", "kind": "price", "text": "TCO", "category": "Cost", "weight": 30},
    ]
    bids = [package_bid(f"Vendor {i:02d}", monthly_fee=1000 + 100 * i) for i in range(bid_count)]
    return {
        "format": "msp-eval/1",
        "evaluation": {"title": f"Budget check {bid_count}", "model": "fully_managed", "term_months": 12},
        "organization": {"name": "Example Dental Group", "employees": 10, "devices": 20, "it_staff": 1,
                         "it_staff_annual_cost": 60000},
        "criteria": criteria,
        "evaluators": [{"username": u, "name": u.title(), "email": f"{u}@example.com"} for u in evaluators],
        "bids": bids,
        "scores": [
            {"evaluator": u, "vendor": bid["vendor"], "criterion": c["key"], "score": i % 6}
            for u in evaluators
            for i, bid in enumerate(bids)
            for c in criteria
            if c["kind"] == "question"
        ],
        "submitted": list(evaluators),
    }  # fmt: skip


def load(owner: AbstractBaseUser, data: dict[str, Any]) -> Evaluation:
    """Load a package the way the upload page does: JSON text, parsed and validated, then written."""
    return loading.evaluation_load(package=parse_package(loads(json.dumps(data))), owner=owner)


# --- Form data ---------------------------------------------------------------------------------


def _posted(data: dict[str, Any]) -> dict[str, Any]:
    """A real POST: unticked checkboxes and empty optional values as the browser sends them."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is False:
            continue  # an unticked checkbox is absent
        if value is True:
            out[key] = "on"
        elif value is None:
            out[key] = ""
        elif isinstance(value, Decimal):
            out[key] = format(value.normalize(), "f")
        else:
            out[key] = value
    return out


def bid_form_data(bid: Bid | None = None, *, msp: MSP | None = None, **overrides: Any) -> dict[str, Any]:
    """What the bid form posts: the bid's current values (or clean terms for ``msp``) with ``overrides``."""
    if bid is None:
        data: dict[str, Any] = {"msp": msp.pk if msp else "", "model": "fully_managed", **CLEAN_TERMS}
        for term in terms.TERMS:  # the app's own terms, and the amounts this pricing model leaves empty
            data.setdefault(term.name, term.default)
    else:
        data = {name: getattr(bid, name) for name in services.BID_FIELDS}
        data["version"] = bid.version
        data["requirements_met"] = [r.pk for r in bid.requirements_met.all()]
    data.update(overrides)
    return _posted(data)


def evaluation_form_data(evaluation: Evaluation | None = None, **overrides: Any) -> dict[str, Any]:
    """What the evaluation form posts: the evaluation's current values (or a new one's) with ``overrides``."""
    if evaluation is None:
        data: dict[str, Any] = {
            "title": "Managed IT services 2028",
            "model": "fully_managed",
            "term_months": 36,
            "red_flag_policy": "disqualify",
            "red_flag_penalty": 10,
            "sealed_prices": True,
            **BUYER,
            "industry": "healthcare",
            "compliance": "HIPAA",
        }
    else:
        data = {name: getattr(evaluation, name) for name in services.EVALUATION_FIELDS}
        data["compliance"] = ", ".join(evaluation.compliance)
        for name in ("bids_due", "scoring_due", "decision_due"):
            data[name] = data[name].isoformat() if data[name] else None
        data["version"] = evaluation.version
    data.update(overrides)
    return _posted(data)


# --- Proving nothing was written ---------------------------------------------------------------


def row_counts() -> dict[str, int]:
    """How many evaluations, users, assignments, scores and awards exist: a refused load or assignment
    leaves them as they were."""
    return {
        "evaluations": Evaluation.objects.count(),
        "users": User.objects.count(),
        "assignments": Assignment.objects.count(),
        "scores": Score.objects.count(),
        "awards": Award.objects.count(),
    }


def scoring_state() -> list[tuple[Any, ...]]:
    """Every evaluation row a write could touch, with the fields it would change."""
    return [
        *Evaluation.objects.order_by("pk").values_list(
            "pk", "title", "model", "status", "term_months", "sealed_prices", "version", "employees"
        ),
        *Criterion.objects.order_by("pk").values_list("pk", "key", "weight"),
        *Assignment.objects.order_by("pk").values_list("pk", "evaluator_id", "submitted_at"),
        *Bid.objects.order_by("pk").values_list(
            "pk", "msp_id", "model", "pricing_model", "rate", "monthly_fee", "references_offered", "version"
        ),
        *RequirementMet.objects.order_by("pk").values_list("pk", "bid_id", "requirement_id"),
        *RedFlag.objects.order_by("pk").values_list("pk", "bid_id", "code", "withdrawn_at"),
        *Waiver.objects.order_by("pk").values_list("pk", "bid_id", "code", "revoked_at"),
        *Score.objects.order_by("pk").values_list("pk", "assignment_id", "bid_id", "criterion_id", "score", "note"),
        *ConflictOfInterest.objects.order_by("pk").values_list("pk", "evaluator_id", "msp_id"),
        *StoredRanking.objects.order_by("pk").values_list("pk", "document"),
    ]


def messages_of(response: Any) -> list[str]:
    """The flash messages the user sees: on this page, or on the page it redirects to (which shows them once)."""
    if response.status_code in (301, 302):
        response = response.client.get(response["Location"])
    if not response.context or "messages" not in response.context:
        return []
    return [str(m) for m in response.context["messages"]]
