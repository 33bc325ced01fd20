"""The API docs page: Swagger UI from drf-spectacular-sidecar's static files (no CDN),
under the site's Content Security Policy (``script-src 'self'``, ``style-src 'self'``).

drf-spectacular's split view already serves its start-up script as a separate same-origin
request (``?script``) rather than inline; our template also drops the stock template's
inline ``<style>`` block for a static stylesheet. So no nonce is needed."""

from drf_spectacular.settings import patched_settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from cpd.api.base import api_schema
from cpd.api.schema import SCHEMA_SETTINGS


class ApiSchemaView(SpectacularAPIView):
    """The schema, generated with the API's own settings; not itself in the schema."""

    custom_settings = SCHEMA_SETTINGS
    permission_classes = [AllowAny]
    authentication_classes = []

    @api_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "cpd/api/docs.html"
    title = SCHEMA_SETTINGS["TITLE"]
    permission_classes = [AllowAny]
    authentication_classes = []

    @api_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        with patched_settings(SCHEMA_SETTINGS):
            return super().get(request, *args, **kwargs)
