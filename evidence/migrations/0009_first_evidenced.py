"""When each learner first evidenced each criterion, kept by PostgreSQL itself.

The cohort's progress over time asks, for every learner and criterion, when a mapping first
evidenced it (``evidence.selectors.evidencing_mappings`` and ``evidenced_since``). Worked out
from the mappings each time, that is a scan, a join and a grouping of every mapping of the
cohort: about 0.8 s at 5,000 learners and 450,000 mappings, for a chart that changes only when
evidence does. This table holds the answer, one row per learner and criterion, and triggers on
the mappings and the evidence keep it true for every statement that changes them (a save, a
``bulk_create``, a queryset ``update`` or ``delete``, a cascade, a ``TRUNCATE``): each
statement works out its learners' rows again, from their own mappings only.

Only on PostgreSQL, where a provider's data lives; SQLite (the embedded default, a centre's
handful of learners) keeps asking the mappings. The conditions are ``EVIDENCED_SQL`` and
``evidenced_since`` character for character (the whitespace as it was when this was written:
a migration must not change when the code does); ``tests/evidence/test_first_evidenced.py``
checks on PostgreSQL that the table and the mappings give the same answer after every kind of
change.
"""

from __future__ import annotations

from django.db import migrations

WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _quoted(text: str) -> str:
    return "E'" + "".join(f"\\u{ord(c):04x}" if ord(c) > 127 or ord(c) < 32 else c for c in text) + "'"


CREATE = f"""
CREATE TABLE evidence_first_evidenced (
    portfolio_id bigint NOT NULL,
    criterion_id bigint NOT NULL,
    first_at bigint NOT NULL,
    PRIMARY KEY (portfolio_id, criterion_id)
);

CREATE FUNCTION evidence_first_evidenced_refresh(portfolios bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF portfolios IS NULL OR cardinality(portfolios) = 0 THEN
        RETURN;
    END IF;
    -- One writer per learner at a time, in id order (no deadlock between two statements that
    -- share learners): a second transaction waits for the first to commit, then its DELETE
    -- (a new snapshot in READ COMMITTED) sees the rows the first wrote instead of colliding
    -- with them on the primary key.
    PERFORM pg_advisory_xact_lock(20260009, CAST(id AS integer))
    FROM unnest(portfolios) AS id ORDER BY id;
    DELETE FROM evidence_first_evidenced WHERE portfolio_id = ANY (portfolios);
    INSERT INTO evidence_first_evidenced (portfolio_id, criterion_id, first_at)
    SELECT e.portfolio_id, m.criterion_id,
           MIN(CAST(EXTRACT(EPOCH FROM CASE WHEN e.kind = 'section'
                                            THEN GREATEST(m.created_at, e.updated_at)
                                            ELSE m.created_at END) AS BIGINT))
    FROM evidence_criterionmapping m
    JOIN evidence_evidence e ON e.id = m.evidence_id
    WHERE e.portfolio_id = ANY (portfolios)
      AND NOT (BTRIM(m.note, {_quoted(WHITESPACE)}) = '')
      AND (NOT (e.kind = 'section') OR e.section_complete)
    GROUP BY e.portfolio_id, m.criterion_id;
END
$$;

CREATE FUNCTION evidence_first_evidenced_mappings_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT e.portfolio_id) INTO touched
        FROM new_rows n JOIN evidence_evidence e ON e.id = n.evidence_id;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT e.portfolio_id) INTO touched
        FROM (SELECT evidence_id FROM new_rows UNION SELECT evidence_id FROM old_rows) changed
        JOIN evidence_evidence e ON e.id = changed.evidence_id;
    ELSE
        SELECT array_agg(DISTINCT e.portfolio_id) INTO touched
        FROM old_rows o JOIN evidence_evidence e ON e.id = o.evidence_id;
    END IF;
    PERFORM evidence_first_evidenced_refresh(touched);
    RETURN NULL;
END
$$;

CREATE FUNCTION evidence_first_evidenced_items_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT portfolio_id) INTO touched
        FROM (SELECT portfolio_id FROM new_rows UNION SELECT portfolio_id FROM old_rows) changed;
    ELSE
        SELECT array_agg(DISTINCT portfolio_id) INTO touched FROM old_rows;
    END IF;
    PERFORM evidence_first_evidenced_refresh(touched);
    RETURN NULL;
END
$$;

CREATE FUNCTION evidence_first_evidenced_emptied() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE evidence_first_evidenced;
    RETURN NULL;
END
$$;

CREATE TRIGGER first_evidenced_mapping_insert AFTER INSERT ON evidence_criterionmapping
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_first_evidenced_mappings_changed();
CREATE TRIGGER first_evidenced_mapping_update AFTER UPDATE ON evidence_criterionmapping
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_first_evidenced_mappings_changed();
CREATE TRIGGER first_evidenced_mapping_delete AFTER DELETE ON evidence_criterionmapping
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_first_evidenced_mappings_changed();
CREATE TRIGGER first_evidenced_item_update AFTER UPDATE ON evidence_evidence
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_first_evidenced_items_changed();
CREATE TRIGGER first_evidenced_item_delete AFTER DELETE ON evidence_evidence
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_first_evidenced_items_changed();
CREATE TRIGGER first_evidenced_mappings_truncated AFTER TRUNCATE ON evidence_criterionmapping
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_first_evidenced_emptied();

SELECT evidence_first_evidenced_refresh(array_agg(id)) FROM portfolio_portfolio;
"""

DROP = """
DROP TRIGGER IF EXISTS first_evidenced_mappings_truncated ON evidence_criterionmapping;
DROP TRIGGER IF EXISTS first_evidenced_item_delete ON evidence_evidence;
DROP TRIGGER IF EXISTS first_evidenced_item_update ON evidence_evidence;
DROP TRIGGER IF EXISTS first_evidenced_mapping_delete ON evidence_criterionmapping;
DROP TRIGGER IF EXISTS first_evidenced_mapping_update ON evidence_criterionmapping;
DROP TRIGGER IF EXISTS first_evidenced_mapping_insert ON evidence_criterionmapping;
DROP FUNCTION IF EXISTS evidence_first_evidenced_emptied();
DROP FUNCTION IF EXISTS evidence_first_evidenced_items_changed();
DROP FUNCTION IF EXISTS evidence_first_evidenced_mappings_changed();
DROP FUNCTION IF EXISTS evidence_first_evidenced_refresh(bigint[]);
DROP TABLE IF EXISTS evidence_first_evidenced;
"""


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0008_assessor_records_discussion_questioning")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
