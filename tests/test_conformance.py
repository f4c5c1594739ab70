"""The conformance kit (convert.testing): every installed exporter passes it, and the kit
itself catches the faults it promises to catch."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import unicodedata
import zipfile
from dataclasses import replace

import pytest
from conftest import ROOT

from convert.collection import build_collection
from convert.errors import ConvertError
from convert.formats import Exporter, Option, Reader
from convert.plugins import load_registry
from convert.testing import (
    CHECKS,
    check_exporter,
    check_lazy_import,
    check_reader,
    conformance_params,
    extract_text,
    normalize,
    run_check,
    run_reader_check,
    sample_documents,
)
from convert.tree import (
    Article,
    Document,
    Emphasis,
    Figure,
    Heading,
    Image,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    Signoff,
    Source,
    Strong,
    Text,
    block_text,
    story_id,
)

REGISTRY = load_registry()

# Omissions a format's own specification makes, documented in its docs: not run for it.
DOCUMENTED_OMISSIONS = {
    ("rss", "untitled"): "a feed has one item per titled story (issue 5; docs/feeds.md)",
    ("atom", "untitled"): "a feed has one item per titled story (issue 5; docs/feeds.md)",
    ("json", "once"): "the json format is the tree itself: every page whole, as read (docs/tree.md)",
}


def _params():
    return [p for p in conformance_params(registry=REGISTRY) if tuple(p.values) not in DOCUMENTED_OMISSIONS]


@pytest.mark.parametrize(("exporter", "check"), _params())
def test_installed_exporters_conform(exporter, check):
    run_check(exporter, check, registry=REGISTRY)


def test_every_installed_plugin_module_imports_lightly():
    for info in REGISTRY.plugins.values():
        if info.module and not info.error:
            check_lazy_import(info.module.split(":")[0])


# --- the samples -------------------------------------------------------------------------

NODE_TYPES = {Paragraph, Heading, ListBlock, Quote, Figure, Signoff, Text, Emphasis, Strong, Link, LineBreak}


def _node_types(document: Document) -> set[type]:
    found: set[type] = set()

    def inlines(nodes):
        for node in nodes:
            found.add(type(node))
            if hasattr(node, "content"):
                inlines(node.content)

    def blocks(nodes):
        for node in nodes:
            found.add(type(node))
            if isinstance(node, (Paragraph, Heading, Signoff)):
                inlines(node.content)
            elif isinstance(node, ListBlock):
                for item in node.items:
                    blocks(item)
            elif isinstance(node, Quote):
                blocks(node.content)

    for article in document.articles:
        blocks(article.body)
    return found


def test_samples_cover_every_node_type_and_the_hard_cases():
    samples = sample_documents()
    assert _node_types(samples["every-node"].documents[0]) == NODE_TYPES
    for node in NODE_TYPES:
        assert node in _node_types(samples[f"node:{node.__name__}"].documents[0])
    assert samples["empty"].documents[0].articles == ()
    untitled = samples["untitled"].documents[0].articles[0]
    assert (untitled.title, untitled.section, untitled.date, untitled.image, untitled.authors) == (
        None, None, None, None, ())
    odd = samples["unicode"].documents[0]
    texts = "".join(block_text(b) for b in odd.articles[0].body)
    for needle in ("🙂", "中文", "עברית", "\u0301", "\x01", "\x0b", "\ud800", "]]>", "&", "<"):
        assert needle in texts, needle
    roles = {a.role for a in samples["every-node"].documents[0].articles}
    assert roles == {"main", "teaser", "sponsored"}
    first, second = samples["collection"].documents
    assert {a.id for a in first.articles} & {a.id for a in second.articles}  # a teaser and its story


def test_samples_are_fresh_each_call():
    assert sample_documents() == sample_documents()
    assert sample_documents() is not sample_documents()


# --- the extractors ----------------------------------------------------------------------


def test_extract_text_reads_zip_of_xml_with_alt_text():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr(
            "OEBPS/a.xhtml", '<html><body><p>Hello <b>bold</b> &amp; co</p><img alt="Alt here"/></body></html>'
        )
        archive.writestr("word/document.xml", "<w:document xmlns:w='urn:w'><w:t>Run one</w:t></w:document>")
    text = normalize(extract_text(buffer.getvalue(), "application/epub+zip"))
    assert "Hello bold & co" in text and "Alt here" in text and "Run one" in text


def test_extract_text_reads_attributes_that_hold_text():
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><category term="China"/>'
            b'<link rel="alternate" href="https://x.test/"/><title>T</title></entry></feed>')
    text = normalize(extract_text(atom, "application/atom+xml"))
    assert "China" in text and "T" in text and "alternate" not in text and "x.test" not in text


def test_extract_text_keeps_a_literal_angle_bracket_in_plain_text():
    docx_like = b"<w:document xmlns:w='urn:w'><w:t>Alt &amp; &lt;odd&gt; text</w:t></w:document>"
    assert normalize(extract_text(docx_like, "application/xml")) == "Alt & <odd> text"
    feed = b'{"title": "A <odd> literal", "content_html": "<p>A &lt;odd&gt; escaped</p>"}'
    assert normalize(extract_text(feed, "application/feed+json")) == "A <odd> literal A <odd> escaped"


def test_extract_text_rejects_malformed_xml_inside_a_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OEBPS/a.xhtml", "<p>unclosed")
    with pytest.raises(AssertionError, match=r"a\.xhtml.*not well-formed"):
        extract_text(buffer.getvalue(), "application/epub+zip")


def test_extract_text_strips_html_escaped_inside_feeds_and_json():
    rss = (b"<?xml version='1.0'?><rss><item><description>&lt;p&gt;Tom &amp;amp; Jerry&lt;/p&gt;"
           b"</description></item></rss>")
    assert normalize(extract_text(rss, "application/rss+xml")) == "Tom & Jerry"
    feed = b'{"items": [{"content_html": "<p>A &lt; B</p>", "n": 1}]}'
    assert normalize(extract_text(feed, "application/feed+json")) == "A < B"
    markdown = b"Stars \\*not emphasis\\* and \\[brackets\\]"
    assert extract_text(markdown, "text/markdown") == "Stars *not emphasis* and [brackets]"


def test_extract_text_refuses_what_it_cannot_read():
    with pytest.raises(AssertionError, match="pass extract_text"):
        extract_text(b"\x89PNG....", "image/png")
    with pytest.raises(AssertionError, match="not valid UTF-8"):
        extract_text(b"\xff\xfe\xfa", "text/plain")


# --- the kit catches faulty exporters --------------------------------------------------------


def _text_exporter(render, name="probe", **fields):
    def write(documents, stream, options):
        stream.write(render(documents, options).encode("utf-8", "replace"))

    return Exporter(name=name, extension=".txt", write=write, media_type="text/plain", **fields)


def _all_text(documents, options=None, *, skip=(), merged=True):
    """Every text of the stories; ``merged``: each story once (the collection view's), else
    every story of every page, a teaser beside its full story."""
    articles = [a for document in documents for a in document.articles]
    if merged and len(documents) > 1:
        articles = list(build_collection(documents).articles)
    out = []
    for article in articles:
        out.extend(filter(None, [article.title, article.section, article.dek, article.date]))
        out.extend(a.name for a in article.authors)
        for block in article.body:
            if type(block) not in skip:
                out.append(block_text(block))
    return "\n".join(out)


def _clean(text: str) -> str:
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cs"))


GOOD = _text_exporter(lambda docs, options: _clean(_all_text(docs)))


def test_a_plain_correct_exporter_passes():
    check_exporter(GOOD)


def test_a_collection_that_shows_a_shared_story_twice_fails():
    every_page = _text_exporter(lambda docs, options: _clean(_all_text(docs, merged=False)))
    run_check(every_page, "collection")  # every text is there...
    with pytest.raises(AssertionError, match=r"a collection shows a story twice: .*the teaser of a story the "
                                             r"collection holds in full is shown as well"):
        run_check(every_page, "once")  # ...but the teaser's story twice

    def twice(docs, options):
        text = _clean(_all_text(docs))
        return text + "\n" + text if len(docs) > 1 else text

    with pytest.raises(AssertionError, match=r"the shared story's text is shown 2 times, its page alone shows it 1"):
        run_check(_text_exporter(twice), "once")


def test_silently_dropping_a_node_type_fails():
    dropper = _text_exporter(lambda docs, options: _clean(_all_text(docs, skip=(Quote,))))
    with pytest.raises(AssertionError, match=r"\[nodes\].*Quote: text silently dropped.*Quoted marker pi"):
        check_exporter(dropper)


def test_rejecting_a_node_type_by_name_is_accepted_but_an_anonymous_error_is_not():
    def refuse(name):
        def render(docs, options):
            if any(isinstance(b, Quote) for d in docs for a in d.articles for b in a.body):
                raise ConvertError(name)
            return _clean(_all_text(docs))
        return render

    run_check(_text_exporter(refuse("quote blocks are not supported by this format")), "nodes")
    with pytest.raises(AssertionError, match="does not name the node type"):
        run_check(_text_exporter(refuse("cannot do that")), "nodes")


def test_a_crash_fails_with_the_exception_named():
    def crash(docs, options):
        if any(isinstance(b, Figure) for d in docs for a in d.articles for b in a.body):
            raise KeyError("image")
        return _clean(_all_text(docs))

    with pytest.raises(AssertionError, match="write raised KeyError"):
        run_check(_text_exporter(crash), "nodes")


def test_printing_fails():
    def noisy(docs, options):
        print("writing!")
        return _clean(_all_text(docs))

    with pytest.raises(AssertionError, match=r"printed 'writing!"):
        run_check(_text_exporter(noisy), "quiet")


def test_nondeterminism_and_now_fail():
    counter = itertools.count()
    random = _text_exporter(lambda docs, options: f"{next(counter)}\n" + _clean(_all_text(docs)))
    with pytest.raises(AssertionError, match=r"two writes .* differ"):
        run_check(random, "deterministic")
    stamped = _text_exporter(lambda docs, options: dt.date.today().isoformat() + "\n" + _clean(_all_text(docs)))
    with pytest.raises(AssertionError, match="today's date"):
        run_check(stamped, "deterministic")


def test_zip_entries_stamped_now_fail():
    def write(documents, stream, options):
        with zipfile.ZipFile(stream, "w") as archive:
            archive.writestr("a.xml", f"<t>{_all_text(documents)}</t>".replace("&", "&amp;"))  # now-stamped

    exporter = Exporter(name="zipped", extension=".zip", write=write, media_type="application/zip")
    with pytest.raises(AssertionError, match="stamped with today's date"):
        run_check(exporter, "deterministic")


def test_printing_none_for_missing_values_fails():
    def careless(docs, options):
        return "\n".join(f"{a.title} {a.section}" for d in docs for a in d.articles) + _clean(_all_text(docs))

    with pytest.raises(AssertionError, match="'None'"):
        run_check(_text_exporter(careless), "untitled")


def test_lost_unicode_and_missing_metadata_fail():
    ascii_only = _text_exporter(lambda docs, options: _all_text(docs).encode("ascii", "ignore").decode())
    with pytest.raises(AssertionError, match="odd text lost"):
        run_check(ascii_only, "unicode")
    no_authors = _text_exporter(
        lambda docs, options: "\n".join(block_text(b) for d in docs for a in d.articles for b in a.body)
    )
    with pytest.raises(AssertionError, match=r"metadata not carried.*Ada Lovelace.*2021-08-17"):
        run_check(no_authors, "metadata")


def test_bad_records_fail():
    bad = Exporter(
        name="Bad Name", extension="txt", write=GOOD.write, media_type="text",
        options=(Option("x", int, "two", "x"), Option("x", str, None, ""), Option("Y", str, None, "y")),
    )
    with pytest.raises(AssertionError) as caught:
        run_check(bad, "record")
    message = str(caught.value)
    for needle in ("name 'Bad Name'", "extension 'txt'", "media_type 'text'", "'x' is declared twice",
                   "'x' has no help", "'Y' should be lower_snake_case", "default 'two'"):
        assert needle in message


def test_check_exporter_reports_every_failed_check_at_once():
    broken = _text_exporter(lambda docs, options: "nothing", name="Broken")
    with pytest.raises(AssertionError) as caught:
        check_exporter(broken)
    message = str(caught.value)
    assert message.startswith("Broken fails")
    for check in ("record", "nodes", "unicode", "metadata", "collection"):
        assert f"[{check}]" in message


def test_unknown_check_and_skip():
    with pytest.raises(KeyError, match="no conformance check 'nope'"):
        run_check(GOOD, "nope")
    check_exporter(_text_exporter(lambda docs, options: "x"), skip=tuple(CHECKS))


def test_lazy_import_check_catches_a_heavy_top_level_import(tmp_path, monkeypatch):
    (tmp_path / "heavy_plugin_mod.py").write_text("import json\nimport lxml.etree\n")
    (tmp_path / "light_plugin_mod.py").write_text("import json\n\ndef write():\n    import lxml.etree\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    check_lazy_import("light_plugin_mod")
    with pytest.raises(AssertionError, match="imports lxml"):
        check_lazy_import("heavy_plugin_mod")


# --- readers: the built-in ones pass, and the kit catches faulty readers ------------------------

FIXTURE_PAGES = sorted((ROOT / "fixtures").glob("*.txt"))


def test_the_built_in_readers_pass_the_reader_checks():
    check_reader("protocol", FIXTURE_PAGES, registry=REGISTRY)
    # json restores a saved tree, whose source is the page it was read from: no document check
    check_reader("json", [p.with_suffix(".json") for p in FIXTURE_PAGES[:8]], registry=REGISTRY, skip=("document",))


def _reader(build, name="probe", extensions=(".probe",), **fields):
    """A reader whose document is ``build(text, name, data)``, through decode_text."""
    import hashlib

    from convert.textio import decode_text

    def read(data, input_name, options):
        text = decode_text(data, name=input_name, encoding=options.get("encoding"), max_size=options.get("max_size"))
        return build(text, input_name, data, hashlib.sha256(data).hexdigest())

    return Reader(name=name, read=read, extensions=extensions, **fields)


def _page(text, name, data, digest, **fields):
    title, _, body = text.strip().partition("\n")
    article = Article(id=story_id(title), role="main", title=title, body=(Paragraph((Text(body.strip()),)),),
                      **fields)
    return Document(Source(name, digest, "probe"), (article,))


SAMPLES = [("one.probe", b"A headline\n\nThe body.\n"), ("two.probe", b"Another one\n\nMore body.\n")]


def test_a_plain_correct_reader_passes():
    check_reader(_reader(_page), SAMPLES)


def test_placeholders_for_unknown_values_fail():
    careless = _reader(lambda *a: _page(*a, section="", dek="None", date="1970-01-01", url="/relative"))
    with pytest.raises(AssertionError) as caught:
        run_reader_check(careless, "unknown", SAMPLES)
    for needle in ("section is ''", "dek is 'None'", "date is '1970-01-01', not a real ISO 8601 date",
                   "url is '/relative', not an absolute URL"):
        assert needle in str(caught.value)
    with pytest.raises(AssertionError, match="image has no text at all"):
        run_reader_check(_reader(lambda *a: _page(*a, image=Image())), "unknown", SAMPLES)


def test_a_wrong_source_and_a_result_that_is_no_document_fail():
    def wrong_source(text, name, data, digest):
        return replace(_page(text, name, data, digest), source=Source("elsewhere.txt", "0" * 64, "other"))

    with pytest.raises(AssertionError) as caught:
        run_reader_check(_reader(wrong_source), "document", SAMPLES)
    for needle in ("source.reader is 'other', not 'probe'", "source.name is 'elsewhere.txt'", "not the sha256"):
        assert needle in str(caught.value)
    with pytest.raises(AssertionError, match="gave dict, not a Document"):
        run_reader_check(_reader(lambda *a: {"title": "x"}), "document", SAMPLES)


def test_bad_input_must_raise_an_input_error_and_nothing_else():
    def crashes(data, name, options):
        return _page(data.decode("utf-8"), name, data, "0" * 64)  # no decode_text: UnicodeDecodeError, or a page

    with pytest.raises(AssertionError) as caught:
        run_reader_check(Reader(name="probe", read=crashes), "bad-input", SAMPLES)
    message = str(caught.value)
    assert "read raised UnicodeDecodeError" in message or "read as a document instead of refused" in message


def test_a_tree_the_json_form_refuses_or_changes_fails():
    deep = _reader(lambda *a: replace(_page(*a), articles=(replace(_page(*a).articles[0],
                                                                   body=(Heading(9, (Text("x"),)),)),)))
    with pytest.raises(AssertionError, match=r"\[json\].*the JSON form is refused"):
        check_reader(deep, SAMPLES)


def test_nondeterminism_bad_warnings_and_printing_fail():
    counter = itertools.count()
    moving = _reader(lambda text, *a: _page(f"{text.strip()} {next(counter)}", *a))
    with pytest.raises(AssertionError, match=r"two reads of one\.probe differ"):
        run_reader_check(moving, "deterministic", SAMPLES)
    noisy = _reader(lambda *a: replace(_page(*a), warnings=("two\nlines",)))
    with pytest.raises(AssertionError, match="warnings must be a tuple of one-line sentences"):
        run_reader_check(noisy, "warnings", SAMPLES)

    def prints(*a):
        print("reading!")
        return _page(*a)

    with pytest.raises(AssertionError, match="read printed 'reading!"):
        run_reader_check(_reader(prints), "quiet", SAMPLES)


def test_check_reader_reports_every_failed_check_and_needs_samples():
    with pytest.raises(AssertionError) as caught:
        check_reader(_reader(lambda *a: {"x": 1}, name="Bad Name", extensions=("probe",)), SAMPLES)
    message = str(caught.value)
    assert message.startswith("Bad Name fails") and "[record]" in message and "[document]" in message
    with pytest.raises(ValueError, match="at least one sample"):
        check_reader(_reader(_page), [])
    with pytest.raises(KeyError, match="no reader check 'nope'"):
        run_reader_check(_reader(_page), "nope", SAMPLES)
