"""docs/tree.md's table of the nodes each reader makes (issue 17, item 14) is what the
readers make: the text reader exactly its row on every fixture page (it never makes a
``Link``, ``Emphasis``, ``Strong`` or ``Quote``), the HTML and Markdown readers every node
of their rows from pages that hold them, and nothing outside their rows."""

from __future__ import annotations

import dataclasses
import re

import pytest
from conftest import FIXTURES, ROOT, require_tool

import convert

TREE_PAGE = (ROOT / "docs" / "tree.md").read_text(encoding="utf-8")
BLOCKS = {"Paragraph", "Heading", "ListBlock", "Quote", "Figure", "Signoff"}
INLINES = {"Text", "Emphasis", "Strong", "Link", "LineBreak"}

HTML_PAGES = ROOT / "plugins" / "protocol-convert-html" / "tests" / "pages"


MARKDOWN_PAGE = b"""# A headline

Some *emphasis*, **strong**, a [link](https://example.com) and a line\\
break.

## A subheading

- one
- two

> A quote.

![An office](https://example.com/a.png "A caption")

<p class="signoff">Jane Doe</p>
"""


def documented(reader: str) -> set[str]:
    """The blocks and inlines tree.md's table gives ``reader``."""
    row = re.search(rf"^\| `{reader}` [^|]*\|([^|]*)\|([^|]*)\|", TREE_PAGE, re.MULTILINE)
    assert row, f"docs/tree.md has no row for the {reader} reader"
    return {name.strip() for cell in row.groups() for name in cell.split(",") if name.strip() in BLOCKS | INLINES}


def nodes_made(documents) -> set[str]:
    seen: set[str] = set()

    def walk(node):
        if dataclasses.is_dataclass(node) and not isinstance(node, type):
            seen.add(type(node).__name__)
            for field in dataclasses.fields(node):
                walk(getattr(node, field.name))
        elif isinstance(node, tuple):
            for item in node:
                walk(item)

    for document in documents:
        for article in document.articles:
            walk(article.body)
    return seen & (BLOCKS | INLINES)


def test_the_text_reader_makes_exactly_its_row_and_never_markup(registry):
    made = nodes_made(convert.parse(page, registry=registry) for page in sorted(FIXTURES.glob("*.txt")))
    assert made == documented("protocol")
    assert not made & {"Link", "Emphasis", "Strong", "Quote"}


def html_samples():
    """The html extra's test pages, and one of them with a line break in a paragraph."""
    pages = [(p.name, p.read_bytes()) for p in sorted(HTML_PAGES.glob("*.html"))]
    garden = (HTML_PAGES / "garden_notes.html").read_bytes()
    return [*pages, ("broken.html", garden.replace(b"</p>", b"<br>and a line after a break</p>", 1))]


@pytest.mark.parametrize(("reader", "samples"), [
    ("html", html_samples),
    ("markdown", lambda: [("page.md", MARKDOWN_PAGE)]),
])
def test_the_markup_readers_make_their_rows(registry, reader, samples):
    require_tool(f"the {reader} reader", reader in registry.readers, f"pip install -e plugins (the {reader} extra)")
    made = nodes_made(convert.parse(data, name=name, reader=reader, registry=registry) for name, data in samples())
    assert made == documented(reader), f"{reader} made {sorted(made)}"


def test_the_rows_are_what_the_page_says():
    assert documented("protocol") == {"Paragraph", "Heading", "ListBlock", "Figure", "Signoff", "Text", "LineBreak"}
    assert documented("html") == documented("markdown") == BLOCKS | INLINES
