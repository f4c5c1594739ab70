"""protocol-convert plugin: the ``warc`` input format (web archives: WARC and WACZ).

A *streaming* reader (see ``docs/plugin-hooks.md``): an archive holds many captures, and each
HTML response in it becomes a document, read by the ``html`` reader (plugin
``protocol-convert-html``) with the capture's provenance (target URI, date, payload digest).
Requests, revisits, redirects and non-HTML responses are skipped and counted; a damaged
record is reported in one line and the reading goes on past it.

Only the :class:`~convert.Reader` record is built here; warcio is imported when an archive
is read.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, BinaryIO

from convert import Reader, hookimpl

__version__ = "0.1.0"
__all__ = ["read_archive", "sniff_warc"]


def sniff_warc(head: bytes) -> bool:
    """True when an input starts like a WARC file, plain or gzipped."""
    if head.startswith(b"WARC/1."):
        return True
    if head.startswith(b"\x1f\x8b"):
        try:
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16).startswith(b"WARC/1.")
        except zlib.error:
            return False
    return False


def read_archive(stream: BinaryIO, name: str | None, options: Mapping[str, Any]) -> Iterator[Any]:
    """Reader entry point: an open archive → its pages (and a report of each bad record)."""
    from ._archive import read_archive as read

    return read(stream, name, options)


@hookimpl
def register_readers(register: Callable[[Reader], None]) -> None:
    register(
        Reader(
            name="warc",
            read=read_archive,
            extensions=(".warc", ".warc.gz", ".wacz"),
            description="A web archive (WARC, WACZ): a document per HTML page captured",
            streaming=True,
            sniff=sniff_warc,
        )
    )
