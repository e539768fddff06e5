from django.db import migrations


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="MSP")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_form_submissions")]

    # The group is never removed on the way back: users may belong to it.
    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
