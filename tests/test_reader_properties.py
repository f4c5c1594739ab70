"""Property tests: whatever the text, the reader returns a tree or raises our own error, and
every line of the page ends up somewhere."""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import convert
from convert import jsonform
from convert.errors import ConvertError
from convert.readers.protocol import BULLET, parse_page
from convert.tree import Document, block_text

PROFILE = settings(max_examples=300, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow])

PAGE_LINES = [
    "China", "Protocol | Enterprise", "February 24, 2022", "Keep ReadingShow less", "Latest Stories",
    "Bulletins", "Photo: Jane Doe/Getty Images", "Image: Protocol", "Getty Images", "Empty office",
    "A headline about chips and policy", "A dek that sums the story up in one sentence.",
    "Jane Doe", "Jane Doe (@janedoe) is a reporter at Protocol covering chips.",
    "The Big Story", "  • a bullet", "    • a nested bullet", "- dash bullet", "-- Sign Off",
    "— Name (name@example.com | @name)", "Reporter, Protocol", "(Was this email forwarded to you? Sign up here.)",
    "We use cookies to improve your experience.", "Protocol China", "Source Code",
    "This week's newsletter is sponsored by Acme.", "1. numbered", "FTA",
    "The Financial Technology Association (FTA) represents leaders.",
    "A long paragraph " + "with many words " * 12 + "that ends here.",
]

page_text = st.lists(
    st.one_of(st.sampled_from(PAGE_LINES), st.sampled_from(["", "", "\r", "\t"]), st.text(max_size=60)),
    max_size=40,
).map("\n".join)


def texts_of(document: Document) -> str:
    parts: list[str] = list(document.chrome)
    for article in document.articles:
        parts += [t for t in (article.title, article.section, article.dek) if t]
        if article.image:
            parts += [t for t in (article.image.alt, article.image.caption, article.image.credit) if t]
        for author in article.authors:
            parts += [t for t in (author.name, author.bio) if t]
        parts += [block_text(b) for b in article.body]
    return "\n".join(parts)


DATE_LINE = re.compile(r"^[A-Za-z]{3,9}\.? \d{1,2},? (19|20)\d\d$")


@PROFILE
@given(page_text)
@example("Protocol | Enterprise\n\nA headline about chips and policy\n\nA dek.\n\n" + PAGE_LINES[-1])
@example("\n".join(PAGE_LINES))
@example("\n\n".join(reversed(PAGE_LINES)))
def test_reader_returns_a_tree_that_loses_no_line(text):
    document = parse_page(text, name="page.txt", sha256="0" * 64)
    assert isinstance(document, Document)
    everything = texts_of(document)
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line or DATE_LINE.match(line):  # dates become ISO fields
            continue
        bullet = BULLET.match(raw)
        needle = bullet["text"].strip() if bullet and not line.startswith("--") else line
        needle = needle.removeprefix("Protocol | ")  # the label is read as its section
        assert needle in everything, f"line lost: {line!r}"
    # and the tree always serialises to schema-shaped JSON and back
    assert jsonform.loads(jsonform.dumps(document)) == (document,)


@PROFILE
@given(st.binary(max_size=400))
def test_any_bytes_give_a_tree_or_our_own_error(data):
    try:
        document = convert.parse(data, name="page.txt")
    except ConvertError as error:
        assert str(error).startswith("page.txt: ")
    else:
        assert document.articles or document.chrome


@PROFILE
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_unicode_gives_a_tree_or_our_own_error(text):
    try:
        convert.parse(text.encode("utf-8", "surrogatepass"), name="page.txt")
    except ConvertError:
        pass


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@PROFILE
@given(json_values)
def test_json_loader_on_any_json_value_raises_only_schema_errors(value):
    try:
        jsonform.loads(json.dumps(value))
    except ConvertError:
        pass


@PROFILE
@given(st.sampled_from(["document", "documents"]), json_values)
def test_json_loader_on_broken_trees(key, value):
    text = json.dumps({"schema_version": "1.0", key: value})
    try:
        jsonform.loads(text)
    except ConvertError:
        pass


def test_huge_single_line_and_only_chrome():
    document = parse_page("word " * 200_000, name="big.txt", sha256="0" * 64)
    assert document.articles[0].body
    document = parse_page("Keep ReadingShow less\nLatest Stories\nBulletins\n", name="c.txt", sha256="0" * 64)
    assert all(not a.body for a in document.articles)
    assert document.chrome == ("Keep ReadingShow less", "Latest Stories", "Bulletins")
