"""What a run did with its documents: one counts type for a write, a source and a run.

The writer returns the counts of each write; the flows add up writes, what
their readers passed over, and per-source parts with `+`; the run ledger
keeps one in its summary and the runs table stores it (`warehouse.runs`
flattens it into columns, in one place). Every record that shows counts
holds one of these instead of copying its fields.

Every document a run sees ends in exactly one place, the same for files
and for the web:

- `articles_written`: read, cleaned, and a new row of the articles table;
- `duplicates_skipped`: read and cleaned into an article whose row (same
  article id and body) is already in the table, or was written earlier in
  the run, so the writer skipped it. For the web, only fetched pages can be
  duplicates: a listed URL that is not fetched is `already_stored`;
- `rejects` (by reason): a reject row, new (`rejects_written`) or already
  logged by an earlier run;
- `already_stored`: passed over unread, because an earlier run committed its
  outcome (an input file or web-archive range already committed, a URL
  already stored, or one resting after a permanent failure).

So `documents_seen = articles_written + duplicates_skipped + rejects +
already_stored` once a run has committed what it read. `exact_duplicates`,
`near_duplicates` and `new_versions` count rows among `articles_written`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

__all__ = ["RunCounts"]


@dataclass(frozen=True, slots=True)
class RunCounts:
    """Counts of documents by where they ended (see the module docstring); add them with `+`."""

    documents_seen: int = 0
    already_stored: int = 0
    articles_written: int = 0
    duplicates_skipped: int = 0
    rejects_by_reason: Mapping[str, int] = field(default_factory=dict)
    rejects_written: int = 0  # of the rejects: rows new to the rejects table
    exact_duplicates: int = 0  # of articles_written: a body already stored under another URL
    near_duplicates: int = 0  # of articles_written: joined an earlier near-duplicate cluster
    new_versions: int = 0  # of articles_written: a changed body of a stored URL

    @property
    def rejects(self) -> int:
        return sum(self.rejects_by_reason.values())

    def __add__(self, other: RunCounts) -> RunCounts:
        reasons = Counter(self.rejects_by_reason)
        reasons.update(other.rejects_by_reason)
        added = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(self)
            if f.name != "rejects_by_reason"
        }
        return RunCounts(rejects_by_reason=dict(reasons), **added)
