"""Text and dates as the view shows them (part of :mod:`convert.present`)."""

from __future__ import annotations

import datetime as _dt
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from ..formats import FIXED_DATE, parse_datetime
from ..text import xml_text
from ..tree import Document

#: The publication's name: the masthead, a collection's default title and creator.
PUBLICATION = "Protocol"
#: A collection's heading when its title is only the publication's.
COLLECTED_STORIES = "Collected stories"
#: The heading over the stories a page shows besides its own.
MORE_FROM_PROTOCOL = "More from Protocol"
#: The kind of a teaser.
EXCERPT = "Excerpt"
#: What follows an excerpt's text.
EXCERPT_NOTE = "Excerpt: the saved page shows only the beginning of this story."
SPONSORED = "Sponsored"
#: Prefix turning a story id into an IRI (Atom requires one): the feeds' item ids.
ITEM_ID_PREFIX = "urn:protocol-convert:"
UNTITLED_EXCERPT = "Untitled excerpt"
UNTITLED_STORY = "Untitled story"
#: The reserved export setting holding the inputs' newest modification time (set by
#: :func:`convert.api.export`'s ``source_date``): the last date known before none is.
SOURCE_DATE = "source_date"
#: The date a format that requires one writes when nothing at all is known (no ``date``
#: option, no date on any page, no ``SOURCE_DATE_EPOCH``, no input file): the day Protocol
#: stopped publishing, later than every page it ever showed. Fixed, so output is reproducible.
LAST_RESORT_DATE = FIXED_DATE

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_WHITESPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def one_line(text: str | None) -> str:
    """Cleaned text (:func:`convert.text.xml_text`) on one line, white space runs collapsed."""
    return _WHITESPACE.sub(" ", xml_text(text)).strip()


def same_words(a: str | None, b: str | None) -> bool:
    """The same words, whatever the case, quote style, spacing or final punctuation."""

    def key(text: str | None) -> str:
        text = unicodedata.normalize("NFKC", one_line(text)).translate(_QUOTES).casefold()
        return text.rstrip(".!?:;, ").strip("\"' ")

    return bool(key(a)) and key(a) == key(b)


def short_url(url: str) -> str:
    """A URL as a line of text shows it: without its scheme and a final slash
    (``www.protocol.com/enterprise/chips``)."""
    return re.sub(r"^[a-z][a-z0-9+.-]*://", "", url, flags=re.IGNORECASE).rstrip("/")


def join_names(names: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def story_day(value: str | None) -> _dt.date | None:
    """The day of an ISO date (``2022-02-24``, or a date-time), else ``None``."""
    text = one_line(value)
    if not text:
        return None
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        try:
            return parse_datetime(text).astimezone(_dt.UTC).date()
        except ValueError:
            return None


def human_date(day: _dt.date) -> str:
    """``February 24, 2022``."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def date_range(days: Iterable[_dt.date]) -> str | None:
    """``February 2 – March 4, 2022`` (one date if all are equal); ``None`` for no date."""
    known = sorted(set(days))
    if not known:
        return None
    first, last = known[0], known[-1]
    if first == last:
        return human_date(first)
    if first.year == last.year:
        return f"{_MONTHS[first.month - 1]} {first.day} – {human_date(last)}"
    return f"{human_date(first)} – {human_date(last)}"


def _as_datetime(value: object) -> _dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, _dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=_dt.UTC)
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day, tzinfo=_dt.UTC)
    return None


def output_date(documents: Sequence[Document], options: Mapping[str, object]) -> _dt.datetime | None:
    """The date an output is stamped with (a book's modification date, a feed's update):

    1. the ``date`` option (``--date``);
    2. else the newest date the pages show (midnight UTC of that day);
    3. else ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention);
    4. else the newest modification time of the input files (the ``source_date`` setting
       that :func:`convert.api.export` passes on);
    5. else ``None``: nothing is known, and a format writes no date where it may.

    Never the clock (unless ``date`` is ``now``), so the same inputs give the same bytes.
    """
    given = _as_datetime(options.get("date"))
    if given is not None:
        return given
    days = [d for d in (story_day(a.date) for doc in documents for a in doc.articles) if d is not None]
    if days:
        return _as_datetime(max(days))
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
    return _as_datetime(options.get(SOURCE_DATE))


def required_date(documents: Sequence[Document], options: Mapping[str, object]) -> _dt.datetime:
    """:func:`output_date`, or :data:`LAST_RESORT_DATE` for a format that must write one."""
    return output_date(documents, options) or LAST_RESORT_DATE


