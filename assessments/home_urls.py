"""The portal's home page (URL name "home", no namespace), included by the root URL conf."""

from django.urls import path

from assessments import views

urlpatterns = [path("", views.HomeView.as_view(), name="home")]
