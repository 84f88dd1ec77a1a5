"""A labelled extraction-dev page of the shared corpus, extracted as the pipeline does."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from extractors.html import extract_html
from extractors.records import Metadata, ParsedArticle

DEV = Path("extraction-dev")


def plain_and_full(corpus: Path, key: str) -> tuple[ParsedArticle, ParsedArticle]:
    """The page extracted without the fallbacks and trims (trafilatura's own lines), and with."""
    truth = json.loads((corpus / DEV / "ground-truth.json").read_text("utf-8"))[key]
    html = gzip.decompress((corpus / DEV / "html" / f"{key}.html.gz").read_bytes())
    hints = Metadata(url=truth["url"])
    plain = extract_html(html, locator=key, hints=hints, fallbacks=False)
    full = extract_html(html, locator=key, hints=hints)
    assert isinstance(plain, ParsedArticle) and isinstance(full, ParsedArticle)
    return plain, full
