"""The warehouse's table schemas, declared once and versioned.

Every batch is cast to these schemas before it is written, so a table's
types never depend on what one batch happened to contain (an all-null
column would otherwise come out as `null` type). Each Delta table carries
the version in its properties (`news_etl.schema_version`, see
`warehouse/delta.py`) and each column's `doc` in its field metadata; bump
the version on any change an analyst's query could notice, and say what
changed in `SCHEMA_HISTORY`.
"""

from __future__ import annotations

from typing import Final

import pyarrow as pa

__all__ = [
    "ARTICLES",
    "FETCH_PARTITION",
    "INPUTS",
    "MINHASH",
    "PARTITION_COLUMN",
    "RAW_PAGES",
    "REJECTS",
    "RUNS",
    "SCHEMA_HISTORY",
    "SCHEMA_VERSION",
    "UNDATED_PARTITION",
    "URL_OUTCOMES",
    "VALIDATORS",
    "with_version",
]

SCHEMA_VERSION: Final = "5"
SCHEMA_HISTORY: Final = {
    "1": "first release: articles, rejects, runs",
    "2": "raw_pages and state/validators added for web sources; earlier tables unchanged",
    "3": (
        "articles: version, first_seen_at, last_seen_at, duplicate_of, cluster_id, extracted_hash appended "
        "(null in rows written before); an article_id may now have several rows, one per "
        "distinct body (version); runs: exact_duplicates, near_duplicates, new_versions "
        "appended; state/minhash and state/site_boilerplate added; extraction_method may "
        "name a fallback extractor. Read old and new files together with DuckDB's "
        "union_by_name = true"
    ),
    "4": (
        "runs: already_stored appended (documents a rerun passed over unread because an "
        "earlier run committed their outcome; null in rows written before); "
        "state/inputs added (how far each input file is committed); state/url_outcomes added "
        "(web fetch failures a run leaves for the next)"
    ),
    "5": (
        "every table a Delta Lake table at the same path (a `_delta_log` beside the data); "
        "the partition columns published_month and fetched_month are table columns; "
        "runs: table_versions appended (the Delta versions each run's commits produced); "
        "state/minhash: settings appended (it was file metadata)"
    ),
}
VERSION_KEY: Final = b"news_etl.schema_version"

# Hive partition of the articles table: the UTC month of publication. Undated
# articles go to `published_month=undated` rather than Hive's
# `__HIVE_DEFAULT_PARTITION__`: pandas (through pyarrow 26) fails to read a
# dictionary partition column holding nulls ("Cannot yet unify dictionaries
# with nulls"), and a named value is easier to filter on.
PARTITION_COLUMN: Final = "published_month"
FETCH_PARTITION: Final = "fetched_month"  # raw_pages: the UTC month of fetching
UNDATED_PARTITION: Final = "undated"

_UTC = pa.timestamp("us", tz="UTC")


def _field(name: str, type_: pa.DataType, doc: str, *, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"doc": doc})


REMOVAL = pa.struct(
    [
        pa.field("rule", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
    ]
)

ARTICLES: Final = pa.schema(
    [
        _field("article_id", pa.string(), "stable id: hash of canonical_url, else of source and the SHA-256 of the body before site-learned removal (content_hash when nothing was removed)", nullable=False),
        _field("url", pa.string(), "URL as found in the source"),
        _field("canonical_url", pa.string(), "lower-case scheme/host, no fragment or tracking parameters"),
        _field("source", pa.string(), "source name: from metadata, the run's --source, else the domain", nullable=False),
        _field("domain", pa.string(), "host of canonical_url without www."),
        _field("title", pa.string(), "headline; null when the source states none"),
        _field("authors", pa.list_(pa.string()), "clean author names, no 'By', de-duplicated", nullable=False),
        _field("published_at", _UTC, "publication time in UTC"),
        _field("published_utc_offset", pa.int32(), "minutes east of UTC the publication time was written with; null when it had no offset"),
        _field("modified_at", _UTC, "last modification time in UTC"),
        _field("language", pa.string(), "ISO 639-1 code"),
        _field("description", pa.string(), "summary from the page's metadata"),
        _field("section", pa.string(), "section or category"),
        _field("tags", pa.list_(pa.string()), "keywords and tags", nullable=False),
        _field("image_url", pa.string(), "lead image"),
        _field("site_name", pa.string(), "publication name from the page's metadata"),
        _field("body", pa.string(), "cleaned main text; paragraphs separated by one blank line", nullable=False),
        _field("word_count", pa.int32(), "words in body: runs of letters or digits; each Han, kana, Thai, Lao, Khmer or Myanmar character counts as one", nullable=False),
        _field("content_hash", pa.string(), "SHA-256 hex of body", nullable=False),
        _field("boilerplate_removed", pa.list_(REMOVAL), "each segment removed from the body, with the rule that removed it", nullable=False),
        _field("extraction_method", pa.string(), "what produced body: trafilatura; jsonld, readability or justext (HTML fallbacks); plain_text", nullable=False),
        _field("locator", pa.string(), "where the document came from: path, path#line=N, or URL", nullable=False),
        _field("ingested_at", _UTC, "when this row was written", nullable=False),
        _field("run_id", pa.string(), "the run that wrote this row; joins runs.run_id", nullable=False),
        _field("version", pa.int32(), "1 for the first body stored under this article_id (URL), then 2, 3... for each changed body seen on a later fetch; the latest version is the largest. Null in rows written before schema 3 (read it as 1)"),
        _field("first_seen_at", _UTC, "when version 1 of this article_id was written (the same on every version). Null before schema 3 (read ingested_at)"),
        _field("last_seen_at", _UTC, "when this version's body was seen and written; an unchanged copy seen later is skipped, not recorded here (raw_pages keeps every fetch). Null before schema 3"),
        _field("duplicate_of", pa.string(), "article_id of the first article stored with exactly this body (same content_hash) under another URL; null when the body was new"),
        _field("cluster_id", pa.string(), "near-duplicate cluster: the content_hash of the cluster's first body. Always set, a singleton's is its own content_hash, so GROUP BY cluster_id works; rows whose word-shingle Jaccard to a member is estimated >= 0.8 (MinHash) join it, across runs. Null before schema 3"),
        _field("extracted_hash", pa.string(), "SHA-256 hex of body before site-learned boilerplate removal (= content_hash when none was removed); versions compare it, so a pattern learned between two fetches does not make an unchanged page a new version. Null before schema 3"),
        _field(PARTITION_COLUMN, pa.string(), "Hive partition value: the UTC month of published_at (YYYY-MM), or 'undated'", nullable=False),
    ]
)  # fmt: skip

REJECTS: Final = pa.schema(
    [
        _field("reject_id", pa.string(), "hash of source, locator and reason; a rerun does not add it twice", nullable=False),
        _field("source", pa.string(), "source name, when known"),
        _field("locator", pa.string(), "path, path#line=N, or URL of the document", nullable=False),
        _field("reason", pa.string(), "machine-readable reason (RejectReason)", nullable=False),
        _field("detail", pa.string(), "short human-readable explanation", nullable=False),
        _field("run_id", pa.string(), "the run that first saw it", nullable=False),
        _field("seen_at", _UTC, "when it was rejected", nullable=False),
    ]
)  # fmt: skip

SOURCE_COUNTS = pa.struct(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("discovered", pa.int64(), nullable=False),
        pa.field("already_stored", pa.int64(), nullable=False),
        pa.field("fetched", pa.int64(), nullable=False),
        pa.field("articles_written", pa.int64(), nullable=False),
        pa.field("duplicates_skipped", pa.int64(), nullable=False),
        pa.field("rejects", pa.int64(), nullable=False),
    ]
)

TABLE_VERSIONS = pa.struct(
    [
        pa.field("table", pa.string(), nullable=False),
        pa.field("first_version", pa.int64(), nullable=False),
        pa.field("last_version", pa.int64(), nullable=False),
        pa.field("commits", pa.int64(), nullable=False),
    ]
)

RUNS: Final = pa.schema(
    [
        _field("run_id", pa.string(), "id of the run (the Prefect flow run id when run under Prefect)", nullable=False),
        _field("flow", pa.string(), "flow name", nullable=False),
        _field("parameters", pa.string(), "the run's parameters as JSON", nullable=False),
        _field("started_at", _UTC, "start time", nullable=False),
        _field("finished_at", _UTC, "end time; null while running or after a crash"),
        _field("documents_seen", pa.int64(), "documents read", nullable=False),
        _field("articles_written", pa.int64(), "new article rows", nullable=False),
        _field("duplicates_skipped", pa.int64(), "articles already in the table or repeated in the run", nullable=False),
        _field("rejects", pa.int64(), "documents rejected", nullable=False),
        _field("rejects_by_reason", pa.map_(pa.string(), pa.int64()), "reject counts per reason", nullable=False),
        _field("status", pa.string(), "running, completed or failed", nullable=False),
        _field("sources", pa.list_(SOURCE_COUNTS), "per web source: URLs discovered, already stored, fetched, articles written, duplicates, rejects; empty for file runs", nullable=False),
        _field("exact_duplicates", pa.int64(), "of articles_written: rows whose body was already stored under another URL (duplicate_of set); null when not counted (before schema 3)"),
        _field("near_duplicates", pa.int64(), "of articles_written: new bodies that joined an existing near-duplicate cluster; null when not counted"),
        _field("new_versions", pa.int64(), "of articles_written: changed bodies of a URL already stored (version > 1); null when not counted"),
        _field("already_stored", pa.int64(), "of documents_seen: passed over unread, an earlier run having committed them (documents_seen = articles_written + duplicates_skipped + rejects + already_stored); null when not counted (before schema 4)"),
        _field("table_versions", pa.list_(TABLE_VERSIONS), "per table the run committed to: the first and last Delta table version its commits produced, and how many (news-etl query --as-of takes a version); null before schema 5"),
    ]
)  # fmt: skip


RAW_PAGES: Final = pa.schema(
    [
        _field("url", pa.string(), "the URL requested", nullable=False),
        _field("final_url", pa.string(), "the URL after redirects", nullable=False),
        _field("source", pa.string(), "source name from sources.toml", nullable=False),
        _field("status", pa.int32(), "HTTP status of the final response", nullable=False),
        _field("content_type", pa.string(), "Content-Type header"),
        _field("charset", pa.string(), "charset from the Content-Type header"),
        _field("etag", pa.string(), "ETag header"),
        _field("last_modified", pa.string(), "Last-Modified header"),
        _field("body", pa.binary(), "the body as received, after transfer decoding; the file's zstd compresses it", nullable=False),
        _field("hints", pa.string(), "what the feed or sitemap said of the URL, as JSON (fallback metadata)", nullable=False),
        _field("fetched_at", _UTC, "when it was fetched", nullable=False),
        _field("run_id", pa.string(), "the run that fetched it", nullable=False),
        _field(FETCH_PARTITION, pa.string(), "Hive partition value: the UTC month of fetched_at (YYYY-MM)", nullable=False),
    ]
)  # fmt: skip

VALIDATORS: Final = pa.schema(
    [
        _field("url", pa.string(), "feed or sitemap URL", nullable=False),
        _field("etag", pa.string(), "ETag to send as If-None-Match"),
        _field("last_modified", pa.string(), "Last-Modified to send as If-Modified-Since"),
        _field("checked_at", _UTC, "when the URL was last fetched or answered 304", nullable=False),
    ]
)  # fmt: skip

# state/inputs.parquet: one row per input file of the file flow, how far its
# documents are committed, so that a rerun skips what is done without reading it.
INPUTS: Final = pa.schema(
    [
        _field("name", pa.string(), "the input as locators name it: its path, or its URL for a remote input", nullable=False),
        _field("size", pa.int64(), "size in bytes when last read", nullable=False),
        _field("mtime_ns", pa.int64(), "modification time (ns since the epoch) when last read", nullable=False),
        _field("fingerprint", pa.string(), "SHA-256 of the size, the first and the last 64 KiB", nullable=False),
        _field("committed_to", pa.int64(), "byte offset up to which every document's outcome is committed; size when complete", nullable=False),
        _field("next_line", pa.int64(), "number of the line at committed_to (JSONL), else 1", nullable=False),
        _field("documents", pa.int64(), "documents committed from the bytes before committed_to", nullable=False),
        _field("run_id", pa.string(), "the run that committed last", nullable=False),
        _field("updated_at", _UTC, "when", nullable=False),
    ]
)  # fmt: skip

# state/url_outcomes.parquet: one row per listed URL whose last fetch failed for a
# transient or a permanent reason (extractors/web/transience.py), so that the next web
# run retries the one and leaves the other alone (warehouse/url_outcomes.py).
URL_OUTCOMES: Final = pa.schema(
    [
        _field("url", pa.string(), "the URL as listed (feed, sitemap or sources file) and requested", nullable=False),
        _field("source", pa.string(), "source name from sources.toml", nullable=False),
        _field("found_in", pa.string(), "the feed or sitemap that listed it, or sources.toml", nullable=False),
        _field("kind", pa.string(), "transient (retried on the next run) or permanent (not fetched again for the rest period)", nullable=False),
        _field("reason", pa.string(), "machine-readable reason of the last failure (RejectReason)", nullable=False),
        _field("http_status", pa.int32(), "HTTP status of the answer that refused it; null when no answer came"),
        _field("detail", pa.string(), "short human-readable explanation of the last failure", nullable=False),
        _field("failures", pa.int32(), "consecutive failed fetches of this kind", nullable=False),
        _field("first_failed_at", _UTC, "when the first of those failed", nullable=False),
        _field("last_failed_at", _UTC, "when the last one failed; a permanent failure rests from here", nullable=False),
        _field("run_id", pa.string(), "the run of the last failure", nullable=False),
    ]
)  # fmt: skip

# state/minhash: one row per distinct article body and MinHash settings, merged in
# by the batch that first stores the body.
MINHASH: Final = pa.schema(
    [
        _field("content_hash", pa.string(), "SHA-256 hex of the body; joins articles.content_hash", nullable=False),
        _field("signature", pa.binary(), "MinHash signature of the body's word shingles: num_perm little-endian uint32", nullable=False),
        _field("settings", pa.string(), "fingerprint of the MinHash settings that made the signature", nullable=False),
    ]
)  # fmt: skip


def with_version(schema: pa.Schema) -> pa.Schema:
    """The schema carrying the schema version in its file-level metadata."""
    return schema.with_metadata({VERSION_KEY: SCHEMA_VERSION.encode()})


# state/site_boilerplate.parquet: one row per source, the counts that site-learned
# boilerplate is learned from (transforms/boilerplate/site.py, warehouse/site_counts.py, flows/site_learning.py).
SITE_PATTERN = pa.struct(
    [
        pa.field("fingerprint", pa.string(), nullable=False),
        pa.field("articles", pa.int64(), nullable=False),
        pa.field("max_error", pa.int64(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
    ]
)

SITE_BOILERPLATE: Final = pa.schema(
    [
        _field("source", pa.string(), "source name, as in articles.source", nullable=False),
        _field("articles_seen", pa.int64(), "articles of the source counted (rows first written by ingest runs)", nullable=False),
        _field("patterns", pa.list_(SITE_PATTERN), "tracked paragraphs: fingerprint (16 hex digits of the folded text), articles holding it (never above the truth), max_error (truth is at most articles + max_error), a sample text", nullable=False),
        _field("updated_at", _UTC, "when a run last counted the source's articles", nullable=False),
    ]
)  # fmt: skip

__all__ += ["SITE_BOILERPLATE"]
