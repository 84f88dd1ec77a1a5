"""Errors raised inside the extractors.

    ExtractError                 base: a document could not be turned into text
    ├── UndecodableError         bytes are binary or in no detectable encoding
    ├── UnreadableError          the file could not be opened or decompressed
    ├── InvalidFieldError        a record or sidecar field has the wrong type or value
    ├── UnsafeXmlError           XML declaring entities or an external DTD (not parsed)
    └── TooLargeError            a document over its size cap after decompression

    ConfigError (ValueError)     a sources file that cannot be used: file, key, fix

The document errors never cross the package boundary as exceptions for one
bad document: the readers catch them and yield a `Reject` carrying the
matching reason, so a run goes on. They exist so the helpers deep inside can
stop early with a precise message. `ConfigError` does cross it: a sources
file that cannot be used stops the command before any network traffic.
"""

from __future__ import annotations

from extractors.records import RejectReason


class ExtractError(Exception):
    """A document could not be turned into text."""

    reason: RejectReason = RejectReason.PARSE_ERROR

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UndecodableError(ExtractError):
    """The bytes are binary, or in no encoding that decodes them cleanly."""

    reason = RejectReason.UNDECODABLE


class UnreadableError(ExtractError):
    """The file could not be opened, or its compression is broken."""

    reason = RejectReason.UNREADABLE


class InvalidFieldError(ExtractError):
    """A record or sidecar field has the wrong type or an unstorable value."""

    reason = RejectReason.INVALID_FIELD


class UnsafeXmlError(ExtractError):
    """The document declares entities or an external DTD; it is not parsed."""

    reason = RejectReason.UNSAFE_XML


class TooLargeError(ExtractError):
    """The document (after decompression) is over the size cap."""

    reason = RejectReason.TOO_LARGE


class ConfigError(ValueError):
    """A sources file that cannot be used, with where and how to fix it."""

    def __init__(self, path: str, key: str, problem: str, fix: str) -> None:
        super().__init__(f"{path}: [{key}] {problem}; {fix}")
        self.path, self.key, self.problem, self.fix = path, key, problem, fix
