"""Input files as parts: a whole file, or a byte range of a large one, for one task each.

`plan_parts` cuts a large per-record-gzip web archive into byte ranges, and a
large uncompressed JSONL file into byte ranges on line boundaries (with the
number of the first line, so locators are those of a whole-file read), so
that separate workers read one file and none holds all of it. Gzipped JSONL
and CSV files cannot be cut without reading them (a gzip stream has no
random access; a quoted CSV field may span lines, and rows are numbered
from the header), so each is one part however large; so is an uncompressed
WARC, where a payload quoting a record header could pass for a record start.
`extractors.files.read_part` reads a part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = ["FilePart", "RangeStream", "plan_parts"]

_GZIP_MAGIC = b"\x1f\x8b"
_SCAN_BLOCK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FilePart:
    """A whole input file, or the bytes [start, end) of one; the unit a worker reads.

    `first_line` is the number of the line at `start` (JSONL ranges), so
    a part's locators are those of a whole-file read. `label` names the file
    in locators when it is a local copy of a remote input (its URL).
    """

    path: Path
    start: int = 0
    end: int | None = None
    first_line: int = 1
    size: int = 0  # bytes of input this part covers, for grouping parts into batches
    label: str | None = None

    @property
    def name(self) -> str:
        """The file as locators spell it: its URL for a remote input, else its path."""
        return self.label or str(self.path)

    @property
    def whole(self) -> bool:
        return self.start == 0 and self.end is None

    @property
    def last(self) -> bool:
        """True for the part that finishes its file."""
        return self.end is None


def plan_parts(
    files: Sequence[Path],
    *,
    split_bytes: int,
    labels: Mapping[Path, str] | None = None,
    resume: Mapping[Path, tuple[int, int]] | None = None,
) -> list[FilePart]:
    """Each file as one part, or, when larger than `split_bytes` and splittable, as ranges.

    Splittable: per-record-gzip web archives (`.warc.gz`, `.arc.gz`), cut at
    every `split_bytes` (each range finds its first record itself), and
    uncompressed `.jsonl` files, cut at the first line boundary after every
    `split_bytes` (found here in one pass that counts lines, at memchr speed).
    `labels` gives the URL of files that are local copies of remote inputs.
    `resume` maps a splittable file to (offset, number of the line there) when
    an earlier run committed everything before that offset: only the rest is
    planned (a range starting there reads the records or lines that start at
    or after it, as any range does).
    """
    parts = [
        replace(part, label=(labels or {}).get(part.path))
        for path in files
        for part in _plan(path, split_bytes, (resume or {}).get(path, (0, 1)))
    ]
    return parts


def _plan(path: Path, split_bytes: int, resume: tuple[int, int]) -> list[FilePart]:
    start, first_line = resume
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # reading it gives the UNREADABLE reject
    if size - start <= split_bytes and not start:
        return [FilePart(path, size=size)]
    if path.name.lower().endswith((".warc.gz", ".arc.gz")):
        starts = list(range(start, size, split_bytes))
        ends: list[int | None] = [*starts[1:], None]
        return [
            FilePart(path, begin, end, size=(end or size) - begin)
            for begin, end in zip(starts, ends, strict=True)
        ]
    if path.suffix.lower() == ".jsonl" and not _gzipped(path):
        return _line_ranges(path, size, split_bytes, (start, first_line))
    return [FilePart(path, size=size)]


def _gzipped(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(2) == _GZIP_MAGIC
    except OSError:
        return False


def _line_ranges(
    path: Path, size: int, split_bytes: int, first: tuple[int, int] = (0, 1)
) -> list[FilePart]:
    """Ranges of about `split_bytes` ending just after a newline, with their first line
    numbers, from `first` (an offset at a line start, and that line's number)."""
    cuts: list[tuple[int, int]] = [first]  # (offset, number of the line starting there)
    lines = first[1] - 1  # newlines before `position`
    position = first[0]
    target = position + split_bytes
    try:
        with path.open("rb") as file:
            file.seek(position)
            while block := file.read(_SCAN_BLOCK):
                search = max(0, target - position)
                while search < len(block):
                    newline = block.find(b"\n", search)
                    if newline < 0 or position + newline + 1 >= size:
                        break
                    cut = position + newline + 1
                    cuts.append((cut, lines + block.count(b"\n", 0, newline + 1) + 1))
                    target = cut + split_bytes
                    search = target - position
                lines += block.count(b"\n")
                position += len(block)
    except OSError:
        return [FilePart(path, size=size)]
    bounds: list[int | None] = [cut for cut, _ in cuts[1:]] + [None]
    return [
        FilePart(path, start, end, first_line=line, size=(end or size) - start)
        for (start, line), end in zip(cuts, bounds, strict=True)
    ]


class RangeStream:
    """The bytes [start, end) of a file, read as a stream that ends at `end`."""

    def __init__(self, stack: ExitStack, path: Path, part: FilePart) -> None:
        self._file = stack.enter_context(path.open("rb"))
        self._file.seek(part.start)
        self._left = -1 if part.end is None else part.end - part.start

    def _allowed(self, size: int | None) -> int:
        if self._left < 0:
            return -1 if size is None else size
        return self._left if size is None or size < 0 else min(size, self._left)

    def read(self, size: int = -1, /) -> bytes:
        data = self._file.read(self._allowed(size))
        self._left -= len(data) if self._left >= 0 else 0
        return data

    def readline(self, size: int | None = -1, /) -> bytes:
        if self._left == 0:
            return b""
        line = self._file.readline(self._allowed(size))
        self._left -= len(line) if self._left >= 0 else 0
        return line
