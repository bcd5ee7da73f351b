from django.urls import path

from instructors import views
from instructors.models import Assignment, FirstSecretaryAppointment, Instructor, Stipend, Training
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


# --- 第一书记, 培训, 工作津贴 (staff workspace, issue 10) ---------------------------------------------
urlpatterns += [
    path(
        "records/organizations/",
        views.RecordsOrganizationAutocompleteView.as_view(),
        name="records-organization-autocomplete",
    ),
    path(
        "records/instructors/",
        views.RecordsInstructorAutocompleteView.as_view(),
        name="records-instructor-autocomplete",
    ),
    path("first-secretaries/", views.FirstSecretaryListView.as_view(), name="first-secretary-list"),
    path("first-secretaries/new/", views.FirstSecretaryCreateView.as_view(), name="first-secretary-create"),
    path("first-secretaries/<int:pk>/edit/", views.FirstSecretaryUpdateView.as_view(), name="first-secretary-update"),
    path("first-secretaries/<int:pk>/end/", views.FirstSecretaryEndView.as_view(), name="first-secretary-end"),
    path(
        "first-secretaries/<int:pk>/history/",
        RecordHistoryView.as_view(model=FirstSecretaryAppointment),
        name="first-secretary-history",
    ),
    path("trainings/", views.TrainingListView.as_view(), name="training-list"),
    path("trainings/new/", views.TrainingCreateView.as_view(), name="training-create"),
    path("trainings/<int:pk>/edit/", views.TrainingUpdateView.as_view(), name="training-update"),
    path("trainings/<int:pk>/history/", RecordHistoryView.as_view(model=Training), name="training-history"),
    path("stipends/", views.StipendListView.as_view(), name="stipend-list"),
    path("stipends/new/", views.StipendCreateView.as_view(), name="stipend-create"),
    path("stipends/<int:pk>/edit/", views.StipendUpdateView.as_view(), name="stipend-update"),
    path("stipends/<int:pk>/history/", RecordHistoryView.as_view(model=Stipend), name="stipend-history"),
]
