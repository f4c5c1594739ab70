"""protocol-convert plugin: the ``jsonfeed`` output format (JSON Feed 1.1).

This module is imported whenever protocol-convert lists its formats, so it only builds the
:class:`~convert.Exporter` record; the feed itself is built in :mod:`._feed`, imported when
``write`` runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, BinaryIO

from convert import Document, Exporter, Option, hookimpl

__version__ = "0.1.0"

OPTIONS = (
    Option("title", str, None, "feed title (default: the page's headline, or 'Protocol' for a collection)"),
    Option("description", str, None, "feed description"),
    Option("language", str, "en", "language tag of the feed, e.g. en or en-GB"),
    Option("base_url", str, None, "the site's address, written as home_page_url"),
    Option("feed_url", str, None, "where this feed will be published, written as feed_url"),
    Option("author", str, None, "feed-level author name"),
    Option("expired", bool, False, "mark the feed as finished (expired: true): Protocol has closed"),
    Option("include_sponsored", bool, False, "include sponsored blurbs as items"),
    Option("indent", int, 2, "spaces per indent level; 0 writes one line", minimum=0, maximum=16),
)


def write_jsonfeed(documents: Sequence[Document], stream: BinaryIO, options: Mapping[str, Any]) -> None:
    from ._feed import build_feed, dump_feed

    stream.write(dump_feed(build_feed(documents, options), indent=options.get("indent")))


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    register(
        Exporter(
            name="jsonfeed",
            extension=".feed.json",
            write=write_jsonfeed,
            media_type="application/feed+json",
            description="JSON Feed 1.1: one item per story, ids shared with the other formats",
            options=OPTIONS,
        )
    )
