"""Several pages as one collection: stories grouped by section, repeated teasers merged.

:func:`convert.present.present` builds every format's view on it, so every format merges and
orders stories the same way:

- a story is known by its :attr:`~convert.tree.Article.id`; a teaser and the full story it
  excerpts share one id (see :func:`~convert.tree.story_id`);
- each id appears once: the full (``main``) story if the collection has it, else the first
  teaser or blurb seen;
- a section is known by its canonical name (:func:`section_name`): ``Protocol Fintech`` (a
  newsletter's label) and ``Fintech`` (an article's) are one section, shown under the first
  spelling met;
- sections appear in the order of their first main story (then of their first other story),
  stories without a section last; within a section, the main stories in input order, then
  the other stories in the order first seen;
- :meth:`Collection.related` tells, for a page, which other stories it pointed to (its
  teasers), resolved to the collection's copy, so an exporter can link a teaser to the full
  story instead of repeating it.

Building the view is linear in the number of stories.

Before any of that, a collection keeps one capture of each page (:func:`distinct_captures`):
web archives often hold a page captured several times, and :func:`convert.export` applies
this to every collection it writes.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .text import xml_text
from .tree import Article, Document

__all__ = [
    "CAPTURE_CHOICES",
    "Collection",
    "Section",
    "build_collection",
    "capture_key",
    "distinct_captures",
    "iter_distinct_captures",
    "section_key",
    "section_name",
]

# "Protocol Fintech", "Protocol | Enterprise", "Protocol: China": the publication's name
# before a desk's name (newsletters print it, articles do not)
_PUBLICATION_PREFIX = re.compile(r"^protocol\s*(?:[|:\u2013\u2014-]\s*|\s)(?=\S)", re.IGNORECASE)


def section_name(section: str | None) -> str | None:
    """The canonical name of a section: one line, without the publication's name before the
    desk's (``Protocol Fintech`` → ``Fintech``); ``None`` for no section or a blank one."""
    name = " ".join(xml_text(section).split())
    name = _PUBLICATION_PREFIX.sub("", name, count=1)
    return name or None


def section_key(section: str | None) -> str | None:
    """What two sections must share to be one: the canonical name, case ignored."""
    name = section_name(section)
    return name.casefold() if name else None


@dataclass(frozen=True, slots=True)
class Section:
    """A section of a collection (its canonical name, ``None`` for the stories without one)
    and its stories, in reading order."""

    name: str | None
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class Collection:
    """The merged view of several documents."""

    documents: tuple[Document, ...]
    sections: tuple[Section, ...]
    #: every story by id, the copy the collection keeps
    by_id: dict[str, Article]
    #: the pages each story appeared on (source names, in input order)
    appearances: dict[str, tuple[str, ...]]

    @property
    def articles(self) -> tuple[Article, ...]:
        """Every kept story in reading order (section by section)."""
        return tuple(a for section in self.sections for a in section.articles)

    def related(self, document: Document) -> tuple[Article, ...]:
        """The stories a page teased (its non-main stories), as the collection keeps them:
        a teaser whose full story is in the collection resolves to that full story."""
        seen: dict[str, Article] = {}
        for article in document.articles:
            if article.role != "main" and article.id not in seen:
                seen[article.id] = self.by_id[article.id]
        return tuple(seen.values())

    def has_full_story(self, article_id: str) -> bool:
        """True when the collection holds the full story (role ``main``) for this id."""
        kept = self.by_id.get(article_id)
        return kept is not None and kept.role == "main"


def build_collection(documents: Sequence[Document]) -> Collection:
    """Merge ``documents`` into one :class:`Collection` (see the module's rules)."""
    by_id: dict[str, Article] = {}
    appearances: dict[str, list[str]] = {}
    order: list[str] = []
    for index, document in enumerate(documents):
        page = document.source.name or f"input {index + 1}"
        for article in document.articles:
            pages = appearances.setdefault(article.id, [])
            if page not in pages:
                pages.append(page)
            kept = by_id.get(article.id)
            if kept is None:
                by_id[article.id] = article
                order.append(article.id)
            elif article.role == "main" and kept.role != "main":
                by_id[article.id] = article  # the full story replaces its teaser
    mains = [i for i in order if by_id[i].role == "main"]
    others = [i for i in order if by_id[i].role != "main"]
    grouped: dict[str | None, list[Article]] = {}
    names: dict[str | None, str | None] = {}
    for article_id in mains + others:
        article = by_id[article_id]
        key = section_key(article.section)
        grouped.setdefault(key, []).append(article)
        names.setdefault(key, section_name(article.section))
    if None in grouped:  # stories without a section come last
        grouped[None] = grouped.pop(None)
    sections = tuple(Section(names[key], tuple(articles)) for key, articles in grouped.items())
    return Collection(
        documents=tuple(documents),
        sections=sections,
        by_id=by_id,
        appearances={k: tuple(v) for k, v in appearances.items()},
    )


# --- captures of one page ---------------------------------------------------------------

#: which capture of a page a collection keeps: ``latest`` (the default), ``earliest``, or
#: ``all`` (every capture, as read)
CAPTURE_CHOICES = ("latest", "earliest", "all")


def capture_key(document: Document) -> str | None:
    """The page a document is a capture of: its main story's canonical URL (scheme and host
    in lower case, without a fragment or a default port), or ``None`` when it names none."""
    main = document.main
    if main is None or not main.url:
        return None
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(main.url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return main.url.strip()
    if port is not None and (parts.scheme.lower(), port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, ""))


def _capture_time(document: Document) -> tuple[int, Any]:
    """A sortable capture time: unknown sorts before any known one."""
    captured = document.source.captured
    if not captured:
        return (0, "")
    from .formats import parse_datetime

    try:
        return (2, parse_datetime(captured))
    except ValueError:
        return (1, captured)


def _winners(keys: Sequence[tuple[str | None, tuple[int, Any]]], keep: str) -> set[int]:
    """The positions kept: every document without a key, and one per key: the latest capture
    (ties: the later in input order) or the earliest (ties: the earlier)."""
    best: dict[str, tuple[tuple[int, Any], int]] = {}
    kept = set()
    for position, (key, when) in enumerate(keys):
        if key is None:
            kept.add(position)
            continue
        current = best.get(key)
        if current is None:
            best[key] = (when, position)
            continue
        better = when >= current[0] if keep == "latest" else when < current[0]
        if better:
            best[key] = (when, position)
    return kept | {position for _, position in best.values()}


def distinct_captures(documents: Sequence[Document], keep: str = "latest") -> tuple[Document, ...]:
    """``documents`` with each page kept once: of several captures of one page (documents
    whose main story has the same canonical URL, see :func:`capture_key`), the latest
    (``keep="latest"``, by :attr:`~convert.tree.Source.captured`; a capture whose time is
    unknown counts as older than any dated one, and among equals the later input wins), or
    the earliest; ``keep="all"`` keeps every one. Input order is kept."""
    _check_keep(keep)
    if keep == "all":
        return tuple(documents)
    keys = [(capture_key(d), _capture_time(d)) for d in documents]
    if sum(1 for key, _ in keys if key is not None) < 2:
        return tuple(documents)
    kept = _winners(keys, keep)
    return tuple(d for position, d in enumerate(documents) if position in kept)


def iter_distinct_captures(documents: Iterable[Document], keep: str = "latest") -> Iterator[Document]:
    """:func:`distinct_captures` for a stream of documents, in flat memory: documents go on
    at once until the first one that names a URL (a later capture may replace it); from there
    on they wait in a temporary file (past a few MB) and go on at the end, in input order,
    less the captures that lost."""
    _check_keep(keep)
    iterator = iter(documents)
    if keep == "all":
        yield from iterator
        return
    import pickle
    import tempfile

    for document in iterator:
        if capture_key(document) is None:
            yield document
            continue
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY) as spool:
            index: list[tuple[int, int]] = []
            keys: list[tuple[str | None, tuple[int, Any]]] = []
            for held in itertools.chain((document,), iterator):
                data = pickle.dumps(held, protocol=pickle.HIGHEST_PROTOCOL)
                index.append((spool.tell(), len(data)))
                keys.append((capture_key(held), _capture_time(held)))
                spool.write(data)
            kept = _winners(keys, keep)
            for position, (offset, length) in enumerate(index):
                if position in kept:
                    spool.seek(offset)
                    yield pickle.loads(spool.read(length))
        return


#: bytes of held documents kept in memory before they move to a temporary file
SPOOL_MEMORY = 8 * 1024 * 1024


def _check_keep(keep: str) -> None:
    if keep not in CAPTURE_CHOICES:
        from .errors import OptionError

        raise OptionError(f"captures must be one of {', '.join(CAPTURE_CHOICES)}, got {keep!r}")
