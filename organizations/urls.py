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

# --- Staff workspace (issue 10): members, organizations, survey visits (NAME=org) ---------------
urlpatterns += [
    path("new/", views.PartyOrganizationCreateView.as_view(), name="create"),
    path("<int:pk>/edit/", views.PartyOrganizationUpdateView.as_view(), name="update"),
    path("<int:pk>/dissolve/", views.PartyOrganizationDissolveView.as_view(), name="dissolve"),
    path("autocomplete/", views.PartyOrganizationAutocompleteView.as_view(), name="autocomplete"),
    path("members/new/", views.PartyMemberCreateView.as_view(), name="member-create"),
    path("members/<int:pk>/edit/", views.PartyMemberUpdateView.as_view(), name="member-update"),
    path("members/<int:pk>/transfer/", views.PartyMemberTransferView.as_view(), name="member-transfer"),
    path("members/autocomplete/", views.PartyMemberAutocompleteView.as_view(), name="member-autocomplete"),
    path("survey-visit/", views.SurveyVisitView.as_view(), name="survey-visit"),
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
