"""Hostile pages and generated trees through every built-in format: every output is
well-formed, valid by the real validators, and markup in the text stays text."""

from __future__ import annotations

import io
import json
import zipfile

import feedparser
import jsonschema
import lxml.html
import pytest
import validators
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import convert
from convert import jsonform
from convert.tree import Article, Author, Document, Heading, Image, ListBlock, Paragraph, Source, Text, story_id

HOSTILE = sorted((FIXTURES / "hostile").glob("*.txt"))
FORMATS = ("epub", "docx", "rss", "atom", "json")
SCHEMA = json.loads(jsonform.SCHEMA_PATH.read_text(encoding="utf-8"))


def xml_parts(fmt: str, data: bytes) -> dict[str, bytes]:
    """Every XML document inside an output: zip members for EPUB/DOCX, the file for feeds."""
    if fmt in ("epub", "docx"):
        archive = zipfile.ZipFile(io.BytesIO(data))
        xml_names = [n for n in archive.namelist() if n.endswith((".xml", ".xhtml", ".opf", ".ncx", ".rels"))]
        return {n: archive.read(n) for n in xml_names}
    return {fmt: data}


def assert_well_formed_and_markup_is_text(fmt: str, data: bytes) -> None:
    strict = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    for name, part in xml_parts(fmt, data).items():
        root = etree.fromstring(part, strict)  # raises on anything malformed
        scripts = root.xpath("//*[local-name()='script']")
        assert not scripts, f"{fmt}:{name} turned text into a <script> element"
        if fmt in ("rss", "atom"):
            # the HTML carried in feed content must hold no markup made from page text either
            for content in root.xpath("//*[local-name()='encoded' or local-name()='content']"):
                if content.text and content.text.strip():
                    html = lxml.html.fragment_fromstring(content.text, create_parent="div")
                    assert not html.xpath("//script|//img|//b|//i"), f"{fmt}: page text became HTML markup"


@pytest.fixture(scope="module")
def hostile_outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile")
    outputs: dict[tuple[str, str], bytes] = {}
    for page in HOSTILE:
        document = convert.parse(page)
        for fmt in FORMATS:
            data = convert.export(document, fmt)
            outputs[(page.stem, fmt)] = data
            (out / f"{page.stem}.{fmt}").write_bytes(data)
    return out, outputs


def test_the_corpus_is_there():
    assert {p.stem for p in HOSTILE} >= {"markup", "controls", "unicode", "long_line", "only_chrome", "mixed_endings"}


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "json"])
def test_every_hostile_page_gives_well_formed_output(hostile_outputs, fmt):
    _, outputs = hostile_outputs
    for page in HOSTILE:
        assert_well_formed_and_markup_is_text(fmt, outputs[(page.stem, fmt)])


def test_hostile_epubs_pass_epubcheck(hostile_outputs):
    out, _ = hostile_outputs
    results = validators.epubcheck([out / f"{p.stem}.epub" for p in HOSTILE], out)
    for name, ((fatals, errors, warnings, _), report) in results.items():
        assert (fatals, errors, warnings) == (0, 0, 0), f"{name}: {report}"


def test_hostile_docx_reopen_and_render(hostile_outputs):
    import docx

    out, outputs = hostile_outputs
    for page in HOSTILE:
        reopened = docx.Document(io.BytesIO(outputs[(page.stem, "docx")]))
        assert reopened.paragraphs is not None
    markup = docx.Document(io.BytesIO(outputs[("markup", "docx")]))
    assert any("<script>" in p.text for p in markup.paragraphs)  # as text, visibly
    pdfs = validators.soffice_pdf([out / f"{p.stem}.docx" for p in HOSTILE], out)
    assert all(pdf.stat().st_size > 0 for pdf in pdfs.values())


def test_hostile_feeds_parse_cleanly_and_atom_is_valid(hostile_outputs):
    out, outputs = hostile_outputs
    for page in HOSTILE:
        for fmt in ("rss", "atom"):
            feed = feedparser.parse(outputs[(page.stem, fmt)])
            assert feed.bozo == 0, (page.stem, fmt, getattr(feed, "bozo_exception", None))
    markup = feedparser.parse(outputs[("markup", "atom")])
    assert markup.entries[0].title.startswith('<script>alert("headline")</script> &')
    validators.jing([out / f"{p.stem}.atom" for p in HOSTILE])


def test_hostile_json_is_schema_valid_and_round_trips(hostile_outputs):
    _, outputs = hostile_outputs
    for page in HOSTILE:
        data = outputs[(page.stem, "json")]
        jsonschema.validate(json.loads(data), SCHEMA)
        (loaded,) = jsonform.loads(data)
        assert loaded == convert.parse(page)


# --- generated trees ---------------------------------------------------------------------

FORBIDDEN = "\x00\x01\x08\x0b\x0c\x1b\x7f\ufffe\uffff\ud800\udfff"
nasty_text = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from(list(FORBIDDEN + "<>&\"']]>"))),
    min_size=0, max_size=40,
)
maybe = st.one_of(st.none(), nasty_text)


@st.composite
def documents(draw):
    articles = []
    for index in range(draw(st.integers(0, 3))):
        title = draw(maybe)
        body = tuple(draw(st.lists(st.one_of(
            nasty_text.map(lambda t: Paragraph((Text(t),))),
            nasty_text.map(lambda t: Heading(2, (Text(t),))),
            nasty_text.map(lambda t: ListBlock(False, ((Paragraph((Text(t),)),),))),
        ), max_size=3)))
        authors = tuple(Author(name=n or "x") for n in draw(st.lists(nasty_text, max_size=2)))
        image = draw(st.one_of(st.none(), st.builds(Image, maybe, maybe, maybe)))
        articles.append(Article(
            id=story_id(title, str(index)),
            role="main" if index == 0 else draw(st.sampled_from(["teaser", "sponsored"])),
            title=title, section=draw(maybe), dek=draw(maybe), authors=authors, image=image, body=body,
        ))
    return Document(Source(draw(maybe), "0" * 64, "protocol"), tuple(articles))


@pytest.mark.parametrize("fmt", ["epub", "docx", "rss", "atom"])
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents())
def test_generated_trees_give_well_formed_xml(fmt, document):
    assert_well_formed_and_markup_is_text(fmt, convert.export(document, fmt))


