"""An API client signed in the way a person can reach the API."""

from rest_framework.test import APIClient

from cpd.accounts.tokens import api_token_allowed
from tests.factories import api_key_for


def api_client(user) -> APIClient:
    """With an API token (``Authorization: Token <key>``, as an integration sends) if the
    person may hold one (school and trust admins); otherwise with a session, as their
    browser would, since nobody else's token works."""
    client = APIClient()
    if api_token_allowed(user):
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    else:
        client.force_login(user)
    return client
