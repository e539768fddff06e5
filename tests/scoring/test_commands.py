"""The three commands of the contract: load_evaluation, export_evaluation and rank."""

from __future__ import annotations

import copy
import io
import json
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.roles import EVALUATOR, PROCUREMENT
from scoring import ranking, selectors, services
from scoring.models import (
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
from scoring.package import loads
from vendors import services as vendor_services
from vendors.models import MSP

EXAMPLE = json.loads((Path(__file__).parent / "packages" / "contract_example.json").read_text())

# The contract's ranking of its own example:
# M = 150 × 120 = 18,000; TCO = 18,000 × 36 + 5,000 = 653,000; sla 4 / 5 × 100 = 80; price 100;
# total = (20 × 80 + 30 × 100) / 50 = 92.
EXAMPLE_RANKING = {
    "format": "msp-eval-ranking/1",
    "evaluation": "Managed IT services 2027",
    "model": "both",
    "term_months": 36,
    "red_flag_policy": "disqualify",
    "ranking": [
        {
            "rank": 1,
            "vendor": "Acme Managed IT",
            "model": "fully_managed",
            "status": "ranked",
            "complete": True,
            "total": 92.0,
            "monthly_cost": 18000.0,
            "tco": 653000.0,
            "red_flags": [],
            "criteria": {"sla-guarantee": 80.0, "price": 100.0},
        }
    ],
}


def example() -> dict:
    return copy.deepcopy(EXAMPLE)


@pytest.fixture
def admin(db) -> User:
    """The first superuser. No password: hashing one costs half a second, and no test logs in."""
    return User.objects.create_superuser("ada", "ada@example.com", None)


@pytest.fixture
def owner(db) -> User:
    """A Procurement user, without a password for the same reason."""
    user = User.objects.create_user("priya", "priya@example.com", None)
    user.groups.add(Group.objects.get(name=PROCUREMENT))
    return user


def rich_package() -> dict:
    """The contract example plus a co-managed bid, a disqualified bid, a second evaluator's drafts,
    a waiver, a manual flag and a conflict of interest.

    H = 36, organization: 120 employees, internal IT staff 180,000/yr.
    Criteria: sla-guarantee (fully_managed, w20), support (all, w10), price (w30).
    - Acme Managed IT: per_user 150 × 120 = 18,000/month; TCO 18,000 × 36 + 5,000 = 653,000.
      alice (submitted): sla 4 → 80, support 5 → 100. bob's 0s are drafts and never count.
    - Beta Co-Managed: co-managed flat 5,000; TCO 5,000 × 36 + 180,000 × 36 / 12 = 180,000 + 540,000 = 720,000.
      no-references holds and is waived. alice: support 3 → 60. bob declared a conflict with Beta.
    - Shady Networks: flat 3,000 → TCO 108,000; manual flag bad-references and unmet:hipaa-baa → disqualified.
    min eligible TCO = 653,000.
    Acme: price 100; total = (20 × 80 + 10 × 100 + 30 × 100) / 60 = 5,600 / 60 = 93.333… → 93.33
    Beta: price 653,000 / 720,000 × 100 = 90.69444… → 90.69;
          total = (10 × 60 + 30 × 90.69444…) / 40 = (600 + 2,720.8333…) / 40 = 83.0208… → 83.02
    """
    data = example()
    data["criteria"].insert(
        1, {"key": "support", "kind": "question", "text": "Helpdesk quality?", "category": "Service", "weight": 10}
    )
    data["evaluators"].append({"username": "bob", "name": "Bob Stone", "email": "bob@example.com"})
    data["bids"] += [
        {
            "vendor": "Beta Co-Managed",
            "model": "co_managed",
            "pricing_model": "flat",
            "monthly_fee": 5000,
            "contract_term_months": 12,
            "critical_response_minutes": 60,
            "sla_best_effort": False,
            "references_offered": 0,
            "environment_assessed": True,
            "documented_escalation": True,
            "documented_onboarding": True,
            "performance_exit_clause": False,
            "requirements_met": ["hipaa-baa"],
            "waived_red_flags": [{"code": "no-references", "reason": "New firm; three clients called by phone"}],
        },
        {
            "vendor": "Shady Networks",
            "model": "fully_managed",
            "pricing_model": "flat",
            "monthly_fee": 3000,
            "contract_term_months": 12,
            "critical_response_minutes": 15,
            "sla_best_effort": False,
            "references_offered": 2,
            "environment_assessed": True,
            "documented_escalation": True,
            "documented_onboarding": True,
            "performance_exit_clause": True,
            "manual_red_flags": [{"code": "bad-references", "note": "Both references were unhappy"}],
        },
    ]
    data["scores"] += [
        {"evaluator": "alice", "vendor": "Acme Managed IT", "criterion": "support", "score": 5},
        {"evaluator": "alice", "vendor": "Beta Co-Managed", "criterion": "support", "score": 3},
        {"evaluator": "bob", "vendor": "Acme Managed IT", "criterion": "sla-guarantee", "score": 0, "note": "draft"},
        {"evaluator": "bob", "vendor": "Acme Managed IT", "criterion": "support", "score": 0},
    ]
    data["conflicts"] = [{"evaluator": "bob", "vendor": "Beta Co-Managed", "note": "Former employer"}]
    return data


RICH_RANKING_ROWS = [
    (
        1,
        "Acme Managed IT",
        "ranked",
        True,
        93.33,
        18000.0,
        653000.0,
        [],
        {"sla-guarantee": 80.0, "support": 100.0, "price": 100.0},
    ),
    (2, "Beta Co-Managed", "ranked", True, 83.02, 5000.0, 720000.0, [], {"support": 60.0, "price": 90.69}),
    (None, "Shady Networks", "disqualified", False, None, 3000.0, 108000.0, ["bad-references", "unmet:hipaa-baa"], {}),
]


def write(tmp_path: Path, data, name: str = "package.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def load(tmp_path: Path, data, *options: str) -> Evaluation:
    out, _ = run("load_evaluation", write(tmp_path, data), *options)
    return Evaluation.objects.get(pk=int(out.strip().splitlines()[-1]))


def rank_json(evaluation_id: int) -> dict:
    out, _ = run("rank", str(evaluation_id), "--format", "json")
    return json.loads(out)


def export(evaluation_id: int) -> str:
    out, _ = run("export_evaluation", str(evaluation_id))
    return out


def counts() -> dict[str, int]:
    models = [
        Evaluation,
        Criterion,
        Requirement,
        Assignment,
        Bid,
        RequirementMet,
        RedFlag,
        Waiver,
        ConflictOfInterest,
        Score,
        StoredRanking,
        User,
        MSP,
    ]
    result = {model.__name__: model.objects.count() for model in models}
    for model in models[:10]:
        result[f"history of {model.__name__}"] = model.history.count()
    result["history of MSP"] = MSP.history.count()
    result["Evaluator members"] = Group.objects.get(name=EVALUATOR).user_set.count()
    return result


# --- load_evaluation -----------------------------------------------------------------------------


def test_load_prints_the_new_id_on_the_last_line(admin, tmp_path):
    out, err = run("load_evaluation", write(tmp_path, example()))
    last = out.strip().splitlines()[-1]
    assert last.isdigit()
    evaluation = Evaluation.objects.get(pk=int(last))
    assert evaluation.title == "Managed IT services 2027"
    assert err == ""


def test_load_creates_the_evaluation_as_the_package_describes(admin, tmp_path):
    evaluation = load(tmp_path, example())
    assert (evaluation.model, evaluation.term_months, evaluation.status, evaluation.red_flag_policy) == (
        "both",
        36,
        "scoring",
        "disqualify",
    )
    assert str(evaluation.bids_due) == "2027-01-15"
    assert (evaluation.organization_name, evaluation.employees, evaluation.devices) == (
        "Example Dental Group",
        120,
        150,
    )
    assert list(evaluation.criteria.values_list("key", flat=True)) == ["sla-guarantee", "price"]
    assert list(evaluation.requirements.values_list("key", flat=True)) == ["hipaa-baa"]
    bid = evaluation.bids.get()
    assert (bid.msp.name, bid.pricing_model, bid.rate, bid.onboarding_fee) == ("Acme Managed IT", "per_user", 150, 5000)
    assert rank_json(evaluation.pk) == EXAMPLE_RANKING


def test_the_default_owner_is_the_first_superuser(admin, tmp_path):
    User.objects.create_superuser("zed", "zed@example.com", None)
    User.objects.create_user("aaron", "aaron@example.com", None)
    evaluation = load(tmp_path, example())
    assert evaluation.owner == admin


def test_owner_option(admin, owner, tmp_path):
    evaluation = load(tmp_path, example(), "--owner", "priya")
    assert evaluation.owner == owner


def test_an_unknown_owner_fails_and_writes_nothing(admin, tmp_path):
    before = counts()
    with pytest.raises(CommandError, match="nobody-here"):
        run("load_evaluation", write(tmp_path, example()), "--owner", "nobody-here")
    assert counts() == before


def test_without_a_superuser_the_owner_must_be_given(owner, tmp_path):
    before = counts()
    with pytest.raises(CommandError):
        run("load_evaluation", write(tmp_path, example()))
    assert counts() == before
    assert load(tmp_path, example(), "--owner", "priya").owner == owner


def test_unknown_evaluators_become_evaluators_without_a_usable_password(admin, evaluator, tmp_path):
    data = example()
    data["evaluators"].append({"username": "evan"})  # already a user: reused, untouched
    load(tmp_path, data)
    alice = User.objects.get(username="alice")
    assert alice.has_usable_password() is False
    assert list(alice.groups.values_list("name", flat=True)) == [EVALUATOR]
    assert (alice.email, alice.first_name, alice.last_name) == ("alice@example.com", "Alice", "Ng")
    assert alice.is_superuser is False and alice.is_staff is False
    evan = User.objects.get(username="evan")
    assert evan.pk == evaluator.pk
    assert evan.has_usable_password() is True
    assert User.objects.filter(username__in=["alice", "evan"]).count() == 2


def test_a_second_load_reuses_the_users_it_created(admin, tmp_path):
    first = load(tmp_path, example())
    users = User.objects.count()
    second = load(tmp_path, example())
    assert User.objects.count() == users
    assert first.pk != second.pk
    assert Evaluation.objects.count() == 2


def test_an_invalid_package_prints_every_problem_and_writes_nothing(admin, tmp_path):
    data = rich_package()
    gamma = copy.deepcopy(data["bids"][0])
    gamma["vendor"] = "Gamma IT"
    del gamma["rate"]
    data["bids"].insert(2, gamma)  # bids[2]: a per_user bid without rate
    data["bids"][0]["foo"] = "bar"
    data["evaluators"].append({"username": "carol"})  # a new user that must not be created
    data["organization"]["employees"] = 120.0
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_evaluation", write(tmp_path, data), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "organization.employees: must be an integer",
        "bids[0].foo: unknown key",
        "bids[2].rate: required for pricing_model per_user",
    ]
    assert counts() == before
    assert not User.objects.filter(username__in=["alice", "bob", "carol"]).exists()
    assert not MSP.objects.exists()


def test_invalid_json_is_reported_and_writes_nothing(admin, tmp_path):
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_evaluation", write(tmp_path, '{"format": '), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().strip() != ""
    assert counts() == before


def test_a_missing_file_is_a_command_error(admin, tmp_path):
    with pytest.raises(CommandError):
        run("load_evaluation", str(tmp_path / "nope.json"))


def test_a_problem_found_while_writing_rolls_everything_back(admin, tmp_path):
    # bob declared a conflict with Beta yet scored it: refused by the loader, after parsing.
    data = rich_package()
    data["scores"].append({"evaluator": "bob", "vendor": "Beta Co-Managed", "criterion": "support", "score": 2})
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_evaluation", write(tmp_path, data), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith("scores[5]: ")
    assert counts() == before


def test_dash_reads_the_package_from_stdin(admin, monkeypatch):
    monkeypatch.setattr("sys.stdin", SimpleNamespace(buffer=io.BytesIO(json.dumps(example()).encode())))
    out, _ = run("load_evaluation", "-")
    evaluation = Evaluation.objects.get(pk=int(out.strip().splitlines()[-1]))
    assert rank_json(evaluation.pk) == EXAMPLE_RANKING


def test_a_vendor_is_matched_to_an_existing_msp_case_insensitively(admin, msp, tmp_path):
    # the registry has "Acme Managed IT"; the package spells it differently
    data = example()
    data["bids"][0]["vendor"] = "ACME managed it"
    data["scores"][0]["vendor"] = "acme MANAGED IT"
    evaluation = load(tmp_path, data)
    assert MSP.objects.count() == 1
    assert evaluation.bids.get().msp == msp
    assert rank_json(evaluation.pk)["ranking"][0]["total"] == 92.0


def test_a_new_vendor_becomes_an_msp_offering_the_bids_model(admin, tmp_path):
    load(tmp_path, rich_package())
    beta = MSP.objects.get(name="Beta Co-Managed")
    assert (beta.offers_co_managed, beta.offers_fully_managed) == (True, False)
    assert MSP.objects.count() == 3


def test_status_awarded_is_kept_and_locks_the_evaluation(admin, tmp_path):
    data = example()
    data["evaluation"]["status"] = "awarded"
    evaluation = load(tmp_path, data)
    assert evaluation.status == "awarded"
    assert evaluation.is_locked
    assert json.loads(export(evaluation.pk))["evaluation"]["status"] == "awarded"
    with pytest.raises(services.EvaluationLocked):
        services.ensure_writable(evaluation)


def test_the_rich_package_ranks_as_worked_by_hand(admin, tmp_path):
    evaluation = load(tmp_path, rich_package())
    rows = rank_json(evaluation.pk)["ranking"]
    assert [
        (
            r["rank"],
            r["vendor"],
            r["status"],
            r["complete"],
            r["total"],
            r["monthly_cost"],
            r["tco"],
            r["red_flags"],
            r["criteria"],
        )
        for r in rows
    ] == RICH_RANKING_ROWS


def test_drafts_are_exported_but_never_counted(admin, tmp_path):
    evaluation = load(tmp_path, rich_package())
    # bob's sla 0 would make Acme's sla (4 + 0) / 2 / 5 × 100 = 40 if it counted; it stays 80.
    acme = rank_json(evaluation.pk)["ranking"][0]
    assert acme["criteria"]["sla-guarantee"] == 80.0
    assert acme["criteria"]["support"] == 100.0
    package = json.loads(export(evaluation.pk))
    assert package["submitted"] == ["alice"]
    assert {
        "evaluator": "bob",
        "vendor": "Acme Managed IT",
        "criterion": "sla-guarantee",
        "score": 0,
        "note": "draft",
    } in package["scores"]
    assert len(package["scores"]) == 5


def test_the_stored_ranking_agrees_with_the_rules(admin, tmp_path):
    evaluation = load(tmp_path, rich_package())
    recomputed = ranking.ranking_document(selectors.ranking_input(evaluation).data)
    assert rank_json(evaluation.pk) == recomputed == services.stored_ranking(evaluation)


# --- export_evaluation --------------------------------------------------------------------------


def test_export_prints_a_package_that_load_accepts_with_the_same_ranking(admin, tmp_path):
    first = load(tmp_path, rich_package())
    exported = export(first.pk)
    package = json.loads(exported)
    assert package["format"] == "msp-eval/1"
    second = load(tmp_path, exported)
    assert second.pk != first.pk
    assert rank_json(second.pk) == rank_json(first.pk)
    assert run("rank", str(second.pk), "--format", "csv")[0] == run("rank", str(first.pk), "--format", "csv")[0]
    # and exporting the copy gives the same package again
    assert json.loads(export(second.pk)) == package


def test_export_of_the_contract_example_carries_its_values(admin, tmp_path):
    evaluation = load(tmp_path, example())
    package = json.loads(export(evaluation.pk))
    assert package["evaluation"]["term_months"] == 36
    assert package["organization"]["it_staff_annual_cost"] == 180000
    bid = package["bids"][0]
    assert (bid["vendor"], bid["rate"], bid["onboarding_fee"], bid["requirements_met"]) == (
        "Acme Managed IT",
        150,
        5000,
        ["hipaa-baa"],
    )
    assert package["scores"] == EXAMPLE["scores"]
    assert package["evaluators"] == EXAMPLE["evaluators"]


def test_export_round_trips_decimal_amounts(admin, tmp_path):
    data = example()
    data["bids"][0]["rate"] = 150.125
    data["criteria"][0]["weight"] = 12.5
    data["evaluation"]["red_flag_penalty"] = 7.25
    first = load(tmp_path, data)
    package = json.loads(export(first.pk))
    assert package["bids"][0]["rate"] == 150.125
    assert package["criteria"][0]["weight"] == 12.5
    second = load(tmp_path, package)
    # M = 150.125 × 120 = 18,015; TCO = 18,015 × 36 + 5,000 = 653,540
    assert rank_json(first.pk)["ranking"][0]["tco"] == 653540.0
    assert rank_json(second.pk) == rank_json(first.pk)


def test_export_through_stdin_round_trip(admin, monkeypatch):
    monkeypatch.setattr("sys.stdin", SimpleNamespace(buffer=io.BytesIO(json.dumps(rich_package()).encode())))
    out, _ = run("load_evaluation", "-")
    first = int(out.strip().splitlines()[-1])
    monkeypatch.setattr("sys.stdin", SimpleNamespace(buffer=io.BytesIO(export(first).encode())))
    out, _ = run("load_evaluation", "-")
    assert rank_json(int(out.strip().splitlines()[-1])) == rank_json(first)


@pytest.mark.parametrize("command", ["export_evaluation", "rank"])
def test_an_unknown_id_is_a_command_error(admin, command):
    with pytest.raises(CommandError):
        run(command, "999999")


@pytest.mark.parametrize("command", ["export_evaluation", "rank"])
@pytest.mark.parametrize("raw_id", ["abc", "1.5", ""])
def test_a_non_numeric_id_is_a_command_error(admin, command, raw_id):
    with pytest.raises(CommandError):
        run(command, raw_id)


# --- rank ----------------------------------------------------------------------------------------


def test_rank_json_of_the_contract_example(admin, tmp_path):
    evaluation = load(tmp_path, example())
    out, _ = run("rank", str(evaluation.pk))
    assert json.loads(out) == EXAMPLE_RANKING
    assert '"total": 92.0' in out


def test_rank_csv_of_the_contract_example(admin, tmp_path):
    evaluation = load(tmp_path, example())
    out, _ = run("rank", str(evaluation.pk), "--format", "csv")
    assert out.splitlines() == [
        "rank,vendor,model,status,complete,total,monthly_cost,tco,red_flags,sla-guarantee,price",
        "1,Acme Managed IT,fully_managed,ranked,true,92.00,18000.00,653000.00,,80.00,100.00",
    ]


def test_rank_csv_of_the_rich_package(admin, tmp_path):
    evaluation = load(tmp_path, rich_package())
    out, _ = run("rank", str(evaluation.pk), "--format", "csv")
    assert out.splitlines() == [
        "rank,vendor,model,status,complete,total,monthly_cost,tco,red_flags,sla-guarantee,support,price",
        "1,Acme Managed IT,fully_managed,ranked,true,93.33,18000.00,653000.00,,80.00,100.00,100.00",
        "2,Beta Co-Managed,co_managed,ranked,true,83.02,5000.00,720000.00,,,60.00,90.69",
        ",Shady Networks,fully_managed,disqualified,false,,3000.00,108000.00,bad-references;unmet:hipaa-baa,,,",
    ]


def test_rank_rejects_an_unknown_format(admin, tmp_path):
    evaluation = load(tmp_path, example())
    with pytest.raises(CommandError):
        run("rank", str(evaluation.pk), "--format", "xml")


@pytest.mark.parametrize("status", ["scoring", "awarded"])
def test_the_stored_ranking_and_the_round_trip_survive_an_msp_rename(admin, tmp_path, status):
    # Whatever name the bid carries after the rename, the stored ranking, the rules and the export agree.
    data = example()
    data["evaluation"]["status"] = status
    first = load(tmp_path, data)
    msp = MSP.objects.get()
    vendor_services.msp_update(msp=msp, expected_version=msp.version, name="Zenith IT")
    assert rank_json(first.pk) == ranking.ranking_document(selectors.ranking_input(first).data)
    second = load(tmp_path, export(first.pk))
    assert rank_json(second.pk) == rank_json(first.pk)


# --- Edge cases: limits, edits after loading ----------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d["evaluation"].__setitem__("title", "T" * 201), "evaluation.title"),
        (lambda d: d["organization"].__setitem__("name", "N" * 201), "organization.name"),
        (lambda d: d["organization"].__setitem__("industry", "I" * 101), "organization.industry"),
        (lambda d: d["criteria"][0].__setitem__("category", "C" * 101), "criteria[0].category"),
        (lambda d: d["requirements"][0].__setitem__("text", "R" * 301), "requirements[0].text"),
    ],
    ids=["title-201", "organization-name-201", "industry-101", "category-101", "requirement-text-301"],
)
def test_a_value_too_long_for_the_database_is_loaded_or_reported_with_its_path(admin, tmp_path, mutate, path):
    # The contract sets no length limits; whatever the app's limit, a problem is reported as PATH: message
    # (never a bare database message) and nothing is written.
    data = example()
    mutate(data)
    before = counts()
    err = io.StringIO()
    try:
        call_command("load_evaluation", write(tmp_path, data), stdout=io.StringIO(), stderr=err)
    except CommandError:
        lines = err.getvalue().splitlines()
        assert lines
        assert all(line.startswith(f"{path}: ") for line in lines), lines
        assert counts() == before


def test_huge_counts_load_or_are_reported_with_their_path(admin, tmp_path):
    # 10^16 employees × 999,999,999,999 × 120 months ≈ 1.2 × 10^39: beyond 28 significant digits.
    data = example()
    data["organization"]["employees"] = 10**16
    data["bids"][0]["rate"] = 999999999999
    data["evaluation"]["term_months"] = 120
    err = io.StringIO()
    try:
        call_command("load_evaluation", write(tmp_path, data), stdout=io.StringIO(), stderr=err)
    except CommandError:
        lines = err.getvalue().splitlines()
        assert lines and all(line.split(": ", 1)[0] in ("organization.employees", "bids[0].rate") for line in lines)


def load_or_errors(tmp_path: Path, text: str) -> tuple[Evaluation | None, list[str]]:
    err = io.StringIO()
    out = io.StringIO()
    try:
        call_command("load_evaluation", write(tmp_path, text), stdout=out, stderr=err)
    except CommandError:
        return None, err.getvalue().splitlines()
    return Evaluation.objects.get(pk=int(out.getvalue().strip().splitlines()[-1])), []


# Amounts are capped at 15 significant digits (below 1e9 with 6 decimals), so larger ones are
# refused with their path rather than rounded by SQLite or by a JSON float.


def test_the_largest_amount_the_validator_accepts_loads_and_ranks_or_is_reported(admin, tmp_path):
    # rate 999,999,999,999.999999 (below 1e12, 6 decimals) × 1,000,000 employees = 999,999,999,999,999,999 a month;
    # TCO over 120 months = 119,999,999,999,999,999,880 + onboarding 5,000 = 120,000,000,000,000,004,880
    # (kept exact, then written as the nearest JSON number).
    data = example()
    data["organization"]["employees"] = 1_000_000
    data["evaluation"]["term_months"] = 120
    text = json.dumps(data).replace('"rate": 150', '"rate": 999999999999.999999')
    evaluation, errors = load_or_errors(tmp_path, text)
    if evaluation is None:
        assert errors and all(e.startswith("bids[0].rate: ") for e in errors), errors
        return
    row = rank_json(evaluation.pk)["ranking"][0]
    assert row["monthly_cost"] == float(Decimal("999999999999999999"))
    assert row["tco"] == float(Decimal("120000000000000004880"))
    assert row["total"] == 92.0


def test_an_amount_with_18_significant_digits_is_kept_exactly_or_reported(admin, tmp_path):
    # rate 123,456,789,012.123456 per user, 1 employee, H = 120:
    # TCO = 123,456,789,012.123456 × 120 + 5,000 = 14,814,814,681,454.81472 + 5,000 = 14,814,814,686,454.81472
    # → written 14814814686454.81 (stored as …012.123 it would be 14,814,814,686,454.76).
    data = example()
    data["organization"]["employees"] = 1
    data["evaluation"]["term_months"] = 120
    text = json.dumps(data).replace('"rate": 150', '"rate": 123456789012.123456')
    evaluation, errors = load_or_errors(tmp_path, text)
    if evaluation is None:
        assert errors and all(e.startswith("bids[0].rate: ") for e in errors), errors
        return
    assert evaluation.bids.get().rate == Decimal("123456789012.123456")
    assert rank_json(evaluation.pk)["ranking"][0]["tco"] == 14814814686454.81
    assert loads(export(evaluation.pk))["bids"][0]["rate"] == Decimal("123456789012.123456")


def test_round_trip_after_a_waived_flag_stops_holding(admin, tmp_path):
    # The bid is loaded with no references and a waiver; then the bid is edited to offer 3 references.
    # The waiver no longer waives anything: the export must still load, with the same ranking
    # (Acme clean: sla 80, price 100, total (20 × 80 + 30 × 100) / 50 = 92).
    data = example()
    data["bids"][0]["references_offered"] = 0
    data["bids"][0]["waived_red_flags"] = [{"code": "no-references", "reason": "New firm"}]
    first = load(tmp_path, data)
    bid = first.bids.get()
    services.bid_update(bid=bid, expected_version=bid.version, references_offered=3, reason="References came in.")
    package = json.loads(export(first.pk))
    second = load(tmp_path, package)
    assert rank_json(second.pk) == rank_json(first.pk)
    assert rank_json(first.pk)["ranking"][0]["total"] == 92.0


def test_round_trip_after_a_scored_bid_changes_model(admin, tmp_path):
    # Acme is scored on sla-guarantee (fully managed only), then becomes co-managed: the score no longer applies.
    # Co-managed TCO = 18,000 × 36 + 5,000 + 180,000 × 36 / 12 = 648,000 + 5,000 + 540,000 = 1,193,000;
    # criteria {price: 100}; total = 30 × 100 / 30 = 100. The export must load back with the same ranking.
    first = load(tmp_path, example())
    bid = first.bids.get()
    services.bid_update(bid=bid, expected_version=bid.version, model="co_managed", reason="It is co-managed.")
    row = rank_json(first.pk)["ranking"][0]
    assert (row["tco"], row["criteria"], row["total"]) == (1193000.0, {"price": 100.0}, 100.0)
    second = load(tmp_path, export(first.pk))
    assert rank_json(second.pk) == rank_json(first.pk)
