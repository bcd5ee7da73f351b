"""The floor of every staff-workspace form (create / edit / end a record).

- `WorkspaceFormMixin`: a form built for one `user`; the scoped pickers are limited to what that
  user may see, every field gets its `aria-describedby`, and a service's ValidationError is put
  beside the fields it names (`add_service_errors`).
- `scoped_choice(Model, url=...)`: a related record picked with the searchable autocomplete
  (portal/widgets.py) from `Model.objects.visible_to(user)`. The queryset is set server-side when
  the form is built, so a posted id outside the user's region is a form error, never a save.
- `FormTokenField`: the hidden one-time token that makes a create form idempotent (the view keeps
  token → created record; a second submit of the same rendered form lands on the first result).

The floor names no app: forms in the apps declare their fields with these helpers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model, QuerySet

from portal.scoping import OUT_OF_SCOPE
from portal.widgets import AutocompleteSelect, AutocompleteSelectMultiple

TOKEN_FIELD = "form_token"  # noqa: S105 - a field name, not a secret


Scope = Callable[[Any], QuerySet]


def _scoped_rows(model: type[Model], scope: Scope | None, user) -> QuerySet:
    if scope is not None:
        return scope(user)
    manager: Any = model._default_manager
    return manager.visible_to(user)


class ScopedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose rows come from `model.objects.visible_to(user)` (set by the form)."""

    default_error_messages = {"invalid_choice": OUT_OF_SCOPE}

    def __init__(self, model: type[Model], scope: Scope | None = None, **kwargs: Any) -> None:
        self.scoped_model = model
        self.scope = scope
        super().__init__(queryset=model._default_manager.none(), **kwargs)

    def scope_to(self, user) -> None:
        self.queryset = _scoped_rows(self.scoped_model, self.scope, user)


class ScopedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    default_error_messages = {"invalid_choice": OUT_OF_SCOPE, "invalid_pk_value": OUT_OF_SCOPE}

    def __init__(self, model: type[Model], scope: Scope | None = None, **kwargs: Any) -> None:
        self.scoped_model = model
        self.scope = scope
        super().__init__(queryset=model._default_manager.none(), **kwargs)

    def scope_to(self, user) -> None:
        self.queryset = _scoped_rows(self.scoped_model, self.scope, user)


def scoped_choice(
    model: type[Model],
    *,
    url: str,
    multiple: bool = False,
    required: bool = True,
    placeholder: str | None = None,
    scope: Scope | None = None,
    **kwargs: Any,
) -> ScopedModelChoiceField | ScopedModelMultipleChoiceField:
    """A related record (or several, `multiple=True`) picked from the user's region with the
    searchable autocomplete. `url` is the name of the app's AutocompleteView URL
    ("enterprises:carrier-autocomplete"). Use it inside a form that has WorkspaceFormMixin.
    `scope(user)` gives the rows for a model without `visible_to` (regions: region_visible_to);
    it must match what the autocomplete URL offers."""
    from django.urls import reverse_lazy

    widget_kwargs = {"placeholder": placeholder} if placeholder else {}
    if multiple:
        return ScopedModelMultipleChoiceField(
            model,
            scope,
            required=required,
            widget=AutocompleteSelectMultiple(reverse_lazy(url), **widget_kwargs),
            **kwargs,
        )
    return ScopedModelChoiceField(
        model,
        scope,
        required=required,
        empty_label="—— 请选择 ——",
        widget=AutocompleteSelect(reverse_lazy(url), **widget_kwargs),
        **kwargs,
    )


class FormTokenField(forms.CharField):
    """Hidden, one per rendered form: a fresh UUID each time the form is shown."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", lambda: uuid.uuid4().hex)
        super().__init__(max_length=64, **kwargs)


BLANK_CHOICE_LABEL = "请选择"


def _blank_choice_in_chinese(field: forms.Field) -> None:
    """Django's "---------" for an empty choice reads as noise on a Chinese page: 请选择."""
    if isinstance(field, forms.ModelChoiceField):  # never iterate its queryset: it may hold a city
        if field.empty_label is not None:
            field.empty_label = BLANK_CHOICE_LABEL
    elif isinstance(field, forms.ChoiceField):
        choices: list[Any] = list(field.choices)  # type: ignore[arg-type]  # a plain list once bound
        if choices and choices[0][0] in ("", None) and choices[0][1] == "---------":
            field.choices = [("", BLANK_CHOICE_LABEL), *choices[1:]]


class WorkspaceFormMixin:
    """Mix into a ModelForm / Form: `Form(data, user=request.user, ...)`."""

    error_css_class = "has-error"
    required_css_class = "required"
    fields: dict[str, forms.Field]
    prefix: str | None

    def __init__(self, *args: Any, user, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            scope_to = getattr(field, "scope_to", None)
            if scope_to is not None:
                scope_to(user)
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            _blank_choice_in_chinese(field)
            described = [f"{name}-errors"]
            if field.help_text:
                described.append(f"{name}-help")
            field.widget.attrs.setdefault("aria-describedby", " ".join(described))

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's (or full_clean's) ValidationError beside the fields it names; the rest
        goes to the top of the form."""
        form: Any = self
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                target = field if field in form.fields and field != NON_FIELD_ERRORS else None
                for message in errors:
                    form.add_error(target, message)
        else:
            for message in exc.messages:
                form.add_error(None, message)


class WorkspaceForm(WorkspaceFormMixin, forms.Form):
    """A plain form of the workspace (an end action, a workflow step)."""


class WorkspaceModelForm(WorkspaceFormMixin, forms.ModelForm):
    """A model form of the workspace. Its `save()` is never called: the view passes
    `cleaned_data` to the app's service, which runs `full_clean()` and the scope checks."""

    form_token = FormTokenField()

    def _post_clean(self) -> None:
        # The model's clean() runs in the service (one message for form, API and command); here only
        # the fields are converted. Errors the service raises come back via add_service_errors.
        pass


class EndForm(WorkspaceForm):
    """The confirmation of an end action (dissolve, deregister, end an assignment)."""

    ended_on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label="原因", max_length=255, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    form_token = FormTokenField()
