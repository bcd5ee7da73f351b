from django.urls import path

from instructors import views

app_name = "instructors"
urlpatterns = [
    path("", views.InstructorListView.as_view(), name="list"),
    path("lookup/", views.InstructorLookupView.as_view(), name="lookup"),
    path("<int:pk>/", views.InstructorDetailView.as_view(), name="detail"),
    path("<int:pk>/reveal/", views.InstructorRevealView.as_view(), name="reveal"),
]
