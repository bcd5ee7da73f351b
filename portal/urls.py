from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from rest_framework.urlpatterns import format_suffix_patterns

from portal import views
from portal.api import APIRootView
from portal.views import FaviconView, PortalLoginView, PortalLogoutView

# Each app's REST API (its own router), all under /api/v1/; the API root lists their endpoints.
API_URLCONFS = ("enterprises.api.urls", "organizations.api.urls", "instructors.api.urls", "assessments.api.urls")
api_patterns = [
    *format_suffix_patterns([path("", APIRootView.as_view(urlconfs=API_URLCONFS), name="api-root")]),
    *(path("", include(urlconf)) for urlconf in API_URLCONFS),
]

# The portal's own pages: the administrators' logs (each app routes its records' change history
# to RecordHistoryView in its own urls.py).
portal_patterns: list[URLPattern | URLResolver] = [
    path("audit/", views.AuditSearchView.as_view(), name="audit-search"),
    path("audit/access/", views.AccessLogSearchView.as_view(), name="access-log"),
    path("manage/", include("portal.administration_urls")),  # 系统管理: users, regions (ADMINISTER)
]

urlpatterns = [
    # The home page shows the ledger's headline figures: it lives in the ledger app.
    path("", include("assessments.home_urls")),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("accounts/login/", PortalLoginView.as_view(), name="login"),
    path("accounts/logout/", PortalLogoutView.as_view(), name="logout"),
    path("", include((portal_patterns, "portal"))),
    path("enterprises/", include("enterprises.urls")),
    path("organizations/", include("organizations.urls")),
    path("instructors/", include("instructors.urls")),
    path("ledger/", include("assessments.urls")),
    path("api/v1/", include(api_patterns)),
    path("admin/", admin.site.urls),
]

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

admin.site.site_header = "非公企业党建工作平台 · 管理后台"
admin.site.site_title = "非公企业党建"
# Uploaded files (MEDIA_ROOT) are never served as static files, not even in DEBUG: register files
# carry region data and are downloaded only through views that check scope and capability.
