"""Parsed article -> cleaned Article or Reject: boilerplate, normalisers, validation.

No file reading and no extraction here: `pipeline` drives read -> extract ->
clean and calls into this package one parsed document at a time.

The public names below are imported on first use (PEP 562), not with the
package: importing any submodule runs this file first, and `transforms.article`
alone would otherwise cost the boilerplate patterns and
datasketch/scipy (about 0.4 s measured with `-X importtime`) in every
command that only needs a date parser or a constant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractors.lazy import lazy_exports

if TYPE_CHECKING:
    from transforms.article import Article, CleanSettings, build_article
    from transforms.boilerplate import strip_boilerplate
    from transforms.boilerplate.site import LearnedBoilerplate, strip_site_boilerplate

__all__ = [
    "Article",
    "CleanSettings",
    "LearnedBoilerplate",
    "build_article",
    "strip_boilerplate",
    "strip_site_boilerplate",
]

# The module that defines each public name (the imports above, for the type checker).
_HOMES = {
    "transforms.article": ("Article", "CleanSettings", "build_article"),
    "transforms.boilerplate": ("strip_boilerplate",),
    "transforms.boilerplate.site": ("LearnedBoilerplate", "strip_site_boilerplate"),
}
if not TYPE_CHECKING:  # hidden from mypy, so a misspelt import is still an error
    __getattr__, __dir__ = lazy_exports(globals(), _HOMES)
