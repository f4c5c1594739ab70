"""Inputs that hold many documents (streaming readers), content sniffing, provenance in the
tree (schema 1.1) and captures of one page kept once.

A toy streaming reader stands in for a web archive: a ``.many`` file is JSON Lines, each
line a document tree, ``{"skip": KIND}`` (a part passed over) or ``{"error": MESSAGE}`` (a
part that cannot be read); ``{"fatal": MESSAGE}`` ends the input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest
from conftest import SEED

import convert
from convert import jsonform
from convert.batch import ConvertJob, run_job
from convert.collection import distinct_captures, iter_distinct_captures
from convert.errors import InputError, OptionError
from convert.formats import Exporter, Reader, Skipped
from convert.hookspecs import hookimpl
from convert.plugins import load_registry
from convert.testing import run_cli
from convert.tree import Article, Document, Paragraph, Source, Text, story_id

EVENTS: list[str] = []


def read_many(stream, name, options):
    for number, line in enumerate(stream, 1):
        item = json.loads(line)
        if "skip" in item:
            yield Skipped(item["skip"])
        elif "error" in item:
            yield InputError(f"part {number}: {item['error']}")
        elif "fatal" in item:
            raise InputError(f"part {number}: {item['fatal']}")
        else:
            (document,) = jsonform.load_data(item)
            EVENTS.append(f"read {document.source.name}")
            yield document


def write_trace(documents, stream, options):
    for document in documents:
        EVENTS.append(f"write {document.source.name}")
        stream.write(f"{document.source.name}\n".encode())


class ManyPlugin:
    @hookimpl
    def register_readers(self, register):
        register(Reader(name="many", read=read_many, extensions=(".many",), streaming=True,
                        sniff=lambda head: head.startswith(b'{"schema_version"')))
        register(Reader(name="zzz", read=lambda data, name, options: None, extensions=(".zzz",),
                        sniff=lambda head: 1 / 0))  # a sniffer that raises is a no

    @hookimpl
    def register_exporters(self, register):
        register(Exporter(name="trace", extension=".trace", write=write_trace, streaming=True))


@pytest.fixture(scope="module")
def registry():
    return load_registry(plugins=[ManyPlugin()])


def page(name: str, title: str, *, url: str | None = None, captured: str | None = None) -> Document:
    article = Article(story_id(title), "main", title=title, url=url, body=(Paragraph((Text(f"Body of {title}."),)),))
    return Document(Source(name, "0" * 64, "many", url=url, captured=captured), (article,))


def many_file(path, *items) -> str:
    lines = []
    for item in items:
        data = json.loads(jsonform.dumps(item, indent=None)) if isinstance(item, Document) else item
        lines.append(json.dumps(data))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def run(job, registry):
    messages: list[str] = []
    return run_job(job, registry, echo=messages.append), messages


# --- the library -----------------------------------------------------------------------------


def test_parse_all_yields_each_document_and_hands_on_errors_and_skips(tmp_path, registry):
    path = many_file(tmp_path / "a.many", page("p1", "One"), {"skip": "request"}, {"error": "damaged"},
                     page("p2", "Two"), {"skip": "request"}, {"skip": "not HTML"})
    errors, skips = [], []
    documents = list(convert.parse_all(path, registry=registry, on_error=errors.append, on_skip=skips.append))
    assert [d.source.name for d in documents] == ["p1", "p2"]
    assert [str(e) for e in errors] == [f"{path}: part 3: damaged"]  # the path as given
    assert [s.kind for s in skips] == ["request", "request", "not HTML"]
    with pytest.raises(InputError, match=r"a\.many: part 3: damaged"):  # no on_error: the first error ends it
        list(convert.parse_all(path, registry=registry))


def test_parse_all_is_lazy_and_reads_from_a_stream(tmp_path, registry):
    path = many_file(tmp_path / "b.many", page("p1", "One"), page("p2", "Two"))
    EVENTS.clear()
    documents = convert.parse_all(path, registry=registry)
    assert EVENTS == [] and next(documents).source.name == "p1" and EVENTS == ["read p1"]
    with open(path, "rb") as handle:  # a stream, its reader chosen by the first bytes
        assert [d.source.name for d in convert.parse_all(handle, name=None, registry=registry)] == ["p1", "p2"]


def test_parse_takes_the_one_document_and_refuses_several(tmp_path, registry):
    one = many_file(tmp_path / "one.many", {"skip": "request"}, page("p1", "One"))
    assert convert.parse(one, registry=registry).source.name == "p1"
    several = many_file(tmp_path / "two.many", page("p1", "One"), page("p2", "Two"))
    with pytest.raises(InputError, match="holds several pages: read them with parse_all"):
        convert.parse(several, registry=registry)
    none = many_file(tmp_path / "none.many", {"skip": "request"})
    with pytest.raises(InputError, match="holds no page"):
        convert.parse(none, registry=registry)
    # ordinary readers are unchanged: parse_all gives their one document
    seed = convert.parse(SEED, registry=registry)
    assert list(convert.parse_all(SEED, registry=registry)) == [seed]


def test_the_reader_is_chosen_by_extension_then_by_content_then_protocol(tmp_path, registry):
    data = json.dumps(json.loads(jsonform.dumps(page("p1", "One"), indent=None))).encode() + b"\n"
    assert convert.parse(data, registry=registry).source.reader == "many"  # sniffed: no name
    assert convert.parse(b"China\n\nHeadline\n\nBody text here.\n", registry=registry).source.reader == "protocol"
    (tmp_path / "noext").write_bytes(data)
    assert convert.parse(tmp_path / "noext", registry=registry).source.reader == "many"
    assert registry.reader_for("a.many").name == "many" and registry.reader_for("a.txt").name == "protocol"


def test_longest_extension_wins():
    class Plugin:
        @hookimpl
        def register_readers(self, register):
            register(Reader(name="aaa-gz", read=lambda *a: None, extensions=(".gz",)))
            register(Reader(name="zzz-tar", read=lambda *a: None, extensions=(".tar.gz",)))

    registry = load_registry(plugins=[Plugin()])
    assert registry.reader_for("x.tar.gz").name == "zzz-tar" and registry.reader_for("x.gz").name == "aaa-gz"


# --- the batch ---------------------------------------------------------------------------------


def test_a_collection_interleaves_an_archive_in_input_order_and_counts_its_pages(tmp_path, registry):
    first = tmp_path / "first.json"
    first.write_text(jsonform.dumps(page("first", "First")))
    archive = many_file(tmp_path / "crawl.many", page("a1", "A one"), {"skip": "request"}, {"error": "damaged"},
                        page("a2", "A two"), {"skip": "redirect"}, {"skip": "request"})
    last = tmp_path / "last.json"
    last.write_text(jsonform.dumps(page("last", "Last")))
    EVENTS.clear()
    out = tmp_path / "all.trace"
    status, messages = run(ConvertJob(inputs=[str(first), archive, str(last)], formats=["trace"], output=str(out),
                                      collection=True, jobs=2), registry)
    assert out.read_text().split() == ["first", "a1", "a2", "last"]
    # streamed: each page is written before the next is read
    assert EVENTS == ["write first", "read a1", "write a1", "read a2", "write a2", "write last"]
    assert status == 1  # one part failed
    assert f"protocol-convert: error: {archive}: part 3: damaged" in messages
    assert f"protocol-convert: {archive}: skipped 3 (request: 2, redirect: 1)" in messages
    assert messages[-1].startswith("converted 4, skipped 0, failed 1")


def test_a_fatal_error_keeps_the_pages_before_it(tmp_path, registry):
    archive = many_file(tmp_path / "cut.many", page("a1", "A one"), {"fatal": "truncated"}, page("a2", "A two"))
    out = tmp_path / "all.json"
    status, messages = run(ConvertJob(inputs=[archive], output=str(out), collection=True), registry)
    assert status == 1 and f"protocol-convert: error: {archive}: part 2: truncated" in messages
    assert [d.source.name for d in jsonform.loads(out.read_bytes())] == ["a1"]
    assert messages[-1].startswith("converted 1, skipped 0, failed 1")


def test_an_archive_alone_is_a_batch_and_one_output_per_page_goes_in_its_folder(tmp_path, registry):
    archive = many_file(tmp_path / "crawl.many", page("a1", "One", url="https://example.com/news/first-story"),
                        page("a2", "Two", url="https://example.com/news/first-story?page=2"),
                        page("a3", "Three"))
    with pytest.raises(OptionError, match="several outputs need -o DIRECTORY"):
        run(ConvertJob(inputs=[archive], formats=["json"], output="-"), registry)
    out = tmp_path / "out"
    status, messages = run(ConvertJob(inputs=[archive], formats=["json"], output=str(out)), registry)
    assert status == 0, messages
    assert sorted(p.name for p in (out / "crawl").iterdir()) == ["first-story-2.json", "first-story.json", "page.json"]
    assert messages[-1].startswith("converted 3, skipped 0, failed 0")
    again = run(ConvertJob(inputs=[archive], formats=["json"], output=str(out)), registry)
    assert again[0] == 0 and again[1][-1].startswith("converted 0, skipped 3, failed 0")


def test_fail_fast_stops_inside_an_archive(tmp_path, registry):
    archive = many_file(tmp_path / "crawl.many", page("a1", "One"), {"error": "bad"}, page("a2", "Two"))
    out = tmp_path / "out"
    status, messages = run(ConvertJob(inputs=[archive], formats=["json"], output=str(out), collection=True,
                                      fail_fast=True), registry)
    assert status == 3, messages
    assert not out.exists() or not list(out.iterdir()), "no output and no temporary file left"


def test_standard_input_is_streamed_when_the_reader_is_named(tmp_path, registry, monkeypatch):
    data = Path(many_file(tmp_path / "in.many", page("a1", "One"), page("a2", "Two"))).read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    out = tmp_path / "all.json"
    status, messages = run(ConvertJob(inputs=["-"], reader="many", output=str(out), collection=True), registry)
    assert status == 0, messages
    assert [d.source.name for d in jsonform.loads(out.read_bytes())] == ["a1", "a2"]


# --- captures of one page ------------------------------------------------------------------------


URL = "https://www.protocol.com/china/overwork"


def captures() -> list[Document]:
    return [
        page("c1", "Overwork", url=URL, captured="2022-03-01T10:00:00Z"),
        page("other", "Other"),
        page("c2", "Overwork", url="HTTPS://WWW.protocol.com/china/overwork#top", captured="2022-05-01T10:00:00.5Z"),
        page("c3", "Overwork", url=URL, captured="2022-04-01T10:00:00Z"),
        page("c0", "Overwork", url=URL),  # time unknown: older than any dated capture
    ]


def test_a_collection_keeps_the_latest_capture_or_the_earliest_or_all():
    names = lambda documents: [d.source.name for d in documents]  # noqa: E731
    assert names(distinct_captures(captures())) == ["other", "c2"]
    assert names(distinct_captures(captures(), "earliest")) == ["other", "c0"]
    assert names(distinct_captures(captures(), "all")) == ["c1", "other", "c2", "c3", "c0"]
    undated = [page("u1", "U", url=URL), page("u2", "U", url=URL)]
    assert names(distinct_captures(undated)) == ["u2"] and names(distinct_captures(undated, "earliest")) == ["u1"]
    with pytest.raises(OptionError, match="captures must be one of"):
        distinct_captures(captures(), "newest")


def test_the_streamed_rule_is_the_same_and_waits_only_from_the_first_url():
    seen: list[str] = []

    def produce():
        for document in [page("plain1", "P1"), page("plain2", "P2"), *captures()]:
            seen.append(document.source.name)
            yield document

    stream = iter_distinct_captures(produce())
    assert next(stream).source.name == "plain1" and seen == ["plain1"]  # no URL: passed on at once
    rest = [d.source.name for d in stream]
    assert rest == ["plain2", "other", "c2"]
    assert [d.source.name for d in iter_distinct_captures(iter(captures()), "earliest")] == ["other", "c0"]


def test_export_and_the_command_line_apply_the_rule(tmp_path, registry):
    assert [d.source.name for d in jsonform.loads(convert.export(captures(), "json"))] == ["other", "c2"]
    lines = convert.export(iter(captures()), "jsonl", captures="earliest").decode().splitlines()
    assert [json.loads(line)["source"]["name"] for line in lines] == ["other", "c0"]
    paths = []
    for document in captures():
        path = tmp_path / f"{document.source.name}.json"
        path.write_text(jsonform.dumps(document))
        paths.append(str(path))
    result = run_cli(["convert", *paths, "--collection", "--captures", "earliest", "-t", "json", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert [d.source.name for d in jsonform.loads(result.stdout)] == ["other", "c0"]
    bad = run_cli(["convert", *paths, "--collection", "--captures", "newest", "-o", "-"])
    assert bad.exit_code == 2 and "--captures" in bad.stderr


# --- provenance: schema 1.1 ------------------------------------------------------------------------


SCHEMA = json.loads(jsonform.SCHEMA_PATH.read_text(encoding="utf-8"))


def test_provenance_round_trips_and_validates():
    document = page("crawl.warc.gz#0", "Overwork", url=URL, captured="2022-03-01T10:00:00Z")
    document = Document(Source("crawl.warc.gz#0", "1" * 64, "warc", url=URL + "?utm=x",
                               captured="2022-03-01T10:00:00Z", payload_digest="sha1:ABCDEF"), document.articles)
    text = jsonform.dumps(document)
    data = json.loads(text)
    assert data["schema_version"] == "1.2"
    assert data["document"]["source"] == {"name": "crawl.warc.gz#0", "sha256": "1" * 64, "reader": "warc",
                                          "url": URL + "?utm=x", "captured": "2022-03-01T10:00:00Z",
                                          "payload_digest": "sha1:ABCDEF"}
    assert data["document"]["articles"][0]["url"] == URL
    jsonschema.validate(data, SCHEMA)
    assert jsonform.loads(text) == (document,)
    line = json.loads(convert.export(document, "jsonl"))
    assert line["url"] == URL and line["source"]["captured"] == "2022-03-01T10:00:00Z"


def test_a_1_0_tree_still_loads_and_validates():
    data = json.loads(jsonform.dumps(page("old.txt", "Old")))
    data["schema_version"] = "1.0"
    for key in ("url", "captured", "payload_digest"):
        del data["document"]["source"][key]
    del data["document"]["articles"][0]["url"]
    jsonschema.validate(data, SCHEMA)
    (loaded,) = jsonform.load_data(data)
    assert loaded.main.url is None and loaded.source.captured is None and loaded.source.url is None
