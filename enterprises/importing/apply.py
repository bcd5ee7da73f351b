"""Applying a validated import: one upsert statement from the staged rows.

Runs inside the caller's transaction and audit context (the statement-level audit triggers on
`enterprises_enterprise` record every created and changed row). Idempotent: a row whose stored
values already equal the staged ones is not touched (the `WHERE ... IS DISTINCT FROM` clause), so a
retried or repeated apply changes nothing and writes no audit rows.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from enterprises.importing.staging import BULK_WORK_MEM, ROW_TABLE

# Stored columns written by an import. Each value is merged in the SELECT below: a NULL staged
# value keeps the stored one (blank cells never erase data), the report year only moves forward.
_UPSERT_SQL = f"""
WITH src AS (
    SELECT s.id AS row_id,
           s.credit_code,
           (s.needs_confirmation OR coalesce(e.credit_code_check_confirmed, false)) AS credit_code_check_confirmed,
           coalesce(s.name, e.name) AS name,
           coalesce(s.kind, e.kind, CASE left(s.credit_code, 2) WHEN '92' THEN 'INDIVIDUAL'
                                                               WHEN '93' THEN 'COOPERATIVE' ELSE 'OTHER' END) AS kind,
           coalesce(s.industry, e.industry, '') AS industry,
           coalesce(e.industry_division, '') AS industry_division,
           coalesce(s.region_id, e.region_id) AS region_id,
           CASE WHEN s.carrier_name IS NULL THEN e.carrier_id ELSE coalesce(s.carrier_id, c.id) END AS carrier_id,
           coalesce(s.address, e.address, '') AS address,
           coalesce(s.legal_representative, e.legal_representative, '') AS legal_representative,
           coalesce(e.legal_representative_is_member, false) AS legal_representative_is_member,
           coalesce(s.investor, e.investor, '') AS investor,
           coalesce(s.employee_count, e.employee_count) AS employee_count,
           coalesce(s.above_scale, e.above_scale, false) AS above_scale,
           coalesce(s.registration_status, e.registration_status, 'EXISTING') AS registration_status,
           coalesce(s.registered_on, e.registered_on) AS registered_on,
           greatest(s.annual_report_year, e.annual_report_year) AS annual_report_year
      FROM {ROW_TABLE} s
      LEFT JOIN enterprises_enterprise e ON e.credit_code = s.credit_code
      LEFT JOIN enterprises_carrier c  -- carriers created by this apply, matched as in the preview
             ON s.carrier_id IS NULL AND c.region_id = s.district_id AND c.name = s.carrier_name
     WHERE s.register_import_id = %(id)s
       AND s.action IN ('NEW', 'CHANGED')
       AND (NOT s.needs_confirmation OR %(confirm)s)
), up AS (
    INSERT INTO enterprises_enterprise AS t (
        credit_code, credit_code_check_confirmed, name, kind, industry, industry_division, region_id,
        carrier_id, address, legal_representative, legal_representative_is_member, investor, employee_count,
        above_scale, registration_status, registered_on, annual_report_year, last_import_id, created_at, updated_at)
    SELECT credit_code, credit_code_check_confirmed, name, kind, industry, industry_division, region_id,
           carrier_id, address, legal_representative, legal_representative_is_member, investor, employee_count,
           above_scale, registration_status, registered_on, annual_report_year, %(id)s, %(now)s, %(now)s
      FROM src
    ON CONFLICT (credit_code) DO UPDATE SET
        credit_code_check_confirmed = EXCLUDED.credit_code_check_confirmed,
        name = EXCLUDED.name,
        kind = EXCLUDED.kind,
        industry = EXCLUDED.industry,
        region_id = EXCLUDED.region_id,
        carrier_id = EXCLUDED.carrier_id,
        address = EXCLUDED.address,
        legal_representative = EXCLUDED.legal_representative,
        investor = EXCLUDED.investor,
        employee_count = EXCLUDED.employee_count,
        above_scale = EXCLUDED.above_scale,
        registration_status = EXCLUDED.registration_status,
        registered_on = EXCLUDED.registered_on,
        annual_report_year = EXCLUDED.annual_report_year,
        last_import_id = EXCLUDED.last_import_id,
        updated_at = EXCLUDED.updated_at
    WHERE (t.credit_code_check_confirmed, t.name, t.kind, t.industry, t.region_id, t.carrier_id, t.address,
           t.legal_representative, t.investor, t.employee_count, t.above_scale, t.registration_status,
           t.registered_on, t.annual_report_year)
          IS DISTINCT FROM
          (EXCLUDED.credit_code_check_confirmed, EXCLUDED.name, EXCLUDED.kind, EXCLUDED.industry,
           EXCLUDED.region_id, EXCLUDED.carrier_id, EXCLUDED.address, EXCLUDED.legal_representative,
           EXCLUDED.investor, EXCLUDED.employee_count, EXCLUDED.above_scale, EXCLUDED.registration_status,
           EXCLUDED.registered_on, EXCLUDED.annual_report_year)
    RETURNING (t.xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up
"""  # noqa: S608


def create_carriers(*, new_carriers: list[dict]) -> None:
    """Carriers the file names that do not exist yet, created in the row's district (kind read from
    the name). Existing ones (same name in the district) are left alone."""
    if not new_carriers:
        return
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO enterprises_carrier (name, kind, region_id, address, created_at, updated_at)
            SELECT c.name, c.kind, c.region_id, '', %s, %s
              FROM unnest(%s::text[], %s::text[], %s::bigint[]) AS c(name, kind, region_id)
            ON CONFLICT (region_id, name) DO NOTHING
            """,
            [
                now,
                now,
                [c["name"] for c in new_carriers],
                [c["kind"] for c in new_carriers],
                [c["district_id"] for c in new_carriers],
            ],
        )


def apply_rows(*, import_id: int, confirm_warnings: bool) -> dict[str, int]:
    """Upsert the staged rows; returns {"created": n, "updated": n, "skipped": n}.

    Must run inside a transaction. Hash joins are forced for the bulk statements: right after a
    first import into an empty table the planner's statistics say "no enterprises", and a nested
    loop that scans the table being filled would turn 100,000 rows into minutes.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(f"SET LOCAL work_mem = '{BULK_WORK_MEM}'")  # hash joins of a million rows in memory
        cursor.execute(_UPSERT_SQL, {"id": import_id, "confirm": confirm_warnings, "now": timezone.now()})
        created, updated = cursor.fetchone()
        skipped = 0
        if not confirm_warnings:
            cursor.execute(
                f"""
                SELECT count(*) FROM {ROW_TABLE}
                 WHERE register_import_id = %s AND action IN ('NEW', 'CHANGED') AND needs_confirmation
                """,  # noqa: S608
                [import_id],
            )
            skipped = cursor.fetchone()[0]
        cursor.execute("SET LOCAL enable_nestloop = on")
        cursor.execute("RESET work_mem")
    return {"created": created, "updated": updated, "skipped": skipped}
