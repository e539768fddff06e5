"""Validating an ``msp-eval/1`` package: every problem reported at once, each as ``PATH: message``."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from scoring.package import PackageError, loads, parse_package

EXAMPLE = json.loads((Path(__file__).parent / "packages" / "contract_example.json").read_text())


def example() -> dict:
    return copy.deepcopy(EXAMPLE)


def parse(data):
    """Parse as the loader does: through JSON text, so non-integer numbers arrive as ``Decimal``."""
    return parse_package(loads(json.dumps(data)))


def errors_of(data) -> list[str]:
    with pytest.raises(PackageError) as info:
        parse(data)
    return info.value.errors


def paths_of(data) -> list[str]:
    return [error.split(": ", 1)[0] for error in errors_of(data)]


def co_bid(vendor: str = "Beta Co-Managed", **fields) -> dict:
    """A valid co-managed flat-fee bid."""
    bid = {
        "vendor": vendor,
        "model": "co_managed",
        "pricing_model": "flat",
        "monthly_fee": 5000,
        "contract_term_months": 12,
        "critical_response_minutes": 60,
        "sla_best_effort": False,
        "references_offered": 2,
        "environment_assessed": True,
        "documented_escalation": True,
        "documented_onboarding": True,
        "performance_exit_clause": False,
        "requirements_met": ["hipaa-baa"],
    }
    bid.update(fields)
    return bid


# --- Accepted ----------------------------------------------------------------------------------


def test_the_contract_example_is_accepted():
    package = parse(example())
    assert package.evaluation["title"] == "Managed IT services 2027"
    assert package.evaluation["model"] == "both"
    assert package.evaluation["term_months"] == 36
    assert str(package.evaluation["bids_due"]) == "2027-01-15"
    assert package.organization["employees"] == 120
    assert package.organization["it_staff_annual_cost"] == Decimal(180000)
    assert [(c.key, c.kind, c.weight, c.applies_to) for c in package.criteria] == [
        ("sla-guarantee", "question", Decimal(20), "fully_managed"),
        ("price", "price", Decimal(30), "all"),
    ]
    [bid] = package.bids
    assert (bid.vendor, bid.pricing_model, bid.rate, bid.onboarding_fee) == (
        "Acme Managed IT",
        "per_user",
        Decimal(150),
        Decimal(5000),
    )
    assert bid.requirements_met == ["hipaa-baa"]
    assert package.scores == [
        {
            "evaluator": "alice",
            "vendor": "Acme Managed IT",
            "criterion": "sla-guarantee",
            "score": 4,
            "note": "Strong SLA",
        }
    ]
    assert package.submitted == ["alice"]


def test_defaults_when_keys_are_left_out():
    data = example()
    for key in ("term_months", "red_flag_policy", "red_flag_penalty", "bids_due", "scoring_due", "decision_due"):
        del data["evaluation"][key]
    del data["criteria"][1]["applies_to"]
    bid = data["bids"][0]
    for key in ("onboarding_fee", "retained_internal_cost", "monthly_fee", "est_hours_per_month", "project_price"):
        del bid[key]
    for key in ("manual_red_flags", "waived_red_flags"):
        del bid[key]
    for key in ("industry", "compliance", "name"):
        del data["organization"][key]
    del data["evaluators"][0]["name"]
    del data["evaluators"][0]["email"]
    del data["scores"][0]["note"]
    package = parse(data)
    assert package.evaluation["term_months"] == 36
    assert package.evaluation["status"] == "scoring"
    assert package.evaluation["red_flag_policy"] == "disqualify"
    assert package.evaluation["red_flag_penalty"] == Decimal(10)
    assert package.evaluation["bids_due"] is None
    assert package.criteria[1].applies_to == "all"
    assert package.bids[0].onboarding_fee == 0
    assert package.bids[0].retained_internal_cost == 0
    assert package.bids[0].manual_red_flags == []
    assert package.bids[0].waived_red_flags == []


def test_requirements_scores_and_submitted_may_be_left_out():
    data = example()
    for key in ("requirements", "scores", "submitted"):
        del data[key]
    del data["bids"][0]["requirements_met"]
    package = parse(data)
    assert (package.requirements, package.scores, package.submitted) == ([], [], [])


def test_dates_and_text_fields_may_be_null():
    data = example()
    data["evaluation"]["bids_due"] = None
    data["organization"]["industry"] = None
    data["bids"][0]["critical_response_minutes"] = None
    package = parse(data)
    assert package.evaluation["bids_due"] is None
    assert package.bids[0].critical_response_minutes is None


def test_amounts_a_pricing_model_does_not_require_are_ignored_even_when_invalid():
    # per_user requires only rate: a negative monthly_fee, a string project_price and a boolean
    # est_hours_per_month are ignored, not errors, and not kept.
    data = example()
    data["bids"][0].update({"monthly_fee": -5, "project_price": "abc", "est_hours_per_month": True})
    [bid] = parse(data).bids
    assert (bid.rate, bid.monthly_fee, bid.project_price, bid.est_hours_per_month) == (Decimal(150), None, None, None)


def test_numbers_other_than_counts_may_have_decimals():
    data = example()
    data["bids"][0]["rate"] = 150.25
    data["bids"][0]["onboarding_fee"] = 4999.99
    data["criteria"][0]["weight"] = 12.5
    data["evaluation"]["red_flag_penalty"] = 7.5
    package = parse(data)
    assert package.bids[0].rate == Decimal("150.25")
    assert package.bids[0].onboarding_fee == Decimal("4999.99")
    assert package.criteria[0].weight == Decimal("12.5")
    assert package.evaluation["red_flag_penalty"] == Decimal("7.5")


@pytest.mark.parametrize("term", [1, 120])
def test_term_months_bounds_are_accepted(term):
    data = example()
    data["evaluation"]["term_months"] = term
    assert parse(data).evaluation["term_months"] == term


def test_status_awarded_is_accepted():
    data = example()
    data["evaluation"]["status"] = "awarded"
    assert parse(data).evaluation["status"] == "awarded"


@pytest.mark.parametrize("score", [0, 5])
def test_score_bounds_are_accepted(score):
    data = example()
    data["scores"][0]["score"] = score
    assert parse(data).scores[0]["score"] == score


def test_a_waiver_of_an_automatic_flag_that_holds_is_accepted():
    data = example()
    data["bids"][0]["references_offered"] = 0
    data["bids"][0]["waived_red_flags"] = [{"code": "no-references", "reason": "New firm; checked by phone"}]
    assert parse(data).bids[0].waived_red_flags == [{"code": "no-references", "reason": "New firm; checked by phone"}]


def test_a_manual_flag_may_use_an_automatic_code_or_the_buyers_own():
    data = example()
    data["bids"][0]["manual_red_flags"] = [
        {"code": "no-references", "note": "The references never answered"},
        {"code": "pushy-sales", "note": "Called the CEO directly"},
    ]
    assert [f["code"] for f in parse(data).bids[0].manual_red_flags] == ["no-references", "pushy-sales"]


def test_a_score_may_name_the_vendor_in_another_case():
    data = example()
    data["scores"][0]["vendor"] = "ACME managed it"
    assert parse(data).scores[0]["vendor"] == "Acme Managed IT"


# --- Unknown keys at every level ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (lambda d: d, "foo: unknown key"),
        (lambda d: d["evaluation"], "evaluation.foo: unknown key"),
        (lambda d: d["organization"], "organization.foo: unknown key"),
        (lambda d: d["criteria"][1], "criteria[1].foo: unknown key"),
        (lambda d: d["requirements"][0], "requirements[0].foo: unknown key"),
        (lambda d: d["evaluators"][0], "evaluators[0].foo: unknown key"),
        (lambda d: d["bids"][0], "bids[0].foo: unknown key"),
        (lambda d: d["scores"][0], "scores[0].foo: unknown key"),
    ],
    ids=["top", "evaluation", "organization", "criterion", "requirement", "evaluator", "bid", "score"],
)
def test_unknown_keys_are_errors_naming_their_path(where, expected):
    data = example()
    where(data)["foo"] = 1
    assert errors_of(data) == [expected]


def test_unknown_keys_in_flags_and_waivers():
    data = example()
    data["bids"][0]["references_offered"] = 0
    data["bids"][0]["manual_red_flags"] = [{"code": "pushy-sales", "note": "n", "severity": "high"}]
    data["bids"][0]["waived_red_flags"] = [{"code": "no-references", "reason": "r", "by": "me"}]
    assert errors_of(data) == [
        "bids[0].manual_red_flags[0].severity: unknown key",
        "bids[0].waived_red_flags[0].by: unknown key",
    ]


# --- Required fields ---------------------------------------------------------------------------


def test_a_per_user_bid_without_rate_at_index_2():
    # The contract's own example message.
    data = example()
    gamma = copy.deepcopy(data["bids"][0])
    gamma["vendor"] = "Gamma IT"
    del gamma["rate"]
    data["bids"] += [co_bid(), gamma]
    assert errors_of(data) == ["bids[2].rate: required for pricing_model per_user"]


def test_a_null_required_amount_is_missing():
    data = example()
    data["bids"][0]["rate"] = None
    assert errors_of(data) == ["bids[0].rate: required for pricing_model per_user"]


@pytest.mark.parametrize(
    ("pricing_model", "missing"),
    [
        ("per_device", ["rate"]),
        ("flat", ["monthly_fee"]),
        ("hourly", ["rate", "est_hours_per_month"]),
        ("hybrid", ["monthly_fee", "rate", "est_hours_per_month"]),
        ("project", ["project_price"]),
    ],
)
def test_each_pricing_model_requires_its_amounts(pricing_model, missing):
    data = example()
    bid = data["bids"][0]
    bid["pricing_model"] = pricing_model
    for name in ("rate", "monthly_fee", "est_hours_per_month", "project_price"):
        bid.pop(name, None)
    assert sorted(errors_of(data)) == sorted(
        f"bids[0].{name}: required for pricing_model {pricing_model}" for name in missing
    )


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("top", "format"),
        ("top", "evaluation"),
        ("top", "organization"),
        ("top", "criteria"),
        ("top", "evaluators"),
        ("top", "bids"),
        ("evaluation", "title"),
        ("evaluation", "model"),
        ("organization", "employees"),
        ("organization", "devices"),
        ("organization", "it_staff"),
        ("organization", "it_staff_annual_cost"),
        ("bid", "vendor"),
        ("bid", "model"),
        ("bid", "pricing_model"),
        ("bid", "contract_term_months"),
        ("bid", "critical_response_minutes"),
        ("bid", "sla_best_effort"),
        ("bid", "references_offered"),
        ("bid", "environment_assessed"),
        ("bid", "documented_escalation"),
        ("bid", "documented_onboarding"),
        ("bid", "performance_exit_clause"),
        ("criterion", "key"),
        ("criterion", "kind"),
        ("criterion", "weight"),
        ("score", "score"),
    ],
)
def test_required_keys(section, key):
    data = example()
    target = {
        "top": data,
        "evaluation": data["evaluation"],
        "organization": data["organization"],
        "bid": data["bids"][0],
        "criterion": data["criteria"][0],
        "score": data["scores"][0],
    }[section]
    del target[key]
    path = {
        "top": key,
        "evaluation": f"evaluation.{key}",
        "organization": f"organization.{key}",
        "bid": f"bids[0].{key}",
        "criterion": f"criteria[0].{key}",
        "score": f"scores[0].{key}",
    }[section]
    assert path in paths_of(data)


# --- Counts are integers -------------------------------------------------------------------------


COUNT_FIELDS = [
    (("evaluation", "term_months"), "evaluation.term_months"),
    (("organization", "employees"), "organization.employees"),
    (("organization", "devices"), "organization.devices"),
    (("organization", "it_staff"), "organization.it_staff"),
    (("bids", 0, "contract_term_months"), "bids[0].contract_term_months"),
    (("bids", 0, "critical_response_minutes"), "bids[0].critical_response_minutes"),
    (("bids", 0, "references_offered"), "bids[0].references_offered"),
    (("scores", 0, "score"), "scores[0].score"),
]


def set_in(data, location, value):
    *parents, last = location
    target = data
    for step in parents:
        target = target[step]
    target[last] = value


@pytest.mark.parametrize(("location", "path"), COUNT_FIELDS, ids=[p for _, p in COUNT_FIELDS])
@pytest.mark.parametrize("value", [3.0, "3", True], ids=["float", "string", "bool"])
def test_counts_must_be_integers(location, path, value):
    # 3 is a valid value for every one of them; 3.0, "3" and true are not integers.
    data = example()
    set_in(data, location, value)
    assert errors_of(data) == [f"{path}: must be an integer"]


def test_the_text_36_point_0_is_not_an_integer():
    text = json.dumps(example()).replace('"term_months": 36', '"term_months": 36.0')
    assert '"term_months": 36.0' in text
    with pytest.raises(PackageError) as info:
        parse_package(loads(text))
    assert info.value.errors == ["evaluation.term_months: must be an integer"]


def test_python_floats_are_not_integers_either():
    data = example()
    data["bids"][0]["references_offered"] = 3.0
    with pytest.raises(PackageError) as info:
        parse_package(data)
    assert info.value.errors == ["bids[0].references_offered: must be an integer"]


# --- Ranges ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "value", "path"),
    [
        (("evaluation", "term_months"), 0, "evaluation.term_months"),
        (("evaluation", "term_months"), 121, "evaluation.term_months"),
        (("evaluation", "red_flag_penalty"), 101, "evaluation.red_flag_penalty"),
        (("evaluation", "red_flag_penalty"), 100.5, "evaluation.red_flag_penalty"),
        (("evaluation", "red_flag_penalty"), -1, "evaluation.red_flag_penalty"),
        (("organization", "employees"), -1, "organization.employees"),
        (("organization", "it_staff_annual_cost"), -0.01, "organization.it_staff_annual_cost"),
        (("criteria", 0, "weight"), -1, "criteria[0].weight"),
        (("criteria", 1, "weight"), -0.5, "criteria[1].weight"),
        (("bids", 0, "rate"), -150, "bids[0].rate"),
        (("bids", 0, "onboarding_fee"), -1, "bids[0].onboarding_fee"),
        (("bids", 0, "retained_internal_cost"), -1, "bids[0].retained_internal_cost"),
        (("bids", 0, "contract_term_months"), 0, "bids[0].contract_term_months"),
        (("bids", 0, "critical_response_minutes"), 0, "bids[0].critical_response_minutes"),
        (("bids", 0, "references_offered"), -1, "bids[0].references_offered"),
        (("scores", 0, "score"), 6, "scores[0].score"),
        (("scores", 0, "score"), -1, "scores[0].score"),
    ],
)
def test_values_out_of_range(location, value, path):
    data = example()
    set_in(data, location, value)
    assert paths_of(data) == [path]


def test_red_flag_penalty_100_is_accepted():
    data = example()
    data["evaluation"]["red_flag_penalty"] = 100
    assert parse(data).evaluation["red_flag_penalty"] == 100


# --- Choices, format, dates ---------------------------------------------------------------------


def test_a_wrong_format_is_an_error():
    data = example()
    data["format"] = "msp-eval/2"
    assert paths_of(data) == ["format"]


@pytest.mark.parametrize(
    ("location", "value", "path"),
    [
        (("evaluation", "model"), "outsourced", "evaluation.model"),
        (("evaluation", "status"), "closed", "evaluation.status"),
        (("evaluation", "red_flag_policy"), "warn", "evaluation.red_flag_policy"),
        (("criteria", 0, "kind"), "rating", "criteria[0].kind"),
        (("criteria", 0, "applies_to"), "both", "criteria[0].applies_to"),
        (("bids", 0, "model"), "both", "bids[0].model"),
        (("bids", 0, "pricing_model"), "per_seat", "bids[0].pricing_model"),
    ],
)
def test_invalid_choices(location, value, path):
    data = example()
    set_in(data, location, value)
    assert path in paths_of(data)


@pytest.mark.parametrize("value", ["2027-13-01", "15/01/2027", "2027-02-30", "2027-1-5", 20270115])
@pytest.mark.parametrize("key", ["bids_due", "scoring_due", "decision_due"])
def test_malformed_dates(key, value):
    data = example()
    data["evaluation"][key] = value
    assert paths_of(data) == [f"evaluation.{key}"]


# --- Criteria ----------------------------------------------------------------------------------


def test_duplicate_criterion_keys():
    data = example()
    data["criteria"].append(
        {"key": "sla-guarantee", "kind": "question", "text": "Again?", "category": "Service", "weight": 5}
    )
    assert paths_of(data) == ["criteria[2].key"]


def test_two_price_criteria():
    data = example()
    data["criteria"].append({"key": "price-2", "kind": "price", "text": "TCO again", "category": "Cost", "weight": 5})
    assert paths_of(data) == ["criteria[2].kind"]


@pytest.mark.parametrize("applies_to", ["fully_managed", "co_managed"])
def test_the_price_criterion_applies_to_all(applies_to):
    data = example()
    data["criteria"][1]["applies_to"] = applies_to
    assert paths_of(data) == ["criteria[1].applies_to"]


def test_a_criterion_key_must_be_a_slug():
    data = example()
    data["criteria"][0]["key"] = "sla guarantee!"
    data["scores"] = []
    assert paths_of(data) == ["criteria[0].key"]


# --- Bids --------------------------------------------------------------------------------------


def test_a_duplicate_vendor_in_another_case():
    data = example()
    data["bids"].append(co_bid("ACME managed it"))
    assert paths_of(data) == ["bids[1].vendor"]


def test_a_bid_model_the_evaluation_does_not_allow():
    data = example()
    data["evaluation"]["model"] = "fully_managed"
    data["bids"].append(co_bid())
    assert errors_of(data) == ["bids[1].model: the evaluation compares fully_managed bids only"]


def test_a_fully_managed_bid_in_a_co_managed_evaluation():
    data = example()
    data["evaluation"]["model"] = "co_managed"
    data["criteria"] = [data["criteria"][1]]
    data["scores"] = []
    assert paths_of(data) == ["bids[0].model"]


def test_requirements_met_with_an_unknown_key():
    data = example()
    data["bids"][0]["requirements_met"] = ["hipaa-baa", "soc2"]
    assert paths_of(data) == ["bids[0].requirements_met[1]"]


# --- Waivers -----------------------------------------------------------------------------------


def waiving(code: str, **waiver) -> dict:
    data = example()
    data["bids"][0]["references_offered"] = 0  # no-references holds
    data["bids"][0]["waived_red_flags"] = [{"code": code, **waiver}]
    return data


def test_a_waiver_without_reason():
    assert paths_of(waiving("no-references")) == ["bids[0].waived_red_flags[0].reason"]


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_waiver_with_an_empty_reason(reason):
    assert paths_of(waiving("no-references", reason=reason)) == ["bids[0].waived_red_flags[0].reason"]


def test_a_waiver_of_a_code_that_does_not_hold():
    # the example bid assessed the environment: one-size-pricing does not hold
    assert paths_of(waiving("one-size-pricing", reason="r")) == ["bids[0].waived_red_flags[0].code"]


def test_a_waiver_of_a_manual_code():
    data = waiving("pushy-sales", reason="r")
    data["bids"][0]["manual_red_flags"] = [{"code": "pushy-sales", "note": "Called the CEO"}]
    assert paths_of(data) == ["bids[0].waived_red_flags[0].code"]


def test_a_waiver_of_a_manual_code_that_is_also_an_automatic_one_that_holds():
    data = waiving("no-references", reason="r")
    data["bids"][0]["manual_red_flags"] = [{"code": "no-references", "note": "None of them answered"}]
    assert paths_of(data) == ["bids[0].waived_red_flags[0].code"]


def test_a_waiver_of_an_unmet_requirement():
    data = waiving("unmet:hipaa-baa", reason="r")
    data["bids"][0]["requirements_met"] = []
    assert paths_of(data) == ["bids[0].waived_red_flags[0].code"]


# --- Scores ------------------------------------------------------------------------------------


def test_a_score_on_the_price_criterion():
    data = example()
    data["scores"].append({"evaluator": "alice", "vendor": "Acme Managed IT", "criterion": "price", "score": 3})
    assert paths_of(data) == ["scores[1].criterion"]


def test_a_score_on_a_question_that_does_not_apply_to_the_bids_model():
    # sla-guarantee applies to fully_managed bids; Beta is co-managed
    data = example()
    data["bids"].append(co_bid())
    data["scores"].append({"evaluator": "alice", "vendor": "Beta Co-Managed", "criterion": "sla-guarantee", "score": 3})
    assert paths_of(data) == ["scores[1].criterion"]


def test_a_score_on_an_unknown_criterion():
    data = example()
    data["scores"][0]["criterion"] = "uptime"
    assert paths_of(data) == ["scores[0].criterion"]


def test_a_score_for_an_unknown_vendor():
    data = example()
    data["scores"][0]["vendor"] = "Nobody IT"
    assert paths_of(data) == ["scores[0].vendor"]


def test_a_duplicate_score_for_the_same_evaluator_vendor_and_criterion():
    data = example()
    data["scores"].append({"evaluator": "alice", "vendor": "ACME Managed IT", "criterion": "sla-guarantee", "score": 2})
    [path] = paths_of(data)
    assert path.startswith("scores[1]")


def test_two_evaluators_may_score_the_same_bid_and_criterion():
    data = example()
    data["evaluators"].append({"username": "bob"})
    data["scores"].append({"evaluator": "bob", "vendor": "Acme Managed IT", "criterion": "sla-guarantee", "score": 2})
    assert len(parse(data).scores) == 2


def test_a_score_by_an_unknown_evaluator():
    data = example()
    data["scores"][0]["evaluator"] = "mallory"
    assert paths_of(data) == ["scores[0].evaluator"]


def test_submitted_naming_an_unknown_evaluator():
    data = example()
    data["submitted"] = ["alice", "mallory"]
    assert paths_of(data) == ["submitted[1]"]


# --- Every problem at once ---------------------------------------------------------------------


def test_every_problem_is_reported_at_once():
    data = example()
    data["evaluation"]["term_months"] = 0
    data["bids"][0]["foo"] = "bar"
    data["scores"][0]["score"] = 6
    errors = errors_of(data)
    assert len(errors) == 3
    assert [e.split(": ", 1)[0] for e in errors] == ["evaluation.term_months", "bids[0].foo", "scores[0].score"]
    assert "bids[0].foo: unknown key" in errors


def test_many_problems_across_sections_are_all_reported():
    data = example()
    data["format"] = "msp-eval/0"
    data["organization"]["devices"] = "150"
    data["criteria"][1]["applies_to"] = "co_managed"
    del data["bids"][0]["rate"]
    data["bids"][0]["waived_red_flags"] = [{"code": "lock-in-contract"}]
    data["submitted"] = ["zoe"]
    assert sorted(paths_of(data)) == sorted(
        [
            "format",
            "organization.devices",
            "criteria[1].applies_to",
            "bids[0].rate",
            "bids[0].waived_red_flags[0].reason",
            "bids[0].waived_red_flags[0].code",
            "submitted[0]",
        ]
    )


def test_every_error_has_the_path_colon_message_shape():
    data = example()
    data["evaluation"]["bids_due"] = "15/01/2027"
    data["bids"].append(co_bid("acme MANAGED IT", monthly_fee=-1, references_offered=1.5))
    for error in errors_of(data):
        path, sep, message = error.partition(": ")
        assert sep and path and message, error


# --- Malformed values are reported, never a crash ----------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d["bids"][0].__setitem__("requirements_met", [["hipaa-baa"]]), "bids[0].requirements_met[0]"),
        (lambda d: d["bids"][0].__setitem__("requirements_met", [{"key": "hipaa-baa"}]), "bids[0].requirements_met[0]"),
        (lambda d: d.__setitem__("submitted", [["alice"]]), "submitted[0]"),
        (lambda d: d["scores"][0].__setitem__("evaluator", {"username": "alice"}), "scores[0].evaluator"),
        (
            lambda d: d.__setitem__("conflicts", [{"evaluator": ["alice"], "vendor": "Acme Managed IT"}]),
            "conflicts[0].evaluator",
        ),
        (lambda d: d["scores"][0].__setitem__("vendor", ["Acme Managed IT"]), "scores[0].vendor"),
        (lambda d: d["scores"][0].__setitem__("criterion", ["price"]), "scores[0].criterion"),
        (lambda d: d["bids"][0].__setitem__("manual_red_flags", ["pushy-sales"]), "bids[0].manual_red_flags[0]"),
        (lambda d: d["bids"][0].__setitem__("model", ["fully_managed"]), "bids[0].model"),
        (lambda d: d["criteria"][0].__setitem__("rubric", "abc"), "criteria[0].rubric"),
        (lambda d: d.__setitem__("bids", {}), "bids"),
        (lambda d: d.__setitem__("evaluation", []), "evaluation"),
    ],
    ids=[
        "requirements_met-list-item",
        "requirements_met-object-item",
        "submitted-list-item",
        "score-evaluator-object",
        "conflict-evaluator-list",
        "score-vendor-list",
        "score-criterion-list",
        "manual-flag-not-an-object",
        "bid-model-list",
        "rubric-string",
        "bids-not-a-list",
        "evaluation-not-an-object",
    ],
)
def test_malformed_values_are_reported_with_their_path(mutate, path):
    data = example()
    mutate(data)
    assert path in paths_of(data)


def test_a_null_rubric_is_accepted_as_none_or_reported_never_a_crash():
    data = example()
    data["criteria"][0]["rubric"] = None
    try:
        package = parse(data)
    except PackageError as error:
        assert [e.split(": ", 1)[0] for e in error.errors] == ["criteria[0].rubric"]
    else:
        assert package.criteria[0].rubric == []
