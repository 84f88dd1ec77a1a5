"""Write `pipeline/eval_split.tsv`: extraction-dev split into a tune and a validation half.

Issue 14, "An honest measure first": rules, thresholds and models are tuned on
the tune half only and reported on the validation half. Pages are grouped by
site (the registrable domain, from the public-suffix list bundled with `tld`,
a dependency of trafilatura's `courlan`) so no site is in both halves. A site's
half is the parity of the first byte of its name's SHA-256: fixed, independent
of the order or number of pages, and reproducible by running this script again.

Usage: python bench/make_eval_split.py [--corpus PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from urllib.parse import urlsplit

from tld import get_fld
from warc_throughput import _default_corpus  # sibling script module

OUT = Path(__file__).resolve().parents[1] / "pipeline" / "eval_split.tsv"
HEADER = "# page\tsite\thalf  (made by bench/make_eval_split.py; issue 14)\n"


def site(key: str, url: str | None) -> str:
    """The registrable domain of `url`: its host when the suffix list does not know it,
    and the page's own name when it has no URL (a site of its own)."""
    if not url:
        return f"no-url:{key}"
    return get_fld(url, fail_silently=True) or urlsplit(url).hostname or url


def half(name: str) -> str:
    return "validation" if hashlib.sha256(name.encode()).digest()[0] % 2 else "tune"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=_default_corpus())
    args = parser.parse_args()
    truth = json.loads((args.corpus / "extraction-dev" / "ground-truth.json").read_text("utf-8"))
    rows = [(key, site(key, entry.get("url"))) for key, entry in sorted(truth.items())]
    OUT.write_text(HEADER + "".join(f"{k}\t{s}\t{half(s)}\n" for k, s in rows), "utf-8")
    counts = {h: sum(half(s) == h for _, s in rows) for h in ("tune", "validation")}
    print(f"{len(rows)} pages, {len({s for _, s in rows})} sites -> {OUT.name}: {counts}")


if __name__ == "__main__":
    main()
