"""Load the GB/T 2260 region table shipped in ``shops/data/regions_gb2260.csv``."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "regions_gb2260.csv"


def load(apps, schema_editor):
    Region = apps.get_model("shops", "Region")
    with DATA.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    order = {"province": 0, "city": 1, "district": 2}
    rows.sort(key=lambda r: (order[r["level"]], r["code"]))
    Region.objects.bulk_create(
        [Region(code=r["code"], name=r["name"], level=r["level"], parent_id=r["parent"] or None) for r in rows],
        batch_size=1000,
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    apps.get_model("shops", "Region").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("shops", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
