from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "党组织与党员"
    audited = True  # its tables are offered in the change-log search (portal.history.table_choices)
