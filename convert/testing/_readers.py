"""The conformance kit's checks of a reader (see :func:`check_reader`).

A reader is given its author's sample inputs (the kit cannot invent pages of a format it does
not know) and, for the ``bad-input`` check, inputs no reader should take for a page. The
checks (:data:`READER_CHECKS`):

``record``
    The :class:`~convert.formats.Reader` record is well formed: a lower-case name,
    extensions with their dot, a callable ``read`` (and ``sniff``, when given), options with
    unique names, help, and a default of their own type.
``document``
    Each sample gives a :class:`~convert.tree.Document` (a streaming reader: one or more,
    each a Document, an ``InputError`` or a ``Skipped``), whose source names the reader and
    the input, with the sha256 of the input's bytes (a streaming reader's documents: of what
    they were read from, 64 hex digits); stories with a known role and unique, non-empty ids.
    (A reader that restores a saved tree, as ``json`` does, keeps the tree's own source:
    ``skip=("document",)``.)
``unknown``
    What a page does not say stays ``None``: no text field is empty, blank, or a placeholder
    (``None``, ``null``, ``N/A``, ``Unknown``, ``Untitled``...); a date is a real ISO 8601
    date (never 1970-01-01), a URL absolute; an image has at least one of its three texts.
``json``
    Each document survives the JSON form: the published schema accepts it and it loads back
    equal (:func:`convert.dumps`, :func:`convert.loads`).
``bad-input``
    Empty input, white space alone, a PNG and binary noise raise an
    :class:`~convert.errors.InputError`, never another exception, and never give a document;
    a streaming reader may yield the errors instead of raising them, and must bound each part
    by ``max_size`` (an :class:`~convert.errors.InputTooLargeError` for each part of a
    sample read with ``max_size=1``: the library bounds what it hands any other reader).
``deterministic``
    Reading a sample twice gives equal documents and byte-identical JSON.
``warnings``
    :attr:`~convert.tree.Document.warnings` is a tuple of one-line, non-empty sentences.
``quiet``
    Reading prints nothing on stdout or stderr.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import io
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConvertError, InputError, InputTooLargeError
from ..formats import Reader, Skipped, resolve_options
from ..textio import DEFAULT_MAX_SIZE
from ..tree import ROLES, Document
from ._exporters import option_problems, run_all

__all__ = ["READER_CHECKS", "ReaderInput", "check_reader", "run_reader_check"]

#: a sample input: a path, or ``(name, bytes)``
ReaderInput = str | os.PathLike[str] | tuple[str, bytes]

_PLACEHOLDERS = frozenset({"none", "null", "nil", "undefined", "n/a", "na", "unknown", "untitled", "-", "?"})
_BAD_INPUTS = {
    "empty": b"",
    "white space": b" \n\t\n ",
    "a PNG image": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00",
    "binary noise": bytes((i * 151 + 7) % 256 for i in range(4096)),
}


@dataclass
class _ReaderContext:
    reader: Reader
    samples: list[tuple[str, bytes]]
    options: dict[str, Any]
    printed: list[str] = field(default_factory=list)

    def settings(self, max_size: int | None = DEFAULT_MAX_SIZE) -> dict[str, Any]:
        settings = dict(self.options)
        settings.setdefault("encoding", None)
        settings["max_size"] = max_size
        return settings

    def read(self, name: str | None, data: bytes, max_size: int | None = DEFAULT_MAX_SIZE) -> list[Any]:
        """What reading gives: ``[document]``, or a streaming reader's items. A
        ConvertError passes through; any other exception becomes an AssertionError naming it."""
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                if self.reader.streaming:
                    return list(self.reader.read(io.BytesIO(data), name, self.settings(max_size)))  # type: ignore[arg-type, call-overload]
                return [self.reader.read(data, name, self.settings(max_size))]  # type: ignore[arg-type]
        except ConvertError:
            raise
        except Exception as exc:
            raise AssertionError(
                f"{self.reader.name}: read raised {type(exc).__name__}: {exc} "
                "(raise a convert.errors.InputError for input that cannot be read)"
            ) from exc
        finally:
            self.printed.extend(s for s in (out.getvalue(), err.getvalue()) if s)

    def documents(self, name: str, data: bytes) -> list[Document]:
        items = self.read(name, data)
        documents = [i for i in items if isinstance(i, Document)]
        wrong = [i for i in items if not isinstance(i, (Document, InputError, Skipped))]
        if wrong or not documents or (not self.reader.streaming and len(items) != 1):
            got = ", ".join(sorted({type(i).__name__ for i in items})) or "nothing"
            raise AssertionError(f"{self.reader.name}: reading {name} gave {got}, not a Document")
        return documents


def _check_record(ctx: _ReaderContext) -> None:
    reader = ctx.reader
    problems = []
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", reader.name or ""):
        problems.append(f"name {reader.name!r} should be lower-case letters, digits, '-' or '_'")
    for extension in reader.extensions:
        if not re.fullmatch(r"\.[A-Za-z0-9][A-Za-z0-9._-]*", extension or ""):
            problems.append(f"extension {extension!r} should start with a dot, like '.md'")
    if not callable(reader.read):
        problems.append("read is not callable")
    if reader.sniff is not None and not callable(reader.sniff):
        problems.append("sniff is not callable")
    problems.extend(option_problems(reader.options, owner=reader.name))
    if problems:
        raise AssertionError(f"{reader.name}: " + "; ".join(problems))


def _check_document(ctx: _ReaderContext) -> None:
    problems = []
    for name, data in ctx.samples:
        for document in ctx.documents(name, data):
            source = document.source
            if source.reader != ctx.reader.name:
                problems.append(f"{name}: source.reader is {source.reader!r}, not {ctx.reader.name!r}")
            if not (source.name or "").startswith(name):
                problems.append(f"{name}: source.name is {source.name!r}, not the input's name")
            wrong_digest = not ctx.reader.streaming and source.sha256 != hashlib.sha256(data).hexdigest()
            if not re.fullmatch(r"[0-9a-f]{64}", source.sha256) or wrong_digest:
                problems.append(f"{name}: source.sha256 is not the sha256 of the input's bytes")
            ids = [a.id for a in document.articles]
            if any(not i for i in ids) or len(set(ids)) != len(ids):
                problems.append(f"{name}: story ids must be non-empty and unique in a document: {ids}")
            problems.extend(f"{name}: role {a.role!r} is none of {', '.join(ROLES)}"
                            for a in document.articles if a.role not in ROLES)
    if problems:
        raise AssertionError(f"{ctx.reader.name}: " + "; ".join(problems))


def _texts(document: Document) -> Iterable[tuple[str, str | None]]:
    """Every optional text of the tree, with where it is."""
    for index, article in enumerate(document.articles):
        at = f"articles[{index}]"
        for key in ("title", "section", "dek", "date", "url"):
            yield f"{at}.{key}", getattr(article, key)
        for number, author in enumerate(article.authors):
            for key in ("name", "handle", "bio"):
                yield f"{at}.authors[{number}].{key}", getattr(author, key)
        if article.image is not None:
            for key in ("alt", "caption", "credit"):
                yield f"{at}.image.{key}", getattr(article.image, key)
    for key in ("url", "captured"):
        yield f"source.{key}", getattr(document.source, key)


def _check_unknown(ctx: _ReaderContext) -> None:
    problems = []
    for name, data in ctx.samples:
        for document in ctx.documents(name, data):
            for where, text in _texts(document):
                if text is None:
                    continue
                if not text.strip() or text.strip().casefold() in _PLACEHOLDERS:
                    problems.append(f"{name}: {where} is {text!r}: leave what the page does not say None")
                elif where.endswith(".date") and not _real_date(text):
                    problems.append(f"{name}: {where} is {text!r}, not a real ISO 8601 date (YYYY-MM-DD)")
                elif where.endswith("url") and not re.match(r"[a-z][a-z0-9+.-]*://\S", text, re.IGNORECASE):
                    problems.append(f"{name}: {where} is {text!r}, not an absolute URL")
            for index, article in enumerate(document.articles):
                image = article.image
                if image is not None and image.alt is None and image.caption is None and image.credit is None:
                    problems.append(f"{name}: articles[{index}].image has no text at all: it is no image (None)")
    if problems:
        raise AssertionError(f"{ctx.reader.name}: " + "; ".join(problems))


def _real_date(text: str) -> bool:
    try:
        day = _dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10 and day != _dt.date(1970, 1, 1)


def _check_json(ctx: _ReaderContext) -> None:
    from ..jsonform import dumps, loads

    problems = []
    for name, data in ctx.samples:
        for document in ctx.documents(name, data):
            try:
                loaded = loads(dumps(document))
            except ConvertError as error:
                problems.append(f"{name}: the JSON form is refused: {error}")
                continue
            if loaded != (document,):
                problems.append(f"{name}: the document does not load back equal from its JSON form")
    if problems:
        raise AssertionError(f"{ctx.reader.name}: " + "; ".join(problems))


def _check_bad_input(ctx: _ReaderContext) -> None:
    problems = []
    cases: list[tuple[str, bytes, int | None, type[InputError]]] = [
        (what, data, DEFAULT_MAX_SIZE, InputError) for what, data in _BAD_INPUTS.items()
    ]
    if ctx.reader.streaming:  # (the library bounds what it hands any other reader, before read)
        name, data = ctx.samples[0]
        cases.append((f"{name} with max_size 1 (every part over it)", data, 1, InputTooLargeError))
    for what, bad, max_size, expected in cases:
        try:
            items = ctx.read(f"bad.input{ctx.reader.extensions[0] if ctx.reader.extensions else ''}", bad, max_size)
        except InputError as error:
            if not isinstance(error, expected):
                problems.append(f"{what}: raised {type(error).__name__}, not {expected.__name__}")
            continue
        except ConvertError as error:
            problems.append(f"{what}: raised {type(error).__name__}, not an InputError: {error}")
            continue
        documents = [i for i in items if isinstance(i, Document)]
        errors = [i for i in items if isinstance(i, InputError)]
        if documents:
            problems.append(f"{what}: read as a document instead of refused with an InputError")
        elif ctx.reader.streaming and expected is InputTooLargeError and not any(
                isinstance(e, InputTooLargeError) for e in errors):
            problems.append(f"{what}: no InputTooLargeError yielded for the page over the limit")
        elif not ctx.reader.streaming:
            problems.append(f"{what}: gave {items!r} instead of raising an InputError")
    if problems:
        raise AssertionError(f"{ctx.reader.name}: bad input not refused as documented: " + "; ".join(problems))


def _check_deterministic(ctx: _ReaderContext) -> None:
    from ..jsonform import dumps

    for name, data in ctx.samples:
        first, second = ctx.documents(name, data), ctx.documents(name, data)
        if first != second or [dumps(d) for d in first] != [dumps(d) for d in second]:
            raise AssertionError(f"{ctx.reader.name}: two reads of {name} differ")


def _check_warnings(ctx: _ReaderContext) -> None:
    for name, data in ctx.samples:
        for document in ctx.documents(name, data):
            warnings = document.warnings
            if not isinstance(warnings, tuple) or not all(
                    isinstance(w, str) and w.strip() and "\n" not in w for w in warnings):
                raise AssertionError(f"{ctx.reader.name}: {name}: warnings must be a tuple of one-line sentences, "
                                     f"got {warnings!r}")


def _check_quiet(ctx: _ReaderContext) -> None:
    ctx.printed.clear()
    for name, data in ctx.samples:
        with contextlib.suppress(ConvertError, AssertionError):
            ctx.read(name, data)
    if ctx.printed:
        raise AssertionError(f"{ctx.reader.name}: read printed {ctx.printed[0][:200]!r}; raise errors instead")


#: Every reader check by name, in the order :func:`check_reader` runs them.
READER_CHECKS: dict[str, Callable[[_ReaderContext], None]] = {
    "record": _check_record,
    "document": _check_document,
    "unknown": _check_unknown,
    "json": _check_json,
    "bad-input": _check_bad_input,
    "deterministic": _check_deterministic,
    "warnings": _check_warnings,
    "quiet": _check_quiet,
}


def _samples(inputs: Iterable[ReaderInput]) -> list[tuple[str, bytes]]:
    samples = []
    for item in inputs:
        if isinstance(item, tuple):
            name, data = item
            samples.append((name, bytes(data)))
        else:
            path = os.fspath(item)
            with open(path, "rb") as handle:
                samples.append((os.path.basename(path), handle.read()))
    if not samples:
        raise ValueError("check_reader needs at least one sample input of the reader's format")
    return samples


def _reader_context(reader: Reader | str, inputs: Iterable[ReaderInput], registry: Any,
                    options: Mapping[str, Any] | None) -> _ReaderContext:
    if isinstance(reader, str):
        if registry is None:
            from ..plugins import load_registry

            registry = load_registry()
        reader = registry.reader(reader)
    assert isinstance(reader, Reader), f"not a convert.formats.Reader: {reader!r}"
    settings = resolve_options(reader.options, options, owner=reader.name)
    return _ReaderContext(reader, _samples(inputs), settings)


def run_reader_check(reader: Reader | str, check: str, inputs: Iterable[ReaderInput], *, registry: Any = None,
                     options: Mapping[str, Any] | None = None) -> None:
    """Run one reader check (a key of :data:`READER_CHECKS`); raise :class:`AssertionError` if it fails."""
    if check not in READER_CHECKS:
        raise KeyError(f"no reader check {check!r} (known: {', '.join(READER_CHECKS)})")
    READER_CHECKS[check](_reader_context(reader, inputs, registry, options))


def check_reader(reader: Reader | str, inputs: Iterable[ReaderInput], *, registry: Any = None,
                 options: Mapping[str, Any] | None = None, skip: Iterable[str] = ()) -> None:
    """Run every reader check against ``reader`` (a :class:`~convert.formats.Reader`, or the
    name of an installed one) on ``inputs``, sample inputs of its format (paths, or
    ``(name, bytes)`` pairs). ``options`` are the reader's own, passed to every read;
    ``skip`` names checks not to run. Raises one :class:`AssertionError` listing every
    failed check."""
    ctx = _reader_context(reader, inputs, registry, options)
    run_all(READER_CHECKS, ctx, skip, ctx.reader.name + " fails {count} reader check(s)")
