import re

import pytest
from django.core import mail

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_with_email_in_any_case_signs_in(client, staff):
    response = client.post(
        "/accounts/login/", {"login": "SARAH@oakwood.TEST", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.wsgi_request.user == staff.user


def test_login_with_wrong_password_shows_error_summary(client, staff):
    response = client.post("/accounts/login/", {"login": staff.user.email, "password": "no"})
    assert response.status_code == 200
    assert response.wsgi_request.user.is_anonymous
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter the email address and password for your account." in page


def test_login_with_empty_fields_names_each_field(client, db):
    response = client.post("/accounts/login/", {"login": "", "password": ""})
    assert response.context["form"].errors == {
        "login": ["Enter your email address."],
        "password": ["Enter your password."],
    }


def test_logout_signs_out(client, staff, sign_in):
    sign_in(staff)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/training/")["Location"] == "/accounts/login/?next=/training/"


def test_password_reset_emails_a_link_that_sets_a_new_password(client, staff):
    response = client.post("/accounts/password/reset/", {"email": "sarah@oakwood.test"})
    assert response["Location"] == "/accounts/password/reset/done/"
    assert [m.to for m in mail.outbox] == [["sarah@oakwood.test"]]
    assert mail.outbox[0].subject == "Reset your Safeguarding CPD password"
    link = re.search(
        r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body
    ).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url,
        {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
    )
    assert response["Location"] == "/accounts/password/reset/key/done/"
    assert client.login(username="sarah@oakwood.test", password="a-new-long-passphrase")


def test_password_reset_for_unknown_address_sends_nothing(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nobody@oakwood.test"})
    assert response["Location"] == "/accounts/password/reset/done/"
    assert mail.outbox == []


def test_sign_in_refused_after_five_failures_for_one_address(client, staff, settings):
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": staff.user.email, "password": "x"})
        assert response.status_code == 200
    response = client.post(
        "/accounts/login/", {"login": staff.user.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Too many failed attempts to sign in. Wait 15 minutes, or reset your password."
    ]
    assert response.wsgi_request.user.is_anonymous
    other = client.post("/accounts/login/", {"login": "someone@else.test", "password": "x"})
    assert other.status_code == 200


def test_successful_sign_ins_are_not_counted(client, staff):
    for _ in range(8):
        assert (
            client.post(
                "/accounts/login/", {"login": staff.user.email, "password": PASSWORD}
            ).status_code
            == 302
        )
        client.logout()


def test_sign_in_refused_after_many_failures_from_one_client(client, staff, settings):
    for n in range(30):
        client.post("/accounts/login/", {"login": f"p{n}@x.test", "password": "x"})
    response = client.post("/accounts/login/", {"login": staff.user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Too many failed attempts to sign in. Wait 15 minutes, or reset your password."
    ]
    assert response.wsgi_request.user.is_anonymous


def test_password_reset_requests_are_limited(client, staff):
    for _ in range(5):
        client.post("/accounts/password/reset/", {"email": staff.user.email})
    assert len(mail.outbox) == 5
    response = client.post("/accounts/password/reset/", {"email": staff.user.email})
    assert response.status_code == 429
    assert (
        "You have asked too many times in a short while. Wait an hour and try again."
        in response.content.decode()
    )
    assert len(mail.outbox) == 5


def test_pages_stay_in_british_english_whatever_language_the_browser_prefers(client, db):
    """Django's own words (here a form error) must not switch language around the
    product's English: a browser asking for Polish or French still gets one language."""
    response = client.post(
        "/accounts/password/reset/",
        {"email": "not an address"},
        HTTP_ACCEPT_LANGUAGE="pl,fr;q=0.8",
    )
    assert response.context["form"].errors == {"email": ["Enter a valid email address."]}
    assert "Content-Language" not in response.headers
