from django.urls import path

from enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("carriers/", views.CarrierListView.as_view(), name="carrier-list"),
]
