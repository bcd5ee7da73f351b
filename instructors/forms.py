from __future__ import annotations

from django import forms


class InstructorLookupForm(forms.Form):
    """按手机号/电话精确查找: the value is sent in a POST body (never the query string)."""

    phone = forms.CharField(label="手机号/电话", max_length=32, strip=True)

    def lookup(self) -> tuple[str, str]:
        """(field, value) to look up."""
        return "phone", self.cleaned_data["phone"]
