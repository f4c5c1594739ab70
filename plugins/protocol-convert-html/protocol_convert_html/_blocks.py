"""HTML elements → the tree's blocks and inlines, and → text lines as a saved dump shows them.

Shared by the news-page extractor and the general one:

- :func:`inlines`: text, ``em``/``i``, ``strong``/``b``, ``a href`` (absolute), ``br``; white
  space collapsed as a browser shows it.
- :class:`BlockBuilder`: ``p``, ``h1``–``h6``, lists (nested), ``blockquote``, ``figure`` /
  ``img`` (alt, caption and credit: three texts), ``pre``, tables (a row a paragraph), and
  text loose in a container; wrappers (``div``, ``section``...) are looked through; elements
  that are site chrome (share bars, newsletter boxes, ads, "Keep Reading" buttons) are handed
  to ``on_chrome`` instead.
- :func:`text_lines`: the lines a browser's "save as text" gives for an element (block
  elements break lines, inline ones run together, an image shows its alt text): what the
  reader records as chrome, so that nothing dropped vanishes silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from convert.tree import (
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

from ._meta import absolute

BLOCK_TAGS = frozenset(
    "p div section article header footer nav aside main ul ol li dl dt dd h1 h2 h3 h4 h5 h6 blockquote figure "
    "figcaption table thead tbody tfoot tr td th form fieldset pre address hr details summary center body "
    "caption legend menu".split()
)
#: elements whose content is never shown as text
INVISIBLE_TAGS = frozenset(
    "script style noscript template svg iframe object embed canvas video audio source track head title meta "
    "link input select option textarea map area math".split()
)
HEADINGS = {f"h{n}": n for n in range(1, 7)}
#: class or id words that mark site chrome inside a page
CHROME_WORDS = frozenset(
    "share sharing social newsletter newsletters subscribe subscription signup sign-up ad ads advert adverts "
    "advertisement advertising promo promos related recirc recirculation comments comment cookie cookies "
    "consent paywall tags tag-list breadcrumb breadcrumbs toolbar print modal popup banner masthead "
    "skip menu nav navigation footer widget-newsletter".split()
)
#: the text of controls that cut a teaser short, or expand it (run together, as saved pages show them)
_CONTROL = re.compile(r"^(?:keepreading|showless|showmore|readmore|continuereading)+$")
CREDIT_WORDS = frozenset("credit credits photo-credit source attribution copyright byline".split())
_CREDIT_PREFIX = re.compile(
    r"(?:^|\s)((?:Photo Illustration|Photoillustration|Photo|Image|Illustration|Screenshot|Credit|Video):\s.*"
    r"|\(Photo by .*\)|Photo courtesy of .*)$"
)
_SPACE = re.compile(r"\s+")


def unwrap(element: Any) -> Any:
    """The element itself, when it is seen through a run of loose inline content."""
    return element.element if isinstance(element, _Tailed) else element


def tag_of(element: Any) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def words_of(element: Any) -> set[str]:
    """The words of an element's class and id (``share-bar`` → share, bar, share-bar)."""
    found: set[str] = set()
    for value in (element.get("class") or "", element.get("id") or ""):
        for token in value.lower().split():
            found.add(token)
            found.update(part for part in re.split(r"[-_]", token) if part)
    return found


def is_hidden(element: Any) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = (element.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def squash(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def plain_text(element: Any) -> str:
    """All the visible text of an element on one line."""
    return " ".join(text_lines(element))


def is_control(element: Any) -> bool:
    """A "Keep Reading" / "Show less" button or link, or a run of only such."""
    raw = element.text_content() if hasattr(element, "text_content") else ""
    if len(raw) > 80:
        return False
    return bool(_CONTROL.match(re.sub(r"\s+", "", plain_text(element).casefold())))


def is_chrome(element: Any) -> bool:
    """Site chrome inside a page: navigation, forms, buttons, and elements whose class or id
    says share, newsletter, ad, related, cookie...; and "Keep Reading" controls."""
    tag = tag_of(element)
    if tag in ("nav", "form", "button", "footer", "aside"):
        return True
    return bool(words_of(element) & CHROME_WORDS) or (tag in ("a", "span", "div", "p") and is_control(element))


def text_lines(element: Any) -> list[str]:
    """The element's visible text as a saved dump shows it: one line per block."""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = squash("".join(current))
        if text:
            lines.append(text)
        current.clear()

    def walk(node: Any) -> None:
        tag = tag_of(node)
        if not tag or tag in INVISIBLE_TAGS or is_hidden(node):
            return
        if tag == "br":
            flush()
            return
        if tag == "img":
            alt = squash(node.get("alt"))
            if alt:
                flush()
                lines.append(alt)
            return
        block = tag in BLOCK_TAGS
        if block:
            flush()
        current.append(node.text or "")
        for child in node:
            walk(child)
            current.append(child.tail or "")
        if block:
            flush()

    walk(element)
    flush()
    return lines


# --- inlines ----------------------------------------------------------------------------------


def inlines(element: Any, base: str | None, *, skip: Callable[[Any], bool] = lambda e: False) -> tuple[Inline, ...]:
    """The inline content of an element (its text and its children's), white space collapsed."""

    def walk(node: Any) -> list[Inline]:
        out: list[Inline] = []
        if node.text:
            out.append(Text(node.text))
        for child in node:
            out.extend(convert_child(child))
            if child.tail:
                out.append(Text(child.tail))
        return out

    def convert_child(child: Any) -> list[Inline]:
        tag = tag_of(child)
        if not tag or tag in INVISIBLE_TAGS or is_hidden(child) or skip(child):
            return []
        if tag == "br":
            return [LineBreak()]
        if tag == "img":
            return []
        content = tuple(walk(child))
        if tag in ("em", "i", "cite", "dfn", "var"):
            return [Emphasis(content)]
        if tag in ("strong", "b"):
            return [Strong(content)]
        if tag == "a":
            url = absolute(child.get("href"), base)
            return [Link(url, content)] if url else list(content)
        return list(content)

    return normalize(walk(element))


def normalize(nodes: Iterable[Inline]) -> tuple[Inline, ...]:
    """Runs of white space as one space, none at the ends or around line breaks; adjacent
    texts merged; empty containers dropped."""
    state = {"space": True}

    def fix(sequence: Iterable[Inline]) -> list[Inline]:
        out: list[Inline] = []
        for node in sequence:
            if isinstance(node, Text):
                text = _SPACE.sub(" ", node.text)
                if state["space"]:
                    text = text.lstrip(" ")
                if text:
                    state["space"] = text.endswith(" ")
                    if out and isinstance(out[-1], Text):
                        out[-1] = Text(out[-1].text + text)
                    else:
                        out.append(Text(text))
            elif isinstance(node, LineBreak):
                out = _rstrip(out)
                out.append(node)
                state["space"] = True
            else:
                content = tuple(fix(node.content))
                if content:
                    out.append(Link(node.url, content) if isinstance(node, Link) else type(node)(content))
        return out

    result = _rstrip(fix(nodes))
    while result and isinstance(result[-1], LineBreak):
        result = _rstrip(result[:-1])
    while result and isinstance(result[0], LineBreak):
        result = result[1:]
    return tuple(result)


def _rstrip(nodes: list[Inline]) -> list[Inline]:
    """``nodes`` without trailing white space (looked for inside the last node too)."""
    nodes = list(nodes)
    while nodes:
        last = nodes[-1]
        if isinstance(last, Text):
            text = last.text.rstrip(" ")
            if text:
                nodes[-1] = Text(text)
                return nodes
            nodes.pop()
        elif isinstance(last, LineBreak):
            return nodes
        else:
            content = tuple(_rstrip(list(last.content)))
            if content:
                nodes[-1] = Link(last.url, content) if isinstance(last, Link) else type(last)(content)
                return nodes
            nodes.pop()
    return nodes


# --- figures -------------------------------------------------------------------------------------


def figure_image(element: Any, on_credit: Callable[[Any], None] = lambda e: None) -> Image | None:
    """The three texts of a figure (or a lone ``img``): the image's alt, the caption, the
    credit (an element whose class says credit, or ``small``/``cite`` in the caption, or a
    caption's trailing ``Photo: ...``). ``None`` when the figure has none of them."""
    images = [element] if tag_of(element) == "img" else element.iter("img")
    alt = next((squash(i.get("alt")) for i in images if squash(i.get("alt"))), None)
    credit_element = None
    for node in element.iter():
        if node is not element and (words_of(node) & CREDIT_WORDS or tag_of(node) in ("small", "cite")):
            credit_element = node
            break
    credit = squash(plain_text(credit_element)) or None if credit_element is not None else None
    if credit_element is not None:
        on_credit(credit_element)
    caption_element = next((n for n in element.iter("figcaption")), None)
    caption = None
    if caption_element is not None:
        caption = _text_without(caption_element, credit_element)
    if caption and not credit:
        match = _CREDIT_PREFIX.search(caption)
        if match and match.start(1) > 0:
            caption, credit = caption[: match.start(1)].strip() or None, match.group(1).strip()
        elif match:
            caption, credit = None, match.group(1).strip()
    if not (alt or caption or credit):
        return None
    return Image(alt=alt, caption=caption or None, credit=credit)


def _text_without(element: Any, left_out: Any) -> str | None:
    lines: list[str] = []
    parts: list[str] = []

    def walk(node: Any) -> None:
        if node is left_out or tag_of(node) in INVISIBLE_TAGS or not tag_of(node):
            return
        if tag_of(node) == "br":
            parts.append(" ")
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    lines.append(squash("".join(parts)))
    return lines[0] or None


# --- blocks -------------------------------------------------------------------------------------


class BlockBuilder:
    """Builds blocks from a container's children. ``on_chrome(element)`` receives the chrome
    met on the way (see :func:`is_chrome`); ``skip(element)`` leaves out elements the caller
    reads itself (a page's header, its teasers)."""

    def __init__(self, base: str | None, on_chrome: Callable[[Any], None],
                 skip: Callable[[Any], bool] = lambda e: False) -> None:
        self.base = base
        self.on_chrome = on_chrome
        self.skip = skip

    def blocks(self, container: Any) -> list[Block]:
        out: list[Block] = []
        loose: list[Any] = []  # text and inline elements between blocks: one paragraph

        def end_loose() -> None:
            if loose:
                holder = _Holder(loose)
                content = inlines(holder, self.base, skip=self._inline_skip)
                if content:
                    out.append(self._paragraph(content))
                loose.clear()

        if container.text and container.text.strip():
            loose.append(container.text)
        for child in container:
            tag = tag_of(child)
            if not tag or tag in INVISIBLE_TAGS or is_hidden(child) or self.skip(child):
                pass
            elif is_chrome(child):
                end_loose()
                self.on_chrome(child)
            elif tag in BLOCK_TAGS or tag == "img" or (tag == "br" and not loose):
                end_loose()
                out.extend(self.block(child))
            else:
                loose.append(child)
            if child.tail and child.tail.strip():
                loose.append(child.tail)
        end_loose()
        return out

    def _inline_skip(self, element: Any) -> bool:
        if self.skip(element):
            return True
        if is_chrome(element) and tag_of(element) not in ("a",):
            self.on_chrome(element)
            return True
        return False

    def _paragraph(self, content: tuple[Inline, ...]) -> Block:
        text = "".join(n.text for n in content if isinstance(n, Text))
        if re.match(r"^(?:—|–|--)\s*\S", text) and len(text.split()) <= 16:
            return Signoff(content)
        return Paragraph(content)

    def block(self, element: Any) -> list[Block]:
        tag = tag_of(element)
        if tag in HEADINGS:
            content = inlines(element, self.base, skip=self._inline_skip)
            return [Heading(HEADINGS[tag], content)] if content else []
        if tag in ("ul", "ol", "menu"):
            items = tuple(tuple(self.item(li)) for li in element if tag_of(li) == "li")
            items = tuple(item for item in items if item)
            return [ListBlock(tag == "ol", items)] if items else []
        if tag == "blockquote":
            inner = self.blocks(element)
            return [Quote(tuple(inner))] if inner else []
        if tag in ("figure", "img"):
            image = figure_image(element)
            return [Figure(image)] if image else []
        if tag == "pre":
            lines = [squash(line) for line in (element.text_content() or "").splitlines()]
            content: list[Inline] = []
            for line in (line for line in lines if line):
                if content:
                    content.append(LineBreak())
                content.append(Text(line))
            return [Paragraph(tuple(content))] if content else []
        if tag == "table":
            rows = []
            for row in element.iter("tr"):
                cells = [plain_text(cell) for cell in row if tag_of(cell) in ("td", "th")]
                text = " | ".join(c for c in cells if c)
                if text:
                    rows.append(Paragraph((Text(text),)))
            return rows
        if tag in ("hr", "br"):
            return []
        if tag == "p":
            images = [i for i in element.iter("img")]
            if images and not squash(_text_without(element, None) or ""):
                image = figure_image(element)
                return [Figure(image)] if image else []
            content = inlines(element, self.base, skip=self._inline_skip)
            return [self._paragraph(content)] if content else []
        return self.blocks(element)  # a wrapper: look through it

    def item(self, element: Any) -> list[Block]:
        """A list item: its inline text as a paragraph, then its nested lists and blocks."""
        has_blocks = any(tag_of(c) in BLOCK_TAGS for c in element)
        if not has_blocks:
            content = inlines(element, self.base, skip=self._inline_skip)
            return [Paragraph(content)] if content else []
        return self.blocks(element)


class _Holder:
    """A run of loose text and inline elements, shaped like an element for :func:`inlines`."""

    def __init__(self, parts: list[Any]) -> None:
        self.text = "".join(p for p in parts[:1] if isinstance(p, str))
        self._children = []
        self._tails: dict[int, str] = {}
        rest = parts[1:] if parts and isinstance(parts[0], str) else parts
        for part in rest:
            if isinstance(part, str):
                if self._children:
                    self._tails[len(self._children) - 1] = self._tails.get(len(self._children) - 1, "") + part
                else:
                    self.text += part
            else:
                self._children.append(part)

    def __iter__(self) -> Any:
        for index, child in enumerate(self._children):
            yield _Tailed(child, self._tails.get(index, ""))


class _Tailed:
    """An element seen with the tail text it has in a run (its own tail is read separately)."""

    def __init__(self, element: Any, tail: str) -> None:
        self._element = element
        self.tail = tail

    @property
    def element(self) -> Any:
        return self._element

    def __getattr__(self, name: str) -> Any:
        return getattr(self._element, name)

    def __iter__(self) -> Any:
        return iter(self._element)

    def get(self, key: str, default: Any = None) -> Any:
        return self._element.get(key, default)


def heading_levels(blocks: list[Block]) -> list[Block]:
    """Body headings shifted so the highest one is level 2 (the story's own title is 1)."""
    levels = [b.level for b in blocks if isinstance(b, Heading)]
    if not levels:
        return blocks
    shift = min(levels) - 2

    def fix(block: Block) -> Block:
        if isinstance(block, Heading):
            return Heading(max(2, min(6, block.level - shift)), block.content)
        if isinstance(block, Quote):
            return Quote(tuple(fix(b) for b in block.content))
        return block

    return [fix(b) for b in blocks]

