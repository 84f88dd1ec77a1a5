"""Local files -> articles and rejects: the `files` source.

- `listing`: which files a run reads (`list_inputs`), sidecars left out.
- `read`: one file, or a byte range of one, into articles and rejects.
- `sidecar`: the JSON metadata beside a document, and what is no sidecar.
- `streams`: a file's kind by suffix, gunzipping, what a failed read says.

The public names below are imported on first use (PEP 562), as in `extractors`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractors.lazy import lazy_exports

if TYPE_CHECKING:
    from extractors.files.listing import list_inputs
    from extractors.files.read import MAX_DOCUMENT_BYTES, read_file, read_part
    from extractors.files.streams import SUFFIXES

__all__ = ["MAX_DOCUMENT_BYTES", "SUFFIXES", "list_inputs", "read_file", "read_part"]

# The module that defines each public name (the imports above, for the type checker).
_HOMES = {
    "extractors.files.listing": ("list_inputs",),
    "extractors.files.read": ("MAX_DOCUMENT_BYTES", "read_file", "read_part"),
    "extractors.files.streams": ("SUFFIXES",),
}
if not TYPE_CHECKING:  # hidden from mypy, so a misspelt import is still an error
    __getattr__, __dir__ = lazy_exports(globals(), _HOMES)
