"""Volumes: a collection split by section, by month, or both (``--split``).

An archive of years of pages is not one book. With ``split`` a collection becomes one output
per group of pages and format, each a collection of its own (its own cover, masthead,
contents and date range), named from its group in the output directory:

- ``section``: the canonical section of the page's main story (its first story when it has
  no main one): ``fintech.epub``; pages without a section go to ``other``;
- ``month``: the month of that story's date: ``2021-06.epub``; pages without a date go to
  ``undated``;
- ``section,month`` (or ``month,section``): both, in the order given:
  ``fintech-2021-06.epub``.

A name is the group's words in lower case, letters and digits only (``Power & Policy`` →
``power-policy``); two groups whose names would be the same are told apart by a number
(``c-2``), in the order the groups were first met. Every format of the run is written per
volume. Unless ``--title`` is given, a volume's title names its group (``Protocol Fintech:
June 2021``).

Memory is bounded by the largest volume, not the archive: pages are set aside in a
temporary file, packed, as they are read (no group is known to be complete until every input
has been read); then each volume is written by a worker process (or this one), which reads
back that volume's pages alone from the file (:func:`load`): the volumes are written on every
core, as the pages were read.
"""

from __future__ import annotations

import datetime as _dt
import pickle
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from .collection import section_name
from .errors import OptionError
from .present import PUBLICATION, story_day
from .tree import Article, Document

__all__ = ["SPLIT_KEYS", "UNDATED", "UNSECTIONED", "Spool", "Volume", "load", "parse_split", "spool", "volume_of"]

#: what a collection can be split by
SPLIT_KEYS = ("section", "month")
#: the group of pages without a date
UNDATED = "undated"
#: the group of pages without a section
UNSECTIONED = "other"
_MONTHS = ("January February March April May June July August September October November December").split()


def parse_split(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """The keys of ``--split`` (``section``, ``month``, ``section,month``...), checked."""
    if value is None:
        return ()
    parts = value.split(",") if isinstance(value, str) else list(value)
    keys = tuple(str(part).strip().lower() for part in parts)
    if not keys or any(key not in SPLIT_KEYS for key in keys) or len(set(keys)) != len(keys):
        raise OptionError(f"split expects section, month or section,month, got {value!r}")
    return keys


@dataclass(frozen=True, slots=True)
class Volume:
    """A group of pages: its section and month (each ``None`` when not split by it; the
    month ``undated`` for pages without a date) and the keys it was split by."""

    keys: tuple[str, ...]
    section: str | None
    month: str | None

    @property
    def words(self) -> tuple[str, ...]:
        values = {"section": self.section or UNSECTIONED, "month": self.month or UNDATED}
        return tuple(values[key] for key in self.keys)

    @property
    def stem(self) -> str:
        """The file name's stem, before a number that tells clashing names apart."""
        slug = "-".join(re.sub(r"[^0-9a-z]+", "-", word.casefold()).strip("-") or "x" for word in self.words)
        return slug[:120]

    @property
    def title(self) -> str:
        """``Protocol Fintech: June 2021``, ``Protocol: June 2021``, ``Protocol Fintech``,
        ``Protocol Fintech: undated pages``."""
        name = f"{PUBLICATION} {self.section}" if "section" in self.keys and self.section else PUBLICATION
        if "month" not in self.keys:
            return name if self.section or "section" not in self.keys else f"{PUBLICATION}: other stories"
        if self.month == UNDATED or self.month is None:
            return f"{name}: undated pages"
        year, month = self.month.split("-")
        return f"{name}: {_MONTHS[int(month) - 1]} {year}"


def _lead(document: Document) -> Article | None:
    return document.main or next(iter(document.articles), None)


def volume_of(document: Document, keys: tuple[str, ...]) -> Volume:
    """The volume a page goes into."""
    lead = _lead(document)
    section = section_name(lead.section) if lead is not None and "section" in keys else None
    month = None
    if "month" in keys:
        day: _dt.date | None = story_day(lead.date) if lead is not None else None
        month = f"{day.year:04d}-{day.month:02d}" if day is not None else UNDATED
    return Volume(keys, section, month)


@dataclass
class _Group:
    volume: Volume
    name: str
    records: list[tuple[int, int]] = field(default_factory=list)


class Spool:
    """Pages set aside by volume in a temporary file, read back one volume at a time.

    The file has a name (:attr:`path`), so that worker processes can read their volume's
    pages from it (:func:`load`); it is removed when the spool is closed."""

    def __init__(self, keys: tuple[str, ...], pack: Callable[[Document], bytes]) -> None:
        self.keys = keys
        self._pack = pack
        self._file = tempfile.NamedTemporaryFile(prefix="protocol-convert-volumes-")
        self.path: str = self._file.name
        self._groups: dict[tuple[str | None, ...], _Group] = {}
        self._names: set[str] = set()

    def add(self, document: Document) -> None:
        volume = volume_of(document, self.keys)
        key = (volume.section.casefold() if volume.section else None, volume.month)
        group = self._groups.get(key)
        if group is None:
            name, n = volume.stem, 1
            while name in self._names:
                n += 1
                name = f"{volume.stem}-{n}"
            self._names.add(name)
            group = self._groups[key] = _Group(volume, name)
        data = self._pack(document)
        group.records.append((self._file.tell(), len(data)))
        self._file.write(data)

    def groups(self) -> list[tuple[str, Volume, tuple[tuple[int, int], ...]]]:
        """Each volume's name, group and records (where its pages are in :attr:`path`, in
        input order), by name; the file is flushed, ready for :func:`load`."""
        self._file.flush()
        return [(g.name, g.volume, tuple(g.records)) for g in sorted(self._groups.values(), key=lambda g: g.name)]

    def volumes(self) -> Iterator[tuple[str, Volume, list[Document]]]:
        """Each volume's name, group and pages (in input order), by name."""
        for name, volume, records in self.groups():
            yield name, volume, load(self.path, records)

    def close(self) -> None:
        self._file.close()


def load(path: str, records: Sequence[tuple[int, int]]) -> list[Document]:
    """The pages of one volume, read back from a spool's file (in any process)."""
    pages = []
    with open(path, "rb") as file:
        for offset, length in records:
            file.seek(offset)
            pages.append(pickle.loads(file.read(length)))
    return pages


def spool(documents: Iterable[Document], keys: tuple[str, ...], pack: Callable[[Document], bytes]) -> Spool:
    """Every page of ``documents`` set aside by volume."""
    held = Spool(keys, pack)
    try:
        for document in documents:
            held.add(document)
    except BaseException:
        held.close()
        raise
    return held
