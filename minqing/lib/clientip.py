"""The address a request came from, the same for the audit log, the portal's limits and
the sign-in lockout.

Behind the deployment's own reverse proxy (MINQING_BEHIND_PROXY) the proxy appends the
client's address to X-Forwarded-For: its last hop is trusted, anything before it is what
the client claimed. Anything that is not an IP address falls back to the socket address
(axes and the audit log store it in an inet column on PostgreSQL).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    candidates = [request.META.get("REMOTE_ADDR", "")]
    if getattr(settings, "MINQING_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            candidates.insert(0, forwarded.split(",")[-1])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return None
