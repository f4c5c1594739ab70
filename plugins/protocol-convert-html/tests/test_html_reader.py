"""The html reader: saved pages into the tree.

The pages in ``tests/pages/`` are written for these tests, shaped like a news CMS's article
template (JSON-LD, meta tags, a site header, the article's header, figure and body, a teaser
rail, a footer); one has no JSON-LD, and one is not a news page at all. Their expected trees
(``*.json`` beside them) were checked by hand, field by field."""

from __future__ import annotations

import codecs
import dataclasses
import json
import re
from pathlib import Path

import lxml.html
import pytest

import convert
from convert import jsonform
from convert.errors import EmptyInputError, InputError, InputTooLargeError, NotTextError
from convert.plugins import load_registry
from convert.testing import check_lazy_import, run_cli
from convert.tree import (
    Author,
    Figure,
    Heading,
    Image,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    Signoff,
    Text,
    block_text,
)

PAGES = Path(__file__).parent / "pages"
REGISTRY = load_registry()


def parse(data: bytes | str, name: str | None = "page.html", **kwargs):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return convert.parse(data, name=name, registry=REGISTRY, **kwargs)


def page(body: str, head: str = "", site: str = "Protocol") -> str:
    meta = f'<meta property="og:site_name" content="{site}">' if site else ""
    return f"<!DOCTYPE html><html><head>{meta}{head}</head><body>{body}</body></html>"


def test_registered_chosen_by_extension_and_sniffed():
    info = REGISTRY.plugins["html"]
    assert info.error is None and info.readers == ["html"]
    for name in ("saved.html", "SAVED.HTM", "page.xhtml"):
        assert REGISTRY.reader_for(name).name == "html"
    sniffed = ["<!DOCTYPE html><html>", "\ufeff  <html lang=en>",
               "<!-- saved from url=(0014)about:internet -->\n<html>", "<head><title>x</title>"]
    for head in sniffed:
        assert REGISTRY.reader_for(None, head=head.encode("utf-8")).name == "html", head
    for head in ("China\n\nHeadline", "<p>a fragment", "WARC/1.0\r\n"):
        assert REGISTRY.reader_for(None, head=head.encode()).name != "html", head
    # standard input, no name: the content decides
    assert parse(page("<article><h1>Sniffed</h1><p>Body.</p></article>"), name=None).main.title == "Sniffed"


@pytest.mark.parametrize("name", ["protocol_article", "protocol_no_jsonld", "garden_notes"])
def test_each_page_gives_its_expected_tree(name):
    document = parse((PAGES / f"{name}.html").read_bytes(), name=f"{name}.html")
    expected = (PAGES / f"{name}.json").read_text(encoding="utf-8")
    assert json.loads(jsonform.dumps(document)) == json.loads(expected)


# --- the same tree as the text reader's, plus what HTML knows ----------------------------------


def saved_as_text(html: str) -> str:
    """The page's article region as a browser's "save as text" gives it, the way Protocol's
    dumps look (docs: /shared/FORMAT.md): one line per block, inline elements run together
    (so the "Keep Reading" and "Show less" buttons become `Keep ReadingShow less`), an image
    as its alt text, list items as `  • item`. Dumps carry no byline, share bar or
    newsletter box, so those are left out."""
    root = lxml.html.document_fromstring(html)
    region = root.find(".//main")
    for unseen in region.xpath(".//*[contains(@class,'byline') or contains(@class,'share-bar') or "
                               "contains(@class,'newsletter-signup')] | .//script | .//style"):
        unseen.drop_tree()
    lines: list[str] = []
    current: list[str] = []
    blocks = {"p", "div", "section", "article", "header", "footer", "ul", "ol", "li", "h1", "h2", "h3", "h4",
              "blockquote", "figure", "figcaption", "main"}

    def flush():
        text = " ".join("".join(current).split())
        if text:
            lines.append(text)
        current.clear()

    def walk(node):
        if not isinstance(node.tag, str):
            return
        if node.tag == "img":
            flush()
            if node.get("alt"):
                lines.append(node.get("alt"))
            return
        if node.tag in blocks:
            flush()
        if node.tag == "li":
            current.append("  \u2022 ")
        current.append(node.text or "")
        for child in node:
            walk(child)
            current.append(child.tail or "")
        if node.tag in blocks:
            flush()

    walk(region)
    return "\n\n".join(("  " + line) if line.startswith("\u2022") else line for line in lines) + "\n"


def plain_inlines(nodes):
    out = []

    def walk(sequence):
        for node in sequence:
            if isinstance(node, Text):
                if out and isinstance(out[-1], Text):
                    out[-1] = Text(out[-1].text + node.text)
                else:
                    out.append(node)
            elif isinstance(node, LineBreak):
                out.append(node)
            else:
                walk(node.content)

    walk(nodes)
    return tuple(out)


def plain_blocks(blocks):
    """Blocks as a text dump can show them: no links or emphasis, a quote's paragraphs bare."""
    out = []
    for block in blocks:
        if isinstance(block, Quote):
            out.extend(plain_blocks(block.content))
        elif isinstance(block, (Paragraph, Signoff)):
            out.append(type(block)(plain_inlines(block.content)))
        elif isinstance(block, Heading):
            out.append(Heading(block.level, plain_inlines(block.content)))
        elif isinstance(block, ListBlock):
            out.append(ListBlock(block.ordered, tuple(tuple(plain_blocks(item)) for item in block.items)))
        else:
            out.append(block)
    return tuple(out)


def what_a_dump_knows(document):
    return [dataclasses.replace(a, url=None, date=None, authors=() if a.role == "main" else a.authors,
                                body=plain_blocks(a.body)) for a in document.articles]


def test_a_protocol_page_gives_the_text_readers_tree_plus_what_html_knows():
    from convert.readers.protocol import parse_page

    html = (PAGES / "protocol_article.html").read_text(encoding="utf-8")
    from_html = parse(html)
    dump = saved_as_text(html)
    assert "Keep ReadingShow less" in dump and "  \u2022 They buy older" in dump
    from_text = parse_page(dump, name="protocol_article.txt")
    assert [a.role for a in from_text.articles] == ["main", "teaser", "sponsored", "teaser"]
    assert what_a_dump_knows(from_html) == what_a_dump_knows(from_text)
    # what only the HTML knows
    main = from_html.main
    assert main.url == "https://www.protocol.com/enterprise/chip-shortage-carmakers-last-in-line"
    assert main.date == "2021-05-12"
    assert main.authors == (Author("Maya Ortiz", "@mayaortiz"), Author("Tom Becker"))
    assert Link("https://www.protocol.example/foundry-capacity", (Text("resold the capacity"),)) in main.body[0].content
    assert any(isinstance(b, Quote) for b in main.body)
    assert [a.url for a in from_html.articles[1:]] == [
        "https://www.protocol.com/china/ride-hailing-audit", "https://www.protocol.com/sponsored/open-banking",
        "https://www.protocol.com/policy/broadband-maps"]
    # the dump's chrome is the HTML's too, in the same order, among what else the page showed
    html_chrome = iter(from_html.chrome)
    assert all(line in html_chrome for line in from_text.chrome), (from_text.chrome, from_html.chrome)


def _tree_texts(document) -> str:
    parts = []
    for article in document.articles:
        parts += [article.section, article.title, article.dek]
        if article.image:
            parts += [article.image.alt, article.image.caption, article.image.credit]
        parts += [t for a in article.authors for t in (a.name, a.bio)]
        parts += [block_text(b) for b in article.body]
    return " ".join(" ".join(p.split()) for p in parts if p)


@pytest.mark.parametrize("name", ["protocol_article", "protocol_no_jsonld", "garden_notes"])
def test_every_visible_line_ends_up_in_a_field_a_block_or_the_chrome(name):
    from protocol_convert_html._blocks import text_lines

    html = (PAGES / f"{name}.html").read_text(encoding="utf-8")
    document = parse(html)
    held = _tree_texts(document)
    chrome = " ".join(document.chrome)
    body = lxml.html.document_fromstring(html).find("body")
    missing = [line for line in text_lines(body) if line not in held and line not in chrome
               and not re.fullmatch(r"(By|and|·|[A-Z][a-z]+ \d{1,2}, \d{4})", line)]
    # bylines and printed dates become fields: only their glue words ("By", "and") are dropped
    assert not [m for m in missing if not _byline_glue(m, document)], missing


def _byline_glue(line: str, document) -> bool:
    names = {a.name for art in document.articles for a in art.authors}
    rest = line
    for name in names:
        rest = rest.replace(name, "")
    rest = re.sub(r"\b[A-Z][a-z]+ \d{1,2}, \d{4}\b", "", rest)
    return not re.sub(r"\b(By|and)\b|[·,]", "", rest).strip()


# --- metadata: JSON-LD, then meta tags, then the markup --------------------------------------


def test_json_ld_is_trusted_before_meta_tags_and_meta_tags_before_the_markup():
    head = """
      <meta property="og:title" content="The OpenGraph title"><meta property="og:description" content="OG dek.">
      <meta property="og:type" content="article"><meta property="article:section" content="OG section">
      <meta property="article:published_time" content="2022-01-02T23:30:00-08:00">
      <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
        {"@type":"WebSite","name":"Protocol"},
        {"@type":["NewsArticle"],"headline":"The JSON-LD headline","author":"Solo Writer",
         "datePublished":"2022-01-03T07:30:00+00:00"}]}</script>
      <script type="application/ld+json">{ this block is broken</script>"""
    body = """<article><header><span class="eyebrow">Visible section</span><h1>The visible headline</h1>
      <p class="dek">Visible dek.</p><p class="byline">By <a rel="author">Visible Author</a></p></header>
      <div class="article-body"><p>Body text.</p></div></article>"""
    main = parse(page(body, head)).main
    assert main.title == "The JSON-LD headline"  # JSON-LD
    assert main.dek == "OG dek." and main.section == "OG section"  # meta tags where JSON-LD is silent
    assert main.date == "2022-01-03" and main.authors == (Author("Solo Writer"),)
    without = parse(page(body)).main  # the markup alone
    assert (without.title, without.dek, without.section, without.authors) == (
        "The visible headline", "Visible dek.", "Visible section", (Author("Visible Author"),))


def test_authors_from_json_ld_take_handles_and_bios_from_the_page():
    head = """<script type="application/ld+json">{"@type":"NewsArticle","headline":"H","author":[
      {"@type":"Person","name":"Ada Chen","sameAs":["https://example.com/ada","https://x.com/adachen"]},
      {"@type":"Organization","name":"Protocol Staff"}, {"@type":"Person","name":"Ada Chen"}]}</script>"""
    body = """<article><h1>H</h1><div class="post-body"><p>Text of the story.</p></div>
      <div class="author-bio">Ada Chen (@adachen) covers chips for Protocol.</div></article>"""
    main = parse(page(body, head)).main
    assert main.authors == (Author("Ada Chen", "@adachen", "Ada Chen (@adachen) covers chips for Protocol."),
                            Author("Protocol Staff"))


def test_a_figure_keeps_alt_caption_and_credit_apart():
    body = """<article><h1>H</h1><div class="post-body"><p>Intro paragraph here.</p>
      <figure><img alt="Alt words" src="a.jpg"><figcaption>The caption. Photo: Someone/Agency</figcaption></figure>
      <figure><img alt="Only alt" src="b.jpg"></figure>
      <p><img src="c.jpg" alt="A lone image in a paragraph"></p>
      <figure><img src="d.jpg"><figcaption><span class="caption">Caption two.</span>
        <span class="credit">Image: X</span></figcaption></figure>
      </div></article>"""
    figures = [b.image for b in parse(page(body)).main.body if isinstance(b, Figure)]
    assert figures == [Image("Alt words", "The caption.", "Photo: Someone/Agency"), Image("Only alt"),
                       Image("A lone image in a paragraph"), Image(None, "Caption two.", "Image: X")]


def test_links_are_absolute_and_only_web_or_mail():
    head = '<link rel="canonical" href="https://www.protocol.com/a/story?utm_source=x&id=7#top">'
    body = """<article><h1>H</h1><div class="post-body"><p><a href="../b">rel</a> <a href="javascript:alert(1)">js</a>
      <a href="mailto:tips@protocol.com">mail</a> <a href="data:text/html,x">data</a> <a>no href</a></p>
      </div></article>"""
    main = parse(page(body, head)).main
    assert main.url == "https://www.protocol.com/a/story?id=7"  # canonical, without tracking or fragment
    assert main.body == (Paragraph((Link("https://www.protocol.com/b", (Text("rel"),)), Text(" js "),
                                    Link("mailto:tips@protocol.com", (Text("mail"),)), Text(" data no href"))),)


def test_saved_page_notes_give_the_source_its_provenance():
    singlefile = ("<!--\n Page saved with SingleFile \n url: https://www.protocol.com/policy/x \n"
                  " saved date: Tue Mar 01 2022 10:00:00 GMT+0100 (Central European Standard Time)\n-->")
    document = parse(singlefile + page("<article><h1>H</h1><p>Body.</p></article>"))
    assert (document.source.url, document.source.captured) == ("https://www.protocol.com/policy/x",
                                                               "2022-03-01T09:00:00Z")
    assert document.main.url == "https://www.protocol.com/policy/x"  # no canonical link: where it was saved from
    chrome_save = "<!-- saved from url=(0031)https://www.protocol.com/china/y -->\n"
    document = parse(chrome_save + page("<article><h1>H</h1><p>Body.</p></article>"))
    assert (document.source.url, document.source.captured) == ("https://www.protocol.com/china/y", None)


# --- decoding ----------------------------------------------------------------------------------


CAFE = "Le caf\u00e9 \u00e0 c\u00f4t\u00e9 \u2014 \u201cna\u00efve\u201d, 5\u20ac."


def test_a_page_that_is_not_utf8_and_names_no_charset_is_read_as_windows_1252():
    data = page(f"<article><h1>Caf\u00e9</h1><p>{CAFE}</p></article>").encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    document = parse(data)
    assert document.main.title == "Caf\u00e9" and document.main.body == (Paragraph((Text(CAFE),)),)


def test_the_charset_comes_from_http_then_the_meta_tag_and_a_wrong_label_is_passed_over():
    from protocol_convert_html import parse_html

    body = f"<article><h1>T</h1><p>{CAFE}</p></article>"
    latin = page(body, '<meta charset="iso-8859-15">').encode("iso-8859-15", errors="replace")
    assert parse(latin).main.body[0].content[0].text.startswith("Le caf\u00e9")
    koi8 = page("<article><h1>T</h1><p>\u041f\u0440\u0438\u0432\u0435\u0442</p></article>").encode("koi8-r")
    hello = "\u041f\u0440\u0438\u0432\u0435\u0442"
    assert parse_html(koi8, name="x", charset="koi8-r").main.body[0].content[0].text == hello
    lying = page(body, '<meta charset="utf-8">').encode("cp1252")  # says UTF-8, is not
    assert parse(lying).main.body[0].content[0].text == CAFE
    unknown = page(body, '<meta charset="no-such-charset">').encode("utf-8")
    assert parse(unknown).main.body[0].content[0].text == CAFE
    bom = codecs.BOM_UTF16_LE + page(body).encode("utf-16-le")
    assert parse(bom).main.body[0].content[0].text == CAFE
    assert parse(page(body).encode("cp1252"), encoding="cp1252").main.body[0].content[0].text == CAFE


def test_an_xhtml_page_with_an_xml_declaration():
    data = (b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml">'
            b'<head><meta property="og:site_name" content="Protocol"/></head>'
            b'<body><article><h1>An XHTML page</h1><p>Its body.</p></article></body></html>')
    assert REGISTRY.reader_for(None, head=data).name == "html"
    main = parse(data, name="page.xhtml").main
    assert (main.title, main.body) == ("An XHTML page", (Paragraph((Text("Its body."),)),))


def test_bad_input_is_one_clear_error():
    with pytest.raises(EmptyInputError, match=r"page\.html: holds only white space"):
        parse(b"  \n ")
    with pytest.raises(NotTextError, match="not an HTML page: looks like a PNG image"):
        parse(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    with pytest.raises(InputTooLargeError, match="over the 100-byte limit"):
        parse(page("<p>" + "x" * 200 + "</p>"), max_size=100)
    with pytest.raises(InputError, match="holds no text"):
        parse(page("<script>var x = 1;</script>", site=""))


def test_the_same_page_gives_the_same_bytes():
    data = (PAGES / "protocol_article.html").read_bytes()
    assert convert.export(parse(data), "json") == convert.export(parse(data), "json")


def test_registering_imports_no_heavy_library():
    check_lazy_import("protocol_convert_html")


def test_from_the_command_line(tmp_path):
    out = tmp_path / "page.json"
    result = run_cli(["convert", str(PAGES / "protocol_article.html"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    tree = json.loads(out.read_text(encoding="utf-8"))["document"]
    assert tree["source"]["reader"] == "html" and tree["articles"][0]["date"] == "2021-05-12"
    piped = run_cli(["convert", "-", "-t", "json", "-o", "-"], input=(PAGES / "garden_notes.html").read_bytes())
    assert piped.exit_code == 0, piped.output
    assert json.loads(piped.stdout)["document"]["articles"][0]["title"] == "How I prune tomatoes"


def test_the_reader_passes_the_conformance_kit():
    from convert.testing import check_reader

    check_reader("html", sorted(PAGES.glob("*.html")), registry=REGISTRY)


def test_a_page_with_an_article_element_takes_its_date_from_it_without_a_warning():
    """An <article> is looked for by comparing with None: testing an lxml element's truth
    (whether it has children) warned, and would skip an article without child elements."""
    import warnings

    page = (b"<!doctype html><html><head><title>A headline</title></head><body><nav>Home</nav><article>"
            b"<h1>A headline</h1><time datetime='2022-02-24'>Feb 24</time>"
            b"<p>The body of the story, long enough to be read as a paragraph of it.</p></article></body></html>")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        document = convert.parse(page, name="page.html", reader="html", registry=REGISTRY)
    assert document.main is not None and document.main.date == "2022-02-24"
