"""convert.html: the one tree-to-HTML renderer (escaping, cleaning, links, every node type,
figures, whole stories as the view shows them, errors, import cost)."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from conftest import SEED

import convert
from convert.html import (
    EMPTY_NOTE,
    blocks_html,
    figure_html,
    header_html,
    inlines_html,
    story_html,
)
from convert.present import EXCERPT_NOTE, present
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

HOSTILE = 'Fish & <chips> "quoted" \'single\' ]]> 🐟 内卷\x01 and\x0bmore\ud800'
HOSTILE_HTML = "Fish &amp; &lt;chips&gt; \"quoted\" 'single' ]]&gt; 🐟 内卷 and more\ufffd"


class Reader(HTMLParser):
    """Collects start tags (with attributes), the text, and checks every element is closed."""

    VOID = frozenset({"br"})

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, (tag, self.open)
        self.open.pop()

    def handle_data(self, data):
        self.text.append(data)


def read(fragment: str) -> Reader:
    reader = Reader()
    reader.feed(fragment)
    reader.close()
    assert reader.open == []
    return reader


def para(*inlines) -> Paragraph:
    return Paragraph(tuple(inlines))


def item_of(article: Article, **options):
    """The view's item for a one-story page."""
    (item,) = present([Document(Source("p.txt", "0" * 64, "test"), (article,))], options).items
    return item


# --- escaping and cleaning -------------------------------------------------------------


def test_text_is_escaped_and_cleaned():
    assert inlines_html([Text(HOSTILE)]) == HOSTILE_HTML
    assert "".join(read(inlines_html([Text(HOSTILE)])).text) == HOSTILE_HTML.replace("&amp;", "&").replace(
        "&lt;", "<").replace("&gt;", ">")


def test_a_url_with_quotes_and_ampersands_stays_inside_its_attribute():
    url = 'https://example.com/a?b=1&c="2"&d=<3>\x01'
    html = inlines_html([Link(url, (Text("x"),))])
    assert html == '<a href="https://example.com/a?b=1&amp;c=%222%22&amp;d=%3C3%3E">x</a>'
    (tag,) = read(html).tags
    assert tag == ("a", {"href": "https://example.com/a?b=1&c=%222%22&d=%3C3%3E"})


def test_every_text_field_is_escaped():
    image = Image(alt="Alt " + HOSTILE, caption=HOSTILE, credit=HOSTILE)
    article = Article(id=story_id("h"), role="teaser", title=HOSTILE, dek=HOSTILE, image=image,
                      authors=(Author("A", bio=HOSTILE),), body=(para(Text("Body " + HOSTILE)),), truncated=True)
    item = item_of(article)
    html = header_html(item) + story_html(item)
    # title, dek, alt, caption, credit, paragraph, bio (hostile text on one line)
    assert html.count(" ".join(HOSTILE_HTML.split())) == 7
    assert "<chips>" not in html and "]]>" not in html and "\x01" not in html and "\ud800" not in html
    read(html)


# --- links -----------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "base", "href"), [
    ("https://example.com/x", None, "https://example.com/x"),
    ("http://example.com/x", None, "http://example.com/x"),
    ("HTTPS://example.com/x", None, "https://example.com/x"),
    ("mailto:a@b.c", None, "mailto:a@b.c"),
    ("  https://example.com/x  ", None, "https://example.com/x"),
    ("javascript:alert(1)", None, None),
    ("JavaScript:alert(1)", "https://www.protocol.com/", None),
    ("https://bücher.example/straße", None, "https://xn--bcher-kva.example/stra%C3%9Fe"),
    ("https://example.com/a b?q=<1>", None, "https://example.com/a%20b?q=%3C1%3E"),
    ("https://exa mple.com/", None, None),
    ("data:text/html,<b>x</b>", None, None),
    ("ftp://example.com/x", None, None),
    ("/tech/story", None, None),
    ("#top", None, None),
    ("/tech/story", "https://www.protocol.com/china/", "https://www.protocol.com/tech/story"),
    ("story", "https://www.protocol.com/china/", "https://www.protocol.com/china/story"),
    ("#top", "https://www.protocol.com/page", "https://www.protocol.com/page#top"),
    ("/x", "javascript:alert(1)", None),  # a base that is not a web address gives no link
    ("", None, None),
    ("http://[::1", None, None),  # unparsable
])
def test_links_keep_only_safe_schemes(url, base, href):
    html = inlines_html([Link(url, (Text("label"), Strong((Text("bold"),))))], base_url=base)
    if href is None:
        assert html == "label<strong>bold</strong>"
    else:
        assert read(html).tags[0] == ("a", {"href": href})
        assert html.endswith(">label<strong>bold</strong></a>")


def test_base_url_reaches_nested_links():
    link = Link("/x", (Text("x"),))
    blocks = (ListBlock(False, ((Quote((para(Emphasis((link,))),)),),)),)
    assert '<a href="https://www.protocol.com/x">x</a>' in blocks_html(blocks, base_url="https://www.protocol.com/")
    assert "<a" not in blocks_html(blocks)


# --- every node type -------------------------------------------------------------------


def test_every_inline_type():
    inlines = (Text("a"), Emphasis((Text("e"), Strong((Text("s"),)))), Strong((Text("b"),)),
               Link("https://x.org/", (Text("l"),)), LineBreak(), Text("z"))
    assert inlines_html(inlines) == 'a<em>e<strong>s</strong></em><strong>b</strong><a href="https://x.org/">l</a><br/>z'


def test_every_block_type():
    blocks = (
        para(Text("p")),
        Heading(2, (Text("h2"),)),
        Heading(3, (Text("h3"),)),
        ListBlock(False, ((para(Text("u1")),), (para(Text("u2")), ListBlock(True, ((para(Text("o1")),),))))),
        Quote((para(Text("q")),)),
        Figure(Image(alt="alt", caption="cap", credit="cred")),
        Signoff((Text("s"),)),
    )
    assert blocks_html(blocks).replace("\n", "") == (
        "<p>p</p><h2>h2</h2><h3>h3</h3>"
        "<ul><li>u1</li><li><p>u2</p><ol><li>o1</li></ol></li></ul>"
        "<blockquote><p>q</p></blockquote>"
        '<figure class="figure"><p class="image-description"><span class="image-label">Image: </span>alt</p>'
        '<figcaption><p class="caption">cap</p><p class="credit">cred</p></figcaption></figure>'
        '<p class="signoff">s</p>'
    )
    read(blocks_html(blocks))


def test_heading_levels_are_clamped_and_empty_paragraphs_dropped():
    blocks = (Heading(1, (Text("a"),)), Heading(7, (Text("b"),)), para(), para(Text("  ")), Paragraph(()))
    assert blocks_html(blocks) == "<h2>a</h2>\n<h6>b</h6>\n"
    assert blocks_html(()) == ""


# --- figures ---------------------------------------------------------------------------


DESCRIPTION = '<p class="image-description"><span class="image-label">Image: </span>A</p>'


@pytest.mark.parametrize(("image", "expected"), [
    (Image(alt="A", caption="C", credit="Photo: K"),
     f'<figure class="figure">{DESCRIPTION}<figcaption><p class="caption">C</p>'
     '<p class="credit">Photo: K</p></figcaption></figure>\n'),
    (Image(alt="A"), f'<figure class="figure">{DESCRIPTION}</figure>\n'),
    (Image(caption="C"), '<figure class="figure"><figcaption><p class="caption">C</p></figcaption></figure>\n'),
    (Image(credit="Photo: K"),
     '<figure class="figure"><figcaption><p class="credit">Photo: K</p></figcaption></figure>\n'),
    # an alt text that only repeats the caption describes nothing: it is not shown twice
    (Image(alt="C", caption="C"),
     '<figure class="figure"><figcaption><p class="caption">C</p></figcaption></figure>\n'),
    (Image(), ""),
    (Image(alt="  ", caption="", credit=None), ""),
])
def test_figure_parts_are_distinct(image, expected):
    assert figure_html(Figure(image)) == expected


def test_figure_parts_of_the_seed_stay_distinct():
    document = convert.parse(SEED)
    images = [a.image for a in document.articles if a.image is not None]
    images += [b.image for a in document.articles for b in a.body if isinstance(b, Figure)]
    assert images  # the seed has lead images
    for image in images:
        reader = read(figure_html(Figure(image)))
        texts = reader.text
        for value in (image.alt, image.caption, image.credit):
            if value and value.strip() and not (value is image.alt and image.alt == image.caption):
                assert any(value.strip() in t for t in texts)
        if image.caption and image.credit and image.caption.strip() and image.credit.strip():
            assert image.caption.strip() != image.credit.strip()
            assert not any(image.caption.strip() in t and image.credit.strip() in t for t in texts)


# --- stories ---------------------------------------------------------------------------


def test_a_whole_story():
    article = Article(
        id=story_id("s"), role="teaser", title="Title", dek="The dek", section="Protocol Fintech",
        image=Image(alt="Title", credit="Photo: K"), body=(Heading(2, (Text("Title"),)), para(Text("Body"))),
        truncated=True, authors=(Author("A", "@a", "A writes."), Author("B"), Author("C", bio="  ")),
    )
    item = item_of(article)
    # the head: kind and canonical section, headline, dek, byline
    assert header_html(item) == (
        '<p class="kicker"><span class="kind">Excerpt</span> <span class="section">Fintech</span></p>\n'
        '<h1 class="headline">Title</h1>\n<p class="dek">The dek</p>\n<p class="byline">By A, B and C</p>\n'
    )
    # the text: no dek (a feed's summary holds it), no alt repeating the headline, no heading
    # repeating it, the excerpt note, one bio whose name is not repeated
    assert story_html(item) == (
        '<figure class="lead-image"><figcaption><p class="credit">Photo: K</p></figcaption></figure>\n'
        f'<p>Body</p>\n<p class="excerpt-note">{EXCERPT_NOTE}</p>\n'
        '<aside class="authors">\n<h2>About the author</h2>\n<p class="author-bio">A writes.</p>\n</aside>\n'
    )


def test_an_untitled_story_shows_a_label_not_its_words():
    article = Article(id=story_id(None, "Words"), role="teaser", body=(para(Text("Words of the story")),),
                      authors=(Author("Jane Doe"),))
    item = item_of(article)
    assert '<h1 class="headline untitled">Untitled excerpt</h1>' in header_html(item)
    assert item.list_label == "Untitled excerpt by Jane Doe"
    assert "Words" not in header_html(item)


def test_an_empty_story_is_never_empty():
    article = Article(id=story_id("e"), role="main", body=(para(Text(" ")),))
    assert story_html(item_of(article)) == f'<p class="no-text">{EMPTY_NOTE}</p>\n'


def test_every_seed_story_renders_balanced_html():
    document = convert.parse(SEED)
    for item in present([document]).items:
        html = header_html(item) + story_html(item, base_url="https://www.protocol.com/")
        reader = read(html)
        assert all(tag != "a" or attrs["href"].startswith(("http:", "https:", "mailto:"))
                   for tag, attrs in reader.tags)


def test_the_book_and_the_feeds_use_this_renderer():
    from convert.exporters import _epub_build, _feeds_build

    assert _feeds_build.story_html is story_html
    assert _epub_build.story_html is story_html and _epub_build.header_html is header_html


# --- errors and import cost ------------------------------------------------------------


def test_unknown_nodes_raise_type_error_naming_them():
    with pytest.raises(TypeError, match="not an inline node: str"):
        inlines_html(["plain string"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="not a block node: Text"):
        blocks_html([Text("inline where a block belongs")])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="not a block node: dict"):
        blocks_html([Quote(({"type": "paragraph"},))])  # type: ignore[arg-type]


def test_importing_it_loads_nothing_heavy():
    heavy = ["pluggy", "feedgen", "lxml", "ebooklib", "docx", "convert.exporters", "convert.plugins"]
    code = (f"import sys, json, convert.html; "
            f"print(json.dumps([m for m in {heavy!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []
