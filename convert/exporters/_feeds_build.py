"""How the ``rss`` and ``atom`` exporters build a feed (imported only when a feed is written).

The rules, in the order a feed is made (docs/feeds.md says the same for users):

- Stories: the documents are merged with :func:`convert.collection.build_collection` (one story
  per id, the full story replacing its teasers). Feed order: the main stories in input order
  (page by page), then every other story in the order first seen. Untitled stories are
  skipped; sponsored blurbs are skipped unless ``include_sponsored``.
- Ids: a story's id is ``urn:protocol-convert:`` + its article id (the ``id`` of the JSON
  tree), in both formats (RSS ``guid isPermaLink="false"``, Atom ``id``).
- Text: every string is cleaned of what XML 1.0 cannot carry (control characters, lone
  surrogates, U+FFFE/U+FFFF) before feedgen sees it; the story is rendered to HTML by
  :func:`convert.html.story_html` and handed to feedgen as text, which lxml escapes once
  (never CDATA).
- Dates: only the story's own date or the ``date`` option are written, except Atom's required
  ``updated``, which falls back to :func:`convert.formats.resolve_date` (fixed, reproducible).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal
from urllib.parse import quote, urlsplit

from feedgen.feed import FeedGenerator

from .. import __version__
from ..collection import build_collection
from ..errors import OptionError
from ..formats import parse_datetime, resolve_date
from ..html import EMPTY_NOTE, TRUNCATED_NOTE, esc, story_html
from ..text import xml_text
from ..tree import Article, Document, ListBlock, Paragraph, Quote, block_text

__all__ = [
    "DEFAULT_AUTHOR",
    "DEFAULT_LINK",
    "EMPTY_NOTE",
    "ID_PREFIX",
    "TRUNCATED_NOTE",
    "entry_id",
    "select_stories",
    "write_feed",
]

FeedKind = Literal["rss", "atom"]

#: Prefix turning an article id into the feed item's id (an IRI, as Atom requires).
ID_PREFIX = "urn:protocol-convert:"
#: The feed's link when no ``base_url`` is given: the publication's home page.
DEFAULT_LINK = "https://www.protocol.com/"
#: The feed-level author when no ``author`` option is given.
DEFAULT_AUTHOR = "Protocol"
#: Namespace of the default feed id (a UUID v5 over the inputs' sha256s).
FEED_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:protocol-convert:feed")

GENERATOR = "protocol-convert"

# --- text cleaning ---------------------------------------------------------------------


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
    date: dt.datetime | None
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
    date = options.get("date")
    author = _line(options.get("author"))
    return Settings(
        title=_line(options.get("title")) or None,
        description=_line(options.get("description")) or None,
        language=language,
        date=resolve_date(date) if date is not None else None,
        base_url=_absolute_url(options.get("base_url"), "base_url"),
        feed_url=_absolute_url(options.get("feed_url"), "feed_url"),
        feed_id=feed_id,
        author=author or DEFAULT_AUTHOR,
        author_given=bool(author),
        include_sponsored=bool(options.get("include_sponsored")),
    )


# --- stories ---------------------------------------------------------------------------


def select_stories(documents: Sequence[Document], include_sponsored: bool = False) -> list[Article]:
    """The stories that become items, in feed order (see the module docstring)."""
    kept = build_collection(documents).by_id
    ordered: dict[str, Article] = {}
    for document in documents:
        for article in document.articles:
            if article.role == "main" and article.id not in ordered:
                ordered[article.id] = kept[article.id]
    for article_id, article in kept.items():  # first-seen order
        if article_id not in ordered:
            ordered[article_id] = article
    return [
        article
        for article in ordered.values()
        if _line(article.title) and (article.role != "sponsored" or include_sponsored)
    ]


def entry_id(article: Article) -> str:
    """The item id of a story: ``urn:protocol-convert:<article id>``."""
    return ID_PREFIX + quote(xml_text(article.id), safe="-._~")


def story_date(article: Article) -> dt.datetime | None:
    """The story's own date as a UTC date-time (midnight for a bare date), or ``None``."""
    if not article.date:
        return None
    text = article.date.strip()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        try:
            return parse_datetime(text)
        except ValueError:
            return None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


# --- HTML (the story itself: convert.html.story_html) ----------------------------------


def _rss_description(article: Article, content: str) -> str:
    """RSS ``description`` (HTML): the dek, else the opening paragraph, else the content."""
    if article.dek and article.dek.strip():
        return esc(article.dek.strip())
    for block in article.body:
        if isinstance(block, (Paragraph, Quote, ListBlock)):
            text = block_text(block).strip()
            if text:
                return esc(text)
    return content


# --- the feed --------------------------------------------------------------------------


def _default_title(documents: Sequence[Document]) -> str:
    if len(documents) == 1:
        main = documents[0].main
        if main is not None and _line(main.title):
            return _line(main.title)
    return DEFAULT_AUTHOR


def _default_description(stories: int, pages: int) -> str:
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
    stories = select_stories(documents, settings.include_sponsored)
    home = settings.base_url or DEFAULT_LINK

    fg = FeedGenerator()
    if kind == "rss":
        fg.load_extension("dc", atom=False, rss=True)
    fg.id(settings.feed_id or default_feed_id(documents))
    fg.title(settings.title or _default_title(documents))
    fg.description(settings.description or _default_description(len(stories), len(documents)))
    fg.language(settings.language)
    fg.generator(GENERATOR, version=__version__)
    if settings.feed_url:
        fg.link(href=settings.feed_url, rel="self")
    fg.link(href=home, rel="alternate")  # last: feedgen takes the RSS <link> from the last link
    if kind == "atom":
        fg.author({"name": settings.author})
        known = [d for d in (story_date(a) for a in stories) if d is not None]
        fg.updated(settings.date or (max(known) if known else resolve_date(None)))
    else:
        if settings.author_given:
            fg.dc.dc_creator(settings.author)
        # feedgen stamps lastBuildDate with the current time; write it only when a date is given.
        fg._FeedGenerator__rss_lastBuildDate = settings.date  # type: ignore[attr-defined]

    for article in stories:
        _add_entry(kind, fg, article, settings)

    if kind == "rss":
        return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)


def _add_entry(kind: FeedKind, fg: FeedGenerator, article: Article, settings: Settings) -> None:
    fe = fg.add_entry(order="append")  # feedgen prepends by default: keep the stories' order
    identifier = entry_id(article)
    fe.id(identifier)
    fe.title(_line(article.title))
    content = story_html(article, base_url=settings.base_url)
    own_date = story_date(article)
    names = [name for name in (_line(a.name) for a in article.authors) if name]
    section = _line(article.section)
    if kind == "rss":
        fe.guid(identifier, permalink=False)
        fe.description(_rss_description(article, content))
        fe.content(content)  # escaped text in content:encoded
        date = own_date or settings.date
        if date is not None:
            fe.pubDate(date)
        if names:
            fe.dc.dc_creator(names)
        if section:
            fe.category({"term": section})
    else:
        fe.content(content, type="html")
        if article.dek and _line(article.dek):
            fe.summary(xml_text(article.dek.strip()), type="text")
        fe.updated(own_date or settings.date or resolve_date(None))
        if own_date is not None:
            fe.published(own_date)
        for name in names:
            fe.author({"name": name})
        if section:
            fe.category({"term": section})


def write_feed(kind: FeedKind, documents: Sequence[Document], stream: BinaryIO, options: Mapping[str, Any]) -> None:
    """Write one ``kind`` feed of ``documents`` to ``stream``."""
    stream.write(build_feed(kind, documents, options))
