from django.urls import path

from enterprises import views
from enterprises.models import Carrier, Enterprise
from portal.views import RecordHistoryView

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("<int:pk>/history/", RecordHistoryView.as_view(model=Enterprise), name="history"),
    path("autocomplete/", views.EnterpriseAutocompleteView.as_view(), name="enterprise-autocomplete"),
    path("carriers/", views.CarrierListView.as_view(), name="carrier-list"),
    path("carriers/<int:pk>/history/", RecordHistoryView.as_view(model=Carrier), name="carrier-history"),
    path("carriers/autocomplete/", views.CarrierAutocompleteView.as_view(), name="carrier-autocomplete"),
    path("imports/", views.RegisterImportListView.as_view(), name="import-list"),
    path("imports/upload/", views.RegisterImportUploadView.as_view(), name="import-upload"),
    path("imports/<int:pk>/", views.RegisterImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/status/", views.RegisterImportStatusView.as_view(), name="import-status"),
    path("imports/<int:pk>/confirm/", views.RegisterImportConfirmView.as_view(), name="import-confirm"),
    path("imports/<int:pk>/cancel/", views.RegisterImportCancelView.as_view(), name="import-cancel"),
    path("imports/<int:pk>/errors.xlsx", views.RegisterImportErrorReportView.as_view(), name="import-errors"),
]

# Staff workspace (portal/workspace.py): create / edit / end carriers and enterprises.
urlpatterns += [
    path("new/", views.EnterpriseCreateView.as_view(), name="create"),
    path("<int:pk>/edit/", views.EnterpriseUpdateView.as_view(), name="update"),
    path("<int:pk>/deregister/", views.EnterpriseDeregisterView.as_view(), name="deregister"),
    path("regions/autocomplete/", views.RegionAutocompleteView.as_view(), name="region-autocomplete"),
    path("carriers/new/", views.CarrierCreateView.as_view(), name="carrier-create"),
    path("carriers/<int:pk>/", views.CarrierDetailView.as_view(), name="carrier-detail"),
    path("carriers/<int:pk>/edit/", views.CarrierUpdateView.as_view(), name="carrier-update"),
    path("carriers/<int:pk>/end/", views.CarrierEndView.as_view(), name="carrier-end"),
]
