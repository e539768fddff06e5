"""Fill an empty database with a realistic demo: a buyer, a dozen MSPs, one user per role.

Only for DEBUG installations: it creates users with printed passwords.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.roles import AUDITOR, EVALUATOR, EXECUTIVE, PROCUREMENT
from core.history import acting_as
from scoring import services as scoring_services
from scoring.forms.responses import validated
from scoring.guide import FULLY_MANAGED_INCLUSIONS
from scoring.models import Candidate, Evaluation, Model, Organization, RequirementTemplate, Status
from vendors import services as vendor_services
from vendors.models import MSP, OnsiteAvailability, ReferenceOutcome, Specialty

USERS = [
    # username, first, last, role (None: superuser)
    ("admin", "Ada", "Admin", None),
    ("procurement", "Priya", "Shah", PROCUREMENT),
    ("evaluator", "Evan", "Brooks", EVALUATOR),
    ("evaluator2", "Elena", "Ruiz", EVALUATOR),
    ("evaluator3", "Sam", "Lee", EVALUATOR),
    ("executive", "Marcus", "Cole", EXECUTIVE),
    ("auditor", "Aisha", "Okafor", AUDITOR),
]

ORGANIZATION = {
    "name": "Harbor Dental Group",
    "employees": 120,
    "devices": 150,
    "it_staff": 2,
    "it_staff_annual_cost": Decimal("180000"),
    "industry": "healthcare",
    "compliance": ["HIPAA"],
}

# name, website, hq, area, on-site, fully managed, co-managed, specialties, notes,
# contacts [(name, title, email, phone)], references [(client, employees, industry, outcome, days ago, notes)]
MSPS: list[dict[str, Any]] = [
    {
        "name": "Pacific Coast Managed IT",
        "website": "https://pacificcoastmit.example",
        "headquarters": "Los Angeles, CA",
        "service_area": "Southern California",
        "onsite": OnsiteAvailability.SAME_DAY,
        "fully": True,
        "co": True,
        "specialties": ["compliance-hipaa", "security-soc", "backup-dr", "vcio"],
        "notes": "Runs its own 24/7 SOC. Healthcare is about a third of its client base.",
        "contacts": [("Dana Whitfield", "Account executive", "dana@pacificcoastmit.example", "+1 213 555 0141")],
        "references": [
            (
                "Westside Pediatrics",
                45,
                "healthcare",
                ReferenceOutcome.POSITIVE,
                20,
                "Response within 20 minutes on every P1 last year.",
            ),
            (
                "Marina Orthodontics",
                30,
                "healthcare",
                ReferenceOutcome.POSITIVE,
                18,
                "Helped them pass a HIPAA risk assessment.",
            ),
            ("Sunset Legal LLP", 60, "legal", ReferenceOutcome.NOT_CHECKED, None, ""),
        ],
    },
    {
        "name": "Summit Tech Partners",
        "website": "https://summittech.example",
        "headquarters": "Irvine, CA",
        "service_area": "Orange County and Los Angeles",
        "onsite": OnsiteAvailability.NEXT_DAY,
        "fully": False,
        "co": True,
        "specialties": ["cloud-azure", "projects-migrations", "rmm-psa-tools"],
        "notes": "Co-managed only. Gives the internal team its RMM and PSA licences.",
        "contacts": [("Luis Moreno", "Co-managed practice lead", "luis@summittech.example", "+1 949 555 0177")],
        "references": [
            (
                "Orange Valley Credit Union",
                210,
                "financial services",
                ReferenceOutcome.POSITIVE,
                25,
                "Tier 3 escalations handled well; clear handoff.",
            ),
            (
                "Irvine Biotech",
                140,
                "life sciences",
                ReferenceOutcome.MIXED,
                22,
                "Strong on Azure, slow on after-hours tickets.",
            ),
        ],
    },
    {
        "name": "BrightPath IT Services",
        "website": "https://brightpath-it.example",
        "headquarters": "San Diego, CA",
        "service_area": "San Diego County",
        "onsite": OnsiteAvailability.SAME_DAY,
        "fully": True,
        "co": False,
        "specialties": ["help-desk", "microsoft-365", "backup-dr"],
        "notes": "Flat-fee fully managed bundles for offices of 10 to 80 people.",
        "contacts": [("Hannah Lee", "Sales director", "hannah@brightpath-it.example", "+1 619 555 0102")],
        "references": [
            ("Coronado Realty", 25, "real estate", ReferenceOutcome.POSITIVE, 15, ""),
            ("Mission Bay Accounting", 35, "accounting", ReferenceOutcome.POSITIVE, 14, "Good quarterly vCIO reviews."),
        ],
    },
    {
        "name": "Ironclad Cyber & IT",
        "website": "https://ironclad-cyber.example",
        "headquarters": "Pasadena, CA",
        "service_area": "Greater Los Angeles",
        "onsite": OnsiteAvailability.SCHEDULED,
        "fully": True,
        "co": True,
        "specialties": ["security-soc", "compliance-soc2", "compliance-pci", "network-infrastructure"],
        "notes": "Security-first provider; holds its own SOC 2 Type II report.",
        "contacts": [("Robert Chen", "Managing partner", "robert@ironclad-cyber.example", "+1 626 555 0190")],
        "references": [
            (
                "Pasadena Community Bank",
                180,
                "financial services",
                ReferenceOutcome.POSITIVE,
                30,
                "Passed PCI audit with their help.",
            ),
            (
                "Arroyo Engineering",
                90,
                "construction",
                ReferenceOutcome.UNREACHABLE,
                28,
                "Two voicemails, no call back.",
            ),
        ],
    },
    {
        "name": "ClearSky Cloud Services",
        "website": "https://clearskycloud.example",
        "headquarters": "Austin, TX",
        "service_area": "United States (remote)",
        "onsite": OnsiteAvailability.REMOTE_ONLY,
        "fully": False,
        "co": True,
        "specialties": ["cloud-azure", "cloud-aws", "projects-migrations"],
        "notes": "Remote cloud engineering team for migrations and landing zones.",
        "contacts": [("Megan Price", "Solutions architect", "megan@clearskycloud.example", "")],
        "references": [
            (
                "Lone Star Logistics",
                320,
                "logistics",
                ReferenceOutcome.POSITIVE,
                40,
                "Completed an Azure migration on schedule.",
            ),
        ],
    },
    {
        "name": "Valley Network Solutions",
        "website": "https://valleynet.example",
        "headquarters": "Fresno, CA",
        "service_area": "Central Valley",
        "onsite": OnsiteAvailability.SAME_DAY,
        "fully": True,
        "co": False,
        "specialties": ["network-infrastructure", "help-desk"],
        "notes": "Quoted a single per-user price before seeing our environment.",
        "contacts": [("Tom Garza", "Owner", "tom@valleynet.example", "+1 559 555 0133")],
        "references": [],
    },
    {
        "name": "Harborview MSP",
        "website": "https://harborviewmsp.example",
        "headquarters": "Long Beach, CA",
        "service_area": "South Bay and Long Beach",
        "onsite": OnsiteAvailability.DEDICATED,
        "fully": True,
        "co": True,
        "specialties": ["compliance-hipaa", "help-desk", "vcio", "microsoft-365"],
        "notes": "Can place a technician on site two days a week.",
        "contacts": [
            ("Grace Kim", "Client success manager", "grace@harborviewmsp.example", "+1 562 555 0150"),
            ("Omar Haddad", "Service desk manager", "omar@harborviewmsp.example", "+1 562 555 0151"),
        ],
        "references": [
            (
                "Bayside Dental Care",
                40,
                "healthcare",
                ReferenceOutcome.POSITIVE,
                12,
                "Very responsive; knows dental imaging software.",
            ),
            ("Long Beach Family Law", 22, "legal", ReferenceOutcome.NOT_CHECKED, None, ""),
        ],
    },
    {
        "name": "Apex Managed Services",
        "website": "https://apexmanaged.example",
        "headquarters": "Phoenix, AZ",
        "service_area": "Southwest United States",
        "onsite": OnsiteAvailability.NEXT_DAY,
        "fully": True,
        "co": True,
        "specialties": ["backup-dr", "rmm-psa-tools", "help-desk"],
        "notes": "Asks for a 60-month term; exit clause under discussion.",
        "contacts": [("Kyle Benson", "Regional sales", "kyle@apexmanaged.example", "+1 602 555 0166")],
        "references": [
            (
                "Desert Sun Clinics",
                150,
                "healthcare",
                ReferenceOutcome.NEGATIVE,
                10,
                "Struggled to leave a long contract.",
            ),
            ("Scottsdale Property Group", 55, "real estate", ReferenceOutcome.MIXED, 9, ""),
        ],
    },
    {
        "name": "Northstar vCIO Group",
        "website": "https://northstarvcio.example",
        "headquarters": "Santa Monica, CA",
        "service_area": "Los Angeles (strategy engagements nationwide)",
        "onsite": OnsiteAvailability.SCHEDULED,
        "fully": False,
        "co": True,
        "specialties": ["vcio", "compliance-hipaa", "compliance-soc2"],
        "notes": "Strategic partnership model: roadmaps and budgets with the internal team.",
        "contacts": [("Samantha Ortiz", "Principal vCIO", "sam@northstarvcio.example", "+1 310 555 0120")],
        "references": [
            (
                "Santa Monica Health Partners",
                260,
                "healthcare",
                ReferenceOutcome.POSITIVE,
                35,
                "Three-year roadmap delivered; board liked it.",
            ),
            ("Venice Creative Studio", 80, "media", ReferenceOutcome.POSITIVE, 33, ""),
        ],
    },
    {
        "name": "Redwood IT Collective",
        "website": "https://redwoodit.example",
        "headquarters": "Sacramento, CA",
        "service_area": "Northern California",
        "onsite": OnsiteAvailability.NEXT_DAY,
        "fully": True,
        "co": True,
        "specialties": ["security-soc", "backup-dr", "cloud-azure"],
        "notes": "",
        "contacts": [("Jordan Patel", "Business development", "jordan@redwoodit.example", "+1 916 555 0108")],
        "references": [
            ("Capitol Accounting", 48, "accounting", ReferenceOutcome.NOT_CHECKED, None, ""),
            ("Folsom Dental Partners", 65, "healthcare", ReferenceOutcome.NOT_CHECKED, None, ""),
        ],
    },
    {
        "name": "Meridian Support Desk",
        "website": "https://meridiansupport.example",
        "headquarters": "Las Vegas, NV",
        "service_area": "Nevada and Southern California",
        "onsite": OnsiteAvailability.REMOTE_ONLY,
        "fully": False,
        "co": True,
        "specialties": ["help-desk", "rmm-psa-tools"],
        "notes": "After-hours coverage for internal teams; nights, weekends and holidays.",
        "contacts": [("Chris Nakamura", "Partnerships", "chris@meridiansupport.example", "+1 702 555 0188")],
        "references": [
            (
                "Silver State Hotels",
                400,
                "hospitality",
                ReferenceOutcome.POSITIVE,
                21,
                "Nights and weekends covered for two years.",
            ),
        ],
    },
    {
        "name": "Canyon Compliance IT",
        "website": "https://canyoncompliance.example",
        "headquarters": "Riverside, CA",
        "service_area": "Inland Empire",
        "onsite": OnsiteAvailability.SAME_DAY,
        "fully": True,
        "co": False,
        "specialties": ["compliance-hipaa", "compliance-pci", "security-soc"],
        "notes": "Signs a HIPAA business associate agreement as standard.",
        "contacts": [("Rachel Adams", "Compliance lead", "rachel@canyoncompliance.example", "+1 951 555 0111")],
        "references": [
            (
                "Riverside Medical Imaging",
                70,
                "healthcare",
                ReferenceOutcome.POSITIVE,
                16,
                "Audit-ready documentation.",
            ),
            ("Temecula Family Practice", 18, "healthcare", ReferenceOutcome.POSITIVE, 16, ""),
            ("Corona Title & Escrow", 33, "financial services", ReferenceOutcome.NOT_CHECKED, None, ""),
        ],
    },
]


class Command(BaseCommand):
    help = "Fill an empty database with a demo buyer, a dozen MSPs and one user per role (DEBUG only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the database already has users or MSPs.",
        )
        parser.add_argument("--password", help="Give every demo user this password instead of random ones.")

    def handle(self, *args: Any, if_empty: bool, password: str | None, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo creates users with known passwords: it only runs with DEBUG=true.")
        if User.objects.exists() or MSP.objects.exists():
            if if_empty:
                self.stdout.write("The database already has data; the demo was not loaded.")
                return
            raise CommandError("The database is not empty; the demo only fills an empty one.")

        with transaction.atomic():
            passwords = self._create_users(password)
            procurement = User.objects.get(username="procurement")
            with acting_as(procurement):
                Organization.objects.create(**ORGANIZATION)
                self._create_msps(procurement)
            evaluation = self._create_evaluation(procurement)
            awarded = self._create_awarded(procurement)
            bidders = self._create_tender(procurement, password)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: Harbor Dental Group, 12 MSPs, the evaluation “{evaluation.title}” (6 bids, "
                f"scoring) and “{awarded.title}” (awarded, with its record)."
            )
        )
        self.stdout.write(f"Log in at {settings.SITE_URL}/accounts/login/ as:")
        width = max(len(u) for u in [*passwords, *bidders])
        for username, _first, _last, role in USERS:
            self.stdout.write(f"  {username.ljust(width)}  {passwords[username]}  ({role or 'Admin'})")
        for username, (secret, msp) in bidders.items():
            self.stdout.write(f"  {username.ljust(width)}  {secret}  (MSP: {msp}, in the bid room)")

    def _create_users(self, password: str | None) -> dict[str, str]:
        passwords = {}
        for username, first, last, role in USERS:
            passwords[username] = password or secrets.token_urlsafe(9)
            email = f"{username}@harbordental.example"
            if role is None:
                user = User.objects.create_superuser(username, email, passwords[username])
            else:
                user = User.objects.create_user(username, email, passwords[username])
            user.first_name, user.last_name = first, last
            user.save(update_fields=["first_name", "last_name"])
            if role:
                user.groups.add(Group.objects.get(name=role))
        return passwords

    def _create_evaluation(self, owner: User) -> Evaluation:
        today = date.today()
        with acting_as(owner):
            evaluation = scoring_services.evaluation_create(
                owner=owner,
                title="Managed IT services 2027",
                model=Model.BOTH,
                term_months=36,
                scoring_due=today + timedelta(days=7),
                decision_due=today + timedelta(days=21),
                organization_name=ORGANIZATION["name"],
                employees=ORGANIZATION["employees"],
                devices=ORGANIZATION["devices"],
                it_staff=ORGANIZATION["it_staff"],
                it_staff_annual_cost=ORGANIZATION["it_staff_annual_cost"],
                industry=ORGANIZATION["industry"],
                compliance=ORGANIZATION["compliance"],
                requirement_templates=RequirementTemplate.objects.filter(key__in=["hipaa-baa", "cyber-insurance"]),
            )
            evaluation = scoring_services.evaluation_transition(evaluation=evaluation, to=Status.COLLECTING_BIDS)
            requirements = list(evaluation.requirements.all())
            bids = {}
            for data in DEMO_BIDS:
                fields = dict(data)
                msp = MSP.objects.get(name=fields.pop("vendor"))
                bids[msp.name] = scoring_services.bid_create(
                    evaluation=evaluation,
                    msp=msp,
                    requirements_met=requirements,
                    environment_assessed=True,
                    documented_escalation=True,
                    documented_onboarding=True,
                    **fields,
                )
            scoring_services.waiver_create(
                bid=bids["Canyon Compliance IT"],
                code="lock-in-contract",
                reason="Canyon agreed in writing (20 Nov) to a 90-day performance exit; the addendum is with legal.",
                by=owner,
            )
            self._add_checks_and_evidence(owner, bids, requirements)
            # The bids came in on time: the due date is set once they are entered, as it stood then.
            evaluation = _set_bids_due(evaluation, today - timedelta(days=10))
            evaluation = scoring_services.evaluation_transition(evaluation=evaluation, to=Status.SCORING)
            evaluators = list(User.objects.filter(username__in=DEMO_SCORES).order_by("username"))
            scoring_services.evaluators_add(evaluation=evaluation, users=evaluators)

        for user in evaluators:
            assignment = evaluation.assignments.get(evaluator=user)
            leanings = DEMO_SCORES[user.username]
            with acting_as(user):
                if user.username == "evaluator2":
                    scoring_services.conflict_declare(
                        assignment=assignment,
                        msp=bids["Harborview MSP"].msp,
                        note="I worked at Harborview until 2024.",
                    )
                # Signed before the bids opened to them, as every evaluator does.
                scoring_services.declaration_sign(
                    assignment=assignment, signed_name=user.get_full_name() or user.username
                )
                entries = {}
                for bid, questions in scoring_services.scorecard_slots(assignment):
                    if bid.msp.name not in leanings:
                        continue
                    for index, question in enumerate(questions):
                        score = max(0, min(5, leanings[bid.msp.name] + (index % 3) - 1))
                        entries[(bid.pk, question.pk)] = (score, "")
                scoring_services.scorecard_save(
                    assignment=assignment, entries=entries, submit=user.username != "evaluator3"
                )
        return evaluation

    def _create_awarded(self, owner: User) -> Evaluation:
        """A finished evaluation: scored, proposed by the owner, approved by the executive, locked."""
        today = date.today()
        executive = User.objects.get(username="executive")
        with acting_as(owner):
            evaluation = scoring_services.evaluation_create(
                owner=owner,
                title="Help desk pilot 2026",
                model=Model.FULLY_MANAGED,
                term_months=12,
                scoring_due=today - timedelta(days=40),
                decision_due=today - timedelta(days=30),
                organization_name=ORGANIZATION["name"],
                employees=ORGANIZATION["employees"],
                devices=ORGANIZATION["devices"],
                it_staff=ORGANIZATION["it_staff"],
                it_staff_annual_cost=ORGANIZATION["it_staff_annual_cost"],
            )
            evaluation = scoring_services.evaluation_transition(evaluation=evaluation, to=Status.COLLECTING_BIDS)
            for vendor, fee, minutes in [
                ("Pacific Coast Managed IT", 13500, 30),
                ("Harborview MSP", 12900, 45),
                ("Canyon Compliance IT", 14200, 20),
            ]:
                scoring_services.bid_create(
                    evaluation=evaluation,
                    msp=MSP.objects.get(name=vendor),
                    model=Model.FULLY_MANAGED,
                    pricing_model="flat",
                    monthly_fee=fee,
                    onboarding_fee=2500,
                    contract_term_months=12,
                    critical_response_minutes=minutes,
                    references_offered=3,
                    environment_assessed=True,
                    documented_escalation=True,
                    documented_onboarding=True,
                    performance_exit_clause=True,
                    scope_included=list(FULLY_MANAGED_INCLUSIONS),
                )
            evaluation = _set_bids_due(evaluation, today - timedelta(days=60))
            evaluation = scoring_services.evaluation_transition(evaluation=evaluation, to=Status.SCORING)
            evaluators = list(User.objects.filter(username__in=["evaluator", "evaluator2"]).order_by("username"))
            scoring_services.evaluators_add(evaluation=evaluation, users=evaluators)
        leanings = {"Pacific Coast Managed IT": 4, "Harborview MSP": 3, "Canyon Compliance IT": 3}
        for user in evaluators:
            assignment = evaluation.assignments.get(evaluator=user)
            with acting_as(user):
                scoring_services.declaration_sign(
                    assignment=assignment, signed_name=user.get_full_name() or user.username
                )
                entries = {
                    (bid.pk, question.pk): (max(0, min(5, leanings[bid.msp.name] + index % 2)), "")
                    for bid, questions in scoring_services.scorecard_slots(assignment)
                    for index, question in enumerate(questions)
                }
                scoring_services.scorecard_save(assignment=assignment, entries=entries, submit=True)
        with acting_as(owner):
            evaluation = scoring_services.evaluation_transition(evaluation=evaluation, to=Status.DECISION)
            leader = scoring_services.stored_ranking(evaluation)["ranking"][0]["vendor"]
            award = scoring_services.award_propose(
                evaluation=evaluation,
                bid=evaluation.bids.get(vendor_name=leader),
                rationale="First on service and on cost; both references confirmed the 30-minute response.",
                by=owner,
            )
        with acting_as(executive):
            scoring_services.award_decide(award=award, approve=True, comment="Approved for the pilot.", by=executive)
        return Evaluation.objects.get(pk=evaluation.pk)

    def _add_checks_and_evidence(self, owner: User, bids: dict, requirements: list) -> None:
        today = date.today()
        for vendor, client, outcome, notes in [
            ("Pacific Coast Managed IT", "Westside Pediatrics", "positive", "P1 tickets answered within 20 minutes."),
            ("Summit Tech Partners", "Orange Valley Credit Union", "positive", "Clean Tier 3 handoffs."),
            ("Apex Managed Services", "Desert Sun Clinics", "negative", "Hard to leave the contract."),
        ]:
            bid = bids[vendor]
            scoring_services.reference_check_create(
                bid=bid,
                reference=bid.msp.references.get(client=client),
                checked_on=today - timedelta(days=3),
                outcome=outcome,
                notes=notes,
                by=owner,
            )
        baa = next(r for r in requirements if r.key == "hipaa-baa")
        scoring_services.document_upload(
            bid=bids["Harborview MSP"],
            kind="evidence",
            upload=SimpleUploadedFile("harborview-signed-baa.pdf", DEMO_PDF, "application/pdf"),
            requirement=baa,
            expires_on=today + timedelta(days=20),
            by=owner,
        )
        scoring_services.document_upload(
            bid=bids["Pacific Coast Managed IT"],
            kind="proposal",
            upload=SimpleUploadedFile("pacific-coast-proposal.pdf", DEMO_PDF, "application/pdf"),
            by=owner,
        )

    def _create_tender(self, owner: User, password: str | None) -> dict[str, tuple[str, str]]:
        """An evaluation collecting bids in the bid room: Canyon's Rachel submitted a sealed bid, Apex's Kyle
        has a draft. Returns each MSP person's user name with their password and MSP."""
        today = date.today()
        with acting_as(owner):
            evaluation = scoring_services.evaluation_create(
                owner=owner,
                title="Help desk and security 2027 (bid room)",
                model=Model.FULLY_MANAGED,
                term_months=36,
                bids_due=today + timedelta(days=14),
                scoring_due=today + timedelta(days=28),
                request_publishes=["employees", "devices", "industry", "compliance"],
                organization_name=ORGANIZATION["name"],
                employees=ORGANIZATION["employees"],
                devices=ORGANIZATION["devices"],
                it_staff=ORGANIZATION["it_staff"],
                it_staff_annual_cost=ORGANIZATION["it_staff_annual_cost"],
                industry=ORGANIZATION["industry"],
                compliance=ORGANIZATION["compliance"],
            )
            evaluation = scoring_services.evaluation_transition(evaluation=evaluation, to=Status.COLLECTING_BIDS)
            msps = list(MSP.objects.filter(name__in=["Canyon Compliance IT", "Apex Managed Services"]).order_by("name"))
            candidates = scoring_services.candidate_invite(evaluation=evaluation, msps=msps, by=owner)
        bidders: dict[str, tuple[str, str]] = {}
        for candidate in candidates:
            contact = candidate.msp.contacts.first()
            with acting_as(owner):
                (invitation,) = scoring_services.bid_room_invite(
                    candidate=candidate, contacts=[contact], by=owner, mail=False
                )
            user = invitation.account.user
            secret = password or secrets.token_urlsafe(9)
            user.set_password(secret)
            user.save(update_fields=["password"])
            bidders[user.username] = (secret, candidate.msp.name)
            with acting_as(user):
                self._respond(candidate, user, submit=candidate.msp.name == "Canyon Compliance IT")
        return bidders

    def _respond(self, candidate: Candidate, user: User, *, submit: bool) -> None:
        """A response in the bid room, as the MSP's person would type it: submitted, or left as a draft."""
        questions = list(candidate.evaluation.criteria.filter(kind="question"))
        fee = "11800" if submit else "13950"
        form_data = {
            "model": ["fully_managed"], "pricing_model": ["flat"], "monthly_fee": [fee], "onboarding_fee": ["6000"],
            "retained_internal_cost": ["0"], "contract_term_months": ["24"], "critical_response_minutes": ["30"],
            "references_offered": ["3"], "environment_assessed": ["on"], "documented_escalation": ["on"],
            "documented_onboarding": ["on"], "performance_exit_clause": ["on"],
            "scope_included": ["tier-1-3-support", "help-desk", "monitoring", "security-operations", "backup-dr"],
        }  # fmt: skip
        answers = {q.key: DEMO_ANSWERS[q.key] for q in questions[: 5 if submit else 2] if q.key in DEMO_ANSWERS}
        scoring_services.response_save(candidate=candidate, by=user, form_data=form_data, answers=answers)
        if submit:
            scoring_services.response_submit(candidate=candidate, by=user, check=lambda d: validated(candidate, d))

    def _create_msps(self, checker: User) -> None:
        specialties = {s.slug: s for s in Specialty.objects.all()}
        today = date.today()
        for data in MSPS:
            msp = vendor_services.msp_create(
                name=data["name"],
                website=data["website"],
                headquarters=data["headquarters"],
                service_area=data["service_area"],
                onsite_availability=data["onsite"],
                offers_fully_managed=data["fully"],
                offers_co_managed=data["co"],
                notes=data["notes"],
                specialties=[specialties[slug] for slug in data["specialties"]],
            )
            for index, (name, title, email, phone) in enumerate(data["contacts"]):
                vendor_services.contact_create(
                    msp=msp, name=name, title=title, email=email, phone=phone, is_primary=index == 0
                )
            for client, employees, industry, outcome, days_ago, notes in data["references"]:
                vendor_services.reference_create(
                    msp=msp,
                    by=checker,
                    client=client,
                    client_employees=employees,
                    industry=industry,
                    contact_name="Office manager",
                    outcome=outcome,
                    checked_on=today - timedelta(days=days_ago) if days_ago is not None else None,
                    notes=notes,
                )


# The demo evaluation: both models, six bids, three evaluators (two submitted, one draft).
# vendor, model, pricing, amounts, terms (term months, exit clause, response, references), requirements met
DEMO_BIDS: list[dict[str, Any]] = [
    {
        "vendor": "Pacific Coast Managed IT",
        "model": "fully_managed",
        "pricing_model": "per_user",
        "rate": Decimal("145"),
        "onboarding_fee": Decimal("6000"),
        "contract_term_months": 36,
        "performance_exit_clause": True,
        "critical_response_minutes": 30,
        "references_offered": 3,
        "scope_included": [k for k in FULLY_MANAGED_INCLUSIONS if k != "procurement"],
        "scope_excluded": ["new-hardware", "software-licences", "major-projects", "cabling", "compliance-audits"],
    },
    {
        "vendor": "Harborview MSP",
        "model": "fully_managed",
        "pricing_model": "per_device",
        "rate": Decimal("115"),
        "onboarding_fee": Decimal("4000"),
        "contract_term_months": 24,
        "performance_exit_clause": True,
        "critical_response_minutes": 15,
        "references_offered": 2,
        "scope_included": list(FULLY_MANAGED_INCLUSIONS),
        "scope_excluded": ["new-hardware", "software-licences", "major-projects", "cabling"],
    },
    {
        # A 36-month term with no exit clause trips lock-in-contract; waived below with a reason.
        "vendor": "Canyon Compliance IT",
        "model": "fully_managed",
        "pricing_model": "flat",
        "monthly_fee": Decimal("16500"),
        "onboarding_fee": Decimal("3000"),
        "contract_term_months": 36,
        "performance_exit_clause": False,
        "critical_response_minutes": 20,
        "references_offered": 3,
        "scope_included": [k for k in FULLY_MANAGED_INCLUSIONS if k not in ("vcio", "procurement")],
        "scope_excluded": ["new-hardware", "software-licences", "major-projects", "cabling", "compliance-audits"],
    },
    {
        "vendor": "Summit Tech Partners",
        "model": "co_managed",
        "pricing_model": "hybrid",
        "monthly_fee": Decimal("3500"),
        "rate": Decimal("175"),
        "est_hours_per_month": Decimal("12"),
        "onboarding_fee": Decimal("2500"),
        "contract_term_months": 12,
        "performance_exit_clause": True,
        "critical_response_minutes": 60,
        "references_offered": 2,
        "arrangement": "tier-3-escalation",
        # Projects owned by nobody (a dropped task); patching shared (finger-pointing).
        "responsibilities": {
            "help-desk": "internal",
            "tier-3-escalation": "msp",
            "after-hours-monitoring": "msp",
            "patching": "shared",
            "backup-dr": "msp",
            "security-operations": "msp",
            "vcio-strategy": "internal",
        },
    },
    {
        "vendor": "Northstar vCIO Group",
        "model": "co_managed",
        "pricing_model": "hourly",
        "rate": Decimal("200"),
        "est_hours_per_month": Decimal("25"),
        "contract_term_months": 12,
        "performance_exit_clause": True,
        "critical_response_minutes": 45,
        "references_offered": 2,
        "arrangement": "strategic-partnership",
        "responsibilities": {
            "help-desk": "internal",
            "tier-3-escalation": "internal",
            "after-hours-monitoring": "internal",
            "patching": "internal",
            "backup-dr": "internal",
            "security-operations": "internal",
            "vcio-strategy": "msp",
            "projects": "internal",
        },
    },
    {
        # Five years with no way out: lock-in-contract, not waived, so it is disqualified.
        "vendor": "Apex Managed Services",
        "model": "co_managed",
        "pricing_model": "per_device",
        "rate": Decimal("45"),
        "onboarding_fee": Decimal("1500"),
        "contract_term_months": 60,
        "performance_exit_clause": False,
        "critical_response_minutes": 30,
        "references_offered": 2,
        "arrangement": "after-hours",
        "responsibilities": {"help-desk": "internal", "after-hours-monitoring": "msp", "patching": "msp"},
    },
]

DEMO_PDF = b"%PDF-1.4\n% A placeholder document for the demo.\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Each evaluator's leaning per vendor: the score every question gets, nudged per question.
DEMO_SCORES = {
    "evaluator": {
        "Pacific Coast Managed IT": 4,
        "Harborview MSP": 4,
        "Canyon Compliance IT": 3,
        "Summit Tech Partners": 4,
        "Northstar vCIO Group": 3,
        "Apex Managed Services": 2,
    },
    "evaluator2": {
        "Pacific Coast Managed IT": 5,
        "Canyon Compliance IT": 4,
        "Summit Tech Partners": 3,
        "Northstar vCIO Group": 4,
        "Apex Managed Services": 2,
    },
    "evaluator3": {"Pacific Coast Managed IT": 3, "Harborview MSP": 4},
}


# Written answers the demo's bidders give in the bid room.
DEMO_ANSWERS = {
    "fm-sla-response": "Our desk answers around the clock from two sites; a critical incident gets an engineer on the "
    "line within 30 minutes, written into the SLA with service credits when we miss it. Last year's average "
    "first response was 11 minutes.",
    "fm-scope-clarity": "The flat fee covers every item ticked in our scope: support, monitoring, patching, security "
    "operations and backup. Anything else (office moves, new hardware, large migrations) is quoted beforehand "
    "as a project, never billed without your written approval.",
    "fm-vcio-strategy": "A named vCIO meets your office manager every quarter to review the roadmap, the budget and "
    "the risks we see; a written plan follows each meeting.",
    "fm-industry-compliance": "We support 40 dental and medical practices, sign a HIPAA business associate "
    "agreement as standard, and prepare the evidence for your yearly risk assessment.",
    "fm-comparable-references": "Three practices of 40 to 80 staff will take your call: Riverside Medical "
    "Imaging, Temecula Family Practice and a third on request.",
}


def _set_bids_due(evaluation: Evaluation, day: date) -> Evaluation:
    fresh = Evaluation.objects.get(pk=evaluation.pk)
    return scoring_services.evaluation_update(evaluation=fresh, expected_version=fresh.version, bids_due=day)
