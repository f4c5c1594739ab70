"""The normalized document tree: a small, closed set of frozen nodes.

The tree knows nothing of output formats. Readers build it; exporters walk it.

    Document
     ├── source: Source            (file name, sha256, reader; a capture's URL, time, digest)
     ├── chrome: tuple[str, ...]   (input lines recognised as site chrome and discarded)
     ├── warnings: tuple[str, ...] (what the reader could not find: no headline, no body...)
     └── articles: tuple[Article, ...]
          ├── role, id, section, title, dek, date, url, authors, image, truncated
          └── body: tuple[Block, ...]
               Block  = Paragraph | Heading | ListBlock | Quote | Figure | Signoff
               Inline = Text | Emphasis | Strong | Link | LineBreak

Unknown values are ``None``: a reader never invents a headline, an author or a date.
All sequences are tuples, so every node is hashable and immutable.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

__all__ = [
    "Article",
    "Author",
    "Block",
    "Document",
    "Emphasis",
    "Figure",
    "Heading",
    "Image",
    "Inline",
    "LineBreak",
    "Link",
    "ListBlock",
    "Paragraph",
    "Quote",
    "Role",
    "Signoff",
    "Source",
    "Strong",
    "Text",
    "block_text",
    "inline_text",
    "story_id",
]

# --- inlines -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """A run of plain text."""

    text: str


@dataclass(frozen=True, slots=True)
class Emphasis:
    """Emphasised inlines (usually rendered in italics)."""

    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strong:
    """Strongly emphasised inlines (usually rendered in bold)."""

    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink around inlines."""

    url: str
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class LineBreak:
    """A hard line break inside a paragraph."""


Inline: TypeAlias = Text | Emphasis | Strong | Link | LineBreak

# --- blocks --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of inline content."""

    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading inside a story's body.

    Level 2 is a subheading of the story (the story title itself is level 1 and lives on the
    Article); level 3 sits under a level-2 heading, as a story headline under a newsletter's
    in-body section label (``The Big Story``).
    """

    level: int
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class ListBlock:
    """A bulleted (``ordered=False``) or numbered list; each item is a sequence of blocks."""

    ordered: bool
    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True, slots=True)
class Quote:
    """A block quotation holding blocks."""

    content: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Image:
    """An image as a dump records it: there are no image bytes, only its three texts.

    ``alt`` (the alternative text), ``caption`` (the sentence under the image) and
    ``credit`` (who made it, with its prefix as printed, e.g. ``Photo: Name/Agency``) are
    three distinct things and are never merged.
    """

    alt: str | None = None
    caption: str | None = None
    credit: str | None = None


@dataclass(frozen=True, slots=True)
class Figure:
    """An image inside a story's body."""

    image: Image


@dataclass(frozen=True, slots=True)
class Signoff:
    """A sign-off or byline line closing a newsletter item (``— Name (email | twitter)``)."""

    content: tuple[Inline, ...]


Block: TypeAlias = Paragraph | Heading | ListBlock | Quote | Figure | Signoff

# --- stories and documents ------------------------------------------------------------

Role: TypeAlias = Literal["main", "teaser", "sponsored"]
ROLES: tuple[Role, ...] = ("main", "teaser", "sponsored")


@dataclass(frozen=True, slots=True)
class Author:
    """A story's author. ``handle`` keeps its ``@``; ``bio`` is the whole bio paragraph."""

    name: str
    handle: str | None = None
    bio: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One story on a page.

    ``role`` is ``main`` for the page's own story, ``teaser`` for an excerpt of another
    story, ``sponsored`` for a sponsor's blurb. ``truncated`` is true when the page cut the
    story short (a teaser ending at "Keep Reading"). ``date`` is an ISO 8601 date
    (``2022-02-24``) when the page shows one. ``url`` is the story's canonical address when
    the input names it (an HTML page's canonical link, a teaser's headline link), absolute.
    ``id`` is stable: see :func:`story_id`.
    """

    id: str
    role: Role
    title: str | None = None
    section: str | None = None
    dek: str | None = None
    date: str | None = None
    authors: tuple[Author, ...] = ()
    image: Image | None = None
    body: tuple[Block, ...] = ()
    truncated: bool = False
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """Where a document came from: the input's file name (``None`` for stdin), the sha256
    of its bytes, and the name of the reader that built the tree.

    For a captured page (a web archive's record, a saved HTML page that says where it was
    saved from) also its provenance, each ``None`` when unknown: ``url``, the address that
    was captured (a WARC record's target URI); ``captured``, when, as an ISO 8601 UTC
    date-time (``2022-03-01T10:00:00Z``); ``payload_digest``, the digest of the captured
    bytes as the archive records it (``sha1:…``).

    ``path`` is the path the input was read from, exactly as the caller gave it
    (``pages/2021/p.txt``), set by :func:`convert.parse`; ``None`` for bytes, streams and
    trees loaded from JSON. Unlike ``name`` it is not part of the JSON form and not compared:
    outputs never depend on where the inputs were or how their paths were spelled (the same
    bytes wherever a page is converted), and one page read from two places is one document.
    It tells apart two ``p.txt`` of different folders in the process that read them.
    """

    name: str | None
    sha256: str
    reader: str
    url: str | None = None
    captured: str | None = None
    payload_digest: str | None = None
    path: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Document:
    """A page: its source, its stories (the main story first), the chrome it dropped, and
    the reader's warnings: what it could not find on the page, one short sentence each
    (``no headline found``), so that a caller can tell a page read well from any text
    made into a story. ``convert.parse(..., strict=True)`` refuses a page with warnings."""

    source: Source
    articles: tuple[Article, ...] = ()
    chrome: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())

    @property
    def main(self) -> Article | None:
        """The page's own story, if it has one."""
        for article in self.articles:
            if article.role == "main":
                return article
        return None


# --- helpers shared by readers and exporters -----------------------------------------


def inline_text(inlines: tuple[Inline, ...]) -> str:
    """The plain text of a run of inlines (a line break becomes a newline)."""
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            parts.append(node.text)
        elif isinstance(node, LineBreak):
            parts.append("\n")
        else:
            parts.append(inline_text(node.content))
    return "".join(parts)


def block_text(block: Block) -> str:
    """The plain text of a block, blocks inside it joined by blank lines."""
    if isinstance(block, (Paragraph, Heading, Signoff)):
        return inline_text(block.content)
    if isinstance(block, ListBlock):
        return "\n".join("\n\n".join(block_text(b) for b in item) for item in block.items)
    if isinstance(block, Quote):
        return "\n\n".join(block_text(b) for b in block.content)
    if isinstance(block, Figure):
        image = block.image
        return "\n".join(t for t in (image.alt, image.caption, image.credit) if t)
    raise TypeError(f"not a block: {block!r}")


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _fingerprint(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return re.sub(r"\s+", " ", text).strip()


def story_id(title: str | None, fallback_text: str = "") -> str:
    """The stable id of a story.

    A titled story's id comes from its headline alone (case, quote style and spacing
    ignored), so a teaser and the full story it excerpts, seen on different pages, share one
    id: that is how collections merge them and how feeds keep one item per story. A story
    without a headline takes its id from ``fallback_text`` (its opening text).
    """
    basis = f"title:{_fingerprint(title)}" if title else f"text:{_fingerprint(fallback_text)[:500]}"
    # surrogatepass: a tree loaded from JSON may hold lone surrogates; ids must not crash
    return "story-" + hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:16]
