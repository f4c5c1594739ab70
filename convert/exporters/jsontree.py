"""The ``json`` format: the document tree in its versioned JSON form, both ways.

Registers an exporter (tree → JSON) and a reader (JSON → tree), so a saved tree can be fed
back in and converted to any other format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, BinaryIO

from ..formats import Exporter, Option, Reader
from ..hookspecs import hookimpl
from ..tree import Document


def write_json(documents: Sequence[Document], stream: BinaryIO, options: Mapping[str, Any]) -> None:
    from .. import jsonform
    from ..text import replace_lone_surrogates

    indent = options.get("indent")
    # one page, or a collection (of any length: export([document]) is a collection of one)
    collection = len(documents) != 1 or options.get("collection") is True
    text = jsonform.dumps(documents if collection else documents[0], indent=indent if indent and indent > 0 else None)
    # as in every other format, a lone surrogate becomes U+FFFD
    stream.write(replace_lone_surrogates(text).encode("utf-8"))


def read_json(data: bytes, name: str | None, options: Mapping[str, Any]) -> Document:
    from .. import jsonform
    from ..errors import SchemaError

    documents = jsonform.loads(data)
    if len(documents) != 1:
        raise SchemaError(f"holds a collection of {len(documents)} documents; read it with convert.jsonform.loads")
    return documents[0]


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    register(
        Exporter(
            name="json",
            extension=".json",
            write=write_json,
            media_type="application/json",
            description="The document tree as versioned JSON (schema: convert/schemas/document-1.schema.json)",
            options=(Option("indent", int, 2, "spaces per indent level; 0 writes one line", minimum=0, maximum=16),),
        )
    )


@hookimpl
def register_readers(register: Callable[[Reader], None]) -> None:
    register(
        Reader(
            name="json",
            read=read_json,
            extensions=(".json",),
            description="A document tree written by the json exporter",
        )
    )
