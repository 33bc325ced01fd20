"""REST API v1, mounted at /api/v1/ by cpd.urls. Each app adds its own routes here."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from cpd.api import docs, errors, views

app_name = "api"

SCHOOL = r"schools/(?P<school_slug>[-a-zA-Z0-9_]+)"

router = SimpleRouter()
router.register("schools", views.SchoolViewSet, basename="school")
router.register(f"{SCHOOL}/staff", views.StaffViewSet, basename="staff")
router.register(f"{SCHOOL}/requirements", views.RequirementViewSet, basename="requirement")
router.register(f"{SCHOOL}/compliance", views.ComplianceViewSet, basename="compliance")

urlpatterns = [
    path("", include(router.urls)),
    path("", include("courses.api.urls")),
    path("", include("certificates.api.urls")),
    path("token/", views.ApiTokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.ApiDocsView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/v1/ is a JSON 404, not the site's HTML page.
    re_path(r"^[\s\S]*$", errors.not_found, name="not_found"),
]
