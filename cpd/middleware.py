"""``NoStoreMiddleware``: no browser, proxy or CDN keeps a copy of a response that carries
personal data.

Such a response gets ``Cache-Control: max-age=0, no-cache, no-store, must-revalidate,
private`` (Django's ``add_never_cache_headers``) when:

- the request is signed in (a session, or an API token: Django REST framework sets the
  user on the request it wraps, so it is known by the time the response comes back): every
  page and API answer for a signed-in person is about them or their school;
- the response is a download (``Content-Disposition``): certificate PDFs, evidence files,
  CSV and XLSX exports, evidence packs.

Pages that are public but name a person (a certificate's verification page and API) are
marked ``never_cache`` in their views. Everything else a visitor who is not signed in sees
(the sign-in page, the code lookup form, static files) keeps its own headers.

Install it after ``AuthenticationMiddleware`` (``cpd.checks`` warns if it is missing); the
standalone site does."""

from django.db import DatabaseError
from django.utils.cache import add_never_cache_headers

NAME = "cpd.middleware.NoStoreMiddleware"


def carries_personal_data(request, response) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    return response.has_header("Content-Disposition")


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" in response.get("Cache-Control", ""):
            return response  # already kept by no one (the "try again" page, for one)
        try:
            personal = carries_personal_data(request, response)
        except DatabaseError:
            # Who is signed in could not be read (the database is restarting): assume
            # someone, and let no cache keep the answer.
            personal = True
        if personal:
            add_never_cache_headers(response)
        return response
