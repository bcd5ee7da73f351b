"""The floor's searchable picker: the widget (portal/widgets.py), the generic AutocompleteView it
asks (portal/views.py) and the yes/no filter select."""

from __future__ import annotations

import json
import re

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from enterprises.models import Carrier
from organizations.models import PartyMember
from portal.choices import Role
from portal.permissions import Capability
from portal.views import AutocompleteView
from portal.widgets import AllYesNoSelect, AutocompleteSelect, AutocompleteSelectMultiple
from tests.factories import CarrierFactory, PartyMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/somewhere/autocomplete/"


def _form_class(queryset, *, multiple: bool = False, max_options: int = 100):
    widget = (AutocompleteSelectMultiple if multiple else AutocompleteSelect)(URL)
    widget.max_options = max_options
    if multiple:
        field = forms.ModelMultipleChoiceField(queryset=queryset, required=False, widget=widget)
    else:
        field = forms.ModelChoiceField(queryset=queryset, required=False, widget=widget, empty_label="全部")

    class PickForm(forms.Form):
        carrier = field

    return PickForm


def _option_labels(html: str) -> list[str]:
    return re.findall(r"<option[^>]*>([^<]*)</option>", html)


# --- the widget ----------------------------------------------------------------------------------


def test_a_small_set_is_rendered_whole_so_the_select_works_without_javascript(taishan):
    for name in ("甲园区", "乙园区", "丙园区"):
        CarrierFactory(name=name, region=taishan)
    html = str(_form_class(Carrier.objects.order_by("name"))()["carrier"])
    assert f'data-autocomplete-url="{URL}"' in html
    assert 'data-placeholder="输入名称搜索"' in html
    assert _option_labels(html) == ["全部", "丙园区", "乙园区", "甲园区"]


def test_a_large_set_renders_only_the_chosen_row_in_two_queries(taishan, django_assert_num_queries):
    carriers = [CarrierFactory(name=f"楼宇{n:02d}", region=taishan) for n in range(12)]
    form = _form_class(Carrier.objects.order_by("name"), max_options=10)({"carrier": carriers[7].pk})
    assert form.is_valid()  # validation looks the value up (one query) before any rendering
    with django_assert_num_queries(2):  # the first max_options + 1 rows, then the chosen one
        html = str(form["carrier"])
    assert _option_labels(html) == ["全部", "楼宇07"]
    assert f'<option value="{carriers[7].pk}" selected>' in html


def test_a_large_set_with_nothing_chosen_renders_only_the_empty_choice(taishan):
    for n in range(12):
        CarrierFactory(name=f"楼宇{n:02d}", region=taishan)
    html = str(_form_class(Carrier.objects.all(), max_options=10)()["carrier"])
    assert _option_labels(html) == ["全部"]


def test_a_garbage_value_renders_no_chosen_row(taishan):
    for n in range(12):
        CarrierFactory(name=f"楼宇{n:02d}", region=taishan)
    html = str(_form_class(Carrier.objects.all(), max_options=10)({"carrier": "泰山科技园"})["carrier"])
    assert _option_labels(html) == ["全部"]


def test_the_multiple_picker_keeps_every_chosen_row(taishan):
    carriers = [CarrierFactory(name=f"楼宇{n:02d}", region=taishan) for n in range(12)]
    form = _form_class(Carrier.objects.order_by("name"), multiple=True, max_options=10)(
        {"carrier": [carriers[1].pk, carriers[11].pk]}
    )
    html = str(form["carrier"])
    assert "multiple" in html
    assert _option_labels(html) == ["楼宇01", "楼宇11"]
    assert form.is_valid()
    assert list(form.cleaned_data["carrier"]) == [carriers[1], carriers[11]]


def test_the_yes_no_select_reads_all_yes_no_and_keeps_the_choice():
    widget = AllYesNoSelect()
    assert re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<', widget.render("x", None)) == [
        ("", "全部"),
        ("true", "是"),
        ("false", "否"),
    ]
    assert '<option value="false" selected>否</option>' in widget.render("x", False)
    assert "selected" not in widget.render("x", None)
    assert widget.value_from_datadict({"x": "true"}, {}, "x") is True
    assert widget.value_from_datadict({"x": "False"}, {}, "x") is False
    assert widget.value_from_datadict({"x": ""}, {}, "x") is None


# --- the generic endpoint ------------------------------------------------------------------------


class MemberAutocomplete(AutocompleteView):
    """A picker of records that need more than VIEW_DATA (party members need VIEW_MEMBERS)."""

    model = PartyMember
    required_capability = Capability.VIEW_MEMBERS
    search_fields = ("name__contains",)


class CarrierAutocomplete(AutocompleteView):
    model = Carrier
    search_fields = ("name__icontains",)


def _ask(view_class, user, **params):
    request = RequestFactory().get(URL, params)
    request.user = user
    return view_class.as_view()(request)


def _labels(response) -> list[str]:
    return [row["label"] for row in json.loads(response.content)["results"]]


def test_the_endpoint_refuses_a_role_without_its_capability(taishan):
    PartyMemberFactory(name="张三", region=taishan)
    commerce = UserFactory(username="commerce", role=Role.COMMERCE_STAFF, jurisdiction=taishan)
    staff = UserFactory(username="staff", role=Role.DISTRICT_STAFF, jurisdiction=taishan)
    with pytest.raises(PermissionDenied):
        _ask(MemberAutocomplete, commerce, q="张")
    assert _labels(_ask(MemberAutocomplete, staff, q="张")) == ["张三"]


def test_the_endpoint_sends_a_signed_out_visitor_to_the_login_page():
    response = _ask(CarrierAutocomplete, AnonymousUser(), q="园")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_endpoint_answers_in_one_query_scoped_to_the_region(taishan, daiyue, django_assert_num_queries):
    CarrierFactory(name="泰山园区", region=taishan)
    CarrierFactory(name="岱岳园区", region=daiyue)
    staff = UserFactory(username="staff", role=Role.DISTRICT_STAFF, jurisdiction=taishan)
    outsider = UserFactory(username="outsider", role=Role.DISTRICT_STAFF, jurisdiction=daiyue)
    staff.jurisdiction  # noqa: B018 - loaded before counting, as the auth middleware would have
    with django_assert_num_queries(1):  # the region subtree is a subquery of the one query
        assert _labels(_ask(CarrierAutocomplete, staff, q="园区")) == ["泰山园区"]
    assert _labels(_ask(CarrierAutocomplete, outsider, q="园区")) == ["岱岳园区"]


def test_the_endpoint_bounds_the_query_text_and_the_rows(taishan):
    for n in range(30):
        CarrierFactory(name=f"园区{n:02d}", region=taishan)
    staff = UserFactory(username="staff", role=Role.DISTRICT_STAFF, jurisdiction=taishan)
    assert len(_labels(_ask(CarrierAutocomplete, staff, q="园区"))) == 20
    assert _labels(_ask(CarrierAutocomplete, staff, q="园区" + "x" * 500)) == []
    assert _labels(_ask(CarrierAutocomplete, staff, id="not-a-number")) != []  # ignored, not an error
