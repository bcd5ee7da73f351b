"""Form widgets shared by every page, so that the same kind of input looks and works the same.

`AutocompleteSelect` / `AutocompleteSelectMultiple`: a related record picked from a searchable
list of the user's region (type a name or a credit code; never a raw id box). They render a plain
`<select>` that static/js/autocomplete.js (loaded by base.html) turns into an ARIA combobox fetching
matches from an app's `portal.views.AutocompleteView` as the user types. Without JavaScript the
select still works when the choices are few (all are rendered); past `max_options` only the chosen
rows are rendered, so a page never loads thousands of options.

`AllYesNoSelect`: 全部 / 是 / 否 for boolean filters (Django's own select reads 未知 / 是 / 否).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


class AllYesNoSelect(forms.NullBooleanSelect):
    """A yes/no filter whose empty choice means "do not filter": 全部. Accepts the same values as
    Django's NullBooleanSelect (true/false, True/False), so API query strings keep working."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", "全部"), ("true", "是"), ("false", "否")]

    def format_value(self, value):
        # A list, as ChoiceWidget expects: the parent's bare string would match "" as a substring.
        formatted = super().format_value(value)
        return [] if formatted == "unknown" else [formatted]


class AutocompleteSelect(forms.Select):
    """A select of model rows enhanced into a searchable combobox. `url` is the app's autocomplete
    URL (`reverse_lazy("enterprises:carrier-autocomplete")`); the field's queryset must be scoped
    to the user (`visible_to`), like the URL's view, so that a value typed into the query string
    is refused when it lies outside the user's region."""

    max_options = 100

    def __init__(self, url, attrs=None, choices=(), placeholder: str = "输入名称搜索"):
        super().__init__(attrs, choices)
        self.url = url
        self.placeholder = placeholder

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {"data-autocomplete-url": str(self.url), "data-placeholder": self.placeholder}
        )
        return context

    def optgroups(self, name, value, attrs=None):
        # Model choices: render at most `max_options` rows (one query), or only the chosen ones.
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return super().optgroups(name, value, attrs)
        field = self.choices.field
        rows = list(queryset[: self.max_options + 1])
        if len(rows) > self.max_options:
            rows = self._chosen_rows(queryset, field, value)
        choices = [("", field.empty_label)] if field.empty_label is not None else []
        choices += [self.choices.choice(obj) for obj in rows]
        original, self.choices = self.choices, choices
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = original

    @staticmethod
    def _chosen_rows(queryset, field, value) -> list:
        chosen = [item for item in value if item not in (None, "")]
        if not chosen:
            return []
        try:
            return list(queryset.filter(**{f"{field.to_field_name or 'pk'}__in": chosen}))
        except (ValueError, TypeError, ValidationError):
            return []


class AutocompleteSelectMultiple(AutocompleteSelect, forms.SelectMultiple):
    """Many-to-many: the chosen rows shown as removable tags, more added by searching."""

    def __init__(self, url, attrs=None, choices=(), placeholder: str = "输入名称搜索，可选多项"):
        super().__init__(url, attrs, choices, placeholder)
