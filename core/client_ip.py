"""The client's address: the one answer for the log-in lockout and every access log.

Behind reverse proxies `REMOTE_ADDR` is the nearest proxy's address and the client's is
in `X-Forwarded-For`, to which each proxy appends the address it received the request
from. Whatever stands left of what our own proxies appended was written by the client
and may be forged, so the address taken is the right-most one no trusted proxy vouches
for: with `TRUSTED_PROXY_COUNT` = N, `REMOTE_ADDR` is the nearest trusted proxy and the
N-th entry from the right of `X-Forwarded-For` is the client.

`TRUSTED_PROXY_COUNT` = 0 (the default: the server is reached directly): `REMOTE_ADDR`,
and `X-Forwarded-For` is never read.
"""

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as text, or None when the request carries none.

    `AXES_CLIENT_IP_CALLABLE` names it, so the log-in lockout counts by the same address
    as the access logs record.
    """
    # ipware counts the proxies listed after the client in the header (the nearest one is
    # `REMOTE_ADDR`, not in it): N trusted proxies are N - 1 entries after the client. A
    # shorter chain (a request that did not pass every proxy) was still written by trusted
    # proxies alone: its left-most entry is taken. Lenient parsing: an entry that is not
    # an address is skipped and does not shift the positions counted from the right.
    for hops in range(settings.TRUSTED_PROXY_COUNT - 1, -1, -1):
        address, _routable = get_client_ip(
            request, proxy_count=hops, request_header_order=[FORWARDED_FOR], strict=False
        )
        if address is not None:
            return address
    address, _routable = get_client_ip(request, request_header_order=["REMOTE_ADDR"])
    return address
