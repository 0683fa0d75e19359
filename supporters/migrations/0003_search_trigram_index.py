"""A trigram index for the keyword search on PostgreSQL (docs/decisions/0003).

``q`` is a substring match on ``search_text``; pg_trgm's GIN index serves
LIKE '%word%' for words of three or more characters. SQLite has no such
index and scans (fast enough at 25,000 rows: docs/performance.md).
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS supporter_search_trgm ON supporters_supporter USING gin (search_text gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS supporter_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("supporters", "0002_lifecycle")]

    operations = [migrations.RunPython(create, drop)]
