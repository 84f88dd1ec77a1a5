"""sources.toml: valid files load; every mistake names the file, the key and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from extractors.sources import ConfigError, HttpSettings, load_config, parse_config
from tests.conftest import REPO_ROOT


def test_example_config_loads() -> None:
    """The example sources file (docs/scraping.md) is valid."""
    config = load_config(REPO_ROOT / "sources.example.toml")
    assert [s.name for s in config.sources] == ["guardian-world", "heise", "nytimes-news-sitemap"]
    assert config.http.per_host_delay_seconds == 1.0
    assert config.sources[0].feeds == ("https://www.theguardian.com/world/rss",)


def test_defaults() -> None:
    """Omitted keys take documented defaults."""
    config = parse_config({"sources": [{"name": "a", "urls": ["https://e.org/x"]}]})
    assert config.http == HttpSettings()
    assert config.sources[0].max_articles == 500
    assert config.sources[0].allow_private_network is False


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"htp": {}}, "htp"),
        ({"http": {"timeout_seconds": "20"}}, "http.timeout_seconds"),
        ({"http": {"timeout_seconds": True}}, "http.timeout_seconds"),
        ({"http": {"max_bytes": 0}}, "http.max_bytes"),
        ({"http": {"per_host_delay_seconds": -1}}, "http.per_host_delay_seconds"),
        ({"http": {"user_agnet": "x"}}, "http.user_agnet"),
        ({"sources": {"name": "a"}}, "sources"),
        ({"sources": [{"feeds": ["https://e.org/rss"]}]}, "sources[0].name"),
        ({"sources": [{"name": "a"}]}, "sources.a"),
        ({"sources": [{"name": "a", "feeds": ["ftp://e.org/rss"]}]}, "sources.a.feeds"),
        ({"sources": [{"name": "a", "urls": ["/relative"]}]}, "sources.a.urls"),
        (
            {"sources": [{"name": "a", "urls": ["https://e.org"], "max_articles": 0}]},
            "sources.a.max_articles",
        ),
        (
            {
                "sources": [
                    {"name": "a", "urls": ["https://e.org"]},
                    {"name": "a", "urls": ["https://e.org"]},
                ]
            },
            "sources.a.name",
        ),
    ],
)
def test_errors_name_the_key(data: dict[str, Any], key: str) -> None:
    """A bad value fails with the file and the exact key in the message."""
    with pytest.raises(ConfigError) as caught:
        parse_config(data, origin="my.toml")
    assert caught.value.key == key
    assert str(caught.value).startswith(f"my.toml: [{key}]")
    assert caught.value.fix


def test_syntax_error_and_missing_file(tmp_path: Path) -> None:
    """Unreadable files fail as ConfigError too, naming the file."""
    bad = tmp_path / "bad.toml"
    bad.write_text("[http\nuser_agent = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml"):
        load_config(bad)
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "missing.toml")


def test_select_unknown_source() -> None:
    """Selecting a source that does not exist lists the ones that do."""
    config = parse_config({"sources": [{"name": "a", "urls": ["https://e.org/x"]}]})
    assert [s.name for s in config.select(["a"])] == ["a"]
    with pytest.raises(ConfigError, match="choose from a"):
        config.select(["b"])
