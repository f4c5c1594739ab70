"""A WARC (plain or gzipped) or a WACZ → a document per HTML page, read as a stream.

Each record, in archive order:

- ``response`` (and ``resource``) records of an HTML page with a 2xx status are pages: the
  payload (HTTP transfer and content encodings undone) goes to the ``html`` reader, with the
  record's ``WARC-Target-URI``, ``WARC-Date``, ``WARC-Payload-Digest`` and the charset of its
  ``Content-Type``. The document is named ``ARCHIVE#OFFSET``, the byte where its record
  starts (``warcio extract ARCHIVE OFFSET`` prints it);
- everything else is skipped and counted by kind: ``request``, ``revisit``, ``redirect``
  (3xx), ``status 4xx``/``5xx``, ``not HTML``, ``empty``, ``warcinfo``, ``metadata``...

A record that cannot be read — its gzip member is truncated, its declared length lies, its
digests do not match its bytes, it is over ``--max-size``, or its page cannot be read — is
reported in one line naming the archive and the record, and the reading goes on at the next
record found after it (a seekable input is scanned for the next gzip member or ``WARC/1.x``
header). A stream that cannot seek (standard input) stops at the first damage.

A WACZ is a zip of WARCs: those in ``archive/`` are read in the order of its
``datapackage.json`` (else by name), each page named ``CRAWL.wacz/archive/FILE#OFFSET``.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator, Mapping
from typing import Any, BinaryIO

from convert.errors import InputError, InputTooLargeError
from convert.formats import Skipped
from convert.textio import DEFAULT_MAX_SIZE

__all__ = ["read_archive"]

READER = "warc"
HTML_TYPES = ("text/html", "application/xhtml+xml")
#: how far ahead to look for the next record after a damaged one, per read
SCAN_CHUNK = 1 << 20


def read_archive(stream: BinaryIO, name: str | None, options: Mapping[str, Any]) -> Iterator[Any]:
    label = name or "<stdin>"
    max_size = options.get("max_size")
    max_size = DEFAULT_MAX_SIZE if max_size is None else max_size
    head = _peek(stream, 4)
    if head.startswith(b"PK\x03\x04"):
        yield from _wacz(stream, label, max_size)
    elif not head:
        raise InputError("is empty")
    else:
        yield from _warc(stream, label, max_size)


def _peek(stream: BinaryIO, size: int) -> bytes:
    peek = getattr(stream, "peek", None)
    if callable(peek):
        return peek(size)[:size]
    if _seekable(stream):
        position = stream.tell()
        head = stream.read(size)
        stream.seek(position)
        return head
    return b""


def _seekable(stream: Any) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


# --- WACZ ---------------------------------------------------------------------------------------


def _wacz(stream: BinaryIO, label: str, max_size: int) -> Iterator[Any]:
    if not _seekable(stream):
        raise InputError("is a WACZ (a zip archive), which cannot be read from a stream: give the file")
    try:
        bundle = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError) as error:
        raise InputError(f"not a readable WACZ (zip archive): {error}") from None
    with bundle:
        names = [n for n in bundle.namelist() if n.startswith("archive/") and n.lower().endswith((".warc", ".warc.gz"))]
        try:
            package = json.loads(bundle.read("datapackage.json"))
            listed = [r.get("path") for r in package.get("resources", []) if isinstance(r, dict)]
            names = [n for n in listed if n in names] + sorted(n for n in names if n not in listed)
        except (KeyError, ValueError, AttributeError, zipfile.BadZipFile):
            names.sort()
        if not names:
            raise InputError("is a zip with no WARC in archive/: not a WACZ")
        for member in names:
            try:
                with bundle.open(member) as inner:
                    yield from _warc(inner, f"{label}/{member}", max_size)  # type: ignore[arg-type]
            except (zipfile.BadZipFile, OSError, EOFError) as error:
                yield InputError(f"{member}: cannot be read from the zip: {error}")


# --- WARC ----------------------------------------------------------------------------------------


def _quiet(function: Callable[[], Any]) -> tuple[Any, str]:
    """Run ``function`` with standard error captured: warcio prints its warnings there
    (``Record not followed by newline, perhaps Content-Length is invalid``)."""
    captured = io.StringIO()
    with contextlib.redirect_stderr(captured):
        result = function()
    return result, captured.getvalue()


def _warc(stream: BinaryIO, label: str, max_size: int) -> Iterator[Any]:
    from warcio.archiveiterator import ArchiveIterator

    seekable = _seekable(stream)
    gzipped = _peek(stream, 2) == b"\x1f\x8b"
    while True:
        iterator = ArchiveIterator(stream, check_digests=True)
        damaged_at = None
        while True:
            try:
                record, _ = _quiet(lambda: next(iterator, None))  # noqa: B023
            except Exception as error:
                damaged_at = iterator.offset  # where the record that cannot be read starts
                yield InputError(f"record at byte {damaged_at}: cannot be read ({_describe(error)})")
                break
            if record is None:
                end = iterator.offset
                if seekable and _more_after(stream, end):
                    yield InputError(f"record at byte {end}: the archive ends inside it (truncated)")
                return
            offset = iterator.offset
            if record.format != "warc":  # warcio also reads old ARC files, and takes any text for one
                outcome: Any = _damaged(f"record at byte {offset}: cannot be read (no WARC record starts here)")
            else:
                outcome = _record(iterator, record, offset, label, max_size)
            yield outcome
            if getattr(outcome, "damaged", False):
                damaged_at = offset
                break
        if not seekable:
            yield InputError(f"cannot look past the damaged record at byte {damaged_at} when reading a stream: "
                             "read the archive from a file")
            return
        found = _next_record_start(stream, damaged_at + 1, gzipped, ArchiveIterator)
        if found is None:
            return
        stream.seek(found)


def _describe(error: BaseException) -> str:
    text = str(error)
    if text.startswith(("Invalid WARC record", "Unknown archive format")):
        return "no WARC record starts here: a truncated gzip member, or a wrong length before it"
    text = "".join(c for c in " ".join(text.split()) if c.isprintable() and ord(c) < 0x7F)[:120]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _more_after(stream: BinaryIO, position: int) -> bool:
    """Whether anything but white space follows ``position`` (where the last record ended)."""
    here = stream.tell()
    try:
        stream.seek(position)
        while True:
            chunk = stream.read(1 << 16)
            if not chunk:
                return False
            if chunk.strip(b"\r\n\t "):
                return True
    finally:
        stream.seek(here)


def _record(iterator: Any, record: Any, offset: int, label: str, max_size: int) -> Any:
    """What one record gives: a document, a :class:`Skipped`, or an error (its ``damaged``
    attribute set when the archive's framing is in doubt after it). The record is read to
    its end, its length and digests checked, whatever it holds."""
    headers = record.rec_headers
    uri = headers.get_header("WARC-Target-URI")
    where = f"record at byte {offset}" + (f" ({uri})" if uri else "")
    skipped, content_type = _skip(record)
    payload, too_large = b"", False
    try:
        if skipped is None:
            payload, too_large = _payload(record, max_size)
        _, warnings = _quiet(iterator.read_to_end)
    except Exception as error:
        return _damaged(f"{where}: cannot be read ({_describe(error)})")
    problem = _framing_problem(record, warnings)
    if problem:
        return _damaged(f"{where}: {problem}")
    if skipped is not None:
        return skipped
    if too_large:
        return InputTooLargeError(f"{where}: its page is over the {max_size:,}-byte limit")
    from protocol_convert_html import parse_html, sniff_html
    from protocol_convert_html._decode import declared_charset

    if not payload.strip():
        return Skipped("empty")
    if not content_type and not sniff_html(payload[:4096]):
        return Skipped("not HTML")
    try:
        return parse_html(
            payload, name=f"{label}#{offset}", charset=declared_charset(content_type), url=uri,
            captured=headers.get_header("WARC-Date"), payload_digest=headers.get_header("WARC-Payload-Digest"),
            reader=READER, max_size=max_size,
        )
    except InputError as error:
        return InputError(f"{where}: {error.message}")


def _skip(record: Any) -> tuple[Skipped | None, str | None]:
    """Why a record is passed over (``None``: it may be a page), and its content type."""
    kind = record.rec_type
    if kind not in ("response", "resource"):
        return Skipped(kind or "unknown"), None
    if kind == "response":
        http = record.http_headers
        if http is None:
            return Skipped("not HTTP"), None
        status = http.get_statuscode() or ""
        if status.startswith("3"):
            return Skipped("redirect"), None
        if not status.startswith("2"):
            return Skipped(f"status {status[:1]}xx" if status[:1].isdigit() else "no status"), None
        content_type = http.get_header("Content-Type")
    else:
        content_type = record.rec_headers.get_header("Content-Type")
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media and media not in HTML_TYPES:
        return Skipped("not HTML"), content_type
    return None, content_type


def _payload(record: Any, max_size: int) -> tuple[bytes, bool]:
    """The record's payload, at most ``max_size`` bytes kept (and whether there was more)."""
    stream = record.content_stream()
    kept = bytearray()
    too_large = False
    while True:
        chunk = stream.read(1 << 16)
        if not chunk:
            break
        if len(kept) + len(chunk) > max_size:
            too_large = True
            kept.clear()
            while stream.read(1 << 20):
                pass
            break
        kept.extend(chunk)
    return bytes(kept), too_large


def _framing_problem(record: Any, warnings: str) -> str | None:
    """Why a record read to its end cannot be trusted, or ``None``."""
    declared = record.rec_headers.get_header("Content-Length")
    remaining = getattr(record.raw_stream, "limit", 0)
    if remaining:
        return f"ends {remaining:,} bytes before its declared length ({declared}): truncated, or its length lies"
    if "Content-Length is invalid" in warnings:
        return f"its declared length ({declared}) does not match its content"
    checker = getattr(record, "digest_checker", None)
    problems = list(getattr(checker, "problems", None) or [])
    if problems:
        return f"its bytes do not match its digest ({problems[0]}): damaged, or its declared length ({declared}) lies"
    return None


def _damaged(message: str) -> InputError:
    error = InputError(message)
    error.damaged = True  # type: ignore[attr-defined]
    return error


def _next_record_start(stream: BinaryIO, position: int, gzipped: bool, iterator_class: Any) -> int | None:
    """The offset of the first readable record at or after ``position``, or ``None``."""
    markers = (b"\x1f\x8b\x08",) if gzipped else (b"WARC/1.0\r\n", b"WARC/1.1\r\n")
    overlap = max(len(m) for m in markers) - 1
    scan = position
    while True:
        stream.seek(scan)
        chunk = stream.read(SCAN_CHUNK)
        if not chunk:
            return None
        candidates = sorted({scan + i for m in markers for i in _find_all(chunk, m)})
        for candidate in candidates:
            if candidate >= position and _record_starts_at(stream, candidate, iterator_class):
                return candidate
        if len(chunk) < SCAN_CHUNK:
            return None
        scan += len(chunk) - overlap


def _find_all(data: bytes, marker: bytes) -> Iterator[int]:
    index = data.find(marker)
    while index != -1:
        yield index
        index = data.find(marker, index + 1)


def _record_starts_at(stream: BinaryIO, position: int, iterator_class: Any) -> bool:
    stream.seek(position)
    try:
        record, _ = _quiet(lambda: next(iter(iterator_class(stream)), None))
    except Exception:
        return False
    return record is not None and bool(record.rec_type)
