"""The site's URLs plus ``/bench/trivial/``: the cheapest Django response, through the same
middleware and the same gunicorn, that the lesson page's throughput is compared with."""

from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("", include("cpd.site.urls")),
]
