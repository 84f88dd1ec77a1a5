"""The SSRF guard: schemes, non-public addresses in every notation, resolved names.

DNS cannot run here, so names resolve through a fake resolver (a dict of
name -> addresses, the shape of `socket.getaddrinfo`); literal addresses
and the real `localhost` / 127.0.0.1 need no DNS.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from typing import Any

import pytest

from extractors.web.netguard import check_url

ZONE = {
    "news.example": ["93.184.215.14"],
    "dual.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "intranet.example": ["10.1.2.3"],
    "mixed.example": ["93.184.215.14", "192.168.0.10"],  # one bad address is enough
    "metadata.example": ["169.254.169.254"],
    "v6loop.example": ["::1"],
    "mapped.example": ["::ffff:10.0.0.1"],
    "cgnat.example": ["100.64.0.1"],
    "empty.example": [],
}


def fake_resolve(host: str, port: int | None, /) -> Sequence[tuple[Any, ...]]:
    """getaddrinfo over ZONE; unknown names fail as DNS does."""
    if host not in ZONE:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return [
        (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
        for a in ZONE[host]
    ]


@pytest.mark.parametrize(
    "url",
    [
        "http://news.example/2024/01/a.html",
        "https://dual.example:8443/feed.xml",
        "HTTPS://NEWS.EXAMPLE/upper",
        "http://93.184.215.14/",
        "http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/",
        "http://user:pw@news.example/",
    ],
)
def test_public_urls_pass(url: str) -> None:
    """http(s) URLs whose hosts resolve only to public addresses are allowed."""
    assert check_url(url, allow_private=False, resolve=fake_resolve) is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://news.example/file", "scheme 'ftp' is not http or https"),
        ("file:///etc/passwd", "scheme 'file' is not http or https"),
        ("gopher://127.0.0.1:6379/_INFO", "scheme 'gopher'"),
        ("javascript:alert(1)", "scheme 'javascript'"),
        ("//news.example/no-scheme", "scheme '(none)'"),
        ("http:///no-host", "URL has no host"),
        ("http://[::1/", "malformed URL"),
        ("http://news.example:99999/", "malformed URL"),
        ("http://127.0.0.1/", "a loopback address"),
        ("http://127.8.9.10:8080/", "a loopback address"),
        ("http://2130706433/", "is 127.0.0.1, a loopback address"),  # one decimal number
        ("http://0x7f.1/", "is 127.0.0.1, a loopback address"),  # hex, short form
        ("http://0177.0.0.1/", "is 127.0.0.1, a loopback address"),  # octal
        ("http://127.1/", "is 127.0.0.1, a loopback address"),
        ("http://0/", "is 0.0.0.0, an unspecified address"),
        ("http://0.0.0.0/", "an unspecified address"),
        ("http://10.0.0.1/", "a private address"),
        ("http://172.16.5.4/", "a private address"),
        ("http://192.168.1.1./", "a private address"),  # trailing dot
        ("http://169.254.169.254/latest/meta-data/", "a link-local address"),
        ("http://0xa9fea9fe/", "is 169.254.169.254, a link-local address"),
        ("http://224.0.0.1/", "a multicast address"),
        ("http://240.0.0.1/", "a reserved address"),
        ("http://255.255.255.255/", "a reserved address"),
        ("http://100.64.0.1/", "not a globally routable address"),
        ("http://[::1]/", "a loopback address"),
        ("http://[::]/", "an unspecified address"),
        ("http://[fe80::1%25eth0]/", "a link-local address"),
        ("http://[fc00::1]/", "a private address"),
        ("http://[ff02::1]/", "a multicast address"),
        ("http://[::ffff:127.0.0.1]/", "embeds 127.0.0.1, a loopback address"),
        ("http://[::ffff:a9fe:a9fe]/", "embeds 169.254.169.254, a link-local address"),
        ("http://[::127.0.0.1]/", "embeds 127.0.0.1, a loopback address"),
        ("http://[2002:c0a8:101::]/", "embeds 192.168.1.1, a private address"),  # 6to4
        ("http://[64:ff9b::a00:1]/", "embeds 10.0.0.1, a private address"),  # NAT64
        ("http://intranet.example/", "resolves to 10.1.2.3, a private address"),
        ("http://mixed.example/", "resolves to 192.168.0.10, a private address"),
        ("http://metadata.example/", "resolves to 169.254.169.254, a link-local address"),
        ("http://v6loop.example/", "resolves to ::1, a loopback address"),
        ("http://mapped.example/", "embeds 10.0.0.1, a private address"),
        ("http://cgnat.example/", "not a globally routable address"),
        ("http://empty.example/", "resolves to no address"),
        ("http://nowhere.example/", "does not resolve"),
    ],
)
def test_refused(url: str, problem: str) -> None:
    """Bad schemes and hosts that are or resolve to non-public addresses are refused."""
    found = check_url(url, allow_private=False, resolve=fake_resolve)
    assert found is not None
    assert problem in found


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/", "http://localhost/", "http://2130706433/", "http://[::1]/"]
)
def test_real_loopback_refused(url: str) -> None:
    """With the system resolver, loopback in any spelling is refused."""
    problem = check_url(url, allow_private=False)
    assert problem is not None
    assert "a loopback address" in problem


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8080/", None),
        ("http://169.254.169.254/", None),
        ("http://intranet.example/", None),
        ("file:///etc/passwd", "scheme 'file' is not http or https"),
    ],
)
def test_allow_private_checks_only_the_scheme(url: str, expected: str | None) -> None:
    """allow_private lifts the address check but never the scheme check."""
    assert check_url(url, allow_private=True, resolve=fake_resolve) == expected


@pytest.mark.parametrize("host", ["1_0.0.0.1", "08.1.1.1", "1.2.3.256", "0x1g.1"])
def test_lookalike_numbers_are_names(host: str) -> None:
    """Strings that no IPv4 parser accepts are names and go to DNS (here: unknown)."""
    problem = check_url(f"http://{host}/", allow_private=False, resolve=fake_resolve)
    assert problem is not None
    assert "does not resolve" in problem


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000\\@example.com/",  # urlsplit: example.com; urllib3: 127.0.0.1
        "http://169.254.169.254\\@example.com/latest/meta-data/",
        "http://example.com\\@127.0.0.1/",
        "http://exa mple.com/",
        "http://example.com/\x00",
    ],
)
@pytest.mark.parametrize("allow_private", [False, True])
def test_ambiguous_urls_refused_even_when_private_allowed(url: str, allow_private: bool) -> None:
    """A URL the connecting parser reads differently from ours is refused, whatever the policy."""
    problem = check_url(url, allow_private=allow_private, resolve=_public_dns)
    assert problem is not None


def _public_dns(host: str, port: int | None) -> list[tuple[object, ...]]:
    return [(2, 1, 6, "", ("93.184.216.34", port or 80))]
