"""The EPUB exporter's implementation (imported only when a book is written).

Chapters are written as finished XHTML strings (escaped text, no HTML re-parsing), and
ebooklib packages them: it writes the OPF package, the navigation document and the NCX. Its
measured pitfalls (``/work/shared/PITFALLS.md``) are handled here:

- write errors are raised, never swallowed (the writer is driven directly, into memory);
- chapters never have empty bodies or empty titles (every chapter has a non-empty ``<h1>``);
- ``dcterms:modified`` comes from the ``date`` option (fixed unless asked), in UTC;
- zip entries have fixed times, a fixed order and fixed attributes; ``mimetype`` comes first,
  stored; no random identifiers (the book's ``dc:identifier`` is a UUID v5 of the inputs'
  sha256s, file and element ids derive from the stories' stable ids);
- control characters and lone surrogates are removed from every text before it is written;
- file names end in ``.xhtml``; the nav is out of the spine; both nav and NCX are written.
"""

from __future__ import annotations

import datetime as _dt
import re
import uuid
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from ebooklib import epub

from ..collection import build_collection
from ..errors import ConvertError, OptionError
from ..formats import resolve_date
from ..html import esc, esc_attr
from ..text import xml_text
from ..textio import read_option_file
from ..tree import (
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
    Strong,
    Text,
    block_text,
    inline_text,
)

__all__ = ["build_epub"]

#: The folder inside the zip that holds the package (ebooklib's default).
FOLDER = "EPUB"
STYLESHEET = "style.css"
MORE_TITLE = "More from Protocol"
UNSECTIONED = "Other stories"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
#: schema.org accessibility metadata (the ``schema`` prefix is reserved in EPUB 3): the book is
#: text only (image blocks are described in text), with a nav, a reading order and no hazards.
ACCESSIBILITY = (
    ("schema:accessMode", "textual"),
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityHazard", "none"),
    (
        "schema:accessibilitySummary",
        "Text only: each image of the saved page is shown as its description, caption and credit.",
    ),
)
_ID_NAMESPACE = uuid.UUID("6f0b2d1e-7c1a-5b8e-9a52-3c1f4e0d9b27")

# --- text -------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")


def one_line(text: str | None) -> str:
    """Cleaned text on one line, runs of white space collapsed."""
    return _WHITESPACE.sub(" ", xml_text(text)).strip()


# --- options ----------------------------------------------------------------------------

# language (2-3 letters, up to 3 extlangs), script, region, variants, then anything after
_LANGUAGE = re.compile(
    r"^[A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?"
    r"(-[A-Za-z0-9]{5,8}|-[0-9][A-Za-z0-9]{3})*(-[A-Za-z0-9]{1,8})*$"
)
_NOT_LANGUAGES = {"und", "mul", "zxx", "mis"}


def language_tag(value: str | None) -> str:
    """A BCP 47 language tag from the ``language`` option (``en_US`` is accepted as ``en-US``)."""
    if value is None or not value.strip():
        return "en"
    tag = value.strip().split(".", 1)[0].replace("_", "-")
    if not _LANGUAGE.match(tag) or tag.split("-", 1)[0].lower() in _NOT_LANGUAGES:
        raise OptionError(f"option epub.language expects a language tag such as en or en-GB, got {value!r}")
    return tag


def read_cover(path: Path) -> tuple[str, str, bytes]:
    """(file name, media type, bytes) of the cover image, which must be a JPEG or PNG file."""
    data = read_option_file(path, option="epub.cover")
    if data.startswith(b"\xff\xd8\xff"):
        return "images/cover.jpg", "image/jpeg", data
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "images/cover.png", "image/png", data
    raise OptionError(f"option epub.cover: {str(path)!r} is not a JPEG or PNG image")


_REMOTE_CSS = re.compile(r"@import|url\s*\(", re.IGNORECASE)


def read_css(path: Path) -> str:
    """The text of a user stylesheet: UTF-8, and referring to no other resource."""
    try:
        text = read_option_file(path, option="epub.css").decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OptionError(f"option epub.css: {str(path)!r} is not UTF-8 text") from None
    if _REMOTE_CSS.search(text):
        raise OptionError(
            f"option epub.css: {str(path)!r} uses @import or url(): a book cannot load other files or remote resources"
        )
    return xml_text(text)


def default_css() -> str:
    return resources.files(__package__).joinpath("epub.css").read_text(encoding="utf-8")


# --- dates ------------------------------------------------------------------------------

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def iso_date(value: str | None) -> _dt.date | None:
    """The article date if it is a real ISO date (``YYYY-MM-DD``), else ``None``."""
    if not value or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return None
    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def human_date(day: _dt.date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def date_range(days: Iterable[_dt.date]) -> str | None:
    """``February 2, 2022 – March 4, 2022`` (one date if all are equal); ``None`` if no date."""
    known = sorted(set(days))
    if not known:
        return None
    first, last = known[0], known[-1]
    return human_date(first) if first == last else f"{human_date(first)} – {human_date(last)}"


# --- links ------------------------------------------------------------------------------


_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def safe_url(url: str) -> str | None:
    """An absolute http(s) or mailto URL that EPUBCheck accepts, or ``None`` (link dropped)."""
    url = one_line(url)
    try:
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
    keep = "!$&'()*+,;=:@/%-._~"
    return urlunsplit(
        (
            scheme,
            host,
            _percent(quote(parts.path, safe=keep)),
            _percent(quote(parts.query, safe=keep + "?")),
            _percent(quote(parts.fragment, safe=keep + "?")),
        )
    )


def _percent(text: str) -> str:
    """A ``%`` that does not start a percent-escape becomes ``%25``."""
    return _LONE_PERCENT.sub("%25", text)


# --- stories ----------------------------------------------------------------------------

_SAFE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
# ids the package itself uses (manifest items and metadata): a story id never takes one
_RESERVED_ID = re.compile(r"^(id|style|ncx|nav|cover|cover-img|title|more|masthead|contents|(creator|section)-\d+)$")


@dataclass(frozen=True, slots=True)
class Chapter:
    """A story as the book shows it."""

    article: Article
    file: str  # file name inside the package, e.g. story-0123456789abcdef.xhtml
    label: str  # title for the nav, the NCX and the <h1>: never empty
    invented: bool  # True when ``label`` is not the story's headline (the story had none)


def first_words(article: Article, count: int = 8) -> str:
    for block in article.body:
        words = one_line(block_text(block)).split(" ")
        words = [w for w in words if w]
        if words:
            text = " ".join(words[:count])
            return text + ("…" if len(words) > count else "")
    return ""


def story_label(article: Article) -> tuple[str, bool]:
    """The chapter title of a story: its headline, else a label marked as made up."""
    title = one_line(article.title)
    if title:
        return title, False
    if article.role == "sponsored":
        sponsor = next((one_line(a.name) for a in article.authors if one_line(a.name)), "")
        return (f"Sponsored: {sponsor}" if sponsor else "Sponsored content"), True
    kind = "Untitled excerpt" if article.role == "teaser" else "Untitled story"
    words = first_words(article)
    return (f"{kind}: “{words}”" if words else kind), True


def chapter_file(article: Article, used: set[str]) -> str:
    stem = article.id if _SAFE_ID.match(article.id or "") and not _RESERVED_ID.match(article.id) else None
    if stem is None:
        stem = "story-" + uuid.uuid5(_ID_NAMESPACE, xml_text(article.id)).hex[:16]
    name, n = stem, 1
    while name in used:
        n += 1
        name = f"{stem}-{n}"
    used.add(name)
    return name + ".xhtml"


def make_chapters(articles: Iterable[Article], used: set[str]) -> list[Chapter]:
    chapters = []
    for article in articles:
        label, invented = story_label(article)
        chapters.append(Chapter(article, chapter_file(article, used), label, invented))
    return chapters


# --- XHTML ------------------------------------------------------------------------------


def xhtml_page(title: str, lang: str, body: str, body_class: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'
        f' lang="{lang}" xml:lang="{lang}">\n<head>\n<title>{esc(title)}</title>\n'
        f'<link rel="stylesheet" type="text/css" href="{STYLESHEET}"/>\n</head>\n'
        f'<body class="{body_class}">\n{body}</body>\n</html>\n'
    ).encode()


def render_inlines(inlines: Sequence[Inline], in_link: bool = False) -> str:
    out: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(esc(node.text))
        elif isinstance(node, Emphasis):
            out.append(f"<em>{render_inlines(node.content, in_link)}</em>")
        elif isinstance(node, Strong):
            out.append(f"<strong>{render_inlines(node.content, in_link)}</strong>")
        elif isinstance(node, Link):
            inner = render_inlines(node.content, True) if inline_text(node.content).strip() else esc(node.url)
            url = None if in_link else safe_url(node.url)
            out.append(f'<a href="{esc_attr(url)}">{inner}</a>' if url else f'<span class="link">{inner}</span>')
        elif isinstance(node, LineBreak):
            out.append("<br/>")
        else:
            raise TypeError(f"the EPUB exporter does not know the inline {type(node).__name__}")
    return "".join(out)


def has_text(inlines: Sequence[Inline]) -> bool:
    return bool(xml_text(inline_text(inlines)).strip())


def render_figure(image: Image | None, css_class: str) -> str:
    """The image block: a placeholder showing the alt text, then the caption and the credit,
    each in its own element with its own class. Nothing when all three are missing."""
    if image is None:
        return ""
    alt, caption, credit = one_line(image.alt), one_line(image.caption), one_line(image.credit)
    if not (alt or caption or credit):
        return ""
    if alt:
        placeholder = f'<p class="image-alt"><span class="image-label">Image: </span>{esc(alt)}</p>'
    else:
        placeholder = '<p class="image-noalt">Image (not described on the page)</p>'
    parts = "".join(
        (f'<p class="caption">{esc(caption)}</p>' if caption else "")
        + (f'<p class="credit">{esc(credit)}</p>' if credit else "")
    )
    caption_html = f"<figcaption>{parts}</figcaption>" if parts else ""
    return f'<figure class="{css_class}"><div class="image-placeholder">{placeholder}</div>{caption_html}</figure>\n'


def render_blocks(blocks: Sequence[Block]) -> str:
    return "".join(render_block(b) for b in blocks)


def render_block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{render_inlines(block.content)}</p>\n" if has_text(block.content) else ""
    if isinstance(block, Heading):
        if not has_text(block.content):
            return ""
        level = min(max(block.level, 2), 6)
        return f"<h{level}>{render_inlines(block.content)}</h{level}>\n"
    if isinstance(block, ListBlock):
        if not block.items:
            return ""
        tag = "ol" if block.ordered else "ul"
        items = []
        for item in block.items:
            if len(item) == 1 and isinstance(item[0], Paragraph):
                items.append(f"<li>{render_inlines(item[0].content)}</li>\n")
            else:
                items.append(f"<li>{render_blocks(item)}</li>\n")
        return f"<{tag}>\n{''.join(items)}</{tag}>\n"
    if isinstance(block, Quote):
        return f"<blockquote>\n{render_blocks(block.content)}</blockquote>\n"
    if isinstance(block, Figure):
        return render_figure(block.image, "figure")
    if isinstance(block, Signoff):
        return f'<p class="signoff">{render_inlines(block.content)}</p>\n' if has_text(block.content) else ""
    raise TypeError(f"the EPUB exporter does not know the block {type(block).__name__}")


def names(authors: Sequence[Author]) -> list[str]:
    return [n for n in (one_line(a.name) for a in authors) if n]


def join_names(items: Sequence[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def render_byline(article: Article) -> str:
    people = names(article.authors)
    if not people:
        return ""
    lead = "From " if article.role == "sponsored" else "By "
    spans = [f'<span class="author">{esc(n)}</span>' for n in people]
    return f'<p class="byline">{lead}{join_names(spans)}</p>\n'


def render_date(article: Article) -> str:
    day = iso_date(article.date)
    if day is not None:
        return f'<p class="dateline"><time datetime="{day.isoformat()}">{human_date(day)}</time></p>\n'
    if one_line(article.date):
        return f'<p class="dateline">{esc(one_line(article.date))}</p>\n'
    return ""


def render_bios(article: Article) -> str:
    entries = []
    for author in article.authors:
        name, handle, bio = one_line(author.name), one_line(author.handle), one_line(author.bio)
        if not (name or bio):
            continue
        head = f'<p class="author-name">{esc(name)}'
        head += f' <span class="author-handle">{esc(handle)}</span>' if handle else ""
        head += "</p>"
        entries.append(f'<div class="author-entry">{head if name else ""}'
                       + (f'<p class="author-bio">{esc(bio)}</p>' if bio else "") + "</div>\n")
    if not entries:
        return ""
    if article.role == "sponsored":
        heading = "About the sponsor"
    else:
        heading = "About the author" if len(entries) == 1 else "About the authors"
    return f'<aside class="authors">\n<h2>{heading}</h2>\n{"".join(entries)}</aside>\n'


def kind_label(article: Article) -> str:
    if article.role == "sponsored":
        return '<p class="story-kind sponsored-label">Sponsored</p>\n'
    if article.role == "teaser":
        return '<p class="story-kind excerpt-label">Excerpt</p>\n'
    return ""


def render_heading(chapter: Chapter) -> str:
    cls = "headline untitled" if chapter.invented else "headline"
    return f'<h1 class="{cls}">{esc(chapter.label)}</h1>\n'


def render_story(chapter: Chapter, *, with_lead: bool = True, related: str = "") -> str:
    """A story's chapter body. ``with_lead`` False leaves the section label, dek and lead
    image to the title page (the single page's main story)."""
    article = chapter.article
    role_class = {"main": "story-main", "teaser": "story-teaser", "sponsored": "story-sponsored"}.get(
        article.role, "story-main"
    )
    header = [kind_label(article)]
    section = one_line(article.section)
    if with_lead and section:
        header.append(f'<p class="section-label">{esc(section)}</p>\n')
    header.append(render_heading(chapter))
    dek = one_line(article.dek)
    if with_lead and dek:
        header.append(f'<p class="dek">{esc(dek)}</p>\n')
    header.append(render_byline(article))
    header.append(render_date(article))
    parts = [f'<article class="story {role_class}" epub:type="chapter">\n<header>\n', *header, "</header>\n"]
    if with_lead:
        parts.append(render_figure(article.image, "lead-image"))
    parts.append(render_blocks(article.body))
    if article.role != "sponsored" and (article.truncated or article.role == "teaser"):
        note = (
            "This is an excerpt: the page showed only the beginning of this story."
            if article.truncated
            else "This is an excerpt of a story shown on the page."
        )
        parts.append(f'<p class="excerpt-note">{note}</p>\n')
    if article.role == "sponsored":
        parts.append('<p class="sponsored-note">This is sponsored content, not Protocol journalism.</p>\n')
    parts.append(render_bios(article))
    parts.append(related)
    parts.append("</article>\n")
    return "".join(parts)


def toc_entry(chapter: Chapter) -> str:
    article = chapter.article
    kind = ""
    if article.role == "teaser":
        kind = ' <span class="toc-kind">Excerpt</span>'
    elif article.role == "sponsored":
        kind = ' <span class="toc-kind">Sponsored</span>'
    cls = "toc-title untitled" if chapter.invented else "toc-title"
    line = f'<a class="{cls}" href="{chapter.file}">{esc(chapter.label)}</a>{kind}'
    people = names(article.authors)
    if people and article.role != "sponsored":
        line += f' <span class="toc-byline">by {esc(join_names(people))}</span>'
    dek = one_line(article.dek)
    if dek:
        line += f'<p class="toc-dek">{esc(dek)}</p>'
    return f"<li>{line}</li>\n"


# --- the book ---------------------------------------------------------------------------


class _Page(epub.EpubHtml):
    """A finished XHTML document: ebooklib writes these bytes as they are (no re-parsing)."""

    def __init__(self, uid: str, file_name: str, title: str, content: bytes) -> None:
        super().__init__(uid=uid, file_name=file_name, media_type="application/xhtml+xml", title=title)
        self._xhtml = content

    def get_content(self, default: Any = None) -> bytes:
        return self._xhtml


class _Zip(zipfile.ZipFile):
    """A zip whose entries all get one fixed time and fixed attributes."""

    def __init__(self, file: Any, date_time: tuple[int, int, int, int, int, int]) -> None:
        # Deflate level 1: a 1,000-page book compresses in a third of level 6's time, for a
        # file about 10% larger; reading systems do not care.
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._date_time = date_time

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: Any = None, compresslevel: Any = None) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, self._date_time)
            info.compress_type = zipfile.ZIP_DEFLATED if compress_type is None else compress_type
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type=compress_type,
                         compresslevel=1 if compresslevel is None else compresslevel)


class _Writer(epub.EpubWriter):
    """ebooklib's writer with a reproducible zip and errors raised, not swallowed."""

    def __init__(self, out: Any, book: epub.EpubBook, options: dict[str, Any], date_time: tuple[int, ...]) -> None:
        super().__init__(out, book, options)
        self._date_time = date_time

    def _get_ncx(self) -> bytes:
        # ebooklib always writes dtb:depth 0; older readers use it to show nested entries
        depth = 2 if any(isinstance(entry, tuple) for entry in self.book.toc) else 1
        old = b'<meta content="0" name="dtb:depth"/>'
        return super()._get_ncx().replace(old, b'<meta content="%d" name="dtb:depth"/>' % depth, 1)

    def write(self) -> None:
        self.out = _Zip(self.file_name, self._date_time)
        try:
            self.out.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
            self._write_container()
            self._write_opf()
            self._write_items()
        finally:
            self.out.close()


def zip_time(moment: _dt.datetime) -> tuple[int, int, int, int, int, int]:
    utc = moment.astimezone(_dt.UTC)
    stamp = (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)
    if stamp < ZIP_EPOCH:
        return ZIP_EPOCH
    return min(stamp, (2107, 12, 31, 23, 59, 58))


@dataclass
class _Plan:
    """What goes into the book, before ebooklib packages it."""

    title: str
    creators: list[str]
    subjects: list[str]
    description: str | None
    date: str | None
    pages: list[tuple[str, str, str, bytes]]  # (id, file, title, xhtml) in spine order
    toc: list[Any]
    guide: list[dict[str, str]]


def build_epub(documents: Sequence[Document], options: Mapping[str, Any]) -> bytes:
    """The EPUB bytes for ``documents`` (one page, or a collection of several)."""
    import io

    documents = tuple(documents)
    if not documents:
        raise ConvertError("nothing to write: the EPUB exporter got no documents")
    lang = language_tag(options.get("language"))
    modified = resolve_date(options.get("date")).astimezone(_dt.UTC)
    cover = read_cover(options["cover"]) if options.get("cover") else None
    css = default_css()
    if options.get("css"):
        css += "\n/* from the css option */\n" + read_css(options["css"])
    publisher = one_line(options.get("publisher"))
    title_option = one_line(options.get("title"))

    if len(documents) == 1:
        plan = _plan_page(documents[0], lang, title_option)
    else:
        plan = _plan_collection(documents, lang, title_option)

    book = epub.EpubBook()
    basis = "\n".join(d.source.sha256 for d in documents)
    book.set_identifier("urn:uuid:" + str(uuid.uuid5(_ID_NAMESPACE, basis)))
    book.set_title(plan.title)
    book.set_language(lang)
    author_option = one_line(options.get("author"))
    creators = [author_option] if author_option else plan.creators
    for n, name in enumerate(creators, 1):
        book.add_author(name, uid=f"creator-{n}")
    if publisher:
        book.add_metadata("DC", "publisher", publisher)
    for subject in plan.subjects:
        book.add_metadata("DC", "subject", subject)
    if plan.description:
        book.add_metadata("DC", "description", plan.description)
    if plan.date:
        book.add_metadata("DC", "date", plan.date)
    for prop, value in ACCESSIBILITY:
        book.add_metadata(None, "meta", value, {"property": prop})

    book.add_item(epub.EpubItem(uid="style", file_name=STYLESHEET, media_type="text/css", content=css.encode("utf-8")))
    spine: list[Any] = []
    if cover is not None:
        image_name, media_type, data = cover
        cover_image = epub.EpubCover(uid="cover-img", file_name=image_name)
        cover_image.media_type, cover_image.content = media_type, data
        book.add_item(cover_image)
        book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-img"})
        cover_body = (
            '<section class="cover" epub:type="cover">\n'
            f'<div class="cover-image"><img src="{image_name}" alt="{esc_attr(plan.title)}"/></div>\n</section>\n'
        )
        plan.pages.insert(0, ("cover", "cover.xhtml", "Cover", xhtml_page(plan.title, lang, cover_body, "cover")))
        plan.guide.insert(0, {"type": "cover", "href": "cover.xhtml", "title": "Cover"})
        plan.toc.insert(0, epub.Link("cover.xhtml", "Cover", "nav-cover"))
    for uid, file_name, page_title, content in plan.pages:
        page = _Page(uid, file_name, page_title, content)
        book.add_item(page)
        spine.append(page)
    nav = epub.EpubNav(title="Contents")
    nav.add_link(href=STYLESHEET, rel="stylesheet", type="text/css")
    book.add_item(nav)
    book.add_item(epub.EpubNcx())
    book.toc = plan.toc
    book.spine = spine
    book.guide = plan.guide

    buffer = io.BytesIO()
    writer = _Writer(
        buffer,
        book,
        {"mtime": modified.replace(tzinfo=None), "epub3_pages": False, "raise_exceptions": True},
        zip_time(modified),
    )
    writer.process()
    writer.write()
    return buffer.getvalue()


def _dedupe(articles: Iterable[Article]) -> list[Article]:
    """Articles by id, main stories first, each id once (the full story wins over a teaser)."""
    kept: dict[str, Article] = {}
    for article in articles:
        if article.id not in kept or (article.role == "main" and kept[article.id].role != "main"):
            kept[article.id] = article
    ordered = list(kept.values())
    return [a for a in ordered if a.role == "main"] + [a for a in ordered if a.role != "main"]


def _plan_page(document: Document, lang: str, title_option: str) -> _Plan:
    articles = _dedupe(document.articles)
    used: set[str] = set()
    chapters = make_chapters(articles, used)
    mains = [c for c in chapters if c.article.role == "main"]
    others = [c for c in chapters if c.article.role != "main"]
    lead = mains[0] if mains else None
    headline = one_line(lead.article.title) if lead else ""
    title = title_option or headline or "Untitled Protocol page"

    # the title page: section label, headline, dek, lead image block
    parts = ['<section class="titlepage" epub:type="titlepage">\n']
    if lead is not None:
        article = lead.article
        if title_option and title_option != headline:
            parts.append(f'<p class="book-title">{esc(title_option)}</p>\n')
        section = one_line(article.section)
        if section:
            parts.append(f'<p class="section-label">{esc(section)}</p>\n')
        parts.append(render_heading(lead))
        dek = one_line(article.dek)
        if dek:
            parts.append(f'<p class="dek">{esc(dek)}</p>\n')
        parts.append(render_byline(article))
        parts.append(render_date(article))
        parts.append(render_figure(article.image, "lead-image"))
    else:
        parts.append(f'<h1 class="headline">{esc(title)}</h1>\n')
    parts.append("</section>\n")
    pages = [("title", "title.xhtml", "Title page", xhtml_page(title, lang, "".join(parts), "titlepage"))]
    toc: list[Any] = [epub.Link("title.xhtml", "Title page", "nav-title")]
    guide: list[dict[str, str]] = []

    for chapter in mains:
        body = render_story(chapter, with_lead=chapter is not lead)
        pages.append((chapter.file[:-6], chapter.file, chapter.label, xhtml_page(chapter.label, lang, body, "chapter")))
        toc.append(epub.Link(chapter.file, chapter.label, "nav-" + chapter.file[:-6]))
    if mains:
        guide.append({"type": "text", "href": mains[0].file, "title": mains[0].label})
    if others:
        listing = "".join(toc_entry(c) for c in others)
        part = (
            f'<section class="part" epub:type="part">\n<h1>{MORE_TITLE}</h1>\n'
            '<p class="part-note">Other stories shown on the page: excerpts, with their authors, '
            "and sponsored blurbs.</p>\n"
            f'<ol class="toc-stories">\n{listing}</ol>\n</section>\n'
        )
        pages.append(("more", "more.xhtml", MORE_TITLE, xhtml_page(MORE_TITLE, lang, part, "part")))
        links = []
        for chapter in others:
            body = render_story(chapter)
            pages.append(
                (chapter.file[:-6], chapter.file, chapter.label, xhtml_page(chapter.label, lang, body, "chapter"))
            )
            links.append(epub.Link(chapter.file, chapter.label, "nav-" + chapter.file[:-6]))
        toc.append((epub.Section(MORE_TITLE, "more.xhtml"), links))
        if not mains:
            guide.append({"type": "text", "href": "more.xhtml", "title": MORE_TITLE})

    main_article = lead.article if lead else None
    creators = names(main_article.authors) if main_article else []
    subjects = [one_line(main_article.section)] if main_article and one_line(main_article.section) else []
    description = one_line(main_article.dek) if main_article else ""
    day = iso_date(main_article.date) if main_article else None
    return _Plan(
        title=title,
        creators=creators,
        subjects=subjects,
        description=description or None,
        date=day.isoformat() if day else None,
        pages=pages,
        toc=toc,
        guide=guide,
    )


def _plan_collection(documents: Sequence[Document], lang: str, title_option: str) -> _Plan:
    collection = build_collection(documents)
    used: set[str] = set()
    sections: list[tuple[str, str, list[Chapter]]] = []  # (name, file, chapters)
    file_of: dict[str, Chapter] = {}
    for n, section in enumerate(collection.sections, 1):
        chapters = make_chapters(section.articles, used)
        for chapter in chapters:
            file_of[chapter.article.id] = chapter
        sections.append((one_line(section.name) or UNSECTIONED, f"section-{n}.xhtml", chapters))
    every = [c for _, _, chapters in sections for c in chapters]
    dates = date_range(d for d in (iso_date(c.article.date) for c in every) if d is not None)
    title = title_option or f"Protocol: {dates or 'collected stories'}"
    n_stories = len(every)
    n_pages = len(documents)

    masthead = [
        '<section class="masthead" epub:type="titlepage">\n',
        '<p class="masthead-publisher">Protocol</p>\n',
        f'<h1 class="masthead-title">{esc(title)}</h1>\n',
    ]
    if dates:
        masthead.append(f'<p class="masthead-dates">{esc(dates)}</p>\n')
    masthead.append(
        f'<p class="masthead-count">{n_stories} {"story" if n_stories == 1 else "stories"} from {n_pages} '
        f'{"page" if n_pages == 1 else "pages"}, in {len(sections)} '
        f'{"section" if len(sections) == 1 else "sections"}</p>\n'
    )
    masthead.append("</section>\n")
    pages = [("masthead", "masthead.xhtml", title, xhtml_page(title, lang, "".join(masthead), "masthead"))]

    contents = ['<section class="contents" epub:type="toc">\n<h1>Contents</h1>\n<ol class="toc-sections">\n']
    for name, section_file, chapters in sections:
        contents.append(f'<li><a class="toc-section" href="{section_file}">{esc(name)}</a>\n<ol class="toc-stories">\n')
        contents.extend(toc_entry(c) for c in chapters)
        contents.append("</ol>\n</li>\n")
    contents.append("</ol>\n</section>\n")
    pages.append(
        ("contents", "contents.xhtml", "Contents", xhtml_page("Contents", lang, "".join(contents), "contents"))
    )
    toc: list[Any] = [
        epub.Link("masthead.xhtml", "Cover", "nav-masthead"),
        epub.Link("contents.xhtml", "Contents", "nav-contents"),
    ]

    # the stories each page teased, resolved to the book's copy: linked from the page's main story
    # (a page saved twice contributes its teasers once)
    related_of: dict[str, dict[str, Chapter]] = {}
    for document in documents:
        main = document.main
        if main is None or main.id not in file_of:
            continue
        teased = related_of.setdefault(main.id, {})
        for article in collection.related(document):
            if article.id in file_of and article.id != main.id:
                teased.setdefault(article.id, file_of[article.id])

    for name, section_file, chapters in sections:
        listing = "".join(toc_entry(c) for c in chapters)
        body = (
            f'<section class="section-page" epub:type="part">\n<h1>{esc(name)}</h1>\n'
            f'<ol class="toc-stories">\n{listing}</ol>\n</section>\n'
        )
        pages.append((section_file[:-6], section_file, name, xhtml_page(name, lang, body, "section-page")))
        links = []
        for chapter in chapters:
            related = ""
            teased = related_of.get(chapter.article.id)
            if teased:
                items = []
                for other in teased.values():
                    kind = " (excerpt)" if other.article.role == "teaser" else (
                        " (sponsored)" if other.article.role == "sponsored" else "")
                    items.append(f'<li><a href="{other.file}">{esc(other.label)}</a>{kind}</li>\n')
                related = (
                    '<aside class="related">\n<h2>More from Protocol on this page</h2>\n'
                    f'<ul>\n{"".join(items)}</ul>\n</aside>\n'
                )
            body = render_story(chapter, related=related)
            pages.append(
                (chapter.file[:-6], chapter.file, chapter.label, xhtml_page(chapter.label, lang, body, "chapter"))
            )
            links.append(epub.Link(chapter.file, chapter.label, "nav-" + chapter.file[:-6]))
        toc.append((epub.Section(name, section_file), links))

    creators: list[str] = []
    seen: set[str] = set()
    for chapter in every:
        if chapter.article.role == "main":
            for person in names(chapter.article.authors):
                if person not in seen:
                    seen.add(person)
                    creators.append(person)
    subjects = list(dict.fromkeys(name for name, _, _ in sections if name != UNSECTIONED))
    description = (
        f"{n_stories} {'story' if n_stories == 1 else 'stories'} from {n_pages} saved Protocol pages"
        + (f", {dates}" if dates else "")
        + "."
    )
    guide = [{"type": "toc", "href": "contents.xhtml", "title": "Contents"}]
    if every:
        guide.append({"type": "text", "href": sections[0][1], "title": sections[0][0]})
    return _Plan(
        title=title,
        creators=creators,
        subjects=subjects,
        description=description,
        date=None,
        pages=pages,
        toc=toc,
        guide=guide,
    )
