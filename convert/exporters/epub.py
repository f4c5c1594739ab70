"""The ``epub`` format: one page, or several as a periodical-style collection, as an EPUB 3 book.

The book passes EPUBCheck 5 with no errors and no warnings: an EPUB 3 package with a
generated cover, a navigation document and an NCX for older readers, one chapter per story of
the :mod:`convert.present` view, and byte-identical output for the same input and options.
See ``docs/epub.md``.

This module only registers the format; the work (and ebooklib) lives in ``_epub_build`` and is
imported when a book is written.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from ..formats import Exporter, Option
from ..hookspecs import hookimpl
from ..tree import Document

OPTIONS = (
    Option("title", str, None, "book title (default: the page's headline; a collection's 'Protocol: <dates>')"),
    Option("author", str, None, "the book's dc:creator, instead of the writers named on the pages"),
    Option("language", str, "en", "language tag of the book (BCP 47, e.g. en or en-GB)"),
    Option(
        "date",
        _dt.datetime,
        None,
        "dcterms:modified, ISO 8601 or 'now' (default: the pages' newest date, else SOURCE_DATE_EPOCH, "
        "else the input files' time)",
    ),
    Option("cover", Path, None, "a JPEG or PNG file to use as the cover image instead of the generated one"),
    Option("css", Path, None, "a CSS file whose rules are added after the default stylesheet"),
    Option("publisher", str, "Protocol", "the book's dc:publisher"),
    Option("base_url", str, None, "absolute URL that relative links in the stories are resolved against"),
)


def write_epub(documents: Sequence[Document], stream: BinaryIO, options: Mapping[str, Any]) -> None:
    from ._epub_build import build_epub

    stream.write(build_epub(documents, options))


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    register(
        Exporter(
            name="epub",
            extension=".epub",
            write=write_epub,
            media_type="application/epub+zip",
            description="EPUB 3 e-book (one page, or a collection as a periodical); passes EPUBCheck",
            options=OPTIONS,
        )
    )
