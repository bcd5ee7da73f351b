from django.urls import path

from organizations import views
from organizations.models import ExcellenceSystem, OrgLifeRecord, PartyMember, PartyOrganization
from portal.views import RecordHistoryView

app_name = "organizations"
urlpatterns = [
    path("", views.PartyOrganizationListView.as_view(), name="list"),
    path("<int:pk>/", views.PartyOrganizationDetailView.as_view(), name="detail"),
    path("<int:pk>/history/", RecordHistoryView.as_view(model=PartyOrganization), name="history"),
    path("members/", views.PartyMemberListView.as_view(), name="member-list"),
    path("members/lookup/", views.PartyMemberLookupView.as_view(), name="member-lookup"),
    path("members/<int:pk>/", views.PartyMemberDetailView.as_view(), name="member-detail"),
    path("members/<int:pk>/history/", RecordHistoryView.as_view(model=PartyMember), name="member-history"),
    path("members/<int:pk>/reveal/", views.PartyMemberRevealView.as_view(), name="member-reveal"),
]

# --- 组织生活 and 创先争优制度 (staff workspace, issue 10) -------------------------------------------
urlpatterns += [
    path("<int:pk>/life/new/", views.OrgLifeRecordCreateView.as_view(), name="life-create"),
    path(
        "<int:pk>/life/attendees/", views.OrgLifeAttendeeAutocompleteView.as_view(), name="life-attendee-autocomplete"
    ),
    path("life/<int:pk>/edit/", views.OrgLifeRecordUpdateView.as_view(), name="life-update"),
    path("life/<int:pk>/void/", views.OrgLifeRecordVoidView.as_view(), name="life-void"),
    path("life/<int:pk>/history/", RecordHistoryView.as_view(model=OrgLifeRecord), name="life-history"),
    path("<int:pk>/excellence/new/", views.ExcellenceSystemCreateView.as_view(), name="excellence-create"),
    path("excellence/<int:pk>/edit/", views.ExcellenceSystemUpdateView.as_view(), name="excellence-update"),
    path("excellence/<int:pk>/end/", views.ExcellenceSystemEndView.as_view(), name="excellence-end"),
    path("excellence/<int:pk>/history/", RecordHistoryView.as_view(model=ExcellenceSystem), name="excellence-history"),
]
