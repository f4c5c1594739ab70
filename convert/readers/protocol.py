"""The ``protocol`` reader: a saved Protocol page (a plain-text dump) → the document tree.

(Interim version: splits the page into paragraphs; the full layout-aware reader replaces it.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from ..formats import Reader
from ..hookspecs import hookimpl
from ..textio import decode_text
from ..tree import Article, Document, Paragraph, Source, Text, story_id

READER_NAME = "protocol"


def read_page(data: bytes, name: str | None, options: Mapping[str, Any]) -> Document:
    text = decode_text(data, name=name, encoding=options.get("encoding"), max_size=options.get("max_size"))
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    title = blocks[1] if len(blocks) > 1 else None
    body = tuple(Paragraph((Text(b),)) for b in blocks[2:])
    article = Article(
        id=story_id(title, blocks[0] if blocks else ""), role="main", section=blocks[0], title=title, body=body
    )
    return Document(Source(name, hashlib.sha256(data).hexdigest(), READER_NAME), (article,))


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
