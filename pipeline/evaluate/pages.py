"""The labelled pages and the tune/validation split of them.

Issue 14, "An honest measure first": `pipeline/eval_split.tsv` (written by
`bench/make_eval_split.py`) names, for every page of `extraction-dev`, its site
(the registrable domain) and its half. Rules, thresholds and models are tuned
on the tune half; the validation half reports what they are worth on sites
nobody tuned on, and the CI gate scores it. No site is in both halves, so a
rule written for one site's furniture cannot score on that site twice.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

__all__ = [
    "DEV_SET",
    "SPLIT_FILE",
    "Half",
    "LabelledPage",
    "SplitEntry",
    "labelled_folder",
    "load_pages",
    "load_split",
    "page_key",
]

DEV_SET = "extraction-dev"
SPLIT_FILE = Path(__file__).resolve().parents[1] / "eval_split.tsv"
_SUFFIX = ".html.gz"


class Half(StrEnum):
    """The two halves of the labelled set."""

    TUNE = "tune"  # rules, thresholds and models are tuned here
    VALIDATION = "validation"  # reported and gated here, never tuned on


@dataclass(frozen=True, slots=True)
class LabelledPage:
    """One page of the labelled set: its HTML, the true body and the snippet labels."""

    name: str  # file name under html/
    url: str
    html: bytes
    body: str
    with_: tuple[str, ...]
    without: tuple[str, ...]
    site: str = ""  # registrable domain, from the split ("" for a page the split lacks)


@dataclass(frozen=True, slots=True)
class SplitEntry:
    """Where one page stands in the split."""

    site: str
    half: Half


def page_key(name: str) -> str:
    """The ground-truth key of a page file name (`wcxb-dev-0001.html.gz` -> `wcxb-dev-0001`)."""
    return name.removesuffix(_SUFFIX)


def load_split(path: Path = SPLIT_FILE) -> dict[str, SplitEntry]:
    """The split file as page key -> site and half; `#` lines are comments."""
    split: dict[str, SplitEntry] = {}
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or fields[2] not in set(Half):
            raise ValueError(
                f"{path.name} line {number}: expected 'page<TAB>site<TAB>tune|validation',"
                f" got {line!r}; write the file again with bench/make_eval_split.py"
            )
        split[fields[0]] = SplitEntry(site=fields[1], half=Half(fields[2]))
    return split


def labelled_folder(path: Path) -> Path:
    """The folder holding `ground-truth.json`: `path` itself or its `extraction-dev/`."""
    for folder in (path, path / DEV_SET):
        if (folder / "ground-truth.json").is_file():
            return folder
    raise FileNotFoundError(
        f"no ground-truth.json in {path} or {path / DEV_SET}; pass the shared corpus folder"
        " (or its extraction-dev/ folder) with --corpus, or set NEWS_ETL_CORPUS"
    )


def load_pages(
    folder: Path, limit: int | None = None, *, half: Half | None = None
) -> Iterator[LabelledPage]:
    """Labelled pages in file-name order (the first `limit`), decompressed one at a time.

    With `half`, only that half's pages (the first `limit` of them); every
    page must then be in the split, else the split is stale and this says so.
    """
    truth: dict[str, dict[str, Any]] = json.loads((folder / "ground-truth.json").read_text("utf-8"))
    split = load_split()
    keys = sorted(truth)
    if half is not None:
        missing = [key for key in keys if key not in split]
        if missing:
            raise ValueError(
                f"{len(missing)} pages of {folder} are not in {SPLIT_FILE.name} (first:"
                f" {missing[0]}); write the split again with bench/make_eval_split.py"
            )
        keys = [key for key in keys if split[key].half == half]
    for key in keys[:limit]:
        entry = truth[key]
        path = folder / "html" / f"{key}{_SUFFIX}"
        yield LabelledPage(
            name=path.name,
            url=entry["url"],
            html=gzip.decompress(path.read_bytes()),
            body=entry["articleBody"],
            with_=tuple(entry.get("with", ())),
            without=tuple(entry.get("without", ())),
            site=split[key].site if key in split else "",
        )
