"""The client's address, once, for every rate limit."""

from cpd.conf import cpd_settings


def client_ip(request) -> str:
    """The address of the client that sent the request.

    With CPD_TRUSTED_PROXY_COUNT = N (N proxies in front of the site, each appending the
    address it received from to X-Forwarded-For), the N-th address from the right: the one
    our own outermost proxy saw. Anything a client writes further left is ignored, so a
    spoofed X-Forwarded-For cannot change it. With 0, the connection's own address."""
    count = cpd_settings.TRUSTED_PROXY_COUNT
    if count > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "")
