"""The library API: parse a page, export documents, or both at once."""

from __future__ import annotations

import datetime
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from .errors import ConvertError, ExportError
from .formats import resolve_options
from .plugins import Registry, default_registry
from .textio import DEFAULT_MAX_SIZE, atomic_output, read_input
from .tree import Document

__all__ = ["convert", "export", "parse"]

Source = str | os.PathLike[str] | bytes | BinaryIO
Destination = str | os.PathLike[str] | BinaryIO


def _registry(registry: Registry | None) -> Registry:
    return registry if registry is not None else default_registry()


def parse(
    source: Source,
    *,
    reader: str | None = None,
    name: str | None = None,
    encoding: str | None = None,
    options: Mapping[str, Any] | None = None,
    max_size: int | None = DEFAULT_MAX_SIZE,
    registry: Registry | None = None,
) -> Document:
    """Read a page into a :class:`~convert.tree.Document`.

    ``source`` is a path (``str`` or path-like), the page's bytes, or a binary file object.
    ``reader`` names the input format; by default it is chosen from the file name's
    extension, falling back to ``protocol`` (a saved Protocol page). ``name`` is recorded
    as the source name (the path's file name by default). ``encoding`` overrides the
    detection of the text encoding. Raises
    :class:`~convert.errors.InputError` for input that cannot be read.
    """
    registry = _registry(registry)
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        data = read_input(path, max_size=max_size)
        name = name if name is not None else os.path.basename(path)
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.read()
        if name is None:
            raw_name = getattr(source, "name", None)
            name = os.path.basename(raw_name) if isinstance(raw_name, str) else None
    chosen = registry.reader(reader) if reader else registry.reader_for(name)
    settings = resolve_options(chosen.options, options, owner=chosen.name)
    # Every reader also gets these two, declared or not: decoding is common to all text.
    settings["encoding"] = encoding
    settings["max_size"] = max_size
    try:
        return chosen.read(data, name, settings)
    except ConvertError as error:
        if error.path is None:
            error.path = name or "<stdin>"
        raise


def export(
    documents: Document | Iterable[Document],
    format: str,
    destination: Destination | None = None,
    *,
    options: Mapping[str, Any] | None = None,
    force: bool = False,
    registry: Registry | None = None,
    source_date: datetime.datetime | None = None,
) -> bytes | None:
    """Write one document, or several as one collection, in ``format`` (``epub``, ``json``...).

    With no ``destination`` the bytes are returned. A path is written atomically (a
    temporary file renamed into place) and an existing file is refused unless ``force``; a
    binary stream is written to directly. ``options`` are the exporter's declared options
    (``protocol-convert formats --options`` lists them).

    A *streaming* exporter (``Exporter(streaming=True)``, such as ``jsonl``) given an
    iterator of documents takes them one at a time as it writes, so no more than one page
    need be in memory; any other exporter gets them all at once.

    ``source_date`` is the newest modification time of the input files, the date of last
    resort (:func:`convert.present.output_date`); the exporter finds it in its options as
    ``source_date``.
    """
    registry = _registry(registry)
    exporter = registry.exporter(format)
    settings = resolve_options(exporter.options, options, owner=exporter.name)
    settings.setdefault("source_date", source_date)
    docs: Iterable[Document]
    if isinstance(documents, Document):
        docs = (documents,)
    elif exporter.streaming and not isinstance(documents, Sequence):
        docs = documents
    else:
        docs = tuple(documents)
    plugin = registry.plugin_of("exporter", exporter.name) or "?"

    def write(stream: BinaryIO) -> None:
        try:
            exporter.write(docs, stream, settings)
        except ConvertError:
            raise
        except Exception as exc:
            raise ExportError(
                f"{exporter.name} exporter (plugin {plugin!r}) failed: {type(exc).__name__}: {exc}"
            ) from exc

    if destination is None:
        buffer = io.BytesIO()
        write(buffer)
        return buffer.getvalue()
    if isinstance(destination, (str, os.PathLike)):
        try:
            with atomic_output(destination, force=force) as stream:
                write(stream)
        except ConvertError as error:
            if error.path is None:
                error.path = os.fspath(destination)
            raise
        return None
    write(destination)
    return None


def convert(
    source: Source | Sequence[Source],
    format: str,
    destination: Destination | None = None,
    *,
    reader: str | None = None,
    options: Mapping[str, Any] | None = None,
    force: bool = False,
    registry: Registry | None = None,
) -> bytes | None:
    """Parse one page (or several, into one collection) and export it: :func:`parse` then
    :func:`export`."""
    registry = _registry(registry)
    sources = list(source) if isinstance(source, (list, tuple)) else [source]
    documents = [parse(s, reader=reader, registry=registry) for s in sources]
    paths = [s for s in sources if isinstance(s, (str, os.PathLike))]
    return export(documents, format, destination, options=options, force=force, registry=registry,
                  source_date=files_date(paths))


def files_date(paths: Iterable[str | os.PathLike[str]]) -> datetime.datetime | None:
    """The newest modification time of ``paths`` (UTC, whole seconds); ``None`` for none."""
    newest = None
    for path in paths:
        try:
            mtime = int(os.stat(path).st_mtime)
        except (OSError, ValueError):
            continue
        newest = mtime if newest is None else max(newest, mtime)
    return None if newest is None else datetime.datetime.fromtimestamp(newest, tz=datetime.UTC)


# Names Windows reserves whatever the extension; refused on every platform so that output
# directories can be copied anywhere.
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def output_name(input_name: str, extension: str) -> str:
    """A safe output file name for an input: its stem plus ``extension``, with no directory
    parts (``../`` and absolute paths cannot escape the output directory), no leading dots,
    no reserved device names and no characters file systems reject."""
    stem = Path(input_name.replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem.lstrip(".") else stem
    cleaned = "".join(c if (c.isalnum() or c in "-_. ") and c.isprintable() else "_" for c in stem)
    cleaned = cleaned.strip(" .")[:200]
    if cleaned.split(".")[0].upper() in _RESERVED:
        cleaned = f"_{cleaned}"
    return (cleaned or "document") + extension
