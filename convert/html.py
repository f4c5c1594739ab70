"""The one tree-to-HTML renderer: tree nodes and :mod:`convert.present` items as fragments.

The EPUB chapters, the RSS and Atom contents and the JSON Feed extra's ``content_html`` are all
written by these functions, so a story reads the same everywhere. Every function returns a
fragment (no ``<html>``/``<body>``), built directly as a string, that is both HTML and XHTML
(void elements are written ``<br/>``), so it can go into an EPUB chapter as it is:

- every text is cleaned with :func:`convert.text.xml_text` (so the fragment can go into any
  XML or JSON output) and escaped (``&``, ``<``, ``>``; quotes too inside attributes);
- a link keeps its ``href`` only for an absolute ``http``, ``https`` or ``mailto`` URL
  (:func:`href`: hosts IDNA-encoded, unsafe characters percent-encoded); a relative URL is
  resolved against ``base_url`` when one is given; any other link (``javascript:``,
  ``data:``, relative with no base) and a link inside a link keep their text and lose the
  ``<a>``;
- empty paragraphs and headings are left out; heading levels are clamped to 2..6;
- an image has no bytes in a saved page: :func:`picture_html` shows what the view shows of it
  (a description, a caption, a credit, each its own element);
- a node that is not a tree node raises :class:`TypeError` naming it.

It imports only the standard library and :mod:`convert` modules, so it is cheap to import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from .present import Item, Picture, picture, short_url
from .text import xml_text
from .tree import (
    Block,
    Emphasis,
    Figure,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    Signoff,
    Strong,
    Text,
    inline_text,
)

__all__ = [
    "EMPTY_NOTE",
    "LINK_SCHEMES",
    "blocks_html",
    "esc",
    "esc_attr",
    "figure_html",
    "header_html",
    "href",
    "inlines_html",
    "picture_html",
    "story_html",
]

#: The URL schemes a link may keep.
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
#: What :func:`story_html` returns for a story with nothing to show.
EMPTY_NOTE = "The saved page shows no text for this story."


def esc(text: str | None) -> str:
    """Cleaned and escaped element text (for any XHTML or HTML output)."""
    return escape(xml_text(text), quote=False)


def esc_attr(text: str | None) -> str:
    """Cleaned and escaped attribute value, in double quotes (quotes escaped too)."""
    return escape(xml_text(text), quote=True)


def _line(text: str | None) -> str:
    return " ".join(xml_text(text).split())


# --- links ----------------------------------------------------------------------------------

_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_KEEP = "!$&'()*+,;=:@/%-._~"


def _percent(text: str) -> str:
    """A ``%`` that does not start a percent-escape becomes ``%25``."""
    return _LONE_PERCENT.sub("%25", text)


def href(url: str | None, base_url: str | None = None) -> str | None:
    """The URL a link may point to, or ``None`` (the link keeps its text only): an absolute
    http(s) URL with a valid host (IDNA-encoded), or a mailto URL, with unsafe characters
    percent-encoded; a relative URL is resolved against ``base_url`` first."""
    url = _line(url)
    if not url:
        return None
    try:
        parts = urlsplit(url)
        if not parts.scheme and base_url:
            url = urljoin(_line(base_url), url)
            parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "mailto":
            address = _percent(quote(url[len("mailto:"):], safe="@!$&'()*+,;=:/?%-._~"))
            return f"mailto:{address}" if address else None
        if scheme not in ("http", "https") or not parts.hostname:
            return None
        host = parts.hostname.encode("idna").decode("ascii")
        if not _HOST.match(host):
            return None
        if parts.port is not None:
            host = f"{host}:{parts.port}"
    except (ValueError, UnicodeError):
        return None
    return urlunsplit((
        scheme,
        host,
        _percent(quote(parts.path, safe=_KEEP)),
        _percent(quote(parts.query, safe=_KEEP + "?")),
        _percent(quote(parts.fragment, safe=_KEEP + "?")),
    ))


# --- tree nodes -------------------------------------------------------------------------------


def inlines_html(inlines: Iterable[Inline], *, base_url: str | None = None, _in_link: bool = False) -> str:
    """Inline nodes (:class:`~convert.tree.Text`, ``Emphasis``, ``Strong``, ``Link``,
    ``LineBreak``) as HTML: ``<em>``, ``<strong>``, ``<a href>``, ``<br/>``."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(esc(node.text))
        elif isinstance(node, Emphasis):
            out.append(f"<em>{inlines_html(node.content, base_url=base_url, _in_link=_in_link)}</em>")
        elif isinstance(node, Strong):
            out.append(f"<strong>{inlines_html(node.content, base_url=base_url, _in_link=_in_link)}</strong>")
        elif isinstance(node, Link):
            inner = inlines_html(node.content, base_url=base_url, _in_link=True)
            target = None if _in_link else href(node.url, base_url)
            if target and not inline_text(node.content).strip():
                inner = esc(target)  # a link with no text shows its address
            out.append(f'<a href="{esc_attr(target)}">{inner}</a>' if target else inner)
        elif isinstance(node, LineBreak):
            out.append("<br/>")
        else:
            raise TypeError(f"not an inline node: {type(node).__name__} {node!r}")
    return "".join(out)


def _has_text(inlines: Sequence[Inline]) -> bool:
    return bool(xml_text(inline_text(inlines)).strip())


def blocks_html(blocks: Iterable[Block], *, base_url: str | None = None) -> str:
    """Block nodes as HTML: ``<p>``, ``<h2>``-``<h6>``, ``<ul>``/``<ol>`` of ``<li>`` (nested
    lists inside their item), ``<blockquote>``, ``<figure>``, ``<p class="signoff">``."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            if _has_text(block.content):
                out.append(f"<p>{inlines_html(block.content, base_url=base_url)}</p>\n")
        elif isinstance(block, Heading):
            if _has_text(block.content):
                level = min(max(block.level, 2), 6)
                out.append(f"<h{level}>{inlines_html(block.content, base_url=base_url)}</h{level}>\n")
        elif isinstance(block, ListBlock):
            if not block.items:
                continue
            tag = "ol" if block.ordered else "ul"
            items = []
            for item in block.items:
                if len(item) == 1 and isinstance(item[0], Paragraph):
                    items.append(f"<li>{inlines_html(item[0].content, base_url=base_url)}</li>\n")
                else:
                    items.append(f"<li>{blocks_html(item, base_url=base_url)}</li>\n")
            out.append(f"<{tag}>\n{''.join(items)}</{tag}>\n")
        elif isinstance(block, Quote):
            out.append(f"<blockquote>\n{blocks_html(block.content, base_url=base_url)}</blockquote>\n")
        elif isinstance(block, Figure):
            out.append(figure_html(block))
        elif isinstance(block, Signoff):
            if _has_text(block.content):
                out.append(f'<p class="signoff">{inlines_html(block.content, base_url=base_url)}</p>\n')
        else:
            raise TypeError(f"not a block node: {type(block).__name__} {block!r}")
    return "".join(out)


def figure_html(figure: Figure) -> str:
    """An image inside a body, shown as the view shows images (:func:`picture_html`)."""
    return picture_html(picture(figure.image))


def picture_html(picture: Picture | None, css_class: str = "figure") -> str:
    """``<figure>``: the description (``p.image-description``, labelled ``Image:``), then a
    ``<figcaption>`` with ``p.caption`` and ``p.credit``; each part only when given."""
    if picture is None:
        return ""
    parts = []
    if picture.description:
        parts.append(
            f'<p class="image-description"><span class="image-label">Image: </span>{esc(picture.description)}</p>'
        )
    caption = "".join(
        f'<p class="{cls}">{esc(text)}</p>'
        for cls, text in (("caption", picture.caption), ("credit", picture.credit))
        if text
    )
    if caption:
        parts.append(f"<figcaption>{caption}</figcaption>")
    return f'<figure class="{css_class}">{"".join(parts)}</figure>\n'


# --- stories ----------------------------------------------------------------------------------


def header_html(item: Item, *, heading: str = "h1") -> str:
    """A story's head, as a chapter shows it: ``p.kicker`` (its kind and section), the
    heading (``headline``, or ``headline untitled`` for a label), ``p.dek``, ``p.byline``,
    ``p.dateline`` with a ``<time>``, ``p.original`` (a link to the story's own page, when
    the tree knows it). A feed leaves it out: it has fields for these."""
    parts = []
    kicker = []
    if item.kind and not item.untitled:
        kicker.append(f'<span class="kind">{esc(item.kind)}</span>')
    if item.section:
        kicker.append(f'<span class="section">{esc(item.section)}</span>')
    if kicker:
        parts.append(f'<p class="kicker">{" ".join(kicker)}</p>\n')
    cls = "headline untitled" if item.untitled else "headline"
    parts.append(f'<{heading} class="{cls}">{esc(item.label)}</{heading}>\n')
    if item.dek:
        parts.append(f'<p class="dek">{esc(item.dek)}</p>\n')
    if item.byline:
        parts.append(f'<p class="byline">{esc(item.byline)}</p>\n')
    if item.day is not None:
        parts.append(f'<p class="dateline"><time datetime="{item.day.isoformat()}">{esc(item.dateline)}</time></p>\n')
    elif item.dateline:
        parts.append(f'<p class="dateline">{esc(item.dateline)}</p>\n')
    if item.original:
        link = f'<a href="{esc_attr(item.original)}">{esc(short_url(item.original))}</a>'
        parts.append(f'<p class="original">{link}</p>\n')
    return "".join(parts)


def bios_html(item: Item) -> str:
    """``aside.authors`` (``About the author``, each bio) or, for a blurb, ``aside.sponsor``."""
    if not item.bios:
        return ""
    entries = []
    for bio in item.bios:
        if bio.name:
            handle = f' <span class="author-handle">{esc(bio.handle)}</span>' if bio.handle else ""
            entries.append(f'<p class="author-name">{esc(bio.name)}{handle}</p>')
        entries.append(f'<p class="author-bio">{esc(bio.text)}</p>')
    body = "\n".join(entries)
    if item.bios_heading is None:
        return f'<aside class="sponsor">\n{body}\n</aside>\n'
    return f'<aside class="authors">\n<h2>{esc(item.bios_heading)}</h2>\n{body}\n</aside>\n'


def story_html(item: Item, *, base_url: str | None = None) -> str:
    """A story's text, without its head (:func:`header_html`): the lead image, the body, the
    excerpt note (``p.excerpt-note``), the bios. Never empty: ``p.no-text``
    (:data:`EMPTY_NOTE`) when nothing else is."""
    parts = [picture_html(item.image, "lead-image"), blocks_html(item.body, base_url=base_url)]
    if not "".join(parts).strip():
        parts.append(f'<p class="no-text">{EMPTY_NOTE}</p>\n')
    if item.note:
        parts.append(f'<p class="excerpt-note">{esc(item.note)}</p>\n')
    parts.append(bios_html(item))
    return "".join(parts)
