"""The API docs page: Swagger UI from drf-spectacular-sidecar's static files (no CDN),
under the site's Content Security Policy (``script-src 'self'``, ``style-src 'self'``).

drf-spectacular's split view already serves its start-up script as a separate same-origin
request (``?script``) rather than inline; our template also drops the stock template's
inline ``<style>`` block for a static stylesheet. So no nonce is needed."""

from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "cpd/api/docs.html"
    permission_classes = [AllowAny]
    authentication_classes = []
