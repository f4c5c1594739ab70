"""protocol-convert plugin: the ``markdown`` input format.

Only the :class:`~convert.Reader` record is built here; markdown-it-py and PyYAML are
imported when a file is read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from convert import Document, Reader, hookimpl

__version__ = "0.1.0"


def read_markdown(data: bytes, name: str | None, options: Mapping[str, Any]) -> Document:
    from ._read import read

    return read(data, name, options)


@hookimpl
def register_readers(register: Callable[[Reader], None]) -> None:
    register(
        Reader(
            name="markdown",
            read=read_markdown,
            extensions=(".md", ".markdown"),
            description="Markdown (CommonMark) with optional YAML front matter",
        )
    )
