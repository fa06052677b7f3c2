"""The retention rule in the database (WH-M §16): what no user, admin or script can undo.

- A closed or merged archive, and every row that belongs to it, is read-only.
- An archive cannot be deleted before its `retain_until` (30 years after closure; an open
  archive has none); nor can the rows that belong to it, nor the application it was built
  from, that application's documents or household members.

PostgreSQL enforces both with triggers. SQLite (the demo database) enforces the read-only
rule; deletes there are refused by the model and queryset (`Archive.delete`), because
Django's test flush deletes rows on SQLite, while on PostgreSQL it truncates.
"""

from core.migration_ops import VendorSQL, drop_triggers

ARCHIVE = "archives_archive"
# Tables whose rows belong to an archive through `archive_id`.
ARCHIVE_CHILDREN = (
    "archives_archiveperson",
    "archives_categorychange",
    "archives_archiveexit",
    "archives_exitobjection",
)
# Tables of the application, through `case_id` (or the case itself, `id`).
CASE_TABLES = (
    ("assistance_case", "id"),
    ("assistance_casedocument", "case_id"),
    ("assistance_householdmember", "case_id"),
)
FINAL = "('closed', 'merged')"

POSTGRES_FORWARD = (
    f"""
CREATE OR REPLACE FUNCTION archive_retention_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.retain_until IS NULL OR OLD.retain_until >= CURRENT_DATE THEN
            RAISE EXCEPTION 'archive %: not deletable before its retention ends', OLD.number
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status IN {FINAL} THEN
        RAISE EXCEPTION 'archive %: a closed archive is read-only', OLD.number
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER {ARCHIVE}_retention BEFORE UPDATE OR DELETE ON {ARCHIVE}
    FOR EACH ROW EXECUTE FUNCTION archive_retention_guard();

CREATE OR REPLACE FUNCTION archive_child_guard() RETURNS trigger AS $$
DECLARE
    parent RECORD;
BEGIN
    SELECT status, retain_until INTO parent FROM {ARCHIVE} WHERE id = OLD.archive_id;
    IF TG_OP = 'DELETE' AND (parent.retain_until IS NULL OR parent.retain_until >= CURRENT_DATE)
    THEN
        RAISE EXCEPTION '%: rows of an archive are kept until its retention ends', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND parent.status IN {FINAL} THEN
        RAISE EXCEPTION '%: rows of a closed archive are read-only', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION archive_case_guard() RETURNS trigger AS $$
DECLARE
    owner_case bigint := (to_jsonb(OLD) ->> TG_ARGV[0])::bigint;
BEGIN
    IF EXISTS (SELECT 1 FROM {ARCHIVE} WHERE {ARCHIVE}.case_id = owner_case) THEN
        RAISE EXCEPTION '%: the application of an archive is kept with it', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
"""
    + "".join(
        f"""
CREATE TRIGGER {table}_retention BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION archive_child_guard();
"""
        for table in ARCHIVE_CHILDREN
    )
    + "".join(
        f"""
CREATE TRIGGER {table}_retention BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION archive_case_guard('{column}');
"""
        for table, column in CASE_TABLES
    )
)

# The guards' triggers: on the archive and its rows (both databases), on the application's
# tables (PostgreSQL only: deletes on SQLite are refused by the ORM).
ARCHIVE_TRIGGERS = [(f"{table}_retention", table) for table in (ARCHIVE, *ARCHIVE_CHILDREN)]
CASE_TRIGGERS = [(f"{table}_retention", table) for table, _column in CASE_TABLES]
FUNCTIONS = ("archive_retention_guard", "archive_child_guard", "archive_case_guard")
POSTGRES_BACKWARD = drop_triggers([*ARCHIVE_TRIGGERS, *CASE_TRIGGERS], FUNCTIONS)[0]

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER {ARCHIVE}_retention BEFORE UPDATE ON {ARCHIVE}
    WHEN OLD.status IN {FINAL}
    BEGIN SELECT RAISE(ABORT, 'archive: a closed archive is read-only'); END;
    """,
    *(
        f"""
        CREATE TRIGGER {table}_retention BEFORE UPDATE ON {table}
        WHEN (SELECT status FROM {ARCHIVE} WHERE id = OLD.archive_id) IN {FINAL}
        BEGIN SELECT RAISE(ABORT, '{table}: rows of a closed archive are read-only'); END;
        """
        for table in ARCHIVE_CHILDREN
    ),
]


SQLITE_BACKWARD = drop_triggers(ARCHIVE_TRIGGERS)[1]


class RetentionGuard(VendorSQL):
    postgresql = POSTGRES_FORWARD
    reverse_postgresql = POSTGRES_BACKWARD
    sqlite = SQLITE_FORWARD
    reverse_sqlite = SQLITE_BACKWARD
    description = "Archives: closed archives read-only, nothing deleted before retention ends"
