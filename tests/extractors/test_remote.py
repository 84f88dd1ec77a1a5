"""Remote inputs: which specs are URLs, and copies that are whole or absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.errors import UnreadableError
from extractors.remote import download, is_remote
from tests.support.http_server import Reply, TestServer


@pytest.mark.parametrize(
    ("spec", "remote"),
    [
        ("https://data.example/CC-NEWS-1.warc.gz", True),
        ("http://127.0.0.1:8000/a.jsonl", True),
        ("s3://bucket/prefix/a.warc.gz", True),
        ("file:///srv/a.warc.gz", False),
        ("samples/html", False),
        ("C:/data/a.warc.gz", False),  # a drive letter is not a scheme
        ("notes: a.txt", False),
    ],
)
def test_is_remote(spec: str, remote: bool) -> None:
    assert is_remote(spec) is remote


def test_download_keeps_the_name_and_reuses_a_complete_copy(tmp_path: Path) -> None:
    body = b"WARC/1.0\r\n" * 1000
    with TestServer("127.0.0.1") as server:
        server.route("/x/CC-NEWS.warc.gz", Reply(200, {}, body))
        url = server.url("/x/CC-NEWS.warc.gz?sig=1")
        copy = download(url, tmp_path)
        assert copy.name.endswith("-CC-NEWS.warc.gz")
        assert copy.read_bytes() == body
        copy.write_bytes(b"kept")  # a complete copy from an interrupted run is not fetched again
        assert download(url, tmp_path).read_bytes() == b"kept"
        assert download(server.url("/x/CC-NEWS.warc.gz?sig=2"), tmp_path) != copy


@pytest.mark.parametrize("spec", ["/missing.warc.gz", "s3:///no-bucket", "nosuchscheme://x/y"])
def test_a_failed_fetch_leaves_nothing_behind(tmp_path: Path, spec: str) -> None:
    with TestServer("127.0.0.1") as server:
        url = server.url(spec) if spec.startswith("/") else spec
        with pytest.raises(UnreadableError, match="cannot fetch"):
            download(url, tmp_path / "copies")
    assert list((tmp_path / "copies").iterdir()) == []
