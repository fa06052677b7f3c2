"""The ledger's invariants in the database: what a form, a script or a DBA cannot break.

`NonNegativeBalance`: after each new entry, the balance of its account, budget year and
source (the sum of the entries) must not be below zero. The services check it first, on
the locked account, and say so in Chinese; the trigger is the backstop.

`NoCarryOver`: central and provincial money is not received, passed down or paid after the
31 December of its budget year (below).
"""

from django.db import migrations

TABLE = "funds_entry"

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION funds_entry_balance_guard() RETURNS trigger AS $$
BEGIN
    IF (SELECT COALESCE(SUM(amount), 0) FROM {TABLE}
        WHERE account_id = NEW.account_id AND year = NEW.year AND source = NEW.source) < 0
    THEN
        RAISE EXCEPTION 'account % year % source %: balance below zero',
            NEW.account_id, NEW.year, NEW.source
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER {TABLE}_balance AFTER INSERT ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION funds_entry_balance_guard();
"""

SQLITE_FORWARD = f"""
CREATE TRIGGER {TABLE}_balance AFTER INSERT ON {TABLE}
WHEN (SELECT COALESCE(SUM(amount), 0) FROM {TABLE}
      WHERE account_id = NEW.account_id AND year = NEW.year AND source = NEW.source) < 0
BEGIN SELECT RAISE(ABORT, 'funds_entry: balance below zero'); END;
"""


class EntryTrigger(migrations.operations.base.Operation):
    """A guard on the ledger table: its PostgreSQL function and trigger, or its SQLite
    trigger. Each guard below names its SQL, its trigger and function, and says what it
    keeps; SQL is run with no parameters, so the `%` of RAISE and strftime reach the database
    as written."""

    reduces_to_sql = True
    reversible = True
    postgres: str
    sqlite: str
    trigger: str
    function: str
    description: str

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(self.postgres, params=None)
        elif vendor == "sqlite":
            schema_editor.execute(self.sqlite, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {self.trigger} ON {TABLE};"
                f"DROP FUNCTION IF EXISTS {self.function}();"
            )
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {self.trigger}")

    def describe(self) -> str:
        return self.description


class NonNegativeBalance(EntryTrigger):
    postgres = POSTGRES_FORWARD
    sqlite = SQLITE_FORWARD
    trigger = f"{TABLE}_balance"
    function = "funds_entry_balance_guard"
    description = "Funds: no balance of an account, year and source below zero"


# `NoCarryOver`: central and provincial money (models.SPEND_IN_BUDGET_YEAR) is not received,
# passed down or paid after 31 December of its budget year (WH-F §13, TA-F §10). Returns
# (上缴) and reversals (冲销) stay possible: they are how unspent money leaves. Local money's
# approval (a receipt's flag, an amount for payments) is the service's business
# (funds.services.ledger.carry_over_refusal); this is the backstop for the rule without it.
USE_KINDS = "('receipt', 'transfer_in', 'transfer_out', 'payment')"
NO_CARRY_OVER_SOURCES = "('central', 'provincial')"

POSTGRES_NO_CARRY_OVER = f"""
CREATE OR REPLACE FUNCTION funds_entry_no_carry_over() RETURNS trigger AS $$
BEGIN
    IF NEW.kind IN {USE_KINDS} AND NEW.source IN {NO_CARRY_OVER_SOURCES}
        AND EXTRACT(YEAR FROM NEW.entry_date) > NEW.year
    THEN
        RAISE EXCEPTION 'entry of % money of budget year % dated %: no carry-over',
            NEW.source, NEW.year, NEW.entry_date
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER {TABLE}_no_carry_over BEFORE INSERT ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION funds_entry_no_carry_over();
"""

SQLITE_NO_CARRY_OVER = f"""
CREATE TRIGGER {TABLE}_no_carry_over BEFORE INSERT ON {TABLE}
WHEN NEW.kind IN {USE_KINDS} AND NEW.source IN {NO_CARRY_OVER_SOURCES}
     AND CAST(strftime('%Y', NEW.entry_date) AS INTEGER) > NEW.year
BEGIN SELECT RAISE(ABORT, 'funds_entry: no carry-over of central or provincial money'); END;
"""


class NoCarryOver(EntryTrigger):
    postgres = POSTGRES_NO_CARRY_OVER
    sqlite = SQLITE_NO_CARRY_OVER
    trigger = f"{TABLE}_no_carry_over"
    function = "funds_entry_no_carry_over"
    description = "Funds: no central or provincial money used after its budget year"


# --- A recovery's repayments never exceed what is owed (WH-M §19) -----------------------

RECOVERY_LINE = "funds_recoveryline"

RECOVERY_POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION funds_entry_recovery_guard() RETURNS trigger AS $$
BEGIN
    IF NEW.recovery_line_id IS NOT NULL AND
        (SELECT COALESCE(SUM(amount), 0) FROM {TABLE}
         WHERE recovery_line_id = NEW.recovery_line_id)
        > (SELECT amount FROM {RECOVERY_LINE} WHERE id = NEW.recovery_line_id)
    THEN
        RAISE EXCEPTION 'recovery line %: repaid more than is owed', NEW.recovery_line_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER {TABLE}_recovery AFTER INSERT ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION funds_entry_recovery_guard();
"""

RECOVERY_SQLITE_FORWARD = f"""
CREATE TRIGGER {TABLE}_recovery AFTER INSERT ON {TABLE}
WHEN NEW.recovery_line_id IS NOT NULL AND
     (SELECT COALESCE(SUM(amount), 0) FROM {TABLE} WHERE recovery_line_id = NEW.recovery_line_id)
     > (SELECT amount FROM {RECOVERY_LINE} WHERE id = NEW.recovery_line_id)
BEGIN SELECT RAISE(ABORT, 'funds_entry: repaid more than is owed'); END;
"""


class RepaidNeverExceedsOwed(EntryTrigger):
    """After each new entry, what was repaid on its recovery line (the sum of its
    `recovered` entries) must not exceed the line's amount: the backstop behind
    `funds.services.recoveries.recovery_repay`."""

    postgres = RECOVERY_POSTGRES_FORWARD
    sqlite = RECOVERY_SQLITE_FORWARD
    trigger = f"{TABLE}_recovery"
    function = "funds_entry_recovery_guard"
    description = "Funds: a recovery line is never repaid beyond its amount"


class SqliteReinstall(migrations.operations.base.Operation):
    """SQLite (the demo) adds a foreign key or a constraint by rebuilding the table, and the
    old table's triggers go with it: put back those of earlier migrations (`operations`).
    PostgreSQL alters the table in place and keeps them: nothing to do there."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, *operations):
        self.operations = operations

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return
        for operation in self.operations:
            # Drop if present (a rebuild may not have happened), then create.
            operation.database_backwards(app_label, schema_editor, to_state, to_state)
            operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self) -> str:
        return "SQLite: reinstall the triggers a table rebuild dropped"
