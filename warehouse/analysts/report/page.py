"""The report as one self-contained HTML page.

Charts are SVG images in `data:` URIs, styles are inline, and there is no
script at all; the Content-Security-Policy forbids every fetch except
`data:` images, so the page opens offline and cannot leak a request.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from html import escape
from typing import Any, Final

from warehouse.analysts.query import plain
from warehouse.analysts.report.charts import svg
from warehouse.analysts.report.sections import Section, Table

__all__ = ["page"]

# Longer tables are cut (the numbers stay whole in data-counts).
MAX_ROWS: Final = 200
# Cells longer than this may wrap; shorter ones (dates, statuses, names) stay on one line.
_NOWRAP_CHARS: Final = 40

_CSS: Final = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
       max-width: 1100px; padding: 1rem 1.5rem 3rem; color: #1f2328; background: #fff; }
h1 { font-size: 1.5rem; margin: .5rem 0; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #d0d7de; }
.meta { color: #57606a; margin: 0 0 .5rem; }
.totals { display: flex; gap: 1.5rem; list-style: none; padding: 0; margin: .75rem 0; }
.totals b { font-size: 1.3rem; display: block; }
nav a { margin-right: .9rem; }
figure { margin: .5rem 0; }
figure img { max-width: 100%; height: auto; }
.note { color: #57606a; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: 12.5px; }
caption { text-align: left; color: #57606a; padding-bottom: .25rem; }
th, td { border: 1px solid #d0d7de; padding: .2rem .45rem; text-align: left;
         vertical-align: top; max-width: 28rem; overflow-wrap: anywhere; }
th { background: #f6f8fa; white-space: nowrap; }
td { white-space: nowrap; }
td.w { white-space: normal; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
"""

_CSP: Final = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _cell(value: Any) -> str:
    if value is None:
        return "<td></td>"
    if isinstance(value, bool):
        return f"<td>{value}</td>"
    if isinstance(value, int | float):
        return (
            f'<td class="n">{value:g}</td>'
            if isinstance(value, float)
            else f'<td class="n">{value}</td>'
        )
    text = value if isinstance(value, str) else json.dumps(plain(value), ensure_ascii=False)
    wrap = ' class="w"' if len(text) > _NOWRAP_CHARS else ""
    return f"<td{wrap}>{escape(text)}</td>"


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = "\n".join(
        "<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in table.rows[:MAX_ROWS]
    )
    cut = len(table.rows) - MAX_ROWS
    more = f'<p class="note">{cut} more rows not shown.</p>' if cut > 0 else ""
    if not table.rows:
        return f'<p class="note">{escape(table.caption)}: nothing yet.</p>'
    return (
        f"<table><caption>{escape(table.caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>\n{body}\n</tbody></table>{more}"
    )


def _section(section: Section) -> str:
    counts = escape(json.dumps(section.counts, ensure_ascii=False, sort_keys=True, default=str))
    parts = [
        f'<section id="{section.key}" data-counts="{counts}">',
        f"<h2>{escape(section.title)}</h2>",
    ]
    for i, chart in enumerate(section.charts):
        data = base64.b64encode(svg(chart, salt=f"{section.key}-{i}").encode()).decode()
        parts.append(
            f'<figure class="chart" data-chart="{section.key}-{i}">'
            f'<img alt="{escape(chart.title)}" src="data:image/svg+xml;base64,{data}"></figure>'
        )
    if section.note:
        parts.append(f'<p class="note">{escape(section.note)}</p>')
    parts += [_table(t) for t in section.tables]
    parts.append("</section>")
    return "\n".join(parts)


def page(title: str, meta: Sequence[str], totals: dict[str, int], sections: list[Section]) -> str:
    """The whole HTML document."""
    totals_html = "".join(f"<li><b>{n}</b>{escape(label)}</li>" for label, n in totals.items())
    nav = " ".join(f'<a href="#{s.key}">{escape(s.title)}</a>' for s in sections)
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<link rel="icon" href="data:,">',
            f"<title>{escape(title)}</title>",
            f"<style>{_CSS}</style></head><body>",
            f"<header><h1>{escape(title)}</h1>",
            *(f'<p class="meta">{escape(line)}</p>' for line in meta),
            f'<ul class="totals">{totals_html}</ul>',
            f"<nav>{nav}</nav></header>",
            "<main>",
            *(_section(s) for s in sections),
            "</main></body></html>",
            "",
        ]
    )
