"""The document tree as CommonMark with YAML front matter.

Layout of one page::

    ---                                  YAML front matter: the main story's metadata
    title: "..."                         (id, title, section, dek, date, authors, image,
    ...                                  source); values the page lacks are left out
    ---

    # Headline                           the main story: headline, dek (in italics),
                                         lead image, body (## and ### subheadings)
    *The dek.*

    * * *

    <!-- protocol-convert {"id": ..., "role": "teaser", ...} -->

    # Teaser headline                    every further story, after a thematic break and
                                         its metadata in an HTML comment (invisible when
                                         rendered; the markdown reader reads it back)

A collection (several pages) starts with front matter naming the collection, then one
``# Section`` heading per section and one ``## Headline`` per story, its subheadings one
level down.

Images have no bytes in a saved page, only three texts: a figure is written as an HTML block
``<figure><div role="img" aria-label="ALT">ALT</div><figcaption>CAPTION <small>CREDIT</small>
</figcaption></figure>``. A sign-off is ``<p class="signoff">...</p>``. Text is escaped so that
no character of the page becomes Markdown syntax; lone surrogates and control characters are
removed.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from convert.collection import build_collection
from convert.errors import ExportError
from convert.tree import (
    Article,
    Block,
    Document,
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

COMMENT_PREFIX = "protocol-convert"
_SAFE_URL = re.compile(r"^(https?:|mailto:|#|/)", re.IGNORECASE)
# Every ASCII punctuation character that can start or end Markdown syntax.
_ESCAPE = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")
_LEADING_MARK = re.compile(r"^(\s*)([-+=])")
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
    """Plain text as Markdown that renders as that text (one line)."""
    text = re.sub(r"\s*\n\s*", " ", clean(text))
    text = _ESCAPE.sub(r"\\\1", text)
    text = text.replace("\t", " ")
    # At the start of a line '-', '+', '=' or '1.' would make a list, a heading or a rule.
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


def figure_md(image: Image) -> str:
    parts = ["<figure>"]
    if image.alt:
        parts.append(f'<div role="img" aria-label="{_html(image.alt)}">{_html(image.alt)}</div>')
    caption = " ".join(p for p in (
        _html(image.caption) if image.caption else "",
        f"<small>{_html(image.credit)}</small>" if image.credit else "",
    ) if p)
    if caption:
        parts.append(f"<figcaption>{caption}</figcaption>")
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
        return figure_md(block.image)
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


def article_md(article: Article, level: int, *, comment: bool) -> str:
    parts = []
    if comment:
        parts.append(metadata_comment(article, level))
    if article.title:
        parts.append(f"{'#' * level} {escape(article.title)}")
    if article.dek:
        parts.append(f"*{escape(article.dek).strip()}*")
    if article.image is not None:
        parts.append(figure_md(article.image))
    body = blocks_md(article.body, shift=level - 1)
    if body:
        parts.append(body)
    return "\n\n".join(parts)


def render(documents: Sequence[Document], options: Mapping[str, Any]) -> str:
    front = bool(options.get("front_matter", True))
    comments = bool(options.get("metadata_comments", True))
    chunks: list[str] = []
    if len(documents) == 1:
        document = documents[0]
        main = document.articles[0] if document.articles else None
        if front:
            data: dict[str, Any] = article_metadata(main) if main is not None else {}
            if document.source.name:
                data["source"] = document.source.name
            if data:
                chunks.append("---\n" + "\n".join(yaml_lines(_cleaned(data))) + "\n---")
        stories = []
        for index, article in enumerate(document.articles):
            stories.append(article_md(article, 1, comment=comments and (index > 0 or not front)))
        chunks.append("\n\n* * *\n\n".join(s for s in stories if s))
    else:
        collection = build_collection(documents)
        title = options.get("title") or "Protocol"
        if front:
            data = {"title": title, "sources": [d.source.name or f"input {i + 1}" for i, d in enumerate(documents)]}
            chunks.append("---\n" + "\n".join(yaml_lines(_cleaned(data))) + "\n---")
        for section in collection.sections:
            if section.name:
                chunks.append(f"# {escape(section.name)}")
            for article in section.articles:
                chunks.append(article_md(article, 2, comment=comments))
    text = "\n\n".join(c for c in chunks if c)
    return text + "\n" if text else ""
