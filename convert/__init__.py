"""protocol-convert: saved Protocol pages → a normalized document tree → EPUB, DOCX, RSS,
Atom, JSON and any format a plugin adds.

The public API::

    import convert

    document = convert.parse("page.txt")            # a convert.Document
    pages = convert.parse_all("crawl.warc.gz")      # every document an input holds, lazily
    convert.export(document, "epub", "page.epub")   # or bytes, with no destination
    convert.convert("page.txt", "json")             # both at once: returns bytes
    convert.list_formats()                          # what the installed plugins provide

Every error class (:mod:`convert.errors`) and every node type of the tree
(:mod:`convert.tree`) is importable from here too, and the public modules
(``convert.tree``, ``convert.errors``, ``convert.present``...) are reachable as attributes
after ``import convert``.

Names are imported lazily, on first use, so ``import convert`` (and the CLI's ``--help``)
stays fast. The lazy loading is invisible to type checkers: they see the imports below, and
``convert.prase`` is an error to them as it is at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Author",
    "Block",
    "ControlFlow",
    "ConvertError",
    "ConvertWarning",
    "DecodingError",
    "Document",
    "DuplicateFormatError",
    "Emphasis",
    "EmptyInputError",
    "ExportError",
    "Exporter",
    "Figure",
    "FormatInfo",
    "Heading",
    "Image",
    "IncompletePageError",
    "Inline",
    "InputError",
    "InputNotFoundError",
    "InputTooLargeError",
    "LineBreak",
    "Link",
    "ListBlock",
    "NotTextError",
    "Option",
    "OptionError",
    "OutputError",
    "OutputExistsError",
    "Paragraph",
    "PluginError",
    "Quote",
    "Reader",
    "ReaderError",
    "Registry",
    "Role",
    "SchemaError",
    "Signoff",
    "Skipped",
    "Source",
    "Strong",
    "Text",
    "UnknownFormatError",
    "UnsupportedVersionError",
    "__version__",
    "block_text",
    "catalog",
    "collection",
    "convert",
    "distributed",
    "dumps",
    "errors",
    "export",
    "formats",
    "hookimpl",
    "html",
    "inline_text",
    "jsonform",
    "list_formats",
    "load_registry",
    "loads",
    "parse",
    "parse_all",
    "plugins",
    "present",
    "story_id",
    "testing",
    "textio",
    "tree",
]

#: each public name, and the module it comes from
_LAZY = {
    "convert": "api",
    "export": "api",
    "parse": "api",
    "parse_all": "api",
    "FormatInfo": "catalog",
    "list_formats": "catalog",
    "ControlFlow": "errors",
    "ConvertError": "errors",
    "ConvertWarning": "errors",
    "DecodingError": "errors",
    "DuplicateFormatError": "errors",
    "EmptyInputError": "errors",
    "ExportError": "errors",
    "IncompletePageError": "errors",
    "InputError": "errors",
    "InputNotFoundError": "errors",
    "InputTooLargeError": "errors",
    "NotTextError": "errors",
    "OptionError": "errors",
    "OutputError": "errors",
    "OutputExistsError": "errors",
    "PluginError": "errors",
    "ReaderError": "errors",
    "SchemaError": "errors",
    "UnknownFormatError": "errors",
    "UnsupportedVersionError": "errors",
    "Exporter": "formats",
    "Option": "formats",
    "Reader": "formats",
    "Skipped": "formats",
    "hookimpl": "hookspecs",
    "dumps": "jsonform",
    "loads": "jsonform",
    "load_registry": "plugins",
    "Registry": "plugins",
    "Article": "tree",
    "Author": "tree",
    "Block": "tree",
    "block_text": "tree",
    "Document": "tree",
    "Emphasis": "tree",
    "Figure": "tree",
    "Heading": "tree",
    "Image": "tree",
    "Inline": "tree",
    "inline_text": "tree",
    "LineBreak": "tree",
    "Link": "tree",
    "ListBlock": "tree",
    "Paragraph": "tree",
    "Quote": "tree",
    "Role": "tree",
    "Signoff": "tree",
    "Source": "tree",
    "story_id": "tree",
    "Strong": "tree",
    "Text": "tree",
}
#: the public modules, reachable as attributes (``convert.tree``) after ``import convert``
_MODULES = frozenset({
    "catalog", "collection", "distributed", "errors", "formats", "html", "jsonform",
    "plugins", "present", "testing", "textio", "tree",
})

if TYPE_CHECKING:
    from . import catalog as catalog
    from . import collection as collection
    from . import distributed as distributed
    from . import errors as errors
    from . import formats as formats
    from . import html as html
    from . import jsonform as jsonform
    from . import plugins as plugins
    from . import present as present
    from . import testing as testing
    from . import textio as textio
    from . import tree as tree
    from .api import convert, export, parse, parse_all
    from .catalog import FormatInfo, list_formats
    from .errors import (
        ControlFlow,
        ConvertError,
        ConvertWarning,
        DecodingError,
        DuplicateFormatError,
        EmptyInputError,
        ExportError,
        IncompletePageError,
        InputError,
        InputNotFoundError,
        InputTooLargeError,
        NotTextError,
        OptionError,
        OutputError,
        OutputExistsError,
        PluginError,
        ReaderError,
        SchemaError,
        UnknownFormatError,
        UnsupportedVersionError,
    )
    from .formats import Exporter, Option, Reader, Skipped
    from .hookspecs import hookimpl
    from .jsonform import dumps, loads
    from .plugins import Registry, load_registry
    from .tree import (
        Article,
        Author,
        Block,
        Document,
        Emphasis,
        Figure,
        Heading,
        Image,
        Inline,
        LineBreak,
        Link,
        ListBlock,
        Paragraph,
        Quote,
        Role,
        Signoff,
        Source,
        Strong,
        Text,
        block_text,
        inline_text,
        story_id,
    )
else:

    def __getattr__(name: str) -> object:
        import importlib

        if name in _MODULES:
            value = importlib.import_module(f".{name}", __name__)
        elif name in _LAZY:
            value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        else:
            raise AttributeError(f"module 'convert' has no attribute {name!r}")
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
