from django.db import migrations


def seed(apps, schema_editor):
    from cleanprod.resources.seed import load_seed

    load_seed(apps.get_model("resources", "Resource"), apps.get_model("resources", "Factor"))


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
