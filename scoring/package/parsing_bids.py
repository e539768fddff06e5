"""Parsing a package's bids: terms, scope, documents, reference checks and red flags, each checked."""

from __future__ import annotations

import re
from typing import Any

from scoring import terms
from scoring.guide import (
    CO_MANAGED_ARRANGEMENTS,
    FULLY_MANAGED_INCLUSIONS,
    OWNERS,
    RESPONSIBILITY_FUNCTIONS,
    USUAL_EXCLUSIONS,
)
from scoring.package.schema import (
    BID_KEYS,
    BID_MODELS,
    DOCUMENT_KINDS,
    ENVELOPES,
    MISSING,
    OUTCOMES,
    BidData,
    Reader,
    vendor_key,
)
from scoring.ranking import AUTOMATIC_RULES, PRICING_REQUIREMENTS


def parse_bids(
    r: Reader,
    value: Any,
    evaluation_model: str | None,
    requirement_keys: set[str],
    questions: dict[str, str] | None = None,
) -> list[BidData]:
    """The bids; ``questions`` (question criterion keys and whom they apply to) check the written answers."""
    if value is MISSING:
        r.error("bids", "required")
        return []
    result = []
    seen: set[str] = set()
    for i, item in enumerate(r.array(value, "bids")):
        p = f"bids[{i}]"
        data = r.obj(item, p, BID_KEYS)
        if data is None:
            continue
        vendor = r.text(data, "vendor", p, max_length=200)
        if vendor is not None:
            if vendor_key(vendor) in seen:
                r.error(f"{p}.vendor", f"a second bid from {vendor!r}")
            seen.add(vendor_key(vendor))
        model = r.choice(data, "model", p, BID_MODELS)
        if model and evaluation_model in BID_MODELS and model != evaluation_model:
            r.error(f"{p}.model", f"the evaluation compares {evaluation_model} bids only")
        pricing_model = r.choice(data, "pricing_model", p, tuple(PRICING_REQUIREMENTS))
        requirements_met = []
        for j, key in enumerate(r.array(data.get("requirements_met", []), f"{p}.requirements_met")):
            if not isinstance(key, str) or key not in requirement_keys:
                r.error(f"{p}.requirements_met[{j}]", f"unknown requirement {key!r}")
            elif key not in requirements_met:
                requirements_met.append(key)
        manual = _flags(r, data.get("manual_red_flags", []), f"{p}.manual_red_flags", "note", required=False)
        waived = _flags(r, data.get("waived_red_flags", []), f"{p}.waived_red_flags", "reason", required=True)
        bid = BidData(
            vendor=vendor or "",
            model=model or "",
            pricing_model=pricing_model or "",
            requirements_met=requirements_met,
            manual_red_flags=manual,
            waived_red_flags=waived,
            scope_included=_keys(r, data.get("scope_included"), f"{p}.scope_included", FULLY_MANAGED_INCLUSIONS),
            scope_excluded=_keys(r, data.get("scope_excluded"), f"{p}.scope_excluded", USUAL_EXCLUSIONS),
            arrangement=(
                r.choice(data, "arrangement", p, tuple(CO_MANAGED_ARRANGEMENTS), default="")
                if data.get("arrangement") is not None
                else ""
            ),
            responsibilities=_responsibilities(r, data.get("responsibilities"), f"{p}.responsibilities"),
            documents=_documents(r, data.get("documents"), f"{p}.documents", requirement_keys),
            reference_checks=_reference_checks(r, data.get("reference_checks"), f"{p}.reference_checks"),
            answers=_answers(r, data.get("answers"), f"{p}.answers", questions or {}, model),
            **_terms(r, data, p, pricing_model or ""),
        )
        _check_waivers(r, bid, p, data.get("waived_red_flags", []))
        result.append(bid)
    return result


def _terms(r: Reader, data: dict, path: str, pricing_model: str) -> dict[str, Any]:
    """A bid's terms (``scoring.terms``): the contract's by name, the app's own under ``extensions``."""
    values = {term.name: _term(r, data, path, term, pricing_model) for term in terms.TERMS}
    extensions = {name: values.pop(name) for name in terms.EXTENSION_NAMES}
    return {**values, "extensions": extensions}


def _term(r: Reader, data: dict, path: str, term: terms.Term, pricing_model: str) -> Any:
    if term.is_amount:
        # Only the bid's pricing model's amounts count; the others are left out of the bid.
        if pricing_model not in term.pricing_models:
            return None
        return r.number(data, term.name, path, required_because=f" for pricing_model {pricing_model}")
    default = MISSING if term.package_default is terms.REQUIRED else term.package_default
    if term.is_decimal:
        value = r.number(data, term.name, path, default=default)
    elif term.kind == terms.COUNT:
        value = r.integer(
            data, term.name, path, minimum=term.minimum, maximum=term.maximum, default=default, nullable=term.nullable
        )
    else:
        value = r.boolean(data, term.name, path, default=default)
    # A placeholder where the value was refused: the problem is listed, and the package is not loaded.
    return value if value is not None or term.nullable else _placeholder(term)


def _placeholder(term: terms.Term) -> Any:
    if term.kind == terms.FLAG:
        return False
    return term.default if term.default is not None else term.minimum


def _keys(r: Reader, value: Any, path: str, known: dict[str, str]) -> list[str]:
    """A list of known keys (an app extension: scope checklists), each once."""
    result: list[str] = []
    if value is None:
        return result
    for i, key in enumerate(r.array(value, path)):
        if not isinstance(key, str) or key not in known:
            r.error(f"{path}[{i}]", f"must be one of {', '.join(known)}")
        elif key not in result:
            result.append(key)
    return result


def _documents(r: Reader, value: Any, path: str, requirement_keys: set[str]) -> list[dict[str, Any]]:
    """Bid documents as metadata (an app extension): the bytes don't travel in the package."""
    result = []
    for i, item in enumerate(r.array(value, path) if value is not None else []):
        p = f"{path}[{i}]"
        data = r.obj(item, p, {"kind", "envelope", "name", "size", "sha256", "requirement", "expires_on", "withdrawn"})
        if data is None:
            continue
        kind = r.choice(data, "kind", p, DOCUMENT_KINDS)
        requirement = data.get("requirement")
        if kind == "evidence" and (not isinstance(requirement, str) or requirement not in requirement_keys):
            r.error(f"{p}.requirement", "evidence names one of the package's requirements")
        digest = r.text(data, "sha256", p, max_length=64) or ""
        if digest and not re.fullmatch(r"[0-9a-f]{64}", digest):
            r.error(f"{p}.sha256", "must be 64 lowercase hex digits")
        result.append(
            {
                "kind": kind,
                "envelope": r.choice(data, "envelope", p, ENVELOPES, default="commercial")
                if data.get("envelope") is not None
                else "commercial",
                "name": r.text(data, "name", p, max_length=200) or "",
                "size": r.integer(data, "size", p, minimum=0, maximum=10**12) or 0,
                "sha256": digest,
                "requirement": requirement if kind == "evidence" else None,
                "expires_on": r.date(data, "expires_on", p) if kind == "evidence" else None,
                "withdrawn": bool(r.boolean(data, "withdrawn", p, default=False)),
            }
        )
    return result


def _reference_checks(r: Reader, value: Any, path: str) -> list[dict[str, Any]]:
    """Calls to the MSP's client references for this bid (an app extension)."""
    result = []
    for i, item in enumerate(r.array(value, path) if value is not None else []):
        p = f"{path}[{i}]"
        data = r.obj(item, p, {"client", "checked_on", "checked_by", "outcome", "notes"})
        if data is None:
            continue
        checked_on = r.date(data, "checked_on", p)
        if checked_on is None and "checked_on" not in data:
            r.error(f"{p}.checked_on", "required")
        result.append(
            {
                "client": r.text(data, "client", p, max_length=200) or "",
                "checked_on": checked_on,
                "checked_by": r.text(data, "checked_by", p, required=False, nullable=True, max_length=150) or "",
                "outcome": r.choice(data, "outcome", p, OUTCOMES),
                "notes": r.text(data, "notes", p, required=False, nullable=True) or "",
            }
        )
    return result


def _answers(r: Reader, value: Any, path: str, questions: dict[str, str], model: str | None) -> dict[str, str]:
    """The MSP's written answers by question key, each up to ``terms.MAX_ANSWER`` characters (an app extension):
    only to questions the package has that apply to the bid's model."""
    if value is None:
        return {}
    data = r.obj(value, path, set(questions))
    if data is None:
        return {}
    result = {}
    for key in data:
        if key not in questions:
            continue  # reported as an unknown key
        if model and questions[key] not in ("all", model):
            r.error(f"{path}.{key}", f"the question does not apply to {model} bids")
            continue
        text = r.text(data, key, path, required=False, nullable=True, max_length=terms.MAX_ANSWER)
        if text:
            result[key] = text
    return result


def _responsibilities(r: Reader, value: Any, path: str) -> dict[str, str]:
    """Who owns each co-managed function: internal, msp or shared (an app extension)."""
    if value is None:
        return {}
    data = r.obj(value, path, set(RESPONSIBILITY_FUNCTIONS))
    if data is None:
        return {}
    result = {}
    for function, owner in data.items():
        if function not in RESPONSIBILITY_FUNCTIONS:
            continue  # reported as an unknown key
        if not isinstance(owner, str) or owner not in OWNERS:
            r.error(f"{path}.{function}", f"must be one of {', '.join(OWNERS)}")
        else:
            result[function] = owner
    return result


def _flags(r: Reader, value: Any, path: str, text_key: str, *, required: bool) -> list[dict[str, str]]:
    result = []
    for i, item in enumerate(r.array(value, path)):
        p = f"{path}[{i}]"
        data = r.obj(item, p, {"code", text_key})
        if data is None:
            continue
        code = r.slug(data.get("code"), f"{p}.code")
        text = r.text(data, text_key, p, required=required, nullable=not required)
        result.append({"code": code or "", text_key: text or ""})
    return result


def _check_waivers(r: Reader, bid: BidData, path: str, raw: Any) -> None:
    from scoring.ranking import Bid, automatic_flags

    if not bid.waived_red_flags:
        return
    holding = automatic_flags(Bid.from_terms(bid, vendor=bid.vendor))
    manual_codes = {flag["code"] for flag in bid.manual_red_flags}
    for i, waiver in enumerate(bid.waived_red_flags):
        code = waiver["code"]
        where = f"{path}.waived_red_flags[{i}].code"
        if not code:
            continue
        if code in manual_codes:
            r.error(where, f"{code!r} is a manual flag; withdraw it instead of waiving it")
        elif code not in AUTOMATIC_RULES:
            r.error(where, f"{code!r} is not an automatic red flag")
        elif code not in holding:
            r.error(where, f"{code!r} does not hold for this bid")
