"""Lazy re-exports for a package's `__init__.py` (PEP 562), written once for every package.

Each package re-exports its public names in `__all__` (STYLE.md), but
importing them eagerly made `news-etl --help` pay for trafilatura, pyarrow,
DuckDB and datasketch (2 s measured; issue 13). A package declares which
module defines each name and gets a module `__getattr__` that imports that
module the first time the name is used, and a `__dir__` that lists the names
not loaded yet.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping

__all__ = ["lazy_exports"]


def lazy_exports(
    namespace: MutableMapping[str, object], homes: Mapping[str, tuple[str, ...]]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """A package's `__getattr__` and `__dir__` for the names `homes` maps to their modules.

    `namespace` is the package's `globals()` (with `__name__` and `__all__`);
    a name, once imported, is kept there, so `__getattr__` runs once per name.
    """
    home_of = {name: module for module, names in homes.items() for name in names}

    def package_getattr(name: str) -> object:
        """Import a public name's module the first time the name is used, then keep it."""
        if name not in home_of:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home_of[name]), name)
        namespace[name] = value
        return value

    def package_dir() -> list[str]:
        """The loaded names and the public ones not loaded yet, for `dir()` and completion."""
        return sorted(set(namespace) | set(namespace["__all__"]))  # type: ignore[call-overload]

    return package_getattr, package_dir
