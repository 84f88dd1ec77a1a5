"""Page-level wrong-region detection over trafilatura's body (issue 14 part 3).

Not shipped: no variant gains on the tune half. Kept so the figures can be
printed again. Reads `bench/precision_data.py`'s cache. trafilatura
sometimes keeps the wrong region of a page (comments, a sidebar, a teaser
list). Four ways to notice it, each taking another body only on evidence,
never for length:

- `witnessed`: at least `extra` of trafilatura's body is missing from
  resiliparse's main content while resiliparse and readability agree with
  each other (`agree`, the share of the smaller one's shingles the other
  has); only trafilatura's lines those two witness are kept;
- `mutual`: `witnessed`, but neither witness may hold under 0.3 of the
  body's shingles (a stub "agrees" with anything it is part of) and their
  agreement is measured against the larger one;
- `description`: trafilatura's body holds under 0.2 of the page's
  og:description (8 words or more) and another extractor holds at least
  `cover` of it; that extractor's body is taken when another one (or the
  JSON-LD body) backs half of what it adds;
- `declared`: the page's JSON-LD `articleBody` holds under `overlap` of
  trafilatura's body and resiliparse backs half of what it adds;
- `links`: over `share` of trafilatura's words sit in link-dense blocks
  (link density > 0.5); the first other extractor whose addition is backed
  is taken.

    .venv/bin/python bench/precision_region.py --cache FILE [--validation]

`--validation` prints the configurations named in `CHOSEN` (the best of
each family on tune) on the validation half, to report only. Printed on
2026-12-07 (pipeline F1, its change against today's pipeline, pages more
than 0.10 F1 below trafilatura, pages changed):

    tune, today's pipeline             F1 0.9415 P 0.9366 R 0.9464     0
    witnessed extra 0.2 agree 0.9      F1 0.9365 (-0.0050) P -0.0013   6   9
    witnessed extra 0.5 agree 0.9      F1 0.9359 (-0.0056) P -0.0038   4   4
    mutual extra 0.2 agree 0.6         F1 0.9425 (+0.0010) P +0.0027   1   5
    mutual extra 0.2 agree 0.8         F1 0.9423 (+0.0008) P +0.0023   1   3
    mutual extra 0.3 agree 0.6 / 0.8   F1 0.9420 (+0.0005) P +0.0018   1   2
    description cover 0.5              F1 0.9369 (-0.0046) P -0.0050   4  15
    description cover 0.8              F1 0.9363 (-0.0052) P -0.0050   4  13
    declared overlap 0.3 / 0.5         unchanged                       0   0
    links share 0.3 / 0.5              unchanged                       0   0
    validation, today's pipeline       F1 0.9366 P 0.9318 R 0.9415     0
    witnessed extra 0.2 agree 0.9      F1 0.9347 (-0.0019) P +0.0005   4   7
    mutual extra 0.2 agree 0.6         F1 0.9364 (-0.0002) P +0.0011   2   4
    description cover 0.8              F1 0.9358 (-0.0008) P -0.0022   2  16

The og:description is mostly a standfirst that resiliparse keeps and the
labels do not, so an extractor that holds it is no better witness of the
article; where resiliparse and readability agree on another region, that
region is as often the wrong one: `mutual` gains on tune through one page
(glossier.com, +0.57) and loses a whole checklist both witnesses drop on
another (-0.15); on validation two of its four pages lose more than 0.10.
On 6 of the 11 tune pages with page F1 under 0.6, resiliparse, readability
or jusText is far better (0.8-1.0), but none of this evidence singles those
pages out from pages where trafilatura was right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from precision_common import arguments, baseline, cleaned, halves, report
from precision_data import PageData, load_cache
from precision_lines import _COLUMN, agreement

from extractors.evidence import MIN_SUPPORT, added_support, shingles
from pipeline.quality import PageScore, score_page

Body = Callable[[PageData], str | None]
_OTHERS = ("resiliparse", "readability", "justext")


def _coverage(text: str, reference: str) -> float:
    """The share of `reference`'s shingles that `text` holds (0 when it has none)."""
    ref = shingles(reference)
    return len(ref & shingles(text)) / len(ref) if ref else 0.0


def _today(page: PageData) -> str | None:
    return page.body_now or None


def witnessed(extra: float, agree: float, stub: float = 0.0, mutual: bool = False) -> Body:
    """Keep the lines two witnesses hold when they agree on a region trafilatura mostly lacks.

    `stub`: each witness must hold at least this share of the body's
    shingle count; `mutual`: agreement is measured against the larger
    witness, not the smaller (the `mutual` family).
    """

    def body(page: PageData) -> str | None:
        if page.method_now != "trafilatura":
            return _today(page)
        own, resili, read = (shingles(t) for t in (page.body_now, page.resiliparse,
                                                   page.readability))  # fmt: skip
        if not own or not resili or not read or min(len(resili), len(read)) < stub * len(own):
            return _today(page)
        if len(own & resili) / len(own) > 1 - extra:
            return _today(page)
        size = max if mutual else min
        if len(resili & read) / size(len(resili), len(read)) < agree:
            return _today(page)
        lines = page.body_now.split("\n\n")
        shares = agreement(lines, page.resiliparse + "\n" + page.readability)
        kept = [line for line, share in zip(lines, shares, strict=True) if share >= 0.5]
        return "\n\n".join(kept) or _today(page)

    return body


def mutual(extra: float, agree: float) -> Body:
    """`witnessed`, but neither witness a stub and their agreement mutual.

    A witness of a few lines "agrees" with anything it is part of: the first
    version's losses on tune were pages where resiliparse or readability
    kept 3 to 100 shingles of a 1,500-shingle body.
    """
    return witnessed(extra, agree, stub=0.3, mutual=True)


def _backed(page: PageData, name: str) -> bool:
    others = [getattr(page, other) for other in _OTHERS if other != name]
    candidate = getattr(page, name)
    return added_support(candidate, page.body_now, [*others, page.declared]).share >= MIN_SUPPORT


def description(min_cover: float) -> Body:
    def body(page: PageData) -> str | None:
        if page.method_now != "trafilatura" or len(page.description.split()) < 8:
            return _today(page)
        if _coverage(page.body_now, page.description) >= 0.2:
            return _today(page)
        for name in _OTHERS:
            text = getattr(page, name)
            if _coverage(text, page.description) >= min_cover and _backed(page, name):
                return str(text)
        return _today(page)

    return body


def declared(overlap: float) -> Body:
    def body(page: PageData) -> str | None:
        if page.method_now != "trafilatura" or len(page.declared.split()) < 50:
            return _today(page)
        if _coverage(page.declared, page.body_now) >= overlap:
            return _today(page)
        support = added_support(page.declared, page.body_now, [page.resiliparse])
        return page.declared if support.share >= MIN_SUPPORT else _today(page)

    return body


def links(share: float) -> Body:
    def body(page: PageData) -> str | None:
        lines = page.body_now.split("\n\n")
        if page.method_now != "trafilatura" or not page.features:
            return _today(page)
        words = [len(line.split()) for line in lines]
        linked = sum(w for w, row in zip(words, page.features, strict=False)
                     if row[_COLUMN["link_density"]] > 0.5)  # fmt: skip
        if linked < share * sum(words):
            return _today(page)
        for name in _OTHERS:
            if len(getattr(page, name).split()) >= 50 and _backed(page, name):
                return str(getattr(page, name))
        return _today(page)

    return body


VARIANTS: dict[str, Body] = {
    "witnessed extra 0.2 agree 0.9": witnessed(0.2, 0.9),
    "witnessed extra 0.5 agree 0.9": witnessed(0.5, 0.9),
    "mutual extra 0.2 agree 0.6": mutual(0.2, 0.6),
    "mutual extra 0.2 agree 0.8": mutual(0.2, 0.8),
    "mutual extra 0.3 agree 0.6": mutual(0.3, 0.6),
    "mutual extra 0.3 agree 0.8": mutual(0.3, 0.8),
    "description cover 0.5": description(0.5),
    "description cover 0.8": description(0.8),
    "declared overlap 0.3": declared(0.3),
    "declared overlap 0.5": declared(0.5),
    "links share 0.3": links(0.3),
    "links share 0.5": links(0.5),
}
# Chosen on tune (the best of each family; none beat today's pipeline there).
CHOSEN = ("witnessed extra 0.2 agree 0.9", "mutual extra 0.2 agree 0.6", "description cover 0.8",
          "declared overlap 0.3", "links share 0.5")  # fmt: skip
_TODAY: dict[str, PageScore] = {}


def _score(page: PageData, body: str | None) -> PageScore:
    """The page's score for `body`; today's body is scored once (most pages keep it)."""
    if body == _today(page):
        if page.name not in _TODAY:
            _TODAY[page.name] = score_page(cleaned(page, body), page.truth)
        return _TODAY[page.name]
    return score_page(cleaned(page, body), page.truth)


def run(pages: Sequence[PageData], label: str, variant: Body) -> str:
    bodies = {p.name: variant(p) for p in pages}
    taken = sum(1 for p in pages if bodies[p.name] != _today(p))
    scores = {p.name: _score(p, bodies[p.name]) for p in pages}
    return report(label, scores, baseline(pages)) + f" | pages changed {taken}"


def main() -> None:
    args = arguments(__doc__).parse_args()
    half = "validation" if args.validation else "tune"
    pages = halves(load_cache(args.cache))[half]
    print(f"{half} half:")
    print(run(pages, "pipeline today", _today))
    for name in CHOSEN if args.validation else tuple(VARIANTS):
        print(run(pages, name, VARIANTS[name]))


if __name__ == "__main__":
    main()
