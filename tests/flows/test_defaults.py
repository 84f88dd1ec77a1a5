"""One place for defaults: what the CLI passes when told nothing is what a flow run gets.

A scheduled or manually triggered Prefect run takes the flow's parameter
defaults; `news-etl` takes its options' defaults. Both come from
`flows/defaults.py`, so the two kinds of run behave alike.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from flows import defaults
from flows.cli import build_parser

REPO = Path(__file__).resolve().parents[2]
# CLI options whose shape differs from the flow parameter of the same name by design
# (`--source` is repeatable on the command line; a flow takes one name or a list).
_SHAPED_DIFFERENTLY = {"source", "sources", "paths", "config"}


def _flow_defaults(target: str) -> dict[str, object]:
    module, _, name = target.partition(":")
    function = getattr(importlib.import_module(module), name).fn
    return {
        n: p.default
        for n, p in inspect.signature(function).parameters.items()
        if p.default is not inspect.Parameter.empty and n not in _SHAPED_DIFFERENTLY
    }


@pytest.mark.parametrize(
    ("argv", "target", "not_passed"),
    [
        (["ingest", str(REPO / "samples")], "flows.ingest:ingest_files", set()),
        # --batch-size counts small files: a file-run option the web run is not given
        (
            ["ingest", "--config", str(REPO / "sources.example.toml")],
            "flows.ingest_web:ingest_sources",
            {"batch_size"},
        ),
        (["reprocess"], "flows.reprocess:reprocess", set()),
        (["compact"], "flows.compact:compact", set()),
    ],
)
def test_cli_options_default_to_the_flow_parameters(
    argv: list[str], target: str, not_passed: set[str]
) -> None:
    """Every option the CLI passes to the flow it runs has the flow's default."""
    args = build_parser(argv[0]).parse_args(argv)
    flow_defaults = _flow_defaults(target)
    shared = {name for name in flow_defaults if hasattr(args, name)} - not_passed
    assert {"warehouse"} < shared  # the comparison covers more than the warehouse path
    assert {n: getattr(args, n) for n in shared} == {n: flow_defaults[n] for n in shared}


def test_flow_defaults_come_from_the_defaults_module() -> None:
    """The values a flow run gets when a deployment names none are those of flows/defaults.py."""
    files = _flow_defaults("flows.ingest:ingest_files")
    web = _flow_defaults("flows.ingest_web:ingest_sources")
    assert files["warehouse"] == web["warehouse"] == defaults.WAREHOUSE
    assert files["batch_size"] == defaults.FILE_RUN.batch_size
    assert web["batch_size"] == defaults.WEB_RUN.batch_size
    assert files["min_words"] == web["min_words"] == defaults.CLEANING.min_words
    assert _flow_defaults("flows.reprocess:reprocess")["batch_size"] == (
        defaults.REPROCESS_RUN.batch_size
    )


def test_clean_settings_default_to_the_same_thresholds() -> None:
    """The core's CleanSettings() and the flows' defaults agree (both read transforms.defaults)."""
    from transforms.article import CleanSettings

    settings = CleanSettings()
    assert (settings.min_words, settings.site_share, settings.site_min_articles) == (
        defaults.CLEANING.min_words,
        defaults.CLEANING.site_share,
        defaults.CLEANING.site_min_articles,
    )
