"""Database-enforced invariants that the ORM cannot express."""

from django.db import migrations


class AppendOnly(migrations.operations.base.Operation):
    """The database refuses UPDATE and DELETE on a table: rows are only ever added.

    PostgreSQL: a trigger refuses both (TRUNCATE, which a DBA or a test flush uses on a
    whole table, is not a row operation and stays possible). SQLite (the demo): a trigger
    refuses UPDATE; DELETE stays possible there because Django's test flush deletes rows.
    """

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str):
        self.model_name = model_name

    def state_forwards(self, app_label, state):
        pass

    def _table(self, app_label, state) -> str:
        return state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        table = self._table(app_label, to_state)
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(
                f"""
                CREATE OR REPLACE FUNCTION append_only_refuse() RETURNS trigger AS $$
                BEGIN
                    RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP
                        USING ERRCODE = 'integrity_constraint_violation';
                END;
                $$ LANGUAGE plpgsql;
                CREATE TRIGGER {table}_append_only
                    BEFORE UPDATE OR DELETE ON {table}
                    FOR EACH ROW EXECUTE FUNCTION append_only_refuse();
                """,
                # No parameters: the `%` of RAISE's format must reach PostgreSQL as written.
                params=None,
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f"""
                CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table}
                BEGIN SELECT RAISE(ABORT, 'append-only table {table}: UPDATE refused'); END;
                """
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        table = self._table(app_label, from_state)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        elif schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")

    def describe(self) -> str:
        return f"Make {self.model_name} append-only in the database"
