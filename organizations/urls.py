from django.urls import path

from organizations import views
from organizations.models import PartyMember, PartyOrganization
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
