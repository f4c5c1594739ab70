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
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .text import xml_text
from .tree import Article, Document

__all__ = ["Collection", "Section", "build_collection", "section_key", "section_name"]

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
