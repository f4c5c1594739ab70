"""The markdown reader: foreign Markdown fills the tree; the markdown exporter's output reads
back to the tree it came from (when that exporter is installed)."""

from __future__ import annotations

import json

import pytest

import convert
from convert import jsonform
from convert.errors import EmptyInputError, InputError
from convert.plugins import load_registry
from convert.testing import sample_documents
from convert.tree import (
    Author,
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
    Strong,
    Text,
)

REGISTRY = load_registry()

ARTICLE = """\
---
title: "China’s era of Big Tech Overwork has ended"
section: China
description: Tech companies fear public outcry as much as they do regulatory crackdowns.
date: 2021-08-17
author:
  - Shen Lu
  - name: Zeyi Yang
    handle: "@zeyiyang"
    bio: Zeyi Yang is a reporter.
image:
  alt: Empty office
  caption: Chinese tech workers are fed up.
  credit: "Photo: Susan Fisher Plotner/Getty Images"
---

Two years after Chinese tech workers *started* a **protest** against [996](https://996.icu).\\
A hard break.

![A chart of hours](chart.png "Weekly hours, 2019-2021")

## The outcry begins

- one
- two
  1. nested

> A quote.

```
code stays text
```

<figure><img alt="Alt of a figure"><figcaption>Its caption <small>Photo: Someone</small></figcaption></figure>

<p class="signoff">— Shen Lu (<a href="mailto:s@protocol.com">email</a>)</p>
"""


def parse(text: str, name: str = "page.md"):
    return convert.parse(text.encode("utf-8"), name=name, registry=REGISTRY)


def test_registered_and_chosen_by_extension():
    info = REGISTRY.plugins["markdown_reader"]
    assert info.error is None and info.readers == ["markdown"]
    assert REGISTRY.reader_for("notes.md").name == "markdown"
    assert REGISTRY.reader_for("notes.markdown").name == "markdown"


def test_a_markdown_article_fills_the_tree():
    document = parse(ARTICLE)
    assert document.source.reader == "markdown" and document.source.name == "page.md"
    (article,) = document.articles
    assert article.role == "main" and article.id.startswith("story-")
    assert article.title == "China’s era of Big Tech Overwork has ended"
    assert article.section == "China"
    assert article.dek == "Tech companies fear public outcry as much as they do regulatory crackdowns."
    assert article.date == "2021-08-17"
    assert article.authors == (Author("Shen Lu"), Author("Zeyi Yang", "@zeyiyang", "Zeyi Yang is a reporter."))
    assert article.image == Image("Empty office", "Chinese tech workers are fed up.",
                                  "Photo: Susan Fisher Plotner/Getty Images")
    assert article.body == (
        Paragraph((Text("Two years after Chinese tech workers "), Emphasis((Text("started"),)), Text(" a "),
                   Strong((Text("protest"),)), Text(" against "), Link("https://996.icu", (Text("996"),)),
                   Text("."), LineBreak(), Text("A hard break."))),
        Figure(Image(alt="A chart of hours", caption="Weekly hours, 2019-2021")),
        Heading(2, (Text("The outcry begins"),)),
        ListBlock(False, ((Paragraph((Text("one"),)),),
                          (Paragraph((Text("two"),)), ListBlock(True, ((Paragraph((Text("nested"),)),),))))),
        Quote((Paragraph((Text("A quote."),)),)),
        Paragraph((Text("code stays text"),)),
        Figure(Image(alt="Alt of a figure", caption="Its caption", credit="Photo: Someone")),
        Signoff((Text("— Shen Lu ("), Link("mailto:s@protocol.com", (Text("email"),)), Text(")"))),
    )


def test_without_front_matter_the_first_heading_is_the_title_and_nothing_is_invented():
    document = parse("# A headline\n\n*A dek in italics*\n\nBody.\n\n# Another top heading\n\nMore.\n")
    (article,) = document.articles
    assert (article.title, article.dek, article.section, article.date, article.authors, article.image) == (
        "A headline", "A dek in italics", None, None, (), None)
    assert article.body == (Paragraph((Text("Body."),)), Heading(2, (Text("Another top heading"),)),
                            Paragraph((Text("More."),)))
    untitled = parse("Just a paragraph.\n").articles[0]
    assert untitled.title is None and untitled.body == (Paragraph((Text("Just a paragraph."),)),)


def test_bad_input_is_a_clear_error():
    with pytest.raises(EmptyInputError):
        parse("   \n")
    with pytest.raises(InputError, match="front matter is not valid YAML"):
        parse("---\ntitle: [unclosed\n---\n\nBody\n")
    assert parse("---\n\nNot front matter, a rule above.\n").articles[0].body


def test_an_unreadable_date_is_left_out():
    assert parse("---\ndate: sometime in 2021\n---\n\nx\n").articles[0].date is None


def test_it_converts_to_other_formats_from_the_command_line(tmp_path):
    from convert.testing import run_cli

    source = tmp_path / "article.md"
    source.write_text(ARTICLE, encoding="utf-8")
    result = run_cli(["convert", str(source), "-t", "json", "-o", str(tmp_path / "a.json")])
    assert result.exit_code == 0, result.output
    tree = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert tree["document"]["articles"][0]["title"] == "China’s era of Big Tech Overwork has ended"


def _articles(document):
    return json.loads(jsonform.dumps(document))["document"]["articles"]


@pytest.mark.parametrize("name", ["every-node", "metadata", "untitled"])
def test_the_markdown_exporter_output_reads_back_to_the_same_tree(name):
    assert "markdown" in REGISTRY.exporters, "the round trip needs plugins/protocol-convert-markdown installed"
    document = sample_documents()[name].documents[0]
    markdown = convert.export(document, "markdown", registry=REGISTRY)
    back = convert.parse(markdown, reader="markdown", registry=REGISTRY)
    assert _articles(back) == _articles(document)


def test_a_markdown_collection_reads_back_with_sections_and_ids():
    assert "markdown" in REGISTRY.exporters, "the round trip needs plugins/protocol-convert-markdown installed"
    documents = sample_documents()["collection"].documents
    back = convert.parse(convert.export(documents, "markdown", registry=REGISTRY), reader="markdown",
                         registry=REGISTRY)
    assert [(a.title, a.section, a.role) for a in back.articles] == [
        ("Second page headline", "Collection section two", "main"),
        ("Shared story headline", "Collection section one", "main"),
    ]
    assert {a.id for a in back.articles} == {a.id for d in documents for a in d.articles}


def test_the_reader_passes_the_conformance_kit():
    from convert.testing import check_reader

    check_reader("markdown", [("article.md", ARTICLE.encode()), ("plain.md", b"# A title\n\nA paragraph.\n")],
                 registry=REGISTRY)
