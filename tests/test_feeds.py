"""The ``rss`` and ``atom`` exporters: feeds that feedparser reads cleanly (bozo 0), that carry
RSS 2.0's required channel elements, and whose Atom form is valid against RFC 4287's grammar
(jing on tests/schemas/atom.rnc, a copy of shared/schemas/atom.rnc)."""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree as ET

import feedparser
import pytest
import validators
from conftest import ROOT, SEED, fixture_pages, without_repeated_ads

import convert
from convert import jsonform
from convert.errors import OptionError
from convert.exporters._feeds_build import DEFAULT_LINK, EMPTY_NOTE, EXCERPT_NOTE, ID_PREFIX
from convert.text import xml_text
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

ATOM_NS = "http://www.w3.org/2005/Atom"
A = "{" + ATOM_NS + "}"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
SCHEMA = ROOT / "tests" / "schemas" / "atom.rnc"
JING = Path("/usr/share/java/jing.jar")

# --- hand-built trees ------------------------------------------------------------------

HOSTILE_TITLE = 'Fish & <chips> "quoted" \'single\' ]]> 🐟 内卷\x01 and\x0bmore\ud800'
HOSTILE_TITLE_CLEAN = 'Fish & <chips> "quoted" \'single\' ]]> 🐟 内卷 and more\ufffd'
HOSTILE_DEK = "A dek with <b>tags</b> & ampersands ]]> 摸鱼 🎉\x01"


def para(*inlines) -> Paragraph:
    return Paragraph(tuple(Text(i) if isinstance(i, str) else i for i in inlines))


def article(title, role="main", **fields) -> Article:
    return Article(id=story_id(title, fields.pop("fallback", "")), role=role, title=title, **fields)


def every_block_body() -> tuple:
    return (
        para("Plain & <odd> “curly” 中文 🙂 \x01ctrl ", Emphasis((Text("em"),)), " ",
             Strong((Text("strong"),)), LineBreak(), Link("https://example.com/a?b=1&c=2", (Text("a link"),)),
             " ", Link("javascript:alert(1)", (Text("no script"),)), " ", Link("/relative/path", (Text("rel"),))),
        Heading(2, (Text("Sub <heading>"),)),
        Heading(3, (Text("Subsub"),)),
        ListBlock(False, (
            (para("one"),),
            (para("two"), ListBlock(True, ((para("nested a"),), (para("nested b"),)))),
        )),
        Quote((para("quoted ]]> text"),)),
        Figure(Image(alt="An alt", caption="A caption.", credit="Photo: Someone/Agency")),
        Figure(Image(credit="Image: Protocol")),
        Signoff((Text("— Name (name@example.com | @name)"),)),
    )


MAIN_ONE = article(
    HOSTILE_TITLE, section="China", dek=HOSTILE_DEK, date="2022-02-24",
    image=Image("Empty office", "Workers are fed up.", "Photo: Susan/Getty Images"), body=every_block_body(),
)
TEASER_B = article(
    "Judge teaches crypto", role="teaser", section="Fintech", dek="One reference at a time.",
    authors=(Author("Tomio Geron", "@tomiogeron", "Tomio Geron (@tomiogeron) is a reporter."),
             Author("Second Writer")),
    body=(para("Opening of the teaser."),), truncated=True,
)
UNTITLED = article(None, role="teaser", fallback="Image: Protocol opening text", body=(para("opening text"),),
                   image=Image(credit="Image: Protocol"), truncated=True)
SPONSORED = article("Sponsored blurb title", role="sponsored", authors=(Author("FTA"),),
                    body=(para("Buy our stuff."),))
TEASER_C = article("Credit-only image story", role="teaser", image=Image(credit="Photo: Only credit"),
                   body=(para("C opens."),), truncated=True)
MAIN_TWO = article(
    "Judge teaches crypto", section="Fintech", dek="One reference at a time.", date="2021-12-01",
    authors=(Author("Tomio Geron", "@tomiogeron", "Tomio Geron (@tomiogeron) is a reporter."),),
    body=(para("The whole story, first paragraph."), para("Second paragraph.")),
)
TEASER_A = article(HOSTILE_TITLE, role="teaser", section="China", dek=HOSTILE_DEK, body=(para("short"),),
                   truncated=True)
TEASER_D = article("A fourth story", role="teaser", section="Policy", body=(para("D opens."),), truncated=True)
EMPTY_STORY = article("A story with no text at all", role="teaser")


def doc(name: str, *articles: Article, sha: str | None = None) -> Document:
    return Document(Source(name, sha or (name.encode().hex() * 64)[:64], "protocol"), tuple(articles))


PAGE_ONE = doc("page-one.txt", MAIN_ONE, TEASER_B, UNTITLED, SPONSORED, TEASER_C)
PAGE_TWO = doc("page-two.txt", MAIN_TWO, TEASER_A, TEASER_D, TEASER_C, SPONSORED)


def build(fmt: str, documents, registry, **options) -> bytes:
    docs = documents if isinstance(documents, (list, tuple)) else [documents]
    # one page's feed, or a collection's for several (a list of one would be a collection)
    data = convert.export(docs[0] if len(docs) == 1 else docs, fmt, options=options, registry=registry)
    assert isinstance(data, bytes)
    return data


def parsed(data: bytes):
    feed = feedparser.parse(data)
    assert feed.bozo == 0, getattr(feed, "bozo_exception", None)
    return feed


def jing(tmp_path: Path, *feeds: bytes) -> None:
    """Validate Atom feeds against RFC 4287's grammar; fail with jing's messages."""
    paths = []
    for index, data in enumerate(feeds):
        path = tmp_path / f"feed{index}.atom"
        path.write_bytes(data)
        paths.append(path)
    validators.jing(paths)


def rss_channel(data: bytes) -> ET.Element:
    root = ET.fromstring(data)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    return channel


def assert_rss_required(data: bytes) -> ET.Element:
    """RSS 2.0: a channel with non-empty title, link (a URL) and description; every item
    has a title or a description."""
    channel = rss_channel(data)
    for name in ("title", "link", "description"):
        element = channel.find(name)
        assert element is not None and (element.text or "").strip(), f"channel <{name}> missing"
    assert channel.findtext("link").startswith(("http://", "https://"))
    for item in channel.findall("item"):
        assert (item.findtext("title") or item.findtext("description") or "").strip()
    return channel


def assert_atom_required(data: bytes) -> ET.Element:
    """RFC 4287 §4.1.1/§4.1.2 rules the grammar leaves to prose: the feed has exactly one id,
    title and updated; an author at feed level or in every entry; each entry exactly one id,
    title and updated, and content or an alternate link; ids unique."""
    root = ET.fromstring(data)
    assert root.tag == A + "feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(A + name)) == 1, f"feed needs one <{name}>"
        assert (root.findtext(A + name) or "").strip()
    feed_author = root.find(A + "author")
    ids = []
    for entry in root.findall(A + "entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(A + name)) == 1, f"entry needs one <{name}>"
        assert feed_author is not None or entry.find(A + "author") is not None
        alternate = [link for link in entry.findall(A + "link") if link.get("rel", "alternate") == "alternate"]
        assert entry.find(A + "content") is not None or alternate
        ids.append(entry.findtext(A + "id"))
    assert len(ids) == len(set(ids))
    for name in ("updated", "published"):
        for when in root.iter(A + name):
            assert dt.datetime.fromisoformat(when.text).tzinfo is not None  # RFC 3339: always an offset
    return root


# --- registration ----------------------------------------------------------------------


def test_both_formats_are_registered_by_the_feeds_plugin(registry):
    rss, atom = registry.exporter("rss"), registry.exporter("atom")
    assert (rss.extension, rss.media_type) == (".rss", "application/rss+xml")
    assert (atom.extension, atom.media_type) == (".atom", "application/atom+xml")
    assert registry.plugin_of("exporter", "rss") == registry.plugin_of("exporter", "atom") == "feeds"
    names = {o.name for o in rss.options}
    assert {"title", "date", "language", "base_url", "author", "include_sponsored", "feed_url"} <= names


def test_plugin_module_imports_without_feedgen_or_lxml():
    code = ("import sys, convert.exporters.feeds; "
            "bad = [m for m in ('feedgen', 'lxml') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --- one page ----------------------------------------------------------------------------


def test_one_page_items_titles_ids_order(registry, tmp_path):
    rss, atom = build("rss", PAGE_ONE, registry), build("atom", PAGE_ONE, registry)
    expected = [MAIN_ONE, TEASER_B, UNTITLED, TEASER_C]  # the sponsored blurb skipped
    for data in (rss, atom):
        feed = parsed(data)
        # an untitled story is labelled as such, never titled with its own words
        assert [e.title for e in feed.entries] == [HOSTILE_TITLE_CLEAN, "Judge teaches crypto",
                                                    "Untitled excerpt", "Credit-only image story"]
        assert [e.id for e in feed.entries] == [ID_PREFIX + a.id for a in expected]
    for guid in rss_channel(rss).iter("guid"):
        assert guid.get("isPermaLink") == "false"
    assert_rss_required(rss)
    assert_atom_required(atom)
    jing(tmp_path, atom)


def test_sponsored_blurbs_only_when_asked(registry, tmp_path):
    for fmt in ("rss", "atom"):
        without = parsed(build(fmt, PAGE_ONE, registry))
        assert "Sponsored blurb title" not in [e.title for e in without.entries]
        feed = parsed(build(fmt, PAGE_ONE, registry, include_sponsored=True))
        assert [e.title for e in feed.entries] == [HOSTILE_TITLE_CLEAN, "Judge teaches crypto", "Untitled excerpt",
                                                    "Sponsored blurb title", "Credit-only image story"]
        assert feed.entries[3].authors == [{"name": "FTA"}]
        assert [t.term for t in feed.entries[3].tags] == ["Sponsored"]
    atom = build("atom", PAGE_ONE, registry, include_sponsored="yes")  # as the CLI passes it
    assert "Sponsored blurb title" in atom.decode()
    jing(tmp_path, atom)


def test_hostile_text_is_clean_and_well_formed(registry, tmp_path):
    rss, atom = build("rss", PAGE_ONE, registry), build("atom", PAGE_ONE, registry)
    for data in (rss, atom):
        text = data.decode("utf-8")  # strict: a lone surrogate could not be encoded
        assert "CDATA" not in text
        assert "\x01" not in text and "\x0b" not in text and "&#1;" not in text
        ET.fromstring(data)
        feed = parsed(data)
        first = feed.entries[0]
        assert first.title == HOSTILE_TITLE_CLEAN
        assert "🐟 内卷" in first.title
        assert "Plain &amp; &lt;odd&gt; “curly” 中文 🙂 ctrl" in first.content[0].value
        assert "quoted ]]&gt; text" in first.content[0].value
    atom_feed = parsed(atom)
    assert atom_feed.entries[0].summary == xml_text(HOSTILE_DEK)
    assert atom_feed.entries[0].summary_detail.type == "text/plain"
    rss_feed = parsed(rss)
    # RSS description is HTML: the plain-text dek is escaped once, so readers show it verbatim
    assert html.unescape(rss_feed.entries[0].summary) == xml_text(HOSTILE_DEK)
    jing(tmp_path, atom)


def test_control_characters_everywhere_do_not_crash(registry, tmp_path):
    nasty = "\x00\x01\x02\x08\x0b\x0c\x0e\x1f\x7f\x85\ud800\udfff\ufffe\uffff"
    story = Article(
        id="story-" + "0" * 16, role="main", title="T" + nasty, section="S" + nasty, dek="D" + nasty,
        date="2022-01-02", authors=(Author("N" + nasty, "@h", "B" + nasty),),
        image=Image("a" + nasty, "c" + nasty, "r" + nasty),
        body=(para("p" + nasty, Link("https://e.com/" + nasty, (Text("l" + nasty),))),
              Heading(2, (Text("h" + nasty),)), Signoff((Text("s" + nasty),))),
    )
    page = doc("nasty.txt", story)
    options = {"title": "F" + nasty, "author": "W" + nasty, "description": "X" + nasty}
    rss, atom = build("rss", page, registry, **options), build("atom", page, registry, **options)
    for data in (rss, atom):
        data.decode("utf-8")
        feed = parsed(data)
        assert feed.feed.title == "F \ufffd\ufffd"  # \x0b, \x0c → space; surrogates → U+FFFD
        assert feed.entries[0].title == "T \ufffd\ufffd"
    assert_rss_required(rss)
    assert_atom_required(atom)
    jing(tmp_path, atom)


def test_content_is_html_with_every_block(registry):
    rss = build("rss", PAGE_ONE, registry, base_url="https://archive.example.org/protocol/")
    atom = build("atom", PAGE_ONE, registry, base_url="https://archive.example.org/protocol/")
    item = rss_channel(rss).find("item")
    rss_html = item.findtext(CONTENT_ENCODED)
    entry = ET.fromstring(atom).find(A + "entry")
    content = entry.find(A + "content")
    assert content.get("type") == "html"
    atom_html = content.text
    assert rss_html == atom_html
    # the dek is the summary, not repeated in the content
    assert "A dek with" not in atom_html
    for fragment in (
        '<figure class="lead-image"><p class="image-description"><span class="image-label">Image: </span>Empty office'
        '</p><figcaption><p class="caption">Workers are fed up.</p><p class="credit">Photo: Susan/Getty Images</p>'
        "</figcaption></figure>",
        "<em>em</em>", "<strong>strong</strong>", "<br/>",
        '<a href="https://example.com/a?b=1&amp;c=2">a link</a>',
        '<a href="https://archive.example.org/relative/path">rel</a>',
        "<h2>Sub &lt;heading&gt;</h2>", "<h3>Subsub</h3>",
        "<ul>\n<li>one</li>\n<li><p>two</p>\n<ol>\n<li>nested a</li>\n<li>nested b</li>\n</ol>\n</li>\n</ul>",
        "<blockquote>\n<p>quoted ]]&gt; text</p>\n</blockquote>",
        '<figure class="figure"><figcaption><p class="credit">Image: Protocol</p></figcaption></figure>',
        '<p class="signoff">— Name (name@example.com | @name)</p>',
    ):
        assert fragment in atom_html, fragment
    assert "javascript" not in atom_html and " no script " in atom_html
    # the page records no story URL: the link is made from base_url, and only with one
    link = "https://archive.example.org/protocol/#" + MAIN_ONE.id
    assert item.findtext("link") == link
    assert [(x.get("rel", "alternate"), x.get("href")) for x in entry.findall(A + "link")] == [("alternate", link)]
    assert rss_channel(build("rss", PAGE_ONE, registry)).find("item").find("link") is None
    assert ET.fromstring(build("atom", PAGE_ONE, registry)).find(A + "entry").find(A + "link") is None


def test_the_summary_is_the_dek_only(registry):
    items = rss_channel(build("rss", PAGE_ONE, registry)).findall("item")
    assert items[1].findtext("description") == "One reference at a time."
    assert "One reference at a time." not in items[1].findtext(CONTENT_ENCODED)
    # no dek: no summary made from the opening paragraph (a newsletter's greeting); RSS then
    # carries the story itself in <description>, as RSS 2.0 does
    assert items[3].findtext("description").startswith('<figure class="lead-image">')
    assert ET.fromstring(build("atom", PAGE_ONE, registry)).findall(A + "entry")[3].find(A + "summary") is None


def test_teasers_say_they_are_cut_and_keep_bios(registry):
    feed = parsed(build("atom", PAGE_ONE, registry))
    teaser = feed.entries[1]
    assert EXCERPT_NOTE in teaser.content[0].value
    assert "Tomio Geron (@tomiogeron) is a reporter." in teaser.content[0].value
    assert EXCERPT_NOTE not in feed.entries[0].content[0].value


def test_authors_dc_creator_in_rss_author_name_in_atom(registry):
    rss, atom = build("rss", PAGE_ONE, registry), build("atom", PAGE_ONE, registry)
    items = rss_channel(rss).findall("item")
    assert [c.text for c in items[1].findall(DC_CREATOR)] == ["Tomio Geron", "Second Writer"]
    assert items[0].findall(DC_CREATOR) == []
    assert all(item.find("author") is None for item in items)  # RSS <author> must be an e-mail
    root = ET.fromstring(atom)
    assert [a.findtext(A + "name") for a in root.findall(A + "author")] == ["Protocol"]
    entries = root.findall(A + "entry")
    assert [a.findtext(A + "name") for a in entries[1].findall(A + "author")] == ["Tomio Geron", "Second Writer"]
    assert entries[0].findall(A + "author") == []  # inherits the feed's author
    for data in (rss, atom):
        assert [a["name"] for a in parsed(data).entries[1].authors] == ["Tomio Geron", "Second Writer"]
    custom = ET.fromstring(build("atom", PAGE_ONE, registry, author="The Archive"))
    assert custom.find(A + "author").findtext(A + "name") == "The Archive"
    assert rss_channel(build("rss", PAGE_ONE, registry, author="The Archive")).findtext(DC_CREATOR) == "The Archive"


def test_category_is_the_section(registry):
    for fmt in ("rss", "atom"):
        feed = parsed(build(fmt, PAGE_ONE, registry))
        # the section, and the kind: teasers are marked as excerpts
        assert [[t.term for t in e.get("tags", [])] for e in feed.entries] == [
            ["China"], ["Fintech", "Excerpt"], ["Excerpt"], ["Excerpt"]]


# --- dates -------------------------------------------------------------------------------


def test_dates_only_when_known_or_given(registry, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    rss = build("rss", PAGE_ONE, registry)
    channel = rss_channel(rss)
    # the feed's date: the newest the pages show; an undated item has none of its own
    assert channel.findtext("lastBuildDate") == "Thu, 24 Feb 2022 00:00:00 +0000" and channel.find("pubDate") is None
    items = channel.findall("item")
    assert items[0].findtext("pubDate") == "Thu, 24 Feb 2022 00:00:00 +0000"
    assert [item.find("pubDate") for item in items[1:]] == [None, None, None]
    for pub in channel.iter("pubDate"):
        assert email.utils.parsedate_to_datetime(pub.text).tzinfo is not None
    root = ET.fromstring(build("atom", PAGE_ONE, registry))
    entries = root.findall(A + "entry")
    assert root.findtext(A + "updated") == "2022-02-24T00:00:00+00:00"  # the newest story date
    assert entries[0].findtext(A + "updated") == entries[0].findtext(A + "published") == "2022-02-24T00:00:00+00:00"
    assert entries[1].findtext(A + "updated") == "2022-02-24T00:00:00+00:00"  # required: the feed's date
    assert entries[1].find(A + "published") is None
    # nothing known at all: Atom's required dates are the fixed last resort, never 1970
    undated = ET.fromstring(build("atom", doc("undated.txt", TEASER_B), registry))
    assert undated.findtext(A + "updated") == undated.find(A + "entry").findtext(A + "updated") == (
        "2022-11-14T00:00:00+00:00")
    assert rss_channel(build("rss", doc("undated.txt", TEASER_B), registry)).find("lastBuildDate") is None


def test_date_option_stamps_feed_and_undated_items(registry):
    when = dt.datetime(2023, 5, 6, 7, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=-7)))
    channel = rss_channel(build("rss", PAGE_ONE, registry, date=when))
    assert channel.findtext("lastBuildDate") == "Sat, 06 May 2023 07:08:09 -0700"
    items = channel.findall("item")
    assert items[0].findtext("pubDate") == "Thu, 24 Feb 2022 00:00:00 +0000"  # its own date wins
    assert items[1].findtext("pubDate") == "Sat, 06 May 2023 07:08:09 -0700"
    root = ET.fromstring(build("atom", PAGE_ONE, registry, date="2023-05-06T07:08:09-07:00"))
    assert root.findtext(A + "updated") == "2023-05-06T07:08:09-07:00"
    entries = root.findall(A + "entry")
    assert entries[1].findtext(A + "updated") == "2023-05-06T07:08:09-07:00"
    assert entries[1].find(A + "published") is None
    naive = ET.fromstring(build("atom", PAGE_ONE, registry, date="2023-05-06"))
    assert naive.findtext(A + "updated") == "2023-05-06T00:00:00+00:00"


def test_source_date_epoch_sets_atoms_required_dates(registry, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    page = doc("undated.txt", TEASER_B)
    root = ET.fromstring(build("atom", page, registry))
    assert root.findtext(A + "updated") == "2023-11-14T22:13:20+00:00"
    assert root.find(A + "entry").findtext(A + "updated") == "2023-11-14T22:13:20+00:00"


def test_reproducible_and_no_now(registry):
    today = dt.datetime.now(dt.UTC)
    stamps = (today.strftime("%Y-%m-%d"), today.strftime("%d %b %Y"))
    for fmt in ("rss", "atom"):
        first = build(fmt, [PAGE_ONE, PAGE_TWO], registry)
        time.sleep(1.1)
        assert build(fmt, [PAGE_ONE, PAGE_TWO], registry) == first
        assert not any(stamp in first.decode() for stamp in stamps)
    # "now" only when asked
    now = ET.fromstring(build("atom", PAGE_ONE, registry, date="now"))
    stamped = dt.datetime.fromisoformat(now.findtext(A + "updated"))
    assert abs((stamped - dt.datetime.now(dt.UTC)).total_seconds()) < 60


# --- collections -------------------------------------------------------------------------


def test_collection_merges_duplicates_and_keeps_order(registry, tmp_path):
    rss = build("rss", [PAGE_ONE, PAGE_TWO], registry)
    atom = build("atom", [PAGE_ONE, PAGE_TWO], registry)
    # section by section (in the order of their first main story, stories without a section
    # last); in a section, main stories in input order, then the others as first seen
    expected = [MAIN_ONE, MAIN_TWO, TEASER_D, UNTITLED, TEASER_C]
    for data in (rss, atom):
        feed = parsed(data)
        assert [e.id for e in feed.entries] == [ID_PREFIX + a.id for a in expected]
        judge = feed.entries[1]
        assert "The whole story, first paragraph." in judge.content[0].value  # the full story, not the teaser
        assert EXCERPT_NOTE not in judge.content[0].value
        assert [a["name"] for a in judge.authors] == ["Tomio Geron"]
    assert MAIN_ONE.id == TEASER_A.id and TEASER_B.id == MAIN_TWO.id
    assert_rss_required(rss)
    assert_atom_required(atom)
    jing(tmp_path, atom)


def test_main_stories_follow_input_order_not_first_mention_and_sectionless_come_last(registry):
    third = article("Third page's own story", section="Policy", body=(para("x"),))
    one = doc("1.txt", article("First", body=(para("x"),)),
              article("Third page's own story", role="teaser", body=(para("x"),), truncated=True))
    two = doc("2.txt", article("Second", body=(para("x"),)))
    three = doc("3.txt", third)
    feed = parsed(build("rss", [one, two, three], registry))
    assert [e.title for e in feed.entries] == ["Third page's own story", "First", "Second"]


def test_ids_match_the_json_tree(registry):
    pages = [doc("a.txt", MAIN_TWO, TEASER_C, TEASER_D, SPONSORED), doc("b.txt", TEASER_B, EMPTY_STORY, UNTITLED)]
    tree = json.loads(build("json", pages, registry))
    documents = tree["documents"] if isinstance(tree, dict) and "documents" in tree else tree
    json_ids = json.dumps(documents)
    for fmt in ("rss", "atom"):
        entries = parsed(build(fmt, pages, registry, include_sponsored=True)).entries
        assert len(entries) == 6
        for entry in entries:
            assert entry.id.startswith(ID_PREFIX)
            assert f'"{entry.id.removeprefix(ID_PREFIX)}"' in json_ids


def test_feed_id_is_derived_from_the_inputs(registry):
    def feed_id(documents, **options):
        return ET.fromstring(build("atom", documents, registry, **options)).findtext(A + "id")

    one = feed_id([PAGE_ONE])
    assert one.startswith("urn:uuid:")
    assert feed_id([PAGE_ONE]) == one
    assert feed_id([PAGE_ONE], title="Another title") == one
    assert feed_id([PAGE_ONE, PAGE_TWO]) != one
    assert feed_id([PAGE_ONE], feed_id="tag:example.org,2024:feed") == "tag:example.org,2024:feed"


def test_empty_feed_is_still_valid(registry, tmp_path):
    page = doc("nothing.txt", SPONSORED)
    rss, atom = build("rss", page, registry), build("atom", page, registry)
    assert parsed(rss).entries == [] and parsed(atom).entries == []
    assert assert_rss_required(rss).findtext("description") == "0 stories from a saved Protocol page"
    assert_atom_required(atom)
    jing(tmp_path, atom)


def test_story_without_text_gets_a_note(registry, tmp_path):
    atom = build("atom", doc("e.txt", EMPTY_STORY), registry)
    assert EMPTY_NOTE in parsed(atom).entries[0].content[0].value
    rss = build("rss", doc("e.txt", EMPTY_STORY), registry)
    assert EMPTY_NOTE in rss_channel(rss).find("item").findtext("description")  # no dek: the story itself
    jing(tmp_path, atom)


# --- options -----------------------------------------------------------------------------


def test_channel_metadata_defaults(registry):
    channel = rss_channel(build("rss", PAGE_ONE, registry))
    assert channel.findtext("title") == HOSTILE_TITLE_CLEAN  # one page: its headline
    assert channel.findtext("link") == DEFAULT_LINK
    assert channel.findtext("description") == "4 stories from a saved Protocol page"
    assert channel.findtext("language") == "en"
    assert channel.findtext("generator") == "protocol-convert"
    root = ET.fromstring(build("atom", [PAGE_ONE, PAGE_TWO], registry))
    assert root.findtext(A + "title") == "Protocol: December 1, 2021 – February 24, 2022"
    assert root.findtext(A + "subtitle") == "5 stories from 2 saved Protocol pages"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert root.find(A + "generator").get("version") == convert.__version__
    assert [(link.get("rel"), link.get("href")) for link in root.findall(A + "link")] == [("alternate", DEFAULT_LINK)]


def test_options_reach_the_feed(registry, tmp_path):
    options = dict(title="My & <feed>", description="About things", language="en_GB",
                   base_url="https://archive.example.org/", feed_url="https://archive.example.org/feed.xml")
    rss, atom = build("rss", PAGE_ONE, registry, **options), build("atom", PAGE_ONE, registry, **options)
    channel = rss_channel(rss)
    assert channel.findtext("title") == "My & <feed>"
    assert channel.findtext("description") == "About things"
    assert channel.findtext("language") == "en-GB"
    assert channel.findtext("link") == "https://archive.example.org/"  # not the self link
    self_link = channel.find(A + "link")
    assert (self_link.get("rel"), self_link.get("href")) == ("self", "https://archive.example.org/feed.xml")
    root = ET.fromstring(atom)
    assert root.findtext(A + "title") == "My & <feed>"
    assert sorted((link.get("rel"), link.get("href")) for link in root.findall(A + "link")) == [
        ("alternate", "https://archive.example.org/"), ("self", "https://archive.example.org/feed.xml")]
    assert parsed(rss).feed.title == parsed(atom).feed.title == "My & <feed>"
    jing(tmp_path, atom)


@pytest.mark.parametrize("options", [
    {"language": "C"}, {"language": "en US"}, {"base_url": "www.example.com"}, {"base_url": "ftp://x.org/"},
    {"feed_url": "/feed.xml"}, {"feed_id": "not an iri"}, {"date": "yesterday"},
])
def test_bad_options_are_option_errors(registry, options):
    for fmt in ("rss", "atom"):
        with pytest.raises(OptionError):
            build(fmt, PAGE_ONE, registry, **options)


def test_cli_writes_both_feeds(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "convert", "convert", str(SEED), "-t", "rss,atom", "-o", str(out),
         "--base-url", "https://archive.example.org/", "--date", "2022-03-01T12:00:00Z",
         "-O", "rss.include_sponsored=true"],
        capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    rss, atom = (out / "seed.rss").read_bytes(), (out / "seed.atom").read_bytes()
    assert rss_channel(rss).findtext("link") == "https://archive.example.org/"
    assert rss_channel(rss).findtext("lastBuildDate") == "Tue, 01 Mar 2022 12:00:00 +0000"
    assert ET.fromstring(atom).findtext(A + "updated") == "2022-03-01T12:00:00+00:00"


# --- the seed and the fixtures ----------------------------------------------------------

PAGES = [SEED, *[p for p in fixture_pages() if p.resolve() != SEED.resolve()]]


def canonical(section: str | None) -> str | None:
    name = " ".join(xml_text(section).split())
    return re.sub(r"^protocol\s*(?:[|:\u2013\u2014-]\s*|\s)(?=\S)", "", name, flags=re.IGNORECASE) or None


def expected_items(documents, include_sponsored=False) -> list[Article]:
    """What the feed must hold, computed from the trees independently of the exporter: one
    item per story id (the full story over a teaser); one page in page order, its own story
    first; a collection section by section, stories without a section last."""
    by_id: dict[str, Article] = {}
    for document in documents:
        for story in document.articles:
            if story.id not in by_id or (story.role == "main" and by_id[story.id].role != "main"):
                by_id[story.id] = story
    seen = list(dict.fromkeys(a.id for d in documents for a in d.articles))
    ordered = [i for i in seen if by_id[i].role == "main"] + [i for i in seen if by_id[i].role != "main"]
    if len(documents) > 1:
        groups: dict[str | None, list[str]] = {}
        for i in ordered:
            key = canonical(by_id[i].section)
            groups.setdefault(key.casefold() if key else None, []).append(i)
        ordered = [i for key, ids in groups.items() if key is not None for i in ids] + groups.get(None, [])
    shown = without_repeated_ads([by_id[i] for i in ordered])
    return [a for a in shown if a.role != "sponsored" or include_sponsored]


def label(story: Article) -> str:
    title = " ".join(xml_text(story.title).split())
    if title:
        return title
    names = [" ".join(xml_text(a.name).split()) for a in story.authors if (a.name or "").strip()]
    joined = " and ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " and " + names[-1]
    if story.role == "sponsored":
        return f"Sponsored by {joined}" if names else "Sponsored"
    kind = "Untitled excerpt" if story.role == "teaser" else "Untitled story"
    return f"{kind} by {joined}" if names else kind


def check_feeds_against_tree(documents, registry, tmp_path) -> None:
    items = expected_items(documents)
    rss, atom = build("rss", documents, registry), build("atom", documents, registry)
    for data in (rss, atom):
        feed = parsed(data)
        assert [e.id for e in feed.entries] == [ID_PREFIX + a.id for a in items]
        assert [e.title for e in feed.entries] == [label(a) for a in items]
        for entry, story in zip(feed.entries, items, strict=True):
            names = [a.get("name") for a in entry.get("authors", [])]
            assert names == [" ".join(xml_text(a.name).split()) for a in story.authors if (a.name or "").strip()]
            text = entry.content[0].value if "content" in entry else entry.summary
            first = next((b for b in story.body if isinstance(b, Paragraph) and b.content
                          and isinstance(b.content[0], Text) and b.content[0].text.strip()
                          and " ".join(b.content[0].text.split()) != label(story)), None)
            if first is not None:
                opening = xml_text(first.content[0].text).split("\n")[0][:40]
                assert html.escape(opening, quote=False) in text
    assert_rss_required(rss)
    assert_atom_required(atom)
    jing(tmp_path, atom)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_real_pages_through_the_reader(page, registry, tmp_path):
    document = convert.parse(page, registry=registry)
    check_feeds_against_tree([document], registry, tmp_path)
    if document.main is not None and document.main.title:
        assert parsed(build("atom", document, registry)).entries[0].id == ID_PREFIX + document.main.id


EXPECTED_TREES = [p.with_suffix(".json") for p in fixture_pages()]


@pytest.mark.parametrize("expected", [*EXPECTED_TREES, None], ids=lambda p: p.stem if p else "hand-built-json")
def test_trees_read_back_from_json(expected, registry, tmp_path):
    """Feeds from the fixtures' expected trees, and from hand-built pages read back from the
    JSON form (the way a saved tree is converted later)."""
    if expected is None:
        pages = [doc("a.txt", MAIN_TWO, TEASER_C, SPONSORED), doc("b.txt", TEASER_B, TEASER_D, EMPTY_STORY, UNTITLED)]
        text = jsonform.dumps(pages)
    else:
        text = expected.read_text(encoding="utf-8")
    documents = list(jsonform.loads(text))
    check_feeds_against_tree(documents, registry, tmp_path)


def test_all_pages_as_one_collection(registry, tmp_path):
    documents = [convert.parse(p, registry=registry) for p in PAGES] + [PAGE_ONE, PAGE_TWO]
    check_feeds_against_tree(documents, registry, tmp_path)


def test_a_large_collection_merges_every_teaser_into_its_full_story(registry):
    # (speed is measured by bench/, not here)
    pages = []
    for n in range(1000):
        stories = [article(f"Story {n}", section=f"S{n % 7}", dek="Dek.", body=every_block_body())]
        stories += [article(f"Story {(n + k) % 1000}", role="teaser", body=(para("teaser"),), truncated=True)
                    for k in (1, 2, 3)]
        pages.append(doc(f"p{n}.txt", *stories, sha=f"{n:064x}"))
    for fmt in ("rss", "atom"):
        data = build(fmt, pages, registry)
        assert len(parsed(data).entries) == 1000


# --- the three feed formats agree ------------------------------------------------------


@pytest.mark.parametrize("include_sponsored", [False, True])
def test_rss_atom_and_json_feed_list_the_same_items(registry, include_sponsored):
    from conftest import require_tool

    require_tool("the jsonfeed extra", "jsonfeed" in registry.exporters,
                 "pip install -e plugins/protocol-convert-jsonfeed")
    cases = [[PAGE_ONE], [PAGE_ONE, PAGE_TWO], [convert.parse(SEED, registry=registry)],
             [convert.parse(p, registry=registry) for p in PAGES]]
    for documents in cases:
        options = {"include_sponsored": include_sponsored, "base_url": "https://archive.example.org/"}
        rss = parsed(build("rss", documents, registry, **options)).entries
        atom = parsed(build("atom", documents, registry, **options)).entries
        jsonfeed = json.loads(build("jsonfeed", documents, registry, **options))["items"]
        listed = [
            [(e.id, e.title, e.link, [t.term for t in e.get("tags", [])]) for e in rss],
            [(e.id, e.title, e.link, [t.term for t in e.get("tags", [])]) for e in atom],
            [(i["id"], i["title"], i["url"], i.get("tags", [])) for i in jsonfeed],
        ]
        assert listed[0] == listed[1] == listed[2]
        assert len(listed[0]) == len(expected_items(documents, include_sponsored))
        # teasers are marked as excerpts in every format; the dek is the summary, never repeated
        atom_xml = ET.fromstring(build("atom", documents, registry, **options)).findall(A + "entry")
        for entry, item in zip(atom_xml, jsonfeed, strict=True):
            assert ("Excerpt" in item.get("tags", [])) == (item["_protocol"]["role"] == "teaser" or (
                item["_protocol"]["truncated"] and item["_protocol"]["role"] == "main"))
            assert entry.findtext(A + "summary") == item.get("summary")
            if item.get("summary"):
                assert html.escape(item["summary"], quote=False) not in item["content_html"]
