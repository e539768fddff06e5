"""The benchmark's data, written the way the app writes it: ``msp-eval/1`` packages through the loader.

``case_package`` builds one evaluation of any size with the same shape (so the
small case and the large one differ only in size): fully managed and co-managed
bids, an automatic red flag, a waived one, a manual one, an unmet requirement,
a document and a reference check per bid, every question scored by every
evaluator, all submitted. ``small_package`` is one of the portfolio's many
small evaluations: two bids, three criteria, evaluators who have not submitted
and whose scoring is due tomorrow (the reminder sweep's work).

Everything goes through ``json`` text, ``parse_package`` and
``loading.evaluation_load`` under ``acting_as(owner)``, exactly as
``manage.py load_evaluation`` does.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import Group, User

from accounts.roles import EXECUTIVE, PROCUREMENT
from core.history import acting_as
from scoring.guide import CO_MANAGED_ARRANGEMENTS, FULLY_MANAGED_INCLUSIONS, OWNERS, RESPONSIBILITY_FUNCTIONS
from scoring.models import Evaluation
from scoring.package import loading, loads, parse_package

CATEGORIES = ("Service", "Security", "Strategy", "Onboarding", "Contract", "Support", "Compliance", "Reporting")
REQUIREMENTS = (
    {"key": "hipaa-baa", "text": "Signs a HIPAA business associate agreement"},
    {"key": "soc2", "text": "Holds a current SOC 2 Type II report"},
    {"key": "mfa", "text": "Enforces multi-factor authentication on every admin account"},
)
PRICINGS_FULLY = ("flat", "per_user", "per_device")
PRICINGS_CO = ("hybrid", "hourly")


@dataclass
class People:
    owner: User  # procurement: owns every evaluation
    executive: User  # logs in to the served app
    password: str


def people(password: str) -> People:
    """The owner and the executive (the only password hashed: the login form checks it once)."""
    owner = User.objects.create_user(
        username="procurement", email="procurement@example.com", first_name="Pat", last_name="Buyer"
    )
    owner.set_unusable_password()
    owner.save()
    owner.groups.add(Group.objects.get(name=PROCUREMENT))
    executive = User.objects.create_user(
        username="executive", password=password, email="executive@example.com", first_name="Eve", last_name="Chief"
    )
    executive.groups.add(Group.objects.get(name=EXECUTIVE))
    return People(owner=owner, executive=executive, password=password)


def evaluator_entry(username: str) -> dict[str, str]:
    return {"username": username, "name": username.title(), "email": f"{username}@example.com"}


def _amounts(i: int, model: str) -> dict[str, Any]:
    if model == "fully_managed":
        pricing = PRICINGS_FULLY[i % len(PRICINGS_FULLY)]
        if pricing == "flat":
            return {"pricing_model": pricing, "monthly_fee": 18000 + 250 * i}
        return {"pricing_model": pricing, "rate": 95 + (i % 17) * 5 if pricing == "per_user" else 60 + (i % 13) * 4}
    pricing = PRICINGS_CO[i % len(PRICINGS_CO)]
    if pricing == "hybrid":
        return {"pricing_model": pricing, "monthly_fee": 6000 + 100 * i, "rate": 120, "est_hours_per_month": 20}
    return {"pricing_model": pricing, "rate": 135 + i, "est_hours_per_month": 60, "retained_internal_cost": 4000}


def case_bid(prefix: str, i: int, today: date, checked_by: str) -> dict[str, Any]:
    """Bid ``i`` of a case: every 4th co-managed; every 12th in a row carries one kind of trouble."""
    vendor = f"{prefix} {i + 1:02d}"
    model = "co_managed" if i % 4 == 3 else "fully_managed"
    trouble = i % 12
    bid: dict[str, Any] = {
        "vendor": vendor,
        "model": model,
        "onboarding_fee": 2000 + 100 * (i % 10),
        "retained_internal_cost": 0,
        "contract_term_months": 12 if i % 3 else 36,
        "critical_response_minutes": 15 + (i % 4) * 15,
        "sla_best_effort": trouble == 2,  # the no-clear-sla flag, waived below
        "references_offered": 0 if trouble == 5 else 3,  # the no-references flag: disqualified
        "environment_assessed": True,
        "documented_escalation": True,
        "documented_onboarding": True,
        "performance_exit_clause": True,
        "requirements_met": [r["key"] for r in REQUIREMENTS if not (trouble == 11 and r["key"] == "soc2")],
        "manual_red_flags": [{"code": "slow-invoices", "note": "Invoices arrive months late."}] if trouble == 9 else [],
        "waived_red_flags": [{"code": "no-clear-sla", "reason": "24/7 desk in the contract."}] if trouble == 2 else [],
        "documents": [
            {
                "kind": "proposal",
                "name": f"{vendor} proposal.pdf",
                "size": 250_000 + i,
                "sha256": hashlib.sha256(vendor.encode()).hexdigest(),
            },
            {
                "kind": "evidence",
                "name": f"{vendor} BAA.pdf",
                "size": 80_000 + i,
                "sha256": hashlib.sha256(f"{vendor} BAA".encode()).hexdigest(),
                "requirement": "hipaa-baa",
                "expires_on": (today + timedelta(days=200 + i)).isoformat(),
            },
        ],
        "reference_checks": [
            {
                "client": f"A client of {vendor}",
                "checked_on": (today - timedelta(days=20)).isoformat(),
                "checked_by": checked_by,
                "outcome": "positive" if i % 5 else "mixed",
                "notes": "Answered every question.",
            }
        ],
        **_amounts(i, model),
    }
    if model == "fully_managed":
        keys = list(FULLY_MANAGED_INCLUSIONS)
        bid["scope_included"] = keys[: len(keys) - (i % 3)]
    else:
        bid["arrangement"] = list(CO_MANAGED_ARRANGEMENTS)[i % len(CO_MANAGED_ARRANGEMENTS)]
        owners = list(OWNERS)
        bid["responsibilities"] = {
            function: owners[(i + j) % len(owners)] for j, function in enumerate(RESPONSIBILITY_FUNCTIONS)
        }
    return bid


def case_score(evaluator: int, bid: int, question: int) -> int:
    """A panel that mostly agrees: each evaluator within a point of the bid's level on a question,
    and about one answer in forty where one evaluator sees it the other way round (a "discuss")."""
    level = (7 * bid + 5 * question) % 6
    if (61 * bid + 7 * question) % 40 == 0 and evaluator == (bid + question) % 15:
        return 5 - level
    return min(5, max(0, level + evaluator % 3 - 1))


def case_package(
    *, title: str, prefix: str, bids: int, questions: int, evaluators: list[str], today: date, checked_by: str
) -> dict[str, Any]:
    """One evaluation in decision: ``bids`` bids, ``questions`` questions plus price, every score in, all submitted."""
    criteria = [
        {
            "key": f"q{k + 1:02d}",
            "kind": "question",
            "text": f"Question {k + 1}: how does the MSP handle {CATEGORIES[k % len(CATEGORIES)].lower()} matters?",
            "category": CATEGORIES[k % len(CATEGORIES)],
            "weight": 1 + k % 3,
            "applies_to": "all",
            "rubric": [f"Score {s}: what a {s} means for question {k + 1}" for s in range(6)],
        }
        for k in range(questions)
    ]
    criteria.append(
        {"key": "price", "kind": "price", "text": "Total cost of ownership", "category": "Cost", "weight": 30}
    )
    bid_rows = [case_bid(prefix, i, today, checked_by) for i in range(bids)]
    return {
        "format": "msp-eval/1",
        "evaluation": {
            "title": title,
            "model": "both",
            "term_months": 36,
            "status": "decision",
            "red_flag_policy": "disqualify",
            "bids_due": (today - timedelta(days=30)).isoformat(),
            "scoring_due": (today - timedelta(days=3)).isoformat(),
            "decision_due": (today + timedelta(days=7)).isoformat(),
            "sealed_prices": True,
            "monthly_budget": 30000,
        },
        "organization": {
            "name": "Harbor Dental Group",
            "employees": 400,
            "devices": 600,
            "it_staff": 3,
            "it_staff_annual_cost": 270000,
            "industry": "healthcare",
            "compliance": ["HIPAA"],
        },
        "criteria": criteria,
        "requirements": list(REQUIREMENTS),
        "evaluators": [evaluator_entry(u) for u in evaluators],
        "bids": bid_rows,
        "scores": [
            {
                "evaluator": u,
                "vendor": bid["vendor"],
                "criterion": c["key"],
                "score": case_score(e, i, k),
            }
            for e, u in enumerate(evaluators)
            for i, bid in enumerate(bid_rows)
            for k, c in enumerate(criteria)
            if c["kind"] == "question"
        ],
        "submitted": list(evaluators),
    }


def small_package(*, index: int, vendors: tuple[str, str], evaluators: list[str], today: date) -> dict[str, Any]:
    """A small evaluation in scoring, due tomorrow: two bids, two questions and price, nobody submitted."""
    bids = [
        {
            "vendor": vendor,
            "model": "fully_managed",
            "onboarding_fee": 1000,
            "retained_internal_cost": 0,
            "contract_term_months": 12,
            "critical_response_minutes": 30,
            "sla_best_effort": False,
            "references_offered": 3,  # not checked: the owner is reminded before scoring is due
            "environment_assessed": True,
            "documented_escalation": True,
            "documented_onboarding": True,
            "performance_exit_clause": True,
            "requirements_met": [r["key"] for r in REQUIREMENTS],
            "scope_included": list(FULLY_MANAGED_INCLUSIONS),
            **_amounts(index + j, "fully_managed"),
        }
        for j, vendor in enumerate(vendors)
    ]
    return {
        "format": "msp-eval/1",
        "evaluation": {
            "title": f"Managed IT services, site {index:03d}",
            "model": "fully_managed",
            "term_months": 36,
            "status": "scoring",
            "bids_due": (today - timedelta(days=10)).isoformat(),
            "scoring_due": (today + timedelta(days=1)).isoformat(),
            "decision_due": (today + timedelta(days=14 + index % 60)).isoformat(),
        },
        "organization": {"name": f"Site {index:03d}", "employees": 25, "devices": 40, "it_staff": 0,
                         "it_staff_annual_cost": 0},
        "criteria": [
            {"key": "support", "kind": "question", "text": "Support?", "category": "Service", "weight": 40},
            {"key": "security", "kind": "question", "text": "Security?", "category": "Security", "weight": 30},
            {"key": "price", "kind": "price", "text": "TCO", "category": "Cost", "weight": 30},
        ],
        "requirements": list(REQUIREMENTS),
        "evaluators": [evaluator_entry(u) for u in evaluators],
        "bids": bids,
        "scores": [],
        "submitted": [],
    }  # fmt: skip


@dataclass
class Loaded:
    evaluation: Evaluation
    parse_seconds: float
    write_seconds: float

    @property
    def seconds(self) -> float:
        return self.parse_seconds + self.write_seconds


def load(data: dict[str, Any], owner: User) -> Loaded:
    """Load a package as ``manage.py load_evaluation`` does: JSON text, parsed and validated, then written."""
    text = json.dumps(data).encode()
    started = time.perf_counter()
    package = parse_package(loads(text))
    parsed = time.perf_counter()
    with acting_as(owner):
        evaluation = loading.evaluation_load(package=package, owner=owner)
    return Loaded(evaluation, parsed - started, time.perf_counter() - parsed)


def pending_counts(evaluations: int, assignments: int) -> list[int]:
    """How many unsubmitted evaluators each small evaluation gets, ``assignments`` in all."""
    base, extra = divmod(assignments, evaluations)
    return [base + (1 if i < extra else 0) for i in range(evaluations)]


def pool_slice(pool: list[str], start: int, count: int) -> list[str]:
    """``count`` distinct names of ``pool`` from ``start``, wrapping around."""
    if count > len(pool):
        raise ValueError(f"a pool of {len(pool)} can't give {count} distinct names")
    return [pool[(start + k) % len(pool)] for k in range(count)]
