"""The library API: parse a page, export documents, or both at once."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from .errors import ConvertError, ExportError, InputError, PluginError
from .formats import SNIFF_BYTES, Reader, Skipped, resolve_options
from .plugins import Registry, default_registry
from .textio import DEFAULT_MAX_SIZE, atomic_output, open_input, read_head, read_input
from .tree import Document

__all__ = ["convert", "export", "parse", "parse_all"]

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
    extension, else from the input's first bytes (a reader's ``sniff``: HTML, a web
    archive...), falling back to ``protocol`` (a saved Protocol page). ``name`` is recorded
    as the source name (the path's file name by default). ``encoding`` overrides the
    detection of the text encoding. Raises
    :class:`~convert.errors.InputError` for input that cannot be read, and for an input
    that holds several documents (a web archive of several pages: read it with
    :func:`parse_all`).
    """
    registry = _registry(registry)
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        name = name if name is not None else os.path.basename(path)
        chosen = _choose(registry, reader, name, lambda: read_head(path))
        if chosen.streaming:
            return _only(parse_all(path, reader=chosen.name, name=name, encoding=encoding, options=options,
                                   max_size=max_size, registry=registry), name)
        data = read_input(path, max_size=max_size)
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.read()
        if name is None:
            name = _stream_name(source)
    if not isinstance(source, (str, os.PathLike)):
        chosen = _choose(registry, reader, name, lambda: data[:SNIFF_BYTES])
        if chosen.streaming:
            return _only(parse_all(data, reader=chosen.name, name=name, encoding=encoding, options=options,
                                   max_size=max_size, registry=registry), name)
    settings = _settings(chosen, options, encoding, max_size)
    try:
        return chosen.read(data, name, settings)  # type: ignore[arg-type, return-value]
    except ConvertError as error:
        if error.path is None:
            error.path = name or "<stdin>"
        raise


def parse_all(
    source: Source,
    *,
    reader: str | None = None,
    name: str | None = None,
    encoding: str | None = None,
    options: Mapping[str, Any] | None = None,
    max_size: int | None = DEFAULT_MAX_SIZE,
    registry: Registry | None = None,
    on_error: Callable[[InputError], None] | None = None,
    on_skip: Callable[[Skipped], None] | None = None,
) -> Iterator[Document]:
    """Every document an input holds, lazily, as it is read: the one page of most inputs, or
    each page of an input read by a *streaming* reader (a web archive), whose input is read
    as a stream and never held in memory whole (``max_size`` then limits each page).

    The arguments are :func:`parse`'s. A part of the input that cannot be read raises its
    :class:`~convert.errors.InputError`, ending the iteration, unless ``on_error`` is given:
    it is then called with the error and the reading goes on. ``on_skip`` is called with a
    :class:`~convert.formats.Skipped` for each part the reader passed over on purpose (an
    archive's request and redirect records...).
    """
    registry = _registry(registry)
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        name = name if name is not None else os.path.basename(path)
        chosen = _choose(registry, reader, name, lambda: read_head(path))
        if not chosen.streaming:
            yield parse(path, reader=chosen.name, name=name, encoding=encoding, options=options,
                        max_size=max_size, registry=registry)
            return
        with open_input(path) as stream:
            yield from _streamed(chosen, stream, name, _settings(chosen, options, encoding, max_size),
                                 on_error, on_skip)
        return
    if isinstance(source, bytes):
        stream: BinaryIO = io.BytesIO(source)
    else:
        stream = source
        if name is None:
            name = _stream_name(source)
    peek = getattr(stream, "peek", None)
    if reader or callable(peek) or isinstance(source, bytes):
        head = source[:SNIFF_BYTES] if isinstance(source, bytes) else (peek(SNIFF_BYTES)[:SNIFF_BYTES] if peek else b"")
        chosen = _choose(registry, reader, name, lambda: head)
    else:  # a stream we cannot look into without reading it: read it all, then choose
        data = stream.read()
        stream = io.BytesIO(data)
        chosen = _choose(registry, reader, name, lambda: data[:SNIFF_BYTES])
    if not chosen.streaming:
        yield parse(stream, reader=chosen.name, name=name, encoding=encoding, options=options,
                    max_size=max_size, registry=registry)
        return
    yield from _streamed(chosen, stream, name, _settings(chosen, options, encoding, max_size), on_error, on_skip)


def _choose(registry: Registry, reader: str | None, name: str | None, head: Callable[[], bytes]) -> Reader:
    """The named reader; else the one for the name's extension; else by the first bytes."""
    if reader:
        return registry.reader(reader)
    found = registry.reader_by_extension(name)
    return found if found is not None else registry.reader_for(None, head=head())


def _settings(chosen: Reader, options: Mapping[str, Any] | None, encoding: str | None,
              max_size: int | None) -> dict[str, Any]:
    settings = resolve_options(chosen.options, options, owner=chosen.name)
    # Every reader also gets these two, declared or not: decoding is common to all text.
    settings["encoding"] = encoding
    settings["max_size"] = max_size
    return settings


def _stream_name(stream: Any) -> str | None:
    raw_name = getattr(stream, "name", None)
    return os.path.basename(raw_name) if isinstance(raw_name, str) else None


def _streamed(chosen: Reader, stream: BinaryIO, name: str | None, settings: dict[str, Any],
              on_error: Callable[[InputError], None] | None,
              on_skip: Callable[[Skipped], None] | None) -> Iterator[Document]:
    """A streaming reader's documents; its errors and skips handed on as asked."""
    where = name or "<stdin>"
    try:
        for item in chosen.read(stream, name, settings):  # type: ignore[arg-type, union-attr]
            if isinstance(item, Document):
                yield item
            elif isinstance(item, Skipped):
                if on_skip is not None:
                    on_skip(item)
            elif isinstance(item, InputError):
                if item.path is None:
                    item.path = where
                if on_error is None:
                    raise item
                on_error(item)
            else:
                raise PluginError(f"the {chosen.name} reader yielded {type(item).__name__}, not a Document, "
                                  "an InputError or a Skipped", path=where)
    except ConvertError as error:
        if error.path is None:
            error.path = where
        raise


def _only(documents: Iterator[Document], name: str | None) -> Document:
    """The one document of an input, or an error saying there is none, or more than one."""
    first = next(documents, None)
    if first is None:
        raise InputError("holds no page that can be read", path=name or "<stdin>")
    if next(documents, None) is not None:
        documents.close()  # type: ignore[attr-defined]
        raise InputError("holds several pages: convert it with --collection, or -o DIRECTORY for one file "
                         "per page (in Python: convert.parse_all)", path=name or "<stdin>")
    return first


def export(
    documents: Document | Iterable[Document],
    format: str,
    destination: Destination | None = None,
    *,
    options: Mapping[str, Any] | None = None,
    force: bool = False,
    registry: Registry | None = None,
    captures: str = "latest",
) -> bytes | None:
    """Write one document, or several as one collection, in ``format`` (``epub``, ``json``...).

    With no ``destination`` the bytes are returned. A path is written atomically (a
    temporary file renamed into place) and an existing file is refused unless ``force``; a
    binary stream is written to directly. ``options`` are the exporter's declared options
    (``protocol-convert formats --options`` lists them).

    A *streaming* exporter (``Exporter(streaming=True)``, such as ``jsonl``) given an
    iterator of documents takes them one at a time as it writes, so no more than one page
    need be in memory; any other exporter gets them all at once.

    A collection keeps one capture of each page (documents whose main story has the same
    canonical URL): the latest (``captures="latest"``), the earliest (``"earliest"``) or
    every one (``"all"``); see :func:`convert.collection.distinct_captures`.
    """
    from .collection import distinct_captures, iter_distinct_captures

    registry = _registry(registry)
    exporter = registry.exporter(format)
    settings = resolve_options(exporter.options, options, owner=exporter.name)
    docs: Iterable[Document]
    if isinstance(documents, Document):
        docs = (documents,)
    elif exporter.streaming and not isinstance(documents, Sequence):
        docs = iter_distinct_captures(documents, captures)
    else:
        docs = distinct_captures(tuple(documents), captures)
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
    captures: str = "latest",
) -> bytes | None:
    """Parse one page (or several, into one collection) and export it: :func:`parse_all`
    then :func:`export` (a web archive's pages make a collection too)."""
    registry = _registry(registry)
    sources = list(source) if isinstance(source, (list, tuple)) else [source]
    documents = [d for s in sources for d in parse_all(s, reader=reader, registry=registry)]
    return export(documents, format, destination, options=options, force=force, registry=registry,
                  captures=captures)


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
