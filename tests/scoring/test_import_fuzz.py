"""The package importer against random and mutated JSON.

Whatever arrives at ``/evaluations/import/``, the answer is never a server
error, and either one new evaluation holds everything the package says, or
nothing at all was written (no row, no history row, no user, no MSP). The
parser on its own is driven harder: it returns a package or raises
``PackageError`` (``ValueError`` for text that is not JSON), nothing else.

Each HTTP example runs in a savepoint that is rolled back, so every example
starts from the same database.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scoring.models import Evaluation
from scoring.package import BidData, Package, PackageError, export, loads, parse_package, vendor_key
from tests.conftest import client_for
from tests.hypothesis_profiles import examples

from .factories import contract_example, scored_package

HTTP_SETTINGS = settings(
    max_examples=examples(250),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PARSER_SETTINGS = settings(max_examples=examples(2500), deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- Valid packages to start from --------------------------------------------------------------


def rich_package() -> dict[str, Any]:
    """The contract example with every app extension in use, so mutations reach each of them."""
    data = contract_example()
    data["evaluation"].update({"sealed_prices": False, "monthly_budget": 25000.5, "status": "scoring"})
    data["criteria"].insert(
        1,
        {
            "key": "support",
            "kind": "question",
            "text": "Helpdesk quality?",
            "category": "Service",
            "weight": 12.5,
            "rubric": ["None", "Poor", "Fair", "Good", "Very good", "Excellent"],
        },
    )
    data["evaluators"].append({"username": "bob", "name": "Bob Stone", "email": "bob@example.com"})
    acme = data["bids"][0]
    acme.update(
        {
            "scope_included": ["help-desk", "monitoring"],
            "scope_excluded": ["cabling"],
            "documents": [
                {
                    "kind": "evidence",
                    "name": "baa.pdf",
                    "size": 1234,
                    "sha256": "a" * 64,
                    "requirement": "hipaa-baa",
                    "expires_on": "2030-01-01",
                    "withdrawn": False,
                },
                {"kind": "proposal", "name": "proposal.pdf", "size": 99, "sha256": "b" * 64},
            ],
            "reference_checks": [
                {
                    "client": "Bayside Clinic",
                    "checked_on": "2027-01-20",
                    "checked_by": "alice",
                    "outcome": "positive",
                    "notes": "Happy for 4 years",
                }
            ],
        }
    )
    data["bids"].append(
        {
            "vendor": "Beta Co-Managed",
            "model": "co_managed",
            "pricing_model": "hourly",
            "rate": 95.25,
            "est_hours_per_month": 40,
            "contract_term_months": 12,
            "critical_response_minutes": 60,
            "sla_best_effort": False,
            "references_offered": 0,
            "environment_assessed": True,
            "documented_escalation": True,
            "documented_onboarding": True,
            "performance_exit_clause": False,
            "requirements_met": ["hipaa-baa"],
            "waived_red_flags": [{"code": "no-references", "reason": "New firm; clients called by phone"}],
            "manual_red_flags": [{"code": "slow-answers", "note": "Took weeks to reply"}],
            "arrangement": "tier-3-escalation",
            "responsibilities": {"help-desk": "internal", "patching": "msp", "backup-dr": "shared"},
        }
    )
    data["scores"] += [
        {"evaluator": "alice", "vendor": "Acme Managed IT", "criterion": "support", "score": 5},
        {"evaluator": "alice", "vendor": "beta co-managed", "criterion": "support", "score": 3},
        {"evaluator": "bob", "vendor": "Acme Managed IT", "criterion": "support", "score": 0, "note": "draft"},
    ]
    data["conflicts"] = [{"evaluator": "bob", "vendor": "Beta Co-Managed", "note": "Former employer"}]
    data["candidates"] = [
        {"vendor": "Gamma Networks", "status": "declined", "note": "Too small for us"},
        {"vendor": "Beta Co-Managed", "status": "invited"},
    ]
    return data


BASES = {"contract example": contract_example, "rich": rich_package, "scored": lambda: scored_package(3)}


def test_every_starting_package_is_valid():
    for make in BASES.values():
        parse_package(loads(json.dumps(make())))


# --- Writing JSON, including what json.dumps refuses to write ----------------------------------


class Raw:
    """JSON text written as is: NaN, 1e999999, nesting too deep to build as Python objects."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Raw({self.text[:40]!r})"


def dump(value: Any, ascii_only: bool) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k), ensure_ascii=ascii_only)}: {dump(v, ascii_only)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dump(v, ascii_only) for v in value) + "]"
    return json.dumps(value, ensure_ascii=ascii_only)


# --- Strategies --------------------------------------------------------------------------------

WRONG_ENUMS = [
    "",
    " ",
    "Fully_Managed",
    "fully managed",
    "fully-managed",
    "co-managed",
    "both ",
    "BOTH",
    "awarded\u200b",
    "PRICE",
    "per-user",
    "disqualify\x00",
    "invited ",
    "evidence\n",
]
ODD_TEXT = [
    "\ud800",  # a lone surrogate: valid JSON escape, not storable
    "a\udfffb",
    "\x00",
    "nul\x00inside",
    "\u202eevil",
    "🙂" * 60,
    "x" * 6000,
    "é" * 201,
    '=HYPERLINK("http://x")',
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "Robert'); DROP TABLE scoring_bid;--",
    "   ",
]
HUGE_NUMBERS = [
    -1,
    0,
    2**31,
    2**63,
    -(2**63) - 1,
    10**9,
    10**12,
    10**30,
    10**100,
    1e308,
    -1e308,
    1e-7,
    123.1234567,
    0.1,
]
RAW_LITERALS = [
    "NaN",
    "-NaN",
    "Infinity",
    "-Infinity",
    "1e999999",
    "-1e999999",
    "1E400",
    "1e-999999",
    "-0",
    "36.0",
    "1e2",
    "9" * 5000,  # past Python's limit on digits for an int
    "0." + "1" * 400,
]


def deep(depth: int, kind: str) -> Raw:
    if kind == "list":
        return Raw("[" * depth + "]" * depth)
    return Raw('{"a": ' * depth + "1" + "}" * depth)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(WRONG_ENUMS),
    st.sampled_from(ODD_TEXT),
    st.sampled_from(HUGE_NUMBERS),
    st.sampled_from(RAW_LITERALS).map(Raw),
)
junk = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
)
replacements = st.one_of(
    junk,
    st.builds(deep, st.integers(min_value=50, max_value=5000), st.sampled_from(["list", "object"])),
)
random_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)

OPERATIONS = ["drop", "replace", "replace", "duplicate", "retype", "recase"]


def locations(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += locations(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += locations(child, (*path, index))
    return found


def mutate(doc: Any, path: tuple, operation: str, replacement: Any) -> Any:
    """``doc`` with one change at ``path``: a key dropped, a value replaced, duplicated, retyped or recased."""
    if not path:
        return replacement if operation == "replace" else doc
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    key = path[-1]
    current = parent[key]
    if operation == "drop":
        del parent[key]
    elif operation == "replace":
        parent[key] = replacement
    elif operation == "duplicate":
        if isinstance(parent, list):
            twin = copy.deepcopy(current)
            if isinstance(twin, dict) and isinstance(twin.get("vendor"), str):
                twin["vendor"] = twin["vendor"].upper()  # the same vendor in another case
            parent.append(twin)
        else:
            parent[key] = [current, copy.deepcopy(current)]
    elif operation == "retype":
        if isinstance(current, str):
            parent[key] = [current]
        elif isinstance(current, (dict, list)):
            parent[key] = dump(current, ascii_only=True)  # the object as a string
        else:
            parent[key] = str(current).lower()  # 36 → "36", true → "true", null → "none"
    elif operation == "recase" and isinstance(current, str):
        parent[key] = current.swapcase() if current.swapcase() != current else f" {current} "
    return doc


@st.composite
def mutated_packages(draw: st.DrawFn) -> bytes:
    doc = BASES[draw(st.sampled_from(sorted(BASES)))]()
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(locations(doc)))
        doc = mutate(doc, path, draw(st.sampled_from(OPERATIONS)), draw(replacements))
    text = dump(doc, ascii_only=draw(st.booleans()))
    content = text.encode("utf-8", "surrogatepass")  # a lone surrogate becomes bytes UTF-8 forbids
    return draw(damaged(content))


storable_text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1, max_size=60)
plausible_numbers = st.one_of(
    st.integers(min_value=0, max_value=5000),
    st.decimals(min_value=0, max_value=10**6, places=2).map(lambda d: Raw(str(d))),
)


@st.composite
def plausible_packages(draw: st.DrawFn) -> bytes:
    """Valid packages changed where a change may well stay valid: new text, new numbers, an optional key gone."""
    doc = BASES[draw(st.sampled_from(sorted(BASES)))]()
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        leaves = [path for path in locations(doc) if path and not isinstance(get(doc, path), (dict, list))]
        path = draw(st.sampled_from(leaves))
        value = get(doc, path)
        if isinstance(value, str):
            doc = mutate(doc, path, "replace", draw(storable_text))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            doc = mutate(doc, path, "replace", draw(plausible_numbers))
        else:
            doc = mutate(doc, path, "drop", None)
    return dump(doc, ascii_only=draw(st.booleans())).encode()


def get(doc: Any, path: tuple) -> Any:
    for step in path:
        doc = doc[step]
    return doc


@st.composite
def damaged(draw: st.DrawFn, content: bytes) -> bytes:
    """Sometimes the text itself is damaged: truncated, bytes that are not UTF-8, another encoding."""
    how = draw(st.sampled_from(["intact", "intact", "intact", "truncate", "bytes", "bom", "latin-1", "utf-16"]))
    if how == "truncate":
        return content[: draw(st.integers(min_value=0, max_value=max(len(content) - 1, 0)))]
    if how == "bytes":
        at = draw(st.integers(min_value=0, max_value=len(content)))
        junk_bytes = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xc0\xaf", b"\x00", b"\xfe\xff"]))
        return content[:at] + junk_bytes + content[at:]
    if how == "bom":
        return b"\xef\xbb\xbf" + content
    text = content.decode("utf-8", "surrogatepass")
    if how == "latin-1":
        return text.encode("latin-1", "replace")
    if how == "utf-16":
        return text.encode("utf-16", "surrogatepass")
    return content


random_documents = st.one_of(
    random_json.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
)
uploads = st.one_of(
    plausible_packages(), plausible_packages(), mutated_packages(), mutated_packages(), random_documents
)


# --- What was written --------------------------------------------------------------------------


def counted_models() -> list[Any]:
    models = [User, User.groups.through]
    for label in ("scoring", "vendors", "notifications", "accounts"):
        models += list(apps.get_app_config(label).get_models())
    return models


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in counted_models()}


def parsed(content: bytes) -> Package | None:
    try:
        return parse_package(loads(content))
    except (ValueError, PackageError):
        return None


def stored_package(evaluation: Evaluation) -> Package:
    """The evaluation as the app exports it, read back through the parser."""
    return parse_package(loads(json.dumps(export.evaluation_export(evaluation))))


def as_loaded(bid: BidData, owner: User) -> BidData:
    """The bid as the loader keeps it: a reference check by someone the app doesn't know is the owner's."""
    known = set(
        User.objects.filter(username__in=[c["checked_by"] for c in bid.reference_checks]).values_list(
            "username", flat=True
        )
    )
    checks = [
        {**c, "checked_by": c["checked_by"] if c["checked_by"] in known else owner.username}
        for c in bid.reference_checks
    ]
    return dataclasses.replace(bid, reference_checks=checks)


def score_rows(scores: list[dict[str, Any]]) -> list[tuple]:
    return sorted(
        (s["evaluator"], vendor_key(s["vendor"]), s["criterion"], s["score"], s.get("note", "")) for s in scores
    )


def assert_holds_everything(evaluation: Evaluation, expected: Package) -> None:
    stored = stored_package(evaluation)
    assert stored.evaluation == expected.evaluation
    assert stored.organization == expected.organization
    assert stored.criteria == expected.criteria
    assert stored.requirements == expected.requirements
    assert [e["username"] for e in stored.evaluators] == [e["username"] for e in expected.evaluators]
    assert stored.bids == [as_loaded(bid, evaluation.owner) for bid in expected.bids]
    assert score_rows(stored.scores) == score_rows(expected.scores)
    assert set(stored.submitted) == set(expected.submitted)
    assert sorted((c["evaluator"], vendor_key(c["vendor"])) for c in stored.conflicts) == sorted(
        (c["evaluator"], vendor_key(c["vendor"])) for c in expected.conflicts
    )
    # Every bidder is a candidate; the package's own entries keep their status.
    candidates = {vendor_key(c["vendor"]): c["status"] for c in stored.candidates}
    for entry in expected.candidates:
        assert candidates[vendor_key(entry["vendor"])] == entry["status"]
    assert {vendor_key(b.vendor) for b in expected.bids} <= set(candidates)


def import_and_check(client: Any, content: bytes) -> int:
    """Upload ``content`` in a savepoint rolled back afterwards; check what it wrote. Returns the status."""
    expected = parsed(content)
    with transaction.atomic():
        before = row_counts()
        newest = Evaluation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.post("/evaluations/import/", {"package": SimpleUploadedFile("package.json", content)})
        assert response.status_code < 500
        if response.status_code == 302:
            evaluation = Evaluation.objects.get(pk__gt=newest)
            assert response["Location"] == evaluation.get_absolute_url()
            assert expected is not None, "the page loaded a package the parser refuses"
            assert_holds_everything(evaluation, expected)
        else:
            assert response.status_code in (200, 400)
            assert row_counts() == before, "a refused package left rows behind"
            assert expected is None, "the page refused a package the parser accepts"
        transaction.set_rollback(True)
    return response.status_code


# --- Two crashes this test found, now fixed ----------------------------------------------------


def test_a_list_as_the_owner_of_a_function_is_a_problem_not_a_crash(uploader):
    data = rich_package()
    data["bids"][1]["responsibilities"]["help-desk"] = []

    response = uploader.post(
        "/evaluations/import/", {"package": SimpleUploadedFile("p.json", json.dumps(data).encode())}
    )

    assert response.status_code == 400
    assert [p for p in response.context["problems"] if p.startswith("bids[1].responsibilities.help-desk: ")]


def test_an_unknown_key_with_a_lone_surrogate_is_a_problem_not_a_crash(uploader):
    content = b'{"format": "msp-eval/1", "\\ud800": 1}'

    response = uploader.post("/evaluations/import/", {"package": SimpleUploadedFile("p.json", content)})

    assert response.status_code == 400


# --- The properties ----------------------------------------------------------------------------


@pytest.fixture
def uploader(procurement):
    return client_for(procurement)


@pytest.mark.parametrize("base", sorted(BASES))
def test_each_starting_package_loads_whole(uploader, base):
    assert import_and_check(uploader, json.dumps(BASES[base]()).encode()) == 302


@HTTP_SETTINGS
@given(content=uploads)
def test_an_upload_never_fails_and_never_writes_half(uploader, content):
    event(f"answered {import_and_check(uploader, content)}")


@PARSER_SETTINGS
@given(content=st.one_of(mutated_packages(), random_documents))
def test_the_parser_returns_a_package_or_lists_problems(content):
    try:
        data = loads(content)
    except ValueError:
        return  # not JSON: the page says so
    try:
        package = parse_package(data)
    except PackageError as exc:
        assert exc.errors
        for error in exc.errors:
            assert ": " in error, error  # PATH: message
        return
    assert isinstance(package, Package)
    assert all(isinstance(b.monthly_fee, (Decimal, type(None))) for b in package.bids)
