"""Reading an exporter's output back as text, as the conformance kit does (see
:func:`extract_text`)."""

from __future__ import annotations

import html
import html.parser
import io
import json
import re
import unicodedata
import xml.etree.ElementTree as ElementTree
import zipfile
from typing import Any

__all__ = [
    "extract_text",
    "extract_text_json",
    "extract_text_markdown",
    "extract_text_xml",
    "extract_text_zip",
    "normalize",
]


def normalize(text: str) -> str:
    """NFC, every run of white space one space, stripped: how the kit compares texts."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


#: Attributes whose values are text a reader sees: alternative text, titles, an Atom
#: category's term, a label, a <meta> element's content.
_TEXT_ATTRIBUTES = frozenset({"alt", "title", "term", "label", "aria-label", "content"})


class _HTMLText(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in _TEXT_ATTRIBUTES and value:
                self.parts.append(f" {value} ")
        if tag in ("p", "br", "div", "li", "h1", "h2", "h3", "h4", "figure", "figcaption", "blockquote"):
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


_HTML_TAG = re.compile(
    r"</?(?:p|div|span|a|em|strong|b|i|br|ul|ol|li|h[1-6]|blockquote|figure|figcaption|img|small|cite|"
    r"section|article|header|footer|table|tr|td|th|hr|pre|code|sup|sub)\b[^<>]*>",
    re.IGNORECASE,
)


def _html_text(text: str) -> str:
    """``text`` with its tags stripped if it is HTML (a feed's escaped content, JSON Feed's
    content_html), else as it is: a literal ``<odd>`` in plain text stays."""
    return _strip_html(text) if _HTML_TAG.search(text) else text


def _strip_html(text: str) -> str:
    if "<" not in text and "&" not in text:
        return text
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


def extract_text_xml(data: bytes) -> str:
    """The text of an XML document: every text node and text attribute, with HTML that
    is embedded as text (a feed's escaped content) stripped as well, while a literal ``<``
    in plain text stays. Raises
    :class:`AssertionError` when the bytes are not well-formed XML."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise AssertionError(f"output is not well-formed XML: {exc}") from None
    parts: list[str] = []
    for element in root.iter():
        for key, value in element.attrib.items():
            if value and key.rsplit("}", 1)[-1] in _TEXT_ATTRIBUTES:
                parts.append(f" {value} ")
        if element.text:
            parts.append(_html_text(element.text))
        if element.tail:
            parts.append(_html_text(element.tail))
    return "".join(parts)


def extract_text_zip(data: bytes) -> str:
    """The text of a zip of XML files (EPUB, DOCX, ODT): every ``.xhtml``, ``.xml``,
    ``.html``, ``.opf`` and ``.ncx`` member, in archive order, parsed and stripped."""
    parts: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.filename.lower().endswith((".xhtml", ".xml", ".html", ".htm", ".opf", ".ncx", ".rels")):
                try:
                    parts.append(extract_text_xml(archive.read(info)))
                except AssertionError as exc:
                    raise AssertionError(f"zip member {info.filename}: {exc}") from None
    return "\n".join(parts)


def extract_text_json(data: bytes) -> str:
    """Every string value of a JSON document (the tags of HTML values stripped), one per line."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise AssertionError(f"output is not valid UTF-8 JSON: {exc}") from None
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            parts.append(_html_text(node))
        elif isinstance(node, dict):
            for item in node.values():
                walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(value)
    return "\n".join(parts)


_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def extract_text_markdown(data: bytes) -> str:
    """The text of Markdown (or plain text, or HTML): decoded as UTF-8, backslash escapes
    undone, HTML tags stripped and entities decoded."""
    text = _decode(data)
    return _strip_html(_MD_ESCAPE.sub(r"\1", text))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AssertionError(f"output is not valid UTF-8: {exc}") from None


def extract_text(data: bytes, media_type: str = "") -> str:
    """The text of an output, with the reader its bytes or ``media_type`` call for."""
    media_type = media_type.lower()
    head = data.lstrip()[:64]
    if data.startswith(b"PK\x03\x04"):
        return extract_text_zip(data)
    if media_type.endswith(("/jsonl", "/x-ndjson", "/json-seq")):  # JSON Lines: one document a line
        return "\n".join(extract_text_json(line) for line in data.splitlines() if line.strip())
    if "json" in media_type or (not media_type.startswith("text/") and head.startswith((b"{", b"["))):
        return extract_text_json(data)
    if media_type.endswith(("+xml", "/xml")) or head.startswith(b"<?xml"):
        return extract_text_xml(data)
    if media_type.startswith("text/plain"):
        return _decode(data)
    if media_type.startswith("text/") or not media_type or media_type == "application/octet-stream":
        return extract_text_markdown(data)
    raise AssertionError(
        f"the kit cannot read the text of {media_type!r} output: pass extract_text=... to check_exporter"
    )
