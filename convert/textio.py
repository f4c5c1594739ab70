"""Reading inputs and writing outputs safely.

Reading: only a regular file is a page (or standard input, read as a stream); a FIFO, a
device or a socket is refused before it is opened, so nothing blocks and nothing is read
from a device. Every read, of a page or of an option's file (``epub.css``...), is bounded
by a limit (``--max-size``): a file that is, or grows, larger is refused once the limit is
passed, never read whole into memory first. Bytes are then checked (empty? binary?) and
decoded (:func:`decode_text`).

Writing: to a temporary file beside the target, renamed into place, so a failed or
interrupted run never leaves a half-written file and never damages an existing one. An
existing file is replaced only when asked (``force``), only if it is a regular file, and
never if it is one of the run's inputs.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import stat
import tempfile
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

from .errors import (
    DecodingError,
    EmptyInputError,
    InputError,
    InputNotFoundError,
    InputTooLargeError,
    NotTextError,
    OptionError,
    OutputError,
    OutputExistsError,
)

__all__ = [
    "DEFAULT_MAX_SIZE",
    "Note",
    "atomic_output",
    "collect_warnings",
    "decode_text",
    "file_identity",
    "open_input",
    "output_path",
    "read_head",
    "read_input",
    "read_limit",
    "read_option_file",
    "read_stream",
]

#: Inputs larger than this are refused unless the limit is raised (a saved page is ~20 KB).
DEFAULT_MAX_SIZE = 50 * 1024 * 1024
#: Reads are made in pieces of this size, so a limit of any size needs no buffer of that size.
CHUNK = 1024 * 1024

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

# the byte-order marks, longest first (a UTF-32-LE mark begins like a UTF-16-LE one)
_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32-BE"),
    (b"\xff\xfe\x00\x00", "UTF-32-LE"),
    (b"\xef\xbb\xbf", "UTF-8"),
    (b"\xfe\xff", "UTF-16-BE"),
    (b"\xff\xfe", "UTF-16-LE"),
)

# --- what a path names ------------------------------------------------------------------


def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words: "a regular file", "a FIFO (named pipe)"..."""
    for test, name in (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def file_identity(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """``(device, inode)`` of the file ``path`` names (through symbolic links), or None when
    there is none: two paths name the same file exactly when their identities are equal."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def _check_path(name: str, error: type[InputError] | type[OutputError] | type[OptionError]) -> None:
    if "\x00" in name:
        raise error("the path holds a NUL character", path=name.replace("\x00", "\\0"))


# --- reading ----------------------------------------------------------------------------

_LIMIT: contextvars.ContextVar[int | None] = contextvars.ContextVar("read_limit", default=DEFAULT_MAX_SIZE)


@contextlib.contextmanager
def read_limit(max_size: int | None) -> Iterator[None]:
    """Within the block, files read for options (:func:`read_option_file`) are bounded by
    ``max_size`` (None: no bound) instead of :data:`DEFAULT_MAX_SIZE`. A run sets it from
    ``--max-size``, so that one limit bounds every read."""
    token = _LIMIT.set(max_size)
    try:
        yield
    finally:
        _LIMIT.reset(token)


class _TooLarge(Exception):
    def __init__(self, size: int | None) -> None:
        super().__init__(size)
        self.size = size


class _NotRegular(Exception):
    pass


def _too_large(size: int | None, max_size: int) -> str:
    if size is None:
        return f"is over the {max_size:,}-byte limit"
    return f"is {size:,} bytes, over the {max_size:,}-byte limit"


def _read_regular(name: str, max_size: int | None) -> bytes:
    """The bytes of the regular file ``name``, at most ``max_size`` of them.

    The type is checked before opening (opening a FIFO blocks, opening a device may act on
    it), and again on the descriptor opened, in case the path was swapped meanwhile. The
    size is checked first, and again while reading: a file may grow, and some (in /proc)
    say they are empty.
    """
    info = os.stat(name)
    if not stat.S_ISREG(info.st_mode):
        raise _NotRegular(kind_of(info.st_mode))
    if max_size is not None and info.st_size > max_size:
        raise _TooLarge(info.st_size)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(name, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _NotRegular(kind_of(info.st_mode))
        return _read_bounded(lambda n: os.read(fd, n), max_size, hint=info.st_size)
    finally:
        os.close(fd)


def _read_bounded(read: Callable[[int], bytes], max_size: int | None, *, hint: int = 0) -> bytes:
    """Call ``read(n)`` until it returns nothing; more than ``max_size`` bytes is
    :class:`_TooLarge`. The first read asks for the whole expected size at once."""
    pieces: list[bytes] = []
    total = 0
    want = max(hint + 1, 1)
    while True:
        room = CHUNK if max_size is None else max_size + 1 - total
        piece = read(min(want, room))
        if not piece:
            break
        if not isinstance(piece, bytes):
            raise TypeError(f"a binary stream is needed, not one that gives {type(piece).__name__}")
        pieces.append(piece)
        total += len(piece)
        if max_size is not None and total > max_size:
            raise _TooLarge(None)
        want = CHUNK
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


def read_input(path: str | os.PathLike[str], *, max_size: int | None = DEFAULT_MAX_SIZE) -> bytes:
    """The bytes of an input file, with clear errors for what cannot be read: a missing or
    unreadable file, a directory, a FIFO, a device or a socket, a file over ``max_size``."""
    name = os.fspath(path)
    _check_path(name, InputError)
    try:
        with _reading(name):
            return _read_regular(name, max_size)
    except _NotRegular as kind:
        raise InputError(f"is {kind}, not a page", path=name) from None
    except _TooLarge as big:
        assert max_size is not None
        raise InputTooLargeError(_too_large(big.size, max_size), path=name) from None


def open_input(path: str | os.PathLike[str]) -> BinaryIO:
    """An input file opened for reading as a stream (for a streaming reader, which limits
    each part it reads, not the file), with :func:`read_input`'s clear errors: only a
    regular file is opened (opening a FIFO blocks, opening a device may act on it)."""
    name = os.fspath(path)
    _check_path(name, InputError)
    with _reading(name):
        info = os.stat(name)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"is {kind_of(info.st_mode)}, not a page", path=name)
        return open(name, "rb")


def read_head(path: str | os.PathLike[str], size: int = 4096) -> bytes:
    """The first ``size`` bytes of a regular file, to tell what it holds; ``b""`` when it
    cannot be read or is not a regular file (reading it for real then reports why)."""
    try:
        name = os.fspath(path)
        if "\x00" in name or not stat.S_ISREG(os.stat(name).st_mode):
            return b""
        with open(name, "rb") as handle:
            return handle.read(size)
    except (OSError, ValueError):
        return b""


@contextlib.contextmanager
def _reading(name: str) -> Iterator[None]:
    """Turn the operating system's errors about input ``name`` into :class:`InputError`."""
    try:
        yield
    except FileNotFoundError:
        raise InputNotFoundError("no such file", path=name) from None
    except PermissionError:
        raise InputError("permission denied", path=name) from None
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), path=name) from None


def read_option_file(path: str | os.PathLike[str], *, option: str) -> bytes:
    """The bytes of a file an option names (``epub.css``, ``docx.reference_doc``...): a
    regular file, bounded by the run's limit (:func:`read_limit`), or an
    :class:`~convert.errors.OptionError` naming the option."""
    name = os.fspath(path)
    _check_path(name, OptionError)
    max_size = _LIMIT.get()
    where = f"option {option}: {name!r}"
    try:
        return _read_regular(name, max_size)
    except _NotRegular as kind:
        raise OptionError(f"{where} is {kind}, not a file") from None
    except _TooLarge as big:
        assert max_size is not None
        raise OptionError(f"{where} {_too_large(big.size, max_size)}", remedy="max_size") from None
    except FileNotFoundError:
        raise OptionError(f"{where}: cannot read: no such file") from None
    except OSError as exc:
        raise OptionError(f"{where}: cannot read: {exc.strerror or exc}") from None


def check_option_file(path: str | os.PathLike[str], *, option: str) -> None:
    """Refuse at once (before any page is read) an option file that :func:`read_option_file`
    would refuse for what it is: missing, not a regular file, over the limit."""
    name = os.fspath(path)
    _check_path(name, OptionError)
    where = f"option {option}: {name!r}"
    try:
        info = os.stat(name)
    except OSError as exc:
        raise OptionError(f"{where}: cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise OptionError(f"{where} is {kind_of(info.st_mode)}, not a file")
    max_size = _LIMIT.get()
    if max_size is not None and info.st_size > max_size:
        raise OptionError(f"{where} {_too_large(info.st_size, max_size)}", remedy="max_size")


def read_stream(stream: BinaryIO, *, name: str = "<stdin>", max_size: int | None = DEFAULT_MAX_SIZE) -> bytes:
    """All the bytes of a binary stream (standard input), never more than ``max_size`` in
    memory: a longer stream is refused with the limit stated. A closed stream is an
    :class:`~convert.errors.InputError`; a text stream, a ``TypeError``."""
    try:
        return _read_bounded(stream.read, max_size)
    except _TooLarge:
        assert max_size is not None
        raise InputTooLargeError(_too_large(None, max_size), path=name) from None
    except ValueError as exc:  # I/O operation on closed file
        raise InputError(f"cannot read the stream: {exc}", path=name) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=name) from None


# --- decoding ---------------------------------------------------------------------------

class Note(NamedTuple):
    """A warning about an input, collected (:func:`collect_warnings`): the input's name, the
    message, and the setting that would help (:attr:`convert.errors.ConvertError.remedy`)."""

    name: str | None
    message: str
    remedy: str | None = None


_NOTES: contextvars.ContextVar[list[Note] | None] = contextvars.ContextVar("notes", default=None)


@contextlib.contextmanager
def collect_warnings() -> Iterator[list[Note]]:
    """Within the block, warnings about inputs (:class:`Note`: name, message, remedy) are
    collected in the list yielded instead of being issued as
    :class:`~convert.errors.ConvertWarning`: the CLI prints them, each in one line."""
    notes: list[Note] = []
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


def warn(message: str, *, path: str | None, remedy: str | None = None) -> None:
    """Report something read not quite as written: to the collector of
    :func:`collect_warnings`, else as a :class:`~convert.errors.ConvertWarning` (whose
    ``remedy`` attribute is ``remedy``)."""
    notes = _NOTES.get()
    if notes is not None:
        notes.append(Note(path, message, remedy))
        return
    import warnings

    from .errors import ConvertWarning

    warning = ConvertWarning(f"{path}: {message}" if path else message)
    warning.remedy = remedy
    warnings.warn(warning, stacklevel=3)


def decode_text(data: bytes, *, name: str | None = None, encoding: str | None = None,
                max_size: int | None = DEFAULT_MAX_SIZE) -> str:
    """The text of an input's bytes.

    A byte-order mark decides the encoding (UTF-8, UTF-16 or UTF-32; bytes that are not
    valid in it are an error). Without one, UTF-8 is tried; bytes that are not all UTF-8
    are read as UTF-8 all the same, each bad sequence replaced by U+FFFD with a warning
    giving their count, unless they outnumber the valid UTF-8 sequences: only then is the
    encoding detected (charset-normalizer). Byte-order marks left inside the text are
    removed. Binary data, empty input and undecodable bytes are refused with an error
    naming the input.
    """
    if max_size is not None and len(data) > max_size:
        raise InputTooLargeError(_too_large(len(data), max_size), path=name)
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
    text = text.replace("\ufeff", "")  # marks inside the text (files joined together) are not text
    if "\x00" in text:
        raise NotTextError("not a text page: it holds NUL bytes (binary data?)", path=name)
    if not text.strip():
        raise EmptyInputError("is empty" if not text else "holds only white space", path=name)
    return text


def _decode_guessing(data: bytes, name: str | None) -> str:
    for mark, codec in _BOMS:
        if data.startswith(mark):
            if codec == "UTF-8":
                return _decode_utf8(data[len(mark):], name, evidence=True) or ""
            try:
                return data[len(mark):].decode(codec)
            except UnicodeDecodeError as exc:
                raise DecodingError(
                    f"its byte-order mark says {codec}, but it is not valid {codec}: {exc.reason} "
                    f"at byte {exc.start + len(mark)}", path=name,
                ) from None
    text = _decode_utf8(data, name, evidence=False)
    if text is not None:
        return text
    import charset_normalizer  # only for inputs whose bytes are mostly not UTF-8

    best = charset_normalizer.from_bytes(data).best()
    if best is None or best.encoding is None:
        if data.count(b"\x00") or _mostly_binary(data):
            raise NotTextError("not a text page: binary data", path=name)
        raise DecodingError("cannot tell the text encoding", path=name, remedy="encoding")
    return str(best)


def _decode_utf8(data: bytes, name: str | None, *, evidence: bool) -> str | None:
    """``data`` as UTF-8: at once when it all is; with each bad sequence replaced (and a
    warning) when the valid multi-byte sequences are at least as many as the bad ones, or
    ``evidence`` (a UTF-8 byte-order mark) says UTF-8; else None (detect the encoding)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if not evidence and bad > non_ascii - bad:
        return None
    if _mostly_binary(data):
        raise NotTextError("not a text page: binary data", path=name)
    sequences = "byte sequence that is" if bad == 1 else "byte sequences that are"
    warn(f"{bad} {sequences} not UTF-8 replaced by U+FFFD", path=name, remedy="encoding")
    return text


def _mostly_binary(data: bytes) -> bool:
    sample = data[:4096]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) // 10


# --- writing ----------------------------------------------------------------------------


def output_path(directory: str | os.PathLike[str], file_name: str) -> str:
    """``directory/file_name``, where ``file_name`` must be one plain name: no directory
    part, not ``.`` or ``..``, no NUL. Whatever built it (a page's name, a plugin's
    extension), an output never lands outside its directory."""
    bad = (not file_name or file_name in (".", "..") or "\x00" in file_name or "/" in file_name
           or os.sep in file_name or (os.altsep is not None and os.altsep in file_name))
    if bad:
        raise OutputError(f"refusing the output name {file_name!r}: not a plain file name",
                          path=os.fspath(directory))
    return os.path.join(os.fspath(directory), file_name)


@contextlib.contextmanager
def atomic_output(
    path: str | os.PathLike[str], *, force: bool = False, sync: bool = True,
    inputs: Collection[tuple[int, int]] = (),
) -> Iterator[BinaryIO]:
    """A binary stream whose bytes land at ``path`` only if the block finishes.

    The bytes go to a temporary file in the same directory, which is renamed over ``path`` at
    the end (or removed on any error). Without ``force`` an existing file (or link) is never
    replaced, even one that appears while we write; with it, only a regular file is (never a
    directory, link, device, FIFO or socket). ``inputs`` are the ``(device, inode)``
    identities (:func:`file_identity`) of the files being read: one of them is never
    replaced, whatever the path it is reached by. ``sync=False`` skips the fsync: a batch
    writing thousands of small files flushes them to disk once, at the end; an interrupted
    run still never leaves a partial file.

    Every failure is an :class:`~convert.errors.OutputError` naming ``path``.
    """
    name = os.fspath(path)
    _check_path(name, OutputError)
    target = Path(name)
    _check_target(name, force=force, inputs=inputs)
    directory = target.parent
    if not os.path.isdir(directory):  # (os.path's tests say False for any path they cannot stat)
        problem = "is not a directory" if os.path.exists(directory) else "does not exist"
        raise OutputError(f"directory {os.fspath(directory)!r} {problem}", path=name)
    try:
        # the writer's process id in the name: a temporary file whose writer died is known
        # to be garbage (see remove_stale_temporaries)
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=directory)
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
            _check_target(name, force=True, inputs=inputs)  # again: it may have changed meanwhile
            os.replace(temp_name, target)
        else:
            try:
                os.link(temp_name, target)  # fails if the target appeared meanwhile
            except FileExistsError:
                raise OutputExistsError("already exists", path=name) from None
            except OSError:
                if os.path.lexists(name):
                    raise OutputExistsError("already exists", path=name) from None
                os.replace(temp_name, target)  # file systems without hard links
    except OSError as exc:  # disk full, permission lost, ...
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=name) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)


def _check_target(name: str, *, force: bool, inputs: Collection[tuple[int, int]]) -> None:
    try:
        info = os.lstat(name)
    except (FileNotFoundError, NotADirectoryError):  # (a parent that is a file is said below)
        return
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=name) from None
    if stat.S_ISDIR(info.st_mode):
        raise OutputError("is a directory; give a file name", path=name)
    if inputs and (file_identity(name) in inputs):
        raise OutputError("is an input of this run: refusing to overwrite it, even when forced", path=name)
    if not force:
        raise OutputExistsError("already exists", path=name)
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(f"is {kind_of(info.st_mode)}: only a regular file is ever replaced", path=name)


def remove_stale_temporaries(target: str | os.PathLike[str]) -> int:
    """Remove the temporary files :func:`atomic_output` left for ``target`` when their
    writer was killed (its process is gone); returns how many. A temporary file of a live
    process is left alone."""
    target_path = Path(target)
    prefix = f".{target_path.name}."
    removed = 0
    try:
        names = os.listdir(target_path.parent)
    except OSError:
        return 0
    for entry in names:
        if not (entry.startswith(prefix) and entry.endswith(".part")):
            continue
        pid_text = entry[len(prefix):].partition(".")[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(target_path.parent / entry)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, and is someone else's
        return True
    if pid == os.getpid():
        return True
    try:  # a zombie (a killed worker not yet reaped) is dead for our purpose
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except OSError:
        return True


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# read once: os.umask can only be read by setting it, which is not thread-safe
_UMASK = _umask()
