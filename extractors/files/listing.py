"""Which files a run reads: every file under the given paths, in one spelling, sidecars left out.

Only a path that does not exist is the caller's error, raised here before any
work; everything else that can go wrong with a file becomes its reject later.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from extractors.files.sidecar import is_sidecar

__all__ = ["list_inputs"]


def list_inputs(paths: Sequence[Path]) -> list[Path]:
    """The files to read under `paths`, sorted; hidden entries and sidecars left out.

    Paths come back in one spelling (relative to the working directory when
    under it, else absolute), so `samples`, `./samples` and its absolute path
    give the same locators, and a rerun recognises its rejects. A broken
    symlink or an unreadable folder is listed too, so that reading it gives an
    UNREADABLE reject instead of silence. A file named explicitly is kept even
    if hidden. Raises `FileNotFoundError` for a path that does not exist: a
    usage error, not a bad document.
    """
    found: set[Path] = set()
    for path in paths:
        if path.is_file():
            found.add(_spelled(path))
        elif path.is_dir():
            found.update(_spelled(p) for p in _walk(path))
        else:
            raise FileNotFoundError(
                f"input path {str(path)!r} does not exist; check the spelling or create it"
            )
    return sorted(file for file in found if not is_sidecar(file))


def _walk(root: Path) -> Iterator[Path]:
    """Files under `root` in a stable order, hidden ones left out; unreadable folders last."""
    unreadable: list[Path] = []

    def note(error: OSError) -> None:
        unreadable.append(Path(error.filename))

    for folder, dirs, files in os.walk(root, onerror=note):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            path = Path(folder, name)
            if not name.startswith(".") and (path.is_file() or path.is_symlink()):
                yield path
    yield from unreadable


def _spelled(path: Path) -> Path:
    """One spelling per file: relative to the working directory when under it, else absolute."""
    # abspath, not resolve(): a symlink keeps its own name (and a broken one its path)
    absolute = Path(os.path.abspath(path))  # noqa: PTH100
    try:
        return absolute.relative_to(Path.cwd())
    except ValueError:
        return absolute
