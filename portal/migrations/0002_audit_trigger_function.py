from django.db import migrations

from portal.audit import AUDIT_FUNCTION_SQL, attach_audit


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [
        migrations.RunSQL(AUDIT_FUNCTION_SQL, "DROP FUNCTION IF EXISTS portal_audit_statement() CASCADE;"),
        attach_audit("portal_region"),
        # Users: never record password hashes or login timestamps in the audit log.
        attach_audit("portal_user", ignored=("password", "last_login")),
    ]
