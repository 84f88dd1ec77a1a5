"""Site-learned boilerplate: counted at commit into the warehouse's state, persisted, reset.

Articles are written by the real writer and counted back from the Parquet
files; the state file is read back with pyarrow and DuckDB as well.
"""

from __future__ import annotations

import pickle

import pytest

from flows.site_learning import learn_from_run, learn_pending, with_learned_boilerplate
from tests.support.articles import INGESTED, ArticleFactory, new_writer
from tests.support.delta_sql import delta_rows
from tests.support.local import local
from transforms.article import CleanSettings
from transforms.boilerplate import Removal
from transforms.boilerplate.site import SITE_KIND, fingerprint, strip_site_boilerplate
from warehouse import (
    SCHEMA_VERSION,
    RunRecord,
    Warehouse,
    WarehouseReadError,
    read_site_counts,
    reset_site_counts,
    write_run,
)
from warehouse.delta import SCHEMA_VERSION_PROPERTY, open_table
from warehouse.layout import SITE_BOILERPLATE_TABLE
from warehouse.site_counts import COUNTED_RUN_PREFIX

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
    # the state is a Delta table, versioned, readable by DuckDB
    table = open_table(store, SITE_BOILERPLATE_TABLE)
    assert table is not None
    assert table.metadata().configuration[SCHEMA_VERSION_PROPERTY] == SCHEMA_VERSION
    path = store.folder(SITE_BOILERPLATE_TABLE)
    rows = delta_rows(
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


def test_a_foreign_state_folder_is_a_read_error(store: Warehouse) -> None:
    """A state folder whose log is not Delta fails with the path and the fix, not a traceback."""
    log = local(store.folder(SITE_BOILERPLATE_TABLE)) / "_delta_log"
    log.mkdir(parents=True)
    (log / "00000000000000000000.json").write_text("not json")
    with pytest.raises(WarehouseReadError, match="site_boilerplate"):
        read_site_counts(store)


def _ingest_run(store: Warehouse, run_id: str, flow: str = "ingest_files") -> None:
    write_run(store, RunRecord(run_id, flow, {}, started_at=INGESTED))


def test_a_run_killed_before_counting_is_counted_by_the_next(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """Articles committed by a run that died before counting are counted once, by the next run."""
    _ingest_run(store, "run-1")
    _write(store, make_article, "run-1", range(3))
    assert learn_pending(store) == {"example": 3}  # run 1 counted at its end
    _ingest_run(store, "killed")
    _write(store, make_article, "killed", range(3, 6))  # ...and no counting: SIGKILL
    _ingest_run(store, "run-3")
    assert learn_pending(store, skip={"run-3"}) == {"example": 3}  # the next run's start
    assert learn_pending(store, skip={"run-3"}) == {}
    assert learn_from_run(store, "killed") == {}  # never twice
    assert read_site_counts(store)["example"].articles_seen == 6
    assert learned_from_scratch(store, make_article) == read_site_counts(store)


def learned_from_scratch(store: Warehouse, make_article: ArticleFactory) -> object:
    """The counts a warehouse gets from the same inputs with no run killed."""
    other = Warehouse.at(str(local(store.root).with_name("clean")))
    _ingest_run(other, "run-1")
    _write(other, make_article, "run-1", range(6))
    learn_pending(other)
    return read_site_counts(other)


@pytest.mark.parametrize("flow", ["reprocess", "compact"])
def test_runs_that_rebuild_are_never_counted(
    store: Warehouse, make_article: ArticleFactory, flow: str
) -> None:
    """Only ingest runs teach: a reprocess rebuilds articles already counted."""
    _ingest_run(store, "again", flow=flow)
    _write(store, make_article, "again", range(4))
    assert learn_pending(store) == {}


def test_counted_runs_are_delta_application_transactions(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """Each run counted is recorded in the same commit as the counts, as a Delta `txn`."""
    _ingest_run(store, "run-1")
    _write(store, make_article, "run-1", range(4))
    learn_pending(store)
    table = open_table(store, SITE_BOILERPLATE_TABLE)
    assert table is not None
    assert table.transaction_version(COUNTED_RUN_PREFIX + "run-1") == 1
    assert learn_pending(store) == {}
    assert read_site_counts(store)["example"].articles_seen == 4
