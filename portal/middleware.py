"""Request-level security plumbing: the client's address, the attribution of writes, headers."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from portal.audit import audit_context
from portal.choices import AccessKind, AuditVia
from portal.models import AccessLog

_SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address, as trusted as the deployment allows.

    With `TRUSTED_PROXY_COUNT` = 0 (no reverse proxy), REMOTE_ADDR. Behind N reverse proxies that
    each append to X-Forwarded-For, the N-th entry from the right is the address the outermost
    trusted proxy saw; entries further left are client-supplied and never trusted. Used by the
    audit log, the access log and the login lockout (AXES_CLIENT_IP_CALLABLE), so all three agree.
    An invalid value yields None rather than an error in the audit trigger's inet cast.
    """
    remote = _valid_ip(request.META.get("REMOTE_ADDR"))
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return _valid_ip(forwarded[-proxies]) or remote


def _via(path: str) -> str:
    if path.startswith("/api/"):
        return AuditVia.API
    if path.startswith("/admin/"):
        return AuditVia.ADMIN
    return AuditVia.WEB


def _actor_id(request) -> int | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.pk
    if request.path.startswith("/api/"):
        # API clients authenticate with a token inside DRF, after this middleware: resolve the
        # token here too so that every API write, whichever view makes it, is attributed.
        try:
            result = TokenAuthentication().authenticate(request)
        except AuthenticationFailed:
            return None  # DRF will refuse the request itself
        if result is not None:
            return result[0].pk
    return None


class AuditContextMiddleware:
    """Attributes the writes of a web, admin or API request to its user (read requests cost nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in _SAFE:
            return self.get_response(request)
        path = request.path
        with audit_context(actor_id=_actor_id(request), via=_via(path), ip=client_ip(request), context=path[:128]):
            return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: no caching of dynamic responses (pages and API answers
    carry personal data and region figures; static files are served before this, by WhiteNoise)
    and a Permissions-Policy that turns off powerful browser features."""

    permissions_policy = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if "Cache-Control" not in response.headers:
            patch_cache_control(response, private=True, no_store=True)
        return response


class ExportAccessLogMiddleware:
    """The safety net for "every export is logged": a file download (Content-Disposition:
    attachment) by a signed-in user that its view did not log itself (portal.services.
    export_logged, or an AccessLog EXPORT row written during the request) gets an EXPORT row
    naming the URL and the file. Costs one query, and only for downloads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = timezone.now()
        response = self.get_response(request)
        disposition = response.headers.get("Content-Disposition", "")
        user = getattr(request, "user", None)
        if not disposition.lower().startswith("attachment") or user is None or not user.is_authenticated:
            return response

        logged = AccessLog.objects.filter(user=user, kind=AccessKind.EXPORT, occurred_at__gte=started).exists()
        if not logged and 200 <= response.status_code < 300:
            AccessLog.objects.create(
                user=user,
                kind=AccessKind.EXPORT,
                target=request.get_full_path()[:128],
                detail={"file": disposition[:200], "logged_by": "middleware"},
                ip=client_ip(request),
            )
        return response


class NotFoundPageMiddleware:
    """With DEBUG on, Django answers a 404 with its English technical page (the URL list, the view
    that raised): show the portal's own Chinese page instead, as in production (handler404). API
    answers keep their JSON. Installed last, so it sees the 404 before the other middleware does.
    (The same template as portal.views.page_not_found; this module must import before the app
    registry is ready, so it does not import the views.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path.startswith("/api/")
        ):
            return render(request, "404.html", status=404)
        return response
