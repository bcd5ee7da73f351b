from django.db import migrations

from portal.audit import attach_audit


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial"), ("portal", "0002_audit_trigger_function")]

    operations = [
        attach_audit(
            "assessments_dualstrongsixgood",
            "assessments_performancereview",
            "assessments_demonstrationsite",
            "assessments_federationrating",
        )
    ]
