"""REST API v1, mounted at /api/v1/ by cpd.urls. Each app adds its own routes here."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("certificates.api.urls")),
]
