"""A reproducible zip written in one pass, with entries compressed once and reusable.

``zipfile`` compresses every entry it is given, each time. A Word package is mostly its
template (a 350 KB styles part, a 440 KB ``stylesWithEffects``, the theme), the same for
every document a process writes: compressing those once per process and copying the
compressed bytes into each package is what makes a batch of DOCX files cheap.

:func:`deflate` makes an :class:`Entry` (the compressed bytes, CRC and sizes) and
:func:`zip_bytes` lays entries out as a zip archive: the same local headers, central
directory and end record that ``zipfile`` writes for entries given with
``zipfile.ZipInfo(name, date_time)`` (no extra fields, no data descriptors, no zip64), so
any zip reader opens them. Entries up to 4 GB only; names are UTF-8 (flagged when not ASCII).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Entry", "deflate", "zip_bytes"]

_VERSION = 20  # 2.0: deflate
_DEFLATED = 8
_STORED = 0
_UTF8 = 0x800


@dataclass(frozen=True, slots=True)
class Entry:
    """One member of an archive, compressed (or stored) and ready to be copied."""

    name: str
    data: bytes
    crc: int
    size: int
    method: int


def deflate(name: str, content: bytes, level: int = 6) -> Entry:
    """``content`` compressed with raw deflate at ``level`` (as ``zipfile`` does)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    data = compressor.compress(content) + compressor.flush()
    return Entry(name, data, zlib.crc32(content), len(content), _DEFLATED)


def store(name: str, content: bytes) -> Entry:
    """``content`` stored without compression (an EPUB's ``mimetype``)."""
    return Entry(name, content, zlib.crc32(content), len(content), _STORED)


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def zip_bytes(entries: Iterable[Entry], date_time: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0),
              *, create_system: int = 0, external_attr: int = 0) -> bytes:  # fmt: skip
    """The archive holding ``entries`` in the order given, every one with ``date_time``
    and the same attributes."""
    dos_time, dos_date = _dos_time(date_time)
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    count = 0
    for entry in entries:
        try:
            name = entry.name.encode("ascii")
            flags = 0
        except UnicodeEncodeError:
            name = entry.name.encode("utf-8")
            flags = _UTF8
        local = struct.pack(
            "<4s2B4HL2L2H", b"PK\003\004", _VERSION, 0, flags, entry.method, dos_time, dos_date,
            entry.crc, len(entry.data), entry.size, len(name), 0,
        )  # fmt: skip
        central.append(struct.pack(
            "<4s4B4HL2L5H2L", b"PK\001\002", _VERSION, create_system, _VERSION, 0, flags, entry.method,
            dos_time, dos_date, entry.crc, len(entry.data), entry.size, len(name), 0, 0, 0, 0,
            external_attr, offset,
        ) + name)  # fmt: skip
        out.append(local)
        out.append(name)
        out.append(entry.data)
        offset += len(local) + len(name) + len(entry.data)
        count += 1
    directory = b"".join(central)
    end = struct.pack("<4s4H2LH", b"PK\005\006", 0, 0, count, count, len(directory), offset, 0)
    return b"".join(out) + directory + end
