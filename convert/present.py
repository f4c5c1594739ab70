"""What a reader is shown: one format-neutral view of one page or of a collection.

Every exporter that shows stories to a person (EPUB, DOCX, RSS, Atom, and the JSON Feed and
Markdown extras) renders this view instead of deciding on its own, so they all agree. The
JSON exporters write the tree itself. :func:`present` makes the decisions, once:

- **Which stories, in which order.** Stories are merged with
  :func:`convert.collection.build_collection` (one item per story id, the full story over its
  teasers). One page: its main stories, then the others as the page shows them. A
  collection: section by section (sections in the order of their first main story, stories
  without a section last).
- **Titles are never invented.** :attr:`Item.title` is the headline or ``None``;
  :attr:`Item.label` is what a heading or a list shows: the headline, else ``Untitled
  excerpt`` / ``Untitled story`` / ``Sponsored by <sponsor>`` (a label, not the story's words).
- **Section** names are canonical (:func:`convert.collection.section_name`): ``Protocol
  Fintech`` and ``Fintech`` are one section.
- **Kind**: a teaser is an ``Excerpt``; a sponsor's blurb is ``Sponsored by <sponsor>``, which
  names the sponsor once (no byline, no "about the sponsor" heading).
- **Lead image**: its alt is shown as a description only when it describes something (not
  blank, not the headline again, not the caption again); caption and credit are shown as
  they are; an image with nothing left to show is no image.
- **Body**: a heading or paragraph at the top that repeats the headline is dropped.
- **About the author**: each bio once, with the author's name before it only when the bio
  does not start with that name.
- **Links**: the story's own URL when the tree has one, else one made from ``base_url``.
- **Dates**: see :func:`output_date`.

Only the standard library and :mod:`convert` modules are imported: the view is cheap.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from .collection import Collection, build_collection, section_key
from .formats import FIXED_DATE, parse_datetime
from .text import xml_text
from .tree import Article, Block, Document, Heading, Image, Paragraph, Role, inline_text

__all__ = [
    "EXCERPT",
    "EXCERPT_NOTE",
    "ITEM_ID_PREFIX",
    "LAST_RESORT_DATE",
    "MORE_FROM_PROTOCOL",
    "PUBLICATION",
    "SOURCE_DATE",
    "SPONSORED",
    "Bio",
    "Item",
    "Picture",
    "Section",
    "View",
    "date_range",
    "human_date",
    "join_names",
    "one_line",
    "output_date",
    "picture",
    "present",
    "required_date",
    "story_day",
    "story_url",
]

#: The publication's name: the masthead, a collection's default title and creator.
PUBLICATION = "Protocol"
#: The heading over the stories a page shows besides its own.
MORE_FROM_PROTOCOL = "More from Protocol"
#: The kind of a teaser.
EXCERPT = "Excerpt"
#: What follows an excerpt's text.
EXCERPT_NOTE = "Excerpt: the saved page shows only the beginning of this story."
SPONSORED = "Sponsored"
#: Prefix turning a story id into an IRI (Atom requires one): the feeds' item ids.
ITEM_ID_PREFIX = "urn:protocol-convert:"
UNTITLED_EXCERPT = "Untitled excerpt"
UNTITLED_STORY = "Untitled story"
#: The reserved export setting holding the inputs' newest modification time (set by
#: :func:`convert.api.export`'s ``source_date``): the last date known before none is.
SOURCE_DATE = "source_date"
#: The date a format that requires one writes when nothing at all is known (no ``date``
#: option, no date on any page, no ``SOURCE_DATE_EPOCH``, no input file): the day Protocol
#: stopped publishing, later than every page it ever showed. Fixed, so output is reproducible.
LAST_RESORT_DATE = FIXED_DATE

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_WHITESPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


# --- text and dates -----------------------------------------------------------------------


def one_line(text: str | None) -> str:
    """Cleaned text (:func:`convert.text.xml_text`) on one line, white space runs collapsed."""
    return _WHITESPACE.sub(" ", xml_text(text)).strip()


def _same(a: str | None, b: str | None) -> bool:
    """The same words, whatever the case, quote style, spacing or final punctuation."""

    def key(text: str | None) -> str:
        text = unicodedata.normalize("NFKC", one_line(text)).translate(_QUOTES).casefold()
        return text.rstrip(".!?:;, ").strip("\"' ")

    return bool(key(a)) and key(a) == key(b)


def join_names(names: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def story_day(value: str | None) -> _dt.date | None:
    """The day of an ISO date (``2022-02-24``, or a date-time), else ``None``."""
    text = one_line(value)
    if not text:
        return None
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        try:
            return parse_datetime(text).astimezone(_dt.UTC).date()
        except ValueError:
            return None


def human_date(day: _dt.date) -> str:
    """``February 24, 2022``."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def date_range(days: Iterable[_dt.date]) -> str | None:
    """``February 2 – March 4, 2022`` (one date if all are equal); ``None`` for no date."""
    known = sorted(set(days))
    if not known:
        return None
    first, last = known[0], known[-1]
    if first == last:
        return human_date(first)
    if first.year == last.year:
        return f"{_MONTHS[first.month - 1]} {first.day} – {human_date(last)}"
    return f"{human_date(first)} – {human_date(last)}"


def _as_datetime(value: object) -> _dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, _dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=_dt.UTC)
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day, tzinfo=_dt.UTC)
    return None


def output_date(documents: Sequence[Document], options: Mapping[str, object]) -> _dt.datetime | None:
    """The date an output is stamped with (a book's modification date, a feed's update):

    1. the ``date`` option (``--date``);
    2. else the newest date the pages show (midnight UTC of that day);
    3. else ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention);
    4. else the newest modification time of the input files (the ``source_date`` setting
       that :func:`convert.api.export` passes on);
    5. else ``None``: nothing is known, and a format writes no date where it may.

    Never the clock (unless ``date`` is ``now``), so the same inputs give the same bytes.
    """
    given = _as_datetime(options.get("date"))
    if given is not None:
        return given
    days = [d for d in (story_day(a.date) for doc in documents for a in doc.articles) if d is not None]
    if days:
        return _as_datetime(max(days))
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
    return _as_datetime(options.get(SOURCE_DATE))


def required_date(documents: Sequence[Document], options: Mapping[str, object]) -> _dt.datetime:
    """:func:`output_date`, or :data:`LAST_RESORT_DATE` for a format that must write one."""
    return output_date(documents, options) or LAST_RESORT_DATE


# --- the view -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Picture:
    """An image as shown: there are no image bytes, only text. ``description`` is the alt
    text when it describes the picture; at least one of the three is set."""

    description: str | None
    caption: str | None
    credit: str | None


@dataclass(frozen=True, slots=True)
class Bio:
    """An author's bio. ``name`` (and ``handle``) are set only when the bio does not start
    with the name, so a renderer shows them before it without repeating them."""

    name: str | None
    handle: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Item:
    """One story as a reader is shown it."""

    #: the story in the tree (the collection's copy: the full story over its teasers)
    article: Article
    id: str
    role: Role
    #: the headline, on one line; ``None`` when the page shows none (never invented)
    title: str | None
    #: what a heading shows: the headline, else ``Untitled excerpt``, ``Untitled story``
    #: or the kind of a sponsored blurb; never empty
    label: str
    #: what a list (a table of contents, a feed) shows: ``label``, and for an untitled
    #: story the byline's names (``Untitled excerpt by Jane Doe``), so untitled entries differ
    list_label: str
    #: ``Excerpt``, ``Sponsored`` / ``Sponsored by <sponsor>``, or ``None`` for a main story
    kind: str | None
    #: the canonical section name
    section: str | None
    dek: str | None
    #: the authors' names (for a blurb, the sponsor's)
    authors: tuple[str, ...]
    #: ``By A and B``; ``None`` without authors and for a blurb (its kind names the sponsor)
    byline: str | None
    day: _dt.date | None
    #: the date as shown (``February 24, 2022``), or the page's own text when not ISO
    dateline: str | None
    image: Picture | None
    #: the body, without a repeat of the headline at its top
    body: tuple[Block, ...]
    #: :data:`EXCERPT_NOTE` for an excerpt or a story the page cut short
    note: str | None
    bios: tuple[Bio, ...]
    #: ``About the author(s)``; ``None`` when there is no bio, and for a sponsor's description
    bios_heading: str | None
    #: the story's URL: the tree's, else one made from ``base_url``; ``None`` when unknown
    url: str | None
    #: ids of the other stories this story's page showed (for a main story), in view order
    related: tuple[str, ...]
    #: the pages (source names) the story appeared on
    pages: tuple[str, ...]

    @property
    def untitled(self) -> bool:
        return self.title is None

    @property
    def urn(self) -> str:
        """The story's id as an IRI (``urn:protocol-convert:story-…``): every feed's item id."""
        return ITEM_ID_PREFIX + quote(xml_text(self.id), safe="-._~")

    @property
    def tags(self) -> tuple[str, ...]:
        """What a feed tags the item with: its section, and ``Excerpt`` or ``Sponsored``."""
        kind = EXCERPT if self.excerpt else SPONSORED if self.role == "sponsored" else None
        return tuple(t for t in (self.section, kind) if t)

    @property
    def excerpt(self) -> bool:
        """A teaser, or any story the page cut short."""
        return self.note is not None


@dataclass(frozen=True, slots=True)
class Section:
    """A section of the view: its canonical name (``None`` for stories without one)."""

    name: str | None
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class View:
    """One page, or a collection, as a reader is shown it."""

    documents: tuple[Document, ...]
    #: the output's title: the ``title`` option, else one page's headline, else
    #: ``Protocol: <date range>`` for a dated collection, else ``Protocol``
    title: str
    #: True when made of several pages
    collection: bool
    #: every item in reading order
    items: tuple[Item, ...]
    sections: tuple[Section, ...]
    #: the writers of the main stories, each once, in reading order
    writers: tuple[str, ...]
    #: the days the stories show, sorted, each once
    days: tuple[_dt.date, ...]
    #: the output's date (see :func:`output_date`)
    date: _dt.datetime | None

    @property
    def mains(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.role == "main")

    @property
    def more(self) -> tuple[Item, ...]:
        """The stories that are not main stories (for one page: what it showed besides its own)."""
        return tuple(i for i in self.items if i.role != "main")

    @property
    def lead(self) -> Item | None:
        """The first main story."""
        return next(iter(self.mains), None)

    @property
    def date_range(self) -> str | None:
        return date_range(self.days)

    def get(self, item_id: str) -> Item:
        return next(i for i in self.items if i.id == item_id)

    def feed_items(self, include_sponsored: bool = False) -> tuple[Item, ...]:
        """The items of a feed, in view order: every story, sponsored blurbs only if asked."""
        return tuple(i for i in self.items if include_sponsored or i.role != "sponsored")


def picture(image: Image | None, title: str | None = None) -> Picture | None:
    """What is shown of an image: its alt as a description when it describes something (not
    blank, not the headline, not the caption again), its caption and credit; ``None`` when
    nothing is left to show."""
    if image is None:
        return None
    alt, caption, credit = one_line(image.alt), one_line(image.caption), one_line(image.credit)
    described = alt and not _same(alt, title) and not _same(alt, caption)
    if not (described or caption or credit):
        return None
    return Picture(alt if described else None, caption or None, credit or None)


def _body(article: Article, title: str | None) -> tuple[Block, ...]:
    """The body without a heading or paragraph at its top that repeats the headline."""
    body = list(article.body)
    if title:
        while body and isinstance(body[0], (Heading, Paragraph)) and _same(inline_text(body[0].content), title):
            body.pop(0)
    return tuple(body)


def _bios(article: Article) -> tuple[Bio, ...]:
    bios = []
    for author in article.authors:
        text = one_line(author.bio)
        if not text:
            continue
        name, handle = one_line(author.name), one_line(author.handle)
        if article.role == "sponsored" or (name and text.casefold().startswith(name.casefold())):
            name = handle = ""
        bios.append(Bio(name or None, handle or None, text))
    return tuple(bios)


_URL_SCHEMES = frozenset({"http", "https"})


def _absolute(url: str | None) -> str | None:
    url = one_line(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in _URL_SCHEMES and parts.netloc else None


def story_url(article: Article, base_url: str | None) -> str | None:
    """The story's link: its own URL when the tree carries one, else ``base_url#<id>``."""
    # schema 1.1 adds Article.url; until then a tree has none (the one place that reads it)
    own = _absolute(getattr(article, "url", None))
    if own:
        return own
    base = _absolute(base_url)
    return urljoin(base, "#" + article.id) if base else None


def _item(article: Article, base_url: str | None, related: tuple[str, ...], pages: tuple[str, ...],
          sections: Mapping[str | None, str | None]) -> Item:
    title = one_line(article.title) or None
    names = tuple(n for n in (one_line(a.name) for a in article.authors) if n)
    if article.role == "sponsored":
        kind = f"{SPONSORED} by {join_names(names)}" if names else SPONSORED
        byline = None
    else:
        kind = EXCERPT if article.role == "teaser" else None
        byline = f"By {join_names(names)}" if names else None
    if title:
        label = list_label = title
    else:
        label = kind if article.role == "sponsored" else (UNTITLED_EXCERPT if kind else UNTITLED_STORY)
        list_label = f"{label} by {join_names(names)}" if byline else label
    day = story_day(article.date)
    bios = _bios(article)
    return Item(
        article=article,
        id=article.id,
        role=article.role,
        title=title,
        label=label,
        list_label=list_label,
        kind=kind,
        section=sections.get(section_key(article.section)),
        dek=one_line(article.dek) or None,
        authors=names,
        byline=byline,
        day=day,
        dateline=human_date(day) if day else (one_line(article.date) or None),
        image=picture(article.image, title),
        body=_body(article, title),
        note=EXCERPT_NOTE if article.role == "teaser" or (article.truncated and article.role == "main") else None,
        bios=bios,
        bios_heading=(
            None if not bios or article.role == "sponsored"
            else "About the author" if len(bios) == 1 else "About the authors"
        ),
        url=story_url(article, base_url),
        related=related,
        pages=pages,
    )


def _ordered(documents: Sequence[Document], collection: Collection) -> list[Article]:
    if len(documents) > 1:
        return list(collection.articles)
    seen = list(dict.fromkeys(a.id for a in documents[0].articles)) if documents else []
    kept = [collection.by_id[i] for i in seen]
    return [a for a in kept if a.role == "main"] + [a for a in kept if a.role != "main"]


def present(documents: Sequence[Document], options: Mapping[str, object] | None = None) -> View:
    """The view of ``documents`` (one page, or several as a collection).

    ``options`` are an exporter's: ``title`` (the output's title), ``base_url`` (for
    links), ``date`` and the ``source_date`` setting (for :func:`output_date`); others are
    ignored.
    """
    documents = tuple(documents)
    options = options or {}
    base_url = options.get("base_url")
    base_url = base_url if isinstance(base_url, str) else None
    collection = build_collection(documents)
    articles = _ordered(documents, collection)
    order = {a.id: n for n, a in enumerate(articles)}
    # every story of a section shows the section's one name (its first spelling)
    names = {section_key(s.name): s.name for s in collection.sections}

    related: dict[str, dict[str, None]] = {}
    for document in documents:
        main = document.main
        if main is None:
            continue
        teased = related.setdefault(main.id, {})
        for other in collection.related(document):
            if other.id != main.id and other.id in order:
                teased.setdefault(other.id, None)

    items = tuple(
        _item(
            article,
            base_url,
            tuple(sorted(related.get(article.id, {}), key=order.__getitem__)) if article.role == "main" else (),
            collection.appearances.get(article.id, ()),
            names,
        )
        for article in articles
    )
    by_id = {i.id: i for i in items}
    sections = tuple(
        Section(section.name, tuple(by_id[a.id] for a in section.articles)) for section in collection.sections
    )
    if len(documents) <= 1:  # one page reads in page order; its sections are those of that order
        grouped: dict[str | None, list[Item]] = {}
        for item in items:
            grouped.setdefault(item.section, []).append(item)
        sections = tuple(Section(name, tuple(group)) for name, group in grouped.items())

    writers = tuple(dict.fromkeys(n for i in items if i.role == "main" for n in i.authors))
    days = tuple(sorted({i.day for i in items if i.day is not None}))
    title = one_line(options.get("title") if isinstance(options.get("title"), str) else None)
    if not title:
        lead = next((i for i in items if i.role == "main"), None)
        if len(documents) == 1 and lead is not None and lead.title:
            title = lead.title
        elif len(documents) > 1 and days:
            title = f"{PUBLICATION}: {date_range(days)}"
        else:
            title = PUBLICATION
    return View(
        documents=documents,
        title=title,
        collection=len(documents) > 1,
        items=items,
        sections=sections,
        writers=writers,
        days=days,
        date=output_date(documents, options),
    )
