"""Parsed article -> cleaned Article or Reject: boilerplate, normalisers, validation."""

from transforms.article import Article, CleanSettings, build_article
from transforms.boilerplate import strip_boilerplate
from transforms.pipeline import clean_document, clean_files

__all__ = [
    "Article",
    "CleanSettings",
    "build_article",
    "clean_document",
    "clean_files",
    "strip_boilerplate",
]
