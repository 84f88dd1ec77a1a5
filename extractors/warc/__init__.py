"""Web archives (WARC and ARC files) -> articles and rejects, one record at a time.

- `reader`: the passes of warcio's iterator over a file or a byte range of one,
  and finding the next record after damage.
- `record`: one record's WARC headers checked, its HTTP head parsed, its block read.
- `page`: a document record's payload decoded and parsed into an article.
- `scan`: where a record starts (after damage, and at the start of a byte range).
- `damage`: what warcio, zlib and the file let out, sorted into reject reasons.
- `context`: what one read carries from record to record.

The public names below are imported on first use (PEP 562), as in `extractors`:
importing a submodule runs this file first, which would otherwise load warcio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractors.lazy import lazy_exports

if TYPE_CHECKING:
    from extractors.warc.context import MAX_PAYLOAD_BYTES, RawPayload
    from extractors.warc.reader import is_warc_name, iter_warc

__all__ = ["MAX_PAYLOAD_BYTES", "RawPayload", "is_warc_name", "iter_warc"]

# The module that defines each public name (the imports above, for the type checker).
_HOMES = {
    "extractors.warc.context": ("MAX_PAYLOAD_BYTES", "RawPayload"),
    "extractors.warc.reader": ("is_warc_name", "iter_warc"),
}
if not TYPE_CHECKING:  # hidden from mypy, so a misspelt import is still an error
    __getattr__, __dir__ = lazy_exports(globals(), _HOMES)
