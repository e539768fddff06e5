"""The guide's decision aids: quick decision rows, warnings, estimates, price marks, split risks."""

from decimal import Decimal

import pytest

from scoring import guide


def profile(employees: int, it_staff: int, *answers: str, devices: int = 0, cost: int = 0, heavy=False):
    return guide.Profile(
        employees=employees,
        devices=devices,
        it_staff=it_staff,
        it_staff_annual_cost=Decimal(cost),
        heavy_compliance=heavy,
        answers=frozenset(answers),
    )


@pytest.mark.parametrize(
    ("employees", "it_staff", "model", "rule"),
    [
        (30, 0, "fully_managed", "under-50-no-it"),  # row 1: under 50, no IT staff
        (49, 0, "fully_managed", "under-50-no-it"),
        (50, 1, "co_managed", "50-100-one-it"),  # row 2: 50-100, one IT person
        (100, 1, "co_managed", "50-100-one-it"),
        (100, 2, "co_managed", "100-300-small-team"),  # row 3: 100-300 with 2-5 IT staff
        (300, 5, "co_managed", "100-300-small-team"),
        (301, 6, "co_managed", "300-plus-department"),  # row 4: 300+, established department
        (120, 0, "fully_managed", "no-it-staff"),  # nobody to work alongside
    ],
)
def test_it_follows_the_quick_decision_guide(employees, it_staff, model, rule):
    assessment = guide.assess(profile(employees, it_staff))
    assert (assessment.recommended, assessment.rule) == (model, rule)


def test_it_says_heavy_compliance_depends_on_internal_expertise():
    # Row 5: any size with a heavy compliance focus.
    reasons = guide.assess(profile(200, 3, heavy=True)).reasons
    assert any("depends on how deep your internal expertise is" in reason for reason in reasons)


@pytest.mark.parametrize(
    ("answer", "rule"), [("team_hostile", "hostile-team"), ("no_foundational_expertise", "no-foundational-expertise")]
)
def test_it_turns_to_fully_managed_where_co_managed_fails(answer, rule):
    assessment = guide.assess(profile(200, 3, answer))
    assert (assessment.recommended, assessment.rule) == ("fully_managed", rule)
    assert assessment.warnings == [guide.CO_MANAGED_WARNINGS[answer]]


def test_it_warns_about_unclear_responsibilities_on_co_managed():
    assessment = guide.assess(profile(200, 3, "unclear_responsibilities"))
    assert assessment.recommended == "co_managed"
    assert any("who owns each function" in warning for warning in assessment.warnings)


def test_it_estimates_each_model_from_the_guide_ranges():
    # 120 staff, 150 devices, $180,000 internal staff:
    # fully managed per user 100×120×12 = 144,000 to 250×120×12 = 360,000;
    # co-managed MSP portion 1,500×12 + 180,000 = 198,000 to 8,000×12 + 180,000 = 276,000.
    estimates = {
        (e.model, e.basis): (e.low, e.high) for e in guide.estimates(profile(120, 2, devices=150, cost=180000))
    }
    assert estimates[("fully_managed", "per user")] == (Decimal(144000), Decimal(360000))
    assert estimates[("fully_managed", "per device")] == (Decimal(135000), Decimal(360000))
    assert estimates[("co_managed", "MSP portion + internal staff")] == (Decimal(198000), Decimal(276000))
    assert guide.assess(profile(120, 2)).hire_it_manager == (Decimal(75000), Decimal(150000))


@pytest.mark.parametrize(
    ("model", "pricing", "rate", "monthly", "expected"),
    [
        ("fully_managed", "per_user", Decimal(100), Decimal(0), []),  # at the low edge
        ("fully_managed", "per_user", Decimal(250), Decimal(0), []),  # at the high edge
        ("fully_managed", "per_user", Decimal("99.99"), Decimal(0), ["Below"]),
        ("fully_managed", "per_user", Decimal("250.01"), Decimal(0), ["Above"]),
        ("fully_managed", "flat", None, Decimal(15001), ["Above"]),
        ("co_managed", "per_device", Decimal(19), Decimal(0), ["Below"]),
        ("co_managed", "hourly", Decimal(125), Decimal(0), []),
        ("co_managed", "hybrid", Decimal(50), Decimal(1499), ["Below"]),  # the MSP portion is compared
        ("co_managed", "project", None, Decimal(0), []),  # no typical range for projects
    ],
)
def test_it_marks_prices_outside_the_typical_ranges(model, pricing, rate, monthly, expected):
    marks = guide.price_marks(model=model, pricing_model=pricing, rate=rate, monthly_cost=monthly, critical_response=60)
    assert [mark.split(" ")[0] for mark in marks] == expected


def test_it_marks_a_critical_response_slower_than_an_hour():
    marks = guide.price_marks(
        model="co_managed", pricing_model="project", rate=None, monthly_cost=Decimal(0), critical_response=61
    )
    assert marks == ["Critical response of 61 minutes is slower than the guide's typical 15–60 minutes"]


def test_it_finds_dropped_tasks_and_finger_pointing():
    split = dict.fromkeys(guide.RESPONSIBILITY_FUNCTIONS, "internal")
    split["patching"] = "shared"
    del split["projects"]
    risks = guide.split_risks(split)
    assert risks.dropped == ["projects"]
    assert risks.finger_pointing == ["patching"]


def test_the_dashboard_names_what_each_bid_leaves_uncovered(procurement):
    from scoring import services
    from tests.scoring.factories import make_bid, make_evaluation

    def _coverage_note(bid):
        return guide.coverage_note(bid.model, bid.scope_included, bid.responsibilities)

    evaluation = make_evaluation(procurement, model="both")
    fully = make_bid(evaluation, scope_included=["help-desk", "monitoring"])
    co = make_bid(
        evaluation, vendor="Partner IT", model="co_managed", responsibilities={"help-desk": "shared", "patching": "msp"}
    )
    assert _coverage_note(fully) == "7 of 9 usual inclusions not covered"
    # 8 functions, 2 owned: 6 unowned; help desk shared.
    assert _coverage_note(co) == "6 functions unowned, 1 shared"
    assert services.stored_ranking(evaluation)  # both bids rank; the notes are information only
