"""Every query parameter of the ledger pages and the ledger API, parsed by one form: bad input
(a NUL byte, a Unicode digit such as "²", a negative id, an overlong string) answers 400 with a
Chinese message instead of reaching the database."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from assessments.choices import Dimension
from assessments.filtersets import MAX_ID, LedgerFilterSet
from assessments.rules import FIGURE_BY_NAME
from enterprises.models import Enterprise

BY_CHOICES = ("region", "kind", "industry", "above_scale", "carrier")
FLAG = (("", ""), ("0", "否"), ("1", "是"))


def _choices(values) -> list[tuple[str, str]]:
    return [("", ""), *((value, value) for value in values)]


class LedgerParamsInvalid(Exception):
    """A ledger parameter could not be parsed: answer 400 with `messages`."""

    def __init__(self, messages: list[str]):
        super().__init__("；".join(messages))
        self.messages = messages


class LedgerParamsForm(forms.Form):
    """?snapshot=&as_of=&live= (the source), ?figure=&by=&dimension=&export=&page=; a line's group
    keys are LedgerFilterSet's."""

    snapshot = forms.IntegerField(label="快照", required=False, min_value=1, max_value=MAX_ID)
    as_of = forms.DateField(label="统计日期", required=False)
    live = forms.ChoiceField(label="实时", required=False, choices=FLAG)
    figure = forms.ChoiceField(label="指标", required=False, choices=_choices(FIGURE_BY_NAME))
    by = forms.ChoiceField(label="分组", required=False, choices=_choices(BY_CHOICES))
    dimension = forms.ChoiceField(label="分组", required=False, choices=_choices(Dimension.values))
    export = forms.ChoiceField(label="导出", required=False, choices=_choices(("xlsx",)))
    page = forms.CharField(
        label="页码",
        required=False,
        max_length=10,
        validators=[RegexValidator(r"^([0-9]{1,9}|last)$", "页码应为正整数")],
    )


def _messages(form) -> list[str]:
    messages = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field is not None else "参数"
        messages.extend(error if name == "__all__" else f"参数“{label}”（{name}）：{error}" for error in errors)
    return messages


def parse_ledger_params(data) -> dict:
    """The parameters of `data` (request.GET / query_params): the form's and LedgerFilterSet's,
    as a dict of strings ("" for absent ones); raises LedgerParamsInvalid."""
    form = LedgerParamsForm(data)
    keys = LedgerFilterSet(data, queryset=Enterprise.objects.none()).form
    messages = []
    if not form.is_valid():
        messages += _messages(form)
    if not keys.is_valid():
        messages += _messages(keys)
    elif keys.cleaned_data.get("unplaced") == "1" and not keys.cleaned_data.get("region"):
        messages.append("“仅未落实到下级的企业”需要同时指定区域")
    if messages:
        raise LedgerParamsInvalid(messages)
    params = {}
    for name, value in (form.cleaned_data | keys.cleaned_data).items():
        if value is None:
            params[name] = ""
        elif name == "as_of":
            params[name] = value.isoformat()
        else:
            params[name] = str(value)
    return params
