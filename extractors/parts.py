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
    files: Sequence[Path], *, split_bytes: int, labels: Mapping[Path, str] | None = None
) -> list[FilePart]:
    """Each file as one part, or, when larger than `split_bytes` and splittable, as ranges.

    Splittable: per-record-gzip web archives (`.warc.gz`, `.arc.gz`), cut at
    every `split_bytes` (each range finds its first record itself), and
    uncompressed `.jsonl` files, cut at the first line boundary after every
    `split_bytes` (found here in one pass that counts lines, at memchr speed).
    `labels` gives the URL of files that are local copies of remote inputs.
    """
    parts = [
        replace(part, label=(labels or {}).get(part.path))
        for part in _plan(files, split_bytes=split_bytes)
    ]
    return parts


def _plan(files: Sequence[Path], *, split_bytes: int) -> list[FilePart]:
    parts: list[FilePart] = []
    for path in files:
        try:
            size = path.stat().st_size
        except OSError:
            size = 0  # reading it gives the UNREADABLE reject
        if size <= split_bytes:
            parts.append(FilePart(path, size=size))
        elif path.name.lower().endswith((".warc.gz", ".arc.gz")):
            starts = list(range(0, size, split_bytes))
            ends: list[int | None] = [*starts[1:], None]
            parts += [
                FilePart(path, start, end, size=(end or size) - start)
                for start, end in zip(starts, ends, strict=True)
            ]
        elif path.suffix.lower() == ".jsonl" and not _gzipped(path):
            parts += _line_ranges(path, size, split_bytes)
        else:
            parts.append(FilePart(path, size=size))
    return parts


def _gzipped(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(2) == _GZIP_MAGIC
    except OSError:
        return False


def _line_ranges(path: Path, size: int, split_bytes: int) -> list[FilePart]:
    """Ranges of about `split_bytes` ending just after a newline, with their first line numbers."""
    cuts: list[tuple[int, int]] = [(0, 1)]  # (offset, number of the line starting there)
    lines = 0  # newlines before `position`
    position = 0
    target = split_bytes
    try:
        with path.open("rb") as file:
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
