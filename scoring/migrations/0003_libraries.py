"""The question and requirement libraries, from the guide's questions for each model.

Source: "Co-Managed IT vs Fully Managed IT" (GlobeVM, May 2026), "How to evaluate
an MSP for your chosen model". Reworded for the app; rubrics are the app's own.
"""

from decimal import Decimal

from django.db import migrations

QUESTIONS = [
    # key, model, category, text, rubric 0..5
    (
        "fm-sla-response",
        "fully_managed",
        "Service",
        "How fast do they respond on average, and is a critical response time guaranteed in a written SLA?",
        [
            "No SLA, or only “best effort” promises.",
            "An SLA exists but sets no response time for critical issues.",
            "Critical response time stated but slower than 60 minutes, with no remedy.",
            "Critical response within 60 minutes, guaranteed; remedies vague.",
            "Critical response within 30 minutes, guaranteed, with service credits.",
            "Critical response within 15 minutes, guaranteed, credits, and monthly SLA reports.",
        ],
    ),
    (
        "fm-scope-clarity",
        "fully_managed",
        "Scope",
        "Is it clear what the flat fee covers, and what makes work an out-of-scope, billable project?",
        [
            "Cannot say what the fee covers.",
            "Scope described only in marketing terms.",
            "Written inclusions, but exclusions and project triggers left open.",
            "Written inclusions and exclusions; project triggers partly defined.",
            "Complete written scope with clear project triggers and rates.",
            "Complete scope, clear triggers, and an agreed approval step before any billable work.",
        ],
    ),
    (
        "fm-vcio-strategy",
        "fully_managed",
        "Strategy",
        "Is strategic vCIO guidance included, and how often would we meet to review the technology roadmap?",
        [
            "No strategic guidance offered.",
            "Strategy only as a separately billed extra.",
            "Ad hoc advice on request, no regular meetings.",
            "Included; yearly roadmap review.",
            "Included; quarterly roadmap and budget reviews.",
            "Included; quarterly reviews with a written three-year roadmap and budget.",
        ],
    ),
    (
        "fm-industry-compliance",
        "fully_managed",
        "Compliance",
        "Have they shown proven compliance experience in our industry?",
        [
            "No relevant compliance experience.",
            "General awareness only, no clients in our industry.",
            "A few clients in our industry, no audit track record.",
            "Several clients in our industry; has supported audits.",
            "Documented audit successes in our industry; signs the agreements we need.",
            "Deep, documented track record in our industry, with named compliance staff and evidence on request.",
        ],
    ),
    (
        "fm-comparable-references",
        "fully_managed",
        "References",
        "Can they give references from businesses of similar size and complexity, and what do those say?",
        [
            "Refuses or cannot give references.",
            "References offered but not comparable to us.",
            "Comparable references, mixed feedback.",
            "Comparable references, mostly positive.",
            "Several comparable references, consistently positive.",
            "Several comparable references, consistently positive, including clients who stayed three years or more.",
        ],
    ),
    (
        "cm-integration-experience",
        "co_managed",
        "Partnership",
        "What is their experience of working alongside established internal IT teams?",
        [
            "Has never worked alongside an internal team.",
            "One or two co-managed clients, no defined approach.",
            "Some co-managed clients; approach depends on the engineer.",
            "Established co-managed practice with a written engagement model.",
            "Mature practice, clear role split, dedicated co-managed staff.",
            "Mature practice, proven with clients like us, with a named team lead and a joint operating guide.",
        ],
    ),
    (
        "cm-escalation-handoff",
        "co_managed",
        "Service",
        "How exactly do they take escalations from our team, and what is the technical handoff?",
        [
            "No defined escalation path.",
            "Escalation by email or phone, no tracking.",
            "A ticket queue, but handoff details left to each case.",
            "Documented escalation path with tracked tickets.",
            "Documented path, shared tickets, response targets per severity.",
            "Documented path, shared tickets, targets, and a joint review of every major escalation.",
        ],
    ),
    (
        "cm-tooling",
        "co_managed",
        "Tools",
        "Which tools (RMM, PSA, documentation) do they provide, and will our team use theirs or ours?",
        [
            "No tools offered.",
            "Their tools only, no access for our team.",
            "Read-only access to their tools.",
            "Shared access to RMM and PSA.",
            "Shared RMM, PSA and documentation, with training for our team.",
            "Shared enterprise-grade tooling, training, and a choice to integrate with ours.",
        ],
    ),
    (
        "cm-specialist-expertise",
        "co_managed",
        "Expertise",
        "What specialised expertise do they bring that we likely lack (for example a dedicated SOC, Azure architects)?",
        [
            "Nothing beyond what our team already has.",
            "Generalists with some specialist knowledge.",
            "One relevant specialty, thinly staffed.",
            "Relevant specialists available on request.",
            "Dedicated specialists in the areas we need, with certifications.",
            "Dedicated, certified specialists in every gap we named, plus a 24/7 SOC.",
        ],
    ),
    (
        "cm-joint-success-measures",
        "co_managed",
        "Partnership",
        "How would we measure the success of the partnership together?",
        [
            "No measures proposed.",
            "Vague promises of satisfaction.",
            "Ticket statistics only.",
            "Agreed service metrics reviewed occasionally.",
            "Agreed metrics and quarterly joint reviews.",
            "Agreed metrics, quarterly reviews, and a performance-based exit clause tied to them.",
        ],
    ),
]

REQUIREMENTS = [
    ("hipaa-baa", "Signs a HIPAA business associate agreement", "HIPAA"),
    ("soc2-report", "Provides a current SOC 2 Type II report", "SOC 2"),
    ("cyber-insurance", "Carries cyber liability insurance of at least $1 million", ""),
    ("pci-dss", "Supports PCI DSS compliance for systems that handle card data", "PCI DSS"),
    ("background-checks", "Background-checks every technician with access to our systems", ""),
    ("us-data-residency", "Keeps our data and backups in the United States", ""),
    ("monitoring-24x7", "Monitors our systems 24/7, nights and weekends included", ""),
]


def seed(apps, schema_editor):
    QuestionTemplate = apps.get_model("scoring", "QuestionTemplate")
    RequirementTemplate = apps.get_model("scoring", "RequirementTemplate")
    for position, (key, model, category, text, rubric) in enumerate(QUESTIONS):
        QuestionTemplate.objects.get_or_create(
            key=key,
            defaults={
                "model": model,
                "category": category,
                "text": text,
                "rubric": rubric,
                "default_weight": Decimal("15"),
                "position": position,
            },
        )
    for position, (key, text, compliance) in enumerate(REQUIREMENTS):
        RequirementTemplate.objects.get_or_create(
            key=key, defaults={"text": text, "compliance": compliance, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("scoring", "0002_evaluations")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
