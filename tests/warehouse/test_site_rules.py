"""Site-learned boilerplate as warehouse state: counted at commit, persisted, reset.

Articles are written by the real writer and counted back from the Parquet
files; the state file is read back with pyarrow and DuckDB as well.
"""

from __future__ import annotations

import pickle

import pyarrow.parquet as pq
import pytest

from tests.conftest import sql_rows
from tests.support.local import local
from tests.warehouse.conftest import INGESTED, ArticleFactory, new_writer
from transforms.article import CleanSettings
from transforms.boilerplate import Removal
from transforms.site_boilerplate import SITE_KIND, fingerprint, strip_site_boilerplate
from warehouse import (
    SCHEMA_VERSION,
    Warehouse,
    WarehouseReadError,
    learn_from_run,
    read_site_counts,
    reset_site_counts,
    with_learned_boilerplate,
)
from warehouse.site_rules import state_path

FOOTER = "This story was produced by the Example newsroom. Tips: tips@example.org"
THRESHOLDS = CleanSettings(site_share=0.5, site_min_articles=4)


def _body(n: int, *, footer: bool = True) -> str:
    # words, not digits: fingerprints fold every number to 0
    word = "".join(chr(ord("a") + int(d)) for d in str(n))
    story = f"Story {word} tells of event {word} in detail.\n\nA second paragraph, {word}."
    return f"{story}\n\n{FOOTER}" if footer else story


def _write(
    store: Warehouse, make_article: ArticleFactory, run_id: str, numbers: range, **fields: object
) -> None:
    articles = [make_article(n, body=_body(n), run_id=run_id, **fields) for n in numbers]
    new_writer(store, run_id).write("b1", articles, [], seen_at=INGESTED)


def test_counts_persist_across_runs_and_teach_after_the_minimum(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """Run 1 (3 articles) teaches nothing; run 2 brings the source to 4: the footer is learned."""
    _write(store, make_article, "run-1", range(3))
    assert learn_from_run(store, "run-1") == {"example": 3}
    assert len(with_learned_boilerplate(store, THRESHOLDS).site_boilerplate) == 0

    _write(store, make_article, "run-2", range(3, 4))
    assert learn_from_run(store, "run-2") == {"example": 1}
    [counts] = read_site_counts(store).values()
    assert counts.articles_seen == 4
    learned = with_learned_boilerplate(store, THRESHOLDS).site_boilerplate
    assert learned.for_source("example") == {fingerprint(FOOTER)}
    assert strip_site_boilerplate(_body(9), learned.for_source("example")).body == _body(
        9, footer=False
    )
    # the state is plain Parquet, versioned, readable by DuckDB
    path = state_path(store)
    assert pq.read_schema(path).metadata[b"news_etl.schema_version"] == SCHEMA_VERSION.encode()
    rows = sql_rows(
        f"SELECT source, articles_seen, p.articles, p.text FROM read_parquet('{path}'), "
        "unnest(patterns) AS t(p) WHERE p.text LIKE 'This story%'"
    )
    assert rows == [("example", 4, 4, FOOTER)]


def test_only_the_runs_new_rows_are_counted(store: Warehouse, make_article: ArticleFactory) -> None:
    """A duplicate skipped by the writer, or another run's rows, are never counted."""
    _write(store, make_article, "run-1", range(3))
    learn_from_run(store, "run-1")
    _write(store, make_article, "run-2", range(3))  # the same articles again: all duplicates
    assert learn_from_run(store, "run-2") == {}
    assert learn_from_run(store, "no-such-run") == {}
    assert read_site_counts(store)["example"].articles_seen == 3


def test_site_removals_are_counted_back(store: Warehouse, make_article: ArticleFactory) -> None:
    """A stored body whose footer was removed as site boilerplate still counts the footer."""
    removed = (Removal("site:abcdef01", SITE_KIND, FOOTER),)
    articles = [
        make_article(n, body=_body(n, footer=False), boilerplate_removed=removed, run_id="run-1")
        for n in range(4)
    ]
    new_writer(store, "run-1").write("b1", articles, [], seen_at=INGESTED)
    learn_from_run(store, "run-1")
    learned = with_learned_boilerplate(store, THRESHOLDS).site_boilerplate
    assert learned.for_source("example") == {fingerprint(FOOTER)}


def test_reset_one_source_or_all(store: Warehouse, make_article: ArticleFactory) -> None:
    """Reset forgets the named sources only; without names, every source."""
    _write(store, make_article, "run-1", range(4))
    _write(store, make_article, "run-2", range(10, 14), source="other")
    learn_from_run(store, "run-1")
    learn_from_run(store, "run-2")
    assert sorted(read_site_counts(store)) == ["example", "other"]
    assert reset_site_counts(store, ["other", "unknown"]) == ["other"]
    assert sorted(read_site_counts(store)) == ["example"]
    snapshot = with_learned_boilerplate(store, THRESHOLDS).site_boilerplate
    assert [name for name, _ in snapshot] == ["example"]
    assert reset_site_counts(store) == ["example"]
    assert read_site_counts(store) == {}
    assert reset_site_counts(store) == []


def test_snapshot_settings_pickle(store: Warehouse, make_article: ArticleFactory) -> None:
    """The settings a run hands its workers pickle with their snapshot."""
    _write(store, make_article, "run-1", range(4))
    learn_from_run(store, "run-1")
    settings = with_learned_boilerplate(store, THRESHOLDS)
    assert len(settings.site_boilerplate) == 1
    assert pickle.loads(pickle.dumps(settings)) == settings


def test_a_foreign_state_file_is_a_read_error(store: Warehouse) -> None:
    """A state file that is not Parquet fails with the path and the fix, not a traceback."""
    path = local(state_path(store))
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not parquet")
    with pytest.raises(WarehouseReadError, match=r"site_boilerplate\.parquet"):
        read_site_counts(store)
