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
