"""The EPUB exporter: books checked by EPUBCheck 5 and reopened with zipfile + lxml.

Every book the tests build is validated by EPUBCheck in ONE Java process (a JVM start costs
5-7 s): a small Java launcher runs EPUBCheck's own command-line tool once per file and the
summary line ``Messages: N fatals / N errors / N warnings / N infos`` is read for each. A book
broken on purpose goes through the same run, so a harness that stopped seeing errors would fail.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import validators
from conftest import FIXTURES, ROOT, SEED, without_repeated_ads
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import convert
from convert.errors import ConvertError, OptionError, OutputError
from convert.tree import (
    Article,
    Author,
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
    story_id,
)

NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}

# --- hand-built trees -------------------------------------------------------------------


def doc(name: str, *articles: Article) -> Document:
    return Document(Source(name, hashlib.sha256(name.encode()).hexdigest(), "test"), tuple(articles))


def para(*parts: object) -> Paragraph:
    return Paragraph(tuple(Text(p) if isinstance(p, str) else p for p in parts))


def story(title: str | None, role: str = "main", first: str = "Body text.", **fields: object) -> Article:
    body = fields.pop("body", (para(first),))
    return Article(id=story_id(title, first), role=role, title=title, body=body, **fields)  # type: ignore[arg-type]


NASTY = "Tom & Jerry <b>not bold</b> \"quoted\" 'single' ]]> 🙂 内卷 ctl\x01x vt\x0by lone\ud800z"

FULL_BODY = (
    para("Plain, ", Emphasis((Text("emphasis"),)), ", ", Strong((Text("strong"),)), ", a ",
         Link("https://www.protocol.com/a b?q=1&r=2#frag", (Text("link"),)), ", a bad ",
         Link("javascript:alert(1)", (Text("script link"),)), ", a relative ",
         Link("../elsewhere.html", (Text("relative link"),)), ", a nested ",
         Link("https://example.com/", (Text("outer "), Link("https://example.org/", (Text("inner"),)))),
         ", an IDN ", Link("https://bücher.example/straße", (Text("shop"),)),
         ", mail ", Link("mailto:someone@example.com", ()), LineBreak(), "after a break."),
    Heading(2, (Text("A subheading"),)),
    Heading(3, (Text("A smaller heading"),)),
    ListBlock(False, (
        (para("first bullet"),),
        (para("second bullet with a nested list"),
         ListBlock(True, ((para("nested one"),), (para("nested two"), ListBlock(False, ((para("deeper"),),)))))),
    )),
    Quote((para("A quoted paragraph."), para("And a second one."))),
    Figure(Image(alt="A body image", caption="The body image caption.", credit="Photo: Someone/Agency")),
    para(NASTY),
    Paragraph(()),
    Heading(2, ()),
    Signoff((Text("— A. Writer ("), Link("mailto:writer@example.com", (Text("email"),)), Text(")"))),
)

MAIN = Article(
    id=story_id("The main story"),
    role="main",
    title="The main story",
    section="China",
    dek="The dek of the main story.",
    date="2021-09-02",
    authors=(Author("Jane Doe", "@jdoe", "Jane Doe (@jdoe) is a reporter."), Author("John Roe")),
    image=Image(alt="Empty office", caption="Desks stand empty.", credit="Photo: Someone/Getty Images"),
    body=FULL_BODY,
)
TEASER = Article(
    id=story_id("A teased story"),
    role="teaser",
    title="A teased story",
    section="Fintech",
    dek="The teaser's dek.",
    authors=(Author("Veronica Example", "@vex", "Veronica Example (@vex) covers fintech."),),
    image=Image(alt="Judge", caption="A judge at work.", credit="Photo: Agency"),
    body=(para("The teaser's first paragraph."),),
    truncated=True,
)
CREDIT_ONLY = Article(
    id=story_id("Credit only"),
    role="teaser",
    title="Credit only",
    section="Enterprise",
    image=Image(credit="Image: Protocol"),
    body=(para("A story whose image has only a credit."),),
    truncated=True,
)
UNTITLED = Article(
    id=story_id(None, "An untitled teaser begins with these words and goes on for a while."),
    role="teaser",
    image=Image(credit="Image: Protocol"),
    body=(para("An untitled teaser begins with these words and goes on for a while."),),
    truncated=True,
)
SPONSORED = Article(
    id=story_id(None, "The sponsor says things."),
    role="sponsored",
    authors=(Author("FTA", None, "The Financial Technology Association represents leaders."),),
    body=(para("The sponsor says things."),),
    truncated=True,
)
NASTY_STORY = Article(
    id="story-4e4e4e4e4e4e4e4e",
    role="teaser",
    title="Nasty: " + NASTY,
    dek="Dek " + NASTY,
    section="Sec " + NASTY,
    authors=(Author("Ünïcode Nämé\x01", "@h", "Bio " + NASTY),),
    image=Image(alt="Alt " + NASTY, caption="Caption " + NASTY, credit="Credit " + NASTY),
    body=(para(NASTY),),
)

KITCHEN = doc("kitchen.txt", MAIN, TEASER, CREDIT_ONLY, UNTITLED, SPONSORED, NASTY_STORY)
NO_ARTICLES = doc("empty.txt")
ONLY_TEASERS = doc("teasers.txt", TEASER, UNTITLED)
BARE_MAIN = doc("bare.txt", Article(id="story-0000000000000000", role="main"))
UNTITLED_MAIN = doc("untitled-main.txt", story(None, first="Opening words of an untitled main story."))

# a collection: B's main is A's teaser; TEASER repeats on A and C; an id that is not a valid XML id
PAGE_A = doc("a.txt", story("Story A", section="China", date="2022-02-24", dek="Dek A."),
             story("Story B", role="teaser", section="Policy", dek="Teaser dek B."), TEASER)
PAGE_B = doc("b.txt", story("Story B", section="Policy", date="2021-06-01", dek="Dek B.",
                            authors=(Author("Writer B"),)), TEASER, SPONSORED)
PAGE_C = doc("c.txt", Article(id="12 not an id", role="main", title="Story C", body=(para("C."),)), TEASER, UNTITLED)
COLLECTION = [PAGE_A, PAGE_B, PAGE_C]
UNDATED = [doc("u1.txt", story("Undated one")), doc("u2.txt", story("Undated two"))]

# random trees: hostile text, every node type, odd and colliding ids
ALPHABET = [
    "a", "b", "Z", " ", " ", "  ", "\n", "\t", "&", "<", ">", '"', "'", "]]>", "--", "\x00", "\x01", "\x0b", "\x0c",
    "\r", "\x7f", "\x85", "\ud800", "\udfff", "\ufffe", "\u2028", "\u200b", "🙂", "内卷", "é", "%", "#", "/", ".",
]
URLS = [
    "https://www.protocol.com/x", "http://exa mple.com/", "javascript:void(0)", "", "#top", "mailto:", "https://[::1]/",
    "https://a.com/%zz?q=<>&\"", "https://bücher.example/ä", "//no-scheme.com", "ftp://x.y", "https://h.com:99999/",
]
IDS = ["id", "style", "nav", "ncx", "title", "more", "masthead", "contents", "section-1", "creator-1", "12 bad", ""]


def random_text(rng, short: bool = False) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 6 if short else 20)))


def random_inlines(rng, depth: int = 0) -> tuple:
    out = []
    for _ in range(rng.randint(0, 4)):
        kind = rng.randrange(6 if depth < 2 else 2)
        if kind in (0, 1):
            out.append(Text(random_text(rng)))
        elif kind == 2:
            out.append(Emphasis(random_inlines(rng, depth + 1)))
        elif kind == 3:
            out.append(Strong(random_inlines(rng, depth + 1)))
        elif kind == 4:
            out.append(Link(rng.choice(URLS), random_inlines(rng, depth + 1)))
        else:
            out.append(LineBreak())
    return tuple(out)


def random_image(rng):
    if rng.random() < 0.3:
        return None
    return Image(*(random_text(rng, True) if rng.random() < 0.6 else None for _ in range(3)))


def random_blocks(rng, depth: int = 0) -> tuple:
    out = []
    for _ in range(rng.randint(0, 5)):
        kind = rng.randrange(7 if depth < 3 else 3)
        if kind in (0, 1):
            out.append(Paragraph(random_inlines(rng)))
        elif kind == 2:
            out.append(Heading(rng.choice([1, 2, 3, 4, 7]), random_inlines(rng)))
        elif kind == 3:
            items = tuple(random_blocks(rng, depth + 1) for _ in range(rng.randint(0, 3)))
            out.append(ListBlock(rng.random() < 0.5, items))
        elif kind == 4:
            out.append(Quote(random_blocks(rng, depth + 1)))
        elif kind == 5:
            out.append(Figure(random_image(rng) or Image()))
        else:
            out.append(Signoff(random_inlines(rng)))
    return tuple(out)


def random_document(rng, name: str) -> Document:
    articles = []
    for n in range(rng.randint(0, 5)):
        roles = ["teaser", "sponsored", "main"] if n else ["main", "teaser"]
        title = random_text(rng, True) if rng.random() < 0.7 else None
        article_id = rng.choice(IDS) if rng.random() < 0.3 else f"story-{rng.getrandbits(64):016x}"
        authors = tuple(
            Author(random_text(rng, True), rng.choice([None, "@h", random_text(rng, True)]),
                   rng.choice([None, random_text(rng)]))
            for _ in range(rng.randint(0, 2))
        )
        articles.append(Article(
            id=article_id, role=rng.choice(roles), title=title,
            section=rng.choice([None, "", "China", "Fintech", random_text(rng, True)]),
            dek=rng.choice([None, random_text(rng)]), date=rng.choice([None, "2022-02-24", "2021-13-40", "soon"]),
            authors=authors, image=random_image(rng), body=random_blocks(rng), truncated=rng.random() < 0.5,
        ))
    return doc(name, *articles)


RANDOM_PAGES = [random_document(__import__("random").Random(seed), f"random-{seed}.txt") for seed in range(6)]

# --- reading a book back -----------------------------------------------------------------


class Book:
    """An EPUB opened with zipfile and lxml."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        container = etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_path = container.find(".//c:rootfile", NS).get("full-path")
        self.base = self.opf_path.rsplit("/", 1)[0] + "/"
        self.opf = etree.fromstring(self.zip.read(self.opf_path))
        self.manifest = {
            i.get("id"): i for i in self.opf.findall("opf:manifest/opf:item", NS)
        }
        nav_item = next(i for i in self.manifest.values() if "nav" in (i.get("properties") or "").split())
        self.nav = self.xhtml(nav_item.get("href"))

    def read(self, href: str) -> bytes:
        return self.zip.read(self.base + href)

    def xhtml(self, href: str) -> etree._Element:
        return etree.fromstring(self.read(href))

    def meta(self, name: str) -> list[str]:
        return [e.text or "" for e in self.opf.findall(f"opf:metadata/dc:{name}", NS)]

    def modified(self) -> str:
        return self.opf.find("opf:metadata/opf:meta[@property='dcterms:modified']", NS).text

    @property
    def spine(self) -> list[str]:
        return [self.manifest[r.get("idref")].get("href") for r in self.opf.findall("opf:spine/opf:itemref", NS)]

    def toc(self) -> list[tuple[str, str, list]]:
        """The nav's table of contents as [(title, href, children)]."""

        def walk(ol: etree._Element) -> list[tuple[str, str, list]]:
            out = []
            for li in ol.findall("x:li", NS):
                a = li.find("x:a", NS)
                child = li.find("x:ol", NS)
                out.append((a.text, a.get("href"), walk(child) if child is not None else []))
            return out

        return walk(self.nav.find(".//x:nav[@epub:type='toc']/x:ol", NS))

    def ncx(self) -> list[tuple[str, str, list]]:
        href = next(i.get("href") for i in self.manifest.values() if i.get("media-type") == "application/x-dtbncx+xml")
        root = etree.fromstring(self.read(href))

        def walk(node: etree._Element) -> list[tuple[str, str, list]]:
            return [
                (p.find("ncx:navLabel/ncx:text", NS).text, p.find("ncx:content", NS).get("src"), walk(p))
                for p in node.findall("ncx:navPoint", NS)
            ]

        return walk(root.find("ncx:navMap", NS))

    def h1(self, href: str) -> etree._Element:
        return self.xhtml(href).find(".//x:h1", NS)

    def text(self, href: str) -> str:
        return "".join(self.xhtml(href).find("x:body", NS).itertext())


def flat(toc: list[tuple[str, str, list]]) -> list[tuple[str, str]]:
    out = []
    for title, href, children in toc:
        out.append((title, href))
        out.extend(flat(children))
    return out


def export(documents, **options) -> bytes:
    data = convert.export(documents, "epub", options=options)
    assert data is not None
    return data


def chapter_file(book: Book, title: str) -> str:
    return next(href for t, href in flat(book.toc()) if t == title)


def figure_parts(figure: etree._Element) -> dict[str, str | None]:
    def one(cls: str) -> str | None:
        found = figure.xpath(f".//*[contains(concat(' ', @class, ' '), ' {cls} ')]")
        assert len(found) <= 1
        return "".join(found[0].itertext()) if found else None

    alt = one("image-description")
    return {
        "alt": alt.removeprefix("Image: ") if alt else None,
        "caption": one("caption"),
        "credit": one("credit"),
    }


# --- EPUBCheck, once for every book -------------------------------------------------------

def fixture_texts() -> list[Path]:
    return sorted(FIXTURES.glob("*.txt"))


def broken_book(data: bytes) -> bytes:
    """A copy of a valid book with the language set to 'C' and an empty nav link."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.endswith(".opf"):
                content = re.sub(rb"<dc:language>[^<]*</dc:language>", b"<dc:language>C</dc:language>", content)
            if info.filename.endswith("nav.xhtml"):
                content = re.sub(rb'(<a href="[^"]*">)[^<]*(</a>)', rb"\1\2", content, count=1)
            target.writestr(info, content)
    return out.getvalue()


def book_cases(tmp: Path) -> dict[str, bytes]:
    """Every book validated by EPUBCheck, by case name."""
    cover = tmp / "cover.png"
    cover.write_bytes(PNG)
    css = tmp / "extra.css"
    css.write_text("p { text-indent: 1em; }\n")
    fixtures = [convert.parse(p) for p in fixture_texts()]
    cases = {
        "kitchen-sink": export(KITCHEN),
        "no-articles": export(NO_ARTICLES),
        "only-teasers": export(ONLY_TEASERS),
        "bare-main": export(BARE_MAIN),
        "untitled-main": export(UNTITLED_MAIN),
        "collection": export(COLLECTION),
        "collection-undated": export(UNDATED),
        "collection-empty-pages": export([NO_ARTICLES, BARE_MAIN]),
        "options": export(KITCHEN, title="My title", author="Ed Itor", language="en-GB",
                          date="2022-03-04T05:06:07+02:00", cover=cover, css=css),
        "collection-options": export(COLLECTION, title="Weekly", cover=tmp / "cover.png", language="de"),
        "fixtures-collection": export(fixtures) if len(fixtures) > 1 else export([*fixtures, KITCHEN]),
    }
    for n, document in enumerate(RANDOM_PAGES):
        cases[f"random-{n}"] = export(document)
    cases["random-collection"] = export(RANDOM_PAGES)
    for path, document in zip(fixture_texts(), fixtures, strict=True):
        cases[f"fixture-{path.stem}"] = export(document)
    cases["broken-on-purpose"] = broken_book(cases["kitchen-sink"])
    return cases


@pytest.fixture(scope="session")
def epubcheck_results(tmp_path_factory) -> dict[str, tuple[tuple[int, int, int, int], str]]:
    tmp = tmp_path_factory.mktemp("epubcheck")
    books = book_cases(tmp)
    paths = []
    for name, data in books.items():
        path = tmp / f"{name}.epub"
        path.write_bytes(data)
        paths.append(path)
    return validators.epubcheck(paths, tmp)


CASE_NAMES = [
    "kitchen-sink", "no-articles", "only-teasers", "bare-main", "untitled-main", "collection",
    "collection-undated", "collection-empty-pages", "options", "collection-options", "fixtures-collection",
    *(f"random-{n}" for n in range(len(RANDOM_PAGES))), "random-collection",
] + [f"fixture-{p.stem}" for p in fixture_texts()]


@pytest.mark.parametrize("case", CASE_NAMES)
def test_epubcheck_no_errors_no_warnings(epubcheck_results, case):
    (fatals, errors, warnings, _infos), report = epubcheck_results[case]
    assert (fatals, errors, warnings) == (0, 0, 0), report


def test_epubcheck_harness_sees_errors(epubcheck_results):
    (fatals, errors, _warnings, _infos), report = epubcheck_results["broken-on-purpose"]
    assert fatals + errors >= 2, report
    assert "RSC-005" in report or "OPF-092" in report, report


# --- registration -------------------------------------------------------------------------


def test_registered_through_entry_point(registry):
    exporter = registry.exporter("epub")
    assert exporter.extension == ".epub"
    assert exporter.media_type == "application/epub+zip"
    assert {o.name for o in exporter.options} >= {"title", "author", "language", "date", "cover", "css"}
    assert registry.plugin_of("exporter", "epub") == "epub"


def test_plugin_module_imports_no_heavy_library():
    code = (
        "import sys, convert.exporters.epub\n"
        "heavy = [m for m in ('ebooklib', 'lxml', 'convert.exporters._epub_build') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# --- structure and navigation -------------------------------------------------------------

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def test_single_page_structure_and_nav_order():
    book = Book(export(KITCHEN))
    toc = book.toc()
    assert [t for t, _, _ in toc] == ["The main story", "More from Protocol"]
    assert [t for t, _, _ in toc[1][2]] == [
        "A teased story", "Credit only", "Untitled excerpt", "Sponsored by FTA", "Nasty: " + clean_nasty(),
    ]
    # the NCX mirrors the nav, for older readers
    assert book.ncx() == toc
    # the spine reads the cover, the main story, the part page, then each teaser; the nav
    # document is a spine item out of the reading order (the toc landmark points to it)
    assert book.spine == ["cover.xhtml", *(href for _, href in flat(toc)), "nav.xhtml"]
    nav_ref = book.opf.findall("opf:spine/opf:itemref", NS)[-1]
    assert nav_ref.get("linear") == "no"
    # every chapter's heading is its nav title
    for title, href in flat(toc):
        assert "".join(book.h1(href).itertext()) == title
    assert all(t and t.strip() for t, _ in flat(toc))
    # the headline is shown once, in its chapter: no title page repeating it
    assert sum("The main story" in book.text(href) for href in book.spine if href != "nav.xhtml") == 1


def test_ncx_depth_and_reopening_with_ebooklib(tmp_path):
    from ebooklib import epub

    for documents, depth in ((KITCHEN, "2"), (UNTITLED_MAIN, "1"), (COLLECTION, "2")):
        data = export(documents)
        book = Book(data)
        ncx = etree.fromstring(book.read("toc.ncx"))
        assert ncx.find("ncx:head/ncx:meta[@name='dtb:depth']", NS).get("content") == depth
        path = tmp_path / "book.epub"
        path.write_bytes(data)
        reopened = epub.read_epub(str(path), {"ignore_ncx": False})
        assert reopened.title == book.meta("title")[0]
        assert [v for v, _ in reopened.get_metadata("DC", "identifier")] == book.meta("identifier")

        def titles(entries):
            out = []
            for entry in entries:
                if isinstance(entry, tuple):
                    out.append(entry[0].title)
                    out.extend(titles(entry[1]))
                else:
                    out.append(entry.title)
            return out

        assert titles(reopened.toc) == [t for t, _ in flat(book.toc())]


def test_main_chapter_has_kicker_headline_dek_byline_and_figure():
    book = Book(export(KITCHEN))
    page = book.xhtml(chapter_file(book, "The main story"))
    header = page.find(".//x:article/x:header", NS)
    assert header.xpath("string(.//*[@class='kicker'])") == "China"
    assert header.xpath("string(x:h1)", namespaces=NS) == "The main story"
    assert header.xpath("string(.//*[@class='dek'])") == "The dek of the main story."
    assert header.xpath("string(.//*[@class='byline'])") == "By Jane Doe and John Roe"
    figure = page.find(".//x:figure[@class='lead-image']", NS)
    assert figure_parts(figure) == {
        "alt": "Empty office", "caption": "Desks stand empty.", "credit": "Photo: Someone/Getty Images",
    }
    # caption and credit are two elements with two classes inside the figcaption
    figcaption = figure.find("x:figcaption", NS)
    assert [c.get("class") for c in figcaption] == ["caption", "credit"]
    # no <img> without a resource, nothing remote
    assert page.find(".//x:img", NS) is None


def test_teasers_marked_as_excerpts_with_authors_and_bios():
    book = Book(export(KITCHEN))
    page = book.xhtml(chapter_file(book, "A teased story"))
    assert page.xpath("string(.//*[@class='kicker'])") == "Excerpt Fintech"
    assert page.xpath("string(.//*[@class='kind'])") == "Excerpt"
    assert page.find(".//x:article", NS).get("class") == "story story-teaser"
    assert page.xpath("string(.//*[@class='byline'])") == "By Veronica Example"
    assert page.xpath("string(.//x:aside[@class='authors']/x:h2)", namespaces=NS) == "About the author"
    assert page.xpath("string(.//*[@class='author-bio'])") == "Veronica Example (@vex) covers fintech."
    # the bio names the author: no name line repeats it
    assert page.xpath(".//*[@class='author-name']") == []
    assert "only the beginning" in page.xpath("string(.//*[@class='excerpt-note'])")
    assert figure_parts(page.find(".//x:figure", NS)) == {
        "alt": "Judge", "caption": "A judge at work.", "credit": "Photo: Agency",
    }


def test_sponsored_blurb_names_its_sponsor_once():
    book = Book(export(KITCHEN))
    href = chapter_file(book, "Sponsored by FTA")
    page = book.xhtml(href)
    assert page.find(".//x:article", NS).get("class") == "story story-sponsored"
    h1 = page.find(".//x:h1", NS)
    assert h1.text == "Sponsored by FTA" and "untitled" in h1.get("class")
    assert page.xpath(".//*[@class='byline']") == [] and page.xpath(".//*[@class='excerpt-note']") == []
    assert page.xpath("string(.//x:aside[@class='sponsor'])", namespaces=NS).strip().startswith(
        "The Financial Technology Association")
    assert book.text(href).count("FTA") == 1
    part = book.xhtml("more.xhtml")
    assert part.xpath("string(.//x:li[contains(., 'FTA')])", namespaces=NS) == "Sponsored by FTA"


def test_image_with_only_a_credit_keeps_the_credit_and_invents_nothing():
    book = Book(export(KITCHEN))
    href = chapter_file(book, "Credit only")
    figure = book.xhtml(href).find(".//x:figure", NS)
    assert figure_parts(figure) == {"alt": None, "caption": None, "credit": "Image: Protocol"}
    assert "not described" not in book.text(href) and "placeholder" not in book.text(href).lower()


def test_untitled_story_label_is_marked_and_stays_out_of_metadata():
    book = Book(export(UNTITLED_MAIN))
    [(label, href, _)] = book.toc()
    assert label == "Untitled story"  # a label, not words taken from the story
    assert book.h1(href).get("class") == "headline untitled"
    assert book.meta("title") == ["Protocol"]
    assert book.meta("description") == []


def test_body_blocks_and_inlines():
    book = Book(export(KITCHEN))
    page = book.xhtml(chapter_file(book, "The main story"))
    article = page.find(".//x:article", NS)
    assert article.get("epub:type") is None and article.get(f"{{{NS['epub']}}}type") == "chapter"
    assert article.find(".//x:em", NS).text == "emphasis"
    assert article.find(".//x:strong", NS).text == "strong"
    hrefs = [a.get("href") for a in article.iter(f"{{{NS['x']}}}a")]
    assert "https://www.protocol.com/a%20b?q=1&r=2#frag" in hrefs
    assert "https://xn--bcher-kva.example/stra%C3%9Fe" in hrefs
    assert "mailto:someone@example.com" in hrefs and "mailto:writer@example.com" in hrefs
    assert not any(h.startswith("javascript") or h.startswith("..") for h in hrefs)
    assert "https://example.org/" not in hrefs  # no link inside a link
    text = "".join(article.itertext())
    assert all(t in text for t in ("script link", "relative link", "inner"))  # their text stays
    assert article.find(".//x:br", NS) is not None
    assert [h.text for h in article.findall(".//x:h2", NS)][:1] == ["A subheading"]
    assert article.find(".//x:h3", NS).text == "A smaller heading"
    nested = article.find("x:ul/x:li/x:ol/x:li/x:ul/x:li", NS)
    assert nested is not None and nested.text == "deeper"
    assert len(article.findall("x:blockquote/x:p", NS)) == 2
    assert figure_parts(article.find("x:figure[@class='figure']", NS)) == {
        "alt": "A body image", "caption": "The body image caption.", "credit": "Photo: Someone/Agency",
    }
    assert article.find("x:p[@class='signoff']", NS).xpath("string()") == "— A. Writer (email)"
    # empty paragraphs and headings are not written
    assert all("".join(p.itertext()).strip() for p in article.iter(f"{{{NS['x']}}}p"))
    # the lead image opens the story, once
    assert len(article.findall("x:figure[@class='lead-image']", NS)) == 1
    assert page.xpath("string(.//*[@class='byline'])") == "By Jane Doe and John Roe"
    assert page.find(".//x:time", NS).get("datetime") == "2021-09-02"
    assert page.xpath("string(.//x:time)", namespaces=NS) == "September 2, 2021"


def clean_nasty() -> str:
    # the control character goes, the vertical tab is a space, the lone surrogate shows as U+FFFD
    return "Tom & Jerry <b>not bold</b> \"quoted\" 'single' ]]> 🙂 内卷 ctlx vt y lone\ufffdz"


def test_awkward_characters_cleaned_not_crashing():
    book = Book(export(KITCHEN))
    href = chapter_file(book, "Nasty: " + clean_nasty())
    page = book.xhtml(href)
    text = book.text(href)
    assert clean_nasty() in text and "Dek " + clean_nasty() in text
    for bad in ("\x01", "\x0b", "\ud800"):
        assert bad not in text
    assert page.xpath("string(.//x:b)", namespaces=NS) == ""  # markup in text stays text
    assert figure_parts(page.find(".//x:figure", NS)) == {
        "alt": "Alt " + clean_nasty(), "caption": "Caption " + clean_nasty(), "credit": "Credit " + clean_nasty(),
    }
    assert page.xpath("string(.//*[@class='author-name'])").startswith("Ünïcode Nämé @h")


def test_a_page_without_stories_or_without_a_main_story():
    book = Book(export(NO_ARTICLES))
    assert book.toc() == [("Protocol", "contents.xhtml", [])]
    assert "no stories" in book.text("contents.xhtml")
    book = Book(export(ONLY_TEASERS))
    assert [t for t, _, _ in book.toc()] == ["More from Protocol"]
    assert book.meta("title") == ["Protocol"]
    assert book.meta("creator") == ["Protocol"]


def test_no_documents_is_an_error():
    with pytest.raises(ConvertError):
        export([])


# --- metadata -----------------------------------------------------------------------------


def test_metadata_of_a_page():
    book = Book(export(KITCHEN))
    assert book.meta("title") == ["The main story"]
    assert book.meta("language") == ["en"]
    assert book.meta("creator") == ["Jane Doe", "John Roe"]
    assert book.meta("publisher") == ["Protocol"]
    assert book.meta("subject") == ["China"]
    assert book.meta("description") == ["The dek of the main story."]
    assert book.meta("date") == ["2021-09-02"]
    assert book.modified() == "2021-09-02T00:00:00Z"  # the page's own date
    [identifier] = book.meta("identifier")
    assert re.fullmatch(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", identifier)
    assert book.opf.get("unique-identifier") == book.opf.find("opf:metadata/dc:identifier", NS).get("id")
    a11y = [(m.get("property"), m.text) for m in book.opf.findall("opf:metadata/opf:meta[@property]", NS)]
    assert ("schema:accessMode", "textual") in a11y and ("schema:accessibilityHazard", "none") in a11y
    # the cover is an image: the book says so, and that its alternative text suffices
    assert ("schema:accessMode", "visual") in a11y and ("schema:accessModeSufficient", "textual") in a11y
    assert ("schema:accessibilityFeature", "alternativeText") in a11y
    assert ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA") in a11y
    assert "cover" in dict(a11y)["schema:accessibilitySummary"]
    root = book.xhtml(book.spine[0])
    assert root.get("lang") == "en" and root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_metadata_without_authors_has_no_creator():
    book = Book(export(doc("x.txt", story("No authors here"))))
    assert book.meta("creator") == ["Protocol"]  # the publication, when the page names no writer
    assert book.meta("description") == [] and book.meta("date") == []


def test_identifier_is_derived_from_content():
    first = Book(export(KITCHEN)).meta("identifier")
    assert Book(export(KITCHEN, title="Another title")).meta("identifier") == first
    other = doc("other.txt", *KITCHEN.articles)
    assert Book(export(other)).meta("identifier") != first
    assert Book(export(COLLECTION)).meta("identifier") == Book(export(COLLECTION)).meta("identifier")
    assert Book(export(COLLECTION)).meta("identifier") != Book(export(COLLECTION[::-1])).meta("identifier")


def test_options_title_author_language_date():
    book = Book(export(KITCHEN, title="My title", author="Ed Itor", language="en-GB",
                       date=dt.datetime(2022, 3, 4, 5, 6, 7, tzinfo=dt.timezone(dt.timedelta(hours=2)))))
    assert book.meta("title") == ["My title"]
    assert book.meta("creator") == ["Ed Itor"]
    assert book.meta("language") == ["en-GB"]
    assert book.modified() == "2022-03-04T03:06:07Z"
    assert all(book.xhtml(href).get("lang") == "en-GB" for href in book.spine)
    assert book.xhtml("cover.xhtml").find(".//x:img", NS).get("alt").startswith("Protocol. China. My title")
    assert Book(export(KITCHEN, language="en_US")).meta("language") == ["en-US"]


@pytest.mark.parametrize("bad", ["C", "und", "POSIX", "e", "english language", "12"])
def test_bad_language_is_an_option_error(bad):
    with pytest.raises(OptionError, match="language"):
        export(KITCHEN, language=bad)


def test_date_from_source_date_epoch_and_now(monkeypatch):
    undated = doc("undated.txt", story("Undated"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert Book(export(undated)).modified() == "2022-11-14T00:00:00Z"  # nothing known: the fixed last resort
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1646370367")
    assert Book(export(undated)).modified() == "2022-03-04T05:06:07Z"
    assert Book(export(KITCHEN)).modified() == "2021-09-02T00:00:00Z"  # the page's own date comes first
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    now = Book(export(KITCHEN, date="now")).modified()
    stamped = dt.datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert abs((dt.datetime.now(dt.UTC) - stamped).total_seconds()) < 120


def test_cover_image_option(tmp_path):
    png = tmp_path / "cover.png"
    png.write_bytes(PNG)
    book = Book(export(KITCHEN, cover=png))
    [cover] = [i for i in book.manifest.values() if i.get("properties") == "cover-image"]
    assert cover.get("media-type") == "image/png" and book.read(cover.get("href")) == PNG
    assert book.spine[0] == "cover.xhtml"
    img = book.xhtml("cover.xhtml").find(".//x:img", NS)
    assert img.get("src") == cover.get("href") and img.get("alt") == "The main story"
    assert book.opf.find("opf:metadata/opf:meta[@name='cover']", NS).get("content") == cover.get("id")
    jpeg = tmp_path / "cover.jpg"
    jpeg.write_bytes(JPEG_HEAD + b"\x00" * 64)
    book = Book(export(KITCHEN, cover=jpeg))
    assert [i.get("media-type") for i in book.manifest.values() if i.get("properties") == "cover-image"] == [
        "image/jpeg"
    ]


def test_bad_cover_is_an_option_error(tmp_path):
    text = tmp_path / "cover.png"
    text.write_text("not an image")
    with pytest.raises(OptionError, match="not a JPEG or PNG"):
        export(KITCHEN, cover=text)
    with pytest.raises(OptionError, match="cannot read"):
        export(KITCHEN, cover=tmp_path / "missing.jpg")


def test_css_option(tmp_path):
    css = tmp_path / "extra.css"
    css.write_text("p { text-indent: 1em; }\n")
    book = Book(export(KITCHEN, css=css))
    [style] = [i for i in book.manifest.values() if i.get("media-type") == "text/css"]
    stylesheet = book.read(style.get("href")).decode()
    assert stylesheet.rstrip().endswith("p { text-indent: 1em; }")
    assert "font-family: Georgia" in stylesheet  # the default rules stay
    remote = tmp_path / "remote.css"
    remote.write_text("@import url(https://example.com/x.css);")
    with pytest.raises(OptionError, match="remote"):
        export(KITCHEN, css=remote)
    binary = tmp_path / "binary.css"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(OptionError, match="UTF-8"):
        export(KITCHEN, css=binary)
    with pytest.raises(OptionError, match="cannot read"):
        export(KITCHEN, css=tmp_path / "missing.css")


def test_options_from_the_command_line(tmp_path):
    css = tmp_path / "extra.css"
    css.write_text("h1 { color: black; }\n")
    out = tmp_path / "out.epub"
    run = subprocess.run(
        [sys.executable, "-m", "convert", str(SEED), "-o", str(out), "--title", "CLI title", "--language", "fr",
         "--date", "2022-01-02", "-O", f"epub.css={css}", "-O", "epub.author=Someone"],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    book = Book(out.read_bytes())
    assert book.meta("title") == ["CLI title"] and book.meta("language") == ["fr"]
    assert book.meta("creator") == ["Someone"] and book.modified() == "2022-01-02T00:00:00Z"
    run = subprocess.run(
        [sys.executable, "-m", "convert", str(SEED), "-o", str(tmp_path / "bad.epub"), "-O", "epub.cover=" + str(css)],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )
    assert run.returncode == 2 and "not a JPEG or PNG" in run.stderr


# --- reproducibility ----------------------------------------------------------------------


def test_same_input_same_bytes():
    assert export(KITCHEN) == export(KITCHEN)
    assert export(COLLECTION) == export(COLLECTION)


def test_same_bytes_in_another_process_and_time_zone(tmp_path):
    code = (
        "import sys, time; time.tzset(); sys.path.insert(0, 'tests'); import convert\n"
        "from test_epub import KITCHEN, COLLECTION\n"
        "sys.stdout.buffer.write(convert.export(KITCHEN, 'epub') + convert.export(COLLECTION, 'epub'))\n"
    )
    env = dict(os.environ, TZ="Pacific/Kiritimati", PYTHONHASHSEED="12345")
    env.pop("SOURCE_DATE_EPOCH", None)
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=True, cwd=ROOT).stdout
    assert other == export(KITCHEN) + export(COLLECTION)


def test_zip_layout():
    data = export(KITCHEN, date="2022-03-04T05:06:07Z")
    assert data[30:38] == b"mimetype" and data[38:58] == b"application/epub+zip"
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert infos[0].extra == b""
    assert {i.date_time for i in infos} == {(2022, 3, 4, 5, 6, 6)}  # zip times have 2-second steps
    assert infos[1].filename == "META-INF/container.xml"
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(export(KITCHEN))).infolist()} == {(2021, 9, 2, 0, 0, 0)}


def test_write_errors_are_raised(tmp_path):
    class Broken(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data):  # type: ignore[override]
            raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="No space left"):  # the disk's failure, not the exporter's
        convert.export(KITCHEN, "epub", Broken())


# --- collections --------------------------------------------------------------------------


def test_collection_two_level_toc_with_deks():
    book = Book(export(COLLECTION))
    toc = book.toc()
    assert [t for t, _, _ in toc[:2]] == ["About this collection", "Contents"]
    sections = [(title, [t for t, _, _ in children]) for title, _, children in toc[2:]]
    assert sections == [
        ("China", ["Story A"]),
        ("Policy", ["Story B"]),
        ("Fintech", ["A teased story"]),
        ("Other stories", ["Story C", "Sponsored by FTA", "Untitled excerpt"]),  # no section: last
    ]
    assert book.ncx() == toc
    assert all(not children for _, _, children in toc[:2]) and all(children for _, _, children in toc[2:])
    # a section's entry opens its first story: no near-empty section pages
    assert all(href == children[0][1] for _, href, children in toc[2:])
    contents = book.xhtml("contents.xhtml")
    entry = contents.xpath(".//x:li[x:a[.='Story B']]", namespaces=NS)[0]
    assert entry.xpath("string(x:p[@class='toc-dek'])", namespaces=NS) == "Dek B."
    assert entry.xpath("string(x:span[@class='toc-byline'])", namespaces=NS) == "By Writer B"
    teaser = contents.xpath(".//x:li[x:a[.='A teased story']]", namespaces=NS)[0]
    assert teaser.xpath("string(x:span[@class='toc-kind'])", namespaces=NS) == "Excerpt"
    # the spine follows the table of contents, after the cover
    assert book.spine == ["cover.xhtml", *dict.fromkeys(href for _, href in flat(toc))]
    # landmarks: the cover, the contents, and the body matter at the first section's first story
    landmarks = {a.get(f"{{{NS['epub']}}}type"): a.get("href")
                 for a in book.nav.findall(".//x:nav[@epub:type='landmarks']//x:a", NS)}
    assert landmarks == {"cover": "cover.xhtml", "toc": "contents.xhtml", "bodymatter": chapter_file(book, "Story A")}


def test_collection_merges_teasers_and_links_them_to_full_stories():
    book = Book(export(COLLECTION))
    titles = [t for t, _ in flat(book.toc())]
    # Story B appears once (the full story wins over A's teaser of it); the repeated teaser once
    assert titles.count("Story B") == 1 and titles.count("A teased story") == 1
    story_b = chapter_file(book, "Story B")
    assert "excerpt" not in book.xhtml(story_b).find(".//x:article", NS).get("class")
    related = book.xhtml(chapter_file(book, "Story A")).xpath(".//x:aside[@class='related']//x:a", namespaces=NS)
    assert [(a.text, a.get("href")) for a in related] == [
        ("Story B", story_b), ("A teased story", chapter_file(book, "A teased story")),
    ]
    # an id that is not a valid XML id still gives a valid, stable file name
    assert re.fullmatch(r"story-[0-9a-f]{16}\.xhtml", chapter_file(book, "Story C"))


def test_collection_masthead_and_metadata():
    book = Book(export(COLLECTION))
    masthead = book.xhtml("masthead.xhtml")
    assert book.spine[:3] == ["cover.xhtml", "masthead.xhtml", "contents.xhtml"]
    # the publication's name over the heading, once; the dates are the heading, not repeated
    assert masthead.xpath("string(.//*[@class='masthead-publisher'])") == "Protocol"
    assert masthead.xpath("string(.//x:h1)", namespaces=NS) == "June 1, 2021 – February 24, 2022"
    assert masthead.xpath(".//*[@class='masthead-dates']") == []
    assert "6 stories from 3 saved pages" in masthead.xpath("string(.//*[@class='masthead-count'])")
    inside = [" ".join("".join(li.itertext()).split()) for li in masthead.findall(".//x:li", NS)]
    assert inside == ["China 1 story", "Policy 1 story", "Fintech 1 story", "Other stories 3 stories"]
    assert book.meta("title") == ["Protocol: June 1, 2021 – February 24, 2022"]
    # the book is Protocol's; its writers are contributors
    assert book.meta("creator") == ["Protocol"] and book.meta("contributor") == ["Writer B"]
    assert book.meta("subject") == ["China", "Policy", "Fintech"]
    assert book.meta("publisher") == ["Protocol"]
    assert book.meta("date") == ["2022-02-24"]
    undated = Book(export(UNDATED))
    page = undated.xhtml("masthead.xhtml")
    assert page.xpath(".//*[@class='masthead-dates']") == []
    assert not re.search(r"\b(19|20)\d\d\b", "".join(page.itertext()))
    assert page.xpath("string(.//x:h1)", namespaces=NS) == "Collected stories"
    assert undated.meta("title") == ["Protocol"]
    assert Book(export(UNDATED, title="Weekly")).meta("title") == ["Weekly"]


def test_collection_identifier_from_member_hashes():
    import uuid

    from convert.exporters._epub_build import _ID_NAMESPACE

    expected = uuid.uuid5(_ID_NAMESPACE, "\n".join(d.source.sha256 for d in COLLECTION))
    assert Book(export(COLLECTION)).meta("identifier") == [f"urn:uuid:{expected}"]


# --- the seed, through whatever reader is installed ----------------------------------------


def norm(text: str | None) -> str | None:
    from convert.present import one_line

    return one_line(text) or None


def test_seed_properties(seed_document):
    book = Book(export(seed_document))
    toc = flat(book.toc())
    chapter_titles = {t for t, _ in toc}
    for article in seed_document.articles:
        if article.title:
            assert norm(article.title) in chapter_titles
    main = seed_document.main
    assert main is not None and main.title
    assert book.meta("title") == [norm(main.title)]
    assert toc[0][0] == norm(main.title)  # the main story first
    # every image block keeps its three parts, each in its own place; an alt text that only
    # repeats the headline is not shown as a description
    figures = {
        tuple(figure_parts(f).values())
        for _, href in toc
        for f in book.xhtml(href).iter(f"{{{NS['x']}}}figure")
    }
    for article in seed_document.articles:
        image = article.image
        if image and (norm(image.alt) or norm(image.caption) or norm(image.credit)):
            alt = norm(image.alt) if norm(image.alt) not in (norm(article.title), norm(image.caption)) else None
            assert (alt, norm(image.caption), norm(image.credit)) in figures


def test_all_fixtures_as_one_collection():
    documents = [convert.parse(p) for p in fixture_texts()] + [KITCHEN]
    book = Book(export(documents))
    spine = book.spine
    ids = {a.id for d in documents for a in d.articles}
    for article_id in ids:
        assert spine.count(f"{article_id}.xhtml") <= 1
    assert len(spine) == 3 + shown_count(documents)  # cover, masthead, contents, one chapter per story


# --- any tree ---------------------------------------------------------------------------


def check_book(data: bytes, documents: list[Document]) -> None:
    """Properties every book has, whatever the tree: parseable XML everywhere, unique ids,
    non-empty nav titles, every relative link resolving, one chapter per distinct story."""
    book = Book(data)
    names = set(book.zip.namelist())
    for name in names:
        if name.endswith((".xhtml", ".opf", ".ncx", ".xml")):
            etree.fromstring(book.zip.read(name))  # raises on malformed XML
    ids = [i.get("id") for i in book.opf.iter() if i.get("id")]
    assert len(ids) == len(set(ids))
    hrefs = {i.get("href") for i in book.manifest.values()}
    for title, href in flat(book.toc()):
        assert title and title.strip() and href in hrefs
    for href in book.spine:
        for a in book.xhtml(href).iter(f"{{{NS['x']}}}a"):
            target = a.get("href")
            assert target and (target.startswith(("http://", "https://", "mailto:")) or target in hrefs), target
    chapters = [h for h in book.spine if book.xhtml(h).find(".//x:article", NS) is not None]
    assert len(chapters) == shown_count(documents)


def shown_count(documents: list[Document]) -> int:
    """How many stories a reader is shown: one per id, a sponsor's repeated blurb once."""
    by_id: dict[str, Article] = {}
    for document in documents:
        for story in document.articles:
            by_id.setdefault(story.id, story)
    return len(without_repeated_ads(list(by_id.values())))


@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=3))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_tree_gives_a_well_formed_book(rng, pages):
    documents = [random_document(rng, f"p{n}.txt") for n in range(pages)]
    check_book(export(documents), documents)


def test_random_pages_as_books():
    for document in RANDOM_PAGES:
        check_book(export(document), [document])
    check_book(export(RANDOM_PAGES), RANDOM_PAGES)


# --- large collections ---------------------------------------------------------------------


def test_a_thousand_page_collection(seed_document):
    """1,000 pages with the seed's teasers: 1,000 main chapters, each teaser once, all linked.
    (Speed is measured by bench/, not asserted here.)"""
    import dataclasses

    main = seed_document.main
    assert main is not None
    others = [a for a in seed_document.articles if a is not main]
    documents = []
    for n in range(1000):
        title = f"{main.title} ({n})"
        copy = dataclasses.replace(main, title=title, id=story_id(title))
        source = Source(f"page-{n}.txt", hashlib.sha256(str(n).encode()).hexdigest(), "test")
        documents.append(Document(source, (copy, *others)))
    book = Book(export(documents))
    toc = book.toc()
    assert sum(len(children) for _, _, children in toc) == 1000 + len({a.id for a in others})
    last = book.xhtml(chapter_file(book, f"{' '.join(main.title.split())} (999)"))
    related = last.xpath(".//x:aside[@class='related']//x:a/@href", namespaces=NS)
    assert len(related) == len({a.id for a in others})
    assert all(href in book.spine for href in related)


# --- the generated cover ------------------------------------------------------------------


def cover_of(book: Book) -> tuple[bytes, str]:
    [cover] = [i for i in book.manifest.values() if i.get("properties") == "cover-image"]
    img = book.xhtml("cover.xhtml").find(".//x:img", NS)
    assert img.get("src") == cover.get("href")
    return book.read(cover.get("href")), img.get("alt")


def test_every_book_has_a_generated_cover_drawn_from_its_contents():
    from PIL import Image as Picture

    book = Book(export(KITCHEN))
    png, alt = cover_of(book)
    assert png.startswith(b"\xff\xd8\xff")  # a JPEG
    with Picture.open(io.BytesIO(png)) as picture:
        assert picture.size == (1200, 1800)
        assert len(picture.getcolors(1 << 16) or ()) > 2  # drawn, not blank
    assert alt == "Protocol. China. The main story. September 2, 2021"
    assert book.spine[0] == "cover.xhtml"
    assert book.opf.find("opf:metadata/opf:meta[@name='cover']", NS).get("content") == "cover-img"
    landmarks = [a.get(f"{{{NS['epub']}}}type") for a in book.nav.findall(".//x:nav[@epub:type='landmarks']//x:a", NS)]
    assert landmarks == ["cover", "toc", "bodymatter"]
    # another headline, another cover; the same book, the same bytes
    other = doc("kitchen.txt", dataclasses.replace(MAIN, title="Another headline"), *KITCHEN.articles[1:])
    assert cover_of(Book(export(other)))[0] != png
    assert cover_of(Book(export(KITCHEN)))[0] == png
    # a collection's cover says what it holds
    png, alt = cover_of(Book(export(COLLECTION)))
    assert alt == "Protocol. 6 stories from 3 pages. June 1, 2021 – February 24, 2022. China · Policy · Fintech"


def test_a_headline_the_cover_fonts_cannot_draw_is_left_to_the_alt_text():
    from convert.exporters._cover import drawable

    assert drawable("China’s era of Big Tech Overwork — “ended”") and not drawable("中国科技")
    chinese = doc("zh.txt", story("中国科技公司的加班文化结束了", section="China"))
    png, alt = cover_of(Book(export(chinese)))
    assert alt == "Protocol. China. 中国科技公司的加班文化结束了"
    latin = doc("zh.txt", story("Latin headline", section="China"))
    assert cover_of(Book(export(latin)))[0] != png  # the Latin one draws its headline, the other cannot


def test_the_stylesheet_keeps_a_readable_measure_and_heads_and_bios_together():
    css = Book(export(KITCHEN)).read("style.css").decode()
    body = re.search(r"\nbody \{([^}]*)\}", css).group(1)
    assert "max-width: 36em" in body and "margin: 0 auto" in body
    for selector in ("header", ".authors, .related, .sponsor", "figure"):
        rule = re.search(r"\n" + re.escape(selector) + r" \{([^}]*)\}", css).group(1)
        assert "break-inside: avoid" in rule, selector
    assert "px;" not in body and "width:" not in body.replace("max-width", "")
