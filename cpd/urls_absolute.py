from django.urls import reverse

from cpd.conf import cpd_settings


def absolute_url(viewname: str, *, kwargs: dict | None = None, request=None) -> str:
    """A full URL for emails and QR codes: CPD_BASE_URL, else the request's host, else the
    path alone."""
    path = reverse(viewname, kwargs=kwargs)
    if cpd_settings.BASE_URL:
        return cpd_settings.BASE_URL.rstrip("/") + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path
