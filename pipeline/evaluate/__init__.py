"""Score the pipeline's article bodies against labelled pages, beside bare trafilatura.

    pages.py    the labelled pages and their tune/validation split (eval_split.tsv)
    runs.py     the three systems over the pages, and the per-rule ablation
    report.py   the text `news-etl eval` prints
    floors.py   the CI gate's limits (eval_floors.json) and their update rule

Issue 5 built the measure; issue 14 split the pages by site into a tune half
(rules are tuned and ablated there) and a validation half (reported and gated
there), so that a figure says what the rules are worth on sites nobody tuned on.
"""

from __future__ import annotations

from pipeline.evaluate.floors import (
    FLOORS_FILE,
    GATE_HALF,
    MEASURES,
    Bound,
    Floors,
    Limit,
    LoosenedFloorsError,
    Measure,
    figures,
    gate_evaluation,
    propose_floors,
    read_floors,
    update_floors,
    write_floors,
)
from pipeline.evaluate.pages import (
    DEV_SET,
    SPLIT_FILE,
    Half,
    LabelledPage,
    SplitEntry,
    labelled_folder,
    load_pages,
    load_split,
    page_key,
)
from pipeline.evaluate.report import format_halves, format_report
from pipeline.evaluate.runs import (
    BEHIND_BY,
    PIPELINE,
    TRAFILATURA,
    TRAFILATURA_NO_COMMENTS,
    Contribution,
    Evaluation,
    SystemRun,
    evaluate,
    pages_behind,
)

__all__ = [
    "BEHIND_BY",
    "DEV_SET",
    "FLOORS_FILE",
    "GATE_HALF",
    "MEASURES",
    "PIPELINE",
    "SPLIT_FILE",
    "TRAFILATURA",
    "TRAFILATURA_NO_COMMENTS",
    "Bound",
    "Contribution",
    "Evaluation",
    "Floors",
    "Half",
    "LabelledPage",
    "Limit",
    "LoosenedFloorsError",
    "Measure",
    "SplitEntry",
    "SystemRun",
    "evaluate",
    "figures",
    "format_halves",
    "format_report",
    "gate_evaluation",
    "labelled_folder",
    "load_pages",
    "load_split",
    "page_key",
    "pages_behind",
    "propose_floors",
    "read_floors",
    "update_floors",
    "write_floors",
]
