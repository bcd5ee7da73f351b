from django.db import migrations

from portal.audit import attach_audit


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial"), ("portal", "0002_audit_trigger_function")]

    operations = [
        attach_audit("enterprises_enterprise", "enterprises_carrier", "enterprises_surveycampaign", "enterprises_surveyvisit")
    ]
