from __future__ import annotations

from portal.audit import audit_context
from portal.choices import AuditVia

_SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Attributes the writes of a web or API request to its user (read requests cost nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in _SAFE:
            return self.get_response(request)
        path = request.path
        via = (
            AuditVia.API if path.startswith("/api/") else AuditVia.ADMIN if path.startswith("/admin/") else AuditVia.WEB
        )
        # API token users are authenticated in the view (DRF); the view re-enters the context.
        user = getattr(request, "user", None)
        actor_id = user.pk if user is not None and user.is_authenticated else None
        with audit_context(actor_id=actor_id, via=via, ip=client_ip(request), context=path[:128]):
            return self.get_response(request)
