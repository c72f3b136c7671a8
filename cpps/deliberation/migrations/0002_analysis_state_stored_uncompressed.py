"""The engine state is compressed (LZ4) before it is stored: PostgreSQL no longer tries to
compress it again. Its own attempt (pglz) at the tens of megabytes of a large conversation's
state took about ten times as long as writing them, and saved nothing."""

from django.db import migrations


def _storage(storage: str):  # noqa: ANN202 - a migration operation's callable
    def change(apps, schema_editor):  # noqa: ANN001, ANN202, ARG001 - Django's signature
        if schema_editor.connection.vendor != "postgresql":
            return
        table = apps.get_model("deliberation", "AnalysisState")._meta.db_table
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN data SET STORAGE {storage}")

    return change


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0001_initial")]

    operations = [migrations.RunPython(_storage("EXTERNAL"), _storage("EXTENDED"))]
