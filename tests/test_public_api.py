"""Each package's public names are pinned, so a rename is a deliberate change."""

from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "extractors": {
        "ConfigError",
        "DiscoveredUrl",
        "Discovery",
        "ExtractionMethod",
        "FetchedPage",
        "Fetcher",
        "HttpSettings",
        "Metadata",
        "NotModified",
        "ParsedArticle",
        "Reject",
        "RejectReason",
        "Source",
        "SourcesConfig",
        "Validators",
        "discover",
        "extract_html",
        "is_transient",
        "is_warc_name",
        "iter_warc",
        "list_inputs",
        "load_config",
        "page_to_article",
        "read_file",
    },
    "extractors.files": {"MAX_DOCUMENT_BYTES", "SUFFIXES", "list_inputs", "read_file", "read_part"},
    "extractors.warc": {
        "MAX_PAYLOAD_BYTES",
        "RawPayload",
        "is_warc_name",
        "iter_warc",
    },
    "transforms": {
        "Article",
        "CleanSettings",
        "LearnedBoilerplate",
        "build_article",
        "strip_boilerplate",
        "strip_site_boilerplate",
    },
    "pipeline": {"CleanedBatch", "clean_document", "clean_files", "clean_parts"},
    "warehouse": {
        "ARTICLES",
        "RAW_PAGES",
        "VALIDATORS",
        "REJECTS",
        "RUNS",
        "SCHEMA_VERSION",
        "ArticleCatalog",
        "BatchWriter",
        "CommitConflictError",
        "CompactionReport",
        "KeyIndex",
        "QueryError",
        "RunCounts",
        "RunRecord",
        "RunStatus",
        "SourceCounts",
        "TableMigration",
        "Warehouse",
        "WarehouseError",
        "WarehouseReadError",
        "WarehouseWriteError",
        "compact_warehouse",
        "iter_raw_pages",
        "known_urls",
        "migrate_warehouse",
        "read_site_counts",
        "read_validators",
        "remove_articles",
        "run_query",
        "reset_site_counts",
        "stored_locators",
        "sql_views",
        "write_raw_pages",
        "write_run",
        "write_validators",
    },
    "warehouse.analysts": {
        "EXAMPLES",
        "QueryError",
        "QueryResult",
        "Report",
        "SourceFreshness",
        "build_report",
        "freshness_by_source",
        "key_figures_markdown",
        "last_runs",
        "run_query",
        "sql_views",
        "table_versions",
        "write_report",
    },
}


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_public_names(package: str) -> None:
    """`__all__` lists exactly the public names, and each one resolves."""
    module = importlib.import_module(package)
    assert set(module.__all__) == PUBLIC[package]
    for name in module.__all__:
        assert getattr(module, name) is not None


@pytest.mark.parametrize("package", ["extractors", "transforms", "pipeline", "warehouse"])
def test_core_does_not_import_prefect(package: str) -> None:
    """The core packages import without pulling in Prefect (import-linter checks it statically)."""
    import subprocess
    import sys

    code = f"import sys, {package}; sys.exit('prefect' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# What each package must not load on `import package`: its public names are imported on
# first use (PEP 562), so importing one submodule does not pay for all of them.
LAZY = {
    "extractors": ("trafilatura", "warcio", "protego", "requests"),
    "transforms": ("courlan", "trafilatura", "lxml", "datasketch"),
    "pipeline": ("trafilatura", "warcio", "lxml", "datasketch"),
    "warehouse": ("pyarrow", "datasketch", "duckdb", "trafilatura"),
    "warehouse.analysts": ("pyarrow", "duckdb", "matplotlib", "trafilatura"),
}


@pytest.mark.parametrize("package", sorted(LAZY))
def test_package_import_is_lazy(package: str) -> None:
    """`import package` loads none of its heavy dependencies until a public name is used."""
    import json
    import subprocess
    import sys

    probe = (
        f"import json, sys, {package} as p; before = sorted(sys.modules); "
        f"[getattr(p, n) for n in p.__all__]; "
        f"print(json.dumps([before, sorted(sys.modules), dir(p)]))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    before, after, listed = json.loads(out.stdout)
    tops_before = {name.partition(".")[0] for name in before}
    tops_after = {name.partition(".")[0] for name in after}
    assert sorted(tops_before.intersection(LAZY[package])) == []
    assert tops_after.issuperset(LAZY[package][:1])  # resolving the names does import them
    assert set(PUBLIC[package]) <= set(listed)
