"""Building a JSON Feed 1.1 document (https://jsonfeed.org/version/1.1) from the tree.

- One item per story, in the collection's reading order (section by section): a teaser and
  its full story share an id, so a collection keeps one item, the full story's.
- ``id`` is the story's stable id, the same as in every other format.
- ``content_html`` is the story's body (its lead image first) as HTML; ``summary`` its dek;
  ``authors`` its authors; ``tags`` its section; ``date_published`` its date (midnight
  UTC: pages show a day, not a time). A value the page does not give is left out, never
  invented. Sponsored blurbs are left out unless ``include_sponsored``.
- What JSON Feed has no field for (the story's role, whether the page cut it short, author
  handles and bios, the three texts of its lead image, the pages it appeared on) goes in the
  item's ``_protocol`` extension object.
- Lone surrogates and control characters are removed from every text.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from convert.collection import build_collection
from convert.errors import ExportError
from convert.tree import (
    Article,
    Block,
    Document,
    Emphasis,
    Figure,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    Signoff,
    Strong,
    Text,
)

VERSION = "https://jsonfeed.org/version/1.1"
_SAFE_URL = re.compile(r"^(https?:|mailto:|#|/)", re.IGNORECASE)


def clean(text: str) -> str:
    """``text`` without lone surrogates and control characters (tab and newline kept)."""
    if text.isprintable():
        return text
    return "".join(
        c for c in text if c in "\t\n" or unicodedata.category(c) not in ("Cc", "Cs")
    )


def _esc(text: str) -> str:
    return html.escape(clean(text), quote=True)


def inlines_html(nodes: Iterable[Inline]) -> str:
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            parts.append(_esc(node.text))
        elif isinstance(node, Emphasis):
            parts.append(f"<em>{inlines_html(node.content)}</em>")
        elif isinstance(node, Strong):
            parts.append(f"<strong>{inlines_html(node.content)}</strong>")
        elif isinstance(node, Link):
            inner = inlines_html(node.content)
            url = clean(node.url).strip()
            # An unsafe scheme (javascript:, data:) keeps its text and loses the link.
            parts.append(f'<a href="{_esc(url)}">{inner}</a>' if _SAFE_URL.match(url) else inner)
        elif isinstance(node, LineBreak):
            parts.append("<br>")
        else:
            raise ExportError(f"jsonfeed: unsupported inline node {type(node).__name__}")
    return "".join(parts)


def figure_html(image: Image) -> str:
    parts = ["<figure>"]
    if image.alt:
        # There are no image bytes, only their description: show it where the image was.
        parts.append(f'<div role="img" aria-label="{_esc(image.alt)}">{_esc(image.alt)}</div>')
    caption = " ".join(
        p for p in (
            _esc(image.caption) if image.caption else "",
            f"<small>{_esc(image.credit)}</small>" if image.credit else "",
        ) if p
    )
    if caption:
        parts.append(f"<figcaption>{caption}</figcaption>")
    parts.append("</figure>")
    return "".join(parts)


def blocks_html(blocks: Iterable[Block]) -> str:
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            parts.append(f"<p>{inlines_html(block.content)}</p>")
        elif isinstance(block, Heading):
            level = min(max(block.level, 2), 6)
            parts.append(f"<h{level}>{inlines_html(block.content)}</h{level}>")
        elif isinstance(block, ListBlock):
            tag = "ol" if block.ordered else "ul"
            items = "".join(f"<li>{blocks_html(item)}</li>" for item in block.items)
            parts.append(f"<{tag}>{items}</{tag}>")
        elif isinstance(block, Quote):
            parts.append(f"<blockquote>{blocks_html(block.content)}</blockquote>")
        elif isinstance(block, Figure):
            parts.append(figure_html(block.image))
        elif isinstance(block, Signoff):
            parts.append(f'<p class="signoff">{inlines_html(block.content)}</p>')
        else:
            raise ExportError(f"jsonfeed: unsupported block node {type(block).__name__}")
    return "\n".join(parts)


def _image_dict(image: Image | None) -> dict[str, str] | None:
    if image is None:
        return None
    found = {k: clean(v) for k, v in (("alt", image.alt), ("caption", image.caption), ("credit", image.credit)) if v}
    return found or None


def build_item(article: Article, pages: Sequence[str]) -> dict[str, Any]:
    item: dict[str, Any] = {"id": article.id}
    if article.title:
        item["title"] = clean(article.title)
    body = blocks_html(article.body)
    if article.image is not None:
        body = figure_html(article.image) + ("\n" + body if body else "")
    item["content_html"] = body
    if article.dek:
        item["summary"] = clean(article.dek)
    if article.date:
        item["date_published"] = f"{article.date}T00:00:00Z"
    if article.authors:
        item["authors"] = [{"name": clean(a.name)} for a in article.authors]
    if article.section:
        item["tags"] = [clean(article.section)]
    extension: dict[str, Any] = {"role": article.role, "truncated": article.truncated}
    if article.section:
        extension["section"] = clean(article.section)
    if any(a.handle or a.bio for a in article.authors):
        extension["authors"] = [
            {k: clean(v) for k, v in (("name", a.name), ("handle", a.handle), ("bio", a.bio)) if v}
            for a in article.authors
        ]
    image = _image_dict(article.image)
    if image:
        extension["image"] = image
    if pages:
        extension["pages"] = [clean(p) for p in pages]
    item["_protocol"] = extension
    return item


def _feed_title(documents: Sequence[Document], options: Mapping[str, Any]) -> str:
    if options.get("title"):
        return clean(options["title"])
    if len(documents) == 1 and documents[0].main is not None and documents[0].main.title:
        return clean(documents[0].main.title)
    return "Protocol"


def build_feed(documents: Sequence[Document], options: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON Feed object for one page or a collection of pages."""
    collection = build_collection(documents)
    feed: dict[str, Any] = {"version": VERSION, "title": _feed_title(documents, options)}
    if options.get("base_url"):
        feed["home_page_url"] = clean(options["base_url"])
    if options.get("feed_url"):
        feed["feed_url"] = clean(options["feed_url"])
    if options.get("description"):
        feed["description"] = clean(options["description"])
    if options.get("author"):
        feed["authors"] = [{"name": clean(options["author"])}]
    if options.get("language"):
        feed["language"] = clean(options["language"])
    if options.get("expired"):
        feed["expired"] = True
    include_sponsored = bool(options.get("include_sponsored"))
    feed["items"] = [
        build_item(article, collection.appearances.get(article.id, ()))
        for article in collection.articles
        if include_sponsored or article.role != "sponsored"
    ]
    return feed


def dump_feed(feed: Mapping[str, Any], *, indent: int | None = 2) -> bytes:
    text = json.dumps(feed, ensure_ascii=False, indent=indent if indent and indent > 0 else None)
    return (text + "\n").encode("utf-8")
