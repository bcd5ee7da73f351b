"""Forms of the enterprises app: thin, they parse input and leave the rules to services."""

from __future__ import annotations

from django import forms

from enterprises.choices import ImportSource


class RegisterUploadForm(forms.Form):
    source = forms.ChoiceField(label="名单类型", choices=ImportSource.choices, initial=ImportSource.REGISTRATION)
    file = forms.FileField(
        label="名单文件",
        help_text="支持 .xlsx 和 .csv（UTF-8 或 GBK 编码）；表头可以在标题行之下，列名可用常见写法",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class RegisterConfirmForm(forms.Form):
    confirm_warnings = forms.BooleanField(label="确认导入校验位不符的代码（已逐一核实）", required=False)
