"""The ``jsonl`` format: JSON Lines, one story per line, for data pipelines.

Each line is one story (an article of the tree, in the field order and shape of the JSON
form's ``article``) plus ``source``, the page it came from::

    {"id": "story-…", "role": "main", "section": "China", "title": "…", "dek": "…",
     "date": null, "url": null, "authors": [], "image": {…}, "body": […], "truncated": false,
     "source": {"name": "page.txt", "sha256": "…", "reader": "protocol", "url": null,
                "captured": null, "payload_digest": null}}

The exporter is *streaming*: it reads the documents one at a time and keeps none of them, so
a batch feeds it each page as soon as it is parsed and memory stays flat however many pages
go into one file. Several pages follow the collection rules of :mod:`convert.collection`
(each story once; the full story rather than its teaser) in stream order:

- a main story is written as soon as it is read, unless a main story with its id was
  written already;
- a teaser or sponsored blurb is held back (past 4 MB, in a temporary file) and dropped
  when its full story turns up; those whose full story never came are written at the end,
  in the order first seen.

Lines are in input order, not grouped by section (a stream, not a book). Text is cleaned
so every line is valid UTF-8 JSON: lone surrogates become U+FFFD, control characters other
than tab, newline and carriage return are dropped (vertical tab and form feed become spaces).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, BinaryIO

from ..formats import Exporter, Option
from ..hookspecs import hookimpl
from ..tree import Article, Document

_CONTROLS: dict[int, str | None] = {c: None for c in (*range(0x00, 0x09), *range(0x0E, 0x20))}
_CONTROLS.update({0x0B: " ", 0x0C: " "})


#: bytes of held-back teaser lines kept in memory before they move to a temporary file
SPOOL_MEMORY = 4 * 1024 * 1024


def _clean(value: Any) -> Any:
    from ..text import replace_lone_surrogates

    if isinstance(value, str):
        return replace_lone_surrogates(value.translate(_CONTROLS))
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def story_line(article: Article, source: dict[str, Any]) -> bytes:
    """One story as one line of JSON (with its newline), UTF-8."""
    import json  # here, not at the top: registering the format must stay cheap

    from ..jsonform import article_to_dict

    data = article_to_dict(article)
    data["source"] = source
    line = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # json.dumps writes a control character as \u00XX, \b or \f and leaves a lone surrogate
    # as is (encoding then fails). Rare: clean every string and write again (a false alarm,
    # such as a real backslash-b in the text, only costs this second pass).
    if "\\u00" in line or "\\b" in line or "\\f" in line:
        line = json.dumps(_clean(data), ensure_ascii=False, separators=(",", ":"))
    try:
        encoded = line.encode("utf-8")
    except UnicodeEncodeError:
        encoded = json.dumps(_clean(data), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return encoded + b"\n"


def write_jsonl(documents: Iterable[Document], stream: BinaryIO, options: Mapping[str, Any]) -> None:
    import tempfile

    from ..jsonform import source_to_dict

    teasers = bool(options.get("teasers", True))
    written: set[str] = set()  # ids of the main stories written
    held: dict[str, tuple[int, int]] = {}  # teaser id -> (offset, length) in the spool
    # Held teasers stay in memory up to SPOOL_MEMORY bytes, then go to a temporary file.
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY) as spool:
        for document in documents:
            source = source_to_dict(document.source)
            for article in document.articles:
                if article.role == "main":
                    if article.id in written:
                        continue
                    written.add(article.id)
                    held.pop(article.id, None)
                    stream.write(story_line(article, source))
                elif teasers and article.id not in written and article.id not in held:
                    line = story_line(article, source)
                    held[article.id] = (spool.tell(), len(line))
                    spool.write(line)
        for offset, length in held.values():
            spool.seek(offset)
            stream.write(spool.read(length))


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    register(
        Exporter(
            name="jsonl",
            extension=".jsonl",
            write=write_jsonl,
            media_type="application/jsonl",
            description="JSON Lines: one story per line, streamed (for data pipelines)",
            options=(Option("teasers", bool, True, "also write teasers and sponsored blurbs whose full story "
                            "is not in the output"),),
            streaming=True,
        )
    )
