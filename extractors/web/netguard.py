"""SSRF guard: refuse URLs that would make the scraper reach into private networks.

URLs come from feeds, sitemaps and redirects, that is from strangers. A feed
entry or a `Location:` header pointing at `http://169.254.169.254/` (cloud
instance metadata), `http://localhost:6379/` or a 10.x intranet host would
otherwise turn the pipeline into a proxy into our own network (OWASP SSRF
prevention cheat sheet). So every URL, and every redirect hop, is checked
before a request: the scheme must be http(s) and every address the host
resolves to must be public. One private address among several is enough to
refuse, because the HTTP client may pick any of them.

Literal IPv4 addresses are read the way browsers and `inet_aton` read them
(WHATWG URL "IPv4 parser"): `http://2130706433/`, `http://0x7f.1/` and
`http://0177.0.0.1/` are all 127.0.0.1 and must not slip past as "names".
IPv6 addresses that embed an IPv4 one (mapped `::ffff:a.b.c.d`, compatible
`::a.b.c.d`, 6to4, Teredo, NAT64) are judged by the embedded address too.

A name that does not resolve is refused as well: we cannot show it is
public, and the request would fail anyway. What this module cannot close is
DNS rebinding between this check and the connection (the client resolves
again); see the fetcher's notes.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Sequence
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

__all__ = ["ALLOWED_SCHEMES", "Resolver", "address_problem", "check_url"]

ALLOWED_SCHEMES = frozenset({"http", "https"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# RFC 6052 well-known NAT64 prefix: 64:ff9b::a.b.c.d reaches a.b.c.d.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Plain ASCII digits only: int() would also take "1_0" and " 12".
_HEX = re.compile(r"0[xX]([0-9a-fA-F]*)")
_OCTAL = re.compile(r"0[0-7]+")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Resolver(Protocol):
    """`socket.getaddrinfo`'s shape, so tests can stand in for DNS."""

    def __call__(self, host: str, port: int | None, /) -> Sequence[tuple[Any, ...]]: ...


def check_url(
    url: str, *, allow_private: bool, resolve: Resolver = socket.getaddrinfo
) -> str | None:
    """Why `url` must not be fetched, or None when it may be.

    With `allow_private` only the scheme is checked (tests and intranet
    sources reach 127.0.0.1 that way).
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError as exc:  # a bad port or an unbalanced IPv6 bracket
        return f"malformed URL ({exc})"
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        return f"scheme {scheme or '(none)'!r} is not http or https"
    if not host:
        return "URL has no host"
    if problem := _ambiguity(url, host):
        return problem
    if allow_private:
        return None
    literal = _literal_address(host)
    if literal is not None:
        problem = address_problem(literal)
        return f"host {host} is {literal}, {problem}" if problem else None
    try:
        infos = resolve(host, port or _DEFAULT_PORTS[scheme])
    except (OSError, UnicodeError) as exc:  # socket.gaierror is an OSError
        return f"host {host} does not resolve ({exc})"
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        return f"host {host} resolves to no address"
    for text in addresses:
        try:
            address = ipaddress.ip_address(text.partition("%")[0])
        except ValueError:
            return f"host {host} resolves to {text!r}, not an IP address"
        if problem := address_problem(address):
            return f"host {host} resolves to {address}, {problem}"
    return None


_UNSAFE_CHARACTERS = re.compile(r"[\\\s\x00-\x1f\x7f]")


def _ambiguity(url: str, host: str) -> str | None:
    """A URL whose host urllib3 (which connects) reads differently from us (which check).

    `http://127.0.0.1\\@example.com/` is `example.com` to `urlsplit` but
    127.0.0.1 to urllib3; backslashes, white space and control characters in
    a URL are refused outright, and the two parsers must agree on the host.
    """
    if _UNSAFE_CHARACTERS.search(url):
        return "URL contains a backslash, white space or a control character"
    try:
        connect_host = parse_url(url).host
    except LocationParseError as exc:
        return f"malformed URL ({exc})"
    expected = unquote(host).rstrip(".").lower()  # unquote: an IPv6 zone is written %25
    try:
        expected = expected.encode("idna").decode("ascii")
    except UnicodeError:
        return f"host {host!r} is not a valid international domain name"
    if (connect_host or "").rstrip(".").lower().strip("[]") != expected.strip("[]"):
        return f"ambiguous URL: the host reads as {host!r} and as {connect_host!r}"
    return None


def address_problem(address: IPAddress) -> str | None:
    """What kind of non-public address this is, or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            inner = address_problem(embedded)
            return f"which embeds {embedded}, {inner}" if inner else None
    # Order matters only for the message: the most specific name first.
    for attribute, name in (
        ("is_unspecified", "an unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address (cloud metadata lives there)"),
        ("is_multicast", "a multicast address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private address"),
    ):
        if getattr(address, attribute):
            return name
    if not address.is_global:  # e.g. 100.64.0.0/10, carrier-grade NAT
        return "not a globally routable address"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries and routes to, if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client; the server half is public by design
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    value = int(address)
    if 1 < value < 2**32:  # deprecated IPv4-compatible ::a.b.c.d (not :: nor ::1)
        return ipaddress.IPv4Address(value)
    return None


def _literal_address(host: str) -> IPAddress | None:
    """`host` as an IP address if it is one in any notation a client accepts."""
    try:
        return ipaddress.ip_address(host.partition("%")[0])
    except ValueError:
        pass
    return _loose_ipv4(host)


def _loose_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """WHATWG URL IPv4 parser: 1-4 dotted parts in decimal, 0x hex or 0 octal.

    The last part fills the remaining bytes, so `127.1` is 127.0.0.1 and
    `2130706433` is too. Anything that is not all numbers is a name.
    """
    parts = host.split(".")
    if parts and parts[-1] == "":  # a trailing dot is allowed
        parts.pop()
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        number = _ipv4_number(part)
        if number is None:
            return None
        numbers.append(number)
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for index, number in enumerate(head):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _ipv4_number(part: str) -> int | None:
    """One IPv4 part: decimal, 0x-prefixed hex or 0-prefixed octal."""
    if match := _HEX.fullmatch(part):
        return int(match.group(1) or "0", 16)
    if _OCTAL.fullmatch(part):
        return int(part, 8)
    return int(part) if _DECIMAL.fullmatch(part) else None
