"""The ``protocol`` reader's registration: saved Protocol pages (plain-text dumps), ``.txt``.

The reader itself is the package's pass modules (:mod:`.lines`, :mod:`.stories`,
:mod:`.header`, :mod:`.body`, assembled by :mod:`.page`), imported when the first page is
read, so that listing formats, or converting a JSON tree, does not pay for them. Their names
(``parse_page``, the line classifiers...) are also reachable from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ...formats import Reader
from ...hookspecs import hookimpl
from ...tree import Document

__all__ = ["READER_NAME", "read_page"]

READER_NAME = "protocol"


def read_page(data: bytes, name: str | None, options: Mapping[str, Any]) -> Document:
    """Reader entry point: bytes of a saved page → :class:`~convert.tree.Document`."""
    from .page import read_page as read

    return read(data, name, options)


def __getattr__(name: str) -> Any:
    import importlib

    for part in ("page", "classify", "lines", "header", "body", "stories"):
        module = importlib.import_module(f"{__name__}.{part}")
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@hookimpl
def register_readers(register: Callable[[Reader], None]) -> None:
    register(
        Reader(
            name=READER_NAME,
            read=read_page,
            extensions=(".txt",),
            description="A saved Protocol page (plain-text dump)",
        )
    )
