"""Where a batch's outputs go, and what becomes of them.

- :func:`output_stems`: a distinct, safe file name for each input's outputs;
- :class:`Ledger`: what each output path held when the run began, to tell afterwards (a
  worker lost, a run stopped at once) whether this run wrote it;
- :func:`reserved_stdout`: standard output kept for the output alone while a run writes
  to it, so that nothing a plugin prints lands inside it;
- :func:`write_stdout`: an exporter's output to that stream, every failure an
  :class:`~convert.errors.OutputError` naming ``<stdout>`` (a closed pipe stays a
  ``BrokenPipeError``, which the command line ends on quietly).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from .errors import OutputError
from .tree import Document

__all__ = ["MAX_STEM", "Ledger", "output_stems", "reserved_stdout", "write_stdout"]

STDIO = "-"
STDOUT_NAME = "<stdout>"
#: Output stems are cut to this many characters (file systems allow 255 bytes per name).
MAX_STEM = 120


def _clean(text: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_. " else "_" for c in text).strip(" .")
    return cleaned[:MAX_STEM].rstrip(" .")


def _stem_of(source: str) -> str:
    from .api import output_name

    name = "stdin" if source == STDIO else source
    return _clean(output_name(name, "")) or "document"


def output_stems(sources: Sequence[str]) -> list[str]:
    """A distinct, safe file-name stem for each input (``page.txt`` → ``page``).

    Inputs whose stems clash (ignoring case, as some file systems do) are told apart by
    their parent directories (``2021/page.txt`` and ``2022/page.txt`` → ``2021_page`` and
    ``2022_page``), or, when that does not tell them apart (``page.txt`` and ``page.json``
    side by side), by a short hash of their absolute path. The result depends only on the
    inputs, not on the order in which they are converted, and no stem holds a path
    separator, so an output never lands outside the output directory.
    """
    import hashlib
    from collections import Counter

    plain = [_stem_of(s) for s in sources]
    counts = Counter(p.casefold() for p in plain)
    stems = list(plain)
    clashing: dict[str, list[int]] = {}
    for index, stem in enumerate(plain):
        if counts[stem.casefold()] > 1:
            clashing.setdefault(stem.casefold(), []).append(index)
    taken = {p.casefold() for p in plain if counts[p.casefold()] == 1}

    def hashed(index: int, name: str) -> str:
        digest = hashlib.sha256(os.path.abspath(sources[index]).encode("utf-8", "surrogateescape")).hexdigest()
        return f"{name[: MAX_STEM - 9]}-{digest[:8]}"

    for indexes in clashing.values():
        parents = [Path(os.path.abspath(sources[i])).parent.parts for i in indexes]

        def at_depth(depth: int, parents: list[tuple[str, ...]] = parents, indexes: list[int] = indexes) -> list[str]:
            return [_clean("_".join([*p[-depth:], plain[i]]) if len(p) > 1 else plain[i])
                    for p, i in zip(parents, indexes, strict=True)]

        def told_apart(names: list[str]) -> int:
            counted = Counter(n.casefold() for n in names)
            return sum(1 for n in names if counted[n.casefold()] == 1)

        # the fewest parent directories that tell apart all the inputs that can be told
        # apart by directory; inputs side by side in one directory then get a hash
        deepest = max(len(p) for p in parents)
        best = told_apart(at_depth(deepest))
        names = next(n for n in (at_depth(d) for d in range(1, deepest + 1)) if told_apart(n) == best)
        counted = Counter(n.casefold() for n in names)
        for name, index in zip(names, indexes, strict=True):
            if counted[name.casefold()] > 1 or name.casefold() in taken:
                name = hashed(index, name)
            stems[index] = name
            taken.add(name.casefold())
    return stems


# --- what this run wrote -----------------------------------------------------------------


class Ledger:
    """What each output path held when the run began, to tell whether the run wrote it.

    Without ``force`` every target was missing when it was planned, so one that exists
    was written by the run. With ``force`` a target may have existed: :meth:`note` keeps
    its identity, and an output written since (atomically: a new file renamed into place)
    has another.
    """

    def __init__(self, force: bool) -> None:
        self.force = force
        self.before: dict[str, tuple[int, int, int]] = {}

    def note(self, target: str, info: os.stat_result) -> None:
        self.before[target] = (info.st_dev, info.st_ino, info.st_mtime_ns)

    def landed(self, target: str) -> bool:
        try:
            info = os.lstat(target)
        except OSError:
            return False
        return not self.force or (info.st_dev, info.st_ino, info.st_mtime_ns) != self.before.get(target)

    def all_landed(self, targets: Iterable[str]) -> bool:
        return all(self.landed(t) for t in targets)


# --- standard output ---------------------------------------------------------------------


@contextlib.contextmanager
def reserved_stdout() -> Iterator[BinaryIO]:
    """The binary stream that is standard output, kept for the output alone.

    Within the block, ``sys.stdout`` is standard error, and so (when they are real files)
    is file descriptor 1, which worker processes inherit: a plugin's ``print`` (or a
    library writing to descriptor 1) goes to the terminal, never into the output. The
    stream yielded writes to the real standard output. A standard output that is closed
    is an :class:`~convert.errors.OutputError`.
    """
    stdout = sys.stdout
    if stdout is None:  # started with descriptor 1 closed
        raise OutputError("standard output is closed", path=STDOUT_NAME)
    with contextlib.suppress(OSError, ValueError):
        stdout.flush()
    saved: int | None = None
    fd = _fileno(stdout)
    err_fd = _fileno(sys.stderr)
    output: Any = getattr(stdout, "buffer", stdout)
    if fd is not None and err_fd is not None and fd != err_fd:
        try:
            saved = os.dup(fd)
            os.dup2(err_fd, fd)
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror or exc}", path=STDOUT_NAME) from None
        output = os.fdopen(saved, "wb", closefd=False)
    sys.stdout = sys.stderr
    try:
        yield output
    finally:
        sys.stdout = stdout
        with contextlib.suppress(OSError, ValueError):
            output.flush()
        if saved is not None and fd is not None:
            with contextlib.suppress(OSError, ValueError):
                output.close()
            os.dup2(saved, fd)
            os.close(saved)


def _fileno(stream: Any) -> int | None:
    try:
        return int(stream.fileno())
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


def write_stdout(out: BinaryIO, registry: Any, fmt: str, documents: Document | Iterable[Document],
                 options: dict[str, Any], source_date: Any = None, captures: str = "latest") -> None:
    """Write ``documents`` (one page, or a collection) in ``fmt`` to ``out`` (standard
    output, reserved); ``source_date`` and ``captures`` are :func:`convert.api.export`'s."""
    from .api import export

    exporter = registry.exporter(fmt)
    try:
        try:
            if exporter.streaming:
                export(documents, fmt, out, options=options, registry=registry, source_date=source_date,
                       captures=captures)
            else:
                pages = documents if isinstance(documents, Document) else list(documents)
                data = export(pages, fmt, options=options, registry=registry, source_date=source_date,
                              captures=captures)
                assert data is not None
                out.write(data)
            out.flush()
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror or exc}", path=STDOUT_NAME) from exc
    except OutputError as error:
        if isinstance(error.__cause__, BrokenPipeError):
            raise BrokenPipeError(error.message) from None  # the reader went away: the CLI ends quietly
        if error.path in (None, "<stream>"):
            error.path = STDOUT_NAME
        raise
