"""extractors.files: listing inputs and reading each file into articles or rejects."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from extractors.files import list_inputs, read_file, sidecar
from extractors.files import read as files_read
from extractors.html import extract_html
from extractors.records import ExtractionMethod, Metadata, ParsedArticle, Reject, RejectReason

EVAL_PAGE = Path("html/adbar__trafilatura/eval/bbc.com.52241221.html")
GOLANG = Path("encodings/golang__net/testdata")
COMPRESSED = Path("compression/scrapy__scrapy/compressed")
JSON_SUITE = Path("json/nst__JSONTestSuite/test_parsing")
STORY = "Storm closes the harbour\n\nBoats stayed in port on Monday."


def page_parser(html: str, *, locator: str, hints: Metadata) -> ParsedArticle:
    """Stands in for extract_html: 'finds' a title and author, treating hints as fallbacks."""
    found = Metadata(title="Title from page", authors=("Page Author",))
    return ParsedArticle(locator, html, hints.overridden_by(found), ExtractionMethod.TRAFILATURA)


def _read(path: Path, source: str | None = "local") -> list[ParsedArticle | Reject]:
    return list(read_file(path, source=source, parse_html=page_parser))


def _one(path: Path, source: str | None = "local") -> ParsedArticle | Reject:
    (item,) = _read(path, source)
    return item


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def test_list_inputs_sorted_recursive_without_hidden_or_sidecars(tmp_path: Path) -> None:
    """Folders are walked; hidden entries and both sidecar spellings are left out."""
    for name in [
        "b.txt",
        "a.html",
        "a.html.json",  # exact sidecar
        "sub/c.txt",
        "sub/c.json",  # loose sidecar: no c.txt.json
        "sub/d.html.gz",
        "sub/d.json",  # loose sidecar of a gzipped page
        "sub/lonely.json",  # no sibling: an input (rejected as unsupported later)
        ".hidden.txt",
        ".git/config.txt",
    ]:
        _write(tmp_path / name, "{}" if name.endswith(".json") else "x")
    assert list_inputs([tmp_path]) == [
        tmp_path / "a.html",
        tmp_path / "b.txt",
        tmp_path / "sub/c.txt",
        tmp_path / "sub/d.html.gz",
        tmp_path / "sub/lonely.json",
    ]


def test_list_inputs_keeps_named_files_and_dedups(tmp_path: Path) -> None:
    """A file named explicitly is kept even if hidden; one listed twice appears once."""
    hidden = _write(tmp_path / ".notes.txt", "x")
    plain = _write(tmp_path / "a.txt", "x")
    assert list_inputs([plain, hidden, tmp_path]) == [hidden, plain]


def test_list_inputs_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    """A path that does not exist raises FileNotFoundError naming it."""
    with pytest.raises(FileNotFoundError, match="nope"):
        list_inputs([tmp_path / "nope"])


def test_relative_paths_stay_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Listing and locators keep relative paths as given."""
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "in/a.txt", "Headline of the story\n\nBody text.")
    (path,) = list_inputs([Path("in")])
    item = _one(path)
    assert path == Path("in/a.txt")
    assert item.locator == "in/a.txt"


@pytest.mark.parametrize(
    ("name", "marker"),
    [
        ("UTF-16BE-BOM.html", "\u00c3\u0153\u00c3\u20ac\u00c3\u0161"),
        ("UTF-16LE-BOM.html", "\u00c3\u0153\u00c3\u20ac\u00c3\u0161"),
        ("UTF-8-BOM-vs-meta-charset.html", "\u00fd\u00e4\u00e8"),
        ("meta-charset-attribute.html", "\u00c3\u0153\u00c3\u20ac\u00c3\u0161"),
        ("No-encoding-declaration.html", "\u00fd\u00e4\u00e8"),
    ],
)
def test_html_files_are_decoded_before_parsing(
    corpus: Path, tmp_path: Path, name: str, marker: str
) -> None:
    """The parser gets text decoded by BOM or meta charset, as the W3C pages require."""
    path = Path(shutil.copy(corpus / GOLANG / name, tmp_path / name))
    item = _one(path)
    assert isinstance(item, ParsedArticle)
    assert f"class='{marker}'" in item.body
    assert not item.body.startswith("\ufeff")


def test_sidecar_charset_is_used(tmp_path: Path) -> None:
    """A sidecar's charset decodes the file; a .txt with a headline gets it as title."""
    text = "Zażółć gęślą jaźń w Łodzi\n\nTreść artykułu o źdźble."
    path = _write(tmp_path / "pl.txt", text.encode("iso-8859-2"))
    _write(tmp_path / "pl.txt.json", json.dumps({"charset": "iso-8859-2", "section": "Kraj"}))
    item = _one(path)
    assert isinstance(item, ParsedArticle)
    assert item.metadata.title == "Zażółć gęślą jaźń w Łodzi"
    assert item.body == "Treść artykułu o źdźble."
    assert item.metadata.section == "Kraj"


def test_sidecar_overrides_the_page(tmp_path: Path) -> None:
    """Sidecar fields win over what the parser finds; the page fills what the sidecar lacks."""
    path = _write(tmp_path / "story.html", "<p>x</p>")
    _write(tmp_path / "story.json", json.dumps({"Title": "Sidecar title", "source": "wire"}))
    item = _one(path, source="cli")
    assert isinstance(item, ParsedArticle)
    assert item.metadata.title == "Sidecar title"
    assert item.metadata.authors == ("Page Author",)
    assert item.metadata.source == "wire"


def test_gzipped_real_page_with_sidecar(corpus: Path, tmp_path: Path) -> None:
    """A gzipped news page goes through extract_html; the sidecar's title and source win."""
    path = tmp_path / "bbc.html.gz"
    path.write_bytes(gzip.compress((corpus / EVAL_PAGE).read_bytes()))
    _write(tmp_path / "bbc.html.gz.json", json.dumps({"title": "Given", "url": "https://b.c/1"}))
    (item,) = read_file(path, source="local", parse_html=extract_html)
    assert isinstance(item, ParsedArticle)
    assert item.extraction_method is ExtractionMethod.TRAFILATURA
    assert (item.metadata.title, item.metadata.url) == ("Given", "https://b.c/1")
    assert item.metadata.source == "local"
    assert len(item.body) > 500


def test_gzip_bytes_under_a_plain_name(tmp_path: Path) -> None:
    """A .html file that is really gzip is gunzipped rather than rejected as binary."""
    path = tmp_path / "page.html"
    path.write_bytes(gzip.compress(b"<html><body><p>Hello there.</p></body></html>"))
    item = _one(path)
    assert isinstance(item, ParsedArticle)
    assert "Hello there." in item.body


def test_seed_text_file(seed_path: Path) -> None:
    """The seed .txt becomes one plain-text article without a title."""
    item = _one(seed_path)
    assert isinstance(item, ParsedArticle)
    assert item.metadata.title is None
    assert item.extraction_method is ExtractionMethod.PLAIN_TEXT
    assert item.metadata.source == "local"


@pytest.mark.parametrize(
    ("corpus_file", "name", "reason", "detail"),
    [
        ("truncated-crc-error.gz", "page.html.gz", RejectReason.UNREADABLE, "truncated"),
        ("html-br.bin", "brotli.txt", RejectReason.UNDECODABLE, "NUL byte"),
        ("html-gzip.bin", "page.txt.gz.zst", RejectReason.UNSUPPORTED_TYPE, ".zst"),
        ("html-br.bin", "not-gzip.html.gz", RejectReason.UNREADABLE, "gzip"),
    ],
)
def test_bad_files_are_rejected(
    corpus: Path, tmp_path: Path, corpus_file: str, name: str, reason: str, detail: str
) -> None:
    """Truncated gzip, binary text, unknown types and fake .gz each give one reject."""
    path = Path(shutil.copy(corpus / COMPRESSED / corpus_file, tmp_path / name))
    item = _one(path)
    assert isinstance(item, Reject)
    assert (item.locator, item.reason, item.source) == (str(path), reason, "local")
    assert detail in item.detail


def test_gzip_bomb_is_capped(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A document inflating past the cap is rejected, not read whole."""
    # the bomb inflates to 11.5 MB
    monkeypatch.setattr(files_read, "MAX_DOCUMENT_BYTES", 1024 * 1024)
    path = Path(shutil.copy(corpus / COMPRESSED / "bomb-gzip.bin", tmp_path / "bomb.html.gz"))
    item = _one(path)
    assert isinstance(item, Reject)
    assert (item.reason, item.detail) == (
        RejectReason.UNREADABLE,
        "larger than 1 MB (after decompression); not read",
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.txt", b""), ("blank.html", b"\n \n"), ("empty.jsonl", b""), ("blank.jsonl", b"\n\n")],
)
def test_empty_files_are_empty_body(tmp_path: Path, name: str, content: bytes) -> None:
    """Empty or blank files give one EMPTY_BODY reject, never nothing."""
    item = _one(_write(tmp_path / name, content))
    assert isinstance(item, Reject)
    assert item.reason == RejectReason.EMPTY_BODY


@pytest.mark.parametrize(
    ("sidecar", "detail"),
    [
        ('{"authors": 3}', "sidecar a.txt.json: field 'authors' must be"),
        ('{"charset": 5}', "sidecar a.txt.json: 'charset' must be a string"),
    ],
)
def test_broken_sidecar_rejects_the_document(tmp_path: Path, sidecar: str, detail: str) -> None:
    """A JSON-object sidecar with a bad field rejects its document rather than being ignored."""
    path = _write(tmp_path / "a.txt", "Some text.")
    _write(tmp_path / "a.txt.json", sidecar)
    assert list_inputs([tmp_path]) == [path]
    item = _one(path)
    assert isinstance(item, Reject)
    assert item.reason == RejectReason.INVALID_FIELD
    assert item.detail.startswith(detail)


def _read_apart(folder: Path, json_name: str) -> Reject:
    """Lists `folder` (story.txt and a .json that is no sidecar), reads all; the .json's reject.

    Checks what every case shares: both files are inputs, each yields one
    item, and the text file's article comes out whole, without the .json.
    """
    text = _write(folder / "story.txt", STORY)
    inputs = list_inputs([folder])
    assert inputs == sorted([text, folder / json_name])
    items = [item for path in inputs for item in _read(path)]
    assert len(items) == 2
    (article,) = [item for item in items if isinstance(item, ParsedArticle)]
    (reject,) = [item for item in items if isinstance(item, Reject)]
    assert article.locator == str(text)
    assert (article.metadata.title, article.body) == (
        "Storm closes the harbour",
        "Boats stayed in port on Monday.",
    )
    assert (reject.locator, reject.source) == (str(folder / json_name), "local")
    return reject


@pytest.mark.parametrize("json_name", ["story.json", "story.txt.json"])
@pytest.mark.parametrize(
    ("suite_file", "detail"),
    [
        pytest.param(
            "y_string_simple_ascii.json",
            "not a metadata sidecar: holds an array, not a JSON object",
            id="array",
        ),
        pytest.param(
            "y_structure_lonely_string.json",
            "not a metadata sidecar: holds a string, not a JSON object",
            id="string",
        ),
        pytest.param(
            "n_object_trailing_comma.json", "not a metadata sidecar: not valid JSON: ", id="invalid"
        ),
    ],
)
def test_non_object_json_is_its_own_reject(
    corpus: Path, tmp_path: Path, json_name: str, suite_file: str, detail: str
) -> None:
    """A JSON array, string or broken JSON beside a .txt is rejected alone; the text is read."""
    shutil.copy(corpus / JSON_SUITE / suite_file, tmp_path / json_name)
    reject = _read_apart(tmp_path, json_name)
    assert reject.reason is RejectReason.UNSUPPORTED_TYPE
    assert reject.detail.startswith("unsupported file type '.")
    assert detail in reject.detail


def _dangling_link(path: Path) -> None:
    path.symlink_to(path.with_name("missing.json"))


def _over_large(path: Path) -> None:
    _write(path, json.dumps({"title": "x" * sidecar.MAX_SIDECAR_BYTES}))


@pytest.mark.parametrize(
    ("make", "reason", "detail"),
    [
        pytest.param(
            _dangling_link, RejectReason.UNREADABLE, "No such file or directory", id="unreadable"
        ),
        pytest.param(
            _over_large,
            RejectReason.UNSUPPORTED_TYPE,
            "not a metadata sidecar: larger than",
            id="over-large",
        ),
    ],
)
def test_unusable_json_file_is_its_own_reject(
    tmp_path: Path, make: Callable[[Path], None], reason: RejectReason, detail: str
) -> None:
    """An unreadable or over-large .json beside a .txt is rejected alone; the text is read."""
    make(tmp_path / "story.json")
    reject = _read_apart(tmp_path, "story.json")
    assert reject.reason is reason
    assert detail in reject.detail


@pytest.mark.parametrize("json_name", ["story.json", "story.txt.json"])
def test_object_sidecar_is_still_applied(tmp_path: Path, json_name: str) -> None:
    """A JSON-object sidecar is no input of its own and its fields win over the text's."""
    text = _write(tmp_path / "story.txt", STORY)
    sidecar = {"url": "https://example.org/harbour", "section": "Port", "source": "wire"}
    _write(tmp_path / json_name, json.dumps(sidecar))
    assert list_inputs([tmp_path]) == [text]
    article = _one(text)
    assert isinstance(article, ParsedArticle)
    meta = article.metadata
    assert (meta.url, meta.section, meta.source) == ("https://example.org/harbour", "Port", "wire")
    assert (meta.title, article.body) == ("Storm closes the harbour", STORY.split("\n\n")[1])


def test_next_candidate_object_is_the_sidecar(corpus: Path, tmp_path: Path) -> None:
    """When story.txt.json is an array, story.json (an object) is the sidecar instead."""
    shutil.copy(corpus / JSON_SUITE / "y_string_simple_ascii.json", tmp_path / "story.txt.json")
    _write(tmp_path / "story.json", json.dumps({"section": "Port"}))
    text = _write(tmp_path / "story.txt", STORY)
    assert list_inputs([tmp_path]) == [text, tmp_path / "story.txt.json"]
    article = _one(text)
    assert isinstance(article, ParsedArticle)
    assert article.metadata.section == "Port"


def test_lone_json_object_is_unsupported(tmp_path: Path) -> None:
    """A JSON object with no file of its name is one reject saying sidecars need a neighbour."""
    path = _write(tmp_path / "notes.json", json.dumps({"title": "Orphan"}))
    assert list_inputs([tmp_path]) == [path]
    reject = _one(path)
    assert isinstance(reject, Reject)
    assert reject.reason is RejectReason.UNSUPPORTED_TYPE
    assert "read only as the sidecar of a file of the same name" in reject.detail


def test_unreadable_path_is_rejected(tmp_path: Path) -> None:
    """An OSError (here: a folder named like a file) becomes an UNREADABLE reject."""
    path = tmp_path / "folder.txt"
    path.mkdir()
    item = _one(path)
    assert isinstance(item, Reject)
    assert item.reason == RejectReason.UNREADABLE


def test_jsonl_gz_with_sidecar_defaults(tmp_path: Path) -> None:
    """Records in a gzipped JSONL take sidecar defaults; their own fields win."""
    lines = [{"body": "One.", "source": "own"}, {"body": "Two."}, {"body": 3}]
    path = tmp_path / "batch.jsonl.gz"
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in lines).encode()))
    _write(tmp_path / "batch.json", json.dumps({"source": "sidecar", "language": "en"}))
    items = _read(path)
    assert [i.locator for i in items] == [f"{path}#line={n}" for n in (1, 2, 3)]
    one, two, three = items
    assert isinstance(one, ParsedArticle) and isinstance(two, ParsedArticle)
    assert (one.metadata.source, two.metadata.source) == ("own", "sidecar")
    assert two.metadata.language == "en"
    assert isinstance(three, Reject) and three.reason == RejectReason.INVALID_FIELD


def test_truncated_jsonl_gz_keeps_the_records_before(tmp_path: Path) -> None:
    """A JSONL.gz cut short yields its readable records, then one UNREADABLE reject."""
    body = "".join(json.dumps({"body": f"Record {n} " + "x" * 200}) + "\n" for n in range(200))
    data = gzip.compress(body.encode())
    path = _write(tmp_path / "cut.jsonl.gz", data[: len(data) // 2])
    items = _read(path)
    *records, last = items
    assert records
    assert all(isinstance(r, ParsedArticle) for r in records)
    assert isinstance(last, Reject)
    assert (last.locator, last.reason) == (str(path), RejectReason.UNREADABLE)


def test_over_long_jsonl_line_is_cut_and_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line over the record cap is rejected alone and the next line is still read."""
    monkeypatch.setattr(files_read, "MAX_RECORD_BYTES", 100)
    long_line = json.dumps({"body": "x" * 1000})
    path = _write(tmp_path / "a.jsonl", f'{long_line}\n{{"body": "short"}}\n')
    first, second = _read(path)
    assert isinstance(first, Reject) and first.locator.endswith("#line=1")
    assert isinstance(second, ParsedArticle) and second.locator.endswith("#line=2")


def test_csv_file(tmp_path: Path) -> None:
    """A .csv file yields one item per row, with the run's source."""
    path = _write(tmp_path / "a.csv", "title,body\nOne,Body one.\nTwo\n")
    first, second = _read(path)
    assert isinstance(first, ParsedArticle) and first.metadata.source == "local"
    assert isinstance(second, Reject) and second.locator == f"{path}#row=3"


def test_sidecar_of_gzipped_file(tmp_path: Path, seed_path: Path) -> None:
    """`story.txt.json` applies to `story.txt.gz` and is not itself an input."""
    gz = tmp_path / "story.txt.gz"
    gz.write_bytes(gzip.compress(seed_path.read_bytes()))
    _write(tmp_path / "story.txt.json", json.dumps({"title": "From the sidecar"}))
    assert list_inputs([tmp_path]) == [gz]
    article = _one(gz)
    assert isinstance(article, ParsedArticle)
    assert article.metadata.title == "From the sidecar"


def test_one_spelling_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`dir`, `./dir` and the absolute path list the same file the same way."""
    _write(tmp_path / "d" / "a.txt", "text")
    monkeypatch.chdir(tmp_path)
    spellings = [Path("d"), Path("./d"), tmp_path / "d", Path("d/../d")]
    assert {tuple(list_inputs([p])) for p in spellings} == {(Path("d/a.txt"),)}


def test_broken_symlink_is_a_reject_not_silence(tmp_path: Path) -> None:
    """A dangling symlink is listed, and reading it gives an UNREADABLE reject."""
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "missing.txt")
    assert list_inputs([tmp_path]) == [link]
    reject = _one(link)
    assert isinstance(reject, Reject)
    assert reject.reason is RejectReason.UNREADABLE
