"""Database-enforced invariants that the ORM cannot express, as one migration operation.

`VendorSQL` runs the SQL written for the database in use (PostgreSQL in production and CI,
SQLite for the demo), forwards and backwards; every statement is run as written, with no
parameters, so the `%` of PostgreSQL's RAISE and of SQLite's strftime reach the database
unchanged. An app's guards are `VendorSQL` subclasses that only name their SQL
(`archives.migration_ops`, `funds.migration_ops`); `drop_triggers` writes the backwards SQL
of a guard made of triggers.
"""

from collections.abc import Sequence

from django.db import migrations

POSTGRESQL = "postgresql"
SQLITE = "sqlite"


def _statements(sql: str | Sequence[str]) -> list[str]:
    return [sql] if isinstance(sql, str) else list(sql)


class VendorSQL(migrations.operations.base.Operation):
    """SQL per database vendor: `postgresql` and `sqlite` forwards, `reverse_postgresql` and
    `reverse_sqlite` backwards; each a statement or a list of statements run one by one.
    A vendor without SQL runs nothing. Given as keyword arguments or as class attributes."""

    reduces_to_sql = True
    reversible = True
    postgresql: str | Sequence[str] = ()
    sqlite: str | Sequence[str] = ()
    reverse_postgresql: str | Sequence[str] = ()
    reverse_sqlite: str | Sequence[str] = ()
    description = "Run SQL written for the database in use"

    def __init__(
        self,
        *,
        postgresql: str | Sequence[str] | None = None,
        sqlite: str | Sequence[str] | None = None,
        reverse_postgresql: str | Sequence[str] | None = None,
        reverse_sqlite: str | Sequence[str] | None = None,
        description: str | None = None,
    ):
        given = {
            "postgresql": postgresql,
            "sqlite": sqlite,
            "reverse_postgresql": reverse_postgresql,
            "reverse_sqlite": reverse_sqlite,
            "description": description,
        }
        for name, value in given.items():
            if value is not None:
                setattr(self, name, value)

    def sql(self, vendor: str, *, reverse: bool, app_label: str, state) -> list[str]:
        """The statements to run on `vendor`; `state` is the project state they apply to
        (an operation that names a model reads its table there)."""
        if vendor not in (POSTGRESQL, SQLITE):
            return []
        return _statements(getattr(self, f"reverse_{vendor}" if reverse else vendor))

    def state_forwards(self, app_label, state):
        pass

    def _run(self, schema_editor, statements: list[str]) -> None:
        for statement in statements:
            schema_editor.execute(statement, params=None)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        self._run(
            schema_editor, self.sql(vendor, reverse=False, app_label=app_label, state=to_state)
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        self._run(
            schema_editor, self.sql(vendor, reverse=True, app_label=app_label, state=from_state)
        )

    def describe(self) -> str:
        return self.description


def drop_triggers(
    triggers: Sequence[tuple[str, str]], functions: Sequence[str] = ()
) -> tuple[list[str], list[str]]:
    """The backwards SQL of a guard: (PostgreSQL, SQLite) statements dropping `triggers`
    ((trigger, table) pairs) and, on PostgreSQL, the trigger `functions`."""
    postgresql = "".join(f"DROP TRIGGER IF EXISTS {name} ON {table};" for name, table in triggers)
    postgresql += "".join(f"DROP FUNCTION IF EXISTS {function}();" for function in functions)
    return [postgresql], [f"DROP TRIGGER IF EXISTS {name}" for name, _ in triggers]


APPEND_ONLY_POSTGRESQL = """
                CREATE OR REPLACE FUNCTION append_only_refuse() RETURNS trigger AS $$
                BEGIN
                    RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP
                        USING ERRCODE = 'integrity_constraint_violation';
                END;
                $$ LANGUAGE plpgsql;
                CREATE TRIGGER {table}_append_only
                    BEFORE UPDATE OR DELETE ON {table}
                    FOR EACH ROW EXECUTE FUNCTION append_only_refuse();
                """

APPEND_ONLY_SQLITE = """
                CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table}
                BEGIN SELECT RAISE(ABORT, 'append-only table {table}: UPDATE refused'); END;
                """


class AppendOnly(VendorSQL):
    """The database refuses UPDATE and DELETE on a model's table: rows are only ever added.

    PostgreSQL: a trigger refuses both (TRUNCATE, which a DBA or a test flush uses on a
    whole table, is not a row operation and stays possible). SQLite (the demo): a trigger
    refuses UPDATE; DELETE stays possible there because Django's test flush deletes rows.
    Going back drops the table's trigger; the shared function stays for the other tables.
    """

    def __init__(self, model_name: str):
        super().__init__()
        self.model_name = model_name
        self.description = f"Make {model_name} append-only in the database"

    def sql(self, vendor: str, *, reverse: bool, app_label: str, state) -> list[str]:
        table = state.apps.get_model(app_label, self.model_name)._meta.db_table
        if reverse:
            postgresql, sqlite = drop_triggers([(f"{table}_append_only", table)])
            return {POSTGRESQL: postgresql, SQLITE: sqlite}.get(vendor, [])
        sql = {POSTGRESQL: APPEND_ONLY_POSTGRESQL, SQLITE: APPEND_ONLY_SQLITE}.get(vendor)
        return [sql.format(table=table)] if sql else []


class SqliteReinstall(VendorSQL):
    """SQLite (the demo) adds a foreign key or a constraint by rebuilding the table, and the
    old table's triggers go with it: put back those of earlier migrations (`operations`).
    PostgreSQL alters the table in place and keeps them: nothing to do there."""

    description = "SQLite: reinstall the triggers a table rebuild dropped"

    def __init__(self, *operations: VendorSQL):
        super().__init__()
        self.operations = operations

    def sql(self, vendor: str, *, reverse: bool, app_label: str, state) -> list[str]:
        if vendor != SQLITE or reverse:
            return []
        statements = []
        for operation in self.operations:
            # Drop if present (a rebuild may not have happened), then create.
            for going_back in (True, False):
                statements += operation.sql(
                    vendor, reverse=going_back, app_label=app_label, state=state
                )
        return statements
