"""API base classes: the same scoping and capabilities as the pages, writes attributed to the
token's user."""

from __future__ import annotations

from rest_framework import permissions, viewsets

from portal.audit import audit_context
from portal.choices import AuditVia
from portal.middleware import client_ip
from portal.permissions import Capability, has_capability


class HasViewCapability(permissions.BasePermission):
    """Reads need the viewset's `read_capability`, writes its `write_capability`."""

    message = "您的角色无权执行此操作"

    def has_permission(self, request, view) -> bool:
        capability = view.read_capability if request.method in permissions.SAFE_METHODS else view.write_capability
        return capability is not None and has_capability(request.user, capability)


class ScopedModelViewSet(viewsets.ModelViewSet):
    """Every list, detail and write starts from `Model.objects.visible_to(request.user)`."""

    model = None
    select_related: tuple[str, ...] = ()
    read_capability: Capability | None = Capability.VIEW_DATA
    write_capability: Capability | None = None
    permission_classes = [permissions.IsAuthenticated, HasViewCapability]

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).select_related(*self.select_related)

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
        # Token users are authenticated here, after the middleware ran: attribute to them.
        return audit_context(
            actor_id=self.request.user.pk,
            via=AuditVia.API,
            ip=client_ip(self.request),
            context=self.request.path,
        )
