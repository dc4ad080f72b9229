"""PostgreSQL: a BRIN index on ``shops_order.paid_at`` (the badge run's day, a tenth of a month).

Orders arrive in payment-time order, so each block range holds a narrow span of ``paid_at``: a
BRIN index of a few hundred kB lets the planner read only the blocks of day D out of a month.
With the B-tree alone it read the whole month (a parallel seq scan: a tenth of the rows match,
and a bitmap of a B-tree over a tenth of the table is estimated to touch every page) —
bench/README.md, ``--other-days``. Not in the model's state: SQLite has no BRIN; the B-tree
``order_paid_at_idx`` stays for the small ranges (a day of a shop, the admin's drill-down).
Built ``CONCURRENTLY`` (no lock on order writes), hence not atomic."""

from django.db import migrations

INDEX = "order_paid_at_brin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON shops_order USING brin (paid_at)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("shops", "0002_load_regions")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
