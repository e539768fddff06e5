from django.db import migrations

# The areas of expertise the guide names when it describes what an MSP brings
# (security operations, cloud, compliance, backup, strategy, tooling).
SPECIALTIES = [
    ("security-soc", "Security operations (SOC)"),
    ("cloud-azure", "Cloud / Azure"),
    ("cloud-aws", "Cloud / AWS"),
    ("microsoft-365", "Microsoft 365"),
    ("compliance-hipaa", "Compliance: HIPAA"),
    ("compliance-soc2", "Compliance: SOC 2"),
    ("compliance-pci", "Compliance: PCI DSS"),
    ("backup-dr", "Backup and disaster recovery"),
    ("vcio", "Strategy / vCIO"),
    ("network-infrastructure", "Network infrastructure"),
    ("rmm-psa-tools", "RMM / PSA tooling"),
    ("help-desk", "End-user help desk"),
    ("projects-migrations", "Projects and migrations"),
]


def create_specialties(apps, schema_editor):
    Specialty = apps.get_model("vendors", "Specialty")
    for slug, name in SPECIALTIES:
        Specialty.objects.get_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("vendors", "0001_initial")]

    operations = [migrations.RunPython(create_specialties, migrations.RunPython.noop)]
