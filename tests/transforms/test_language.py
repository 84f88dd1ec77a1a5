"""Language codes: the detector reads the body; declared codes serve short texts."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.language import detect_language, language_code


@pytest.mark.parametrize(
    ("declared", "code"),
    [
        ("en-US", "en"),
        ("en_GB", "en"),
        ("DE", "de"),
        ("fr-FR-x-private", "fr"),
        ("english", None),
        ("", None),
        (None, None),
    ],
)
def test_language_code(declared: str | None, code: str | None) -> None:
    """Declared tags reduce to their ISO 639-1 part; anything else is None."""
    assert language_code(declared) == code


def test_detects_seed_as_english(seed_path: Path) -> None:
    """A long English body is detected as en, whatever a template declares."""
    assert detect_language(seed_path.read_text(encoding="utf-8"), declared="de") == "en"


def test_short_text_uses_declared() -> None:
    """Too little text to guess: the declared code is used."""
    assert detect_language("Kurz.", declared="de-DE") == "de"
    assert detect_language("Kurz.") is None


@given(st.text(), st.one_of(st.none(), st.text(max_size=12)))
def test_detect_never_raises(body: str, declared: str | None) -> None:
    """Any input gives None or a two-letter lower-case code."""
    code = detect_language(body, declared)
    assert code is None or (len(code) == 2 and code.islower())
