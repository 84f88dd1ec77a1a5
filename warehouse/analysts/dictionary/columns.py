"""The data dictionary's column notes: how each column is derived, when it is null, an example.

A declared data table, not code, and so longer than a module should be: one
`Notes` entry per column of every table (`"table.column"`), nothing else.
What a schema cannot say about a column is said here; types and meanings come
from the schemas themselves (`warehouse.schema`, each field's `doc`).
`warehouse.analysts.dictionary.markdown.problems` fails on an entry naming no
column, a column with no entry, and a `null_when` that disagrees with the
column's nullability.
"""

from __future__ import annotations

from typing import Final

from warehouse.analysts.dictionary.tables import Notes

__all__ = ["NOTES"]

NOTES: Final = {
    # articles
    "articles.article_id": Notes(
        "first 32 hex digits (128 bits) of SHA-256 of `url:<canonical_url>`, or of "
        "`content:<source>:<content_hash>` when there is no URL",
        "9c4a7bce62ccc8ddffa9cb6e3a8b64b5",
    ),
    "articles.url": Notes(
        "the document's own URL (sidecar, record field, page metadata), else its canonical URL",
        "https://www.nytimes.com/2020/08/16/business/california-blackouts.html",
        "the document names no URL (plain-text files, records without one)",
    ),
    "articles.canonical_url": Notes(
        "the page's declared canonical URL, else `url`, normalised by courlan "
        "(tracking parameters such as utm_* removed)",
        "https://www.nytimes.com/2020/08/16/business/california-blackouts.html",
        "no URL at all",
    ),
    "articles.source": Notes(
        "sidecar or record `source`, else `ingest --source`, else `domain`, else `local`",
        "nytimes.com",
    ),
    "articles.domain": Notes(
        "host of `canonical_url`, lower-case, without a leading `www.`",
        "nytimes.com",
        "no URL",
    ),
    "articles.title": Notes(
        "sidecar/record title, else JSON-LD, OpenGraph/<meta>, trafilatura; a leading or "
        "trailing segment naming the site (' | The Japan Times') is dropped",
        "Rolling Blackouts in California Have Power Experts Stumped",
        "the document states no title (a .txt file's first line is used only if clearly a "
        "headline)",
    ),
    "articles.authors": Notes(
        "metadata author names split on 'and' and commas, 'By' removed, de-duplicated "
        "case-insensitively; empty when none are known",
        '["Ivan Penn"]',
    ),
    "articles.published_at": Notes(
        "metadata publication time parsed with its offset and converted to UTC",
        "2020-08-16 23:40:47+00",
        "no date, or one missing its day, month or year, or naming an ambiguous or unknown "
        "zone ('IST')",
    ),
    "articles.published_utc_offset": Notes(
        "the offset written in the publication time, in minutes east of UTC",
        "-240",
        "no publication time, or one written without an offset (then read as UTC)",
    ),
    "articles.modified_at": Notes(
        "metadata modification time (dateModified, article:modified_time), in UTC",
        "2020-08-17 00:25:54+00",
        "the document states none",
    ),
    "articles.language": Notes(
        "py3langid's guess on the first 5,000 characters of `body`; the declared language "
        "(`<html lang>`, JSON-LD inLanguage) only when the body has fewer than 200 letters",
        "en",
        "the body is too short to guess and the page declares no valid language code",
    ),
    "articles.description": Notes(
        "og:description / meta description / JSON-LD description, whitespace normalised",
        "Managers of the electric system argue that a lack of power prompted the decision…",
        "the page has no description",
    ),
    "articles.section": Notes(
        "article:section or JSON-LD articleSection", "Business", "the page names none"
    ),
    "articles.tags": Notes(
        "keywords, article:tag and record tags; case-insensitively de-duplicated",
        '["Weather", "Wildfires"]',
    ),
    "articles.image_url": Notes(
        "og:image or JSON-LD image",
        "https://static01.nyt.com/images/2020/08/16/business/16calutility1/….jpg",
        "the page names no image",
    ),
    "articles.site_name": Notes(
        "og:site_name or JSON-LD publisher name", "The New York Times", "the page names none"
    ),
    "articles.body": Notes(
        "main text (trafilatura for HTML; the file or record text otherwise), boilerplate "
        "segments removed, whitespace normalised",
        "As temperatures began to rise in California on Friday and again on Saturday, the…",
    ),
    "articles.word_count": Notes("counted on `body` after cleaning", "881"),
    "articles.content_hash": Notes(
        "SHA-256 of `body` as UTF-8",
        "55936b5ba436e42ab98344d3af1c598bcdd7b675b25711af77f13ee34560bdc8",
    ),
    "articles.boilerplate_removed": Notes(
        "one entry per removed segment: `rule` names the boilerplate rule that matched, `kind` "
        "its concept (subscription, newsletter, ...), `text` the segment as it was; empty "
        "when nothing was removed",
        '[{"rule": "subscription.help_us_get_it_right", "kind": "subscription", '
        '"text": "Help us get it right…"}]',
    ),
    "articles.extraction_method": Notes(
        "`ExtractionMethod` in extractors/records.py", "trafilatura"
    ),
    "articles.locator": Notes(
        "input path as given (relative to the working directory when under it), with "
        "`#line=N`, `#row=N` or `#offset=N` inside a JSONL, CSV or web archive; the URL for "
        "web pages",
        "samples/html/nytimes.com.blackouts.html",
    ),
    "articles.ingested_at": Notes(
        "the batch's clock when the row was built", "2026-11-30 04:25:26.233974+00"
    ),
    "articles.run_id": Notes(
        "Prefect flow run id of the writing run", "73d9c5ea-c5e7-4e54-a654-72b2f55473e1"
    ),
    "articles.version": Notes(
        "the writer numbers the distinct bodies (content_hash) stored under one article_id in "
        "the order it meets them; an unchanged body is skipped, not a new version",
        "1",
        "rows written before schema 3 (read it as 1)",
    ),
    "articles.first_seen_at": Notes(
        "`ingested_at` of version 1, copied onto every later version",
        "2026-11-30 04:25:26.233974+00",
        "rows written before schema 3 (use ingested_at)",
    ),
    "articles.last_seen_at": Notes(
        "`ingested_at` of this version's row",
        "2026-11-30 04:25:26.233974+00",
        "rows written before schema 3",
    ),
    "articles.duplicate_of": Notes(
        "the writer looks up `content_hash` among bodies already stored (this run or earlier) "
        "under another article_id",
        "9c4a7bce62ccc8ddffa9cb6e3a8b64b5",
        "the body was new when written, and in rows written before schema 3",
    ),
    "articles.cluster_id": Notes(
        "MinHash (datasketch) LSH over word shingles of `body`, estimated Jaccard >= 0.8 to a "
        "member joins that cluster, across runs (signatures kept in state/minhash); a "
        "singleton's is its own content_hash",
        "55936b5ba436e42ab98344d3af1c598bcdd7b675b25711af77f13ee34560bdc8",
        "rows written before schema 3",
    ),
    "articles.extracted_hash": Notes(
        "SHA-256 of the cleaned body before the source's learned boilerplate was removed; "
        "the writer compares it (not content_hash) to tell a new version from a refetch",
        "55936b5ba436e42ab98344d3af1c598bcdd7b675b25711af77f13ee34560bdc8",
        "rows written before schema 3 (their content_hash stands in)",
    ),
    "articles.published_month": Notes(
        "the writer's `partition_of(published_at)`; a Delta partition column, so in the "
        "folder name, not in the data file: delta-rs readers, and DuckDB, pandas, Polars and "
        "Spark reading the files with Hive partitioning, add it from the path",
        "2020-08",
    ),
    # rejects
    "rejects.reject_id": Notes(
        "first 32 hex digits of SHA-256 of source, locator and reason",
        "6078aa1910f02645cedf41d277d74810",
    ),
    "rejects.source": Notes(
        "the document's source when known, else `ingest --source`",
        "local",
        "the source was not known when it failed (e.g. an unreadable file, no --source)",
    ),
    "rejects.locator": Notes(
        "as `articles.locator`", "samples/jsonl/newspaper4k-export.jsonl#line=9"
    ),
    "rejects.reason": Notes(
        "a `RejectReason` value (extractors/records.py); the list is in docs/reading.md",
        "PARSE_ERROR",
    ),
    "rejects.detail": Notes(
        "the failing check's message, at most a few hundred characters",
        "invalid JSON: Invalid control character at: line 1 column 71 (char 70)",
    ),
    "rejects.run_id": Notes(
        "a rerun that meets the same reject keeps the first run's row",
        "73d9c5ea-c5e7-4e54-a654-72b2f55473e1",
    ),
    "rejects.seen_at": Notes("the batch's clock", "2026-11-30 04:25:27.693088+00"),
    # runs
    "runs.run_id": Notes(
        "Prefect flow run id; outside Prefect, the start time as YYYYMMDDTHHMMSS",
        "73d9c5ea-c5e7-4e54-a654-72b2f55473e1",
    ),
    "runs.flow": Notes(
        "Prefect flow name: ingest_files, ingest_sources, reprocess or compact", "ingest_files"
    ),
    "runs.parameters": Notes(
        "the flow's parameters, JSON with sorted keys",
        '{"batch_size": 25, "min_words": 20, "paths": ["samples"], ...}',
    ),
    "runs.started_at": Notes("written when the run starts", "2026-11-30 04:25:26.188658+00"),
    "runs.finished_at": Notes(
        "written when the run ends, completed or failed",
        "2026-11-30 04:25:27.745853+00",
        "the run is still going, or was killed (SIGKILL, power loss) before it could record "
        "its end",
    ),
    "runs.documents_seen": Notes(
        "= articles_written + duplicates_skipped + rejects + already_stored", "30"
    ),
    "runs.articles_written": Notes("rows this run added to articles", "24"),
    "runs.duplicates_skipped": Notes(
        "articles whose article_id was already stored or seen earlier in the run", "1"
    ),
    "runs.rejects": Notes("documents rejected in this run, including ones already logged", "5"),
    "runs.rejects_by_reason": Notes(
        "reason -> count; the counts sum to `rejects`", '{"EMPTY_BODY": 1, "PARSE_ERROR": 1}'
    ),
    "runs.status": Notes(
        "`running` from the start; `completed` or `failed` at the end (`RunStatus`)",
        "completed",
    ),
    "runs.sources": Notes(
        "one struct per source of a web run (source, discovered, already_stored, fetched, "
        "articles_written, duplicates_skipped, rejects)",
        '[{"source": "example", "discovered": 12, "fetched": 10, ...}]',
    ),
    "runs.exact_duplicates": Notes(
        "the writer's count of rows it wrote with `duplicate_of` set",
        "1",
        "runs recorded before schema 3",
    ),
    "runs.near_duplicates": Notes(
        "the writer's count of new bodies it placed in an existing cluster",
        "1",
        "runs recorded before schema 3",
    ),
    "runs.new_versions": Notes(
        "the writer's count of rows with `version` > 1", "0", "runs recorded before schema 3"
    ),
    "runs.table_versions": Notes(
        "the warehouse handle's journal: every Delta commit the run made, per table (the "
        "runs table itself left out)",
        '[{"table": "articles", "first_version": 2, "last_version": 9, "commits": 8}]',
        "runs recorded before schema 5",
    ),
    "runs.already_stored": Notes(
        "documents passed over unread because an earlier run committed their outcome: an "
        "input file or web-archive range already committed, a URL already stored, or one "
        "resting after a permanent failure",
        "223",
        "runs recorded before schema 4",
    ),
    # raw_pages
    "raw_pages.url": Notes(
        "the URL from the feed, sitemap or sources file", "https://example.org/2024/01/a.html"
    ),
    "raw_pages.final_url": Notes(
        "after following redirects", "https://www.example.org/2024/01/a.html"
    ),
    "raw_pages.source": Notes("`[[sources]] name`", "example"),
    "raw_pages.status": Notes("HTTP status code", "200"),
    "raw_pages.content_type": Notes(
        "Content-Type response header as sent", "text/html; charset=utf-8", "header absent"
    ),
    "raw_pages.charset": Notes(
        "charset parameter of Content-Type", "utf-8", "the header names no charset"
    ),
    "raw_pages.etag": Notes("ETag response header", '"5f2a-1b"', "header absent"),
    "raw_pages.last_modified": Notes(
        "Last-Modified response header", "Tue, 02 Jan 2024 10:00:00 GMT", "header absent"
    ),
    "raw_pages.body": Notes("response body, decompressed, not charset-decoded", "<html>…"),
    "raw_pages.hints": Notes(
        "title, date, authors the listing gave for this URL, as JSON",
        '{"title": "A", "published": "2024-01-02T10:00:00Z"}',
    ),
    "raw_pages.fetched_at": Notes("clock when the response ended", "2026-11-30 05:00:01+00"),
    "raw_pages.run_id": Notes(
        "Prefect flow run id of the fetching run", "73d9c5ea-c5e7-4e54-a654-72b2f55473e1"
    ),
    "raw_pages.fetched_month": Notes(
        "UTC month of `fetched_at`; a Delta partition column (the folder name)", "2026-11"
    ),
    # validators
    "validators.url": Notes(
        "a feed or sitemap URL of a sources file", "https://example.org/rss.xml"
    ),
    "validators.etag": Notes(
        "ETag of its last full response", '"abc123"', "the server sent no ETag"
    ),
    "validators.last_modified": Notes(
        "Last-Modified of its last full response",
        "Tue, 02 Jan 2024 10:00:00 GMT",
        "the server sent no Last-Modified",
    ),
    "minhash.content_hash": Notes(
        "as `articles.content_hash`; one row per distinct body",
        "55936b5ba436e42ab98344d3af1c598bcdd7b675b25711af77f13ee34560bdc8",
    ),
    "minhash.signature": Notes(
        "datasketch MinHash of the body's word shingles, with the settings named in `settings`",
        "<512 bytes>",
    ),
    "minhash.settings": Notes(
        "`SimilaritySettings.fingerprint` of the settings (permutations, bands, shingle "
        "size, seed); rows of other settings are ignored and recomputed",
        "minhash-affine32-crc32poly-w5-p128-s1",
    ),
    "site_boilerplate.source": Notes("`articles.source` of the counted articles", "nytimes.com"),
    "site_boilerplate.articles_seen": Notes(
        "running count over ingest runs: each run reads back the rows it wrote and adds them",
        "412",
    ),
    "site_boilerplate.patterns": Notes(
        "paragraphs repeated across the source's articles, counted with bounded error "
        "(transforms/boilerplate/site.py); a pattern frequent enough becomes a removal rule "
        "for that source",
        '[{"fingerprint": "3f9c0a1b2c3d4e5f", "articles": 57, "max_error": 2, "text": "…"}]',
    ),
    "site_boilerplate.updated_at": Notes(
        "clock of the last run that counted the source", "2026-11-30 05:00:00+00"
    ),
    "validators.checked_at": Notes(
        "clock of the last 200 or 304 for the URL", "2026-11-30 05:00:00+00"
    ),
    # inputs
    "inputs.name": Notes(
        "the ingest's input path, or the URL of a remote input", "data/cc.warc.gz"
    ),
    "inputs.size": Notes("`stat` of the file when its progress was recorded", "31457280"),
    "inputs.mtime_ns": Notes(
        "`stat` of the file when its progress was recorded", "1796000000000000000"
    ),
    "inputs.fingerprint": Notes("hex digest, read before the file is planned", "9f86d0..."),
    "inputs.committed_to": Notes(
        "end of the last range of the file whose every document (article, duplicate or "
        "reject) the writer had committed",
        "15728640",
    ),
    "inputs.next_line": Notes("first line of the range starting at committed_to", "5001"),
    "inputs.documents": Notes("documents of the committed ranges, all outcomes", "300"),
    "inputs.run_id": Notes("the run whose commit moved committed_to", "c6bc0fd3-..."),
    "inputs.updated_at": Notes("clock of that commit", "2026-11-30 05:00:00+00"),
    # url_outcomes
    "url_outcomes.url": Notes(
        "`DiscoveredUrl.url`: the URL as its listing gave it, before redirects",
        "https://example.org/news/gone.html",
    ),
    "url_outcomes.source": Notes("the `[[sources]]` name that listed it", "example-news"),
    "url_outcomes.found_in": Notes(
        "the listing's URL, or `sources.toml` for a source's `urls`",
        "https://example.org/rss.xml",
    ),
    "url_outcomes.kind": Notes(
        "`extractors.web.transience.failure_kind` of the reject: transient for a timeout, no "
        "answer, 408, 429, 5xx; permanent for 410, 451, TOO_LARGE, NOT_HTML, REDIRECT_LOOP, "
        "BLOCKED_ADDRESS; other failures get no row",
        "permanent",
    ),
    "url_outcomes.reason": Notes("`Reject.reason` of the last failure", "FETCH_FAILED"),
    "url_outcomes.http_status": Notes(
        "`Reject.http_status` of the last failure",
        "410",
        "no answer came (timeout, connection error, SSRF guard); for now also size and type "
        "refusals, whose status `extractors.web.http` does not pass on yet",
    ),
    "url_outcomes.detail": Notes("`Reject.detail` of the last failure", "HTTP 410"),
    "url_outcomes.failures": Notes(
        "1, plus one per later run whose fetch failed with the same kind", "3"
    ),
    "url_outcomes.first_failed_at": Notes(
        "the run's clock (the flow's `now`) at the first of those failures",
        "2026-11-30 05:00:00+00",
    ),
    "url_outcomes.last_failed_at": Notes(
        "the run's clock at the last failure; a permanent row rests until this plus the "
        "flow's `permanent_reject_days`",
        "2026-12-01 05:00:00+00",
    ),
    "url_outcomes.run_id": Notes("the run of the last failure", "c6bc0fd3-..."),
}
