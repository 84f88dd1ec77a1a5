"""flows.batches.plan_batches: small files grouped by count and bytes, each range alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.parts import FilePart
from flows.batches import plan_batches


def _whole(name: str, size: int) -> FilePart:
    return FilePart(Path(name), size=size)


@pytest.mark.parametrize(
    ("sizes", "batch_size", "split_bytes", "expected"),
    [
        ([10, 10, 10, 10, 10], 2, 1000, [2, 2, 1]),  # capped by files
        ([400, 400, 400, 100], 100, 1000, [2, 2]),  # capped by bytes
        ([5000, 10, 10], 100, 1000, [1, 2]),  # a file over the cap is a batch of its own
        ([], 100, 1000, []),
    ],
)
def test_small_files_are_grouped_by_count_and_bytes(
    sizes: list[int], batch_size: int, split_bytes: int, expected: list[int]
) -> None:
    """Files join a batch until it holds `batch_size` files or would pass `split_bytes`."""
    parts = [_whole(f"f{n}.html", size) for n, size in enumerate(sizes)]
    batches = plan_batches(parts, batch_size, split_bytes)
    assert [len(batch) for batch in batches] == expected
    assert [part for batch in batches for part in batch] == parts


def test_each_range_is_a_batch_of_its_own() -> None:
    """Ranges of a large file never share a batch, and the files around them keep their order."""
    ranges = [FilePart(Path("big.warc.gz"), s, e, size=100) for s, e in [(0, 100), (100, None)]]
    parts = [_whole("a.txt", 1), *ranges, _whole("b.txt", 1)]
    assert plan_batches(parts, 100, 1000) == [(parts[0],), (ranges[0],), (ranges[1],), (parts[3],)]
