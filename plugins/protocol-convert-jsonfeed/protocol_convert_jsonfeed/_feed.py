"""Building a JSON Feed 1.1 document (https://jsonfeed.org/version/1.1) from the tree.

The feed renders the :mod:`convert.present` view, as the RSS and Atom exporters do, so the
three formats list the same items, with the same ids, titles and order:

- items: :meth:`convert.present.View.feed_items` (sponsored blurbs only with
  ``include_sponsored``); ``id`` is :attr:`convert.present.Item.urn`, ``title`` the item's
  ``list_label`` (an untitled story's label, never its words), ``url`` its link when known;
- ``content_html`` is :func:`convert.html.story_html` (the one HTML renderer); ``summary`` the
  dek, which the content does not repeat; ``tags`` the section and ``Excerpt`` or
  ``Sponsored``; ``authors`` the authors; ``date_published`` the story's day (midnight UTC);
  a value the page does not give is left out, never invented;
- what JSON Feed has no field for (the story's role, whether the page cut it short, author
  handles and bios, the three texts of its lead image, the pages it appeared on) goes in the
  item's ``_protocol`` extension object, from the tree as it is.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from convert.html import story_html
from convert.present import Item, present
from convert.tree import Document, Image

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


def build_item(item: Item, base_url: str | None = None) -> dict[str, Any]:
    article = item.article
    entry: dict[str, Any] = {"id": item.urn, "title": item.list_label}
    if item.url:
        entry["url"] = item.url
    entry["content_html"] = story_html(item, base_url=base_url)
    if item.dek:
        entry["summary"] = item.dek
    if item.day:
        entry["date_published"] = f"{item.day.isoformat()}T00:00:00Z"
    if item.authors:
        entry["authors"] = [{"name": name} for name in item.authors]
    if item.tags:
        entry["tags"] = list(item.tags)
    extension: dict[str, Any] = {"id": item.id, "role": item.role, "truncated": article.truncated}
    if item.section:
        extension["section"] = item.section
    if any(a.handle or a.bio for a in article.authors):
        extension["authors"] = [
            {k: clean(v) for k, v in (("name", a.name), ("handle", a.handle), ("bio", a.bio)) if v}
            for a in article.authors
        ]
    image = _image_dict(article.image)
    if image:
        extension["image"] = image
    if item.pages:
        extension["pages"] = [clean(p) for p in item.pages]
    entry["_protocol"] = extension
    return entry


def build_feed(documents: Sequence[Document], options: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON Feed object for one page or a collection of pages."""
    view = present(documents, options)
    feed: dict[str, Any] = {"version": VERSION, "title": view.title}
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
    base_url = options.get("base_url") or None
    feed["items"] = [build_item(item, base_url) for item in view.feed_items(bool(options.get("include_sponsored")))]
    return feed


def dump_feed(feed: Mapping[str, Any], *, indent: int | None = 2) -> bytes:
    text = json.dumps(feed, ensure_ascii=False, indent=indent if indent and indent > 0 else None)
    return (text + "\n").encode("utf-8")
