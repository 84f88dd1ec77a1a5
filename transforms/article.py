"""ParsedArticle -> the cleaned, normalised `Article` the warehouse stores, or a Reject.

`Article` is the one record type written to the articles table; its fields
are the table's columns (see `warehouse.schema`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime

from extractors.records import Metadata, ParsedArticle, Reject, RejectReason
from transforms.boilerplate import (
    DEFAULT_RULES,
    Cleaned,
    Removal,
    RuleSet,
    strip_boilerplate,
)
from transforms.boilerplate.site import (
    NO_LEARNED_BOILERPLATE,
    LearnedBoilerplate,
)
from transforms.defaults import MIN_WORDS, SITE_MIN_ARTICLES, SITE_SHARE
from transforms.language import detect_language
from transforms.normalise import (
    canonical_url,
    clean_title,
    domain_of,
    normalise_authors,
    normalise_body,
    normalise_line,
    parse_timestamp,
    word_count,
)
from transforms.recovered import byline_authors, dateline_date, dateline_modified

__all__ = ["Article", "CleanSettings", "build_article", "make_article_id"]

FALLBACK_SOURCE = "local"


@dataclass(frozen=True, slots=True)
class CleanSettings:
    """How strict cleaning and validation are; built once at the edge."""

    min_words: int = MIN_WORDS
    default_source: str | None = None
    rules: RuleSet = field(default=DEFAULT_RULES)
    # Site-learned boilerplate (transforms.boilerplate.site): the thresholds, and the
    # snapshot of learned patterns a run loads once at its start
    # (flows.site_learning.with_learned_boilerplate); empty until then.
    site_share: float = SITE_SHARE
    site_min_articles: int = SITE_MIN_ARTICLES
    site_boilerplate: LearnedBoilerplate = field(default=NO_LEARNED_BOILERPLATE)


@dataclass(frozen=True, slots=True)
class Article:
    """One cleaned article; a row of the articles table."""

    article_id: str
    url: str | None
    canonical_url: str | None
    source: str
    domain: str | None
    title: str | None
    authors: tuple[str, ...]
    published_at: datetime | None
    published_utc_offset: int | None
    modified_at: datetime | None
    language: str | None
    description: str | None
    section: str | None
    tags: tuple[str, ...]
    image_url: str | None
    site_name: str | None
    body: str
    word_count: int
    content_hash: str
    boilerplate_removed: tuple[Removal, ...]
    extraction_method: str
    locator: str
    ingested_at: datetime
    run_id: str
    # Set by the warehouse writer, which alone knows what the table holds
    # (see warehouse.catalog); None until then.
    version: int | None = None
    first_seen_at: datetime | None = None
    last_seen_at: datetime | None = None
    duplicate_of: str | None = None
    cluster_id: str | None = None
    # SHA-256 of the body before site-learned removal: what versions compare.
    extracted_hash: str | None = None


def make_article_id(canonical: str | None, source: str, content_hash: str) -> str:
    """Stable id: from the canonical URL when there is one, else source + body hash.

    The prefix keeps the two namespaces apart; 128 bits of SHA-256 make
    collisions a non-issue at any realistic table size.
    """
    key = f"url:{canonical}" if canonical else f"content:{source}:{content_hash}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def build_article(
    parsed: ParsedArticle, *, run_id: str, ingested_at: datetime, settings: CleanSettings
) -> Article | Reject:
    """Strip boilerplate, normalise every field, validate; a reject says why not."""
    meta = parsed.metadata
    cleaned = strip_boilerplate(parsed.body, settings.rules, title=meta.title)
    # A byline or dateline removed from the start fills the fields the markup left empty.
    meta = replace(
        meta,
        authors=meta.authors or byline_authors(cleaned.removed),
        published=meta.published or dateline_date(cleaned.removed),
        modified=meta.modified or dateline_modified(cleaned.removed),
    )
    body = normalise_body(cleaned.body)
    canonical = canonical_url(meta.canonical_url) or canonical_url(meta.url)
    domain = domain_of(canonical)
    source = _clean(meta.source) or settings.default_source or domain or FALLBACK_SOURCE
    # An article without a URL keeps the id of its body before site-learned removal,
    # so a pattern learned between two runs never makes a rerun add it again.
    unlearned_hash = hashlib.sha256(body.encode("utf-8")).hexdigest()
    cleaned = settings.site_boilerplate.strip(body, source, after=cleaned.removed)
    body = cleaned.body
    words = word_count(body)
    if (reject := _too_little(parsed.locator, cleaned, words, source, settings)) is not None:
        return reject
    content_hash = hashlib.sha256(body.encode("utf-8")).hexdigest()
    published = parse_timestamp(meta.published)
    modified = parse_timestamp(meta.modified)
    return Article(
        article_id=make_article_id(canonical, source, unlearned_hash),
        url=_clean(meta.url) or canonical,
        canonical_url=canonical,
        source=source,
        domain=domain,
        title=clean_title(meta.title, site_name=meta.site_name, domain=domain),
        authors=normalise_authors(meta.authors),
        published_at=published.utc if published else None,
        published_utc_offset=published.utc_offset_minutes if published else None,
        modified_at=modified.utc if modified else None,
        language=detect_language(body, meta.language),
        description=_clean(meta.description),
        section=_clean(meta.section),
        tags=_tags(meta),
        image_url=_clean(meta.image_url),
        site_name=_clean(meta.site_name),
        body=body,
        word_count=words,
        content_hash=content_hash,
        extracted_hash=unlearned_hash,
        boilerplate_removed=cleaned.removed,
        extraction_method=str(parsed.extraction_method),
        locator=parsed.locator,
        ingested_at=ingested_at,
        run_id=run_id,
    )


def _too_little(
    locator: str, cleaned: Cleaned, words: int, source: str, settings: CleanSettings
) -> Reject | None:
    """A reject when cleaning left no text, or fewer words than `settings.min_words`."""
    if not cleaned.body:
        detail = "body empty after boilerplate removal" if cleaned.removed else "no text"
        return Reject(locator, RejectReason.EMPTY_BODY, detail, source)
    if words < settings.min_words:
        return Reject(
            locator,
            RejectReason.TOO_SHORT,
            f"{words} words, fewer than the minimum {settings.min_words}",
            source,
        )
    return None


def _clean(value: str | None) -> str | None:
    return normalise_line(value) or None if value else None


def _tags(meta: Metadata) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for tag in meta.tags:
        name = normalise_line(tag)
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return tuple(seen.values())
