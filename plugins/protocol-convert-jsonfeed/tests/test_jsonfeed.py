"""The jsonfeed exporter: conformance kit, JSON Feed 1.1 validity (a JSON Schema written from
the specification: feedparser 6.0 does not read JSON Feed),
what each tree field becomes, options and errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

import convert
from convert.errors import OptionError
from convert.plugins import load_registry
from convert.testing import check_exporter, conformance_params, run_check, run_cli, sample_documents
from convert.tree import Article, Author, Document, Image, Link, Paragraph, Source, Text, story_id

SCHEMA = json.loads((Path(__file__).parent / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8"))
REGISTRY = load_registry()


def feed_of(documents, **options) -> dict:
    data = convert.export(documents, "jsonfeed", options=options, registry=REGISTRY)
    assert data is not None
    feed = json.loads(data)
    jsonschema.validate(feed, SCHEMA)
    for item in feed["items"]:
        if "date_published" in item:
            assert dt.datetime.fromisoformat(item["date_published"]).tzinfo is not None
    return feed


def test_registered_through_the_entry_point():
    info = REGISTRY.plugins["jsonfeed"]
    assert info.error is None and info.distribution == "protocol-convert-jsonfeed"
    assert info.exporters == ["jsonfeed"]


def test_conformance_kit():
    check_exporter("jsonfeed", registry=REGISTRY)


@pytest.mark.parametrize(("exporter", "check"), conformance_params(["jsonfeed"]))
def test_conformance_each_check(exporter, check):
    run_check(exporter, check, registry=REGISTRY)


@pytest.mark.parametrize("name", sorted(sample_documents()))
def test_every_sample_is_a_valid_json_feed(name):
    feed_of(sample_documents()[name].documents)


def test_fields_of_a_story():
    every = sample_documents()["every-node"].documents[0]
    feed = feed_of([every])
    main_story, teaser = every.articles[0], every.articles[1]
    # sponsored left out; the ids are those of the RSS and Atom feeds
    assert [i["id"] for i in feed["items"]] == ["urn:protocol-convert:" + a.id for a in (main_story, teaser)]
    item = feed["items"][0]
    assert item["title"] == "Every node headline"
    assert item["summary"] == "Dek marker omega"
    assert item["date_published"] == "2021-08-17T00:00:00Z"
    assert item["authors"] == [{"name": "Ada Lovelace"}]
    assert item["tags"] == ["Section marker psi"]
    assert feed["items"][1]["tags"] == ["Other section", "Excerpt"]  # a teaser is marked as an excerpt
    assert item["_protocol"]["authors"] == [
        {"name": "Ada Lovelace", "handle": "@ada", "bio": "Ada Lovelace writes about engines."}
    ]
    assert item["_protocol"]["image"] == {
        "alt": "Lead alt marker", "caption": "Lead caption marker", "credit": "Photo: Lead credit marker"
    }
    html = item["content_html"]
    # The HTML is convert.html's story_html (what the RSS and Atom exporters write): the dek is
    # the summary, not repeated in the content
    from convert.html import story_html
    from convert.present import present

    assert html == story_html(present([every]).items[0])
    assert "Dek marker omega" not in html
    assert html.startswith('<figure class="lead-image"><p class="image-description"><span class="image-label">'
                           'Image: </span>Lead alt marker</p><figcaption><p class="caption">Lead caption marker</p>'
                           '<p class="credit">Photo: Lead credit marker</p></figcaption></figure>')
    for fragment in ("<h2>Subheading marker iota</h2>", "<h3>Minor heading marker kappa</h3>",
                     "<em>Emphasis marker gamma</em>", "<strong>Strong marker delta</strong>",
                     '<a href="https://example.com/a?b=1&amp;c=2">Link marker epsilon</a>',
                     "Line one zeta<br/>Line two eta", "<blockquote>\n<p>Quoted marker pi</p>",
                     '<p class="signoff">Signoff marker chi</p>',
                     '<figcaption><p class="credit">Photo: Credit only marker phi</p></figcaption>'):
        assert fragment in html
    assert "<ul>\n<li>Bullet marker lambda</li>\n<li><p>Bullet marker mu</p>\n<ol>" in html
    assert teaser.truncated and feed["items"][1]["_protocol"] == {
        "id": teaser.id, "role": "teaser", "truncated": True, "section": "Other section",
        "authors": [{"name": "Grace Hopper", "bio": "Grace Hopper is a reporter."}], "pages": ["sample.txt"],
    }


def test_nothing_is_invented_for_an_untitled_story():
    feed = feed_of(sample_documents()["untitled"].documents)
    (item,) = feed["items"]
    assert set(item) == {"id", "title", "content_html", "_protocol"}
    assert item["title"] == "Untitled story"  # a label, never the story's own words
    assert feed["title"] == "Protocol"


def test_a_collection_keeps_one_item_per_story_the_full_one():
    first, second = sample_documents()["collection"].documents
    feed = feed_of([first, second])
    ids = [i["id"] for i in feed["items"]]
    assert len(ids) == len(set(ids)) == 2
    shared = next(i for i in feed["items"] if i["title"] == "Shared story headline")
    assert "The full story marker" in shared["content_html"] and "teaser" not in shared["content_html"]
    assert shared["_protocol"]["role"] == "main"
    assert shared["_protocol"]["pages"] == ["page-2.txt", "page-1.txt"]


def test_odd_text_is_cleaned_and_kept():
    feed = feed_of(sample_documents()["unicode"].documents)
    text = json.dumps(feed, ensure_ascii=False)
    assert "\x01" not in text and "\x0b" not in text and "\\u0001" not in text
    assert "Odd text 🙂 中文 & <tags>" in feed["items"][0]["title"]
    assert "Ampersand &amp; less &lt; greater &gt;" in feed["items"][0]["content_html"]


def test_options():
    documents = sample_documents()["every-node"].documents
    feed = feed_of(documents, expired=True, title="T", description="D", base_url="https://www.protocol.com/",
                   feed_url="https://example.org/feed.json", author="Protocol staff", language="en-GB",
                   include_sponsored=True)
    assert feed["expired"] is True
    assert (feed["title"], feed["description"], feed["language"]) == ("T", "D", "en-GB")
    assert feed["home_page_url"] == "https://www.protocol.com/" and feed["authors"] == [{"name": "Protocol staff"}]
    assert [i["_protocol"]["role"] for i in feed["items"]] == ["main", "teaser", "sponsored"]
    assert "expired" not in feed_of(documents)
    one_line = convert.export(documents, "jsonfeed", options={"indent": 0}, registry=REGISTRY)
    assert one_line.count(b"\n") == 1


def test_unknown_and_ill_typed_options_are_clear_errors():
    documents = sample_documents()["untitled"].documents
    with pytest.raises(OptionError, match=r"unknown option jsonfeed\.expire \(known options: .*expired"):
        convert.export(documents, "jsonfeed", options={"expire": True}, registry=REGISTRY)
    with pytest.raises(OptionError, match=r"jsonfeed\.expired expects true or false, got 'maybe'"):
        convert.export(documents, "jsonfeed", options={"expired": "maybe"}, registry=REGISTRY)


def test_unsafe_link_schemes_keep_their_text_only():
    article = Article(id=story_id("x"), role="main", title="x", body=(
        Paragraph((Link("javascript:alert(1)", (Text("click"),)), Link("mailto:a@b.c", (Text("mail"),)))),))
    feed = feed_of([Document(Source("p", "0" * 64, "t"), (article,))])
    assert feed["items"][0]["content_html"] == '<p>click<a href="mailto:a@b.c">mail</a></p>\n'


def test_relative_links_resolve_against_base_url_or_keep_their_text_only():
    article = Article(id=story_id("x"), role="main", title="x", body=(
        Paragraph((Link("/tech/story", (Text("rel"),)),)),))
    documents = [Document(Source("p", "0" * 64, "t"), (article,))]
    assert feed_of(documents)["items"][0]["content_html"] == "<p>rel</p>\n"
    with_base = feed_of(documents, base_url="https://www.protocol.com/")["items"][0]
    assert with_base["content_html"] == '<p><a href="https://www.protocol.com/tech/story">rel</a></p>\n'
    # the item's link: made from base_url (the tree has no story URL)
    assert with_base["url"] == "https://www.protocol.com/#" + article.id
    assert "url" not in feed_of(documents)["items"][0]


def test_a_parsed_page_becomes_one_item_per_story():
    page = (b"China\n\nHeadline of the page\n\nA dek.\n\nFirst paragraph of the story.\n\n"
            b"Second paragraph.\n")
    document = convert.parse(page, name="page.txt", registry=REGISTRY)
    feed = feed_of([document])
    kept = [a for a in document.articles if a.role != "sponsored"]
    assert [i["id"] for i in feed["items"]] == ["urn:protocol-convert:" + a.id for a in kept]
    assert "First paragraph of the story." in json.dumps(feed)


def test_from_the_command_line(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("China\n\nHeadline\n\nBody text.\n", encoding="utf-8")
    out = tmp_path / "page.feed.json"
    result = run_cli(["convert", str(page), "-t", "jsonfeed", "-o", str(out),
                                       "-O", "jsonfeed.expired=true", "--title", "From the CLI"])
    assert result.exit_code == 0, result.output
    feed = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(feed, SCHEMA)
    assert feed["expired"] is True and feed["title"] == "From the CLI"
    bad = run_cli(["convert", str(page), "-t", "jsonfeed", "-o", str(tmp_path / "x.json"),
                                    "-O", "jsonfeed.expired=perhaps"])
    assert bad.exit_code == 2 and "expects true or false" in bad.output


def test_listed_with_its_options(tmp_path):
    result = run_cli(["formats", "--json"])
    row = next(r for r in json.loads(result.output) if r["name"] == "jsonfeed")
    assert (row["plugin"], row["distribution"], row["version"]) == ("jsonfeed", "protocol-convert-jsonfeed", "0.1.0")
    assert {o["name"]: o["type"] for o in row["options"]}["expired"] == "bool"


def test_an_author_with_only_a_name():
    article = Article(id=story_id("t"), role="main", title="t", authors=(Author("Solo"),),
                      image=Image(credit="Photo: only"))
    item = feed_of([Document(Source(None, "0" * 64, "t"), (article,))])["items"][0]
    assert "authors" not in item["_protocol"] and item["_protocol"]["image"] == {"credit": "Photo: only"}
    assert item["_protocol"]["pages"] == ["input 1"]  # the collection's name for an unnamed input
