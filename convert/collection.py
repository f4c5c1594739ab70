"""Several pages as one collection: stories grouped by section, repeated teasers merged.

Exporters that build one output from many documents (a periodical-style EPUB, one DOCX, one
feed) share this view, so every format merges and orders stories the same way:

- a story is known by its :attr:`~convert.tree.Article.id`; a teaser and the full story it
  excerpts share one id (see :func:`~convert.tree.story_id`);
- each id appears once: the full (``main``) story if the collection has it, else the first
  teaser or blurb seen;
- sections appear in the order of their first main story (then of their first other story);
  within a section, the main stories in input order, then the other stories in the order
  first seen;
- :meth:`Collection.related` tells, for a page, which other stories it pointed to (its
  teasers), resolved to the collection's copy, so an exporter can link a teaser to the full
  story instead of repeating it.

Building the view is linear in the number of stories.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .tree import Article, Document

__all__ = ["Collection", "Section", "build_collection"]


@dataclass(frozen=True, slots=True)
class Section:
    """A section of a collection and its stories, in reading order."""

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
    for article_id in mains + others:
        article = by_id[article_id]
        grouped.setdefault(article.section, []).append(article)
    sections = tuple(Section(name, tuple(articles)) for name, articles in grouped.items())
    return Collection(
        documents=tuple(documents),
        sections=sections,
        by_id=by_id,
        appearances={k: tuple(v) for k, v in appearances.items()},
    )
