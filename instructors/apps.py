from django.apps import AppConfig


class InstructorsConfig(AppConfig):
    name = "instructors"
    verbose_name = "党建工作指导员"
    audited = True  # its tables are offered in the change-log search (portal.history.table_choices)
