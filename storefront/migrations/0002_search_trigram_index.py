"""On PostgreSQL, a trigram GIN index on ``search_text`` so ``LIKE '%word%'`` (library search)
uses an index instead of scanning the library. pg_trgm hashes CJK characters into trigrams, so
Chinese words of 3+ characters are served by it. Other databases keep the plain scan."""

from django.db import migrations

INDEX = "storefront_libraryitem_search_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON storefront_libraryitem USING gin (search_text gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("storefront", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
