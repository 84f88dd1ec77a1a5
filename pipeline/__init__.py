"""Input files or fetched pages -> Articles and Rejects: read, extract, clean, and its measure.

The orchestration between the layers below: `extractors` read and parse a
document, `transforms` turn one parsed document into an Article or a Reject;
this package drives the two over a batch of files or parts and never lets a
bad document cost more than itself (`clean`). `evaluate` and `quality` score
the result against labelled pages. It writes nothing: the flows hand its
batches to the warehouse, so the same batch can be cleaned in a thread, a
worker process or a Dask worker.

The public names below are imported on first use (PEP 562), as in the other
packages, so `import pipeline` does not load trafilatura.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractors.lazy import lazy_exports

if TYPE_CHECKING:
    from pipeline.clean import CleanedBatch, clean_document, clean_files, clean_parts

__all__ = ["CleanedBatch", "clean_document", "clean_files", "clean_parts"]

# The module that defines each public name (the imports above, for the type checker).
_HOMES = {"pipeline.clean": ("CleanedBatch", "clean_document", "clean_files", "clean_parts")}
if not TYPE_CHECKING:  # hidden from mypy, so a misspelt import is still an error
    __getattr__, __dir__ = lazy_exports(globals(), _HOMES)
