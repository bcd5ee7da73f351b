"""Every query parameter of the ledger pages and the ledger API, parsed by one form: bad input
(a NUL byte, a Unicode digit such as "²", a negative id, an overlong string) answers 400 with a
Chinese message instead of reaching the database."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from assessments.choices import Dimension
from assessments.rules import FIGURE_BY_NAME, SIZE_50, SIZE_100
from enterprises.choices import EnterpriseKind, Industry

# PostgreSQL integer keys: anything larger cannot name a row (and would overflow the query).
MAX_ID = 2**31 - 1
BY_CHOICES = ("region", "kind", "industry", "above_scale", "carrier")
FLAG = (("", ""), ("0", "否"), ("1", "是"))
BOOLEAN = (("", ""), ("True", "是"), ("False", "否"))


def _choices(values) -> list[tuple[str, str]]:
    return [("", ""), *((value, value) for value in values)]


class LedgerParamsInvalid(Exception):
    """A ledger parameter could not be parsed: answer 400 with `messages`."""

    def __init__(self, messages: list[str]):
        super().__init__("；".join(messages))
        self.messages = messages


class LedgerParamsForm(forms.Form):
    """?region=&carrier=&industry=&kind=&above_scale=&legal_member=&size_band=&unplaced= (a
    line's group keys), ?snapshot=&as_of=&live= (the source), ?figure=&by=&dimension=&export=."""

    region = forms.CharField(
        label="区域",
        required=False,
        max_length=12,
        validators=[RegexValidator(r"^[0-9]{6}([0-9]{6})?$", "区划代码应为6位或12位数字")],
    )
    unplaced = forms.ChoiceField(label="仅未落实到下级的企业", required=False, choices=FLAG)
    carrier = forms.IntegerField(label="载体", required=False, min_value=1, max_value=MAX_ID)
    industry = forms.ChoiceField(label="行业", required=False, choices=_choices(Industry.values))
    kind = forms.ChoiceField(label="企业类型", required=False, choices=_choices(EnterpriseKind.values))
    above_scale = forms.ChoiceField(label="规模以上", required=False, choices=BOOLEAN)
    legal_member = forms.ChoiceField(label="法定代表人是党员", required=False, choices=BOOLEAN)
    size_band = forms.ChoiceField(label="从业人员规模", required=False, choices=_choices((SIZE_50, SIZE_100)))
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

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("unplaced") == "1" and not cleaned.get("region"):
            raise forms.ValidationError("“仅未落实到下级的企业”需要同时指定区域")
        return cleaned


def parse_ledger_params(data) -> dict:
    """The parameters of `data` (request.GET / query_params) as a dict of strings, the form's
    normalised values ("" for absent ones); raises LedgerParamsInvalid."""
    form = LedgerParamsForm(data)
    if not form.is_valid():
        messages = []
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else "参数"
            messages.extend(f"参数“{label}”（{name}）：{error}" if name != "__all__" else error for error in errors)
        raise LedgerParamsInvalid(messages)
    params = {}
    for name, value in form.cleaned_data.items():
        if value is None:
            params[name] = ""
        elif name == "as_of":
            params[name] = value.isoformat()
        else:
            params[name] = str(value)
    return params
