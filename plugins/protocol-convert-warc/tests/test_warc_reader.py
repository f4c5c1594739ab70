"""The warc reader: web archives built here with warcio's writer (and a WACZ built from one with
py-wacz, Webrecorder's tool), read back, and damaged archives: one clear error per bad
record, the good records still converted, nothing half-written."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from archives import (
    FIRST,
    LAST,
    LATIN,
    LIAR,
    SECOND,
    Archive,
    crawl,
    response,
    truncated,
    warcinfo,
    with_declared_length,
)

import convert
from convert import jsonform
from convert.errors import InputError
from convert.plugins import load_registry
from convert.testing import check_lazy_import, run_cli

REGISTRY = load_registry()
FIRST_URL = "https://www.protocol.com/fintech/stablecoin-rules"
SECOND_URL = "https://www.protocol.com/climate/data-center-water"


def read(data: bytes, name: str = "crawl.warc.gz"):
    errors, skips = [], []
    documents = list(convert.parse_all(io.BytesIO(data), name=name, reader="warc", registry=REGISTRY,
                                       on_error=errors.append, on_skip=skips.append))
    return documents, [str(e) for e in errors], sorted(s.kind for s in skips)


def test_registered_chosen_by_extension_and_sniffed():
    assert REGISTRY.plugins["warc"].error is None
    for name in ("crawl.warc", "crawl.warc.gz", "CRAWL.WACZ"):
        assert REGISTRY.reader_for(name).name == "warc"
    assert REGISTRY.reader("warc").streaming
    gz = crawl()[0].bytes
    plain = crawl(gzip=False)[0].bytes
    assert REGISTRY.reader_for(None, head=gz[:4096]).name == "warc"
    assert REGISTRY.reader_for(None, head=plain[:4096]).name == "warc"
    assert REGISTRY.reader_for(None, head=b"\x1f\x8b\x08\x00junk").name == "protocol"


@pytest.mark.parametrize("gzipped", [True, False], ids=["warc.gz", "warc"])
def test_each_html_response_is_a_document_with_its_provenance(gzipped):
    archive, at = crawl(gzip=gzipped)
    documents, errors, skipped = read(archive.bytes)
    assert errors == []
    assert [d.source.name for d in documents] == [f"crawl.warc.gz#{at[k]}" for k in ("first", "second", "first_later")]
    first, second, later = documents
    assert first.source.reader == "warc"
    assert (first.source.url, first.source.captured) == (FIRST_URL, "2022-03-01T10:00:00Z")
    assert first.source.payload_digest.startswith("sha1:")
    assert (first.main.url, first.main.date, first.main.section) == (FIRST_URL, "2022-03-01", "Fintech")
    assert first.main.title == "Stablecoin rules arrive before the stablecoins do"
    assert [a.name for a in first.main.authors] == ["Rae Okafor"]
    assert second.main.body[0].content[0].text.startswith("A single hyperscale campus")  # gzip-encoded body
    assert later.source.url == FIRST_URL + "?utm_source=newsletter" and later.main.url == FIRST_URL
    assert skipped == sorted(["warcinfo", "request", "request", "request", "revisit", "redirect", "not HTML",
                              "status 4xx"])


def test_chunked_responses_and_resource_records_are_pages_too():
    import io as _io

    from warcio.warcwriter import WARCWriter

    html = FIRST.encode("utf-8")
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (html[:700], html[700:])) + b"0\r\n\r\n"
    archive = Archive()
    archive.add(response(FIRST_URL, chunked, date="2022-03-01T10:00:00Z",
                         headers=(("Transfer-Encoding", "chunked"),)))

    def resource(writer: WARCWriter) -> None:
        body = SECOND.encode("utf-8")
        writer.write_record(writer.create_warc_record(SECOND_URL, "resource", payload=_io.BytesIO(body),
                                                      length=len(body), warc_content_type="text/html",
                                                      warc_headers_dict={"WARC-Date": "2022-03-02T10:00:00Z"}))

    archive.add(resource)
    documents, errors, skipped = read(archive.bytes)
    assert errors == [] and skipped == []
    assert [d.main.url for d in documents] == [FIRST_URL, SECOND_URL]
    assert documents[0].main.body[0].content[0].text.startswith("Lawmakers agreed on reserve requirements")


def test_a_wacz_built_by_py_wacz_reads_back_to_the_same_pages(tmp_path):
    archive, _ = crawl()
    warc = archive.save(tmp_path / "crawl.warc.gz")
    tool = shutil.which("wacz") or str(Path(sys.executable).parent / "wacz")
    done = subprocess.run([tool, "create", "-o", str(tmp_path / "crawl.wacz"), str(warc)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    from_warc = list(convert.parse_all(warc, registry=REGISTRY))
    from_wacz = list(convert.parse_all(tmp_path / "crawl.wacz", registry=REGISTRY))
    assert [d.source.name.split("#")[0] for d in from_wacz] == ["crawl.wacz/archive/crawl.warc.gz"] * 3
    assert [d.articles for d in from_wacz] == [d.articles for d in from_warc]
    assert [d.source.captured for d in from_wacz] == [d.source.captured for d in from_warc]


def test_a_collection_keeps_the_latest_capture_or_the_earliest(tmp_path):
    archive, _ = crawl()
    warc = archive.save(tmp_path / "crawl.warc.gz")
    for keep, expected in (("latest", "on Tuesday night"), ("earliest", "on Tuesday,")):
        out = tmp_path / f"{keep}.json"
        result = run_cli(["convert", str(warc), "--collection", "--captures", keep, "-t", "json", "-o", str(out)])
        assert result.exit_code == 0, result.output
        documents = jsonform.loads(out.read_bytes())
        assert [d.main.url for d in documents] == [SECOND_URL, FIRST_URL] if keep == "latest" else \
            [FIRST_URL, SECOND_URL]
        first = next(d for d in documents if d.main.url == FIRST_URL)
        assert expected in first.main.body[0].content[0].text
        assert "converted 3, skipped 0, failed 0" in result.stderr
        assert f"{warc}: skipped 8 (request: 3, warcinfo: 1, revisit: 1, redirect: 1, not HTML: 1, status 4xx: 1)" \
            in result.stderr


def test_without_collection_each_page_gets_its_own_file(tmp_path):
    warc = crawl()[0].save(tmp_path / "crawl.warc.gz")
    result = run_cli(["convert", str(warc), "-t", "json", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out" / "crawl").iterdir()) == [
        "data-center-water.json", "stablecoin-rules-2.json", "stablecoin-rules.json"]


def test_standard_input_is_read_as_a_stream(tmp_path):
    data = crawl()[0].bytes
    result = run_cli(["convert", "-", "-f", "warc", "--collection", "-t", "jsonl", "-o", "-"], input=data)
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["url"] for line in result.stdout.splitlines()] == [SECOND_URL, FIRST_URL]
    damaged = Archive()
    damaged.add(response(FIRST_URL, FIRST, date="2022-03-01T10:00:00Z"))
    damaged.add_raw(truncated(damaged.record_bytes(response(SECOND_URL, SECOND, date="2022-03-01T10:00:00Z"))))
    damaged.add(response(SECOND_URL, SECOND, date="2022-03-02T10:00:00Z"))
    # a pipe cannot seek: the reading stops at the damage, and says so
    command = [sys.executable, "-m", "convert", "-", "-f", "warc", "--collection", "-t", "jsonl", "-o", "-"]
    piped = subprocess.run(command, input=damaged.bytes, capture_output=True, check=False)
    stderr = piped.stderr.decode()
    assert piped.returncode == 1, stderr
    assert "cannot look past the damaged record" in stderr and "read the archive from a file" in stderr
    assert [json.loads(line)["url"] for line in piped.stdout.decode().splitlines()] == [FIRST_URL]
    # a file can: the page after the damage is read too
    seekable = run_cli(["convert", "-", "-f", "warc", "--collection", "-t", "jsonl", "-o", "-"], input=damaged.bytes)
    assert seekable.exit_code == 1 and len(seekable.stdout.splitlines()) == 2


# --- hostile archives ---------------------------------------------------------------------------


BIG = 50 * 1024 * 1024


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """good, a truncated gzip member, good, a record whose declared length lies, a page in
    windows-1252 naming no charset, a 50 MB page, good."""
    archive = Archive()
    at: dict[str, int] = {}
    archive.add(warcinfo)
    at["good1"] = archive.add(response(FIRST_URL, FIRST, date="2022-03-01T10:00:00Z"))
    at["cut"] = archive.add_raw(truncated(archive.record_bytes(
        response("https://www.protocol.com/cut", SECOND, date="2022-03-01T10:00:01Z"))))
    at["good2"] = archive.add(response(SECOND_URL, SECOND, date="2022-03-01T10:00:02Z"))
    record = archive.record_bytes(response("https://www.protocol.com/liar", LIAR, date="2022-03-01T10:00:03Z"))
    at["liar"] = archive.add_raw(with_declared_length(record, 99_999))
    at["latin"] = archive.add(response("https://www.protocol.com/policy/cafe-tax", LATIN, content_type="text/html",
                                       encode="cp1252", date="2022-03-01T10:00:04Z"))
    huge = "<html><body><p>" + "x" * BIG + "</p></body></html>"
    at["huge"] = archive.add(response("https://www.protocol.com/huge", huge, date="2022-03-01T10:00:05Z"))
    at["good3"] = archive.add(response("https://www.protocol.com/fintech/last-word", LAST, date="2022-03-01T10:00:06Z"))
    path = archive.save(tmp_path_factory.mktemp("hostile") / "hostile.warc.gz")
    return path, at


def test_one_clear_error_per_bad_record_and_the_good_ones_converted(hostile):
    path, at = hostile
    documents, errors, _ = read(path.read_bytes(), name="hostile.warc.gz")
    good = ("good1", "good2", "latin", "good3")
    assert [d.source.name for d in documents] == [f"hostile.warc.gz#{at[k]}" for k in good]
    assert len(errors) == 3, errors
    cut, liar, huge = errors
    assert cut.startswith(f"hostile.warc.gz: record at byte {at['cut']}") and "truncated gzip member" in cut
    assert liar.startswith(f"hostile.warc.gz: record at byte {at['liar']} (https://www.protocol.com/liar)")
    assert "declared length (99999)" in liar
    assert huge == (f"hostile.warc.gz: record at byte {at['huge']} (https://www.protocol.com/huge): "
                    "its page is over the 52,428,800-byte limit")
    assert all("\n" not in e and "Traceback" not in e for e in errors)
    latin = documents[2].main
    assert latin.title == "Why the caf\u00e9 tax failed"
    assert latin.body[0].content[0].text == ("The so-called caf\u00e9 tax \u2014 a levy on \u201cdigital services\u201d"
                                             " \u2014 died in committee.")


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_a_hostile_archive_converts_what_it_can_and_writes_nothing_half_made(hostile, tmp_path, fmt):
    path, _ = hostile
    out = tmp_path / f"book.{fmt}"
    result = run_cli(["convert", str(path), "--collection", "-t", fmt, "-o", str(out)])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("protocol-convert: error:")]
    assert len(lines) == 3
    assert all(line.startswith(f"protocol-convert: error: {path}: record at byte ") for line in lines)
    assert "converted 4, skipped 0, failed 3" in result.stderr
    assert "Traceback" not in result.output
    text = out.read_text(encoding="utf-8")
    urls = [json.loads(line)["url"] for line in text.splitlines()] if fmt == "jsonl" else \
        [d.main.url for d in jsonform.loads(text)]
    assert urls == [FIRST_URL, SECOND_URL, "https://www.protocol.com/policy/caf\u00e9-tax",
                    "https://www.protocol.com/fintech/last-word"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name], "no temporary file left"


def test_registering_imports_no_heavy_library():
    check_lazy_import("protocol_convert_warc", heavy=("warcio", "lxml", "trafilatura"))


def test_an_empty_or_foreign_input_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="is empty"):
        list(convert.parse_all(b"", reader="warc", name="empty.warc", registry=REGISTRY))
    path = tmp_path / "fake.wacz"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="not a readable WACZ"):
        list(convert.parse_all(path, registry=REGISTRY))
    documents, errors, _ = read(b"this is not a WARC at all\r\n", name="text.warc")
    assert documents == [] and errors == ["text.warc: record at byte 0: cannot be read (no WARC record starts here)"]


def test_the_reader_passes_the_conformance_kit():
    from convert.testing import check_reader

    check_reader("warc", [("crawl.warc.gz", crawl()[0].bytes), ("crawl.warc", crawl(gzip=False)[0].bytes)],
                 registry=REGISTRY)
