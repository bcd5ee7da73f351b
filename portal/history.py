"""Reading the change log (portal_auditevent) for people: one record's history and the
administrators' search. Values are shown as stored, with choice labels, and personal data is
always masked (decrypted only to compare and to mask; revealing is a separate, logged action)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import cast

from django import forms
from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.choices import AccessKind, AuditAction, AuditVia
from portal.fields import DigestField, EncryptedTextField, decrypt
from portal.models import AccessLog, AuditEvent, Region
from portal.services import mask_value


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class EventView:
    event: AuditEvent
    table_label: str
    changes: list[FieldChange] = field(default_factory=list)
    record_url: str = ""
    is_link: bool = False  # a many-to-many row (an organization's covered enterprise ...)


@cache
def _models_by_table() -> dict[str, type[models.Model]]:
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        found.setdefault(model._meta.db_table, model)
    return found


def table_choices() -> list[tuple[str, str]]:
    """(table, Chinese name) of the tables of the apps whose AppConfig declares `audited = True`,
    for the search form (no query: a DISTINCT over millions of log rows would be a full scan)."""
    pairs = [
        (table, _table_label(model, table))
        for table, model in _models_by_table().items()
        if getattr(apps.get_app_config(model._meta.app_label), "audited", False)
        and model not in (AuditEvent, AccessLog)
    ]
    return sorted(pairs, key=lambda pair: pair[1])


def _table_label(model: type[models.Model] | None, table: str) -> str:
    if model is None:
        return table
    if model._meta.auto_created:  # a many-to-many link table
        owner = cast(type[models.Model], model._meta.auto_created)  # the owning model (typed bool in the stubs)
        link = next(
            (f for f in owner._meta.many_to_many if f.remote_field.through is model),
            None,
        )
        return f"{owner._meta.verbose_name} · {link.verbose_name if link else table}"
    return str(model._meta.verbose_name)


def _field_for(model: type[models.Model] | None, column: str):
    if model is None:
        return None
    for f in model._meta.concrete_fields:
        if f.column == column:
            return f
    return None


def display_value(model_field, value, related: dict | None = None, *, empty: str = "—") -> str:
    """A stored value for people: choice labels, 是/否, a foreign key's name (from `related`),
    personal data masked; `empty` for none. `model_field` may be None (a column no model has)."""
    if value is None or value == "":
        return empty
    if model_field is not None and model_field.many_to_one and related:
        name = related.get((model_field.related_model, value))
        if name is not None:
            return f"{name}（{value}）"
    if isinstance(model_field, EncryptedTextField):
        return mask_value(model_field.name, decrypt(str(value)))
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if value is True:
        return "是"
    if value is False:
        return "否"
    return str(value)


def _plain(model_field, value):
    """The comparable plaintext of a stored value (ciphertexts differ on every save)."""
    if isinstance(model_field, EncryptedTextField) and value:
        return decrypt(str(value))
    return value


def _related_names(events: list[AuditEvent], user) -> dict[tuple[type[models.Model], object], str]:
    """Names of the rows the events' foreign keys point to, read under the user's scope (a
    record outside it, or a member for a role without VIEW_MEMBERS, stays a bare number)."""
    names = _models_by_table()
    wanted: dict[type[models.Model], set] = {}
    for event in events:
        model = names.get(event.table_name)
        for column, value in event.changes.items():
            model_field = _field_for(model, column)
            if model_field is None or not model_field.many_to_one:
                continue
            values = value if event.action == AuditAction.UPDATE and isinstance(value, list) else [value]
            wanted.setdefault(model_field.related_model, set()).update(v for v in values if v is not None)
    found: dict[tuple[type[models.Model], object], str] = {}
    for related_model, ids in wanted.items():
        manager = related_model._default_manager
        if hasattr(manager, "visible_to"):
            queryset = manager.visible_to(user)
        elif related_model is Region:
            queryset = manager.all()
        else:
            continue
        for pk, obj in queryset.in_bulk(list(ids)).items():
            found[(related_model, pk)] = str(obj)
    return found


def _changes(event: AuditEvent, model: type[models.Model] | None, related: dict | None = None) -> list[FieldChange]:
    result: list[FieldChange] = []
    for column, value in sorted(event.changes.items()):
        model_field = _field_for(model, column)
        if isinstance(model_field, DigestField) or column in {"created_at", "updated_at"}:
            continue
        label = str(model_field.verbose_name) if model_field is not None else column
        if model is not None and model._meta.auto_created and model_field is not None and model_field.is_relation:
            label = str(model_field.related_model._meta.verbose_name)
        if event.action == AuditAction.UPDATE:
            old, new = value if isinstance(value, list) and len(value) == 2 else (None, value)
            if _plain(model_field, old) == _plain(model_field, new):
                continue  # re-encrypted, not changed
            result.append(
                FieldChange(label, display_value(model_field, old, related), display_value(model_field, new, related))
            )
        elif event.action == AuditAction.INSERT:
            if column == "id":
                continue
            result.append(FieldChange(label, "", display_value(model_field, value, related)))
        else:
            result.append(FieldChange(label, display_value(model_field, value, related), ""))
    return result


def _record_url(model: type[models.Model] | None, object_id: str) -> str:
    """The change-history page of the logged row, when its model has one (`get_history_url`)."""
    get_history_url = getattr(model, "get_history_url", None)
    if model is None or get_history_url is None or not object_id.isdigit():
        return ""
    return get_history_url(model(pk=int(object_id)))


def describe_events(events, user=None) -> list[EventView]:
    """Events for display; with `user`, foreign keys show the names of rows they may see."""
    events = list(events)
    names = _models_by_table()
    related = _related_names(events, user) if user is not None else {}
    views: list[EventView] = []
    for event in events:
        model = names.get(event.table_name)
        changes = _changes(event, model, related)
        if event.action == AuditAction.UPDATE and not changes:
            continue
        is_link = bool(model is not None and model._meta.auto_created)
        views.append(
            EventView(
                event,
                _table_label(model, event.table_name),
                changes,
                "" if is_link else _record_url(model, event.object_id),
                is_link,
            )
        )
    return views


def record_events(obj: models.Model) -> QuerySet[AuditEvent]:
    """The change log rows of `obj`: its own table, plus its many-to-many link tables (an
    organization's covered enterprises, a member's other organizations)."""
    condition = Q(table_name=obj._meta.db_table, object_id=str(obj.pk))
    for m2m in obj._meta.many_to_many:
        through = m2m.remote_field.through
        if through is not None and through._meta.auto_created:
            condition |= Q(table_name=through._meta.db_table, **{f"changes__{m2m.m2m_column_name()}": obj.pk})
    return AuditEvent.objects.filter(condition).select_related("actor")


def record_history(obj: models.Model, user=None, limit: int = 500) -> list[EventView]:
    return describe_events(record_events(obj)[:limit], user)


class LogSearchForm(forms.Form):
    """A log's search form: `filters` maps each form field to its lookup (text stripped, empty
    fields ignored), then whole days from `date_from` to `date_to`."""

    model: type[models.Model]
    filters: dict[str, str] = {}
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(list(self.filters))  # the dates last

    def filtered(self) -> QuerySet:
        queryset = self.model._default_manager.all()
        if not self.is_bound or not self.is_valid():
            return queryset
        data = self.cleaned_data
        for name, lookup in self.filters.items():
            value = data[name]
            if value:
                queryset = queryset.filter(**{lookup: value.strip() if isinstance(value, str) else value})
        return _in_dates(queryset, data["date_from"], data["date_to"])


class AuditSearchForm(LogSearchForm):
    model = AuditEvent
    filters = {
        "table": "table_name",
        "actor": "actor__username",
        "via": "via",
        "action": "action",
        "object_id": "object_id",
    }
    table = forms.ChoiceField(label="数据表", required=False)
    actor = forms.CharField(label="操作人（用户名）", required=False)
    via = forms.ChoiceField(label="来源", required=False, choices=[("", "全部"), *AuditVia.choices])
    action = forms.ChoiceField(label="操作", required=False, choices=[("", "全部"), *AuditAction.choices])
    object_id = forms.CharField(label="记录编号", required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["table"].choices = [("", "全部"), *table_choices()]


class AccessLogSearchForm(LogSearchForm):
    model = AccessLog
    filters = {"user": "user__username", "kind": "kind", "target": "target__startswith"}
    user = forms.CharField(label="用户（用户名）", required=False)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部"), *AccessKind.choices])
    target = forms.CharField(label="对象", required=False, max_length=128)


def _in_dates(queryset: QuerySet, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    """Whole local days (Asia/Shanghai), inclusive at both ends, as an indexed range."""
    tz = timezone.get_current_timezone()
    if date_from:
        queryset = queryset.filter(occurred_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        queryset = queryset.filter(occurred_at__lt=end)
    return queryset
