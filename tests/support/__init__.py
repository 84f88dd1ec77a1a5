"""Test helpers shared by test packages: a local HTTP server (`http_server`)."""
