"""protocol-convert plugin: the ``html`` input format (saved web pages).

A saved page (a browser's "Save page as", SingleFile, an archive's capture) is read into
the same tree as a text dump of it would give, plus what the HTML knows: the story's URL,
date and bylines (from JSON-LD, then OpenGraph and ``article:*`` meta tags, then the visible
markup), real links, figures with alt, caption and credit. Protocol's pages are read
through their article template (teasers and "Keep Reading" widgets as teaser stories, site
chrome recorded); other pages through trafilatura's article extraction.

Only the :class:`~convert.Reader` record is built here; lxml and trafilatura are imported
when a page is read. :func:`parse_html` is the reader's function for other plugins (the
``warc`` reader calls it for each page of an archive).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from convert import Document, Reader, hookimpl

__version__ = "0.1.0"
__all__ = ["parse_html", "sniff_html"]

_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|meta|title|body)[\s>]",
    re.IGNORECASE | re.DOTALL)


def sniff_html(head: bytes) -> bool:
    """True when an input starts like an HTML page (a doctype, ``<html>``, ``<head>``...,
    after an XML declaration, white space and comments such as a browser's "saved from"
    note)."""
    return bool(_HTML_START.match(head))


def parse_html(data: bytes, **kwargs: Any) -> Document:
    """The tree of one HTML page; see :func:`protocol_convert_html._read.parse_html`."""
    from ._read import parse_html as parse

    return parse(data, **kwargs)


def read_html(data: bytes, name: str | None, options: Mapping[str, Any]) -> Document:
    from ._read import read_html as read

    return read(data, name, dict(options))


@hookimpl
def register_readers(register: Callable[[Reader], None]) -> None:
    register(
        Reader(
            name="html",
            read=read_html,
            extensions=(".html", ".htm", ".xhtml"),
            description="A saved web page (HTML): Protocol's template, or any article via trafilatura",
            sniff=sniff_html,
        )
    )
