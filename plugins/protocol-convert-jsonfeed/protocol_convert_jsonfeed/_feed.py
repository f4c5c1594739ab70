"""Building a JSON Feed 1.1 document (https://jsonfeed.org/version/1.1) from the tree.

- One item per story, in the collection's reading order (section by section): a teaser and
  its full story share an id, so a collection keeps one item, the full story's.
- ``id`` is the story's stable id, the same as in every other format.
- ``content_html`` is the story's body (its lead image first) as HTML, rendered by
  :mod:`convert.html` like every other HTML protocol-convert writes (links kept only for
  http, https and mailto, relative ones resolved against ``base_url``); ``summary`` its dek;
  ``authors`` its authors; ``tags`` its section; ``date_published`` its date (midnight
  UTC: pages show a day, not a time). A value the page does not give is left out, never
  invented. Sponsored blurbs are left out unless ``include_sponsored``.
- What JSON Feed has no field for (the story's role, whether the page cut it short, author
  handles and bios, the three texts of its lead image, the pages it appeared on) goes in the
  item's ``_protocol`` extension object.
- Lone surrogates and control characters are removed from every text (``content_html``
  cleans as :func:`convert.text.xml_text` does: there a lone surrogate shows as U+FFFD).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from convert.collection import build_collection
from convert.html import blocks_html, figure_html
from convert.tree import Article, Document, Image

VERSION = "https://jsonfeed.org/version/1.1"


def clean(text: str) -> str:
    """``text`` without lone surrogates and control characters (tab and newline kept)."""
    if text.isprintable():
        return text
    return "".join(
        c for c in text if c in "\t\n" or unicodedata.category(c) not in ("Cc", "Cs")
    )


def _image_dict(image: Image | None) -> dict[str, str] | None:
    if image is None:
        return None
    found = {k: clean(v) for k, v in (("alt", image.alt), ("caption", image.caption), ("credit", image.credit)) if v}
    return found or None


def build_item(article: Article, pages: Sequence[str], base_url: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"id": article.id}
    if article.title:
        item["title"] = clean(article.title)
    lead = figure_html(article.image) if article.image is not None else ""
    item["content_html"] = lead + blocks_html(article.body, base_url=base_url)
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
    base_url = options.get("base_url") or None
    feed["items"] = [
        build_item(article, collection.appearances.get(article.id, ()), base_url)
        for article in collection.articles
        if include_sponsored or article.role != "sponsored"
    ]
    return feed


def dump_feed(feed: Mapping[str, Any], *, indent: int | None = 2) -> bytes:
    text = json.dumps(feed, ensure_ascii=False, indent=indent if indent and indent > 0 else None)
    return (text + "\n").encode("utf-8")
