"""The :mod:`convert.present` view as CommonMark with YAML front matter.

Layout of one page::

    ---                                  YAML front matter: the main story's metadata, from
    title: "..."                         the tree (id, title, section, dek, date, authors,
    ...                                  image, source); values the page lacks are left out
    ---

    <p class="kicker">China</p>          the main story as the view shows it: its kicker,
    # Headline                           headline, dek (in italics), byline and date, lead
    *The dek.*                           image, body (## and ### subheadings), excerpt note,
    <p class="byline">By …</p>           about the author
    ...

    * * *                                a rule between stories

    # More from Protocol                 one page: the stories it showed besides its own
    <!-- protocol-convert {...} -->      each story's metadata in an HTML comment (invisible
    <p class="kicker"><strong>Excerpt</strong> · Fintech</p>    when rendered; the markdown
    ## Teaser headline                   reader reads it back)

A collection (several pages) starts with front matter naming the collection, then one
``# Section`` heading per section and one ``## Headline`` per story, its subheadings one
level down, a rule between stories.

Labels the view adds (kicker, byline and date, excerpt note, bios) are one-line HTML
paragraphs with a class, so they show in any renderer and a reader can tell them from the
story's text. Images have no bytes in a saved page: a figure is three lines, the description,
the caption and the credit, in an HTML ``<figure>``. Text is escaped only where a character
would otherwise become Markdown syntax; lone surrogates and control characters are removed.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from convert.errors import ExportError
from convert.present import MORE_FROM_PROTOCOL, Item, Picture, picture, present
from convert.tree import (
    Article,
    Block,
    Document,
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
)

COMMENT_PREFIX = "protocol-convert"
_SAFE_URL = re.compile(r"^(https?:|mailto:|#|/)", re.IGNORECASE)
# Characters that make Markdown syntax wherever they are: backslash, code, emphasis, strikethrough.
_ALWAYS = re.compile(r"([\\`*~])")
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")  # not inside a word, where it cannot emphasise
_BRACKET = re.compile(r"\](?=[(\[:])")  # ends a link text or a reference label
_TAG = re.compile(r"<(?=[A-Za-z/!?])")  # starts an HTML tag or an autolink
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")  # starts a character reference
_LEADING_MARK = re.compile(r"^(\s*)([-+=#>])")
_LEADING_NUMBER = re.compile(r"^(\s*)(\d+)([.)])")


def clean(text: str) -> str:
    """``text`` without lone surrogates, control characters (tab and newline kept) and
    noncharacters (U+FFFE...), which no Markdown or YAML reader accepts."""
    if text.isprintable():
        return text
    return "".join(
        c for c in text
        if c in "\t\n" or (unicodedata.category(c) not in ("Cc", "Cs") and not _noncharacter(c))
    )


def _noncharacter(c: str) -> bool:
    code = ord(c)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def escape(text: str) -> str:
    """Plain text as Markdown that renders as that text (one line), escaping only the
    characters that would become syntax where they stand (no needless ``\\(`` or ``\\[``)."""
    text = re.sub(r"\s*\n\s*", " ", clean(text)).replace("\t", " ")
    text = _ALWAYS.sub(r"\\\1", text)
    text = _UNDERSCORE.sub(r"\\_", text)
    text = _BRACKET.sub(r"\\]", text)
    text = _TAG.sub(r"\\<", text)
    text = _ENTITY.sub(r"\\&", text)
    # At the start of a line '-', '+', '=', '#', '>' or '1.' would make a list, a heading,
    # a rule or a quotation.
    text = _LEADING_MARK.sub(r"\1\\\2", text)
    return _LEADING_NUMBER.sub(r"\1\2\\\3", text)


def _html(text: str) -> str:
    return html.escape(re.sub(r"\s*\n\s*", " ", clean(text)), quote=True)


# --- inlines -----------------------------------------------------------------------------


def inlines_md(nodes: Iterable[Inline]) -> str:
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            parts.append(escape(node.text))
        elif isinstance(node, (Emphasis, Strong)):
            mark = "*" if isinstance(node, Emphasis) else "**"
            inner = inlines_md(node.content)
            stripped = inner.strip()
            if not stripped:
                parts.append(inner)
                continue
            lead = inner[: len(inner) - len(inner.lstrip())]
            trail = inner[len(inner.rstrip()):]
            parts.append(f"{lead}{mark}{stripped}{mark}{trail}")
        elif isinstance(node, Link):
            inner = inlines_md(node.content)
            url = clean(node.url).strip()
            if _SAFE_URL.match(url) and inner.strip():
                destination = url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
                parts.append(f"[{inner}](<{destination}>)")
            else:
                parts.append(inner)  # an unsafe scheme (javascript:) keeps its text only
        elif isinstance(node, LineBreak):
            parts.append("\\\n")
        else:
            raise ExportError(f"markdown: unsupported inline node {type(node).__name__}")
    return "".join(parts)


def inlines_html(nodes: Iterable[Inline]) -> str:
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            parts.append(_html(node.text))
        elif isinstance(node, Emphasis):
            parts.append(f"<em>{inlines_html(node.content)}</em>")
        elif isinstance(node, Strong):
            parts.append(f"<strong>{inlines_html(node.content)}</strong>")
        elif isinstance(node, Link):
            url = clean(node.url).strip()
            inner = inlines_html(node.content)
            parts.append(f'<a href="{_html(url)}">{inner}</a>' if _SAFE_URL.match(url) else inner)
        elif isinstance(node, LineBreak):
            parts.append("<br>")
        else:
            raise ExportError(f"markdown: unsupported inline node {type(node).__name__}")
    return "".join(parts)


# --- blocks ------------------------------------------------------------------------------


def figure_md(shown: Picture | None) -> str:
    """An image as three lines (those it has): ``Image: description``, the caption, the credit."""
    if shown is None:
        return ""
    parts = ["<figure>"]
    if shown.description:
        label = _html(shown.description)
        parts.append(f'<div role="img" aria-label="{label}">Image: {label}</div>')
    lines = [_html(shown.caption)] if shown.caption else []
    if shown.credit:
        lines.append(f"<small>{_html(shown.credit)}</small>")
    if lines:
        parts.append(f"<figcaption>{'<br>'.join(lines)}</figcaption>")
    parts.append("</figure>")
    return "\n".join(parts)


def _indent(text: str, prefix: str, first: str | None = None) -> str:
    lines = text.split("\n")
    out = []
    for index, line in enumerate(lines):
        lead = first if index == 0 and first is not None else prefix
        out.append(lead + line if line else lead.rstrip())
    return "\n".join(out)


def block_md(block: Block, shift: int) -> str:
    if isinstance(block, Paragraph):
        content = list(block.content)
        while content and isinstance(content[-1], LineBreak):
            content.pop()  # a hard break must be followed by text
        return inlines_md(content).strip()
    if isinstance(block, Heading):
        level = min(max(block.level, 2) + shift, 6)
        text = inlines_md(block.content).replace("\\\n", " ").strip()
        return f"{'#' * level} {text}" if text else ""
    if isinstance(block, ListBlock):
        loose = any(len(item) != 1 or not isinstance(item[0], Paragraph) for item in block.items)
        rendered = []
        for number, item in enumerate(block.items, start=1):
            marker = f"{number}. " if block.ordered else "- "
            body = blocks_md(item, shift) or ""
            rendered.append(_indent(body, " " * len(marker), marker) if body else marker.rstrip())
        return ("\n\n" if loose else "\n").join(rendered)
    if isinstance(block, Quote):
        return _indent(blocks_md(block.content, shift), "> ")
    if isinstance(block, Figure):
        return figure_md(picture(block.image))
    if isinstance(block, Signoff):
        return f'<p class="signoff">{inlines_html(block.content)}</p>'
    raise ExportError(f"markdown: unsupported block node {type(block).__name__}")


def blocks_md(blocks: Iterable[Block], shift: int = 0) -> str:
    parts: list[str] = []
    previous: Block | None = None
    for block in blocks:
        text = block_md(block, shift)
        if not text:
            continue
        if isinstance(block, ListBlock) and isinstance(previous, ListBlock):
            parts.append("<!-- -->")  # two lists in a row would otherwise merge into one
        parts.append(text)
        previous = block
    return "\n\n".join(parts)


# --- metadata ----------------------------------------------------------------------------


def _yaml_string(value: str) -> str:
    # A JSON string is a YAML double-quoted scalar.
    return json.dumps(clean(value), ensure_ascii=False)


def yaml_lines(data: Mapping[str, Any], indent: str = "") -> list[str]:
    lines: list[str] = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            lines.append(f"{indent}{key}:")
            lines.extend(yaml_lines(value, indent + "  "))
        elif isinstance(value, list):
            lines.append(f"{indent}{key}:")
            for item in value:
                if isinstance(item, Mapping):
                    inner = yaml_lines(item, indent + "    ")
                    lines.append(f"{indent}  - {inner[0].lstrip()}")
                    lines.extend(inner[1:])
                else:
                    lines.append(f"{indent}  - {_yaml_string(str(item))}")
        elif isinstance(value, bool):
            lines.append(f"{indent}{key}: {'true' if value else 'false'}")
        else:
            lines.append(f"{indent}{key}: {_yaml_string(str(value))}")
    return lines


def article_metadata(article: Article, *, with_title: bool = True) -> dict[str, Any]:
    """The story's metadata, values the page does not give left out."""
    data: dict[str, Any] = {}
    if with_title and article.title:
        data["title"] = article.title
    data["id"] = article.id
    data["role"] = article.role
    for key in ("section", "dek", "date"):
        if getattr(article, key):
            data[key] = getattr(article, key)
    if article.authors:
        data["authors"] = [
            {k: v for k, v in (("name", a.name), ("handle", a.handle), ("bio", a.bio)) if v}
            for a in article.authors
        ]
    if article.image is not None:
        image = {k: v for k, v in (("alt", article.image.alt), ("caption", article.image.caption),
                                   ("credit", article.image.credit)) if v}
        if image:
            data["image"] = image
    if article.truncated:
        data["truncated"] = True
    return data


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, Mapping):
        return {k: _cleaned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    return value


def metadata_comment(article: Article, level: int) -> str:
    data = _cleaned({**article_metadata(article), "level": level})
    text = json.dumps(data, ensure_ascii=False, separators=(", ", ": "))
    # Nothing inside may close the comment.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("--", "-\\u002d")
    return f"<!-- {COMMENT_PREFIX} {text} -->"


# --- stories and documents -------------------------------------------------------------------


def _label(cls: str, html_text: str) -> str:
    return f'<p class="{cls}">{html_text}</p>'


def item_md(item: Item, level: int, *, comment: bool, kicker: bool = True) -> str:
    """One story as the view shows it, its headline at ``level``; ``kicker`` False leaves the
    section out (a collection's section heading shows it)."""
    parts = []
    if comment:
        parts.append(metadata_comment(item.article, level))
    section = _html(item.section) if kicker and item.section else ""
    # an untitled excerpt or blurb says what it is; an untitled main story needs no label
    lead = item.label if item.untitled and item.kind else item.kind
    line = " · ".join(t for t in (f"<strong>{_html(lead)}</strong>" if lead else "", section) if t)
    if line:
        parts.append(_label("kicker", line))
    if item.title:
        parts.append(f"{'#' * level} {escape(item.title)}")
    if item.dek:
        parts.append(f"*{escape(item.dek).strip()}*")
    byline = " · ".join(t for t in (item.byline, item.dateline) if t)
    if byline:
        parts.append(_label("byline", _html(byline)))
    if item.original:
        parts.append(f"<{item.original}>")
    if item.image is not None:
        parts.append(figure_md(item.image))
    body = blocks_md(item.body, shift=level - 1)
    if body:
        parts.append(body)
    if item.note:
        parts.append(_label("excerpt-note", f"<em>{_html(item.note)}</em>"))
    if item.bios:
        lines = [f"<p><strong>{_html(item.bios_heading)}</strong></p>"] if item.bios_heading else []
        for bio in item.bios:
            name = ""
            if bio.name:
                name = f"<strong>{_html(bio.name)}</strong>" + (f" {_html(bio.handle)}" if bio.handle else "") + ": "
            lines.append(f"<p>{name}{_html(bio.text)}</p>")
        cls = "authors" if item.bios_heading else "sponsor"
        parts.append(f'<aside class="{cls}">\n' + "\n".join(lines) + "\n</aside>")
    return "\n\n".join(parts)


RULE = "* * *"


def render(documents: Sequence[Document], options: Mapping[str, Any]) -> str:
    front = bool(options.get("front_matter", True))
    comments = bool(options.get("metadata_comments", True))
    view = present(documents, options if len(documents) > 1 or options.get("collection") is True else {})
    chunks: list[str] = []
    if not view.collection:
        document = documents[0]
        lead = view.items[0] if view.items else None
        if front:
            data: dict[str, Any] = article_metadata(lead.article) if lead is not None else {}
            if document.source.name:
                data["source"] = document.source.name
            if data:
                chunks.append("---\n" + "\n".join(yaml_lines(_cleaned(data))) + "\n---")
        stories = []
        for index, item in enumerate(view.items):
            first_more = item.role != "main" and index and view.items[index - 1].role == "main"
            text = item_md(item, 1 if item.role == "main" else 2 if view.mains else 1,
                           comment=comments and (index > 0 or not front))
            if first_more and comments:
                text = f"# {escape(MORE_FROM_PROTOCOL)}\n\n{text}"
            stories.append(text)
        chunks.append(f"\n\n{RULE}\n\n".join(s for s in stories if s))
    else:
        title = options.get("title") or "Protocol"
        if front:
            data = {"title": title, "sources": [d.source.name or f"input {i + 1}" for i, d in enumerate(documents)]}
            chunks.append("---\n" + "\n".join(yaml_lines(_cleaned(data))) + "\n---")
        for n, section in enumerate(view.sections):
            if n:
                chunks.append(RULE)
            if section.name and comments:
                chunks.append(f"# {escape(section.name)}")
            chunks.append(f"\n\n{RULE}\n\n".join(
                item_md(item, 2, comment=comments, kicker=not comments) for item in section.items
            ))
    text = "\n\n".join(c for c in chunks if c)
    return text + "\n" if text else ""
