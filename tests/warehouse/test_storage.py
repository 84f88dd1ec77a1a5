"""`warehouse.storage`: the warehouse root on the local disk or an object store.

`ObjectPath`'s pure path algebra is pinned by hypothesis against
`PurePosixPath` (no server needed: the class only stores its file system).
Everything that touches objects runs against moto's S3 server on 127.0.0.1,
one per module, and is checked through an independent boto3 client where it
matters, so a passing test does not merely agree with itself.
"""

from __future__ import annotations

import pickle
import string
import uuid
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import boto3  # type: ignore[import-untyped]
import pyarrow.fs as pafs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.s3_server import running_s3_server, s3_env
from warehouse import Warehouse
from warehouse.errors import WarehouseError
from warehouse.storage import ObjectPath, store_path

BUCKET = "storage-tests"
OFFLINE_BUCKET = "bucket"

# Key segments of characters every object store and URL parser takes as they
# are; dots anywhere ("a.b.parquet", ".hidden", "x."), but not the special
# names "." and "..", which pathlib and object stores treat differently by design.
_SEGMENT = st.text(string.ascii_letters + string.digits + "-_.=", min_size=1, max_size=10).filter(
    lambda s: s not in {".", ".."}
)
_KEYS = st.lists(_SEGMENT, min_size=1, max_size=5).map(lambda parts: PurePosixPath(*parts))


def _offline(key: PurePosixPath | str = "") -> ObjectPath:
    """An ObjectPath on a file system it never touches: pure path operations need none."""
    return ObjectPath(pafs.LocalFileSystem(), f"{OFFLINE_BUCKET}/{key}", "s3")


# --- pure path algebra -------------------------------------------------------------------------


@given(key=_KEYS)
def test_names_and_url_agree_with_pureposixpath(key: PurePosixPath) -> None:
    """name, stem, suffix, parts below the bucket and str() match PurePosixPath and the URL."""
    path = _offline(key)
    assert str(path) == f"s3://{OFFLINE_BUCKET}/{key}"
    assert path.as_uri() == str(path)
    assert (path.name, path.stem, path.suffix) == (key.name, key.stem, key.suffix)
    assert path.parts == (OFFLINE_BUCKET, *key.parts)
    assert path.relative_to(_offline()).parts == key.parts


@given(key=_KEYS)
def test_parent_agrees_with_pureposixpath(key: PurePosixPath) -> None:
    """Every ancestor up to the bucket is the same key prefix pathlib gives."""
    path, expected = _offline(key), key
    for _ in key.parts:
        path, expected = path.parent, expected.parent
        assert path.relative_to(_offline()) == expected
        assert path == (_offline() if expected == PurePosixPath(".") else _offline(expected))


@given(key=_KEYS, data=st.data())
def test_joining_agrees_with_pureposixpath(key: PurePosixPath, data: st.DataObject) -> None:
    """`/` with one segment or a multi-segment tail lands on the same key as pathlib's `/`."""
    split = data.draw(st.integers(0, len(key.parts) - 1), label="split")
    head = PurePosixPath(*key.parts[:split])
    tail = "/".join(key.parts[split:])
    base = _offline(head) if split else _offline()
    assert base / tail == _offline(head / tail)
    assert str(base / tail) == f"s3://{OFFLINE_BUCKET}/{head / tail}"

    stepwise = _offline()
    for part in key.parts:
        stepwise = stepwise / part
    assert stepwise == _offline(key)


@given(key=_KEYS, name=_SEGMENT)
def test_with_name_agrees_with_pureposixpath(key: PurePosixPath, name: str) -> None:
    """with_name replaces the last segment only."""
    assert _offline(key).with_name(name) == _offline(key.with_name(name))


@given(key=_KEYS, other=_KEYS)
def test_relative_to_agrees_with_pureposixpath(key: PurePosixPath, other: PurePosixPath) -> None:
    """relative_to every prefix gives pathlib's answer; a non-prefix raises ValueError in both."""
    path = _offline(key)
    for cut in range(len(key.parts) + 1):
        prefix = PurePosixPath(*key.parts[:cut])
        base = _offline(prefix) if cut else _offline()
        assert path.relative_to(base) == key.relative_to(prefix)
    try:
        expected: PurePosixPath | None = key.relative_to(other)
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(ValueError):
            path.relative_to(_offline(other))
    else:
        assert path.relative_to(_offline(other)) == expected


@given(key=_KEYS, other=_KEYS)
def test_equality_and_hash_are_by_url(key: PurePosixPath, other: PurePosixPath) -> None:
    """Same URL: equal and one set member, whatever the file system or slashes; else unequal."""
    path = _offline(key)
    twin = ObjectPath(pafs.LocalFileSystem(), f"/{OFFLINE_BUCKET}/{key}/", "s3")
    assert twin == path
    assert hash(twin) == hash(path)
    assert len({path, twin}) == 1
    assert (path == _offline(other)) == (key == other)
    assert ObjectPath(path.fs, path.path, "gs") != path
    assert path != str(path)
    assert path != PurePosixPath(str(path))


@given(keys=st.lists(_KEYS, max_size=8))
def test_sorting_matches_sorting_the_urls(keys: list[PurePosixPath]) -> None:
    """sorted() orders ObjectPaths exactly as it orders their URL strings."""
    paths = [_offline(key) for key in keys]
    assert [str(p) for p in sorted(paths)] == sorted(str(p) for p in paths)


def test_sorting_is_by_url_not_by_parts() -> None:
    """The URL order differs from pathlib's part-wise order where a name continues below '/'."""
    folder, sibling = _offline("site=a/x.parquet"), _offline("site=a-b/y.parquet")
    assert sorted([folder, sibling]) == [sibling, folder]
    assert sorted([PurePosixPath("site=a/x"), PurePosixPath("site=a-b/y")])[0].name == "x"


# --- store_path and Warehouse.at ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("relative/warehouse", Path("relative/warehouse")),
        ("/abs/warehouse", Path("/abs/warehouse")),
        ("file:///x/y", Path("/x/y")),
        ("file:///x/with%20space", Path("/x/with space")),
        ("FILE:///x/y", Path("/x/y")),
    ],
)
def test_store_path_gives_a_local_path(text: str, expected: Path) -> None:
    """Plain paths and file:// URLs stay pathlib Paths, so local writes keep rename and fsync."""
    assert store_path(text) == expected
    assert isinstance(store_path(text), Path)


def test_store_path_keeps_a_path_object() -> None:
    """A Path argument comes back as an equal Path."""
    assert store_path(Path("relative/warehouse")) == Path("relative/warehouse")


def test_store_path_returns_an_object_path_unchanged() -> None:
    """An ObjectPath passed in is returned as is, file system and all."""
    path = _offline("warehouse")
    assert store_path(path) is path


@pytest.mark.parametrize("text", ["nosuchscheme://x/y", "nosuchscheme://x"])
def test_unknown_scheme_is_a_warehouse_error(text: str) -> None:
    """A URL pyarrow cannot open is a WarehouseError naming it, not a raw Arrow error."""
    with pytest.raises(ValueError, match="nosuchscheme"):
        store_path(text)
    with pytest.raises(WarehouseError, match="s3://bucket/prefix") as caught:
        Warehouse.at(text)
    assert caught.value.path == text


# --- against the S3 server ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server with one bucket, and the AWS_* variables pointing at it for the module."""
    with running_s3_server() as endpoint, pytest.MonkeyPatch.context() as patch:
        for name, value in s3_env(endpoint).items():
            patch.setenv(name, value)
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        yield endpoint


@pytest.fixture
def client(s3_endpoint: str) -> Any:
    """A plain boto3 client: an independent view of what is really in the bucket."""
    return boto3.client("s3")


@pytest.fixture
def root(s3_endpoint: str) -> ObjectPath:
    """A fresh key prefix per test, opened the way the CLI opens `--warehouse s3://...`."""
    path = store_path(f"s3://{BUCKET}/t-{uuid.uuid4().hex[:12]}")
    assert isinstance(path, ObjectPath)
    return path


def _keys(client: Any, root: ObjectPath) -> set[str]:
    """Every object key under `root`, relative to it (directory markers included)."""
    prefix = root.path.split("/", 1)[1] + "/"
    response = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return {item["Key"][len(prefix) :] for item in response.get("Contents", [])}


def _put(client: Any, path: ObjectPath, body: bytes) -> None:
    client.put_object(Bucket=BUCKET, Key=path.path.split("/", 1)[1], Body=body)


def _get(client: Any, path: ObjectPath) -> bytes:
    data: bytes = client.get_object(Bucket=BUCKET, Key=path.path.split("/", 1)[1])["Body"].read()
    return data


TREE = {
    "top.parquet": b"top",
    "a/mid.parquet": b"middle!",
    "a/b/deep.parquet": b"x" * 1234,
    "a/b/notes.txt": b"not parquet",
    "c/d/e/deeper.parquet": b"",
    "dir.parquet/inner.parquet": b"inside a prefix that looks like a file",
}


@pytest.fixture
def tree(client: Any, root: ObjectPath) -> ObjectPath:
    """TREE's objects under `root`, written by boto3, not by the code under test."""
    for key, body in TREE.items():
        _put(client, root / key, body)
    return root


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("top.parquet", "file"),
        ("a/b/deep.parquet", "file"),
        ("c/d/e/deeper.parquet", "file"),
        ("a", "dir"),
        ("a/b", "dir"),
        ("c/d", "dir"),
        ("dir.parquet", "dir"),
        ("missing", "missing"),
        ("a/mi", "missing"),  # a string prefix of a key, but not a folder
        ("a/b/deep", "missing"),
    ],
)
def test_kinds_of_names(tree: ObjectPath, key: str, kind: str) -> None:
    """A key is a file, a prefix with objects below is a folder, anything else does not exist."""
    path = tree / key
    assert (path.is_file(), path.is_dir(), path.exists()) == (
        kind == "file",
        kind == "dir",
        kind != "missing",
    )


def test_the_root_of_a_tree_is_a_folder(tree: ObjectPath) -> None:
    """The prefix itself and the bucket are folders."""
    assert tree.is_dir()
    assert tree.parent.is_dir()
    assert tree.parent == store_path(f"s3://{BUCKET}")


def test_rglob_finds_objects_at_every_depth_and_only_objects(tree: ObjectPath) -> None:
    """rglob reaches every depth, skips prefixes even when their name matches."""
    found = sorted(tree.rglob("*.parquet"))
    expected = sorted(tree / key for key in TREE if key.endswith(".parquet"))
    assert found == expected
    assert all(p.is_file() for p in found)
    assert sorted((tree / "a").rglob("*")) == [
        tree / "a/b/deep.parquet",
        tree / "a/b/notes.txt",
        tree / "a/mid.parquet",
    ]
    assert list((tree / "missing").rglob("*")) == []


def test_iterdir_and_glob_list_one_level(tree: ObjectPath) -> None:
    """iterdir lists files and folders directly below; glob filters that list by name."""
    assert set(tree.iterdir()) == {tree / n for n in ("top.parquet", "a", "c", "dir.parquet")}
    assert set((tree / "a").iterdir()) == {tree / "a/mid.parquet", tree / "a/b"}
    assert set(tree.glob("*.parquet")) == {tree / "top.parquet", tree / "dir.parquet"}
    assert set((tree / "a/b").glob("*.txt")) == {tree / "a/b/notes.txt"}
    assert list(tree.glob("*.csv")) == []
    assert list((tree / "missing").iterdir()) == []


@pytest.mark.parametrize("key", [k for k in TREE if not k.startswith("dir.")])
def test_stat_size_and_read_bytes_match_what_was_written(tree: ObjectPath, key: str) -> None:
    """st_size is the object's length and read_bytes its bytes."""
    path = tree / key
    assert path.stat().st_size == len(TREE[key])
    assert path.stat().st_mtime_ns > 0
    assert path.read_bytes() == TREE[key]
    with path.open() as handle:
        handle.seek(1 if TREE[key] else 0)
        assert handle.read() == TREE[key][1:]


def test_stat_of_a_missing_key_raises(root: ObjectPath) -> None:
    """stat of nothing is FileNotFoundError, as for a local path."""
    with pytest.raises(FileNotFoundError):
        (root / "missing.parquet").stat()


def test_read_text(client: Any, root: ObjectPath) -> None:
    """read_text decodes UTF-8 by default."""
    _put(client, root / "note.txt", "déjà vu".encode())
    assert (root / "note.txt").read_text() == "déjà vu"


def test_unlink_deletes_the_object(client: Any, tree: ObjectPath) -> None:
    """unlink removes exactly that object; its neighbours stay."""
    (tree / "a/b/deep.parquet").unlink()
    assert not (tree / "a/b/deep.parquet").exists()
    assert "a/b/deep.parquet" not in _keys(client, tree)
    assert (tree / "a/b/notes.txt").read_bytes() == TREE["a/b/notes.txt"]
    assert sorted((tree / "a/b").rglob("*")) == [tree / "a/b/notes.txt"]


def test_unlink_of_a_missing_key(root: ObjectPath) -> None:
    """missing_ok=True tolerates a missing key; the default raises FileNotFoundError."""
    (root / "missing.parquet").unlink(missing_ok=True)
    with pytest.raises(FileNotFoundError):
        (root / "missing.parquet").unlink()


def test_unlinking_the_last_object_leaves_no_file_behind(client: Any, root: ObjectPath) -> None:
    """No object is left after the last one is unlinked, only pyarrow's empty folder marker.

    pyarrow's S3 `delete_file` re-creates the parent as a `prefix/` marker (and
    `delete_dir` the grandparent), so an emptied folder still exists with no
    files; listings (`rglob`) see nothing in it.
    """
    _put(client, root / "site=a/only.parquet", b"x")
    (root / "site=a/only.parquet").unlink()
    assert _keys(client, root) <= {"site=a/"}  # at most the marker, no object
    assert list(root.rglob("*")) == []


@pytest.mark.parametrize("mode", ["wb", "ab", "w", "r", "r+b"])
def test_open_is_read_only(tree: ObjectPath, mode: str) -> None:
    """Only 'rb': tables are written by delta-rs, the report page whole by one PUT."""
    with pytest.raises(ValueError, match="only 'rb'"):
        (tree / "top.parquet").open(mode)


def test_object_path_pickles_and_still_reads(tree: ObjectPath) -> None:
    """An unpickled path (a Dask worker's copy) is equal and reads the same object."""
    path = tree / "a/mid.parquet"
    copy = pickle.loads(pickle.dumps(path))
    assert copy == path
    assert copy.fs is not path.fs
    assert copy.read_bytes() == TREE["a/mid.parquet"]


@pytest.mark.parametrize("key", ["x", "a/b.c/d.parquet", "site=2026-01/part-0.parquet"])
def test_from_uri_round_trips(root: ObjectPath, key: str) -> None:
    """Parsing a path's URL gives the same path; store_path agrees."""
    path = root / key
    assert ObjectPath.from_uri(str(path)) == path
    assert isinstance(store_path(str(path)), ObjectPath)
    assert store_path(str(path)) == path
    assert Warehouse.at(str(root)).root == root


@pytest.mark.parametrize(
    "url", ["s3://bucket/p?endpoint_override=127.0.0.1:9000", "s3://bucket/p#x"]
)
def test_store_options_in_the_url_are_refused(url: str) -> None:
    """Options in the URL would reach pyarrow but not delta-rs: one place, the AWS_*
    variables, configures both."""
    with pytest.raises(WarehouseError, match="AWS_"):
        Warehouse.at(url)
