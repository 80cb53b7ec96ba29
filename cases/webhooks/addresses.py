"""Where a webhook or chat message may be sent (the SSRF check): an http(s) URL whose host resolves only to public
addresses. Every address the name resolves to is checked (a name with one private address among public ones is
refused), and the caller connects to an address checked here, never resolving again (no DNS-rebinding window).

Private, loopback, link-local, reserved and multicast addresses (IPv4 and IPv6, IPv4-mapped included) are refused
unless `allow_private` is set (`WEBHOOKS_ALLOW_PRIVATE_ADDRESSES`, for a test receiver or an intranet deployment).
"""

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

Resolver = Callable[..., list]


class UnsafeAddress(ValueError):
    """The URL may not be delivered to; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked IP address to connect to


def _parts(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeAddress(f"Not a valid URL: {exc}.") from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeAddress("Only http and https URLs are allowed.")
    if not parts.hostname:
        raise UnsafeAddress("The URL has no host.")
    if parts.username or parts.password:
        raise UnsafeAddress("Credentials in the URL are not allowed; use the signing secret.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_syntax(url: str, *, allow_private: bool) -> None:
    """The checks that need no DNS (when an endpoint is registered): scheme, host, and a literal address or
    `localhost` that is not public. The full check runs again, resolving, at each delivery."""
    _scheme, host, _port, _path = _parts(url)
    if allow_private:
        return
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        raise UnsafeAddress("Loopback hosts are not allowed.")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return
    if not is_public(str(literal)):
        raise UnsafeAddress(f"{host} is a private, loopback or reserved address.")


def resolve_target(url: str, *, allow_private: bool, resolver: Resolver = socket.getaddrinfo) -> Target:
    """Resolve `url`'s host and check every address; the first one is the one to connect to."""
    scheme, host, port, path = _parts(url)
    try:
        infos = resolver(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeAddress(f"{host} does not resolve ({exc}).") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnsafeAddress(f"{host} does not resolve.")
    if not allow_private:
        refused = [address for address in addresses if not is_public(address)]
        if refused:
            raise UnsafeAddress(f"{host} resolves to a private, loopback or reserved address ({', '.join(refused)}).")
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])
