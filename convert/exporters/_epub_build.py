"""The EPUB exporter's implementation (imported only when a book is written).

The book renders the :mod:`convert.present` view: what each story shows (kicker, headline,
dek, byline, image, body, notes, bios, related stories) is decided there, and its XHTML is
written by :mod:`convert.html`, the renderer the feeds share. This module lays the view out
as a book: cover, masthead and contents, one chapter per story, the navigation and the
package metadata. ebooklib packages it (OPF, navigation document, NCX). Its measured pitfalls
(``/work/shared/PITFALLS.md``) are handled here:

- write errors are raised, never swallowed (the writer is driven directly, into memory);
- chapters never have empty bodies or empty titles (every chapter has a non-empty heading);
- ``dcterms:modified`` is :func:`convert.present.required_date`, in UTC;
- zip entries have fixed times, a fixed order and fixed attributes; ``mimetype`` comes first,
  stored; no random identifiers (the book's ``dc:identifier`` is a UUID v5 of the inputs'
  sha256s, file and element ids derive from the stories' stable ids);
- control characters and lone surrogates are removed from every text before it is written;
- file names end in ``.xhtml``; the nav is out of the spine; both nav and NCX are written.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ebooklib import epub

from ..errors import ConvertError, OptionError
from ..html import esc, esc_attr, header_html, story_html
from ..present import MORE_FROM_PROTOCOL, PUBLICATION, Item, View, one_line, present, required_date
from ..text import xml_text
from ..textio import read_option_file
from ..tree import Document
from ._cover import CoverText, cover_alt, cover_jpeg

__all__ = ["build_epub"]

STYLESHEET = "style.css"
UNSECTIONED = "Other stories"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
#: EPUB Accessibility 1.1 conformance the books meet (WCAG 2.1 AA: text with a language, a
#: heading per chapter, alternative text for the one image, no colour-only meaning).
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
_ID_NAMESPACE = uuid.UUID("6f0b2d1e-7c1a-5b8e-9a52-3c1f4e0d9b27")


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


# --- the book ---------------------------------------------------------------------------


class _Page(epub.EpubHtml):
    """A finished XHTML document: ebooklib writes these bytes as they are (no re-parsing)."""

    def __init__(self, uid: str, file_name: str, title: str, content: bytes) -> None:
        super().__init__(uid=uid, file_name=file_name, media_type="application/xhtml+xml", title=title)
        self._xhtml = content

    def get_content(self, default: Any = None) -> bytes:
        return self._xhtml


_IMAGES = (".jpg", ".jpeg", ".png")


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
            if compress_type is None:  # an image is compressed already: deflating it again saves nothing
                compress_type = zipfile.ZIP_STORED if info.filename.endswith(_IMAGES) else zipfile.ZIP_DEFLATED
            info.compress_type = compress_type
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
        """ebooklib's NCX, built the same way, but with the true ``dtb:depth`` (ebooklib
        always writes 0; older readers use it to show nested entries) and without the lxml
        ``find("content")`` ebooklib runs for every entry, which scans all the entries of
        its section: quadratic, 15 s for one section of 40,000 stories. Each entry is
        given its section's ``content`` element instead."""
        from ebooklib.utils import parse_string
        from lxml import etree

        root = parse_string(self.book.get_template("ncx")).getroot()
        head = etree.SubElement(root, "head")
        depth = 2 if any(isinstance(entry, tuple) for entry in self.book.toc) else 1
        for content, name in ((self.book.uid, "dtb:uid"), (str(depth), "dtb:depth"), ("0", "dtb:totalPageCount"),
                              ("0", "dtb:maxPageNumber")):
            etree.SubElement(head, "meta", {"content": content, "name": name})
        etree.SubElement(etree.SubElement(root, "docTitle"), "text").text = self.book.title
        self._nav_points(etree, etree.SubElement(root, "navMap"), None, self.book.toc, 0)
        return etree.tostring(root, pretty_print=True, encoding="utf-8", xml_declaration=True)

    def _nav_points(self, etree: Any, parent: Any, parent_content: Any, items: Sequence[Any], uid: int) -> int:
        for item in items:
            if isinstance(item, (tuple, list)):
                section, entries = item[0], item[1]
                point = self._nav_point(etree, parent, section.get_id() if isinstance(section, epub.EpubHtml)
                                        else f"sep_{uid}", section.title)
                href = ""
                if isinstance(section, epub.EpubHtml):
                    href = section.file_name
                elif isinstance(section, (epub.Section, epub.Link)) and section.href != "":
                    href = section.href
                content = etree.SubElement(point, "content", {"src": href})
                uid = self._nav_points(etree, point, content, entries, uid + 1)
            elif isinstance(item, (epub.Link, epub.EpubHtml)):
                uid_of, href = (item.uid, item.href) if isinstance(item, epub.Link) else (item.get_id(), item.file_name)
                if parent_content is not None and parent_content.get("src") == "":
                    parent_content.set("src", href)
                point = self._nav_point(etree, parent, uid_of, item.title)
                etree.SubElement(point, "content", {"src": href})
        return uid

    def _nav_point(self, etree: Any, parent: Any, uid: str, title: str) -> Any:
        point = etree.SubElement(parent, "navPoint", {"id": uid})
        if self._play_order["enabled"]:
            point.set("playOrder", str(self._play_order["start_from"]))
            self._play_order["start_from"] += 1
        etree.SubElement(etree.SubElement(point, "navLabel"), "text").text = title
        return point

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




# --- files ------------------------------------------------------------------------------

_SAFE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
# ids the package itself uses (manifest items and metadata): a story id never takes one
_RESERVED_ID = re.compile(
    r"^(id|style|ncx|nav|cover|cover-img|title|more|masthead|contents|(creator|contributor|section)-\d+)$"
)


def chapter_files(items: Sequence[Item]) -> dict[str, str]:
    """Each story's file name (``story-0123456789abcdef.xhtml``), from its stable id."""
    used: set[str] = set()
    files = {}
    for item in items:
        stem = item.id if _SAFE_ID.match(item.id or "") and not _RESERVED_ID.match(item.id) else None
        if stem is None:
            stem = "story-" + uuid.uuid5(_ID_NAMESPACE, xml_text(item.id)).hex[:16]
        name, n = stem, 1
        while name in used:
            n += 1
            name = f"{stem}-{n}"
        used.add(name)
        files[item.id] = name + ".xhtml"
    return files


def xhtml_page(title: str, lang: str, body: str, body_class: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'
        f' lang="{lang}" xml:lang="{lang}">\n<head>\n<title>{esc(title)}</title>\n'
        f'<link rel="stylesheet" type="text/css" href="{STYLESHEET}"/>\n</head>\n'
        f'<body class="{body_class}">\n{body}</body>\n</html>\n'
    ).encode()


# --- pages ------------------------------------------------------------------------------


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def toc_entry(item: Item, file: str) -> str:
    """A story in a list of contents: its label, kind, byline and dek."""
    cls = "toc-title untitled" if item.untitled else "toc-title"
    line = f'<a class="{cls}" href="{file}">{esc(item.list_label)}</a>'
    if item.kind and not item.untitled:
        line += f' <span class="toc-kind">{esc(item.kind)}</span>'
    if item.byline and not item.untitled:
        line += f' <span class="toc-byline">{esc(item.byline)}</span>'
    if item.dek:
        line += f'<p class="toc-dek">{esc(item.dek)}</p>'
    return f"<li>{line}</li>\n"


def related_html(item: Item, view: View, files: Mapping[str, str]) -> str:
    """The stories this story's page showed besides it, linked to their chapters."""
    entries = []
    for other_id in item.related:
        other = view.get(other_id)
        kind = f' <span class="toc-kind">{esc(other.kind)}</span>' if other.kind and not other.untitled else ""
        entries.append(f'<li><a href="{files[other_id]}">{esc(other.list_label)}</a>{kind}</li>\n')
    if not entries:
        return ""
    return (
        f'<aside class="related">\n<h2>{MORE_FROM_PROTOCOL} on this page</h2>\n'
        f'<ul>\n{"".join(entries)}</ul>\n</aside>\n'
    )


def chapter_body(item: Item, related: str = "", base_url: str | None = None) -> str:
    role = {"main": "story-main", "teaser": "story-teaser", "sponsored": "story-sponsored"}[item.role]
    return (
        f'<article class="story {role}" epub:type="chapter">\n<header>\n{header_html(item)}</header>\n'
        f"{story_html(item, base_url=base_url)}{related}</article>\n"
    )


@dataclass
class _Layout:
    """The book's pages in spine order, its table of contents and its landmarks."""

    pages: list[tuple[str, str, str, bytes]] = field(default_factory=list)  # (id, file, title, xhtml)
    toc: list[Any] = field(default_factory=list)
    guide: list[dict[str, str]] = field(default_factory=list)

    def page(self, file: str, title: str, content: bytes) -> None:
        self.pages.append((file[: -len(".xhtml")], file, title, content))


def _lay_out_page(view: View, lang: str, base_url: str | None) -> _Layout:
    layout = _Layout()
    files = chapter_files(view.items)
    for item in view.mains:
        file = files[item.id]
        body = chapter_body(item, "", base_url)
        layout.page(file, item.list_label, xhtml_page(item.list_label, lang, body, "chapter"))
        layout.toc.append(epub.Link(file, item.list_label, "nav-" + file[:-6]))
    if view.more:
        listing = "".join(toc_entry(i, files[i.id]) for i in view.more)
        part = (
            f'<section class="part" epub:type="part">\n<h1>{MORE_FROM_PROTOCOL}</h1>\n'
            f'<p class="part-note">What the page showed besides its own story: excerpts of other stories '
            f"and sponsors’ messages.</p>\n<ol class=\"toc-stories\">\n{listing}</ol>\n</section>\n"
        )
        layout.page("more.xhtml", MORE_FROM_PROTOCOL, xhtml_page(MORE_FROM_PROTOCOL, lang, part, "part"))
        links = []
        for item in view.more:
            file = files[item.id]
            layout.page(file, item.list_label,
                        xhtml_page(item.list_label, lang, chapter_body(item, "", base_url), "chapter"))
            links.append(epub.Link(file, item.list_label, "nav-" + file[:-6]))
        layout.toc.append((epub.Section(MORE_FROM_PROTOCOL, "more.xhtml"), links))
    if not view.items:
        body = (
            f'<section class="empty" epub:type="chapter">\n<h1>{esc(view.title)}</h1>\n'
            '<p class="no-text">The saved page shows no stories.</p>\n</section>\n'
        )
        layout.page("contents.xhtml", view.title, xhtml_page(view.title, lang, body, "chapter"))
        layout.toc.append(epub.Link("contents.xhtml", view.title, "nav-contents"))
    first = layout.pages[0]
    layout.guide.append({"type": "toc", "href": "nav.xhtml", "title": "Contents"})
    layout.guide.append({"type": "text", "href": first[1], "title": first[2]})
    return layout


def section_label(name: str | None) -> str:
    return name or UNSECTIONED


def _masthead(view: View, files: Mapping[str, str]) -> str:
    pages = len(view.documents)
    parts = [
        '<section class="masthead" epub:type="titlepage">\n',
        f'<p class="masthead-publisher">{PUBLICATION}</p>\n',
        f'<h1 class="masthead-title">{esc(view.heading)}</h1>\n',
    ]
    if view.date_range and view.date_range not in view.heading:
        parts.append(f'<p class="masthead-dates">{esc(view.date_range)}</p>\n')
    parts.append(
        f'<p class="masthead-count">{_count(len(view.items), "story", "stories")} from '
        f'{_count(pages, "saved page", "saved pages")}</p>\n'
    )
    parts.append('<h2 class="masthead-inside">Inside</h2>\n<ul class="masthead-sections">\n')
    for section in view.sections:
        first = files[section.items[0].id]
        parts.append(
            f'<li><a href="{first}">{esc(section_label(section.name))}</a> '
            f'<span class="masthead-section-count">{_count(len(section.items), "story", "stories")}</span></li>\n'
        )
    parts.append("</ul>\n</section>\n")
    return "".join(parts)


def _lay_out_collection(view: View, lang: str, base_url: str | None) -> _Layout:
    layout = _Layout()
    files = chapter_files(view.items)
    layout.page("masthead.xhtml", view.title, xhtml_page(view.title, lang, _masthead(view, files), "masthead"))
    contents = ['<nav class="contents" epub:type="toc">\n<h1>Contents</h1>\n<ol class="toc-sections">\n']
    for section in view.sections:
        name = section_label(section.name)
        contents.append(f'<li><a class="toc-section" href="{files[section.items[0].id]}">{esc(name)}</a>\n'
                        '<ol class="toc-stories">\n')
        contents.extend(toc_entry(i, files[i.id]) for i in section.items)
        contents.append("</ol>\n</li>\n")
    contents.append("</ol>\n</nav>\n")
    layout.page("contents.xhtml", "Contents", xhtml_page("Contents", lang, "".join(contents), "contents"))
    layout.toc.append(epub.Link("masthead.xhtml", "About this collection", "nav-masthead"))
    layout.toc.append(epub.Link("contents.xhtml", "Contents", "nav-contents"))
    for section in view.sections:
        links = []
        for item in section.items:
            file = files[item.id]
            body = chapter_body(item, related_html(item, view, files), base_url)
            layout.page(file, item.list_label, xhtml_page(item.list_label, lang, body, "chapter"))
            links.append(epub.Link(file, item.list_label, "nav-" + file[:-6]))
        layout.toc.append((epub.Section(section_label(section.name), files[section.items[0].id]), links))
    layout.guide.append({"type": "toc", "href": "contents.xhtml", "title": "Contents"})
    if view.items:
        first = files[view.items[0].id]
        layout.guide.append({"type": "text", "href": first, "title": view.items[0].list_label})
    return layout


# --- metadata ---------------------------------------------------------------------------


def cover_text(view: View) -> CoverText:
    """What the generated cover says."""
    if view.collection:
        title = view.heading
        named = [s.name for s in view.sections if s.name]
        footer = []
        if view.date_range and view.date_range != title:
            footer.append(view.date_range)
        if named:
            footer.append(" · ".join(named[:4]) + (" …" if len(named) > 4 else ""))
        kicker = f"{_count(len(view.items), 'story', 'stories')} from {_count(len(view.documents), 'page', 'pages')}"
        return CoverText(PUBLICATION, kicker, title, tuple(footer))
    lead = view.lead
    return CoverText(
        PUBLICATION,
        lead.section if lead else None,
        view.title,
        (lead.dateline,) if lead and lead.dateline else (),
    )


def accessibility(cover_described: bool) -> list[tuple[str, str]]:
    """schema.org accessibility metadata true to the book: text, and one image (the cover)
    with alternative text; a nav, a reading order, no hazards."""
    summary = (
        "All content is text, with a heading for every story. The only image is the cover, "
        + ("described by its alternative text, which says everything it shows. " if cover_described
           else "whose alternative text is the book's title. ")
        + "The saved pages held no pictures: each is shown as its description, caption and credit."
    )
    return [
        ("schema:accessMode", "textual"),
        ("schema:accessMode", "visual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityFeature", "alternativeText"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityFeature", "readingOrder"),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", summary),
        ("dcterms:conformsTo", CONFORMS_TO),
    ]


# --- the book ---------------------------------------------------------------------------


def build_epub(documents: Sequence[Document], options: Mapping[str, Any]) -> bytes:
    """The EPUB bytes for ``documents`` (one page, or a collection of several)."""
    documents = tuple(documents)
    if not documents:
        raise ConvertError("nothing to write: the EPUB exporter got no documents")
    lang = language_tag(options.get("language"))
    modified = required_date(documents, options).astimezone(_dt.UTC)
    given_cover = read_cover(options["cover"]) if options.get("cover") else None
    css = default_css()
    if options.get("css"):
        css += "\n/* from the css option */\n" + read_css(options["css"])
    publisher = one_line(options.get("publisher"))
    base_url = options.get("base_url") if isinstance(options.get("base_url"), str) else None

    view = present(documents, options)
    layout = _lay_out_collection(view, lang, base_url) if view.collection else _lay_out_page(view, lang, base_url)

    book = epub.EpubBook()
    basis = "\n".join(d.source.sha256 for d in documents)
    book.set_identifier("urn:uuid:" + str(uuid.uuid5(_ID_NAMESPACE, basis)))
    book.set_title(view.title)
    book.set_language(lang)
    author_option = one_line(options.get("author"))
    if author_option:
        creators, contributors = [author_option], []
    elif view.collection or not view.writers:
        creators, contributors = [PUBLICATION], list(view.writers)
    else:
        creators, contributors = list(view.writers), []
    for n, name in enumerate(creators, 1):
        book.add_author(name, uid=f"creator-{n}")
    for n, name in enumerate(contributors, 1):
        book.add_metadata("DC", "contributor", name, {"id": f"contributor-{n}"})
    if publisher:
        book.add_metadata("DC", "publisher", publisher)
    if view.collection:
        subjects = [s.name for s in view.sections if s.name]
    else:  # a page's subject is its own story's section, not its teasers'
        subjects = [view.lead.section] if view.lead and view.lead.section else []
    for subject in dict.fromkeys(subjects):
        book.add_metadata("DC", "subject", subject)
    if view.collection:
        description = (
            f"{_count(len(view.items), 'story', 'stories')} from {len(documents)} saved Protocol pages"
            + (f", {view.date_range}" if view.date_range else "") + "."
        )
        day = view.days[-1] if view.days else None
    else:
        description = view.lead.dek if view.lead else None
        day = view.lead.day if view.lead else None
    if description:
        book.add_metadata("DC", "description", description)
    if day is not None:
        book.add_metadata("DC", "date", day.isoformat())

    if given_cover is not None:
        image_name, media_type, data = given_cover
        alt = view.title
    else:
        text = cover_text(view)
        image_name, media_type, data = "images/cover.jpg", "image/jpeg", cover_jpeg(text)
        alt = cover_alt(text)
    for prop, value in accessibility(given_cover is None):
        book.add_metadata(None, "meta", value, {"property": prop})
    cover_image = epub.EpubCover(uid="cover-img", file_name=image_name)
    cover_image.media_type, cover_image.content = media_type, data
    book.add_item(cover_image)
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-img"})
    cover_body = (
        '<section class="cover" epub:type="cover">\n'
        f'<div class="cover-image"><img src="{image_name}" alt="{esc_attr(alt)}"/></div>\n</section>\n'
    )
    layout.pages.insert(0, ("cover", "cover.xhtml", "Cover", xhtml_page(view.title, lang, cover_body, "cover")))
    layout.guide.insert(0, {"type": "cover", "href": "cover.xhtml", "title": "Cover"})

    book.add_item(epub.EpubItem(uid="style", file_name=STYLESHEET, media_type="text/css", content=css.encode("utf-8")))
    spine: list[Any] = []
    for uid, file_name, page_title, content in layout.pages:
        page = _Page(uid, file_name, page_title, content)
        book.add_item(page)
        spine.append(page)
    nav = epub.EpubNav(title="Contents")
    nav.add_link(href=STYLESHEET, rel="stylesheet", type="text/css")
    book.add_item(nav)
    book.add_item(epub.EpubNcx())
    if not view.collection:
        spine.append((nav, "no"))  # the toc landmark points to it: a spine item, out of the reading order
    book.toc = layout.toc
    book.spine = spine
    book.guide = layout.guide

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
