"""The library API: parse a page, export documents, or both at once.

The arguments are checked here, at the boundary: a wrong type is a ``TypeError`` naming the
argument, an impossible value a ``ValueError``; a source or destination that cannot be used
(a missing file, a path holding NUL, a closed stream) is an
:class:`~convert.errors.InputError` or :class:`~convert.errors.OutputError`. Plugins are
called through :func:`call_reader` and the export wrapper here, so that whatever a plugin
raises (``SystemExit`` included) or returns is that plugin's failure, named.
"""

from __future__ import annotations

import datetime
import io
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO, overload

from .errors import ControlFlow, ConvertError, ExportError, IncompletePageError, InputError, OutputError, ReaderError
from .formats import SNIFF_BYTES, Reader, Skipped, resolve_options, split_options
from .plugins import Registry, default_registry
from .textio import DEFAULT_MAX_SIZE, atomic_output, file_identity, open_input, read_head, read_input, read_stream
from .tree import Document

__all__ = ["convert", "export", "parse", "parse_all"]

Source = str | os.PathLike[str] | bytes | BinaryIO
Destination = str | os.PathLike[str] | BinaryIO

#: what passes through a plugin call untouched: the user's Ctrl-C, a generator being closed,
#: and this package's own signals
PASS_THROUGH = (KeyboardInterrupt, GeneratorExit, ControlFlow)


def _registry(registry: Registry | None) -> Registry:
    _check("registry", registry, (Registry, type(None)), "a convert.plugins.Registry or None")
    return registry if registry is not None else default_registry()


def _check(name: str, value: Any, kinds: type | tuple[type, ...], what: str) -> None:
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in _as_tuple(kinds)):
        raise TypeError(f"{name} must be {what}, not {type(value).__name__}")


def _as_tuple(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def _check_common(options: Any, registry: Any) -> None:
    _check("options", options, (Mapping, type(None)), "a mapping of option names to values, or None")
    _check("registry", registry, (Registry, type(None)), "a convert.plugins.Registry or None")


def _check_max_size(max_size: Any) -> None:
    _check("max_size", max_size, (int, type(None)), "a whole number of bytes, or None")
    if max_size is not None and max_size < 0:
        raise ValueError(f"max_size must be at least 0, got {max_size}")


def _check_reading(reader: Any, name: Any, encoding: Any, strict: Any, max_size: Any,
                   options: Any, registry: Any) -> None:
    """:func:`parse`'s and :func:`parse_all`'s arguments, checked at the boundary."""
    _check("reader", reader, (str, type(None)), "a reader name (str) or None")
    _check("name", name, (str, type(None)), "a str or None")
    _check("encoding", encoding, (str, type(None)), "an encoding name (str) or None")
    _check("strict", strict, bool, "True or False")
    _check_max_size(max_size)
    _check_common(options, registry)


def parse(
    source: Source,
    *,
    reader: str | None = None,
    name: str | None = None,
    encoding: str | None = None,
    options: Mapping[str, Any] | None = None,
    max_size: int | None = DEFAULT_MAX_SIZE,
    strict: bool = False,
    registry: Registry | None = None,
) -> Document:
    """Read a page into a :class:`~convert.tree.Document`.

    ``source`` is a path (``str`` or path-like), the page's bytes, or a binary file object.
    ``reader`` names the input format; by default it is chosen from the file name's
    extension, else from the input's first bytes (a reader's ``sniff``: HTML, a web
    archive...), falling back to ``protocol`` (a saved Protocol page). ``name`` is recorded
    as the source name (the path's file name by default). ``encoding`` overrides the
    detection of the text encoding. No more than ``max_size`` bytes are read (None: no
    limit; for an input a streaming reader reads, a web archive, it bounds each page).
    ``options`` are the reader's declared options, in the one shape every function takes
    (see :func:`convert.formats.options_for`).

    Every error names the path as it was given (``Document.source.path`` holds it too).
    Raises :class:`~convert.errors.InputError` for input that cannot be read (a missing file
    is an :class:`~convert.errors.InputNotFoundError`, also a ``FileNotFoundError``), and for
    an input that holds several documents (a web archive of several pages: read it with
    :func:`parse_all`); :class:`~convert.errors.ReaderError` when the reader fails. With
    ``strict``, a page the reader could not make out (``Document.warnings``: no headline, no
    body...) is an :class:`~convert.errors.IncompletePageError` instead of a document.
    """
    _check_reading(reader, name, encoding, strict, max_size, options, registry)
    registry = _registry(registry)
    path: str | None = None
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not isinstance(path, str):
            raise TypeError(f"source must be a str path, not {type(path).__name__}")
        name = name if name is not None else os.path.basename(path)
        chosen = _choose(registry, reader, name, lambda: read_head(path))
        if chosen.streaming:
            return _only(parse_all(path, reader=chosen.name, name=name, encoding=encoding, options=options,
                                   max_size=max_size, strict=strict, registry=registry), path)
        data = read_input(path, max_size=max_size)
        where = path
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        where = name or "<bytes>"
        if max_size is not None and len(data) > max_size:
            from .errors import InputTooLargeError

            raise InputTooLargeError(f"is {len(data):,} bytes, over the {max_size:,}-byte limit", path=where)
    elif callable(getattr(source, "read", None)):
        if isinstance(source, io.TextIOBase):
            raise TypeError("source must be a binary stream (open the file with 'rb'), not a text stream")
        where = _stream_where(source, name)
        if name is None:
            name = _source_name(source)
        data = read_stream(source, name=where, max_size=max_size)
    else:
        raise TypeError(f"source must be a path, bytes or a binary stream, not {type(source).__name__}")
    if path is None:
        chosen = _choose(registry, reader, name, lambda: data[:SNIFF_BYTES])
        if chosen.streaming:
            return _only(parse_all(data, reader=chosen.name, name=name, encoding=encoding, options=options,
                                   max_size=max_size, strict=strict, registry=registry), where)
    settings = _settings(chosen, options, encoding, max_size, registry.readers)
    return call_reader(chosen, data, name, settings, registry, where=where, path=path, strict=strict)


def call_reader(chosen: Reader, data: bytes, name: str | None, settings: Mapping[str, Any],
                registry: Registry, *, where: str | None = None, path: str | None = None,
                strict: bool = False) -> Document:
    """``chosen.read(data, name, settings)``, with whatever the plugin does wrong made its
    failure: anything raised but a :class:`ConvertError` (``SystemExit`` included), or a
    result that is not a :class:`Document`, is a :class:`ReaderError` naming the input, the
    reader and its plugin.

    ``where`` is the input as the caller named it (its path as given): errors name it,
    also those the reader raised naming the file name it was shown. ``path``, when the
    input is a file, is recorded as the document's ``source.path``. ``strict`` makes a
    document with warnings an :class:`~convert.errors.IncompletePageError`.
    """
    where = where or name or "<stdin>"
    plugin = registry.plugin_of("reader", chosen.name) or "?"
    try:
        document = chosen.read(data, name, settings)
    except ConvertError as error:
        _name_input(error, name, where)
        raise
    except PASS_THROUGH:
        raise
    except BaseException as exc:
        raise ReaderError(
            f"{chosen.name} reader (plugin {plugin!r}) failed: {_describe(exc)}", path=where
        ) from exc
    if not isinstance(document, Document):
        raise ReaderError(
            f"{chosen.name} reader (plugin {plugin!r}) returned {type(document).__name__}, not a Document",
            path=where,
        )
    return _finished(document, where, path, strict)


def _name_input(error: ConvertError, name: str | None, where: str) -> None:
    """Make ``error`` name the input as the caller gave it: a reader only knows its file name."""
    if error.path is None or (error.path == name and name != where):
        error.path = where


def _finished(document: Document, where: str, path: str | None, strict: bool) -> Document:
    """The document as the caller gets it: its ``source.path`` set; refused if ``strict``
    and the reader could not make the page out."""
    if strict and document.warnings:
        raise IncompletePageError("; ".join(document.warnings), path=where)
    if path is not None and document.source.path != path:
        document = replace(document, source=replace(document.source, path=path))
    return document


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"it called sys.exit({exc.code!r})"
    detail = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


class GuardedStream:
    """The stream an exporter is given: the destination's, watched.

    A failure to write (a full disk, a closed pipe) is an
    :class:`~convert.errors.OutputError` naming the destination, never the exporter's
    failure; closing the stream is the exporter's failure (the destination is not closed).
    Everything else is passed to the real stream.
    """

    def __init__(self, stream: BinaryIO, name: str) -> None:
        self._stream = stream
        self._name = name
        self.failure: OutputError | None = None
        self.closed_by_plugin = False

    def _failed(self, exc: OSError) -> OutputError:
        self.failure = OutputError(f"cannot write: {exc.strerror or exc}", path=self._name)
        self.failure.__cause__ = exc
        return self.failure

    def write(self, data: Any) -> int:
        if self.closed_by_plugin:
            raise ValueError("write to a closed file")
        try:
            return self._stream.write(data)
        except OSError as exc:
            raise self._failed(exc) from exc

    def writelines(self, lines: Iterable[Any]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        flush = getattr(self._stream, "flush", None)
        if self.closed_by_plugin or flush is None:
            return
        try:
            flush()
        except OSError as exc:
            raise self._failed(exc) from exc

    def close(self) -> None:
        self.closed_by_plugin = True

    @property
    def closed(self) -> bool:
        return self.closed_by_plugin or bool(getattr(self._stream, "closed", False))

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def __enter__(self) -> GuardedStream:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:  # tell, seek, seekable, fileno, ...
        return getattr(self._stream, name)


def _documents(documents: Any, streaming: bool) -> Iterable[Document]:
    if isinstance(documents, Document):
        return (documents,)
    if isinstance(documents, (str, bytes)) or not isinstance(documents, Iterable):
        raise TypeError(f"documents must be a Document or an iterable of Documents, not {type(documents).__name__}")
    if streaming and not isinstance(documents, Sequence):
        return _checked(documents)
    docs = tuple(documents)
    for index, item in enumerate(docs):
        if not isinstance(item, Document):
            raise TypeError(f"documents[{index}] must be a Document, not {type(item).__name__}")
    return docs


class _NotADocument(ControlFlow):
    """The caller's iterator gave something that is not a Document: carried through the
    exporter consuming it (which is not to blame) as a control-flow signal, then raised
    as the TypeError it is."""

    def __init__(self, error: TypeError) -> None:
        super().__init__(str(error))
        self.error = error


def _checked(documents: Iterable[Any]) -> Iterator[Document]:
    for index, item in enumerate(documents):
        if not isinstance(item, Document):
            raise _NotADocument(TypeError(f"documents[{index}] must be a Document, not {type(item).__name__}"))
        yield item


def parse_all(
    source: Source,
    *,
    reader: str | None = None,
    name: str | None = None,
    encoding: str | None = None,
    options: Mapping[str, Any] | None = None,
    max_size: int | None = DEFAULT_MAX_SIZE,
    strict: bool = False,
    registry: Registry | None = None,
    on_error: Callable[[InputError], None] | None = None,
    on_skip: Callable[[Skipped], None] | None = None,
) -> Iterator[Document]:
    """Every document an input holds, lazily, as it is read: the one page of most inputs, or
    each page of an input read by a *streaming* reader (a web archive), whose input is read
    as a stream and never held in memory whole (``max_size`` then limits each page).

    The arguments are :func:`parse`'s. A part of the input that cannot be read raises its
    :class:`~convert.errors.InputError`, ending the iteration, unless ``on_error`` is given:
    it is then called with the error and the reading goes on (with ``strict``, a page the
    reader could not make out is such a part). ``on_skip`` is called with a
    :class:`~convert.formats.Skipped` for each part the reader passed over on purpose (an
    archive's request and redirect records...).

    The arguments are checked at once, before the first document is asked for.
    """
    _check_reading(reader, name, encoding, strict, max_size, options, registry)
    if isinstance(source, (str, os.PathLike)):
        if not isinstance(os.fspath(source), str):
            raise TypeError(f"source must be a str path, not {type(os.fspath(source)).__name__}")
    elif isinstance(source, (bytearray, memoryview)):
        source = bytes(source)
    elif not isinstance(source, bytes):
        if not callable(getattr(source, "read", None)):
            raise TypeError(f"source must be a path, bytes or a binary stream, not {type(source).__name__}")
        if isinstance(source, io.TextIOBase):
            raise TypeError("source must be a binary stream (open the file with 'rb'), not a text stream")
    reading = _Reading(_registry(registry), encoding, options, max_size, strict, on_error, on_skip)
    return _parse_all(source, reader, name, reading)


class _Reading:
    """What :func:`parse_all` passes along: how to read, and where to hand what goes wrong."""

    __slots__ = ("encoding", "max_size", "on_error", "on_skip", "options", "registry", "strict")

    def __init__(self, registry: Registry, encoding: str | None, options: Mapping[str, Any] | None,
                 max_size: int | None, strict: bool, on_error: Callable[[InputError], None] | None,
                 on_skip: Callable[[Skipped], None] | None) -> None:
        self.registry = registry
        self.encoding = encoding
        self.options = options
        self.max_size = max_size
        self.strict = strict
        self.on_error = on_error
        self.on_skip = on_skip

    def parse(self, source: Source, reader: str, name: str | None) -> Document:
        return parse(source, reader=reader, name=name, encoding=self.encoding, options=self.options,
                     max_size=self.max_size, strict=self.strict, registry=self.registry)


def _parse_all(source: Source, reader: str | None, name: str | None, reading: _Reading) -> Iterator[Document]:
    registry = reading.registry
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        name = name if name is not None else os.path.basename(path)
        chosen = _choose(registry, reader, name, lambda: read_head(path))
        if not chosen.streaming:
            yield reading.parse(path, chosen.name, name)
            return
        with open_input(path) as stream:
            yield from _streamed(chosen, stream, name, path, path, reading)
        return
    if isinstance(source, bytes):
        stream: BinaryIO = io.BytesIO(source)
        where = name or "<bytes>"
    else:
        stream = source
        where = _stream_where(source, name)
        if name is None:
            name = _source_name(source)
    peek = getattr(stream, "peek", None)
    if reader or callable(peek) or isinstance(source, bytes):
        head = source[:SNIFF_BYTES] if isinstance(source, bytes) else (peek(SNIFF_BYTES)[:SNIFF_BYTES] if peek else b"")
        chosen = _choose(registry, reader, name, lambda: head)
    else:  # a stream we cannot look into without reading it: read it all, then choose
        data = stream.read()
        stream = io.BytesIO(data)
        chosen = _choose(registry, reader, name, lambda: data[:SNIFF_BYTES])
    if not chosen.streaming:
        yield reading.parse(stream, chosen.name, name)
        return
    yield from _streamed(chosen, stream, name, where, None, reading)


def _choose(registry: Registry, reader: str | None, name: str | None, head: Callable[[], bytes]) -> Reader:
    """The named reader; else the one for the name's extension; else by the first bytes."""
    if reader:
        return registry.reader(reader)
    found = registry.reader_by_extension(name)
    return found if found is not None else registry.reader_for(None, head=head())


def _settings(chosen: Reader, options: Mapping[str, Any] | None, encoding: str | None,
              max_size: int | None, readers: Collection[str] = ()) -> dict[str, Any]:
    given = split_options(options, [chosen], others=readers)[chosen.name]
    settings = resolve_options(chosen.options, given, owner=chosen.name)
    # Every reader also gets these two, declared or not: decoding is common to all text.
    settings["encoding"] = encoding
    settings["max_size"] = max_size
    return settings


def _source_name(stream: Any) -> str | None:
    """A stream's file name, to record as the source's name."""
    raw_name = getattr(stream, "name", None)
    return os.path.basename(raw_name) if isinstance(raw_name, str) else None


def _stream_where(stream: Any, name: str | None) -> str:
    """How errors name a stream: the name given, else its own (a file's path as opened)."""
    if name is not None:
        return name
    own = getattr(stream, "name", None)
    return own if isinstance(own, str) else "<stream>"


def _streamed(chosen: Reader, stream: BinaryIO, name: str | None, where: str, path: str | None,
              reading: _Reading) -> Iterator[Document]:
    """A streaming reader's documents; its errors and skips handed on as asked, and whatever
    else it does wrong made its failure (as :func:`call_reader` does)."""
    registry = reading.registry
    settings = _settings(chosen, reading.options, reading.encoding, reading.max_size, registry.readers)
    plugin = registry.plugin_of("reader", chosen.name) or "?"

    def failed(error: InputError) -> None:
        _name_input(error, name, where)
        if reading.on_error is None:
            raise error
        reading.on_error(error)

    try:
        for item in chosen.read(stream, name, settings):  # type: ignore[arg-type, union-attr]
            if isinstance(item, Document):
                try:
                    yield _finished(item, where, path, reading.strict)
                except IncompletePageError as incomplete:
                    failed(incomplete)
            elif isinstance(item, Skipped):
                if reading.on_skip is not None:
                    reading.on_skip(item)
            elif isinstance(item, InputError):
                failed(item)
            else:
                raise ReaderError(f"{chosen.name} reader (plugin {plugin!r}) yielded {type(item).__name__}, "
                                  "not a Document, an InputError or a Skipped", path=where)
    except ConvertError as error:
        _name_input(error, name, where)
        raise
    except PASS_THROUGH:
        raise
    except BaseException as exc:  # whatever the plugin raised, SystemExit included, is its failure
        raise ReaderError(f"{chosen.name} reader (plugin {plugin!r}) failed: {_describe(exc)}", path=where) from exc


def _only(documents: Iterator[Document], where: str | None) -> Document:
    """The one document of an input, or an error saying there is none, or more than one."""
    first = next(documents, None)
    if first is None:
        raise InputError("holds no page that can be read", path=where or "<stdin>")
    if next(documents, None) is not None:
        documents.close()  # type: ignore[attr-defined]
        raise InputError("holds several pages: read them with parse_all", path=where or "<stdin>")
    return first


@overload
def export(
    documents: Document | Iterable[Document],
    format: str,
    destination: None = None,
    *,
    options: Mapping[str, Any] | None = None,
    force: bool = False,
    registry: Registry | None = None,
    source_date: datetime.datetime | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
    captures: str = "latest",
) -> bytes: ...


@overload
def export(
    documents: Document | Iterable[Document],
    format: str,
    destination: Destination,
    *,
    options: Mapping[str, Any] | None = None,
    force: bool = False,
    registry: Registry | None = None,
    source_date: datetime.datetime | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
    captures: str = "latest",
) -> None: ...


def export(
    documents: Document | Iterable[Document],
    format: str,
    destination: Destination | None = None,
    *,
    options: Mapping[str, Any] | None = None,
    force: bool = False,
    registry: Registry | None = None,
    source_date: datetime.datetime | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
    captures: str = "latest",
) -> bytes | None:
    """Write one document, or a collection, in ``format`` (``epub``, ``json``...).

    ``documents`` is one :class:`~convert.tree.Document` (one page), or an iterable of them
    (a collection, whatever its length: ``[document]`` is a collection of one, written as
    one, ``{"documents": [...]}`` in JSON). With no ``destination`` the bytes are returned
    (typed ``bytes``); a path is written atomically (a temporary file renamed into place)
    and an existing file is refused unless ``force`` (which replaces only a regular file,
    and never one of ``inputs``, the files the documents were read from); a binary stream is
    written to directly (both return ``None``). ``options`` are the exporter's declared
    options, in the one shape every function takes (``{"language": "en-GB"}``, or qualified,
    ``{"epub.language": "en-GB"}``: see :func:`convert.formats.split_options`;
    :func:`convert.list_formats` and ``protocol-convert formats --options`` list them).

    A *streaming* exporter (``Exporter(streaming=True)``, such as ``jsonl``) given an
    iterator of documents takes them one at a time as it writes, so no more than one page
    need be in memory; any other exporter gets them all at once.

    ``source_date`` is the newest modification time of the input files, the date of last
    resort (:func:`convert.present.output_date`); the exporter finds it in its options as
    ``source_date``, and ``collection`` (whether it writes a collection) beside it.

    A collection keeps one capture of each page (documents whose main story has the same
    canonical URL): the latest (``captures="latest"``), the earliest (``"earliest"``) or
    every one (``"all"``); see :func:`convert.collection.distinct_captures`.
    """
    from .collection import distinct_captures, iter_distinct_captures

    _check("format", format, str, "a format name (str)")
    _check("force", force, bool, "True or False")
    _check_common(options, registry)
    if destination is not None and not isinstance(destination, (str, os.PathLike)):
        if not callable(getattr(destination, "write", None)):
            raise TypeError(f"destination must be a path, a binary stream or None, not {type(destination).__name__}")
        if isinstance(destination, io.TextIOBase):
            raise TypeError("destination must be a binary stream (open the file with 'wb'), not a text stream")
        if getattr(destination, "closed", False):
            raise OutputError("the destination stream is closed", path=_stream_name(destination))
    registry = _registry(registry)
    exporter = registry.exporter(format)
    given = split_options(options, [exporter])[exporter.name]
    settings = resolve_options(exporter.options, given, owner=exporter.name)
    settings.setdefault("source_date", source_date)
    settings.setdefault("collection", not isinstance(documents, Document))
    docs = _documents(documents, exporter.streaming)
    if isinstance(docs, tuple):
        docs = distinct_captures(docs, captures)
    elif not isinstance(documents, Document):
        docs = iter_distinct_captures(docs, captures)
    plugin = registry.plugin_of("exporter", exporter.name) or "?"

    def write(stream: BinaryIO, name: str) -> None:
        guarded = GuardedStream(stream, name)
        try:
            exporter.write(docs, guarded, settings)  # type: ignore[arg-type]
        except _NotADocument as wrong:
            raise wrong.error from None
        except ConvertError:
            raise
        except PASS_THROUGH:
            raise
        except BaseException as exc:
            if guarded.failure is not None:  # the stream failed, and the exporter said so its own way
                raise guarded.failure from None
            raise ExportError(f"{exporter.name} exporter (plugin {plugin!r}) failed: {_describe(exc)}") from exc
        if guarded.closed_by_plugin:
            raise ExportError(f"{exporter.name} exporter (plugin {plugin!r}) closed the output stream")
        guarded.flush()

    if destination is None:
        buffer = io.BytesIO()
        write(buffer, "<bytes>")
        return buffer.getvalue()
    if isinstance(destination, (str, os.PathLike)):
        target = os.fspath(destination)
        protected = _InputIdentities(inputs)
        try:
            with atomic_output(target, force=force, inputs=protected) as stream:
                write(stream, target)
        except ConvertError as error:
            if error.path is None:
                error.path = target
            raise
        return None
    write(destination, _stream_name(destination))
    return None


def _stream_name(stream: Any) -> str:
    name = getattr(stream, "name", None)
    return name if isinstance(name, str) else "<stream>"


@overload
def convert(
    source: Source | Sequence[Source],
    format: str,
    destination: None = None,
    *,
    reader: str | None = None,
    options: Mapping[str, Any] | None = None,
    reader_options: Mapping[str, Any] | None = None,
    force: bool = False,
    strict: bool = False,
    registry: Registry | None = None,
    captures: str = "latest",
) -> bytes: ...


@overload
def convert(
    source: Source | Sequence[Source],
    format: str,
    destination: Destination,
    *,
    reader: str | None = None,
    options: Mapping[str, Any] | None = None,
    reader_options: Mapping[str, Any] | None = None,
    force: bool = False,
    strict: bool = False,
    registry: Registry | None = None,
    captures: str = "latest",
) -> None: ...


def convert(
    source: Source | Sequence[Source],
    format: str,
    destination: Destination | None = None,
    *,
    reader: str | None = None,
    options: Mapping[str, Any] | None = None,
    reader_options: Mapping[str, Any] | None = None,
    force: bool = False,
    strict: bool = False,
    registry: Registry | None = None,
    captures: str = "latest",
) -> bytes | None:
    """Parse and export: :func:`parse_all` then :func:`export`. One source of one page makes
    one page; a list of sources, or a source of several pages (a web archive), a collection.
    ``options`` are the exporter's, ``reader_options`` the reader's (both in the one shape of
    :func:`convert.formats.split_options`). A destination that is one of the sources is
    refused, even with ``force``."""
    registry = _registry(registry)
    several = isinstance(source, (list, tuple))
    sources: list[Source] = list(source) if isinstance(source, (list, tuple)) else [source]  # type: ignore[arg-type]
    documents = [d for s in sources for d in parse_all(s, reader=reader, options=reader_options, strict=strict,
                                                        registry=registry)]
    paths = [s for s in sources if isinstance(s, (str, os.PathLike))]
    pages: Document | list[Document] = documents[0] if len(documents) == 1 and not several else documents
    return export(pages, format, destination, options=options, force=force, registry=registry,
                  source_date=files_date(paths), inputs=paths, captures=captures)


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


class _InputIdentities(Collection[tuple[int, int]]):
    """The ``(device, inode)`` of each input, stat'ed only when first asked: the output is
    checked against them only when it exists (at the start or, with ``--force``, again before
    the rename), so a new file costs no stat of the 100,000 pages a collection names."""

    def __init__(self, paths: Iterable[str | os.PathLike[str]]) -> None:
        self._paths: Iterable[str | os.PathLike[str]] | None = paths
        self._identities: set[tuple[int, int]] = set()
        self._any = bool(paths) if isinstance(paths, Sized) else True

    def _known(self) -> set[tuple[int, int]]:
        if self._paths is not None:
            self._identities = {i for i in map(file_identity, self._paths) if i is not None}
            self._paths = None
        return self._identities

    def __bool__(self) -> bool:
        return self._any

    def __contains__(self, identity: object) -> bool:
        return identity in self._known()

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self._known())

    def __len__(self) -> int:
        return len(self._known())
