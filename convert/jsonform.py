"""The versioned JSON form of the tree: a contract for other tools.

``schema_version`` is ``MAJOR.MINOR``. Minor versions only add optional fields, so a loader
accepts every document of its own major version (fields it does not know are ignored, fields
it knows but the document lacks are null) and refuses a newer major with a clear message.
1.1 added the story's ``url`` and the source's provenance (``url``, ``captured``,
``payload_digest``); 1.2 the document's ``warnings`` (what the reader could not find). The
JSON Schema is published with the package, at :data:`SCHEMA_PATH`
(``convert/schemas/document-1.schema.json`` in the repository).

One page::

    {"schema_version": "1.2", "document": {"source": {...}, "articles": [...], "chrome": [...], "warnings": [...]}}

A collection (several pages converted into one output)::

    {"schema_version": "1.2", "documents": [{...}, {...}]}
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import SchemaError, UnsupportedVersionError
from .tree import (
    ROLES,
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
    Signoff,
    Source,
    Strong,
    Text,
)

__all__ = [
    "SCHEMA_PATH",
    "SCHEMA_VERSION",
    "document_from_dict",
    "document_to_dict",
    "dumps",
    "loads",
]

SCHEMA_VERSION = "1.2"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "document-1.schema.json"

# --- tree -> plain data ---------------------------------------------------------------


def inline_to_dict(node: Inline) -> dict[str, Any]:
    if isinstance(node, Text):
        return {"type": "text", "text": node.text}
    if isinstance(node, Emphasis):
        return {"type": "emphasis", "content": [inline_to_dict(n) for n in node.content]}
    if isinstance(node, Strong):
        return {"type": "strong", "content": [inline_to_dict(n) for n in node.content]}
    if isinstance(node, Link):
        return {"type": "link", "url": node.url, "content": [inline_to_dict(n) for n in node.content]}
    if isinstance(node, LineBreak):
        return {"type": "line_break"}
    raise TypeError(f"not an inline node: {node!r}")


def image_to_dict(image: Image | None) -> dict[str, Any] | None:
    if image is None:
        return None
    return {"alt": image.alt, "caption": image.caption, "credit": image.credit}


def block_to_dict(node: Block) -> dict[str, Any]:
    if isinstance(node, Paragraph):
        return {"type": "paragraph", "content": [inline_to_dict(n) for n in node.content]}
    if isinstance(node, Heading):
        return {
            "type": "heading",
            "level": node.level,
            "content": [inline_to_dict(n) for n in node.content],
        }
    if isinstance(node, ListBlock):
        return {
            "type": "list",
            "ordered": node.ordered,
            "items": [[block_to_dict(b) for b in item] for item in node.items],
        }
    if isinstance(node, Quote):
        return {"type": "quote", "content": [block_to_dict(b) for b in node.content]}
    if isinstance(node, Figure):
        return {"type": "figure", "image": image_to_dict(node.image)}
    if isinstance(node, Signoff):
        return {"type": "signoff", "content": [inline_to_dict(n) for n in node.content]}
    raise TypeError(f"not a block node: {node!r}")


def article_to_dict(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "role": article.role,
        "section": article.section,
        "title": article.title,
        "dek": article.dek,
        "date": article.date,
        "url": article.url,
        "authors": [
            {"name": a.name, "handle": a.handle, "bio": a.bio} for a in article.authors
        ],
        "image": image_to_dict(article.image),
        "body": [block_to_dict(b) for b in article.body],
        "truncated": article.truncated,
    }


def source_to_dict(source: Source) -> dict[str, Any]:
    return {
        "name": source.name,
        "sha256": source.sha256,
        "reader": source.reader,
        "url": source.url,
        "captured": source.captured,
        "payload_digest": source.payload_digest,
    }


def document_to_dict(document: Document) -> dict[str, Any]:
    """The document as plain JSON-ready data (without the version envelope)."""
    return {
        "source": source_to_dict(document.source),
        "articles": [article_to_dict(a) for a in document.articles],
        "chrome": list(document.chrome),
        "warnings": list(document.warnings),
    }


def dumps(documents: Document | Sequence[Document], *, indent: int | None = 2) -> str:
    """The JSON text for one document (``{"document": ...}``), or for a collection when given
    a sequence (``{"documents": [...]}``, whatever its length: a list of one is a collection
    of one).

    Keys keep the schema's order and non-ASCII text is written as is, so the same tree gives
    the same text, byte for byte.
    """
    items = (documents,) if isinstance(documents, Document) else documents
    if not isinstance(items, Sequence) or isinstance(items, str) or not all(isinstance(d, Document) for d in items):
        raise TypeError(f"dumps() takes a Document or a sequence of Documents, not {type(documents).__name__}")
    if isinstance(documents, Document):
        envelope: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "document": document_to_dict(documents),
        }
    else:
        envelope = {
            "schema_version": SCHEMA_VERSION,
            "documents": [document_to_dict(d) for d in documents],
        }
    return json.dumps(envelope, ensure_ascii=False, indent=indent) + "\n"


# --- plain data -> tree ---------------------------------------------------------------


def _fail(where: str, problem: str) -> SchemaError:
    return SchemaError(f"invalid document tree at {where}: {problem}")


def _get(data: Any, key: str, kinds: type | tuple[type, ...], where: str, *, optional: bool = False) -> Any:
    if not isinstance(data, dict):
        raise _fail(where, "expected an object")
    if key not in data:
        if optional:
            return None
        raise _fail(where, f"missing {key!r}")
    value = data[key]
    if value is None and optional:
        return None
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in _as_tuple(kinds)):
        raise _fail(f"{where}.{key}", f"expected {_kind_names(kinds)}, got {type(value).__name__}")
    return value


def _as_tuple(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def _kind_names(kinds: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "a number", bool: "a boolean", list: "an array", dict: "an object"}
    return " or ".join(names.get(k, k.__name__) for k in _as_tuple(kinds))


def _text(data: Any, key: str, where: str) -> str | None:
    return _get(data, key, str, where, optional=True)


def inline_from_dict(data: Any, where: str) -> Inline:
    kind = _get(data, "type", str, where)
    if kind == "text":
        return Text(_get(data, "text", str, where))
    if kind == "line_break":
        return LineBreak()
    content = _inlines(data, where)
    if kind == "emphasis":
        return Emphasis(content)
    if kind == "strong":
        return Strong(content)
    if kind == "link":
        return Link(_get(data, "url", str, where), content)
    raise _fail(where, f"unknown inline type {kind!r}")


def _inlines(data: Any, where: str) -> tuple[Inline, ...]:
    items = _get(data, "content", list, where)
    return tuple(inline_from_dict(item, f"{where}.content[{i}]") for i, item in enumerate(items))


def _blocks(items: list[Any], where: str) -> tuple[Block, ...]:
    return tuple(block_from_dict(item, f"{where}[{i}]") for i, item in enumerate(items))


def image_from_dict(data: Any, where: str) -> Image | None:
    if data is None:
        return None
    return Image(
        alt=_text(data, "alt", where),
        caption=_text(data, "caption", where),
        credit=_text(data, "credit", where),
    )


def block_from_dict(data: Any, where: str) -> Block:
    kind = _get(data, "type", str, where)
    if kind == "paragraph":
        return Paragraph(_inlines(data, where))
    if kind == "heading":
        level = _get(data, "level", int, where)
        if not 1 <= level <= 6:
            raise _fail(f"{where}.level", f"expected 1 to 6, got {level}")
        return Heading(level, _inlines(data, where))
    if kind == "list":
        items = _get(data, "items", list, where)
        return ListBlock(
            ordered=_get(data, "ordered", bool, where),
            items=tuple(
                _blocks(_get({"item": item}, "item", list, f"{where}.items[{i}]"), f"{where}.items[{i}]")
                for i, item in enumerate(items)
            ),
        )
    if kind == "quote":
        return Quote(_blocks(_get(data, "content", list, where), f"{where}.content"))
    if kind == "figure":
        image = image_from_dict(_get(data, "image", dict, where), f"{where}.image")
        assert image is not None
        return Figure(image)
    if kind == "signoff":
        return Signoff(_inlines(data, where))
    raise _fail(where, f"unknown block type {kind!r}")


def article_from_dict(data: Any, where: str) -> Article:
    role = _get(data, "role", str, where)
    if role not in ROLES:
        raise _fail(f"{where}.role", f"expected one of {', '.join(ROLES)}, got {role!r}")
    authors = []
    for i, author in enumerate(_get(data, "authors", list, where)):
        at = f"{where}.authors[{i}]"
        authors.append(
            Author(
                name=_get(author, "name", str, at),
                handle=_text(author, "handle", at),
                bio=_text(author, "bio", at),
            )
        )
    return Article(
        id=_get(data, "id", str, where),
        role=role,
        title=_text(data, "title", where),
        section=_text(data, "section", where),
        dek=_text(data, "dek", where),
        date=_text(data, "date", where),
        url=_text(data, "url", where),
        authors=tuple(authors),
        image=image_from_dict(_get(data, "image", dict, where, optional=True), f"{where}.image"),
        body=_blocks(_get(data, "body", list, where), f"{where}.body"),
        truncated=_get(data, "truncated", bool, where),
    )


def document_from_dict(data: Any, where: str = "document") -> Document:
    """A document from its plain-data form (without the version envelope)."""
    source = _get(data, "source", dict, where)
    chrome = _get(data, "chrome", list, where, optional=True) or []
    if not all(isinstance(line, str) for line in chrome):
        raise _fail(f"{where}.chrome", "expected an array of strings")
    warnings = _get(data, "warnings", list, where, optional=True) or []
    if not all(isinstance(line, str) and line for line in warnings):
        raise _fail(f"{where}.warnings", "expected an array of non-empty strings")
    return Document(
        source=Source(
            name=_text(source, "name", f"{where}.source"),
            sha256=_get(source, "sha256", str, f"{where}.source"),
            reader=_get(source, "reader", str, f"{where}.source"),
            url=_text(source, "url", f"{where}.source"),
            captured=_text(source, "captured", f"{where}.source"),
            payload_digest=_text(source, "payload_digest", f"{where}.source"),
        ),
        articles=tuple(
            article_from_dict(a, f"{where}.articles[{i}]")
            for i, a in enumerate(_get(data, "articles", list, where))
        ),
        chrome=tuple(chrome),
        warnings=tuple(warnings),
    )


def check_version(version: Any) -> None:
    """Accept any ``1.x``; refuse a newer major with a message that says what to do.
    Only ASCII digits make a version (``str.isdigit`` would take ``"١.٠"``)."""
    if not isinstance(version, str) or not re.fullmatch(r"[0-9]+\.[0-9]+", version):
        raise SchemaError(f"schema_version must be a string like {SCHEMA_VERSION!r}, got {version!r}")
    major_text = version.partition(".")[0]
    ours = int(SCHEMA_VERSION.split(".")[0])
    if int(major_text) > ours:
        raise UnsupportedVersionError(
            f"document tree has schema_version {version}, newer than this protocol-convert "
            f"understands ({ours}.x): upgrade protocol-convert to read it"
        )
    if int(major_text) < ours:
        raise UnsupportedVersionError(f"schema_version {version} is older than any this version reads")


def load_data(data: Any) -> tuple[Document, ...]:
    """The documents in a parsed JSON value (one page or a collection)."""
    if not isinstance(data, dict):
        raise SchemaError("a document tree must be a JSON object")
    if "schema_version" not in data:
        raise SchemaError("not a protocol-convert document tree: no schema_version")
    check_version(data["schema_version"])
    from .schema_check import validate

    validate(data)  # whatever the published schema forbids is refused here, named
    if "document" in data:
        return (document_from_dict(data["document"]),)
    if "documents" in data and isinstance(data["documents"], list):
        return tuple(document_from_dict(d, f"documents[{i}]") for i, d in enumerate(data["documents"]))
    raise SchemaError("a document tree needs 'document' or 'documents'")


def loads(text: str | bytes) -> tuple[Document, ...]:
    """The documents in a JSON text written by :func:`dumps` (of this or an older minor
    version)."""
    from .schema_check import MAX_DEPTH, may_hold_surrogates, replace_surrogates

    if not isinstance(text, (str, bytes, bytearray)):
        raise TypeError(f"loads() takes a str or bytes, not {type(text).__name__}")
    text = text.removeprefix("\ufeff") if isinstance(text, str) else bytes(text).removeprefix(b"\xef\xbb\xbf")
    try:
        data = json.loads(text)
    except RecursionError:
        raise SchemaError(f"invalid document tree: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise SchemaError(f"not valid JSON: {exc}") from None
    if may_hold_surrogates(text):
        from .schema_check import check_depth

        check_depth(data)  # (before the walk below)
        data = replace_surrogates(data)  # a lone surrogate is not text: U+FFFD, as every exporter shows it
    return load_data(data)
