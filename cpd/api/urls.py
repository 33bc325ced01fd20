"""REST API v1, mounted at /api/v1/ by cpd.urls. Each app adds its own routes here."""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from cpd.accounts.api import ApiTokenDetailView, ApiTokenListView
from cpd.api import docs, errors
from cpd.compliance.api import ComplianceViewSet, RequirementViewSet
from cpd.people.api import SchoolViewSet, StaffViewSet

app_name = "api"

SCHOOL = r"schools/(?P<school_slug>[-a-zA-Z0-9_]+)"

router = SimpleRouter()
router.register("schools", SchoolViewSet, basename="school")
router.register(f"{SCHOOL}/staff", StaffViewSet, basename="staff")
router.register(f"{SCHOOL}/requirements", RequirementViewSet, basename="requirement")
router.register(f"{SCHOOL}/compliance", ComplianceViewSet, basename="compliance")

urlpatterns = [
    path("", include(router.urls)),
    path("", include("courses.api.urls")),
    path("", include("certificates.api.urls")),
    path("token/", ApiTokenListView.as_view(), name="token"),
    path("token/<int:pk>/", ApiTokenDetailView.as_view(), name="token-detail"),
    path("schema/", docs.ApiSchemaView.as_view(), name="schema"),
    path("docs/", docs.ApiDocsView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/v1/ is a JSON 404, not the site's HTML page.
    re_path(r"^[\s\S]*$", errors.not_found, name="not_found"),
]
