from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "平台基础"
    audited = True  # its tables are offered in the change-log search (portal.history.table_choices)

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from portal import checks  # noqa: F401 - registers the deployment checks
        from portal.audit import reapply_on_new_connection

        connection_created.connect(reapply_on_new_connection, dispatch_uid="portal_audit_reapply")
