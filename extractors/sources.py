"""`sources.toml`: the web sources to scrape and how politely.

Parsed once at the edge into frozen settings objects; every mistake is a
`ConfigError` naming the file, the key and the fix, raised before any
network traffic. Key names are part of the contract with operators' files
(see docs/scraping.md, "The sources file"): add keys, never rename them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from extractors.cron import cron_problem
from extractors.errors import ConfigError

__all__ = ["ConfigError", "HttpSettings", "Source", "SourcesConfig", "load_config", "parse_config"]

DEFAULT_USER_AGENT = "news-etl/0.1 (+https://example.org/bot)"


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """How every request is made; the `[http]` table."""

    user_agent: str = DEFAULT_USER_AGENT
    timeout_seconds: float = 20.0  # connect, and each read
    max_response_seconds: float = 120.0  # a whole response body, however slowly it drips
    max_bytes: int = 10_000_000  # per response, after decompression
    per_host_delay_seconds: float = 1.0  # minimum gap between requests to one host
    max_retries: int = 3  # for connection errors, 429 and 5xx
    backoff_seconds: float = 1.0  # first retry delay; doubles, with jitter
    max_retry_wait_seconds: float = 60.0  # cap on one wait, Retry-After included
    max_redirects: int = 10
    max_concurrent_hosts: int = 8  # hosts fetched at once; one connection per host
    obey_robots: bool = True


@dataclass(frozen=True, slots=True)
class Source:
    """One `[[sources]]` entry."""

    name: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    schedule: str | None = None  # cron, used by scheduled deployments (`news-etl serve`)
    schedule_timezone: str | None = None  # IANA name the cron is read in; UTC when unset
    max_articles: int = 500  # per run
    allow_private_network: bool = False  # lift the SSRF guard (tests reach 127.0.0.1)
    sitemap_max_depth: int = 3  # sitemap index nesting followed
    sitemap_max_files: int = 50  # sitemaps fetched per run, indexes included
    use_robots_sitemaps: bool = False  # also read `Sitemap:` lines of each host's robots.txt


@dataclass(frozen=True, slots=True)
class SourcesConfig:
    http: HttpSettings = field(default_factory=HttpSettings)
    sources: tuple[Source, ...] = ()

    def select(self, names: tuple[str, ...] | list[str]) -> tuple[Source, ...]:
        """The sources named, in config order; all of them when `names` is empty."""
        if not names:
            return self.sources
        known = {s.name for s in self.sources}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ConfigError(
                "--source",
                "sources",
                f"no source named {', '.join(map(repr, unknown))}",
                f"choose from {', '.join(sorted(known)) or '(none defined)'}",
            )
        return tuple(s for s in self.sources if s.name in names)


def load_config(path: Path) -> SourcesConfig:
    """Read and validate a sources file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(str(path), "-", "file not found", "pass an existing --config") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "-", f"not valid TOML ({exc})", "fix the syntax") from exc
    return parse_config(data, origin=str(path))


_HTTP_TYPES: dict[str, tuple[type, ...]] = {
    "user_agent": (str,),
    "timeout_seconds": (int, float),
    "max_response_seconds": (int, float),
    "max_bytes": (int,),
    "per_host_delay_seconds": (int, float),
    "max_retries": (int,),
    "backoff_seconds": (int, float),
    "max_retry_wait_seconds": (int, float),
    "max_redirects": (int,),
    "max_concurrent_hosts": (int,),
    "obey_robots": (bool,),
}
_SOURCE_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "feeds": (list,),
    "sitemaps": (list,),
    "urls": (list,),
    "schedule": (str,),
    "schedule_timezone": (str,),
    "max_articles": (int,),
    "allow_private_network": (bool,),
    "sitemap_max_depth": (int,),
    "sitemap_max_files": (int,),
    "use_robots_sitemaps": (bool,),
}


def parse_config(data: Mapping[str, Any], *, origin: str = "sources.toml") -> SourcesConfig:
    """Validate already-parsed TOML (or equivalent) data."""
    unknown = set(data) - {"http", "sources"}
    if unknown:
        raise ConfigError(
            origin, ", ".join(sorted(unknown)), "unknown table", "use only [http] and [[sources]]"
        )
    http_table = data.get("http", {})
    if not isinstance(http_table, Mapping):
        raise ConfigError(origin, "http", "must be a table", "write it as [http]")
    http = HttpSettings(**_checked(http_table, _HTTP_TYPES, origin, "http"))
    for key in ("timeout_seconds", "max_response_seconds", "max_bytes", "max_concurrent_hosts"):
        if getattr(http, key) <= 0:
            raise ConfigError(origin, f"http.{key}", "must be positive", "set a number above 0")
    for key in (
        "per_host_delay_seconds",
        "max_retries",
        "backoff_seconds",
        "max_retry_wait_seconds",
        "max_redirects",
    ):
        if getattr(http, key) < 0:
            raise ConfigError(origin, f"http.{key}", "must not be negative", "set 0 or more")

    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list):
        raise ConfigError(origin, "sources", "must be an array of tables", "write [[sources]]")
    sources: list[Source] = []
    for index, raw in enumerate(raw_sources):
        where = f"sources[{index}]"
        if not isinstance(raw, Mapping):
            raise ConfigError(origin, where, "must be a table", "write each as [[sources]]")
        fields = _checked(raw, _SOURCE_TYPES, origin, where)
        name = fields.get("name")
        if not name or not name.strip():
            raise ConfigError(origin, f"{where}.name", "missing", 'give each source a name = "..."')
        where = f"sources.{name}"
        if name in {s.name for s in sources}:
            raise ConfigError(origin, f"{where}.name", "used twice", "names must be unique")
        for key in ("feeds", "sitemaps", "urls"):
            fields[key] = tuple(_urls(fields.get(key, []), origin, f"{where}.{key}"))
        if not (fields["feeds"] or fields["sitemaps"] or fields["urls"]):
            raise ConfigError(
                origin, where, "has nothing to fetch", "give it feeds, sitemaps or urls"
            )
        for key in ("max_articles", "sitemap_max_files"):
            if key in fields and fields[key] < 1:
                raise ConfigError(origin, f"{where}.{key}", "must be at least 1", "raise it")
        _check_schedule(fields, origin, where)
        sources.append(Source(**fields))
    return SourcesConfig(http=http, sources=tuple(sources))


def _check_schedule(fields: Mapping[str, Any], origin: str, where: str) -> None:
    cron, zone = fields.get("schedule"), fields.get("schedule_timezone")
    if cron is not None and (problem := cron_problem(cron)):
        raise ConfigError(
            origin, f"{where}.schedule", f"{cron!r} is not a cron expression: {problem}",
            'write five fields, e.g. "*/30 * * * *", or an alias such as "@hourly"',
        )  # fmt: skip
    if zone is not None:
        if cron is None:
            raise ConfigError(
                origin, f"{where}.schedule_timezone", "set without a schedule", "add a schedule"
            )
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(
                origin, f"{where}.schedule_timezone", f"unknown time zone {zone!r}",
                'use an IANA name such as "Europe/Berlin" or "UTC"',
            ) from exc  # fmt: skip


def _checked(
    table: Mapping[str, Any], types: Mapping[str, tuple[type, ...]], origin: str, where: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in types:
            raise ConfigError(
                origin, f"{where}.{key}", "unknown key", f"known keys: {', '.join(sorted(types))}"
            )
        allowed = types[key]
        # bool is an int in Python; a number key must not accept true/false.
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            wanted = " or ".join(t.__name__ for t in allowed)
            raise ConfigError(
                origin, f"{where}.{key}", f"must be {wanted}, got {value!r}", f"write a {wanted}"
            )
        out[key] = value
    return out


def _urls(values: list[Any], origin: str, where: str) -> list[str]:
    urls = []
    for value in values:
        parts = urlsplit(value) if isinstance(value, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                origin, where, f"{value!r} is not an http(s) URL", "write absolute http(s) URLs"
            )
        urls.append(value)
    return urls
