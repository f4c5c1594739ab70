"""What a plugin registers: exporters, readers and their declared options.

An :class:`Exporter` turns a sequence of documents into bytes on a binary stream; a
:class:`Reader` turns an input's bytes into a :class:`~convert.tree.Document` (a *streaming*
reader turns an open input into as many documents as it holds, one at a time). Both are plain
frozen records: a plugin module builds them cheaply at import time and defers its heavy
libraries to the moment ``write`` or ``read`` runs, so listing formats stays fast.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from .errors import InputError, OptionError
from .tree import Document

__all__ = [
    "FIXED_DATE",
    "Exporter",
    "Option",
    "ReadFunction",
    "Reader",
    "Skipped",
    "StreamReadFunction",
    "WriteFunction",
    "check_date",
    "resolve_date",
    "resolve_options",
    "split_options",
]

#: The date written where a format requires one and nothing at all is known (no date given,
#: none on the pages, no ``SOURCE_DATE_EPOCH``, no input file): the day Protocol stopped
#: publishing, later than every page it ever showed. A fixed value (not "now") keeps output
#: byte-identical from run to run; see :func:`convert.present.output_date` for the whole order.
FIXED_DATE = _dt.datetime(2022, 11, 14, tzinfo=_dt.UTC)

#: how many leading bytes of an input a reader's ``sniff`` is shown
SNIFF_BYTES = 4096

OptionType = type[str] | type[int] | type[float] | type[bool] | type[Path] | type[_dt.datetime]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def parse_datetime(value: str) -> _dt.datetime:
    """An ISO 8601 date or date-time; ``now`` is the current time. Naive values are UTC."""
    if value.strip().lower() == "now":
        return _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = _dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.UTC)
    return parsed


#: The dates an option accepts: years of four digits (as the dates of ISO 8601, RFC 822
#: and the formats built on them are written), a day inside the ends, so that the date can
#: be shown in any time zone (9999-12-31 23:00 at UTC-05:00 is already year 10000 in UTC).
EARLIEST_DATE = _dt.datetime(1000, 1, 2, tzinfo=_dt.UTC)
LATEST_DATE = _dt.datetime(9999, 12, 30, tzinfo=_dt.UTC)


def check_date(value: _dt.datetime, *, what: str) -> _dt.datetime:
    """``value``, timezone-aware (naive is UTC), if it lies between :data:`EARLIEST_DATE`
    and :data:`LATEST_DATE`; else an :class:`OptionError` naming ``what``."""
    aware = value if value.tzinfo else value.replace(tzinfo=_dt.UTC)
    try:
        inside = EARLIEST_DATE <= aware <= LATEST_DATE
    except OverflowError:  # an offset that cannot be applied at the calendar's end
        inside = False
    if not inside:
        raise OptionError(
            f"{what} expects a date between {EARLIEST_DATE.date()} and {LATEST_DATE.date()}, "
            f"got {value.isoformat()!r}"
        )
    return aware


def resolve_date(value: _dt.datetime | str | None) -> _dt.datetime:
    """The date to stamp into an output: the given one, else ``SOURCE_DATE_EPOCH``, else
    :data:`FIXED_DATE`. Always timezone-aware."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None:
        return check_date(value, what="the date")
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        try:
            stamp = _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise OptionError(f"SOURCE_DATE_EPOCH={epoch} is not a date this calendar has") from None
        return check_date(stamp, what="SOURCE_DATE_EPOCH")
    return FIXED_DATE


@dataclass(frozen=True, slots=True)
class Option:
    """An option an exporter or reader accepts.

    ``type`` is one of ``str``, ``int``, ``float``, ``bool``, ``pathlib.Path`` or
    ``datetime.datetime`` (ISO 8601; ``now`` for the current time). Values given as strings
    (from the command line) are converted to it.

    ``minimum`` and ``maximum`` bound a number (a value outside is an :class:`OptionError`,
    reported before any page is read). Every value is checked the same way whatever the
    option: a number is finite, a date lies within the calendar (:func:`check_date`), a
    path holds no NUL character.
    """

    name: str
    type: OptionType = str
    default: Any = None
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None

    def coerce(self, value: Any, *, owner: str) -> Any:
        """``value`` converted to this option's type, or :class:`OptionError`."""
        if value is None:
            return None
        return self._check(self._convert(value, owner=owner), value, owner=owner)

    def _convert(self, value: Any, *, owner: str) -> Any:
        kind = self.type
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return value
        problem = f"option {owner}.{self.name} expects {_type_name(kind)}, got {value!r}"
        if not isinstance(value, str):
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                return float(value)
            if kind is Path and isinstance(value, os.PathLike):
                return Path(value)
            raise OptionError(problem)
        try:
            if kind is bool:
                lowered = value.strip().lower()
                if lowered in _TRUE:
                    return True
                if lowered in _FALSE:
                    return False
                raise ValueError(value)
            if kind is _dt.datetime:
                return parse_datetime(value)
            return kind(value)
        except (ValueError, OverflowError):
            raise OptionError(problem) from None

    def _check(self, converted: Any, given: Any, *, owner: str) -> Any:
        where = f"option {owner}.{self.name}"
        if isinstance(converted, float) and not math.isfinite(converted):
            raise OptionError(f"{where} expects a finite number, got {given!r}")
        if isinstance(converted, (int, float)) and not isinstance(converted, bool):
            low, high = self.minimum, self.maximum
            if (low is not None and converted < low) or (high is not None and converted > high):
                bounds = (f"from {_number(low)} to {_number(high)}" if low is not None and high is not None
                          else f"of at least {_number(low)}" if low is not None else f"of at most {_number(high)}")
                raise OptionError(f"{where} expects a number {bounds}, got {given!r}")
        if isinstance(converted, _dt.datetime):
            return check_date(converted, what=where)
        if isinstance(converted, Path) and "\x00" in str(converted):
            raise OptionError(f"{where} expects a file path, got one holding a NUL character")
        return converted


def _number(value: float | None) -> str:
    return str(int(value)) if value is not None and float(value).is_integer() else str(value)


def _type_name(kind: OptionType) -> str:
    return {
        str: "text",
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        Path: "a file path",
        _dt.datetime: "an ISO 8601 date (or 'now')",
    }.get(kind, kind.__name__)


def type_label(kind: OptionType) -> str:
    """A short name for an option type, for listings: ``str``, ``int``, ``datetime``..."""
    return {Path: "path", _dt.datetime: "datetime"}.get(kind, kind.__name__)


def resolve_options(
    declared: Sequence[Option], given: Mapping[str, Any] | None, *, owner: str
) -> dict[str, Any]:
    """Every declared option with its value: the given one (converted) or its default.

    An option that is not declared is an :class:`OptionError` naming the ones that are.
    """
    by_name = {option.name: option for option in declared}
    given = dict(given or {})
    unknown = sorted(set(given) - set(by_name))
    if unknown:
        known = ", ".join(sorted(by_name)) or "none"
        raise OptionError(f"unknown option {owner}.{unknown[0]} (known options: {known})")
    return {
        name: option.coerce(given[name], owner=owner) if name in given else option.default
        for name, option in by_name.items()
    }


def split_options(given: Mapping[str, Any] | None, owners: Sequence[Exporter | Reader], *,
                  others: Collection[str] = ()) -> dict[str, dict[str, Any]]:
    """Options in the one shape every function takes, shared out among ``owners`` (the
    formats a call writes, or the readers it may read with).

    The shape is a flat mapping, as on the command line: ``{"language": "de"}`` sets the
    option of that name on every format that declares it (like ``--language``), and
    ``{"epub.title": "X"}`` sets it on one format only (like ``-O epub.title=X``). A
    qualified name whose format is not among ``owners`` is an :class:`OptionError`, and so is
    a plain name none of them declares (with one owner, it is left for
    :func:`resolve_options` to report with the owner's known options). A qualified name of
    one of ``others`` is left out: reading, the options of every reader that might have read
    the input may be given, and each reader takes its own. A mapping as a value
    (the old nested form) is a ``TypeError`` saying what to write instead. Values are not
    converted here: :func:`resolve_options` does that.
    """
    if given is not None and not isinstance(given, Mapping):
        raise TypeError(f"options must be a mapping of option names to values, not {type(given).__name__}")
    shares: dict[str, dict[str, Any]] = {owner.name: {} for owner in owners}
    for key, value in (given or {}).items():
        if not isinstance(key, str):
            raise TypeError(f"option names must be str, not {type(key).__name__}")
        if isinstance(value, Mapping):
            example = next(iter(value), "option")
            raise TypeError(f"options take one shape: write {{'{key}.{example}': ...}} for one format, or "
                            f"{{'{example}': ...}} for every format that has it, not {{'{key}': {{...}}}}")
        fmt, dot, name = key.partition(".")
        if dot:
            if fmt in others and fmt not in shares:
                continue
            if fmt not in shares:
                raise OptionError(f"options given for {fmt!r}, a format this call does not use "
                                  f"(it uses: {', '.join(shares) or 'none'})")
            shares[fmt][name] = value
            continue
        takers = [owner.name for owner in owners if any(option.name == key for option in owner.options)]
        if not takers and len(owners) == 1:
            takers = [owners[0].name]
        if not takers:
            raise OptionError(f"unknown option {key!r}: no format of this call declares it "
                              f"({', '.join(shares) or 'none'})")
        for taker in takers:
            shares[taker][key] = value
    return shares


@dataclass(frozen=True, slots=True)
class Skipped:
    """A part of an input that a streaming reader passed over on purpose: not an error, but
    counted and reported (``archive.warc.gz: skipped 7 (request: 4, not HTML: 3)``).
    ``kind`` names what it was, briefly: ``request``, ``revisit``, ``redirect``, ``not HTML``."""

    kind: str


WriteFunction = Callable[[Sequence[Document], BinaryIO, Mapping[str, Any]], None]
ReadFunction = Callable[[bytes, "str | None", Mapping[str, Any]], Document]
#: a streaming reader's ``read``: an open binary input -> its documents, one at a time
StreamReadFunction = Callable[[BinaryIO, "str | None", Mapping[str, Any]], Iterable["Document | InputError | Skipped"]]


@dataclass(frozen=True, slots=True)
class Exporter:
    """An output format.

    ``write(documents, stream, options)`` writes ``documents`` (one page, or several for a
    collection) as bytes to ``stream``; ``options`` holds every declared option, resolved.
    ``name`` is what users type (``epub``); ``extension`` includes the dot (``.epub``).

    ``streaming`` declares that ``write`` consumes ``documents`` as a one-shot iterable, one
    document at a time, holding none of them once written (JSON Lines does): a batch then
    feeds it each page as soon as it is read instead of first reading every page into memory.
    Such an exporter must accept any iterable of documents, not only a sequence.
    """

    name: str
    extension: str
    write: WriteFunction
    media_type: str = "application/octet-stream"
    description: str = ""
    options: tuple[Option, ...] = ()
    streaming: bool = False


@dataclass(frozen=True, slots=True)
class Reader:
    """An input format.

    ``read(data, name, options)`` builds a document from an input's bytes; ``name`` is the
    input's file name (``None`` for stdin). ``extensions`` (with dots) are the file endings
    this reader is chosen for when the user names no reader. ``sniff(head)``, when given, is
    true when the first bytes of an input (up to :data:`SNIFF_BYTES`) are this reader's: it
    chooses the reader for an input whose name (standard input, no extension) does not.

    ``streaming`` declares an input that holds many documents (a web archive): ``read`` then
    takes ``(stream, name, options)``, the input opened as a binary stream, and returns an
    iterator that yields, as it reads, each :class:`~convert.tree.Document`, an
    :class:`~convert.errors.InputError` *instance* for each part that cannot be read (it is
    reported in one line and the reading goes on), and a :class:`Skipped` for each part passed
    over on purpose. Raising ends the input (what was yielded stands). ``options["max_size"]``
    then limits each part, not the whole input, which is never read into memory whole.
    """

    name: str
    read: ReadFunction | StreamReadFunction
    extensions: tuple[str, ...] = ()
    description: str = ""
    options: tuple[Option, ...] = ()
    streaming: bool = False
    sniff: Callable[[bytes], bool] | None = None
