"""An index of the mappings that evidence their criterion (a note that is more than
whitespace), on PostgreSQL: the dashboards count every learner's evidenced criteria and date
them, and read them from this index alone instead of every mapping's row and note.

The condition is ``EVIDENCED_SQL``'s test of the note, character for character, so that the
planner sees that the dashboards' queries ask for a subset of it. SQLite would use such an
index only for a query whose text repeats the condition without parameters, so it gets none.
"""

from __future__ import annotations

from django.db import migrations

INDEX = "mapping_evidencing_idx"


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    # The constant the queries use, as it is when the index is made.
    from evidence.selectors import WHITESPACE

    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON evidence_criterionmapping (evidence_id) "
        "INCLUDE (criterion_id, created_at) WHERE NOT (BTRIM(note, %s) = '')",
        [WHITESPACE],
    )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("evidence", "0002_files_reflections_links_transcripts")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
