"""Parsing a package: ``parse_package`` checks every section and returns clean values or every problem."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from scoring.package.parsing_bids import parse_bids
from scoring.package.parsing_tender import parse_clarifications
from scoring.package.schema import (
    APPLIES_TO,
    BUYER_FACTS,
    CANDIDATE_STATUSES,
    CRITERION_KEYS,
    EVALUATION_KEYS,
    KINDS,
    MAX_HEADCOUNT,
    MAX_TEXT,
    MISSING,
    MODELS,
    ORGANIZATION_KEYS,
    PACKAGE_FORMAT,
    POLICIES,
    STATUSES,
    TOP_KEYS,
    BidData,
    CriterionData,
    Package,
    PackageError,
    Reader,
    vendor_key,
)


def parse_package(data: Any, *, vet: Callable[[Package], list[str]] | None = None) -> Package:
    """Validate ``data`` whole; raise ``PackageError`` listing every problem.

    ``vet`` adds the problems only the database can tell (``loading.package_problems``), as
    ``PATH: message`` lines; it is given what could be read even when other problems were found.
    """
    r = Reader()
    top = r.obj(data, "", TOP_KEYS)
    if top is None:
        raise PackageError(r.errors)
    if top.get("format") != PACKAGE_FORMAT:
        r.error("format", f"must be {PACKAGE_FORMAT!r}")

    evaluation = _evaluation(r, top.get("evaluation", MISSING))
    organization = _organization(r, top.get("organization", MISSING))
    criteria = _criteria(r, top.get("criteria", MISSING))
    requirements = _requirements(r, top.get("requirements", []))
    evaluators = _evaluators(r, top.get("evaluators", MISSING))
    requirement_keys = {item["key"] for item in requirements}
    questions = {c.key: c.applies_to for c in criteria if c.kind == "question"}
    bids = parse_bids(r, top.get("bids", MISSING), evaluation.get("model"), requirement_keys, questions)
    scores = _scores(r, top.get("scores", []), evaluators, bids, criteria)
    submitted = _submitted(r, top.get("submitted", []), evaluators)
    conflicts = _conflicts(r, top.get("conflicts", []), evaluators, bids)
    _check_conflicted_scores(r, scores, conflicts)
    candidates = _candidates(r, top.get("candidates", []))
    award = _award(r, top.get("award", MISSING), evaluation, bids, requirement_keys)
    vendors = {vendor_key(b.vendor) for b in bids} | {vendor_key(c["vendor"]) for c in candidates}
    clarifications = parse_clarifications(r, top.get("clarifications"), vendors)

    package = Package(
        evaluation=evaluation,
        organization=organization,
        criteria=criteria,
        requirements=requirements,
        evaluators=evaluators,
        bids=bids,
        scores=scores,
        submitted=submitted,
        conflicts=conflicts,
        candidates=candidates,
        award=award,
        clarifications=clarifications,
    )
    if vet is not None:
        r.errors.extend(vet(package))
    if r.errors:
        raise PackageError(r.errors)
    return package


def _evaluation(r: Reader, value: Any) -> dict[str, Any]:
    if value is MISSING:
        r.error("evaluation", "required")
        return {}
    data = r.obj(value, "evaluation", EVALUATION_KEYS)
    if data is None:
        return {}
    p = "evaluation"
    return {
        "title": r.text(data, "title", p, max_length=200),
        "model": r.choice(data, "model", p, MODELS),
        "term_months": r.integer(data, "term_months", p, minimum=1, maximum=120, default=36),
        "status": r.choice(data, "status", p, STATUSES, default="scoring"),
        "red_flag_policy": r.choice(data, "red_flag_policy", p, POLICIES, default="disqualify"),
        "red_flag_penalty": r.number(
            data, "red_flag_penalty", p, minimum=Decimal(0), maximum=Decimal(100), default=Decimal(10)
        ),
        "bids_due": r.date(data, "bids_due", p),
        "scoring_due": r.date(data, "scoring_due", p),
        "decision_due": r.date(data, "decision_due", p),
        "sealed_prices": r.boolean(data, "sealed_prices", p, default=True),
        "monthly_budget": r.number(data, "monthly_budget", p, default=None, nullable=True),
        "request_publishes": _published(r, data.get("request_publishes"), f"{p}.request_publishes"),
        "request_shows_weights": r.boolean(data, "request_shows_weights", p, default=False),
        "questions_due": r.date(data, "questions_due", p),
    }


def _published(r: Reader, value: Any, path: str) -> list[str]:
    """The buyer's facts the bid room's request shows (an app extension): a list of BUYER_FACTS."""
    found: list[str] = []
    for i, item in enumerate(r.array(value, path) if value is not None else []):
        if item not in BUYER_FACTS:
            r.error(f"{path}[{i}]", f"must be one of {', '.join(BUYER_FACTS)}")
        elif item not in found:
            found.append(item)
    return found


def _organization(r: Reader, value: Any) -> dict[str, Any]:
    if value is MISSING:
        r.error("organization", "required")
        return {}
    data = r.obj(value, "organization", ORGANIZATION_KEYS)
    if data is None:
        return {}
    p = "organization"
    compliance = []
    raw = data.get("compliance")
    if raw is not None:
        for i, item in enumerate(r.array(raw, f"{p}.compliance")):
            if not isinstance(item, str) or not item.strip():
                r.error(f"{p}.compliance[{i}]", "must be a non-empty string")
            else:
                compliance.append(item.strip())
    return {
        "name": r.text(data, "name", p, required=False, nullable=True, max_length=200) or "",
        "employees": r.integer(data, "employees", p, minimum=0, maximum=MAX_HEADCOUNT),
        "devices": r.integer(data, "devices", p, minimum=0, maximum=MAX_HEADCOUNT),
        "it_staff": r.integer(data, "it_staff", p, minimum=0, maximum=MAX_HEADCOUNT),
        "it_staff_annual_cost": r.number(data, "it_staff_annual_cost", p),
        "industry": r.text(data, "industry", p, required=False, nullable=True, max_length=100) or "",
        "compliance": compliance,
    }


def _criteria(r: Reader, value: Any) -> list[CriterionData]:
    if value is MISSING:
        r.error("criteria", "required")
        return []
    result = []
    seen: set[str] = set()
    prices = 0
    for i, item in enumerate(r.array(value, "criteria")):
        p = f"criteria[{i}]"
        data = r.obj(item, p, CRITERION_KEYS)
        if data is None:
            continue
        key = _unique_key(r, data, p, seen)
        kind = r.choice(data, "kind", p, KINDS)
        applies_to = r.choice(data, "applies_to", p, APPLIES_TO, default="all")
        if kind == "price":
            prices += 1
            _check_price_criterion(r, p, prices, applies_to)
        rubric = _rubric(r, data.get("rubric"), f"{p}.rubric")
        result.append(_criterion(r, data, p, key=key, kind=kind, applies_to=applies_to, rubric=rubric))
    return result


def _unique_key(r: Reader, data: dict, path: str, seen: set[str]) -> str | None:
    """The entry's ``key`` slug, reported when an earlier entry has it too."""
    key = r.slug(data.get("key"), f"{path}.key")
    if key is not None:
        if key in seen:
            r.error(f"{path}.key", f"duplicate key {key!r}")
        seen.add(key)
    return key


def _check_price_criterion(r: Reader, path: str, prices: int, applies_to: str | None) -> None:
    """The ``prices``-th price criterion: only one, and applying to all bids."""
    if prices > 1:
        r.error(f"{path}.kind", "at most one price criterion")
    if applies_to not in (None, "all"):
        r.error(f"{path}.applies_to", "the price criterion applies to all")


def _rubric(r: Reader, value: Any, path: str) -> list[str]:
    """A criterion's rubric: six strings, one for each score 0 to 5 (none when refused)."""
    if value is None:
        return []
    lines = r.array(value, path)
    rubric = [line for line in lines if isinstance(line, str) and len(line) <= MAX_TEXT]
    if len(rubric) != len(lines) or (lines and len(lines) != 6):
        r.error(path, "must list six strings, for scores 0 to 5")
        return []
    return rubric


def _criterion(
    r: Reader, data: dict, path: str, *, key: str | None, kind: str | None, applies_to: str | None, rubric: list[str]
) -> CriterionData:
    return CriterionData(
        key=key or "",
        kind=kind or "",
        text=r.text(data, "text", path) or "",
        category=r.text(data, "category", path, max_length=100) or "",
        weight=r.number(data, "weight", path) or Decimal(0),
        applies_to=applies_to or "all",
        rubric=rubric,
    )


def _requirements(r: Reader, value: Any) -> list[dict[str, str]]:
    result = []
    seen: set[str] = set()
    for i, item in enumerate(r.array(value, "requirements")):
        p = f"requirements[{i}]"
        data = r.obj(item, p, {"key", "text"})
        if data is None:
            continue
        key = r.slug(data.get("key"), f"{p}.key")
        if key is not None:
            if key in seen:
                r.error(f"{p}.key", f"duplicate key {key!r}")
            seen.add(key)
        result.append({"key": key or "", "text": r.text(data, "text", p, max_length=300) or ""})
    return result


_username = UnicodeUsernameValidator()


def _evaluators(r: Reader, value: Any) -> list[dict[str, str]]:
    if value is MISSING:
        r.error("evaluators", "required")
        return []
    result = []
    seen: set[str] = set()
    for i, item in enumerate(r.array(value, "evaluators")):
        p = f"evaluators[{i}]"
        data = r.obj(item, p, {"username", "name", "email"})
        if data is None:
            # Kept in place (already an error), so evaluators[i] still names the i-th entry.
            result.append({"username": "", "name": "", "email": ""})
            continue
        username = r.text(data, "username", p)
        if username is not None:
            try:
                _username(username)
                if len(username) > 150:
                    raise ValidationError("too long")
            except ValidationError:
                r.error(f"{p}.username", "letters, digits and @ . + - _ only, at most 150")
                username = None
        if username is not None:
            if username in seen:
                r.error(f"{p}.username", f"duplicate evaluator {username!r}")
            seen.add(username)
        email = r.text(data, "email", p, required=False, nullable=True, max_length=254) or ""
        if email:
            try:
                validate_email(email)
            except ValidationError:
                r.error(f"{p}.email", "must be an email address")
        name = r.text(data, "name", p, required=False, nullable=True, max_length=300) or ""
        result.append({"username": username or "", "name": name, "email": email})
    return result


def _scores(
    r: Reader, value: Any, evaluators: list[dict], bids: list[BidData], criteria: list[CriterionData]
) -> list[dict[str, Any]]:
    usernames = {e["username"] for e in evaluators}
    bids_by_vendor: dict[str, BidData] = {}
    for bid in bids:
        bids_by_vendor.setdefault(vendor_key(bid.vendor), bid)
    criteria_by_key = {c.key: c for c in criteria}
    seen: set[tuple[str, str, str]] = set()
    result = []
    for i, item in enumerate(r.array(value, "scores")):
        p = f"scores[{i}]"
        data = r.obj(item, p, {"evaluator", "vendor", "criterion", "score", "note"})
        if data is None:
            continue
        evaluator = data.get("evaluator")
        _check_score_evaluator(r, p, evaluator, usernames)
        bid = _score_bid(r, p, data.get("vendor"), bids_by_vendor)
        key = data.get("criterion")
        criterion = _score_criterion(r, p, key, criteria_by_key, bid)
        score = r.integer(data, "score", p, minimum=0, maximum=5)
        note = r.text(data, "note", p, required=False, nullable=True) or ""
        if bid is not None and criterion is not None and isinstance(evaluator, str):
            _check_second_score(r, p, seen, evaluator, bid, key)
        result.append(
            {
                "evaluator": evaluator,
                "vendor": bid.vendor if bid else "",
                "criterion": key,
                "score": score,
                "note": note,
            }
        )
    return result


def _check_score_evaluator(r: Reader, path: str, evaluator: Any, usernames: set[str]) -> None:
    if not isinstance(evaluator, str) or evaluator not in usernames:
        r.error(f"{path}.evaluator", "required" if evaluator is None else f"unknown evaluator {evaluator!r}")


def _score_bid(r: Reader, path: str, vendor: Any, bids_by_vendor: dict[str, BidData]) -> BidData | None:
    """The bid a score is for, by its vendor; reported when there is none."""
    bid = bids_by_vendor.get(vendor_key(vendor)) if isinstance(vendor, str) else None
    if bid is None:
        r.error(f"{path}.vendor", "required" if vendor is None else f"no bid from {vendor!r}")
    return bid


def _score_criterion(
    r: Reader, path: str, key: Any, criteria_by_key: dict[str, CriterionData], bid: BidData | None
) -> CriterionData | None:
    """The criterion a score is on; reported when unknown, computed, or not for the bid's model."""
    criterion = criteria_by_key.get(key) if isinstance(key, str) else None
    if criterion is None:
        r.error(f"{path}.criterion", "required" if key is None else f"unknown criterion {key!r}")
    elif criterion.kind != "question":
        r.error(f"{path}.criterion", f"{key!r} is computed, not scored")
    elif bid is not None and criterion.applies_to not in ("all", bid.model):
        r.error(f"{path}.criterion", f"{key!r} does not apply to {bid.model} bids")
    return criterion


def _check_second_score(
    r: Reader, path: str, seen: set[tuple[str, str, str]], evaluator: str, bid: BidData, key: str
) -> None:
    triple = (evaluator, bid.vendor.casefold(), key)
    if triple in seen:
        r.error(path, f"a second score by {evaluator!r} for {bid.vendor!r} on {key!r}")
    seen.add(triple)


def _submitted(r: Reader, value: Any, evaluators: list[dict]) -> list[str]:
    usernames = {e["username"] for e in evaluators}
    result = []
    for i, username in enumerate(r.array(value, "submitted")):
        if not isinstance(username, str) or username not in usernames:
            r.error(f"submitted[{i}]", f"unknown evaluator {username!r}")
        elif username not in result:
            result.append(username)
    return result


def _conflicts(r: Reader, value: Any, evaluators: list[dict], bids: list[BidData]) -> list[dict[str, str]]:
    usernames = {e["username"] for e in evaluators}
    vendors = {vendor_key(b.vendor): b.vendor for b in bids}
    result = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(r.array(value, "conflicts")):
        p = f"conflicts[{i}]"
        data = r.obj(item, p, {"evaluator", "vendor", "note"})
        if data is None:
            continue
        if not isinstance(data.get("evaluator"), str) or data.get("evaluator") not in usernames:
            r.error(f"{p}.evaluator", "unknown evaluator")
        vendor = data.get("vendor")
        if not isinstance(vendor, str) or vendor_key(vendor) not in vendors:
            r.error(f"{p}.vendor", "no bid from this vendor")
            continue
        note = r.text(data, "note", p, required=False, nullable=True) or ""
        pair = (str(data.get("evaluator")), vendor_key(vendor))
        if pair in seen:
            r.error(p, f"a second conflict of {pair[0]!r} with {vendor!r}")
        seen.add(pair)
        result.append({"evaluator": data.get("evaluator"), "vendor": vendors[vendor_key(vendor)], "note": note})
    return result


def _check_conflicted_scores(r: Reader, scores: list[dict[str, Any]], conflicts: list[dict[str, str]]) -> None:
    conflicted = {(c["evaluator"], vendor_key(c["vendor"])) for c in conflicts if isinstance(c["evaluator"], str)}
    for i, score in enumerate(scores):
        if not isinstance(score["evaluator"], str):
            continue  # already reported
        if (score["evaluator"], vendor_key(str(score["vendor"]))) in conflicted:
            r.error(f"scores[{i}]", f"{score['evaluator']} declared a conflict with {score['vendor']}")


def _award(
    r: Reader, value: Any, evaluation: dict[str, Any], bids: list[BidData], requirement_keys: set[str]
) -> dict[str, str | None] | None:
    """The award an archive states (an app extension): only at ``awarded``, naming an eligible bid."""
    from scoring.ranking import Bid, is_eligible, red_flags

    if value is MISSING:
        return None
    status = evaluation.get("status")
    if status != "awarded":
        r.error("award", f"only a package at evaluation.status awarded states an award; this one is at {status}")
        return None
    data = r.obj(value, "award", {"winner", "rationale"})
    if data is None:
        return None
    rationale = r.text(data, "rationale", "award", required=False, nullable=True) or ""
    winner = r.text(data, "winner", "award", required=False, nullable=True, max_length=200)
    if winner is None:
        return {"winner": None, "rationale": rationale}
    bid = next((b for b in bids if b.vendor and vendor_key(b.vendor) == vendor_key(winner)), None)
    if bid is None:
        r.error("award.winner", f"no bid from {winner!r}")
        return None
    if bid.model and bid.pricing_model:
        # Eligible on the package's own terms; evidence expiring since is a date, and dates never refuse.
        codes = {flag["code"] for flag in bid.manual_red_flags}
        terms = Bid.from_terms(
            bid,
            vendor=bid.vendor,
            requirements_met=frozenset(bid.requirements_met),
            manual_flags=tuple(codes),
            waived_flags=tuple(w["code"] for w in bid.waived_red_flags),
        )
        flags, _ = red_flags(terms, tuple(sorted(requirement_keys)))
        if not is_eligible(flags, evaluation.get("red_flag_policy") or "disqualify"):
            r.error("award.winner", f"{bid.vendor} is disqualified ({', '.join(flags)}): only a ranked bid can win")
    return {"winner": bid.vendor, "rationale": rationale}


def _candidates(r: Reader, value: Any) -> list[dict[str, str]]:
    """The MSPs invited to bid, bidders or not (an app extension).

    A bidder needs no entry (every bidder is a candidate); an entry for one sets its status and note.
    """
    result = []
    seen: set[str] = set()
    for i, item in enumerate(r.array(value, "candidates")):
        p = f"candidates[{i}]"
        data = r.obj(item, p, {"vendor", "status", "note"})
        if data is None:
            continue
        vendor = r.text(data, "vendor", p, max_length=200)
        if vendor is not None:
            if vendor_key(vendor) in seen:
                r.error(f"{p}.vendor", f"a second entry for {vendor!r}")
            seen.add(vendor_key(vendor))
        result.append(
            {
                "vendor": vendor or "",
                "status": r.choice(data, "status", p, CANDIDATE_STATUSES, default="invited") or "invited",
                "note": r.text(data, "note", p, required=False, nullable=True) or "",
            }
        )
    return result
