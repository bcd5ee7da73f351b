"""API base classes: the same scoping and capabilities as the pages, writes attributed to the
token's user."""

from __future__ import annotations

from importlib import import_module

from django.utils.cache import add_never_cache_headers
from rest_framework import permissions, routers, viewsets
from rest_framework.exceptions import ParseError
from rest_framework.response import Response

from portal.audit import audit_context
from portal.choices import AuditVia
from portal.filters import query_params_error
from portal.middleware import client_ip
from portal.permissions import Capability, has_capability, is_active_user
from portal.services import LookupThrottled, personal_data_lookup, personal_data_reveal, personal_fields

ANY_SIGNED_IN = "ANY_SIGNED_IN"  # what `capability_for` answers for `required_capability = None`


def capability_for(view, method: str) -> Capability | str | None:
    """The capability a request to `view` needs.

    Viewsets: an action's own (`action_capabilities`), else `read_capability` for reads and
    `write_capability` for writes; None there means no one may (a read-only viewset has
    `write_capability = None`). A plain APIView may declare `required_capability` instead, where
    None means any signed-in user (ANY_SIGNED_IN), as on the pages.
    """
    action = getattr(view, "action", None)
    per_action = getattr(view, "action_capabilities", None) or {}
    if action in per_action:
        return per_action[action]
    if not hasattr(view, "read_capability") and hasattr(view, "required_capability"):
        return view.required_capability if view.required_capability is not None else ANY_SIGNED_IN
    if method in permissions.SAFE_METHODS:
        return getattr(view, "read_capability", None)
    return getattr(view, "write_capability", None)


class HasViewCapability(permissions.BasePermission):
    """Reads need the viewset's `read_capability`, writes its `write_capability`, a custom action
    the capability named for it in `action_capabilities`. None for a write means no one writes.
    Every API view has this permission, so it also refuses a query string with a NUL byte (400)."""

    message = "您的角色无权执行此操作"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not is_active_user(user):
            return False
        capability = capability_for(view, request.method)
        allowed = capability == ANY_SIGNED_IN or (capability is not None and has_capability(user, capability))
        if allowed:
            # Only once the caller may ask at all (a stranger learns nothing), and before any
            # parameter is read: every filter is parsed by the view's FilterSet (invalid ones answer
            # 400 through DjangoFilterBackend), and a NUL byte no field could hold is refused here.
            refused = query_params_error(request.query_params)
            if refused:
                raise ParseError(refused)
        return allowed


class ScopedModelViewSet(viewsets.ModelViewSet):
    """Every list, detail and write starts from `Model.objects.visible_to(request.user)`. A list
    refuses `lookup_params` (personal data, looked up only by POST to the `lookup` action; 400
    `lookup_refused`)."""

    model = None
    select_related: tuple[str, ...] = ()
    read_capability: Capability | None = Capability.VIEW_DATA
    write_capability: Capability | None = None
    action_capabilities: dict[str, Capability] = {}
    permission_classes = [permissions.IsAuthenticated, HasViewCapability]
    lookup_params: tuple[str, ...] = ()
    lookup_refused = ""

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).select_related(*self.select_related)

    def list(self, request, *args, **kwargs):
        if any(name in request.query_params for name in self.lookup_params):
            raise ParseError(self.lookup_refused)
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        with self._attributed():
            serializer.save()

    def perform_update(self, serializer):
        with self._attributed():
            serializer.save()

    def perform_destroy(self, instance):
        with self._attributed():
            instance.delete()

    def _attributed(self):
        # The middleware already attributes API writes to the token's user; re-entering here keeps
        # writes made outside a request cycle (tests calling the view directly) attributed too.
        return audit_context(
            actor_id=self.request.user.pk,
            via=AuditVia.API,
            ip=client_ip(self.request),
            context=self.request.path,
        )


class APIRootView(routers.APIRootView):
    """The API's index: any signed-in user or token may list the endpoints (no data in it).

    The root URL conf names the apps' API URL modules (`urlconfs`, dotted strings, as it includes
    them); each module's `router` lists its endpoints, so the floor knows no app."""

    required_capability = None
    permission_classes = [permissions.IsAuthenticated, HasViewCapability]
    urlconfs: tuple[str, ...] = ()

    def get(self, request, *args, **kwargs):
        self.api_root_dict = {
            prefix: router.routes[0].name.format(basename=basename)
            for router in (import_module(urlconf).router for urlconf in self.urlconfs)
            for prefix, _viewset, basename in router.registry
        }
        return super().get(request, *args, **kwargs)


class PortalRouter(routers.DefaultRouter):
    """An app's own router (its `api/urls.py`): its routes with format suffixes; the one API root
    is the floor's APIRootView, included once by the root URL conf."""

    include_root_view = False


def lookup_response(request, model, field: str, value: str, serialize) -> Response:
    """The body of a `lookup` action: {"results": serialize(found)} for the records of the user's
    region whose `field` is exactly `value`, logged and throttled (429) like a reveal, never cached."""

    try:
        found = personal_data_lookup(user=request.user, model=model, field=field, value=value, ip=client_ip(request))
    except LookupThrottled as exc:
        return Response({"detail": str(exc)}, status=429)
    response = Response({"results": serialize(found)})
    add_never_cache_headers(response)
    return response


def reveal_response(request, obj) -> Response:
    """The body of a `reveal` action: {"id": ..., "<field>": clear value, ...}, logged as a REVEAL,
    never cached. The action's capability (REVEAL_PERSONAL) is checked by HasViewCapability and
    again by the service; `obj` comes from the scoped `get_object()` (outside the region: 404)."""
    revealed = personal_data_reveal(
        user=request.user, obj=obj, fields=personal_fields(type(obj)), ip=client_ip(request)
    )
    response = Response({"id": obj.pk, **revealed})
    add_never_cache_headers(response)
    return response
