"""Reading inputs and writing outputs safely.

Inputs: bytes are checked (empty? binary? too large?) and decoded (BOM, UTF-8, else detected)
before any reader sees them. Outputs: written to a temporary file beside the target and
renamed into place, so a failed or interrupted run never leaves a half-written file and
never damages an existing one; an existing file is replaced only when asked.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import (
    DecodingError,
    EmptyInputError,
    InputError,
    InputTooLargeError,
    NotTextError,
    OutputError,
    OutputExistsError,
)

__all__ = ["DEFAULT_MAX_SIZE", "atomic_output", "decode_text", "open_input", "read_head", "read_input", "read_stream"]

#: Inputs larger than this are refused unless the limit is raised (a saved page is ~20 KB).
DEFAULT_MAX_SIZE = 50 * 1024 * 1024

_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF87a": "a GIF image",
    b"GIF89a": "a GIF image",
    b"PK\x03\x04": "a zip archive (EPUB, DOCX, ...)",
    b"PK\x05\x06": "a zip archive",
    b"%PDF-": "a PDF file",
    b"\x1f\x8b": "a gzip file",
    b"\x7fELF": "an executable",
    b"RIFF": "a RIFF file (WebP, WAV, ...)",
    b"\xd0\xcf\x11\xe0": "an old Office document",
}


def read_input(path: str | os.PathLike[str], *, max_size: int | None = DEFAULT_MAX_SIZE) -> bytes:
    """The bytes of an input file, with clear errors for what cannot be read."""
    name = os.fspath(path)
    with _reading(name):
        size = os.stat(name).st_size
        if os.path.isdir(name):
            raise InputError("is a directory, not a page", path=name)
        if max_size is not None and size > max_size:
            raise InputTooLargeError(
                f"is {size:,} bytes, over the {max_size:,}-byte limit (raise it with --max-size)",
                path=name,
            )
        with open(name, "rb") as handle:
            return handle.read()


def open_input(path: str | os.PathLike[str]) -> BinaryIO:
    """An input file opened for reading as a stream (for a streaming reader, which limits
    each part it reads, not the file), with :func:`read_input`'s clear errors."""
    name = os.fspath(path)
    with _reading(name):
        if os.path.isdir(name):
            raise InputError("is a directory, not a page", path=name)
        return open(name, "rb")


def read_head(path: str | os.PathLike[str], size: int = 4096) -> bytes:
    """The first ``size`` bytes of a file, to tell what it holds; ``b""`` when it cannot be
    read (reading it for real then reports why)."""
    try:
        with open(os.fspath(path), "rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


@contextlib.contextmanager
def _reading(name: str) -> Iterator[None]:
    """Turn the operating system's errors about input ``name`` into :class:`InputError`."""
    try:
        yield
    except FileNotFoundError:
        raise InputError("no such file", path=name) from None
    except PermissionError:
        raise InputError("permission denied", path=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a page", path=name) from None
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), path=name) from None


def read_stream(stream: BinaryIO, *, name: str = "<stdin>", max_size: int | None = DEFAULT_MAX_SIZE) -> bytes:
    """All the bytes of a stream (standard input), never more than ``max_size`` in memory:
    a longer stream is refused with the limit stated."""
    if max_size is None:
        return stream.read()
    data = stream.read(max_size + 1)
    if len(data) > max_size:
        raise InputTooLargeError(
            f"is over the {max_size:,}-byte limit (raise it with --max-size)", path=name
        )
    return data


def decode_text(data: bytes, *, name: str | None = None, encoding: str | None = None,
                max_size: int | None = DEFAULT_MAX_SIZE) -> str:
    """The text of an input's bytes.

    A UTF-8 byte-order mark is dropped; UTF-8 is tried first, then the encoding is detected
    (charset-normalizer). Binary data, empty input and undecodable bytes are refused with an
    error naming the input.
    """
    if max_size is not None and len(data) > max_size:
        raise InputTooLargeError(
            f"is {len(data):,} bytes, over the {max_size:,}-byte limit (raise it with --max-size)",
            path=name,
        )
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise NotTextError(f"not a text page: looks like {what}", path=name)
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise DecodingError(f"unknown encoding {encoding!r}", path=name) from None
        except UnicodeDecodeError as exc:
            raise DecodingError(f"not valid {encoding}: {exc.reason} at byte {exc.start}", path=name) from None
    else:
        text = _decode_guessing(data, name)
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise NotTextError("not a text page: it holds NUL bytes (binary data?)", path=name)
    if not text.strip():
        raise EmptyInputError("is empty" if not text else "holds only white space", path=name)
    return text


def _decode_guessing(data: bytes, name: str | None) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    import charset_normalizer  # only for inputs that are not UTF-8

    best = charset_normalizer.from_bytes(data).best()
    if best is None or best.encoding is None:
        if data.count(b"\x00") or _mostly_binary(data):
            raise NotTextError("not a text page: binary data", path=name)
        raise DecodingError(
            "cannot tell the text encoding: give it with --encoding (for example cp1252)", path=name
        )
    return str(best)


def _mostly_binary(data: bytes) -> bool:
    sample = data[:4096]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) // 10


@contextlib.contextmanager
def atomic_output(
    path: str | os.PathLike[str], *, force: bool = False, sync: bool = True
) -> Iterator[BinaryIO]:
    """A binary stream whose bytes land at ``path`` only if the block finishes.

    The bytes go to a temporary file in the same directory, which is renamed over ``path`` at
    the end (or removed on any error). Without ``force`` an existing file (or link) is never
    replaced, even one that appears while we write. ``sync=False`` skips the fsync: a batch
    writing thousands of small files flushes them to disk once, at the end; an interrupted
    run still never leaves a partial file.
    """
    target = Path(path)
    name = os.fspath(target)
    if target.is_dir():
        raise OutputError("is a directory; give a file name", path=name)
    if not force and os.path.lexists(name):
        raise OutputExistsError("already exists (use --force to overwrite)", path=name)
    directory = target.parent
    if not directory.is_dir():
        raise OutputError(f"directory {os.fspath(directory)!r} does not exist", path=name)
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
    except OSError as exc:
        raise OutputError(f"cannot write here: {exc.strerror or exc}", path=name) from None
    try:
        with os.fdopen(fd, "wb") as stream:
            yield stream
            if sync:
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(temp_name, 0o666 & ~_UMASK)
        if force:
            os.replace(temp_name, target)
        else:
            try:
                os.link(temp_name, target)  # fails if the target appeared meanwhile
            except FileExistsError:
                raise OutputExistsError("already exists (use --force to overwrite)", path=name) from None
            except OSError:
                if os.path.lexists(name):
                    raise OutputExistsError("already exists (use --force to overwrite)", path=name) from None
                os.replace(temp_name, target)  # file systems without hard links
    except OSError as exc:  # disk full, permission lost, ...
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=name) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# read once: os.umask can only be read by setting it, which is not thread-safe
_UMASK = _umask()
