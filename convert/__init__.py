"""protocol-convert: saved Protocol pages → a normalized document tree → EPUB, DOCX, RSS,
Atom, JSON and any format a plugin adds.

The public API::

    import convert

    document = convert.parse("page.txt")            # a convert.tree.Document
    pages = convert.parse_all("crawl.warc.gz")      # every document an input holds, lazily
    convert.export(document, "epub", "page.epub")   # or bytes, with no destination
    convert.convert("page.txt", "json")             # both at once: returns bytes

Names are imported lazily, so ``import convert`` (and the CLI's ``--help``) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Author",
    "ConvertError",
    "Document",
    "Exporter",
    "Image",
    "Option",
    "Reader",
    "__version__",
    "convert",
    "dumps",
    "export",
    "hookimpl",
    "load_registry",
    "loads",
    "parse",
    "parse_all",
]

_LAZY = {
    "parse": "api",
    "parse_all": "api",
    "export": "api",
    "convert": "api",
    "Article": "tree",
    "Author": "tree",
    "Document": "tree",
    "Image": "tree",
    "ConvertError": "errors",
    "Exporter": "formats",
    "Option": "formats",
    "Reader": "formats",
    "hookimpl": "hookspecs",
    "load_registry": "plugins",
    "dumps": "jsonform",
    "loads": "jsonform",
}

if TYPE_CHECKING:
    from .api import convert, export, parse, parse_all
    from .errors import ConvertError
    from .formats import Exporter, Option, Reader
    from .hookspecs import hookimpl
    from .jsonform import dumps, loads
    from .plugins import load_registry
    from .tree import Article, Author, Document, Image


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'convert' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module_name}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
