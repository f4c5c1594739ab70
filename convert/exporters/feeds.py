"""The ``rss`` and ``atom`` formats: one RSS 2.0 or Atom (RFC 4287) feed per conversion.

One item per story of the :mod:`convert.present` view, in its reading order (sponsored blurbs
only with ``include_sponsored``): the same items, ids and titles as the JSON Feed extra.
Several inputs make one feed of all their stories, repeated teasers merged. See docs/feeds.md.

This module only declares the two exporters; feedgen and lxml are imported by
:mod:`convert.exporters._feeds_build` when a feed is written, so listing formats stays fast.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, BinaryIO

from ..formats import Exporter, Option
from ..hookspecs import hookimpl
from ..tree import Document

#: The options both feed formats accept (the first five are the CLI's common flags).
OPTIONS: tuple[Option, ...] = (
    Option("title", str, None, "feed title (default: the page's headline for one page, else 'Protocol')"),
    Option(
        "date",
        _dt.datetime,
        None,
        "the feed's date, ISO 8601 or 'now', and in RSS the date of stories whose page shows none "
        "(default: the pages' newest date, else SOURCE_DATE_EPOCH, else the input files' time)",
    ),
    Option("language", str, "en", "language tag of the feed (BCP 47, e.g. en or en-GB)"),
    Option(
        "base_url",
        str,
        None,
        "absolute http(s) URL the pages were published under: the feed's link (default "
        "https://www.protocol.com/), the base of item links and of relative links in story text",
    ),
    Option("author", str, None, "feed-level author name (default: 'Protocol')"),
    Option(
        "description", str, None, "feed description / Atom subtitle (default: 'N stories from M saved Protocol pages')"
    ),
    Option("feed_url", str, None, 'absolute URL the feed itself will be served at (adds a rel="self" link)'),
    Option(
        "feed_id",
        str,
        None,
        "the feed's permanent id, an absolute IRI (default: urn:uuid derived from the inputs' sha256s)",
    ),
    Option("include_sponsored", bool, False, "also make items of sponsors' blurbs"),
)


def write_rss(documents: Sequence[Document], stream: BinaryIO, options: Mapping[str, Any]) -> None:
    from ._feeds_build import write_feed

    write_feed("rss", documents, stream, options)


def write_atom(documents: Sequence[Document], stream: BinaryIO, options: Mapping[str, Any]) -> None:
    from ._feeds_build import write_feed

    write_feed("atom", documents, stream, options)


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    register(
        Exporter(
            name="rss",
            extension=".rss",
            write=write_rss,
            media_type="application/rss+xml",
            description="RSS 2.0 feed, one item per story (full text in content:encoded)",
            options=OPTIONS,
        )
    )
    register(
        Exporter(
            name="atom",
            extension=".atom",
            write=write_atom,
            media_type="application/atom+xml",
            description="Atom (RFC 4287) feed, one entry per story (full text as HTML content)",
            options=OPTIONS,
        )
    )
