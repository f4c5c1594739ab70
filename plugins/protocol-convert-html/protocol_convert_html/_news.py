"""A news page's HTML (Protocol's article template, and templates like it) → its stories.

The page's own story is the ``<article>`` holding the ``<h1>`` (else the one holding the
``articleBody``, else the first, else ``<main>``); every other ``<article>``, and every
element whose class is a teaser card's, is a teaser (a sponsor's card, by its class or its
"Sponsored" / "Presented by" label, is ``sponsored``). In each story, elements are known by
their tag and the words of their class:

- the headline: the ``h1`` (a teaser's first ``h1``–``h4``; a teaser's URL is its link);
- the section label (``section``, ``category``, ``kicker``, ``eyebrow``...), the dek (``dek``,
  ``subheadline``, ``standfirst``...; or the ``h2`` right after the headline in its header),
  the byline (``byline``, ``author``), a ``time``, author bios (``bio``);
- the lead ``figure`` (alt, caption and credit kept as three texts);
- the body (``itemprop=articleBody`` or a class such as ``post-body``, ``article-body``,
  ``entry-content``; else what is left of the story);
- a "Keep Reading" / "Show less" control: the story was cut short (``truncated``), and the
  control's text is chrome.

The page's metadata (JSON-LD, then meta tags) is trusted before the visible markup for the
main story's headline, dek, section, date, authors, URL and image caption and credit.
Everything else that shows on the page (navigation, header and footer, share bars,
newsletter boxes, cookie banners...) is chrome: its text lines are recorded, in page order.
"""

from __future__ import annotations

import re
from typing import Any

from convert.tree import Article, Author, Image, block_text, story_id

from ._blocks import (
    BlockBuilder,
    figure_image,
    heading_levels,
    is_control,
    plain_text,
    squash,
    tag_of,
    text_lines,
    unwrap,
    words_of,
)
from ._meta import PageMeta, canonical_url, handle_from_url, iso_day

__all__ = ["NewsExtractor"]

SECTION_WORDS = frozenset("section category kicker eyebrow rubric topic label channel vertical".split())
DEK_WORDS = frozenset("dek deck subheadline subhead standfirst subtitle summary excerpt strapline sub-headline".split())
BYLINE_WORDS = frozenset("byline author authors contributor contributors".split())
BIO_WORDS = frozenset("bio biography author-bio".split())
BODY_WORDS = frozenset("body article-body post-body entry-content story-body articlebody content-body".split())
NAME_WORDS = frozenset("name author-name".split())
TEASER_CLASSES = frozenset("teaser card story-card post-card post-teaser story-teaser".split())
SPONSOR_WORDS = frozenset("sponsored sponsor promoted partner paid advertorial".split())
SPONSOR_LABELS = ("sponsored", "presented by", "a message from", "partner content", "paid content")
_HANDLE = re.compile(r"\(\s*(@[A-Za-z0-9_]{1,15})")


def _classes(element: Any) -> set[str]:
    return set((element.get("class") or "").lower().split())


class NewsExtractor:
    """Reads a news page's stories and chrome (see the module's rules)."""

    def __init__(self, body: Any, meta: PageMeta, base: str | None, page_url: str | None) -> None:
        self.body = body
        self.meta = meta
        self.base = base
        self.page_url = page_url
        self.order = {element: index for index, element in enumerate(body.iter())}
        self.chrome: list[tuple[int, list[str]]] = []

    # --- chrome ---------------------------------------------------------------------------

    def record(self, element: Any) -> None:
        element = unwrap(element)
        lines = text_lines(element)
        if lines:
            self.chrome.append((self.order.get(element, -1), lines))

    def record_text(self, element: Any, text: str | None) -> None:
        line = squash(text)
        if line:
            self.chrome.append((self.order.get(element, -1), [line]))

    def leftovers(self, element: Any, handled: set[Any]) -> None:
        """Record as chrome whatever shows in ``element`` outside the ``handled`` elements."""
        inside = {a for h in handled for a in h.iterancestors()} | {element}

        def visit(node: Any) -> None:
            if node in handled or not tag_of(node):
                return
            if node not in inside:
                self.record(node)
                return
            self.record_text(node, node.text)
            for child in node:
                visit(child)
                self.record_text(node, child.tail)

        visit(element)

    def page_chrome(self) -> list[str]:
        return [line for _, lines in sorted(self.chrome, key=lambda item: item[0]) for line in lines]

    # --- stories --------------------------------------------------------------------------

    def run(self) -> tuple[list[Article], list[str]]:
        candidates = [e for e in self.body.iter() if tag_of(e) == "article" or _classes(e) & TEASER_CLASSES]
        main = next((e for e in candidates if any(True for _ in e.iter("h1"))), None)
        if main is None:
            main = next((e for e in candidates if e.xpath(".//*[@itemprop='articleBody']")), None)
        if main is None:
            main = next(iter(candidates), None) or next(self.body.iter("main"), None) or self.body
        teasers = []
        for element in candidates:
            if element is main or element in set(main.iterancestors()):
                continue
            if any(a in teasers for a in element.iterancestors()):
                continue
            teasers.append(element)
        stories = [self.story(main, "main", [t for t in teasers if main in t.iterancestors()])]
        for element in teasers:
            stories.append(self.story(element, "teaser", [t for t in teasers if element in t.iterancestors()]))
        self.leftovers(self.body, {main, *teasers})
        return [s for s in stories if s is not None], self.page_chrome()

    def story(self, element: Any, role: str, nested: list[Any]) -> Article:
        inside = set(nested)
        within = [e for e in element.iter() if not inside & {e, *e.iterancestors()}]

        def first(test: Any, after: Any = None, before: Any = None) -> Any:
            for node in within:
                if node is element or not tag_of(node):
                    continue
                position = self.order.get(node, 0)
                if after is not None and position <= self.order.get(after, 0):
                    continue
                if before is not None and position >= self.order.get(before, 0):
                    continue
                if test(node):
                    return node
            return None

        body = first(lambda n: bool(words_of(n) & BODY_WORDS and not words_of(n) & BYLINE_WORDS)
                     or n.get("itemprop") == "articleBody")
        in_body = set(body.iter()) if body is not None else set()
        headings = ("h1",) if role == "main" else ("h1", "h2", "h3", "h4")
        headline = first(lambda n: tag_of(n) in headings and n not in in_body)
        def is_label(node: Any) -> bool:
            marked = bool(words_of(node) & SECTION_WORDS) or "category" in (node.get("rel") or "").split()
            return marked and node not in in_body and len(plain_text(node).split()) <= 6

        section = first(is_label, before=headline) if headline is not None else None
        dek = first(lambda n: n not in in_body and bool(_classes(n) & DEK_WORDS or words_of(n) & DEK_WORDS),
                    after=headline)
        if dek is None and headline is not None:
            following = headline.getnext()
            if following is not None and tag_of(following) == "h2" and tag_of(headline.getparent()) == "header":
                dek = following
        bios = [n for n in within if n not in in_body and words_of(n) & BIO_WORDS and n is not element]
        bios = [n for n in bios if not any(a in bios for a in n.iterancestors())]
        bylines = [n for n in within if n not in in_body and n is not element and words_of(n) & BYLINE_WORDS
                   and not words_of(n) & BIO_WORDS]
        bylines = [n for n in bylines if not any(a in bylines for a in n.iterancestors())]
        time = first(lambda n: tag_of(n) == "time" and n not in in_body)
        figure = first(lambda n: tag_of(n) == "figure" and n not in in_body)
        controls = [n for n in within if tag_of(n) in ("a", "button", "span", "div", "p") and n is not element
                    and is_control(n)]
        controls = [n for n in controls if not any(a in controls for a in n.iterancestors())]
        parts = {p for p in (headline, section, dek, time, figure, *bios, *bylines, *controls) if p is not None}
        parts.discard(body)

        for control in controls:
            self.record(control)
        handled = parts | inside
        headers = [n for n in within if tag_of(n) == "header" and n is not element] if body is None else []
        builder = BlockBuilder(self.base, self.record,
                               skip=lambda e: unwrap(e) in handled or unwrap(e) in headers or unwrap(e) in controls)
        blocks = builder.blocks(body if body is not None else element)
        if body is not None:
            self.leftovers(element, handled | {body})
        else:
            for header in headers:
                self.leftovers(header, handled)
        blocks = heading_levels(blocks)

        title = squash(plain_text(headline)) if headline is not None else None
        url = None
        if role != "main":  # a teaser's address: its headline's link, else its "Keep Reading" link
            links = [a for a in (headline.iter("a") if headline is not None else ()) if a.get("href")]
            links += [a for c in controls for a in c.iter("a") if a.get("href")]
            url = canonical_url(links[0].get("href"), self.base) if links else None
        names = self._names(bylines)
        authors = [self._author(name, bios, bylines, alone=len(names) == 1) for name in names]
        if not authors:  # a teaser's bio with no name line: the name it starts with
            authors = [a for a in (self._author_from_bio(b) for b in bios) if a is not None]
        section_text = squash(plain_text(section)) if section is not None else None
        dek_text = squash(plain_text(dek)) if dek is not None else None
        image = figure_image(figure) if figure is not None else None
        date = iso_day(time.get("datetime")) or iso_day(plain_text(time)) if time is not None else None
        sponsored = bool(words_of(element) & SPONSOR_WORDS) or (
            section_text is not None and section_text.casefold().startswith(SPONSOR_LABELS))
        if role == "main":
            meta = self.meta
            title = meta.title or title
            section_text = meta.section or section_text
            dek_text = meta.dek or dek_text
            date = meta.date or date
            url = canonical_url(meta.url, self.base) or canonical_url(self.page_url, None)
            if meta.authors:
                authors = [self._with_bio(a, bios, alone=len(meta.authors) == 1) for a in meta.authors]
            image = _merge_image(image, meta)
        elif sponsored:
            role = "sponsored"
            if section_text is not None and section_text.casefold().startswith(SPONSOR_LABELS):
                section_text = None
        fallback = block_text(blocks[0]) if blocks else (dek_text or "")
        return Article(
            id=story_id(title, fallback), role=role, title=title or None, section=section_text or None,  # type: ignore[arg-type]
            dek=dek_text or None, date=date, url=url, authors=tuple(authors), image=image, body=tuple(blocks),
            truncated=bool(controls) and role != "main",
        )

    # --- authors ------------------------------------------------------------------------------

    def _names(self, bylines: list[Any]) -> list[str]:
        names: list[str] = []
        for byline in bylines:
            found = [n for n in byline.iter() if n is not byline and (
                "author" in (n.get("rel") or "").split() or n.get("itemprop") in ("author", "name")
                or words_of(n) & NAME_WORDS)]
            found = [n for n in found if not any(a in found for a in n.iterancestors())]
            if not found:
                text = re.sub(r"^\s*by\s+", "", plain_text(byline), flags=re.IGNORECASE)
                found_names = [p.strip() for p in re.split(r",\s*|\s+and\s+", text) if p.strip()]
            else:
                found_names = [squash(plain_text(n)) for n in found]
            for name in found_names:
                if name and name not in names and len(name.split()) <= 6 and not iso_day(name):
                    names.append(name)
        return names

    def _author(self, name: str, bios: list[Any], bylines: list[Any], *, alone: bool) -> Author:
        author = self._with_bio(Author(name), bios, alone=alone)
        if author.handle is None:
            for byline in bylines:
                for link in byline.iter("a"):
                    handle = handle_from_url(link.get("href") or "")
                    if handle:
                        return Author(author.name, handle, author.bio)
        return author

    def _with_bio(self, author: Author, bios: list[Any], *, alone: bool) -> Author:
        """The author with the bio that starts with their name (the only bio, for the only
        author: a sponsor's description starts with its full name)."""
        for bio in bios:
            text = squash(plain_text(bio))
            if text.startswith(author.name) or (alone and len(bios) == 1):
                match = _HANDLE.search(text)
                handle = author.handle or (match.group(1) if match else None)
                return Author(author.name, handle, text or None)
        return author

    def _author_from_bio(self, bio: Any) -> Author | None:
        text = squash(plain_text(bio))
        match = re.match(r"^(.+?)\s*\(\s*(@[A-Za-z0-9_]{1,15})\s*\)", text)
        if match:
            return Author(match.group(1), match.group(2), text)
        return None


def _merge_image(image: Image | None, meta: PageMeta) -> Image | None:
    """The lead image's three texts: the page's metadata first (caption, credit; the alt from
    ``og:image:alt`` when the markup has none), then the figure."""
    alt = (image.alt if image else None) or meta.image_alt
    caption = meta.image_caption or (image.caption if image else None)
    credit = meta.image_credit or (image.credit if image else None)
    if not (alt or caption or credit):
        return None
    return Image(alt, caption, credit)
