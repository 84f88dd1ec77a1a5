"""The data dictionary cannot drift from the schemas, and the committed docs are current."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from tests.conftest import REPO_ROOT
from warehouse import schema
from warehouse.analysts import dictionary
from warehouse.analysts.dictionary import (
    DOCS,
    NOTES,
    REGENERATE,
    TABLES,
    Notes,
    declared_schemas,
    markdown,
    problems,
)


def test_every_column_has_an_entry_and_every_entry_a_column() -> None:
    """No schema column without derivation/null/example notes, no notes for a missing column."""
    assert problems() == [], (
        f"fix warehouse/analysts/dictionary/columns.py or tables.py, then run {REGENERATE}"
    )


def test_every_declared_schema_is_a_table_of_the_dictionary() -> None:
    """Each table schema in warehouse.schema is described (found by type, not by a list)."""
    assert {doc.schema for doc in TABLES} == set(declared_schemas())
    assert {"ARTICLES", "REJECTS", "RUNS"} <= set(declared_schemas())


@pytest.mark.parametrize("relative", sorted(DOCS))
def test_committed_docs_match_the_rendering(relative: str) -> None:
    """docs/*.md are exactly what the schemas and notes render to."""
    path = REPO_ROOT / relative
    assert path.is_file(), f"{relative} is missing: run {REGENERATE}"
    assert path.read_text(encoding="utf-8") == DOCS[relative](), (
        f"{relative} is out of date: run {REGENERATE}"
    )


def test_rendered_dictionary_has_each_column_with_its_schema_doc() -> None:
    """Types and meanings come from the schema itself."""
    text = dictionary.render()
    for doc in TABLES:
        schema = declared_schemas()[doc.schema]
        assert f"## {doc.table}\n" in text
        for field in schema:
            meaning = (field.metadata or {})[b"doc"].decode().replace("|", "\\|")
            assert f"| `{field.name}` | `{field.type}` | {meaning} |" in text


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("new column", "column articles.brand_new has no entry in NOTES"),
        ("stale entry", "entry articles.gone names no column"),
        ("null_when on a required column", "column articles.body is never null"),
        ("nullable without null_when", "column articles.title is nullable"),
        ("new schema", "schema EXTRA has no TableDoc in TABLES"),
    ],
)
def test_problems_catch_each_kind_of_drift(
    change: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The drift check fails for each way the two can disagree (so it is not vacuous)."""
    notes = dict(NOTES)
    if change == "new column":
        extended = schema.ARTICLES.append(pa.field("brand_new", pa.string(), metadata={"doc": "x"}))
        monkeypatch.setattr(schema, "ARTICLES", extended)
    elif change == "stale entry":
        notes["articles.gone"] = Notes("x", "x")
    elif change == "null_when on a required column":
        notes["articles.body"] = Notes("x", "x", null_when="sometimes")
    elif change == "nullable without null_when":
        notes["articles.title"] = Notes("x", "x")
    else:
        monkeypatch.setattr(schema, "EXTRA", pa.schema([("a", pa.int32())]), raising=False)
    monkeypatch.setattr(markdown, "NOTES", notes)
    assert any(p.startswith(expected) for p in problems()), problems()


def test_check_mode_reports_stale_docs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m warehouse.analysts.dictionary --check` exits 1 on a stale doc and names it."""
    assert dictionary.main(["--root", str(tmp_path), "--check"]) == 1
    assert "docs/warehouse.md: out of date" in capsys.readouterr().out
    assert dictionary.main(["--root", str(tmp_path)]) == 0
    assert dictionary.main(["--root", str(tmp_path), "--check"]) == 0
    assert (tmp_path / "docs" / "warehouse.md").read_text(encoding="utf-8") == dictionary.render()
