"""convert.present: what a reader is shown, decided once for every format.

Trees are built here (not read from fixture pages), so the tests hold whatever the reader
makes of a page; the last tests check the same rules on the fixtures' structure."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from conftest import FIXTURES

import convert
from convert.present import (
    EXCERPT_NOTE,
    LAST_RESORT_DATE,
    Bio,
    Picture,
    date_range,
    output_date,
    picture,
    present,
    required_date,
    story_url,
)
from convert.tree import Article, Author, Document, Heading, Image, Paragraph, Source, Text, story_id


def para(text: str) -> Paragraph:
    return Paragraph((Text(text),))


def story(title: str | None, role: str = "main", text: str = "Body.", **fields) -> Article:
    return Article(id=story_id(title, text), role=role, title=title, body=fields.pop("body", (para(text),)),
                   **fields)


def page(name: str, *articles: Article) -> Document:
    return Document(Source(name, name.encode().hex().ljust(64, "0")[:64], "test"), articles)


# --- titles and labels -----------------------------------------------------------------------


def test_titles_are_never_invented_and_labels_say_what_a_story_is():
    doc = page(
        "p.txt",
        story("  The   headline ", section="China"),
        story(None, "teaser", "Opening words of a teaser.", authors=(Author("Jane Doe"), Author("Li Wei"))),
        story(None, "teaser", "Another teaser."),
        story(None, "sponsored", "Buy.", authors=(Author("FTA", bio="The FTA represents fintech."),)),
        story(None, "sponsored", "Sell."),
    )
    items = present([doc]).items
    assert [i.title for i in items] == ["The headline", None, None, None, None]
    assert [i.label for i in items] == [
        "The headline", "Untitled excerpt", "Untitled excerpt", "Sponsored by FTA", "Sponsored",
    ]
    assert [i.list_label for i in items] == [
        "The headline", "Untitled excerpt by Jane Doe and Li Wei", "Untitled excerpt", "Sponsored by FTA", "Sponsored",
    ]
    # no label repeats the story's own words
    assert not any("Opening" in i.label or "Opening" in i.list_label for i in items)
    assert [i.kind for i in items] == [None, "Excerpt", "Excerpt", "Sponsored by FTA", "Sponsored"]


def test_a_sponsor_is_named_once():
    blurb = story(None, "sponsored", "Fintech is great.", authors=(Author("FTA", bio="FTA represents fintech."),))
    (item,) = present([page("p.txt", blurb)]).items
    assert item.byline is None and item.bios_heading is None and item.note is None
    assert item.bios == (Bio(None, None, "FTA represents fintech."),)  # no name line, no "about the sponsor"
    assert item.tags == ("Sponsored",)


# --- sections ---------------------------------------------------------------------------------


def test_sections_are_canonical_in_page_order_and_sectionless_last():
    pages = [
        page("1.txt", story("No section one")),
        page("2.txt", story("Newsletter", section="Protocol Fintech")),
        page("3.txt", story("Article", section="Fintech")),
        page("4.txt", story("Piped", section="Protocol | Enterprise")),
        page("5.txt", story("Shouting", section="FINTECH")),
    ]
    view = present(pages)
    assert [(s.name, [i.title for i in s.items]) for s in view.sections] == [
        ("Fintech", ["Newsletter", "Article", "Shouting"]),
        ("Enterprise", ["Piped"]),
        (None, ["No section one"]),
    ]
    assert [i.title for i in view.items] == ["Newsletter", "Article", "Shouting", "Piped", "No section one"]
    assert {i.section for i in view.items} == {"Fintech", "Enterprise", None}


def test_one_page_reads_its_own_story_first_then_the_others_in_page_order():
    teaser = story("Teased", "teaser", section="Policy")
    main = story("Own", section="China")
    view = present([page("p.txt", teaser, main, story(None, "sponsored", "Ad."))])
    assert [i.label for i in view.items] == ["Own", "Teased", "Sponsored"]
    assert view.lead.title == "Own" and [i.label for i in view.more] == ["Teased", "Sponsored"]
    assert view.lead.related == (teaser.id, view.items[2].id)
    assert [i.label for i in view.feed_items()] == ["Own", "Teased"]
    assert len(view.feed_items(include_sponsored=True)) == 3


def test_a_collection_keeps_the_full_story_over_its_teasers():
    full = story("Shared", section="China", text="The full text.")
    pages = [page("a.txt", story("A", section="China"), story("Shared", "teaser", section="China", text="x")),
             page("b.txt", full)]
    view = present(pages)
    shared = view.get(full.id)
    assert shared.role == "main" and shared.note is None and shared.pages == ("a.txt", "b.txt")
    assert view.get(view.items[0].id).related == (full.id,)


# --- what a story shows ----------------------------------------------------------------------------


@pytest.mark.parametrize(("image", "title", "shown"), [
    (Image("Empty office", "Desks.", "Photo: X"), "Headline", Picture("Empty office", "Desks.", "Photo: X")),
    (Image("Headline", "Desks.", "Photo: X"), "Headline", Picture(None, "Desks.", "Photo: X")),  # alt = headline
    (Image("headline.", None, None), "Headline", None),  # nothing left to show
    (Image("Desks.", "Desks.", None), None, Picture(None, "Desks.", None)),  # alt = caption
    (Image(None, None, "Image: Protocol"), None, Picture(None, None, "Image: Protocol")),
    (Image("  ", "", None), None, None),
    (None, None, None),
])
def test_an_image_is_shown_only_as_what_it_has(image, title, shown):
    assert picture(image, title) == shown


def test_the_headline_is_not_repeated_at_the_top_of_the_body():
    article = story("Beijing tightens the valve", body=(
        Heading(2, (Text("Beijing tightens the valve."),)), para("“Beijing tightens the valve”"), para("Text."),
        Heading(2, (Text("Beijing tightens the valve"),)),  # further down: a real subheading, kept
    ))
    (item,) = present([page("p.txt", article)]).items
    assert [type(b).__name__ for b in item.body] == ["Paragraph", "Heading"]
    assert item.article.body == article.body  # the tree is untouched


def test_bios_do_not_repeat_the_name_and_dek_byline_dateline():
    article = story(
        "Title", "teaser", dek="  A dek.  ", date="2022-02-24", truncated=True,
        authors=(Author("Veronica Irwin", "@v", "Veronica Irwin (@v) covers fintech."),
                 Author("Kate Kaye", None, "She covers AI."), Author("Bob")),
    )
    (item,) = present([page("p.txt", article)]).items
    assert item.dek == "A dek." and item.byline == "By Veronica Irwin, Kate Kaye and Bob"
    assert item.day == dt.date(2022, 2, 24) and item.dateline == "February 24, 2022"
    assert item.bios == (Bio(None, None, "Veronica Irwin (@v) covers fintech."),
                         Bio("Kate Kaye", None, "She covers AI."))
    assert item.bios_heading == "About the authors" and item.note == EXCERPT_NOTE
    assert item.tags == ("Excerpt",)
    odd = present([page("p.txt", story("T", date="Thursday"))]).items[0]
    assert odd.day is None and odd.dateline == "Thursday"


def test_links_come_from_the_tree_else_from_base_url():
    article = story("T")
    assert story_url(article, None) is None
    assert story_url(article, "https://archive.example.org/protocol/") == (
        "https://archive.example.org/protocol/#" + article.id)
    assert story_url(article, "not a url") is None

    class WithURL:  # a schema 1.1 tree carries Article.url
        url = "https://www.protocol.com/china/overwork"
        id = article.id

    assert story_url(WithURL(), "https://archive.example.org/") == "https://www.protocol.com/china/overwork"
    linked = present([page("p.txt", article)], {"base_url": "https://x.org/"}).items[0]
    assert linked.url == "https://x.org/#" + article.id
    assert present([page("p.txt", article)]).items[0].urn == "urn:protocol-convert:" + article.id


# --- titles of outputs and dates ---------------------------------------------------------------------


def test_output_titles():
    dated = [page("a.txt", story("A", date="2022-02-02")), page("b.txt", story("B", date="2022-03-04"))]
    assert present(dated).title == "Protocol: February 2 – March 4, 2022"
    assert present([page("a.txt", story("Own headline"))]).title == "Own headline"
    assert present([page("a.txt", story(None))]).title == "Protocol"
    assert present([page("a.txt", story("A")), page("b.txt", story("B"))]).title == "Protocol"
    assert present(dated, {"title": " Weekly \n"}).title == "Weekly"
    # under the publication's name (a cover, a masthead) the name is not repeated
    assert present(dated).heading == "February 2 – March 4, 2022"
    assert present([page("a.txt", story("A")), page("b.txt", story("B"))]).heading == "Collected stories"
    assert present(dated, {"title": "Weekly"}).heading == "Weekly"
    assert present([page("a.txt", story("Protocol: a headline"))]).heading == "Protocol: a headline"
    assert date_range([dt.date(2021, 6, 1), dt.date(2022, 2, 24)]) == "June 1, 2021 – February 24, 2022"
    assert date_range([]) is None


def test_dates_come_from_the_option_the_pages_the_environment_then_the_files(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    dated = [page("a.txt", story("A", date="2021-06-01"), story("B", "teaser", date="2022-02-24"))]
    undated = [page("u.txt", story("U"))]
    files = {"source_date": dt.datetime(2023, 1, 2, 3, 4, 5, tzinfo=dt.UTC)}
    assert output_date(dated, {"date": "2020-01-01T10:00:00+02:00"}) == dt.datetime(
        2020, 1, 1, 8, tzinfo=dt.UTC)
    assert output_date(dated, files) == dt.datetime(2022, 2, 24, tzinfo=dt.UTC)  # the newest page date
    assert output_date(undated, files) == files["source_date"]
    assert output_date(undated, {}) is None and required_date(undated, {}) == LAST_RESORT_DATE
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1646370367")
    assert output_date(undated, files) == dt.datetime(2022, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    assert output_date(dated, files).date() == dt.date(2022, 2, 24)
    assert LAST_RESORT_DATE.year != 1970


def test_the_input_files_time_reaches_the_outputs(tmp_path, monkeypatch):
    """From the command line, an undated page's book and feed carry the page file's time."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    source = tmp_path / "page.txt"
    source.write_text("Headline of an undated page\n\nA dek sentence for it.\n\nThe body of the story.\n")
    stamp = dt.datetime(2023, 4, 5, 6, 7, 8, tzinfo=dt.UTC).timestamp()
    os.utime(source, (stamp, stamp))
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    run = subprocess.run([sys.executable, "-m", "convert", str(source), "-t", "atom,json", "-o", str(tmp_path)],
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert "<updated>2023-04-05T06:07:08+00:00</updated>" in (tmp_path / "page.atom").read_text()
    # the JSON tree is the tree: no date is added to it
    assert "2023" not in json.dumps(json.loads((tmp_path / "page.json").read_text()))
    data = convert.convert(str(source), "atom")
    assert b"<updated>2023-04-05T06:07:08+00:00</updated>" in data


# --- the fixtures' structure ------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.name)
def test_every_fixture_page_is_shown_by_the_rules(path):
    document = convert.parse(path)
    view = present([document])
    assert len({i.id for i in view.items}) == len(view.items)
    # every story is an item, but a sponsor's blurb the page prints twice is shown once
    assert {i.id for i in view.items} <= {a.id for a in document.articles}
    shown = {a.id for a in document.articles if a.role != "sponsored"}
    assert shown <= {i.id for i in view.items}
    for item in view.items:
        assert item.label.strip() and item.list_label.strip()
        if item.title:
            assert item.label == item.title
            first = item.body[0] if item.body else None
            if isinstance(first, (Heading, Paragraph)):
                assert " ".join(convert.tree.inline_text(first.content).split()).rstrip(".") != item.title.rstrip(".")
        if item.image and item.image.description:
            assert item.image.description != item.title
        assert item.section is None or not item.section.startswith("Protocol ")
        for bio in item.bios:
            assert bio.name is None or not bio.text.startswith(bio.name)


def test_importing_the_view_loads_nothing_heavy():
    heavy = ["pluggy", "feedgen", "lxml", "ebooklib", "docx", "PIL", "convert.exporters", "convert.plugins"]
    code = ("import sys, json, convert.present, convert.html; "
            f"print(json.dumps([m for m in {heavy!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


def test_a_sponsor_blurb_printed_twice_is_one_item():
    """A newsletter repeats its sponsor's ad at the top and the foot: one item, not two."""
    document = convert.parse(FIXTURES / "newsletter_2021.txt")
    ads = [a for a in document.articles if a.role == "sponsored"]
    assert len(ads) == 2 and ads[0].body == ads[1].body  # the page prints it twice
    view = present([document])
    assert [i.role for i in view.items].count("sponsored") == 1
