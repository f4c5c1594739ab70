"""The ``docx`` format: a Word document built with python-docx.

This module only registers the exporter and must import fast: python-docx and lxml are
imported by :mod:`convert.exporters._docx_impl`, loaded when a document is actually written.
See ``docs/docx.md`` for what the output looks like and what every option does.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from ..formats import Exporter, Option
from ..hookspecs import hookimpl
from ..tree import Document

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

OPTIONS = (
    Option(
        "title",
        str,
        None,
        "document title (core property); in a collection also the title on its title page. "
        "Default: the main story's headline; a collection's 'Protocol: <dates>'",
    ),
    Option("author", str, None, "author core property; default: the stories' authors when the page names them"),
    Option("language", str, "en", "BCP 47 language tag of the text (en, en-US, de...)"),
    Option(
        "date",
        _dt.datetime,
        None,
        "created/modified date (ISO 8601 or 'now'); default: the pages' newest date, else "
        "SOURCE_DATE_EPOCH, else the input files' time, else none",
    ),
    Option("keywords", str, None, "keywords core property; default: the stories' sections"),
    Option(
        "reference_doc",
        Path,
        None,
        "a .docx (or .dotx) whose styles, page setup, headers and footers are used (like pandoc's --reference-doc)",
    ),
    Option("base_url", str, None, "absolute URL that relative links in the stories are resolved against"),
    Option("toc", bool, True, "in a collection, start with a list of contents linking to each story"),
)


def write_docx(documents: Sequence[Document], stream: BinaryIO, options: Mapping[str, Any]) -> None:
    from ._docx_impl import write

    write(documents, stream, options)


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    register(
        Exporter(
            name="docx",
            extension=".docx",
            write=write_docx,
            media_type=MEDIA_TYPE,
            description="Word document (Office Open XML) with real Word styles, for editors",
            options=OPTIONS,
        )
    )
