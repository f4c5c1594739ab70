"""The ``protocol`` reader: a saved Protocol page (a plain-text dump) → the document tree.

A dump has no markup, only lines. The reader works in passes, a module each, with the
pass's rules at the top of its module:

1. :mod:`.lines` — decode, split into lines, set the site chrome aside;
2. :mod:`.stories` — cut the page into stories (the page's own, then teasers and sponsors);
3. :mod:`.header` and :mod:`.body` — in each story, the header (date, section, headline,
   dek, image) in the site's layouts, then the body's blocks.

This module assembles the document: roles, authors (from ``Keep Reading`` bylines, bulletin
bios, and the writers' sign-offs), ids, and the chrome in page order. ``docs/reader.md``
states every rule with an example; ``fixtures/`` holds a page for each layout beside its
expected tree. Nothing is invented: what the page does not show is None.

Imported when the first page is read; :mod:`convert.readers.protocol` registers the reader
without it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ...textio import decode_text
from ...tree import (
    Article,
    Author,
    Block,
    Document,
    Heading,
    Paragraph,
    Role,
    Signoff,
    Source,
    Text,
    block_text,
    story_id,
)
from .body import read_body
from .classify import BULLET, is_name, signoff_name
from .header import read_header
from .lines import split_lines, strip_chrome
from .stories import Chunk, cut_stories

__all__ = [
    "BULLET", "NO_BODY", "NO_HEADLINE", "NO_STRUCTURE", "READER_NAME", "page_warnings", "parse_page", "read_page",
]

READER_NAME = "protocol"  # the name registered by convert.readers.protocol

# What the reader says it could not find (Document.warnings), in this order.
NO_STRUCTURE = "no recognisable structure: no site chrome, header, teaser or byline (is it a saved Protocol page?)"
NO_HEADLINE = "no headline found"
NO_BODY = "no body found"


def build_article(chunk: Chunk, role: Role) -> tuple[Article, list[list[str]], list[str]]:
    header = chunk.header if chunk.header is not None else read_header(chunk.lines, chunk.first)
    body, sponsors = read_body(chunk.lines[header.end :], header.section)
    if chunk.sponsored:
        role = "sponsored"
    fallback = block_text(body[0]) if body else (header.dek or "")
    article = Article(
        id=story_id(header.title, fallback),
        role=role,
        title=header.title,
        section=header.section,
        dek=header.dek,
        date=header.date,
        authors=_authors(chunk.authors, body),
        image=header.image,
        body=tuple(body),
        truncated=chunk.truncated,
    )
    return article, sponsors, header.chrome


def _authors(found: list[Author], body: list[Block]) -> tuple[Author, ...]:
    """The story's writers: those its byline or bio names, then those who sign its items
    (``— Name (email | twitter)``, ``-- Name``, ``- Name``) or answer its question (a
    Braintrust expert: the name heading over a role byline), each once, name only."""
    authors = list(found)
    for previous, block in zip([None, *body], body, strict=False):
        if not isinstance(block, Signoff) or not isinstance(block.content[0], Text):
            continue
        line = block.content[0].text
        if line[:1] in "-—–":
            name = signoff_name(line)
        elif isinstance(previous, Heading) and previous.level == 2 and is_name(block_text(previous)):
            name = block_text(previous)  # an expert's name, then the role: the answer's byline
        else:
            name = None
        if name is not None and not any(_same_writer(name, a.name) for a in authors):
            authors.append(Author(name=name))
    return tuple(authors)


def _same_writer(one: str, two: str) -> bool:
    return one.casefold() == two.casefold()


def parse_page(text: str, *, name: str | None = None, sha256: str = "") -> Document:
    """The document tree of a page's text."""
    lines = split_lines(text)
    page_chrome: list[str] = []
    chunks = cut_stories(strip_chrome(lines, page_chrome))
    articles: list[Article] = []
    header_chrome: list[str] = []
    for position, chunk in enumerate(chunks):
        if not chunk.lines and not chunk.authors:
            continue
        article, sponsors, chrome = build_article(chunk, "main" if position == 0 else "teaser")
        header_chrome.extend(chrome)
        articles.append(article)
        for taken in sponsors:
            body = tuple(Paragraph((Text(t),)) for t in taken)
            articles.append(Article(id=story_id(None, taken[0]), role="sponsored", body=body))
    chrome = _in_page_order(lines, page_chrome, header_chrome)
    articles = _unique_ids(articles)
    return Document(Source(name, sha256, READER_NAME), tuple(articles), tuple(chrome),
                    page_warnings(articles, chrome))


def page_warnings(articles: list[Article], chrome: list[str]) -> tuple[str, ...]:
    """What the page lacks, read off its tree: any text becomes a story, so a caller is told
    when nothing of a page's layout was found, and when the page's own story has no
    headline or no body."""
    main = next((a for a in articles if a.role == "main"), None)
    found: list[str] = []
    laid_out = bool(chrome) or len(articles) > 1 or any(
        a.title or a.section or a.date or a.dek or a.image or a.authors for a in articles
    )
    if not laid_out:
        found.append(NO_STRUCTURE)
    if main is None or main.title is None:
        found.append(NO_HEADLINE)
    if main is None or not main.body:
        found.append(NO_BODY)
    return tuple(found)


def _in_page_order(lines: list[Any], page_chrome: list[str], extra: list[str]) -> list[str]:
    if not extra:
        return page_chrome
    wanted = set(extra) | set(page_chrome)
    return [line.text for line in lines if line.text in wanted]


def _unique_ids(articles: list[Article]) -> list[Article]:
    seen: dict[str, int] = {}
    result = []
    for article in articles:
        count = seen.get(article.id, 0) + 1
        seen[article.id] = count
        result.append(article if count == 1 else replace(article, id=f"{article.id}-{count}"))
    return result


def read_page(data: bytes, name: str | None, options: Mapping[str, Any]) -> Document:
    """Reader entry point: bytes of a saved page → :class:`Document`."""
    text = decode_text(data, name=name, encoding=options.get("encoding"), max_size=options.get("max_size"))
    return parse_page(text, name=name, sha256=hashlib.sha256(data).hexdigest())
