"""Test helpers shared by test packages: a local HTTP server (`http_server`), the articles
and writer most warehouse tests use (`articles`), object-store and Prefect servers."""
