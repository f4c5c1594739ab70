"""The input files a run's arguments name: files, directories and glob patterns.

Three rules make the expansion safe on any tree:

- Recursion (a directory argument, a ``**`` in a pattern) never descends into a symbolic
  link to a directory, and enters each directory (by device and inode) once, so a link
  cycle or a bind mount of a parent can neither hang the run nor repeat a page. A link
  named directly (``pages/``, or ``link/*.txt``) is followed, as any path is.
- A file reached by two paths (a link beside its target, a hard link, an argument that
  repeats a directory's file) is read once, at its first place.
- A directory that cannot be listed is a failure, reported and counted, never skipped
  silently.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

__all__ = ["Expansion", "Unreadable", "expand", "natural_key"]

STDIO = "-"
_MAGIC = re.compile(r"[*?[]")


def natural_key(text: str) -> tuple[Any, ...]:
    """A sort key putting ``page2`` before ``page10``."""
    return tuple(int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text))


class Unreadable:
    """A directory (or pattern) that could not be searched, with the reason, in one line."""

    __slots__ = ("exit_code", "message")

    def __init__(self, message: str, exit_code: int = 3) -> None:
        self.message = message
        self.exit_code = exit_code


class Expansion:
    """What the arguments named: the paths, what could not be searched, whether any
    argument was a directory or pattern (a batch, even if it found one file), and the
    ``(device, inode)`` of every file found (to refuse an output that is an input)."""

    __slots__ = ("expanded", "failures", "identities", "paths")

    def __init__(self, paths: list[str], failures: list[Unreadable], expanded: bool,
                 identities: set[tuple[int, int]]) -> None:
        self.paths = paths
        self.failures = failures
        self.expanded = expanded
        self.identities = identities


class _Scanner:
    """Lists directories, remembering the ones entered and the problems met."""

    def __init__(self, excluded: str | None) -> None:
        self.excluded = excluded
        self.entered: set[tuple[Any, ...]] = set()
        self.failures: list[Unreadable] = []
        self.unreadable: set[str] = set()

    def enter(self, directory: str, key: Any = None) -> bool:
        """Whether ``directory`` is to be searched (for ``key``: a pattern position): not
        the output directory, and not entered before (by identity)."""
        try:
            info = os.stat(directory)
        except OSError as exc:
            self.failures.append(Unreadable(f"{directory}: cannot read this directory: {exc.strerror or exc}"))
            return False
        identity = (info.st_dev, info.st_ino, key)
        if identity in self.entered:
            return False
        self.entered.add(identity)
        return self.excluded is None or os.path.realpath(directory) != self.excluded

    def entries(self, directory: str) -> list[os.DirEntry[str]]:
        if directory in self.unreadable:
            return []
        try:
            with os.scandir(directory) as found:
                return list(found)
        except OSError as exc:
            self.unreadable.add(directory)  # reported once, however often a pattern comes back to it
            self.failures.append(Unreadable(f"{directory}: cannot read this directory: {exc.strerror or exc}"))
            return []


def _is_dir(entry: os.DirEntry[str], *, follow: bool) -> bool:
    try:
        return entry.is_dir(follow_symlinks=follow)
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return not entry.is_dir()  # what is not a directory is offered to the reader, which refuses non-files
    except OSError:
        return True


def _walk(scanner: _Scanner, top: str, wanted: Callable[[str], bool]) -> list[str]:
    """Every file below ``top`` whose name is ``wanted``, hidden names left out, in natural
    order of their paths below ``top``; never through a link to a directory."""
    files: list[str] = []
    pending = [top]
    while pending:
        directory = pending.pop()
        if not scanner.enter(directory):
            continue
        for entry in scanner.entries(directory):
            if entry.name.startswith("."):
                continue
            if _is_dir(entry, follow=False):
                pending.append(entry.path)
            elif wanted(entry.name) and _is_file(entry):
                files.append(entry.path)
    return sorted(files, key=lambda p: natural_key(os.path.relpath(p, top)))


def _glob(scanner: _Scanner, pattern: str) -> Iterator[str]:
    """The paths matching ``pattern`` (``*``, ``?``, ``[...]``, and ``**`` for any number of
    directories), as :func:`glob.glob` with ``recursive=True`` finds them, but with ``**``
    never entering a link to a directory nor any directory twice."""
    drive, rest = os.path.splitdrive(pattern)
    anchor = drive + (os.sep if rest.startswith(os.sep) else "")
    parts = [p for p in rest.split(os.sep) if p]
    yield from _match(scanner, anchor, parts, 0)


def _match(scanner: _Scanner, base: str, parts: list[str], index: int) -> Iterator[str]:
    if index == len(parts):
        yield base
        return
    part, last = parts[index], index == len(parts) - 1
    directory = base or os.curdir
    if part == "**":
        # zero directories here, then each directory below, entered once
        entries = [e for e in scanner.entries(directory) if not e.name.startswith(".")]
        if last:  # everything below, but a link to a directory is not entered, so not matched
            for entry in entries:
                if not (entry.is_symlink() and _is_dir(entry, follow=True)):
                    yield os.path.join(base, entry.name)
        else:
            yield from _match(scanner, base, parts, index + 1)
        for entry in entries:
            if _is_dir(entry, follow=False):
                path = os.path.join(base, entry.name)
                if scanner.enter(path, key=index):
                    yield from _match(scanner, path, parts, index)
        return
    if not _MAGIC.search(part):
        path = os.path.join(base, part)
        if last:
            if os.path.lexists(path):
                yield path
        elif os.path.isdir(path):
            yield from _match(scanner, path, parts, index + 1)
        return
    names = [e.name for e in scanner.entries(directory) if part.startswith(".") or not e.name.startswith(".")]
    for name in sorted(fnmatch.filter(names, part)):
        path = os.path.join(base, name)
        if last:
            yield path
        elif os.path.isdir(path):
            yield from _match(scanner, path, parts, index + 1)


def _identity(path: str) -> Any:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return ("path", os.path.abspath(path))  # reported when it is read, in its place
    return (info.st_dev, info.st_ino)


def expand(
    arguments: Sequence[str],
    *,
    extensions: Iterable[str] = (".txt",),
    exclude: str | os.PathLike[str] | None = None,
) -> Expansion:
    """The input files named by ``arguments``: files, directories and glob patterns.

    A directory stands for every file below it (recursively, hidden ones left out) whose
    name ends in one of ``extensions``, in natural order (``page2`` before ``page10``); a
    pattern (``pages/**/*.txt``) for the files it matches, sorted the same way. Each file is
    kept once, at its first place (see the module's rules). ``exclude`` (the output
    directory) is never searched, so converting a directory into a directory inside it twice
    reads no output. ``-`` is standard input.
    """
    suffixes = tuple(e.lower() for e in extensions)
    scanner = _Scanner(os.path.realpath(exclude) if exclude is not None else None)
    found: list[str] = []
    seen: set[Any] = set()
    identities: set[tuple[int, int]] = set()
    failures: list[Unreadable] = []
    expanded = False

    def add(path: str) -> None:
        key = path if path == STDIO else _identity(path)
        if key not in seen:
            seen.add(key)
            found.append(path)
            if isinstance(key, tuple) and key[0] != "path":
                identities.add(key)

    def wanted(name: str) -> bool:
        return not suffixes or name.lower().endswith(suffixes)

    for argument in arguments:
        before = len(scanner.failures)
        if argument == STDIO:
            add(STDIO)
        elif os.path.isdir(argument):
            expanded = True
            files = _walk(scanner, argument, wanted)
            if not files and len(scanner.failures) == before:
                looked = ", ".join(suffixes) or "any"
                failures.append(Unreadable(f"{argument}: no pages found in this directory (looked for {looked})"))
            for path in files:
                add(path)
        elif not os.path.lexists(argument) and _MAGIC.search(argument):
            expanded = True
            files = []
            for match in sorted(_glob(scanner, argument), key=natural_key):
                if os.path.isdir(match):
                    files.extend(_walk(scanner, match, wanted))
                elif scanner.excluded is None or not os.path.realpath(match).startswith(scanner.excluded + os.sep):
                    files.append(match)
            if not files and len(scanner.failures) == before:
                failures.append(Unreadable(f"{argument}: no file matches this pattern"))
            for path in files:
                add(path)
        else:
            add(argument)  # a missing file is reported when it is read, in its place
        failures.extend(scanner.failures[before:])
    return Expansion(found, failures, expanded, identities)
