"""系统管理 pages (portal/administration.py), under /manage/ in the `portal` namespace."""

from django.urls import path

from portal import administration as views

urlpatterns = [
    path("users/", views.UserListView.as_view(), name="user-list"),
    path("users/new/", views.UserCreateView.as_view(), name="user-create"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user-detail"),
    path("users/<int:pk>/edit/", views.UserUpdateView.as_view(), name="user-update"),
    path("users/<int:pk>/active/", views.UserSetActiveView.as_view(), name="user-set-active"),
    path("users/<int:pk>/password/", views.UserPasswordResetView.as_view(), name="user-reset-password"),
    path("users/<int:pk>/unlock/", views.UserUnlockView.as_view(), name="user-unlock"),
    path("regions/", views.RegionListView.as_view(), name="region-list"),
    path("regions/new/", views.RegionCreateView.as_view(), name="region-create"),
    path("regions/<int:pk>/rename/", views.RegionRenameView.as_view(), name="region-rename"),
    path("regions/<int:pk>/move/", views.RegionMoveView.as_view(), name="region-move"),
    path("regions/autocomplete/", views.RegionPickerView.as_view(), name="region-autocomplete"),
    path("regions/parents/autocomplete/", views.ParentRegionPickerView.as_view(), name="region-parent-autocomplete"),
]
