"""The client's address, found once and the same way for every rate limit.

Behind ``CPD_TRUSTED_PROXY_COUNT`` reverse proxies (each appending the address it was
reached from to ``X-Forwarded-For``), the client is the Nth address from the right of that
header: anything further left was written by the client and is ignored, so an extra,
spoofed hop changes nothing. With no trusted proxy (the default) the header is ignored and
the address is ``REMOTE_ADDR``.

Written here rather than taken from django-ipware: its ``proxy_count`` counts the proxies'
own addresses inside the header and rejects a chain of any other length, whereas a proxy
such as nginx (``$proxy_add_x_forwarded_for``) appends the client and connects from its own
address. This is the rule django-allauth's ``ALLAUTH_TRUSTED_PROXY_COUNT`` and Django REST
framework's ``NUM_PROXIES`` follow."""

import ipaddress

from cpd.conf import cpd_settings

IPV6_PREFIX = 64  # one household or phone network hands out a whole /64


def client_ip(request) -> str:
    """The client's address (a valid IPv4 or IPv6 address as text, or ``""``)."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = int(cpd_settings.TRUSTED_PROXY_COUNT)
    if count <= 0:
        return remote
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [hop for hop in forwarded if hop]
    if not forwarded:
        return remote
    candidate = forwarded[-min(count, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def client_key(group, request) -> str:
    """The key rate limits count under (django-ratelimit's ``key=`` callable): the client's
    address, with an IPv6 address widened to its /64 so one network is one client."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False).network_address)
    return address
