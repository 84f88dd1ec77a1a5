"""The tune/validation split of the labelled set, and loading one half of it."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from pipeline.evaluate import Half, labelled_folder, load_pages, load_split, page_key


def test_no_site_is_in_both_halves() -> None:
    """Grouped by site: every site's pages are all in one half."""
    halves: defaultdict[str, set[Half]] = defaultdict(set)
    for entry in load_split().values():
        halves[entry.site].add(entry.half)
    assert all(len(found) == 1 for found in halves.values())


def test_the_split_covers_the_dev_set(corpus: Path) -> None:
    """Every labelled page has a half, and the halves are the committed sizes (407 / 384)."""
    split = load_split()
    truth = json.loads((labelled_folder(corpus) / "ground-truth.json").read_text("utf-8"))
    assert set(split) == set(truth)
    sizes = {half: sum(e.half is half for e in split.values()) for half in Half}
    assert sizes == {Half.TUNE: 407, Half.VALIDATION: 384}


@pytest.mark.parametrize("half", list(Half))
def test_load_pages_keeps_one_half_and_names_its_sites(corpus: Path, half: Half) -> None:
    """With `half`, only that half's pages come, in file-name order, each with its site."""
    split = load_split()
    pages = list(load_pages(labelled_folder(corpus), 5, half=half))
    assert len(pages) == 5
    assert [p.name for p in pages] == sorted(p.name for p in pages)
    for page in pages:
        entry = split[page_key(page.name)]
        assert (entry.half, entry.site) == (half, page.site)


def test_a_page_missing_from_the_split_is_reported(tmp_path: Path) -> None:
    """A labelled set the split does not cover says to write the split again."""
    (tmp_path / "ground-truth.json").write_text(json.dumps({"not-in-split": {}}), "utf-8")
    with pytest.raises(ValueError, match="make_eval_split"):
        next(load_pages(tmp_path, half=Half.VALIDATION))


def test_a_malformed_split_line_is_reported(tmp_path: Path) -> None:
    """A split line without three tab-separated fields names its line number."""
    path = tmp_path / "split.tsv"
    path.write_text("# header\npage-1\tsite.org\ttune\npage-2 site.org tune\n", "utf-8")
    with pytest.raises(ValueError, match="line 3"):
        load_split(path)
