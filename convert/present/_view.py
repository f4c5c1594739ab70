"""The view: items, sections, and :func:`present` (part of :mod:`convert.present`)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

from ..collection import Collection, build_collection, section_key
from ..text import xml_text
from ..tree import Article, Block, Document, Heading, Image, Paragraph, Role, block_text, inline_text
from ._text import (
    COLLECTED_STORIES,
    EXCERPT,
    EXCERPT_NOTE,
    ITEM_ID_PREFIX,
    PUBLICATION,
    SPONSORED,
    UNTITLED_EXCERPT,
    UNTITLED_STORY,
    date_range,
    human_date,
    join_names,
    one_line,
    output_date,
    same_words,
    story_day,
)


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
    #: the story's own page on the web (the tree's canonical URL only, never one made from
    #: ``base_url``): what a book or document links to as the original
    original: str | None
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
    #: every item by its id (for :meth:`get`: one look-up, not a walk over the items)
    index: Mapping[str, Item] = field(default_factory=dict, repr=False, compare=False)

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

    @property
    def heading(self) -> str:
        """The title as the EPUB's cover and masthead show it, under the publication's
        name: without a ``Protocol:`` prefix, and ``Collected stories`` for a collection
        with no title but the publication's (never "Protocol" twice)."""
        if not self.collection:
            return self.title
        if self.title == PUBLICATION:
            return COLLECTED_STORIES
        return self.title.removeprefix(f"{PUBLICATION}: ")

    def get(self, item_id: str) -> Item:
        item = self.index.get(item_id)
        return item if item is not None else next(i for i in self.items if i.id == item_id)

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
    described = alt and not same_words(alt, title) and not same_words(alt, caption)
    if not (described or caption or credit):
        return None
    return Picture(alt if described else None, caption or None, credit or None)


def _body(article: Article, title: str | None) -> tuple[Block, ...]:
    """The body without a heading or paragraph at its top that repeats the headline."""
    body = list(article.body)
    if title:
        while body and isinstance(body[0], (Heading, Paragraph)) and same_words(inline_text(body[0].content), title):
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
    own = _absolute(article.url)
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
        original=_absolute(article.url),
        related=related,
        pages=pages,
    )


def _ordered(documents: Sequence[Document], collection: Collection, several: bool) -> list[Article]:
    if several:
        return _without_repeated_ads(list(collection.articles))
    seen = list(dict.fromkeys(a.id for a in documents[0].articles)) if documents else []
    kept = [collection.by_id[i] for i in seen]
    return _without_repeated_ads([a for a in kept if a.role == "main"] + [a for a in kept if a.role != "main"])


def _without_repeated_ads(articles: list[Article]) -> list[Article]:
    """A sponsor's blurb printed twice (a newsletter repeats its ad at the top and the foot)
    is shown once: the same sponsor and the same words make one item."""
    seen: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
    kept = []
    for article in articles:
        if article.role == "sponsored":
            key = (tuple(a.name for a in article.authors), tuple(block_text(b) for b in article.body))
            if key in seen:
                continue
            seen.add(key)
        kept.append(article)
    return kept


def present(documents: Sequence[Document], options: Mapping[str, object] | None = None) -> View:
    """The view of ``documents`` (one page, or several as a collection).

    ``options`` are an exporter's: ``title`` (the output's title), ``base_url`` (for
    links), ``date`` and the ``source_date`` setting (for :func:`output_date`), and the
    ``collection`` setting (:func:`convert.export` sets it: true for a list of documents,
    even of one; without it, several documents are a collection); others are ignored.
    """
    documents = tuple(documents)
    options = options or {}
    base_url = options.get("base_url")
    base_url = base_url if isinstance(base_url, str) else None
    asked = options.get("collection")
    several = len(documents) > 1 or asked is True
    collection = build_collection(documents)
    articles = _ordered(documents, collection, several)
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
        Section(section.name, tuple(by_id[a.id] for a in section.articles if a.id in by_id))
        for section in collection.sections
    )
    if not several:  # one page reads in page order; its sections are those of that order
        grouped: dict[str | None, list[Item]] = {}
        for item in items:
            grouped.setdefault(item.section, []).append(item)
        sections = tuple(Section(name, tuple(group)) for name, group in grouped.items())

    writers = tuple(dict.fromkeys(n for i in items if i.role == "main" for n in i.authors))
    days = tuple(sorted({i.day for i in items if i.day is not None}))
    title = one_line(options.get("title") if isinstance(options.get("title"), str) else None)
    if not title:
        lead = next((i for i in items if i.role == "main"), None)
        if not several and lead is not None and lead.title:
            title = lead.title
        elif several and days:
            title = f"{PUBLICATION}: {date_range(days)}"
        else:
            title = PUBLICATION
    return View(
        documents=documents,
        title=title,
        collection=several,
        items=items,
        sections=sections,
        writers=writers,
        days=days,
        date=output_date(documents, options),
        index=by_id,
    )
