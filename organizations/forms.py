from __future__ import annotations

from django import forms


class PartyMemberLookupForm(forms.Form):
    """按身份证号/手机号精确查找: one exact value, sent in a POST body (never the query string)."""

    id_number = forms.CharField(label="身份证号码", required=False, max_length=32, strip=True)
    phone = forms.CharField(label="手机号/电话", required=False, max_length=32, strip=True)

    def clean(self):
        data = super().clean()
        given = [name for name in ("id_number", "phone") if data.get(name)]
        if len(given) != 1:
            raise forms.ValidationError("请填写身份证号码或手机号/电话其中一项", code="one_value")
        return data

    def lookup(self) -> tuple[str, str]:
        """(field, value) of a valid form."""
        field = "id_number" if self.cleaned_data.get("id_number") else "phone"
        return field, self.cleaned_data[field]
