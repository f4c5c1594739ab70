"""The document tree as HTML fragments, for exporters that carry HTML (feeds, plugins).

Every function returns a fragment (no ``<html>``/``<body>``), built directly as a string:

- every text is cleaned with :func:`convert.text.xml_text` (so the fragment can go into any
  XML or JSON output) and escaped (``&``, ``<``, ``>``; quotes too inside attributes);
- a link keeps its ``href`` only for ``http``, ``https`` and ``mailto``; a relative URL is
  resolved against ``base_url`` when one is given; any other link (``javascript:``,
  ``data:``, relative with no base) keeps its text and loses the ``<a>``;
- empty paragraphs are left out; heading levels are clamped to 2..6;
- an image has no bytes in a saved page: :func:`figure_html` shows its alt text, caption and
  credit as three distinct parts (``p.image-alt``, ``span.caption``, ``span.credit``);
- a node that is not a tree node raises :class:`TypeError` naming it.

It imports only the standard library and :mod:`convert` modules, so it is cheap to import.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from urllib.parse import urljoin, urlsplit

from .text import xml_text
from .tree import (
    Article,
    Block,
    Emphasis,
    Figure,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    Signoff,
    Strong,
    Text,
)

__all__ = [
    "EMPTY_NOTE",
    "LINK_SCHEMES",
    "TRUNCATED_NOTE",
    "blocks_html",
    "esc",
    "esc_attr",
    "figure_html",
    "inlines_html",
    "story_html",
]

#: The URL schemes a link may keep.
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
#: What :func:`story_html` adds after the body of a story the page cut short.
TRUNCATED_NOTE = "The saved page shows only the beginning of this story."
#: What :func:`story_html` returns for a story with nothing to show.
EMPTY_NOTE = "The saved page shows no text for this story."


def esc(text: str | None) -> str:
    """Cleaned and escaped element text (for any XHTML or HTML output)."""
    return escape(xml_text(text), quote=False)


def esc_attr(text: str | None) -> str:
    """Cleaned and escaped attribute value, in double quotes (quotes escaped too)."""
    return escape(xml_text(text), quote=True)


def _scheme(url: str) -> str | None:
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        return None


def _href(url: str, base_url: str | None) -> str | None:
    url = xml_text(url).strip()
    if not url:
        return None
    scheme = _scheme(url)
    if scheme is None:
        return None
    if not scheme and base_url:
        url = urljoin(xml_text(base_url).strip(), url)
        scheme = _scheme(url)
    return url if scheme in LINK_SCHEMES else None  # javascript:, data:, relative with no base: text only


def inlines_html(inlines: Iterable[Inline], *, base_url: str | None = None) -> str:
    """Inline nodes (:class:`~convert.tree.Text`, ``Emphasis``, ``Strong``, ``Link``,
    ``LineBreak``) as HTML: ``<em>``, ``<strong>``, ``<a href>``, ``<br>``."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(esc(node.text))
        elif isinstance(node, Emphasis):
            out.append(f"<em>{inlines_html(node.content, base_url=base_url)}</em>")
        elif isinstance(node, Strong):
            out.append(f"<strong>{inlines_html(node.content, base_url=base_url)}</strong>")
        elif isinstance(node, Link):
            inner = inlines_html(node.content, base_url=base_url)
            href = _href(node.url, base_url)
            out.append(f'<a href="{esc_attr(href)}">{inner}</a>' if href else inner)
        elif isinstance(node, LineBreak):
            out.append("<br>")
        else:
            raise TypeError(f"not an inline node: {type(node).__name__} {node!r}")
    return "".join(out)


def figure_html(image: Image) -> str:
    """An image as ``<figure>``: ``<p class="image-alt">[Image: alt]</p>`` then a
    ``<figcaption>`` with ``<span class="caption">`` and ``<span class="credit">``; each part
    only when given, ``""`` when none is."""
    parts: list[str] = []
    if image.alt and image.alt.strip():
        parts.append(f'<p class="image-alt">[Image: {esc(image.alt.strip())}]</p>')
    caption = [
        f'<span class="{cls}">{esc(text.strip())}</span>'
        for cls, text in (("caption", image.caption), ("credit", image.credit))
        if text and text.strip()
    ]
    if caption:
        parts.append(f"<figcaption>{'<br>'.join(caption)}</figcaption>")
    return f"<figure>{''.join(parts)}</figure>" if parts else ""


def blocks_html(blocks: Iterable[Block], *, base_url: str | None = None) -> str:
    """Block nodes as HTML: ``<p>``, ``<h2>``-``<h6>``, ``<ul>``/``<ol>`` of ``<li>`` (nested
    lists inside their item), ``<blockquote>``, ``<figure>``, ``<p class="signoff">``."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            inner = inlines_html(block.content, base_url=base_url)
            if inner.strip():
                out.append(f"<p>{inner}</p>")
        elif isinstance(block, Heading):
            level = min(max(block.level, 2), 6)
            out.append(f"<h{level}>{inlines_html(block.content, base_url=base_url)}</h{level}>")
        elif isinstance(block, ListBlock):
            tag = "ol" if block.ordered else "ul"
            items = "".join(f"<li>{blocks_html(item, base_url=base_url)}</li>" for item in block.items)
            out.append(f"<{tag}>{items}</{tag}>")
        elif isinstance(block, Quote):
            out.append(f"<blockquote>{blocks_html(block.content, base_url=base_url)}</blockquote>")
        elif isinstance(block, Figure):
            out.append(figure_html(block.image))
        elif isinstance(block, Signoff):
            out.append(f'<p class="signoff">{inlines_html(block.content, base_url=base_url)}</p>')
        else:
            raise TypeError(f"not a block node: {type(block).__name__} {block!r}")
    return "".join(out)


def story_html(article: Article, *, base_url: str | None = None) -> str:
    """A whole story: ``<p class="dek">``, the lead image, the body, ``<p class="truncated">``
    (:data:`TRUNCATED_NOTE`) when the page cut it short, one ``<p class="author-bio">`` per
    author bio. Never empty: ``<p class="no-text">`` (:data:`EMPTY_NOTE`) when nothing else is."""
    parts: list[str] = []
    if article.dek and article.dek.strip():
        parts.append(f'<p class="dek"><em>{esc(article.dek.strip())}</em></p>')
    if article.image is not None:
        parts.append(figure_html(article.image))
    parts.append(blocks_html(article.body, base_url=base_url))
    if article.truncated:
        parts.append(f'<p class="truncated"><em>{TRUNCATED_NOTE}</em></p>')
    for author in article.authors:
        if author.bio and author.bio.strip():
            parts.append(f'<p class="author-bio">{esc(author.bio.strip())}</p>')
    text = "".join(parts)
    return text or f'<p class="no-text">{EMPTY_NOTE}</p>'
