"""protocol-convert plugin: the ``markdown`` output format (CommonMark with YAML front matter).

Only the :class:`~convert.Exporter` record is built here, at import time; the renderer is
imported when ``write`` runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, BinaryIO

from convert import Document, Exporter, Option, hookimpl

__version__ = "0.1.0"

OPTIONS = (
    Option("front_matter", bool, True, "start with YAML front matter holding the story metadata"),
    Option("title", str, None, "title of a collection (default: 'Protocol'); a single page keeps its headline"),
    Option("metadata_comments", bool, True,
           "put each further story's metadata (id, role, section, authors...) in an HTML comment before it"),
)


def write_markdown(documents: Sequence[Document], stream: BinaryIO, options: Mapping[str, Any]) -> None:
    from ._render import render

    stream.write(render(documents, options).encode("utf-8"))


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    register(
        Exporter(
            name="markdown",
            extension=".md",
            write=write_markdown,
            media_type="text/markdown",
            description="Markdown (CommonMark) with YAML front matter holding the story metadata",
            options=OPTIONS,
        )
    )
