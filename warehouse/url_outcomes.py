"""Fetch failures a web run leaves for the next: the `state/url_outcomes` table.

Issue 13: a URL rejected for a permanent reason (410, too large, not HTML)
was fetched again on every run, and one listed URL that timed out made the
next run drop its feed's validators and read the whole feed unconditionally.
This table keeps one row per listed URL whose last fetch failed transiently
or permanently (`extractors.web.transience` says which, from the reject's typed
fields): the next run retries the transient ones directly, without needing
their listing, and leaves the permanent ones alone for a rest period. A URL
fetched again loses its row, then gets a new one if it failed again.

Read at the start of a web run, replaced in one commit at its end,
before the validators: a run killed between the two leaves the failures
remembered and the validators old (the listings are read in full once
more); the other order could save a 304 for a feed whose failed URL nobody
remembers.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa

from extractors.records import DiscoveredUrl, FailureKind, Reject, RejectReason
from extractors.web.transience import failure_kind, with_failure_facts
from warehouse.convert import storable
from warehouse.delta import read, replace_all
from warehouse.errors import WarehouseReadError
from warehouse.layout import URL_OUTCOMES_TABLE, Warehouse
from warehouse.schema import URL_OUTCOMES, with_version

__all__ = ["UrlOutcome", "read_url_outcomes", "write_url_outcomes"]

_REMEMBERED = frozenset({FailureKind.TRANSIENT, FailureKind.PERMANENT})


@dataclass(frozen=True, slots=True)
class UrlOutcome:
    """One remembered failure: a row of `state/url_outcomes`."""

    url: str
    source: str
    found_in: str
    kind: FailureKind
    reason: RejectReason
    http_status: int | None
    detail: str
    failures: int  # consecutive failed fetches of this kind
    first_failed_at: datetime
    last_failed_at: datetime
    run_id: str

    def rests(self, now: datetime, period: timedelta) -> bool:
        """True while a permanent failure is younger than `period`: the URL is not fetched."""
        return self.kind is FailureKind.PERMANENT and now < self.last_failed_at + period

    def as_listed(self) -> DiscoveredUrl:
        """The URL as a listing entry, to retry it when no listing names it this run.

        The listing's hints are not kept: the page's own metadata has to do.
        """
        return DiscoveredUrl(url=self.url, source=self.source, found_in=self.found_in)


def read_url_outcomes(warehouse: Warehouse) -> dict[str, UrlOutcome]:
    """URL (as listed) -> its remembered failure; empty when none is remembered."""
    rows = read(warehouse, URL_OUTCOMES_TABLE).to_pylist()
    try:
        return {row["url"]: _from_row(row) for row in rows}
    except ValueError as exc:
        raise WarehouseReadError(str(warehouse.state), exc) from exc


def write_url_outcomes(
    warehouse: Warehouse,
    fetched: Collection[str],
    failed: Sequence[tuple[DiscoveredUrl, Reject]],
    *,
    at: datetime,
    run_id: str,
) -> None:
    """Forget the URLs fetched this run, remember those of `failed` worth it, in one commit.

    `failed` holds fetch rejects only (a page that was fetched and then
    rejected for its content is stored in raw_pages, so it is known anyway).
    Nothing is written when nothing changed.
    """

    def merged(before: dict[str, UrlOutcome]) -> dict[str, UrlOutcome]:
        rows = {url: row for url, row in before.items() if url not in fetched}
        for discovered, reject in failed:
            outcome = _outcome(discovered, reject, before.get(discovered.url), at, run_id)
            if outcome is not None:
                rows[outcome.url] = outcome
        return rows

    def table() -> tuple[pa.Table, tuple[str, ...]]:  # read again on each try
        rows = merged(read_url_outcomes(warehouse))
        schema = with_version(URL_OUTCOMES)
        return pa.Table.from_pylist([_to_row(rows[url]) for url in sorted(rows)], schema=schema), ()

    before = read_url_outcomes(warehouse)
    if merged(before) != before:
        replace_all(warehouse, URL_OUTCOMES_TABLE, table)


def _outcome(
    discovered: DiscoveredUrl,
    reject: Reject,
    earlier: UrlOutcome | None,
    at: datetime,
    run_id: str,
) -> UrlOutcome | None:
    """The row for one failed fetch, counting on from an earlier failure of the same kind."""
    kind = failure_kind(reject)
    if kind not in _REMEMBERED:
        return None
    facts = with_failure_facts(reject)
    outcome = UrlOutcome(
        url=storable(discovered.url),
        source=discovered.source,
        found_in=storable(discovered.found_in),
        kind=kind,
        reason=facts.reason,
        http_status=facts.http_status,
        detail=storable(facts.detail),
        failures=1,
        first_failed_at=at,
        last_failed_at=at,
        run_id=run_id,
    )
    if earlier is not None and earlier.kind is kind:
        outcome = replace(
            outcome, failures=earlier.failures + 1, first_failed_at=earlier.first_failed_at
        )
    return outcome


def _to_row(outcome: UrlOutcome) -> dict[str, Any]:
    row = asdict(outcome)
    row["kind"], row["reason"] = str(outcome.kind), str(outcome.reason)
    return row


def _from_row(row: dict[str, Any]) -> UrlOutcome:
    fields = dict(row, kind=FailureKind(row["kind"]), reason=RejectReason(row["reason"]))
    return UrlOutcome(**fields)
