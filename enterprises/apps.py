from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = "企业与载体"
    audited = True  # its tables are offered in the change-log search (portal.history.table_choices)
