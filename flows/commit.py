"""The one commit path of the ingest flows: batch results in, rows in the tables out.

Tasks read, fetch, extract and clean; they write nothing. Each returns its
batch's results (`CleanedBatch`: articles, rejects, raw pages, signatures)
and the flow hands them, in batch order, to one `Committer` in its own
process, whether the batch came from files or from the web and whichever
runner ran it. So deduplication is exact, the output does not depend on
which task finished first, and threads, a process pool and Dask write the
same rows.

Raw pages are written after the articles and rejects of their batch, in
both flows, because a stored page tells a rerun that its URL needs no
fetching (`warehouse.reader.known_urls`). Written first, a crash between
the two commits would leave a URL marked as fetched whose article or reject
was never written: every rerun would pass it over and the document would
be lost. Written after, the same crash loses nothing a rerun needs: a
file's progress is recorded only after both commits, so its range is read
again (articles skipped by key, pages written then); a web page that was
rejected is fetched again; a web page whose article was committed but whose
raw copy was not is fetched again too (`known_urls` does not count an
article of a web run without its raw page), so the rerun finds the article
stored and writes the raw copy `reprocess` rebuilds from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

from extractors.records import RESUMED_TALLY, DiscoveredUrl, FetchedPage, Reject
from flows.batches import Batch, ProgressLog
from flows.ledger import RunLedger, RunSummary
from pipeline.clean import CleanedBatch
from transforms.article import Article
from transforms.similarity import Signature, SimilaritySettings
from warehouse import BatchWriter, KeyIndex, RunCounts, RunStatus, Warehouse, write_raw_pages
from warehouse.layout import ARTICLES_TABLE, REJECTS_TABLE

__all__ = ["Committer", "summarise"]

RawPage = tuple[FetchedPage, DiscoveredUrl]


class Committer:
    """Dedups and writes the batches' results in the flow's process, `rows_per_file` at a time.

    `raw_index` (the URLs in raw_pages) keeps one raw copy per URL, as the
    articles table keeps one row (a URL archived twice in web archives);
    without it every fetch is kept, once per (url, fetched_at): reprocessing
    rebuilds an article from its newest fetch.
    """

    def __init__(
        self,
        store: Warehouse,
        writer: BatchWriter,
        *,
        run_id: str,
        rows_per_file: int,
        raw_index: KeyIndex | None = None,
        progress: ProgressLog | None = None,
    ) -> None:
        self._store = store
        self._progress = progress
        self._added = 0  # items added, and written, since the run started
        self._written = 0
        self._signatures: dict[str, Signature] = {}  # of the bodies not written yet
        self._writer = writer
        self._run_id = run_id
        self._rows = rows_per_file
        self._raw_index = raw_index
        self._items: list[Article | Reject] = []
        self._files = 0
        self.batches = 0
        self.counts = RunCounts()
        self.skipped: Counter[str] = Counter()
        self.raw_pages_written = 0

    @classmethod
    def for_run(
        cls,
        ledger: RunLedger,
        *,
        rows_per_file: int,
        default_source: str | None = None,
        raw_index: KeyIndex | None = None,
        progress: ProgressLog | None = None,
    ) -> Committer:
        """The committer of the ledger's run: the writer's key indexes are read now, its
        catalog on the first write (a run that finds nothing new never loads it)."""
        store = ledger.store
        writer = BatchWriter(
            store,
            run_id=ledger.run_id,
            articles_index=KeyIndex.from_table(store, ARTICLES_TABLE, "article_id"),
            rejects_index=KeyIndex.from_table(store, REJECTS_TABLE, "reject_id"),
            default_source=default_source,
        )
        return cls(
            store,
            writer,
            run_id=ledger.run_id,
            rows_per_file=max(1, rows_per_file),
            raw_index=raw_index,
            progress=progress,
        )

    @property
    def similarity(self) -> SimilaritySettings | None:
        """The writer's near-duplicate settings: the tasks sign the bodies with them."""
        return self._writer.similarity

    def passed_over(self, documents: int) -> None:
        """Documents of inputs not read again, their outcome committed by earlier runs."""
        self.counts += RunCounts(documents_seen=documents, already_stored=documents)

    def add(self, batch: CleanedBatch, parts: Batch = (), *, whole: bool = False) -> RunCounts:
        """Take one batch's results; returns what this call wrote.

        Its items wait until `rows_per_file` of them are pending, unless the
        batch is to be written `whole` now (the web flow counts each batch
        for its source) or has raw pages (bodies are large: they are not kept
        waiting): then everything pending is written, the raw pages after it.
        """
        self.batches += 1
        skipped = Counter(batch.skipped)
        resumed = skipped.pop(RESUMED_TALLY, 0)  # web-archive records an earlier run wrote
        self.counts += RunCounts(documents_seen=batch.documents + resumed, already_stored=resumed)
        self.skipped.update(skipped)
        self._items += batch.articles
        self._items += batch.rejects
        self._signatures.update(batch.signatures)
        self._added += batch.documents
        if self._progress is not None:
            self._progress.added(parts, batch.by_input, self._added)
        written = RunCounts()
        if whole or batch.raw_pages:
            written += self._write_pending()
            self._write_raw(batch.raw_pages, f"b{self.batches:05d}")
        while len(self._items) >= self._rows:
            written += self._write(self._items[: self._rows])
            del self._items[: self._rows]
        self._record_progress()
        return written

    def flush(self) -> RunCounts:
        """Write every item still pending; returns what that wrote."""
        written = self._write_pending()
        self._record_progress()
        return written

    def _write_pending(self) -> RunCounts:
        if not self._items:
            return RunCounts()
        written = self._write(self._items)
        self._items = []
        return written

    def _record_progress(self) -> None:
        if self._progress is not None:
            self._progress.committed(self._written)

    def _write(self, items: Sequence[Article | Reject]) -> RunCounts:
        self._files += 1
        articles = [i for i in items if isinstance(i, Article)]
        rejects = [i for i in items if isinstance(i, Reject)]
        signatures = {a.content_hash: self._signatures.pop(a.content_hash, None) for a in articles}
        written = self._writer.write(
            f"c{self._files:05d}",
            articles,
            rejects,
            seen_at=datetime.now(UTC),
            signatures={key: sig for key, sig in signatures.items() if sig is not None},
        )
        self.counts += written
        self._written += len(items)
        return written

    def _write_raw(self, pages: Sequence[RawPage], part: str) -> None:
        """The batch's raw pages, after its articles (see the module docstring)."""
        fresh = list(pages)
        if self._raw_index is not None:  # one raw copy per URL
            fresh_urls = self._raw_index.claim(page.url for page, _ in pages)
            fresh = []
            for page, found in pages:
                if page.url in fresh_urls:
                    fresh_urls.discard(page.url)
                    fresh.append((page, found))
        if fresh:
            self.raw_pages_written += write_raw_pages(
                self._store, fresh, run_id=self._run_id, part=part
            )


def summarise(
    ledger: RunLedger, commit: Committer, status: RunStatus, files: int = 0
) -> RunSummary:
    """The run's summary: what `commit` has counted so far (the ledger's `summarise`)."""
    return RunSummary(
        ledger.run_id,
        ledger.warehouse,
        commit.counts,
        ledger.elapsed(),
        status,
        files=files,
        batches=commit.batches,
        records_skipped=dict(commit.skipped),
        raw_pages_written=commit.raw_pages_written,
    )
