"""Web refetch with `refresh`: a changed page becomes version 2, an unchanged one is skipped.

A real HTTP server on 127.0.0.1 serves a story from the shared corpus
(extraction-dev) as a syndicated page, its exact mirror under another URL,
and, on the second request, an edited text of the story.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.ingest_web import ingest_sources
from flows.ledger import RunSummary
from tests.support.dedup_pages import STORY, DevPage, dev_page, wire_copy_html
from tests.support.delta_sql import delta_rows
from tests.support.http_server import InTurn, Reply, TestServer

HTML = {"Content-Type": "text/html; charset=utf-8"}


def _edited(page: DevPage) -> DevPage:
    paragraphs = [p for p in page.labelled_body.split("\n") if p.strip()]
    paragraphs.insert(1, "Editor's note: this story was updated with comment from the company.")
    return DevPage(page.page_id, page.url, page.title, page.html, "\n".join(paragraphs[:-1]))


def _config(tmp_path: Path, server: TestServer) -> Path:
    path = tmp_path / "sources.toml"
    urls = f'"{server.url("/story.html")}", "{server.url("/mirror.html")}"'
    path.write_text(
        f"""
[http]
per_host_delay_seconds = 0
max_retries = 0

[[sources]]
name = "wire"
urls = [{urls}]
allow_private_network = true
""",
        encoding="utf-8",
    )
    return path


def _ingest_then_refresh(
    corpus: Path, tmp_path: Path, warehouse: Path | str
) -> tuple[RunSummary, RunSummary, str]:
    """Run 1: story + exact mirror; run 2 with refresh: the story comes back edited."""
    page = dev_page(corpus, STORY)
    first_text = wire_copy_html(corpus, page).encode()
    second_text = wire_copy_html(corpus, _edited(page)).encode()
    with TestServer("127.0.0.1") as server:
        server.routes(
            {
                "/robots.txt": Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\n"),
                "/story.html": InTurn(Reply(200, HTML, first_text), Reply(200, HTML, second_text)),
                "/mirror.html": Reply(200, HTML, first_text),
            }
        )
        config = _config(tmp_path, server)
        first = ingest_sources(config=str(config), warehouse=str(warehouse))
        second = ingest_sources(config=str(config), warehouse=str(warehouse), refresh=True)
        return first, second, server.url("/story.html")


def test_refresh_adds_a_version_and_keeps_the_first(corpus: Path, tmp_path: Path) -> None:
    """Run 1: story + exact mirror; run 2 (refresh): the edited story is version 2 of its URL."""
    warehouse = tmp_path / "warehouse"
    first, second, story_url = _ingest_then_refresh(corpus, tmp_path, warehouse)

    assert (first.counts.articles_written, second.counts.articles_written) == (2, 1)
    assert second.counts.duplicates_skipped == 1  # the mirror, unchanged
    rows = delta_rows(
        "SELECT url, version, first_seen_at, last_seen_at, duplicate_of, cluster_id, body, "
        "article_id "
        f"FROM read_parquet('{warehouse}/articles/**/*.parquet', union_by_name = true) "
        "ORDER BY url, version"
    )
    mirror, story_v1, story_v2 = rows
    assert [r[:2] for r in rows] == [(mirror[0], 1), (story_url, 1), (story_url, 2)]
    assert story_v1[2] == story_v2[2] == story_v1[3] < story_v2[3]  # first seen, last seen
    assert "Editor's note" in story_v2[6] and "Editor's note" not in story_v1[6]
    assert story_v1[5] == story_v2[5] == mirror[5]  # one cluster: the light edit joined it
    # One of the two identical pages was committed first; the other names it.
    assert {story_v1[4], mirror[4]} == {None, story_v1[7] if mirror[4] else mirror[7]}


@pytest.mark.slow
def test_reprocess_rebuilds_the_newest_version_and_keeps_the_earlier_text(
    corpus: Path, tmp_path: Path
) -> None:
    """After v1 and v2 of a URL, reprocess replaces only v2 (from the newest fetch)."""
    from flows.reprocess import reprocess

    warehouse = tmp_path / "warehouse"
    _, _, story_url = _ingest_then_refresh(corpus, tmp_path, warehouse)

    query = (
        "SELECT url, version, first_seen_at, body, run_id "
        f"FROM read_parquet('{warehouse}/articles/**/*.parquet', union_by_name = true) "
        "ORDER BY url, version"
    )
    before = delta_rows(query)
    summary = reprocess(warehouse=str(warehouse))
    after = delta_rows(query)

    assert summary.counts.articles_written == 2  # the newest fetch of each URL, rebuilt
    assert [r[:2] for r in after] == [r[:2] for r in before]  # same URLs, same versions
    story = {r[1]: r for r in after if r[0] == story_url}
    old_story = {r[1]: r for r in before if r[0] == story_url}
    assert story[1] == old_story[1]  # version 1: untouched row, earlier text kept
    assert story[2][4] == summary.run_id != old_story[2][4]  # version 2: rebuilt
    assert story[2][3] == old_story[2][3]  # from the same (newest) fetch: same text
    assert story[2][2] == old_story[2][2]  # first seen: still version 1's time
