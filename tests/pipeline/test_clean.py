"""The whole core pipeline on hostile real input: nothing crashes, nothing disappears."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractors.records import Reject, RejectReason
from pipeline.clean import clean_files
from tests.support.articles import INGESTED
from transforms.article import Article, CleanSettings

_RECORD_SUFFIX = re.compile(r"#(?:line|row)=\d+$")

# Corpus folders of material that is not a clean article, and the suffix
# each file is presented with, so every reader meets it.
HOSTILE = [
    ("encodings", ".html"),
    ("compression", ".html"),
    ("compression", ".txt.gz"),
    ("xml-attacks", ".html"),
    ("warc", ".txt"),
    ("warc", ".jsonl.gz"),
    ("json", ".jsonl"),
    ("json", ".csv"),
]


def _clean(paths: list[Path]) -> list[Article | Reject]:
    return list(clean_files(paths, settings=CleanSettings(), run_id="test", ingested_at=INGESTED))


# The gzip bomb as text inflates to 11.5 MB read whole (about 10 s): `make test` only.
SLOW = {("compression", ".txt.gz")}


@pytest.mark.parametrize(
    ("folder", "suffix"),
    [pytest.param(f, s, marks=[pytest.mark.slow] if (f, s) in SLOW else []) for f, s in HOSTILE],
    ids=[f"{f}{s}" for f, s in HOSTILE],
)
def test_hostile_input_is_accounted_for(
    corpus: Path, tmp_path: Path, folder: str, suffix: str
) -> None:
    """Every hostile file yields articles or rejects with a known reason, never an exception."""
    sources = sorted(p for p in (corpus / folder).rglob("*") if p.is_file())
    assert sources, f"no files under corpus/{folder}"
    paths = []
    for n, source in enumerate(sources):
        target = tmp_path / f"{n:04d}-{source.name.replace('.', '_')}{suffix}"
        shutil.copyfile(source, target)
        paths.append(target)
    results = _clean(paths)
    locators = Counter(_RECORD_SUFFIX.sub("", r.locator) for r in results)
    assert set(locators) == {str(p) for p in paths}, "a file vanished without a trace"
    for result in results:
        if isinstance(result, Reject):
            assert result.reason in RejectReason
            assert result.reason is not RejectReason.PROCESSING_ERROR, result.detail
            assert result.detail
        else:
            assert result.body and result.word_count >= CleanSettings().min_words


def test_seed_through_pipeline(seed_path: Path) -> None:
    """The seed becomes one article whose body is the seed minus its two footer lines."""
    [article] = _clean([seed_path])
    assert isinstance(article, Article)
    lines = seed_path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    assert article.body == "\n".join(lines[:-2]).strip()
    assert [r.text for r in article.boilerplate_removed] == lines[-2:]
    assert article.title is None
    assert article.language == "en"
    assert article.source == "local"


@pytest.mark.parametrize("label", [None, "https://data.example/crawl/page.html"])
def test_a_reader_bug_is_located_as_the_rows_are(
    seed_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, label: str | None
) -> None:
    """A bug while reading costs that file one PROCESSING_ERROR reject, located by the
    name its rows would carry: the URL for a local copy of a remote input."""
    from extractors.parts import FilePart
    from pipeline import clean as pipeline

    page = tmp_path / "page.txt"
    shutil.copyfile(seed_path, page)

    def broken_reader(*args: object, **kwargs: object) -> Iterator[Reject]:
        raise RuntimeError("reader bug")
        yield  # a generator, as the real reader is

    monkeypatch.setattr(pipeline, "read_part", broken_reader)
    batch = pipeline.clean_parts(
        [FilePart(page, label=label)], settings=CleanSettings(), run_id="t", ingested_at=INGESTED
    )
    [reject] = batch.rejects
    assert reject.reason == RejectReason.PROCESSING_ERROR
    assert reject.locator == (label or str(page))


def test_tasks_return_one_signature_per_distinct_body(corpus: Path) -> None:
    """With similarity settings, a batch carries the MinHash signature of each distinct body."""
    from extractors.parts import plan_parts
    from pipeline.clean import clean_parts
    from transforms.similarity import DEFAULT_SIMILARITY, signature

    pages = sorted((corpus / "html/adbar__trafilatura/eval").glob("*.html"))[:4]
    parts = plan_parts(pages, split_bytes=2**30)
    batch = clean_parts(
        parts,
        settings=CleanSettings(),
        run_id="r",
        ingested_at=INGESTED,
        similarity=DEFAULT_SIMILARITY,
    )
    assert batch.articles
    assert set(batch.signatures) == {a.content_hash for a in batch.articles}
    for article in batch.articles:
        expected = signature(article.body, DEFAULT_SIMILARITY)
        assert (batch.signatures[article.content_hash] == expected).all()
