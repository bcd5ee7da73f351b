from __future__ import annotations

from django import template

from portal.permissions import Capability, has_capability
from portal.views import history_url

register = template.Library()


@register.filter
def cell(obj, attr: str):
    """The display value of `attr` on a row: methods called, booleans as 是/否, blanks as —."""
    value = obj
    for part in attr.split("."):
        value = getattr(value, part, None)
        if callable(value):
            value = value()
        if value is None:
            return "—"
    if value is True:
        return "是"
    if value is False:
        return "否"
    return value if value != "" else "—"


@register.simple_tag
def detail_url(obj) -> str:
    """The record's own page (its model's `get_absolute_url()`), "" for a model without one."""
    get_absolute_url = getattr(obj, "get_absolute_url", None)
    return get_absolute_url() if get_absolute_url is not None else ""


@register.filter
def can(user, capability: str) -> bool:
    """`{% if request.user|can:"IMPORT_REGISTER" %}`: whether the user's role grants the capability.
    Every action button and navigation link is wrapped in it, with the capability its view
    declares, so that no one is shown a link that answers 403. An unknown name fails loudly."""
    if capability not in Capability.values:
        raise template.TemplateSyntaxError(f"unknown capability {capability!r}")
    return has_capability(user, capability)


@register.inclusion_tag("portal/_history_link.html", takes_context=True)
def history_link(context, obj):
    """A "变更记录" link to `obj`'s change history, for users who may see it (VIEW_HISTORY)."""
    request = context.get("request")
    return {"url": history_url(obj, request.user) if request is not None else ""}
