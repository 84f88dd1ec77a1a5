"""Parsed article -> cleaned Article or Reject: boilerplate, normalisers, validation."""

from transforms.article import Article, CleanSettings, build_article
from transforms.boilerplate import strip_boilerplate
from transforms.pipeline import clean_document, clean_files
from transforms.site_boilerplate import LearnedBoilerplate, strip_site_boilerplate

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
