"""The client's address behind 0, 1 or 2 trusted proxies."""

import pytest
from django.test import RequestFactory

from cpd.accounts.addresses import client_ip, client_key


def _request(forwarded_for=None, remote="10.0.0.1"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, None, "10.0.0.1"),
        (0, "198.51.100.5", "10.0.0.1"),
        (1, None, "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, "198.51.100.5", "198.51.100.5"),
        (1, "192.0.2.1, 198.51.100.5", "198.51.100.5"),
        (1, "192.0.2.1,198.51.100.5 ", "198.51.100.5"),
        (1, "not-an-address, 198.51.100.5", "198.51.100.5"),
        (1, "192.0.2.1, not-an-address", "10.0.0.1"),
        (2, "192.0.2.1, 198.51.100.5, 10.0.0.9", "198.51.100.5"),
        (2, "198.51.100.5", "198.51.100.5"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_takes_the_address_the_trusted_proxies_saw(
    settings, proxies, forwarded_for, expected
):
    settings.CPD_TRUSTED_PROXY_COUNT = proxies
    assert client_ip(_request(forwarded_for)) == expected


def test_client_key_counts_an_ipv6_network_as_one_client(settings):
    settings.CPD_TRUSTED_PROXY_COUNT = 1
    keys = {
        client_key("g", _request("2001:db8:1:2::5")),
        client_key("g", _request("2001:db8:1:2:ffff::9")),
    }
    assert keys == {"2001:db8:1:2::"}
    assert client_key("g", _request("198.51.100.5")) == "198.51.100.5"
