from django.urls import path

from instructors import views
from instructors.models import Assignment, Instructor
from portal.views import RecordHistoryView

app_name = "instructors"
urlpatterns = [
    path("", views.InstructorListView.as_view(), name="list"),
    path("lookup/", views.InstructorLookupView.as_view(), name="lookup"),
    path("<int:pk>/", views.InstructorDetailView.as_view(), name="detail"),
    path("<int:pk>/history/", RecordHistoryView.as_view(model=Instructor), name="history"),
    path("assignments/<int:pk>/history/", RecordHistoryView.as_view(model=Assignment), name="assignment-history"),
    path("<int:pk>/reveal/", views.InstructorRevealView.as_view(), name="reveal"),
]

# Staff workspace (portal/workspace.py): instructors and their assignments (派驻).
urlpatterns += [
    path("new/", views.InstructorCreateView.as_view(), name="create"),
    path("<int:pk>/edit/", views.InstructorUpdateView.as_view(), name="update"),
    path("<int:pk>/end/", views.InstructorEndView.as_view(), name="end"),
    path("autocomplete/", views.InstructorAutocompleteView.as_view(), name="autocomplete"),
    path("dispatch/", views.AssignmentDispatchView.as_view(), name="dispatch"),
    path("assignments/<int:pk>/end/", views.AssignmentEndView.as_view(), name="assignment-end"),
]
