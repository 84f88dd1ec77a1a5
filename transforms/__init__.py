"""Parsed article -> cleaned Article or Reject: boilerplate, normalisers, validation.

The public names below are imported on first use (PEP 562), not with the
package: importing any submodule runs this file first, and `transforms.article`
alone would otherwise cost the boilerplate patterns, the pipeline and
datasketch/scipy (about 0.4 s measured with `-X importtime`) in every
command that only needs a date parser or a constant.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transforms.article import Article, CleanSettings, build_article
    from transforms.boilerplate import strip_boilerplate
    from transforms.boilerplate.site import LearnedBoilerplate, strip_site_boilerplate
    from transforms.pipeline import clean_document, clean_files

__all__ = [
    "Article",
    "CleanSettings",
    "LearnedBoilerplate",
    "build_article",
    "clean_document",
    "clean_files",
    "strip_boilerplate",
    "strip_site_boilerplate",
]

# The module that defines each public name (the imports above, for the type checker).
_HOMES = {
    "transforms.article": ("Article", "CleanSettings", "build_article"),
    "transforms.boilerplate": ("strip_boilerplate",),
    "transforms.pipeline": ("clean_document", "clean_files"),
    "transforms.boilerplate.site": ("LearnedBoilerplate", "strip_site_boilerplate"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

if not TYPE_CHECKING:  # hidden from mypy, so a misspelt import is still an error

    def __getattr__(name: str) -> object:
        """Import a public name's module the first time the name is used, then keep it."""
        if name not in _HOME_OF:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(_HOME_OF[name]), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        """The loaded names and the public ones not loaded yet, for `dir()` and completion."""
        return sorted(set(globals()) | set(__all__))
