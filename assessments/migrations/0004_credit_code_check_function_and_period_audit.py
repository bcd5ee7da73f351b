"""`ledger_credit_code_ok(code)`: the GB 32100-2015 check character, evaluated by PostgreSQL for the
四个清楚 "overall situation" figure (same weights and charset as portal.validators). Plain SQL
arithmetic, IMMUTABLE, so the planner inlines it into the one ledger pass. And audit the periods."""

from django.db import migrations

from portal.audit import attach_audit

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_TERMS = " + ".join(f"(strpos('{CHARSET}', substr(code, {i + 1}, 1)) - 1) * {w}" for i, w in enumerate(WEIGHTS))
FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION ledger_credit_code_ok(code text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT length(code) = 18
       AND substr('{CHARSET}', ((31 - ({_TERMS}) % 31) % 31) + 1, 1) = substr(code, 18, 1)
$fn$;
"""


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_ledger_snapshots_and_periods")]

    operations = [
        migrations.RunSQL(FUNCTION_SQL, "DROP FUNCTION IF EXISTS ledger_credit_code_ok(text);"),
        attach_audit("assessments_ledgerperiod"),
    ]
