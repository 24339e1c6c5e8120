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
# evidence.selectors.WHITESPACE as it was when the index was made (a migration must not change
# when the code does; tests/evidence check the two still agree).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON evidence_criterionmapping (evidence_id) "
        "INCLUDE (criterion_id, created_at) WHERE NOT (BTRIM(note, %s) = '')",
        [WHITESPACE],
    )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("evidence", "0004_personal_data_review")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
