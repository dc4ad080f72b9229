"""On PostgreSQL the stats table becomes partitioned by run (``LIST (run_id)``): a run writes a new
table of its own, indexes it once and attaches it (``badges.computation``). The primary key
becomes ``(id, run_id)`` there (a partitioned table's unique keys hold its partition key; ``id``
still comes from one sequence, so it stays unique); the reference to the withholding report
carries no database constraint (checking it would scan every new partition at attach; reports
are never deleted). SQLite keeps one plain table."""

from django.db import migrations, models

TABLE = "badges_productpickupstat"
PLAIN = "badges_productpickupstat_plain"
COLUMNS = (
    "id, run_id, attempt, day, product_id, shop_id, paid_orders, picked_up_48h, rate, meets_threshold, badged, "
    "ranking_boost, withheld_reason, withheld_report_id"
)


def _sql(schema_editor, sql, params=None):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall() if cursor.description else None


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _sql(schema_editor, f"ALTER TABLE {TABLE} RENAME TO {PLAIN}")
    _sql(schema_editor, f"ALTER TABLE {PLAIN} RENAME CONSTRAINT {TABLE}_pkey TO {PLAIN}_pkey")
    _sql(schema_editor, f"ALTER TABLE {PLAIN} RENAME CONSTRAINT uniq_pickupstat_run_product_attempt TO {PLAIN}_uniq")
    _sql(
        schema_editor,
        f"CREATE TABLE {TABLE} (LIKE {PLAIN} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY) "
        f"PARTITION BY LIST (run_id)",
    )
    _sql(schema_editor, f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, run_id)")
    _sql(
        schema_editor,
        f"ALTER TABLE {TABLE} ADD CONSTRAINT uniq_pickupstat_run_product_attempt UNIQUE (run_id, product_id, attempt)",
    )
    _sql(
        schema_editor,
        f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {PLAIN}), false)",
    )
    for run_id, attempt in _sql(schema_editor, f"SELECT DISTINCT run_id, MAX(attempt) FROM {PLAIN} GROUP BY run_id"):
        part = f"{TABLE}_r{int(run_id)}_a{int(attempt)}"
        _sql(
            schema_editor,
            f"CREATE TABLE {part} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
            f"CONSTRAINT {part}_run CHECK (run_id = {int(run_id)}))",
        )
        _sql(schema_editor, f"INSERT INTO {part} ({COLUMNS}) SELECT {COLUMNS} FROM {PLAIN} WHERE run_id = %s", [run_id])
        _sql(schema_editor, f"ALTER TABLE {part} ADD CONSTRAINT {part}_pkey PRIMARY KEY (id, run_id)")
        _sql(schema_editor, f"ALTER TABLE {part} ADD CONSTRAINT {part}_uniq UNIQUE (run_id, product_id, attempt)")
        _sql(schema_editor, f"ALTER TABLE {TABLE} ATTACH PARTITION {part} FOR VALUES IN ({int(run_id)})")
    _sql(schema_editor, f"DROP TABLE {PLAIN}")


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _sql(schema_editor, f"ALTER TABLE {TABLE} RENAME TO {PLAIN}")
    _sql(schema_editor, f"ALTER TABLE {PLAIN} RENAME CONSTRAINT {TABLE}_pkey TO {PLAIN}_pkey")
    _sql(schema_editor, f"ALTER TABLE {PLAIN} RENAME CONSTRAINT uniq_pickupstat_run_product_attempt TO {PLAIN}_uniq")
    _sql(schema_editor, f"CREATE TABLE {TABLE} (LIKE {PLAIN} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY)")
    _sql(schema_editor, f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")
    _sql(
        schema_editor,
        f"ALTER TABLE {TABLE} ADD CONSTRAINT uniq_pickupstat_run_product_attempt UNIQUE (run_id, product_id, attempt)",
    )
    _sql(schema_editor, f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {PLAIN}")
    _sql(
        schema_editor,
        f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {TABLE}), false)",
    )
    _sql(schema_editor, f"DROP TABLE {PLAIN} CASCADE")


class Migration(migrations.Migration):
    dependencies = [
        ("badges", "0002_stats_keyed_by_run_product_attempt"),
        ("reports", "0003_request_id_sequence"),
    ]

    operations = [
        migrations.AlterField(
            model_name="productpickupstat",
            name="withheld_report",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="reports.deliveryreport",
                verbose_name="withheld by report",
            ),
        ),
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
