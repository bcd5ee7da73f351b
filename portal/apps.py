from django.apps import AppConfig
from django.db.backends.signals import connection_created

from portal import checks  # noqa: F401 - registers the deployment checks


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "平台基础"
    audited = True  # its tables are offered in the change-log search (portal.history.table_choices)

    def ready(self) -> None:
        # cycle: apps.py is imported before the app registry is ready, and portal.audit reaches the
        # user model (audit -> permissions -> django.contrib.auth.views -> auth forms)
        from portal.audit import reapply_on_new_connection

        connection_created.connect(reapply_on_new_connection, dispatch_uid="portal_audit_reapply")
