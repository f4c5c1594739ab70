"""Markdown → the document tree.

- YAML front matter (``---`` ... ``---``) gives the first story's metadata: ``title``, ``id``,
  ``role``, ``section`` (or ``category``), ``dek`` (or ``description``, ``summary``),
  ``date``, ``authors`` (names, or maps with ``name``, ``handle``, ``bio``; ``author`` works
  too), ``image`` (``alt``, ``caption``, ``credit``), ``truncated``.
- Without a ``title`` there, the first ``#`` heading is the title. The paragraph right after
  the title, if it is all in italics, is the dek.
- ``<!-- protocol-convert {...} -->`` comments (written by the markdown exporter) start a
  further story and give its metadata; the heading right before such a comment is a
  section heading of a collection (or ``More from Protocol``) and is skipped, and so are the
  exporter's labels (``<p class="kicker|byline|excerpt-note">``, ``<aside class="authors|sponsor">``)
  and a figure opening a story whose metadata names its image.
- A paragraph holding only an image (``![alt](src "title")``) is a figure: alt, and the title
  as caption; ``<figure>`` blocks give alt (``aria-label`` or ``alt``), caption and credit
  (``<small>``); ``<p class="signoff">`` is a sign-off.
- Code becomes plain paragraphs (the tree has no code node); other raw HTML keeps its text.
- Nothing is invented: what the file does not say stays ``None``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html.parser
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from convert.errors import InputError
from convert.textio import decode_text
from convert.tree import (
    Article,
    Author,
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
    Source,
    Strong,
    Text,
    block_text,
    inline_text,
    story_id,
)

READER = "markdown"
_ROLES = ("main", "teaser", "sponsored")
_COMMENT = re.compile(r"^<!--\s*protocol-convert\s+(\{.*\})\s*-->\s*$", re.DOTALL)
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]*$")
# the markdown exporter's labels (kicker, byline and date, excerpt note) and bio boxes
_LABELS = frozenset({"kicker", "byline", "excerpt-note"})
_ASIDES = frozenset({"authors", "sponsor"})
#: emphasis, strong and links nest no deeper than this (deeper ones are read as text)
MAX_INLINE_DEPTH = 16


@dataclass
class _Story:
    meta: dict[str, Any]
    level: int = 1
    title: str | None = None
    dek: str | None = None
    image: Image | None = None
    body: list[Block] = field(default_factory=list)
    seen_title_heading: bool = False


def read(data: bytes, name: str | None, options: Mapping[str, Any]) -> Document:
    text = decode_text(data, name=name, encoding=options.get("encoding"), max_size=options.get("max_size"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body = _front_matter(text, name)

    from markdown_it import MarkdownIt
    from markdown_it.tree import SyntaxTreeNode

    tokens = MarkdownIt("commonmark").parse(body)  # (blocks nest at most 20 deep: the preset's maxNesting)
    for token in tokens:
        if token.type == "inline" and token.children:
            token.children = _flatten(token.children)
    root = SyntaxTreeNode(tokens)
    stories = [_Story(meta=meta, title=_str(meta.get("title")), dek=_dek(meta), image=_image(meta.get("image")))]
    nodes = list(root.children)
    for index, node in enumerate(nodes):
        story = stories[-1]
        if node.type == "html_block":
            match = _COMMENT.match(node.content.strip())
            if match:
                try:
                    comment = json.loads(match.group(1))
                except ValueError:
                    comment = {}
                if isinstance(comment, dict):
                    level = comment.get("level")
                    stories.append(_Story(
                        meta=comment, level=level if isinstance(level, int) and 1 <= level <= 5 else 1,
                        title=_str(comment.get("title")), dek=_dek(comment), image=_image(comment.get("image")),
                    ))
                    continue
            block = _html_block(node.content)
            if block is None:
                continue
            if _is_lead(story, block):
                continue
            story.body.append(block)
        elif node.type == "heading":
            level = int(node.tag[1])
            if _next_is_comment(nodes, index):
                continue  # a collection's section heading: the story's comment names the section
            content = _inlines(node.children[0]) if node.children else ()
            heading_text = _plain(content)
            if not story.body and not story.seen_title_heading and level <= story.level and (
                story.title is None or story.title == heading_text
            ):
                story.title = story.title or heading_text or None
                story.seen_title_heading = True
                continue
            story.body.append(Heading(2 if level <= story.level + 1 else 3, content))
        elif node.type == "paragraph":
            block = _paragraph(node)
            if block is None:
                continue
            if _is_dek(story, block):
                story.dek = story.dek or _plain(block.content[0].content)  # type: ignore[union-attr]
                continue
            if _is_lead(story, block):
                continue
            story.body.append(block)
        elif node.type == "hr":
            continue
        else:
            block = _block(node, story.level)
            if block is not None:
                story.body.append(block)
    articles = [_article(story, index) for index, story in enumerate(stories)]
    first = stories[0]
    if len(stories) > 1 and not first.body and first.dek is None and first.image is None and "id" not in meta:
        articles = articles[1:]  # a collection's front matter names the collection, not a story
    return Document(Source(name, hashlib.sha256(data).hexdigest(), READER), tuple(articles))


def _flatten(tokens: list[Any]) -> list[Any]:
    """Inline tokens with emphasis, strong and links nested at most :data:`MAX_INLINE_DEPTH`
    deep: deeper ones become their own text (``*``), so that 20,000 ``*`` are read as text
    instead of a tree too deep for anything to walk."""
    from markdown_it.token import Token

    out: list[Any] = []
    kept: list[bool] = []  # for each open token: was it kept?
    for token in tokens:
        if token.nesting == 1:
            keep = sum(kept) < MAX_INLINE_DEPTH
            kept.append(keep)
            if not keep:
                token = Token("text", "", 0, content=token.markup)
        elif token.nesting == -1 and kept:
            if not kept.pop():
                token = Token("text", "", 0, content=token.markup)
        out.append(token)
    return out


@functools.cache
def _yaml_loader() -> Any:
    """PyYAML's safe loader, minus what a front matter never needs and a hostile file
    abuses: aliases (``&a`` ... ``*a``, a 370-byte "billion laughs" expands to gigabytes)
    and implicit timestamps (an impossible date such as 2021-02-30 stays text, read or
    left out like any other date)."""
    import yaml

    class Loader(yaml.SafeLoader):
        yaml_implicit_resolvers: ClassVar[dict[str, list[Any]]] = {
            first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in front matter",
                                                  event.start_mark)
            return super().compose_node(parent, index)

    return Loader


def _front_matter(text: str, name: str | None) -> tuple[dict[str, Any], str]:
    match = re.match(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", text, re.DOTALL)
    if not match:
        return {}, text
    import yaml

    try:
        data = yaml.load(match.group(1) or "", Loader=_yaml_loader())  # a safe loader, restricted further
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        # (an explicit !!timestamp that is no date, an integer of 5,000 digits, [[[...]]])
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"the front matter is not valid YAML: {problem}", path=name) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return {}, text  # a thematic break at the top, not front matter
    return data, text[match.end():]


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _dek(meta: Mapping[str, Any]) -> str | None:
    for key in ("dek", "description", "summary", "subtitle"):
        if meta.get(key):
            return _str(meta[key])
    return None


def _image(value: Any) -> Image | None:
    if not isinstance(value, Mapping):
        return None
    image = Image(alt=_str(value.get("alt")), caption=_str(value.get("caption")), credit=_str(value.get("credit")))
    return image if (image.alt or image.caption or image.credit) else None


def _date(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _str(value)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None  # a date we cannot read is left out, not guessed


def _authors(meta: Mapping[str, Any]) -> tuple[Author, ...]:
    raw = meta.get("authors", meta.get("author"))
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    authors = []
    for item in items:
        if isinstance(item, Mapping) and _str(item.get("name")):
            authors.append(Author(_str(item["name"]) or "", _str(item.get("handle")), _str(item.get("bio"))))
        elif isinstance(item, (str, int)) and _str(item):
            authors.append(Author(_str(item) or ""))
    return tuple(authors)


def _section(meta: Mapping[str, Any]) -> str | None:
    for key in ("section", "category"):
        if meta.get(key):
            return _str(meta[key])
    categories = meta.get("categories")
    if isinstance(categories, list) and categories:
        return _str(categories[0])
    return None


def _article(story: _Story, index: int) -> Article:
    meta = story.meta
    role = meta.get("role") if meta.get("role") in _ROLES else ("main" if index == 0 else "teaser")
    body = tuple(story.body)
    opening = next((block_text(b) for b in body if block_text(b).strip()), "")
    article_id = meta.get("id") if isinstance(meta.get("id"), str) and _ID.match(meta["id"]) else None
    return Article(
        id=article_id or story_id(story.title, opening),
        role=role,
        title=story.title,
        section=_section(meta),
        dek=story.dek,
        date=_date(meta.get("date")),
        authors=_authors(meta),
        image=story.image,
        body=body,
        truncated=meta.get("truncated") is True,
    )


def _next_is_comment(nodes: list[Any], index: int) -> bool:
    following = nodes[index + 1] if index + 1 < len(nodes) else None
    return following is not None and following.type == "html_block" and bool(
        _COMMENT.match(following.content.strip())
    )


def _is_dek(story: _Story, block: Block) -> bool:
    if story.body or not story.seen_title_heading or not isinstance(block, Paragraph):
        return False
    if len(block.content) != 1 or not isinstance(block.content[0], Emphasis):
        return False
    return story.dek is None or story.dek == _plain(block.content[0].content)


def _is_lead(story: _Story, block: Block) -> bool:
    """The figure opening a story whose metadata names its image: that image as shown (the
    exporter leaves out an alt text that only repeats the headline or the caption)."""
    return not story.body and isinstance(block, Figure) and story.image is not None


# --- blocks ------------------------------------------------------------------------------


def _block(node: Any, base: int) -> Block | None:
    if node.type == "paragraph":
        return _paragraph(node)
    if node.type == "heading":
        level = int(node.tag[1])
        return Heading(2 if level <= base + 1 else 3, _inlines(node.children[0]) if node.children else ())
    if node.type in ("bullet_list", "ordered_list"):
        items = []
        for item in node.children:
            blocks = tuple(b for b in (_block(child, base) for child in item.children) if b is not None)
            items.append(blocks)
        return ListBlock(node.type == "ordered_list", tuple(items))
    if node.type == "blockquote":
        return Quote(tuple(b for b in (_block(child, base) for child in node.children) if b is not None))
    if node.type in ("code_block", "fence"):
        text = node.content.rstrip("\n")
        return Paragraph((Text(text),)) if text.strip() else None
    if node.type == "html_block":
        return _html_block(node.content)
    return None


def _paragraph(node: Any) -> Block | None:
    inline = node.children[0] if node.children else None
    if inline is None:
        return None
    children = [c for c in inline.children if not (c.type == "text" and not c.content.strip())]
    if len(children) == 1 and children[0].type == "image":
        image = children[0]
        alt = _plain(_inlines(image)) or None
        return Figure(Image(alt=alt, caption=_str(image.attrs.get("title")), credit=None))
    content = _inlines(inline)
    return Paragraph(content) if content else None


def _inlines(node: Any) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for child in node.children:
        kind = child.type
        if kind in ("text", "code_inline"):
            out.append(Text(child.content))
        elif kind == "softbreak":
            out.append(Text(" "))
        elif kind == "hardbreak":
            out.append(LineBreak())
        elif kind == "em":
            out.append(Emphasis(_inlines(child)))
        elif kind == "strong":
            out.append(Strong(_inlines(child)))
        elif kind == "link":
            out.append(Link(str(child.attrs.get("href", "")), _inlines(child)))
        elif kind == "image":
            alt = _plain(_inlines(child))
            if alt:
                out.append(Text(alt))
        elif kind == "html_inline" and re.match(r"<br\s*/?>", child.content, re.IGNORECASE):
            out.append(LineBreak())
    return _merge(out)


def _merge(nodes: list[Inline]) -> tuple[Inline, ...]:
    merged: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + node.text)
        else:
            merged.append(node)
    while merged and isinstance(merged[-1], LineBreak):
        merged.pop()
    return tuple(n for n in merged if not (isinstance(n, Text) and not n.text))


def _plain(nodes: tuple[Inline, ...]) -> str:
    """The text of ``nodes`` on one line (a line break, like any run of white space, is a space)."""
    return re.sub(r"\s+", " ", inline_text(nodes)).strip()


# --- raw HTML: figures, sign-offs, anything else -----------------------------------------------


class _HTML(html.parser.HTMLParser):
    """A small reader of the HTML blocks the markdown exporter writes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[list[Any]] = [[]]
        self.opened: list[bool] = []  # for each inline tag open: whether it nests
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.alt: str | None = None
        self.caption: list[str] = []
        self.credit: list[str] = []
        self.where: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if tag == "br":
            self.stack[-1].append(LineBreak())
            return
        if tag == "img" or found.get("role") == "img":
            label = found.get("aria-label") or found.get("alt")
            if label:
                self.alt = label.strip()
        if tag in ("em", "i", "strong", "b", "a"):
            nested = len(self.stack) <= MAX_INLINE_DEPTH  # deeper ones keep their text only
            self.opened.append(nested)
            if nested:
                self.stack.append([])
        self.where.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("em", "i", "strong", "b", "a") and self.opened and self.opened.pop():
            content = _merge(self.stack.pop())
            opened = next((attrs for t, attrs in reversed(self.tags) if t == tag), {})
            if tag in ("em", "i"):
                self.stack[-1].append(Emphasis(content))
            elif tag in ("strong", "b"):
                self.stack[-1].append(Strong(content))
            else:
                self.stack[-1].append(Link(str(opened.get("href") or ""), content))
        if tag in self.where:
            del self.where[len(self.where) - 1 - self.where[::-1].index(tag):]

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if "div" in self.where and "figcaption" not in self.where:
            return  # the alt text shown in place of the image
        if "small" in self.where:
            self.credit.append(data)
        elif "figcaption" in self.where:
            self.caption.append(data)
        self.stack[-1].append(Text(data))


def _html_block(source: str) -> Block | None:
    stripped = source.strip()
    if not stripped or re.fullmatch(r"<!--.*?-->", stripped, re.DOTALL):
        return None
    parser = _HTML()
    parser.feed(stripped)
    parser.close()
    first = parser.tags[0] if parser.tags else ("", {})
    classes = set((first[1].get("class") or "").split())
    if (first[0] == "p" and classes & _LABELS) or (first[0] == "aside" and classes & _ASIDES):
        return None  # what the exporter shows from the metadata: the comment holds it
    if first[0] == "figure":
        image = Image(
            alt=parser.alt,
            caption=_str(re.sub(r"\s+", " ", "".join(parser.caption))),
            credit=_str(re.sub(r"\s+", " ", "".join(parser.credit))),
        )
        return Figure(image) if (image.alt or image.caption or image.credit) else None
    if first[0] == "p" and "signoff" in (first[1].get("class") or "").split():
        content = _merge(parser.stack[0])
        return Signoff(content) if content else None
    text = re.sub(r"\s+", " ", "".join(parser.text)).strip()
    return Paragraph((Text(text),)) if text else None
