from django.db import migrations

from portal.audit import attach_audit


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial"), ("portal", "0002_audit_trigger_function")]

    operations = [
        attach_audit(
            "organizations_partyorganization",
            "organizations_partyorganization_covered_enterprises",
            "organizations_partymember",
            "organizations_partymember_participates_in",
            "organizations_orgliferecord",
            "organizations_excellencesystem",
        )
    ]
