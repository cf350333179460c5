from django.db import migrations


def seed(apps, schema_editor):
    from cleanprod.resources.seed import RESOURCES, factor_rows

    Resource = apps.get_model("resources", "Resource")
    Factor = apps.get_model("resources", "Factor")
    by_code = {}
    for code, name_zh, name_en, category, unit, is_energy, hw in RESOURCES:
        resource, _ = Resource.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "category": category,
                "canonical_unit": unit,
                "is_energy": is_energy,
                "hw_category": hw,
            },
        )
        by_code[code] = resource
    for row in factor_rows():
        row = dict(row)
        resource = by_code[row.pop("resource")]
        key = {k: row.pop(k) for k in ("kind", "series", "region", "data_year")}
        Factor.objects.get_or_create(resource=resource, version=1, **key, defaults=row)


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
