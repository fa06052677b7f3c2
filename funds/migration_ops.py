"""The ledger's invariants in the database: what a form, a script or a DBA cannot break.

Each guard is a `core.migration_ops.VendorSQL` naming its SQL; going back drops its trigger
and function.

`NonNegativeBalance`: after each new entry, the balance of its account, budget year and
source (the sum of the entries) must not be below zero. The services check it first, on
the locked account, and say so in Chinese; the trigger is the backstop.

`NoCarryOver`: central and provincial money is not received, passed down or paid after the
31 December of its budget year (below).
"""

from core.migration_ops import VendorSQL, drop_triggers

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


def _drops(trigger: str, function: str) -> tuple[list[str], list[str]]:
    """Going back: drop the guard's trigger on the ledger (and its function on PostgreSQL)."""
    return drop_triggers([(trigger, TABLE)], [function])


class NonNegativeBalance(VendorSQL):
    postgresql = POSTGRES_FORWARD
    sqlite = SQLITE_FORWARD
    reverse_postgresql, reverse_sqlite = _drops(f"{TABLE}_balance", "funds_entry_balance_guard")
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


class NoCarryOver(VendorSQL):
    postgresql = POSTGRES_NO_CARRY_OVER
    sqlite = SQLITE_NO_CARRY_OVER
    reverse_postgresql, reverse_sqlite = _drops(
        f"{TABLE}_no_carry_over", "funds_entry_no_carry_over"
    )
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


class RepaidNeverExceedsOwed(VendorSQL):
    """After each new entry, what was repaid on its recovery line (the sum of its
    `recovered` entries) must not exceed the line's amount: the backstop behind
    `funds.services.recoveries.recovery_repay`."""

    postgresql = RECOVERY_POSTGRES_FORWARD
    sqlite = RECOVERY_SQLITE_FORWARD
    reverse_postgresql, reverse_sqlite = _drops(f"{TABLE}_recovery", "funds_entry_recovery_guard")
    description = "Funds: a recovery line is never repaid beyond its amount"
