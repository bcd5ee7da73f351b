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
