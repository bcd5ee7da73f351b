"""The change log and the access log are append-only: no UPDATE or DELETE, whoever asks (the
portal, the admin, a bulk job). TRUNCATE stays possible for a database administrator's retention
job, which is outside the application's reach."""

from django.db import migrations

APPEND_ONLY_SQL = r"""
CREATE OR REPLACE FUNCTION portal_append_only() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION '% 只能追加，不能修改或删除', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER portal_auditevent_append_only BEFORE UPDATE OR DELETE ON portal_auditevent
    FOR EACH ROW EXECUTE FUNCTION portal_append_only();
CREATE TRIGGER portal_accesslog_append_only BEFORE UPDATE OR DELETE ON portal_accesslog
    FOR EACH ROW EXECUTE FUNCTION portal_append_only();
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS portal_auditevent_append_only ON portal_auditevent;
DROP TRIGGER IF EXISTS portal_accesslog_append_only ON portal_accesslog;
DROP FUNCTION IF EXISTS portal_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_audit_trigger_function")]

    operations = [migrations.RunSQL(APPEND_ONLY_SQL, REVERSE_SQL)]
