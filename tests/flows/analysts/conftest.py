"""The sample warehouse analysts look at: `samples/` through the real ingest flow, then a
second run with two syndicated copies of the seed article (one exact, one trimmed), so
duplicates and a near-duplicate cluster across outlets exist.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows.ingest import ingest_files
from flows.ledger import RunSummary
from tests.conftest import REPO_ROOT, SEED_NAME

SAMPLES = REPO_ROOT / "samples"

# Syndication, as wire copy reaches several outlets: the seed story as one outlet ran it
# (exactly as stored: its subscription footer removed) and as another ran it, cut short.
EXACT_SOURCE, TRIMMED_SOURCE = "wire.example", "daily.example"


@dataclass(frozen=True, slots=True)
class SampleWarehouse:
    root: Path
    runs: tuple[RunSummary, RunSummary]


def _syndicated(folder: Path) -> Path:
    lines = (SAMPLES / "text" / SEED_NAME).read_text(encoding="utf-8").strip().split("\n")
    stored = "\n".join(lines[:-2]).strip()  # what the pipeline keeps of the seed
    paragraphs = stored.split("\n\n")
    records = [
        {
            "url": "https://wire.example/2026/11/29/japan-china-talks",
            "source": EXACT_SOURCE,
            "title": "Japan and China hold talks on North Korea",
            "published": "2026-11-29T09:30:00Z",
            "body": stored,
        },
        {
            "url": "https://daily.example/world/japan-china-north-korea",
            "source": TRIMMED_SOURCE,
            "title": "Japan, China diplomats meet over North Korea",
            "published": "2026-11-29T14:00:00Z",
            "body": "\n\n".join(paragraphs[:-1]),
        },
    ]
    path = folder / "syndicated.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> SampleWarehouse:
    base = tmp_path_factory.mktemp("analysts")
    root = base / "warehouse"
    first = ingest_files(paths=[str(SAMPLES)], warehouse=str(root))
    second = ingest_files(paths=[str(_syndicated(base))], warehouse=str(root))
    return SampleWarehouse(root, (first, second))
