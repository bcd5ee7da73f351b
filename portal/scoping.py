"""The one scoping mechanism (STYLE.md rule 2): rows visible to a user are their region subtree.

Every region-bound model's queryset derives from `RegionScopedQuerySet` and names the lookup to its
region. Base views, the base API viewset, exports, dashboards and import validation all start from
`Model.objects.visible_to(user)`.
"""

from __future__ import annotations

from typing import Any, Self

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from portal.models import Region
from portal.permissions import has_capability, is_active_user


class RegionScopedQuerySet(models.QuerySet):
    """`required_capability`, when a subclass sets it, is needed to see any row at all: party
    members are invisible to commerce-bureau staff wherever they would appear (lists, an
    enterprise's page, an organization's page, API, exports), not only on the member pages."""

    region_lookup: str = "region"
    required_capability: str | None = None

    def visible_to(self, user) -> Self:
        if not is_active_user(user):
            return self.none()
        if self.required_capability is not None and not has_capability(user, self.required_capability):
            return self.none()
        if user.is_superuser:
            return self
        if user.jurisdiction_id is None:
            return self.none()
        return self.in_region(user.jurisdiction)

    def in_region(self, region) -> Self:
        """Rows in `region`'s subtree, as an indexed prefix scan on Region.path."""
        return self.filter(**{f"{self.region_lookup}__in": region.subtree().values("id")})


def region_visible_to(user) -> models.QuerySet:
    """The regions themselves, under the same rule."""
    if not is_active_user(user):
        return Region.objects.none()
    if user.is_superuser:
        return Region.objects.all()
    if user.jurisdiction_id is None:
        return Region.objects.none()
    return user.jurisdiction.subtree()


def home_region(user) -> Region | None:
    """The user's own region: their jurisdiction; a superuser without one, the root of the tree;
    anyone else without one, None."""

    if user.jurisdiction_id is not None:
        return user.jurisdiction
    if user.is_superuser:
        return Region.objects.filter(parent__isnull=True).order_by("path").first()
    return None


# --- The same rule inside write services: is a record (or a picked related record) in scope? ----

OUT_OF_SCOPE = "所选记录不存在或不在您的管辖区域内"


def is_visible(obj: models.Model, user) -> bool:
    """Whether `user` may see `obj`: a region through region_visible_to, any other record through
    its model's `visible_to` (one EXISTS query)."""
    if isinstance(obj, Region):
        return region_visible_to(user).filter(pk=obj.pk).exists()
    manager: Any = type(obj)._default_manager  # a RegionScopedQuerySet manager
    return manager.visible_to(user).filter(pk=obj.pk).exists()


def require_visible(obj: models.Model, user, message: str) -> None:
    """The record a service changes must be in the user's region (PermissionDenied: the views
    answer 404 for records outside it before this is reached)."""
    if not is_visible(obj, user):
        raise PermissionDenied(message)


def require_in_scope(obj: models.Model | None, user, field: str, message: str = OUT_OF_SCOPE) -> None:
    """A related record picked on a form must be in the user's region too: the message lands
    beside `field` (ValidationError)."""
    if obj is not None and not is_visible(obj, user):
        raise ValidationError({field: message})
