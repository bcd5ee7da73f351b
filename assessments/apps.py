from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "台账与考评"
    audited = True  # its tables are offered in the change-log search (portal.history.table_choices)
