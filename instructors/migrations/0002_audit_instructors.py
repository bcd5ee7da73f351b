from django.db import migrations

from portal.audit import attach_audit


class Migration(migrations.Migration):
    dependencies = [("instructors", "0001_initial"), ("portal", "0002_audit_trigger_function")]

    operations = [
        attach_audit(
            "instructors_instructor",
            "instructors_assignment",
            "instructors_firstsecretaryappointment",
            "instructors_training",
            "instructors_training_instructors",
            "instructors_stipend",
        )
    ]
