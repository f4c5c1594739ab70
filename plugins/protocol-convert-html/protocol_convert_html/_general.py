"""Any other page → one story, through trafilatura's article extraction.

trafilatura finds the main text of a page it knows nothing about; its XML (``p``, ``head``,
``list``/``item``, ``quote``, ``hi``, ``ref``, ``lb``, ``graphic``, ``table``) is turned into
the tree's blocks. Its metadata is used only where the page's own (JSON-LD, meta tags) is
silent, and its *date* never: it guesses one from any year on the page (a footer's ``©
2021``), and a reader never invents a date. When trafilatura finds nothing (a page with
little text), the page's ``main`` (or ``article``, or ``body``) is read as it is. Every line
of the page that the story does not hold is recorded as chrome.
"""

from __future__ import annotations

from typing import Any

from convert.tree import (
    Article,
    Author,
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
    Strong,
    Text,
    block_text,
    inline_text,
    story_id,
)

from ._blocks import BlockBuilder, heading_levels, normalize, plain_text, squash, tag_of, text_lines
from ._meta import PageMeta, absolute, canonical_url, iso_day

__all__ = ["general_story"]


def general_story(html_text: str, body: Any, meta: PageMeta, base: str | None,
                  page_url: str | None) -> tuple[Article, list[str]]:
    """The page's one story and the lines it left out (chrome)."""
    import trafilatura
    from lxml import etree

    extracted = trafilatura.extract(
        html_text, output_format="xml", include_links=True, include_images=True, include_formatting=True,
        include_tables=True, include_comments=False, with_metadata=True, deduplicate=False, url=base,
    )
    doc = etree.fromstring(extracted.encode("utf-8")) if extracted else None
    main = doc.find("main") if doc is not None else None
    found_title = squash(doc.get("title")) if doc is not None else ""
    title = meta.title or found_title or _page_title(body) or None
    blocks: list[Block] = []
    if main is not None:
        blocks = _xml_blocks(main, base)
    if not blocks:
        container = _first(body, "main", "article")
        builder = BlockBuilder(base, lambda element: None,
                               skip=lambda e: tag_of(e) in ("header", "nav", "footer", "aside", "form"))
        blocks = builder.blocks(container)
    if blocks and isinstance(blocks[0], Heading) and title and squash(inline_text(blocks[0].content)) == title:
        blocks = blocks[1:]  # the headline, which is the story's title
    blocks = heading_levels(blocks)
    authors = list(meta.authors)
    if not authors and doc is not None and doc.get("author"):
        authors = [Author(squash(n)) for n in doc.get("author").split(";") if squash(n)]
    date = meta.date
    if date is None:
        time = next(_first(body, "article").iter("time"), None)
        date = iso_day(time.get("datetime")) if time is not None else None
    image = None
    if meta.image_alt or meta.image_caption or meta.image_credit:
        image = Image(meta.image_alt, meta.image_caption, meta.image_credit)
    fallback = block_text(blocks[0]) if blocks else (meta.dek or "")
    article = Article(
        id=story_id(title, fallback), role="main", title=title, section=meta.section,
        dek=meta.dek if meta.is_article else None, date=date,
        url=canonical_url(meta.url, base) or canonical_url(page_url, None),
        authors=tuple(authors), image=image, body=tuple(blocks),
    )
    return article, _left_out(body, article)


def _page_title(body: Any) -> str | None:
    root = body.getroottree().getroot()
    title = root.find(".//title")
    text = squash(title.text_content()) if title is not None else ""
    if text:
        return text
    heading = next(body.iter("h1"), None)
    return squash(plain_text(heading)) or None if heading is not None else None


def _left_out(body: Any, article: Article) -> list[str]:
    """The page's text lines that the story does not hold, in page order."""
    held = " ".join(
        part for part in (article.title, article.dek, *(block_text(b) for b in article.body),
                          *((article.image.alt, article.image.caption, article.image.credit) if article.image else ()))
        if part
    )
    blocks = {squash(block_text(b)) for b in article.body}
    held = squash(held)
    return [line for line in text_lines(body) if line not in blocks and line not in held]


# --- trafilatura's XML -> blocks -----------------------------------------------------------------


def _xml_inlines(element: Any, base: str | None) -> tuple[Inline, ...]:
    def walk(node: Any) -> list[Inline]:
        out: list[Inline] = []
        if node.text:
            out.append(Text(node.text))
        for child in node:
            out.extend(convert(child))
            if child.tail:
                out.append(Text(child.tail))
        return out

    def convert(child: Any) -> list[Inline]:
        tag = child.tag
        if tag == "lb":
            return [LineBreak()]
        if tag in ("graphic", "list", "table", "quote", "head", "p"):
            return []
        content = tuple(walk(child))
        if tag == "hi":
            rend = child.get("rend") or ""
            if "#b" in rend:
                return [Strong(content)]
            if "#i" in rend:
                return [Emphasis(content)]
            return list(content)
        if tag == "ref":
            url = absolute(child.get("target"), base)
            return [Link(url, content)] if url else list(content)
        return list(content)

    return normalize(walk(element))


def _xml_blocks(container: Any, base: str | None) -> list[Block]:
    blocks: list[Block] = []
    for child in container:
        tag = child.tag
        if tag == "head":
            content = _xml_inlines(child, base)
            rend = child.get("rend") or "h2"
            level = int(rend[1:]) if rend[1:].isdigit() else 2
            if content:
                blocks.append(Heading(max(1, min(6, level)), content))
        elif tag in ("p", "code"):
            content = _xml_inlines(child, base)
            if content:
                blocks.append(Paragraph(content))
            blocks.extend(_xml_blocks(child, base) if any(c.tag in ("graphic", "list") for c in child) else [])
        elif tag == "list":
            items = []
            for item in child.iter("item"):
                if item.getparent() is not child:
                    continue
                parts: list[Block] = []
                content = _xml_inlines(item, base)
                if content:
                    parts.append(Paragraph(content))
                parts.extend(b for b in _xml_blocks(item, base) if isinstance(b, ListBlock))
                if parts:
                    items.append(tuple(parts))
            if items:
                blocks.append(ListBlock((child.get("rend") or "") == "ol", tuple(items)))
        elif tag == "quote":
            inner = _xml_blocks(child, base) or ([Paragraph(c)] if (c := _xml_inlines(child, base)) else [])
            if inner:
                blocks.append(Quote(tuple(inner)))
        elif tag == "graphic":
            alt = squash(child.get("alt")) or None
            caption = squash(child.get("title")) or None
            if alt or caption:
                blocks.append(Figure(Image(alt, caption, None)))
        elif tag == "table":
            for row in child.iter("row"):
                text = " | ".join(squash("".join(cell.itertext())) for cell in row.iter("cell"))
                if text.strip(" |"):
                    blocks.append(Paragraph((Text(text),)))
        else:
            blocks.extend(_xml_blocks(child, base))
    return blocks


def _first(body: Any, *tags: str) -> Any:
    """The first element of the first of ``tags`` that ``body`` holds, else ``body`` (an
    element's truth is whether it has children, never whether it was found: compare with None)."""
    for tag in tags:
        found = next(body.iter(tag), None)
        if found is not None:
            return found
    return body
