"""The guide's decision aids, as the app's own data and pure functions (no ORM).

Source: "Co-Managed IT vs Fully Managed IT: A Complete Comparison Guide for
Businesses" (GlobeVM, May 2026). Facts and numbers are the guide's; the wording
is ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# --- What a fully managed contract usually covers, and leaves out ------------------------------

FULLY_MANAGED_INCLUSIONS: dict[str, str] = {
    "tier-1-3-support": "Tier 1, 2 and 3 technical support",
    "help-desk": "End-user help desk by phone, email or tickets",
    "monitoring": "Continuous monitoring and preventive maintenance",
    "vcio": "Strategic IT planning (vCIO)",
    "vendor-management": "Vendor management (internet, software and hardware suppliers)",
    "procurement": "Buying hardware and software on our behalf",
    "security-operations": "Security operations",
    "backup-dr": "Managed backup and disaster recovery",
    "compliance-reporting": "Compliance support and reporting",
}

USUAL_EXCLUSIONS: dict[str, str] = {
    "new-hardware": "New hardware (computers, servers, network switches)",
    "software-licences": "Software licences (Microsoft 365, line-of-business applications)",
    "major-projects": "Major projects (office moves, large cloud migrations, network replacements)",
    "cabling": "Physical cabling and wiring",
    "compliance-audits": "Independent compliance audits",
}

# --- Co-managed arrangements and who owns what -------------------------------------------------

CO_MANAGED_ARRANGEMENTS: dict[str, str] = {
    "tools-only": "Tools only: the MSP provides RMM/PSA platforms; our team runs the environment",
    "tier-3-escalation": "Tier 3 escalation: our team handles Tier 1 and 2, the MSP takes complex issues",
    "after-hours": "After-hours coverage: the MSP watches nights and weekends",
    "project-augmentation": "Project augmentation: our team runs day-to-day, the MSP delivers major projects",
    "hybrid-expertise": "Hybrid expertise: our generalists, the MSP's specialists (security, Azure …)",
    "strategic-partnership": "Strategic partnership: our team runs operations, the MSP brings vCIO strategy",
}

RESPONSIBILITY_FUNCTIONS: dict[str, str] = {
    "help-desk": "Help desk",
    "tier-3-escalation": "Tier 3 escalation",
    "after-hours-monitoring": "After-hours monitoring",
    "patching": "Patching",
    "backup-dr": "Backup and disaster recovery",
    "security-operations": "Security operations",
    "vcio-strategy": "vCIO strategy",
    "projects": "Projects",
}
OWNERS = {"internal": "Our team", "msp": "The MSP", "shared": "Shared"}


@dataclass(frozen=True)
class SplitRisks:
    dropped: list[str]  # functions nobody owns: tasks fall between the chairs
    finger_pointing: list[str]  # functions both sides own: each can blame the other


def split_risks(split: dict[str, str]) -> SplitRisks:
    """Risks of a co-managed responsibility split (function -> internal, msp or shared)."""
    return SplitRisks(
        dropped=[f for f in RESPONSIBILITY_FUNCTIONS if split.get(f) not in OWNERS],
        finger_pointing=[f for f in RESPONSIBILITY_FUNCTIONS if split.get(f) == "shared"],
    )


def coverage_note(model: str, scope_included: list[str], split: dict[str, str]) -> str:
    """What a bid leaves uncovered, in a few words for lists and comparisons."""
    if model == FULLY_MANAGED:
        missing = len(FULLY_MANAGED_INCLUSIONS) - len(set(scope_included))
        return f"{missing} of {len(FULLY_MANAGED_INCLUSIONS)} usual inclusions not covered" if missing else ""
    risks = split_risks(split or {})
    parts = []
    if risks.dropped:
        parts.append(f"{len(risks.dropped)} function{'s' if len(risks.dropped) != 1 else ''} unowned")
    if risks.finger_pointing:
        parts.append(f"{len(risks.finger_pointing)} shared")
    return ", ".join(parts)


# --- Typical prices ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceRange:
    low: Decimal
    high: Decimal
    measure: str  # "rate" or "monthly_cost"
    unit: str
    open_ended: bool = False  # the guide writes "$15,000+": above is unusual, not impossible


FM_MONTHLY = PriceRange(Decimal(2500), Decimal(15000), "monthly_cost", "per month", open_ended=True)
CM_MONTHLY = PriceRange(Decimal(1500), Decimal(8000), "monthly_cost", "per month for the MSP portion", True)
PRICE_RANGES: dict[tuple[str, str], PriceRange] = {
    ("fully_managed", "per_user"): PriceRange(Decimal(100), Decimal(250), "rate", "per user per month"),
    ("fully_managed", "per_device"): PriceRange(Decimal(75), Decimal(200), "rate", "per device per month"),
    ("fully_managed", "flat"): FM_MONTHLY,
    ("fully_managed", "hourly"): FM_MONTHLY,
    ("fully_managed", "hybrid"): FM_MONTHLY,
    ("co_managed", "hourly"): PriceRange(Decimal(125), Decimal(250), "rate", "per hour"),
    ("co_managed", "per_device"): PriceRange(Decimal(20), Decimal(75), "rate", "per device per month"),
    ("co_managed", "flat"): CM_MONTHLY,
    ("co_managed", "hybrid"): CM_MONTHLY,
    ("co_managed", "per_user"): CM_MONTHLY,
}
SLOWEST_TYPICAL_CRITICAL_RESPONSE = 60  # minutes; the guide's SLAs run 15 to 60
IT_MANAGER_SALARY = (Decimal(75000), Decimal(150000))  # a year, "+"


def price_marks(
    *, model: str, pricing_model: str, rate: Decimal | None, monthly_cost: Decimal, critical_response: int | None
) -> list[str]:
    """Information, not red flags: where a bid sits outside the guide's typical ranges."""
    marks = []
    typical = PRICE_RANGES.get((model, pricing_model))
    if typical is not None:
        value = rate if typical.measure == "rate" else monthly_cost
        if value is not None:
            plus = "+" if typical.open_ended else ""
            span = f"${typical.low:,.0f}–{typical.high:,.0f}{plus} {typical.unit}"
            if value < typical.low:
                marks.append(f"Below the guide's typical {span}")
            elif value > typical.high:
                marks.append(f"Above the guide's typical {span}")
    if critical_response is not None and critical_response > SLOWEST_TYPICAL_CRITICAL_RESPONSE:
        marks.append(
            f"Critical response of {critical_response} minutes is slower than the guide's typical 15–60 minutes"
        )
    return marks


# --- The needs assessment ----------------------------------------------------------------------

FULLY_MANAGED_INDICATORS: dict[str, str] = {
    "accidental_it_person": "An office manager or tech-savvy employee is the “accidental IT person”",
    "frequent_break_fix": "We rely on frequent, unpredictable break-fix calls",
    "audit_without_knowledge": "A compliance audit is coming and we lack the knowledge to pass it",
    "cannot_afford_it_manager": "We can't afford a competent internal IT manager ($75,000–150,000+ a year)",
    "technology_not_core": "Technology is essential but not part of what we do",
    "predictable_budget": "A highly predictable IT budget is a priority",
}
CO_MANAGED_INDICATORS: dict[str, str] = {
    "team_overwhelmed": "Our IT team does good work but is overwhelmed by volume",
    "needs_specialist_expertise": "We need specialist expertise (security, cloud) we can't justify hiring",
    "coverage_gaps": "Nobody covers nights, weekends and staff holidays",
    "project_capacity": "Major projects need temporary high-level capacity",
    "keep_it_in_house": "We want to keep IT in-house culturally, with internal administrative control",
    "it_as_advantage": "We are building IT operations as a competitive advantage",
}
CO_MANAGED_TRIGGERS: dict[str, str] = {
    "lead_it_leaving": "Our lead IT person is leaving or retiring",
    "audit_needs_outside_validation": "An audit needs outside, independent validation",
    "insurer_mandates_controls": "Our cyber insurer requires controls (such as a 24/7 SOC) our team can't provide",
    "cloud_migration": "A major cloud migration needs expertise we lack",
    "security_incident": "A recent security incident needs specialist response and remediation",
    "geographic_expansion": "We are expanding into a new location or time zone",
}
CO_MANAGED_WARNINGS: dict[str, str] = {
    "team_hostile": "Our internal team is hostile to outside help or sees the MSP as a threat",
    "unclear_responsibilities": "Who does what between our team and an MSP is unclear",
    "no_foundational_expertise": "Our internal team lacks foundational IT expertise",
}
FULLY_MANAGED = "fully_managed"
CO_MANAGED = "co_managed"


@dataclass(frozen=True)
class Profile:
    employees: int
    devices: int
    it_staff: int
    it_staff_annual_cost: Decimal
    heavy_compliance: bool = False
    answers: frozenset[str] = frozenset()  # the indicator, trigger and warning keys answered "yes"


@dataclass(frozen=True)
class Estimate:
    model: str
    basis: str
    low: Decimal
    high: Decimal


@dataclass
class Assessment:
    recommended: str
    rule: str
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    estimates: list[Estimate] = field(default_factory=list)
    hire_it_manager: tuple[Decimal, Decimal] = IT_MANAGER_SALARY


def _quick_rule(profile: Profile) -> tuple[str, str, str] | None:
    """The guide's quick decision table: (model, rule, reason), or None when no row fits."""
    e, staff = profile.employees, profile.it_staff
    if e < 50 and staff == 0:
        return (
            FULLY_MANAGED,
            "under-50-no-it",
            "Under 50 employees with no IT staff: the guide points to fully managed.",
        )
    if 50 <= e <= 100 and staff == 1:
        return (
            CO_MANAGED,
            "50-100-one-it",
            "50–100 employees with one IT person: co-managed, to back up the solo worker.",
        )
    if 100 <= e <= 300 and 2 <= staff <= 5:
        return (
            CO_MANAGED,
            "100-300-small-team",
            "100–300 employees with 2–5 IT staff: co-managed is strongly recommended.",
        )
    if e >= 300 and staff >= 2:
        return (
            CO_MANAGED,
            "300-plus-department",
            "300+ employees with an established IT department: co-managed, or selective specialist engagements.",
        )
    return None


def assess(profile: Profile) -> Assessment:
    """Recommend a model with the guide's reasons and warnings, and a first yearly cost of each."""
    yes = profile.answers
    fm_signals = [text for key, text in FULLY_MANAGED_INDICATORS.items() if key in yes]
    cm_signals = [text for key, text in {**CO_MANAGED_INDICATORS, **CO_MANAGED_TRIGGERS}.items() if key in yes]
    warnings = [text for key, text in CO_MANAGED_WARNINGS.items() if key in yes]

    quick = _quick_rule(profile)
    if profile.it_staff == 0:
        model, rule = FULLY_MANAGED, "no-it-staff"
        reasons = ["With no internal IT staff there is nobody for an MSP to work alongside: fully managed fits."]
        if quick:
            reasons = [quick[2]]
            rule = quick[1]
    elif "no_foundational_expertise" in yes:
        model, rule = FULLY_MANAGED, "no-foundational-expertise"
        reasons = ["Co-managed can't work without foundational IT skills in-house; fully managed sets a baseline."]
    elif "team_hostile" in yes:
        model, rule = FULLY_MANAGED, "hostile-team"
        reasons = ["Co-managed is a partnership and fails when the internal team resists outside help."]
    elif quick:
        model, rule, reason = quick
        reasons = [reason]
    elif len(cm_signals) > len(fm_signals):
        model, rule = CO_MANAGED, "indicators"
        reasons = ["More of the guide's co-managed indicators and triggers apply than fully managed ones."]
    else:
        model, rule = (FULLY_MANAGED, "indicators") if fm_signals else (CO_MANAGED, "it-staff-present")
        reasons = (
            ["More of the guide's fully managed indicators apply than co-managed ones."]
            if fm_signals
            else ["You have internal IT staff for an MSP to work alongside."]
        )
    reasons += fm_signals if model == FULLY_MANAGED else cm_signals
    if profile.heavy_compliance:
        reasons.append(
            "Heavy compliance focus: the guide says the choice then depends on how deep your internal expertise is."
        )
    if model == CO_MANAGED and "unclear_responsibilities" in yes:
        warnings.append("Write down who owns each function before signing: unclear splits drop tasks.")
    return Assessment(recommended=model, rule=rule, reasons=reasons, warnings=warnings, estimates=estimates(profile))


def estimates(profile: Profile) -> list[Estimate]:
    """First yearly cost of each model from the guide's typical ranges (low and high)."""
    year = Decimal(12)
    internal = profile.it_staff_annual_cost
    per_user = PRICE_RANGES[(FULLY_MANAGED, "per_user")]
    per_device = PRICE_RANGES[(FULLY_MANAGED, "per_device")]
    cm_device = PRICE_RANGES[(CO_MANAGED, "per_device")]
    return [
        Estimate(
            FULLY_MANAGED, "per user", per_user.low * profile.employees * year, per_user.high * profile.employees * year
        ),
        Estimate(
            FULLY_MANAGED,
            "per device",
            per_device.low * profile.devices * year,
            per_device.high * profile.devices * year,
        ),
        Estimate(FULLY_MANAGED, "flat fee", FM_MONTHLY.low * year, FM_MONTHLY.high * year),
        Estimate(
            CO_MANAGED,
            "MSP portion + internal staff",
            CM_MONTHLY.low * year + internal,
            CM_MONTHLY.high * year + internal,
        ),
        Estimate(
            CO_MANAGED,
            "per device + internal staff",
            cm_device.low * profile.devices * year + internal,
            cm_device.high * profile.devices * year + internal,
        ),
    ]


# --- The five decision steps and the common misconceptions, as the app applies them ------------

DECISION_STEPS: list[tuple[str, str]] = [
    (
        "Assess your internal capability honestly",
        "Your IT staff, what they cost and whether they keep up: the profile above.",
    ),
    (
        "Find your gaps",
        "Coverage at night and on weekends, expertise you lack, capacity for maintenance, and who plans the "
        "roadmap: the indicators and triggers you ticked.",
    ),
    (
        "Calculate the real cost of each model",
        "Not one MSP quote against another: the total, with your internal staff for co-managed. The first "
        "estimates above; each evaluation compares bids on total cost of ownership over its horizon.",
    ),
    (
        "Consider cultural fit",
        "Will your team welcome outside help, and how much control do your executives want? The warnings "
        "above say when co-managed does not work.",
    ),
    (
        "Plan for the future",
        "If you will double in size or face stricter compliance, weigh how each model scales; many businesses "
        "move from fully managed to co-managed as they hire.",
    ),
]

MISCONCEPTIONS: list[str] = [
    "Co-managed is not a vote of no confidence in your team: it gives them tools and specialist backup.",
    "Fully managed doesn't mean losing control: good providers report regularly and you keep strategy and budget.",
    "Co-managed is not always cheaper: internal salaries, benefits and taxes come on top of the MSP fee.",
    "Fully managed is not only for small businesses: many firms of 200+ staff use it to stay focused.",
    "You can switch models as you grow, for example to co-managed once you hire an IT director.",
    "Not every MSP does both models well: check which one each candidate really delivers.",
]
