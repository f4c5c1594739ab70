"""How the ``rss`` and ``atom`` exporters build a feed (imported only when a feed is written).

Both render the :mod:`convert.present` view, as the JSON Feed extra does, so the three list
the same items, with the same ids, titles and order (docs/feeds.md says the same for users):

- Items: :meth:`convert.present.View.feed_items`: every story of the view in reading order
  (one page: its own story, then the others as the page shows them; a collection: section by
  section), sponsored blurbs only with ``include_sponsored``. An untitled story's title is its
  label (``Untitled excerpt by Jane Doe``), never words taken from it.
- Ids: :attr:`convert.present.Item.urn` (``urn:protocol-convert:`` + the article id), in both
  formats (RSS ``guid isPermaLink="false"``, Atom ``id``).
- Link: :attr:`convert.present.Item.url` when known (the tree's URL, else ``base_url``).
- Summary: the dek only; the content (:func:`convert.html.story_html`) does not repeat it.
  Teasers are tagged ``Excerpt`` and their content ends with the excerpt note.
- Text: every string is cleaned of what XML 1.0 cannot carry before feedgen sees it; the HTML
  is handed to feedgen as text, which lxml escapes once (never CDATA).
- Dates: the feed's date is the output date (:func:`convert.present.output_date`; Atom's
  required one falls back to :func:`convert.present.required_date`). An item's date is its
  own; an undated RSS item gets the ``date`` option only, an undated Atom entry (whose
  ``updated`` is required) the feed's date.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator

from .. import __version__
from ..errors import OptionError
from ..formats import resolve_date
from ..html import EMPTY_NOTE, esc, story_html
from ..present import EXCERPT_NOTE, ITEM_ID_PREFIX, Item, output_date, present, required_date
from ..text import xml_text
from ..tree import Document

__all__ = [
    "DEFAULT_AUTHOR",
    "DEFAULT_LINK",
    "EMPTY_NOTE",
    "EXCERPT_NOTE",
    "ID_PREFIX",
    "write_feed",
]

FeedKind = Literal["rss", "atom"]

#: Prefix turning an article id into the feed item's id (an IRI, as Atom requires).
ID_PREFIX = ITEM_ID_PREFIX
#: The feed's link when no ``base_url`` is given: the publication's home page.
DEFAULT_LINK = "https://www.protocol.com/"
#: The feed-level author when no ``author`` option is given.
DEFAULT_AUTHOR = "Protocol"
#: Namespace of the default feed id (a UUID v5 over the inputs' sha256s).
FEED_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:protocol-convert:feed")

GENERATOR = "protocol-convert"


def _line(text: str | None) -> str:
    """A cleaned single-line value (title, name, section): white space runs become one space."""
    return " ".join(xml_text(text).split()) if text else ""


# --- options ---------------------------------------------------------------------------

_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")
_IRI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


@dataclass(frozen=True, slots=True)
class Settings:
    title: str | None
    description: str | None
    language: str
    base_url: str | None
    feed_url: str | None
    feed_id: str | None
    author: str
    author_given: bool
    include_sponsored: bool


def _absolute_url(value: Any, name: str) -> str | None:
    if value is None:
        return None
    url = xml_text(str(value)).strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if not parts or parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in url:
        raise OptionError(f"option {name} must be an absolute http(s) URL, got {value!r}")
    return url


def settings_from(options: Mapping[str, Any]) -> Settings:
    """The exporter's options, checked and cleaned (:class:`OptionError` for bad values)."""
    language = _line(options.get("language") or "en").replace("_", "-")
    if not _LANGUAGE.fullmatch(language):
        raise OptionError(f"option language must be a BCP 47 tag such as en or en-GB, got {options.get('language')!r}")
    feed_id = options.get("feed_id")
    if feed_id is not None:
        feed_id = xml_text(str(feed_id)).strip()
        if not _IRI_SCHEME.fullmatch(feed_id):
            raise OptionError(f"option feed_id must be an absolute IRI (urn:uuid:..., https://...), got {feed_id!r}")
    author = _line(options.get("author"))
    return Settings(
        title=_line(options.get("title")) or None,
        description=_line(options.get("description")) or None,
        language=language,
        base_url=_absolute_url(options.get("base_url"), "base_url"),
        feed_url=_absolute_url(options.get("feed_url"), "feed_url"),
        feed_id=feed_id,
        author=author or DEFAULT_AUTHOR,
        author_given=bool(author),
        include_sponsored=bool(options.get("include_sponsored")),
    )


# --- the feed --------------------------------------------------------------------------


def item_date(item: Item) -> dt.datetime | None:
    """The story's own day as midnight UTC, or ``None``."""
    day = item.day
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) if day else None


def default_description(stories: int, pages: int) -> str:
    noun = "story" if stories == 1 else "stories"
    where = "a saved Protocol page" if pages == 1 else f"{pages} saved Protocol pages"
    return f"{stories} {noun} from {where}"


def default_feed_id(documents: Sequence[Document]) -> str:
    """``urn:uuid:`` + a UUID v5 over the inputs' sha256s, in input order."""
    basis = "\n".join(document.source.sha256 for document in documents)
    return f"urn:uuid:{uuid.uuid5(FEED_ID_NAMESPACE, basis)}"


def build_feed(kind: FeedKind, documents: Sequence[Document], options: Mapping[str, Any]) -> bytes:
    """The feed's bytes (UTF-8 XML)."""
    settings = settings_from(options)
    view = present(documents, {**options, "base_url": settings.base_url})
    items = view.feed_items(settings.include_sponsored)
    built = output_date(documents, options)

    fg = FeedGenerator()
    if kind == "rss":
        fg.load_extension("dc", atom=False, rss=True)
    fg.id(settings.feed_id or default_feed_id(documents))
    fg.title(view.title)
    fg.description(settings.description or default_description(len(items), len(documents)))
    fg.language(settings.language)
    fg.generator(GENERATOR, version=__version__)
    if settings.feed_url:
        fg.link(href=settings.feed_url, rel="self")
    fg.link(href=settings.base_url or DEFAULT_LINK, rel="alternate")  # last: feedgen takes RSS <link> from it
    if kind == "atom":
        fg.author({"name": settings.author})
        fg.updated(required_date(documents, options))
    else:
        if settings.author_given:
            fg.dc.dc_creator(settings.author)
        # feedgen stamps lastBuildDate with the current time; write the output date or none
        fg._FeedGenerator__rss_lastBuildDate = built  # type: ignore[attr-defined]

    given = resolve_date(options["date"]) if options.get("date") is not None else None  # stamps undated RSS items
    undated = required_date(view.documents, {"date": built})  # an undated Atom entry's updated (found once)
    for item in items:
        _add_entry(kind, fg, item, settings, undated, given)

    if kind == "rss":
        return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)


def _add_entry(kind: FeedKind, fg: FeedGenerator, item: Item, settings: Settings,
               undated: dt.datetime, given: dt.datetime | None) -> None:  # fmt: skip
    fe = fg.add_entry(order="append")  # feedgen prepends by default: keep the view's order
    fe.id(item.urn)
    fe.title(item.list_label)
    content = story_html(item, base_url=settings.base_url)
    own_date = item_date(item)
    if item.url:
        fe.link(href=item.url, rel="alternate")
    if kind == "rss":
        fe.guid(item.urn, permalink=False)
        if item.dek:  # HTML: the plain-text dek escaped once
            fe.description(esc(item.dek))
        fe.content(content)  # content:encoded (feedgen puts it in <description> when there is no dek)
        date = own_date or given
        if date is not None:
            fe.pubDate(date)
        if item.authors:
            fe.dc.dc_creator(list(item.authors))
    else:
        fe.content(content, type="html")
        if item.dek:
            fe.summary(item.dek, type="text")
        fe.updated(own_date or undated)
        if own_date is not None:
            fe.published(own_date)
        for name in item.authors:
            fe.author({"name": name})
    for tag in item.tags:
        fe.category({"term": tag})


def write_feed(kind: FeedKind, documents: Sequence[Document], stream: BinaryIO, options: Mapping[str, Any]) -> None:
    """Write one ``kind`` feed of ``documents`` to ``stream``."""
    stream.write(build_feed(kind, documents, options))
