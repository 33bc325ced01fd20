"""Sign-in and password-reset limits behind one reverse proxy (CPD_TRUSTED_PROXY_COUNT=1):
every request arrives from the proxy's address, and the client's own address is the last
one in X-Forwarded-For, which the proxy appends."""

import pytest
from django.core import mail

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
BLOCKED = "Too many failed attempts to sign in. Wait 15 minutes, or reset your password."


@pytest.fixture
def behind_one_proxy(settings):
    settings.CPD_TRUSTED_PROXY_COUNT = 1


def sign_in(client, email, password, forwarded_for):
    return client.post(
        "/accounts/login/",
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def reset(client, email, forwarded_for):
    return client.post(
        "/accounts/password/reset/",
        {"email": email},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_failures_from_many_clients_never_block_another_persons_password(
    client, behind_one_proxy, staff
):
    for n in range(40):
        response = sign_in(client, f"guess{n}@oakwood.test", "wrong", f"203.0.113.{n + 1}")
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [
            "Enter the email address and password for your account. The password is case sensitive."
        ]
    response = sign_in(client, "sarah@oakwood.test", PASSWORD, "198.51.100.41")
    assert response.status_code == 302
    assert response.wsgi_request.user == staff.user


def test_without_the_proxy_setting_everyone_behind_the_proxy_counts_as_one_client(
    client, settings, staff
):
    """What the setting prevents: counted by the proxy's address, strangers' failures
    lock out a colleague."""
    settings.CPD_TRUSTED_PROXY_COUNT = 0
    for n in range(40):
        sign_in(client, f"guess{n}@oakwood.test", "wrong", f"203.0.113.{n + 1}")
    response = sign_in(client, "sarah@oakwood.test", PASSWORD, "198.51.100.41")
    assert response.context["form"].non_field_errors() == [BLOCKED]
    assert response.wsgi_request.user.is_anonymous


def test_six_failures_for_one_email_lock_that_email_only(client, behind_one_proxy, staff):
    other = UserFactory(email="tom@oakwood.test")
    for n in range(6):
        sign_in(client, "SARAH@oakwood.test", "wrong", f"203.0.113.{n + 1}")
    response = sign_in(client, "sarah@oakwood.test", PASSWORD, "198.51.100.7")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [BLOCKED]
    assert response.wsgi_request.user.is_anonymous
    # The same client, and everyone else, can still sign in as someone else.
    response = sign_in(client, "tom@oakwood.test", PASSWORD, "203.0.113.6")
    assert response.status_code == 302
    assert response.wsgi_request.user == other


def test_a_spoofed_forwarded_for_hop_does_not_reset_a_clients_count(
    client, behind_one_proxy, staff
):
    for n in range(30):
        spoofed = f"192.0.2.{n + 1}, 198.51.100.7"  # the client wrote the first hop
        response = sign_in(client, f"guess{n}@oakwood.test", "wrong", spoofed)
        assert response.context["form"].non_field_errors() != [BLOCKED], n
    response = sign_in(client, "sarah@oakwood.test", PASSWORD, "192.0.2.99, 198.51.100.7")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [BLOCKED]
    assert response.wsgi_request.user.is_anonymous


def test_reset_requests_from_many_clients_never_block_another_persons_reset(
    client, behind_one_proxy, staff
):
    for n in range(40):
        assert reset(client, f"guess{n}@oakwood.test", f"203.0.113.{n + 1}").status_code == 302
    response = reset(client, "sarah@oakwood.test", "198.51.100.41")
    assert response["Location"] == "/accounts/password/reset/done/"
    assert [m.to for m in mail.outbox] == [["sarah@oakwood.test"]]


def test_six_reset_requests_for_one_email_limit_that_email_only(client, behind_one_proxy, staff):
    UserFactory(email="tom@oakwood.test")
    for n in range(5):
        assert reset(client, "sarah@oakwood.test", f"203.0.113.{n + 1}").status_code == 302
    assert reset(client, "Sarah@oakwood.test", "203.0.113.6").status_code == 429
    assert len(mail.outbox) == 5
    assert reset(client, "tom@oakwood.test", "203.0.113.6").status_code == 302
    assert [m.to for m in mail.outbox][-1] == ["tom@oakwood.test"]


def test_a_spoofed_hop_does_not_reset_a_clients_reset_count(client, behind_one_proxy, staff):
    for n in range(20):
        spoofed = f"192.0.2.{n + 1}, 198.51.100.7"
        assert reset(client, f"guess{n}@oakwood.test", spoofed).status_code == 302
    response = reset(client, "sarah@oakwood.test", "192.0.2.99, 198.51.100.7")
    assert response.status_code == 429
    assert mail.outbox == []
