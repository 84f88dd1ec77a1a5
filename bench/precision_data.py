"""Per-page material for the issue-14 precision experiments, cached once.

For every labelled page of extraction-dev (both halves; the half is kept
with it so that training and tuning can read the tune half only) this
records: trafilatura's own answer (`extract`, no comments), the pipeline's
extraction without fallbacks, trafilatura's body lines with their
structural features (`bench/precision_lines.py`), and the other opinions
(JSON-LD `articleBody`, the meta description, readability, jusText,
resiliparse, trafilatura with `favor_recall`).

    .venv/bin/python bench/precision_data.py [--corpus DIR] [--cache FILE] [--limit N]

The other `bench/precision_*.py` scripts read the cache.
"""

from __future__ import annotations

import argparse
import csv
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
import trafilatura  # noqa: E402
from precision_lines import structural_features  # noqa: E402

from extractors.decoding import decode  # noqa: E402
from extractors.fallback import _justext, _readability  # noqa: E402
from extractors.html import extract_html  # noqa: E402
from extractors.htmlparse import lxml_section, parse_html  # noqa: E402
from extractors.jsonld import article_body_from_jsonld, article_metadata_from_jsonld  # noqa: E402
from extractors.metatags import metadata_from_meta_tags  # noqa: E402
from extractors.records import Metadata, ParsedArticle  # noqa: E402
from extractors.resili import resiliparse_text  # noqa: E402
from pipeline.evaluate import LabelledPage, labelled_folder, load_pages  # noqa: E402

SPLIT = REPO / "pipeline" / "eval_split.tsv"


def default_cache() -> Path:
    return Path(tempfile.gettempdir()) / "news-etl-precision-cache.pkl"


@dataclass
class PageData:
    name: str
    half: str
    site: str
    url: str
    truth: str
    trafilatura: str  # trafilatura.extract(include_comments=False)
    parsed: ParsedArticle | None  # extract_html without fallbacks
    method_now: str  # the extraction method with today's fallbacks
    body_now: str  # extract_html's body with today's fallbacks
    lines: list[str]
    features: list[list[float]]
    declared: str
    description: str
    readability: str
    justext: str
    resiliparse: str = ""
    body_unrestored: str = ""  # body_now without the lines `extractors.skipped` puts back
    favor_recall: str = ""  # trafilatura.extract(include_comments=False, favor_recall=True)


def read_split() -> dict[str, tuple[str, str]]:
    with SPLIT.open(encoding="utf-8") as handle:
        rows = csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return {row[0]: (row[1], row[2]) for row in rows if row}


def page_data(page: LabelledPage, split: dict[str, tuple[str, str]]) -> PageData:
    key = page.name.removesuffix(".html.gz").removesuffix(".html")
    site, half = split[key]
    hints = Metadata(url=page.url)
    plain = extract_html(page.html, locator=key, hints=hints, fallbacks=False)
    now = extract_html(page.html, locator=key, hints=hints)
    unrestored = extract_html(page.html, locator=key, hints=hints, restore_skipped=False)
    parsed = plain if isinstance(plain, ParsedArticle) else None
    lines = parsed.body.split("\n\n") if parsed else []
    text = decode(page.html)
    with lxml_section():
        tree = parse_html(text)
        meta = article_metadata_from_jsonld(tree).overridden_by(metadata_from_meta_tags(tree))
        features = structural_features(tree, lines) if lines else []
        declared = article_body_from_jsonld(tree) or ""
        other = [_safe(lambda: _readability(tree)), _safe(lambda: _justext(tree, meta.language))]
    return PageData(
        name=key, half=half, site=site, url=page.url, truth=page.body,
        trafilatura=trafilatura.extract(page.html, url=page.url, include_comments=False) or "",
        parsed=parsed,
        method_now=str(now.extraction_method) if isinstance(now, ParsedArticle) else "reject",
        body_now=now.body if isinstance(now, ParsedArticle) else "",
        lines=lines, features=features, declared=declared,
        description=meta.description or "", readability=other[0], justext=other[1],
        resiliparse=resiliparse_text(text),
        body_unrestored=unrestored.body if isinstance(unrestored, ParsedArticle) else "",
        favor_recall=trafilatura.extract(
            page.html, url=page.url, include_comments=False, favor_recall=True
        ) or "",
    )  # fmt: skip


def _safe(run: Callable[[], str]) -> str:
    try:
        return run()
    except Exception:  # the fallbacks raise assorted lxml errors on odd markup
        return ""


def load_cache(path: Path | None = None) -> list[PageData]:
    with (path or default_cache()).open("rb") as handle:
        return [PageData(**fields) for fields in pickle.load(handle)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("NEWS_ETL_CORPUS", "")))
    parser.add_argument("--cache", type=Path, default=default_cache())
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    split = read_split()
    started = time.process_time()
    out = [page_data(p, split) for p in load_pages(labelled_folder(args.corpus), args.limit)]
    with args.cache.open("wb") as handle:
        pickle.dump([vars(page) for page in out], handle)
    print(f"{len(out)} pages in {time.process_time() - started:.0f} s CPU -> {args.cache}")


if __name__ == "__main__":
    main()
