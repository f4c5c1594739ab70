"""Archive inputs end to end: a saved HTML page, a WARC built here with warcio's writer, and a
WACZ made from it, converted from the command line to every format and checked by the same
validators as every other output (EPUBCheck, python-docx and LibreOffice, feedparser and the
Atom grammar, the JSON Schema).

The readers are the first-party extras ``plugins/protocol-convert-html`` and
``plugins/protocol-convert-warc`` (``.ci/run`` installs them); without them these tests skip,
and under ``CI=true`` they fail."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import feedparser
import jsonschema
import pytest
import validators
from conftest import ROOT, require_tool

from convert import jsonform
from convert.plugins import load_registry
from convert.testing import run_cli

PAGES = ROOT / "plugins" / "protocol-convert-html" / "tests" / "pages"
ARTICLE = PAGES / "protocol_article.html"
ARTICLE_URL = "https://www.protocol.com/enterprise/chip-shortage-carmakers-last-in-line"
SECOND_URL = "https://www.protocol.com/workplace/open-plan-office-end"
SCHEMA = json.loads(jsonform.SCHEMA_PATH.read_text(encoding="utf-8"))
JSONFEED_SCHEMA = ROOT / "plugins" / "protocol-convert-jsonfeed" / "tests" / "jsonfeed-1.1.schema.json"


@pytest.fixture(scope="module")
def registry():
    registry = load_registry()
    for reader in ("html", "warc"):
        require_tool(f"the {reader} reader", reader in registry.readers,
                     f"pip install -e plugins/protocol-convert-{reader}")
    return registry


def formats(registry) -> list[str]:
    return sorted(registry.exporters)


def build_warc(path: Path) -> Path:
    """Two pages (one captured with its request, behind a redirect), a revisit and a PDF."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))

        def record(url, kind, payload, *, date, http=None):
            writer.write_record(writer.create_warc_record(url, kind, payload=io.BytesIO(payload), length=len(payload),
                                                          http_headers=http, warc_headers_dict={"WARC-Date": date}))

        def http(status, content_type, *extra):
            return StatusAndHeaders(status, [("Content-Type", content_type), *extra], protocol="HTTP/1.1")

        record(ARTICLE_URL, "request", b"GET /enterprise/chip-shortage-carmakers-last-in-line HTTP/1.1\r\n\r\n",
               date="2022-03-01T10:00:00Z")
        record(ARTICLE_URL, "response", ARTICLE.read_bytes(), date="2022-03-01T10:00:00Z",
               http=http("200 OK", "text/html; charset=utf-8"))
        record("https://protocol.com/workplace/open-plan", "response", b"", date="2022-03-01T10:01:00Z",
               http=http("301 Moved Permanently", "text/html", ("Location", SECOND_URL)))
        record(SECOND_URL, "response", (PAGES / "protocol_no_jsonld.html").read_bytes(), date="2022-03-01T10:02:00Z",
               http=http("200 OK", "text/html"))
        writer.write_record(writer.create_revisit_record(ARTICLE_URL, digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                                         refers_to_uri=ARTICLE_URL,
                                                         refers_to_date="2022-03-01T10:00:00Z"))
        record("https://www.protocol.com/report.pdf", "response", b"%PDF-1.4\n", date="2022-03-01T10:03:00Z",
               http=http("200 OK", "application/pdf"))
    return path


def build_wacz(warc: Path, path: Path) -> Path:
    """A WACZ as the format lays one out: the WARC under archive/, a datapackage.json."""
    data = warc.read_bytes()
    package = {"profile": "data-package", "wacz_version": "1.1.1",
               "resources": [{"name": warc.name, "path": f"archive/{warc.name}", "bytes": len(data)}]}
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr(zipfile.ZipInfo(f"archive/{warc.name}", (2022, 3, 1, 0, 0, 0)), data,
                        compress_type=zipfile.ZIP_STORED)
        bundle.writestr("datapackage.json", json.dumps(package))
    return path


@pytest.fixture(scope="module")
def converted(registry, tmp_path_factory):
    """Every format of: the saved page; the WARC and the WACZ as collections."""
    root = tmp_path_factory.mktemp("archives")
    warc = build_warc(root / "crawl.warc.gz")
    wacz = build_wacz(warc, root / "crawl.wacz")
    names = ",".join(formats(registry))
    outputs = {}
    for label, source, extra in (("page", ARTICLE, []), ("warc", warc, ["--collection"]),
                                 ("wacz", wacz, ["--collection"])):
        out = root / label
        result = run_cli(["convert", str(source), *extra, "-t", names, "-o", str(out)])
        assert result.exit_code == 0, result.output
        outputs[label] = out
        if label != "page":
            assert "skipped 5 (warcinfo: 1, request: 1, redirect: 1, revisit: 1, not HTML: 1)" in result.stderr
            assert "converted 2, skipped 0, failed 0" in result.stderr
    return root, outputs


def output(outputs, label, fmt):
    """The file of one format: named after the page, or ``collection`` for an archive."""
    stem = "protocol_article" if label == "page" else "collection"
    return outputs[label] / (stem + load_registry().exporter(fmt).extension)


def test_every_format_is_written_for_each_input(registry, converted):
    _, outputs = converted
    for label, directory in outputs.items():
        assert sorted(p.name for p in directory.iterdir()) == sorted(output(outputs, label, f).name
                                                                     for f in formats(registry)), label


def test_json_is_schema_valid_and_carries_the_provenance(converted):
    _, outputs = converted
    page = json.loads(output(outputs, "page", "json").read_text(encoding="utf-8"))
    jsonschema.validate(page, SCHEMA)
    assert page["schema_version"] == "1.2"
    main = page["document"]["articles"][0]
    assert (main["url"], main["date"], [a["name"] for a in main["authors"]]) == (
        ARTICLE_URL, "2021-05-12", ["Maya Ortiz", "Tom Becker"])
    for label in ("warc", "wacz"):
        collection = json.loads(output(outputs, label, "json").read_text(encoding="utf-8"))
        jsonschema.validate(collection, SCHEMA)
        sources = [d["source"] for d in collection["documents"]]
        assert [s["url"] for s in sources] == [ARTICLE_URL, SECOND_URL]
        assert [s["captured"] for s in sources] == ["2022-03-01T10:00:00Z", "2022-03-01T10:02:00Z"]
        assert all(s["reader"] == "warc" and s["payload_digest"].startswith("sha1:") for s in sources)
        lines = [json.loads(line) for line in output(outputs, label, "jsonl").read_text().splitlines()]
        article_schema = {**SCHEMA["$defs"]["article"], "$defs": SCHEMA["$defs"]}
        for line in lines:
            jsonschema.validate({k: v for k, v in line.items() if k != "source"}, article_schema)
        assert [line["url"] for line in lines if line["role"] == "main"] == [ARTICLE_URL, SECOND_URL]


def test_epubs_pass_epubcheck(converted):
    root, outputs = converted
    books = [output(outputs, label, "epub") for label in outputs]
    renamed = []
    for label, book in zip(outputs, books, strict=True):
        target = root / f"{label}-book.epub"
        target.write_bytes(book.read_bytes())
        renamed.append(target)
    for name, ((fatals, errors, warnings, _), report) in validators.epubcheck(renamed, root).items():
        assert (fatals, errors, warnings) == (0, 0, 0), f"{name}: {report}"


def test_docx_reopen_and_render(converted):
    import docx

    root, outputs = converted
    files = []
    for label in outputs:
        path = output(outputs, label, "docx")
        text = "\n".join(p.text for p in docx.Document(path).paragraphs)
        assert "Why carmakers were last in line for chips" in text
        target = root / f"{label}-doc.docx"
        target.write_bytes(path.read_bytes())
        files.append(target)
    pdfs = validators.soffice_pdf(files, root)
    assert all(pdf.stat().st_size > 1000 for pdf in pdfs.values())


def test_feeds_parse_cleanly_and_atom_is_valid(converted):
    _, outputs = converted
    atoms = []
    for label in outputs:
        for fmt in ("rss", "atom"):
            feed = feedparser.parse(output(outputs, label, fmt).read_bytes())
            assert feed.bozo == 0, (label, fmt, getattr(feed, "bozo_exception", None))
            assert "Why carmakers were last in line for chips" in [e.title for e in feed.entries]
        rss = output(outputs, label, "rss").read_text(encoding="utf-8")
        assert all(f"<{tag}>" in rss for tag in ("title", "link", "description"))
        atoms.append(output(outputs, label, "atom"))
    validators.jing(atoms)


def test_the_extras_formats_read_back(registry, converted):
    _, outputs = converted
    """The first-party output extras, when installed (.ci/run installs them)."""
    if "jsonfeed" in registry.exporters:
        schema = json.loads(JSONFEED_SCHEMA.read_text(encoding="utf-8"))
        for label in outputs:
            feed = json.loads(output(outputs, label, "jsonfeed").read_text(encoding="utf-8"))
            jsonschema.validate(feed, schema)
            assert "Why carmakers were last in line for chips" in [item.get("title") for item in feed["items"]]
    if "markdown" in registry.exporters:
        markdown = output(outputs, "page", "markdown").read_text(encoding="utf-8")
        assert markdown.startswith("---\n") and "Why carmakers were last in line for chips" in markdown


# --- what the presentation layer is to show ------------------------------------------------------


def test_dates_urls_and_bylines_from_the_html_reach_the_feeds_epub_and_docx(registry, tmp_path):
    """The story's URL, date and bylines, read from the HTML, shown by every format: the
    feeds' item link and date, the EPUB's and the DOCX's dateline, byline and link."""
    import docx

    result = run_cli(["convert", str(ARTICLE), "-t", "rss,atom,epub,docx", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    day = dt.date(2021, 5, 12)
    dates = (day.isoformat(), "May 12, 2021", "12 May 2021")
    names = ("Maya Ortiz", "Tom Becker")
    for extension in (".rss", ".atom"):
        feed = feedparser.parse((tmp_path / f"protocol_article{extension}").read_bytes())
        entry = next(e for e in feed.entries if e.title == "Why carmakers were last in line for chips")
        assert entry.link == ARTICLE_URL, extension
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        assert published is not None and published[:3] == (2021, 5, 12), extension
        assert set(names) <= {a.get("name") for a in entry.get("authors", [])} | set(
            re.split(r",\s*|\s+and\s+", entry.get("author", ""))), extension
    with zipfile.ZipFile(tmp_path / "protocol_article.epub") as book:
        pages = " ".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xhtml"))
    assert f'href="{ARTICLE_URL}"' in pages
    assert any(d in pages for d in dates) and all(n in pages for n in names)
    document = docx.Document(tmp_path / "protocol_article.docx")
    text = "\n".join(p.text for p in document.paragraphs)
    targets = [r.target_ref for r in document.part.rels.values() if r.is_external]
    assert ARTICLE_URL in targets
    assert any(d in text for d in dates) and all(n in text for n in names)
