"""The ``protocol`` reader: a saved Protocol page (a plain-text dump) → the document tree.

A dump has no markup, only lines. The reader works in three passes:

1. **Lines.** Decode (BOM, CRLF, detected encoding), keep each non-blank line with its
   indentation, and set aside site chrome (``Keep ReadingShow less``, ``Latest Stories``,
   subscribe widgets, cookie banners, forward-this-email lines), recording it in
   :attr:`Document.chrome` so that nothing silently vanishes.
2. **Stories.** Cut the lines into stories: the page's own story first, then each trailing
   teaser or sponsor blurb. A story ends at a ``Keep Reading`` marker (its author's name and
   bio follow), at a bio line that introduces its author (bulletins), or where the header of
   the next story begins (a label, headline, dek and image credit).
3. **Fields and blocks.** In each story, read the header (date, section label, headline, dek,
   image alt / caption / credit, in the layouts of articles and of 2020 and 2021–22
   newsletters), then the body: paragraphs, subheadings, lists, in-body section labels,
   figures and sign-offs.

``docs/reader.md`` states every rule with an example; ``fixtures/`` holds a page for each
layout beside its expected tree. Nothing is invented: what the page does not show is None.

This module is imported when the first page is read; :mod:`convert.readers.protocol`
registers the reader without it (compiling its patterns and building its classes is most of
what importing it costs, and ``formats`` or a JSON input need none of it).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..textio import decode_text
from ..tree import (
    Article,
    Author,
    Block,
    Document,
    Figure,
    Heading,
    Image,
    LineBreak,
    ListBlock,
    Paragraph,
    Role,
    Signoff,
    Source,
    Text,
    block_text,
    story_id,
)

__all__ = ["READER_NAME", "parse_page", "read_page"]

READER_NAME = "protocol"  # the name registered by convert.readers.protocol

# --- line classes ----------------------------------------------------------------------

KEEP_READING = re.compile(r"^(keep reading\s*show less|keep reading|show less)$", re.I)
END_CHROME = re.compile(r"^(latest stories|bulletins|more from protocol|recent stories|related stories)$", re.I)
ALWAYS_CHROME = re.compile(r"^(latest stories|recent stories|related stories)$", re.I)
# Site chrome, matched as one alternation so that a line is tried against all of it in a
# single pass (and compiled once: compiling is most of this module's import time).
CHROME_PATTERNS = (
    r"^\(?\s*(was this|did someone|is this|has this|were you)\b.*\bforward(ed)?\b.*$",
    r"^\(?\s*forwarded (this|an) (email|newsletter)\b.*$",
    r"^\(?\s*(got|received) this (email|newsletter) from a friend\b.*$",
    r"^(subscribe|sign up|sign me up|get the newsletter|subscribe now|subscribe here|join now)[.!]?$",
    r"^(enter your e-?mail( address)?|your e-?mail( address)?|e-?mail address)[.:…]*$",
    r"^(sign up|subscribe)\b.{0,80}\b(newsletter|inbox|email|updates)\b.*$",
    r"^.{0,60}\b(delivered|straight) to your inbox\b.*$",
    r"^.*\b(we|this (site|website)) uses? cookies\b.*$",
    r"^.*\bby (continuing|using) (to use )?(this|our) (site|website)\b.*\bcookies\b.*$",
    r"^(accept|accept all|accept cookies|accept all cookies|reject all|cookie settings|manage cookies|"
    r"got it)[.!]?$",
    r"^(share|share this (story|article)|print|advertisement|skip to (main )?content|menu|search)$",
    r"^by signing up,? you agree\b.*$",
    r"^protocol\s*(—|–|--|:)\s*\S.*$",  # the masthead tagline ("Protocol — the inside story ...")
    r"^(this newsletter|source code) is your guide\b.*$",
)
CHROME_ANY = re.compile("|".join(f"(?:{p})" for p in CHROME_PATTERNS), re.I)
#: chrome is a short line (a widget, a banner sentence): longer lines are never tried
CHROME_MAX = 300
DATE = re.compile(
    r"^(?P<month>jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|"
    r"oct(ober)?|nov(ember)?|dec(ember)?)\.? (?P<day>\d{1,2}),? (?P<year>(19|20)\d\d)$",
    re.I,
)
MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
CREDIT_PREFIX = re.compile(
    r"^(\(?photo(graph)?s? by\b|photo ?illustration:|photoillustration:|photo(s)?:|image(s)?:|illustration:|"
    r"screenshot:|credit(s)?:|graphic:|video:|chart:|photo courtesy( of)?\b|courtesy( of)?\b|"
    r"photo[- ]illustration by\b|illustration by\b|gif:)",
    re.I,
)
AGENCIES = (
    r"getty images|afp|ap photo|ap|associated press|reuters|bloomberg|shutterstock|unsplash|istock|"
    r"pexels|alamy|the washington post|the new york times|wikimedia( commons)?|flickr|nasa|"
    r"xinhua|visual china group|vcg|imaginechina|sopa images|lightrocket|nurphoto|anadolu agency|dpa|epa|"
    r"picture alliance|corbis|handout|getty"
)
# A credit without a prefix: an agency alone ("Getty Images", "Getty Images for Amazon"), or
# a name and an agency ("Name/Getty Images", "Name / Agency", "...; Getty Images", "Name via AFP").
AGENCY_CREDIT = re.compile(
    rf"^(({AGENCIES})( for [^.!?]+)?|[^.!?]{{1,90}}(\s?/\s?|;\s*|\s+via\s+)({AGENCIES})\b[^.!?]{{0,60}})$",
    re.I,
)
NAME_SLASH_AGENCY = re.compile(r"^[A-Z][\w.'’-]+( [A-Z][\w.'’-]+){0,3}\s?/\s?[A-Z][\w&.'’ -]{1,40}$")
BULLET = re.compile(r"^(?P<indent>\s*)(?P<mark>[•●▪◦·*]|-(?!-)|\d{1,2}[.)])\s+(?P<text>\S.*)$")
SIGNOFF = re.compile(r"^(—|–|--)\s*\S")
BIO = re.compile(
    r"^(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})\s*"
    r"(?:\(\s*(?P<handle>@\w+)\s*\)\s*)?"
    r"(?:is|was|covers|reports|writes|leads|edits|has)\b"
)
HANDLE = re.compile(r"\(\s*(@\w+)\s*\)")
NEWSLETTER = re.compile(
    r"^(Protocol (?!\|)[A-Z][\w&]*(?: [A-Z][\w&]*)?|Source Code|Pipeline|Tech Policy|Braintrust|"
    r"The Protocol Playbook)$"
)
IN_BODY_LABELS = {
    label.casefold()
    for label in (
        "The Big Story", "People Are Talking", "Number of the Week", "Overheard", "The best of Protocol",
        "Coming up", "Coming Up", "Around Protocol", "Making moves", "In other news", "What we're reading",
        "This week's must-reads", "The Big Picture", "Around the web", "Numbers of the week",
        "Quote of the week", "The Big Number", "Catch up", "Before you go", "What else we're reading",
        "Upcoming events", "Also notable", "Data of the week", "Chart of the week",
    )
}
SPONSOR = re.compile(
    r"^(a message from\b|this (week's |weekly |)(newsletter|edition|issue) is (sponsored|presented|brought)|"
    r"(today's |this )?(newsletter )?(is )?(sponsored|presented) by\b|sponsored content\b|from our sponsor\b)",
    re.I,
)
SENTENCE_END = re.compile(r"[.!?…:;,]['’\"”)]*$")


# The classifiers below are pure functions of one line, asked about the same lines many
# times while stories and headers are tried: cached.
_cached = functools.lru_cache(maxsize=8192)


@_cached
def words(line: str) -> int:
    return len(line.split())


@_cached
def is_credit(line: str) -> bool:
    if CREDIT_PREFIX.match(line):
        return words(line) <= 30
    if words(line) > 14 or SENTENCE_END.search(line.rstrip(")")):
        return False
    return bool(AGENCY_CREDIT.match(line) or NAME_SLASH_AGENCY.match(line))


@_cached
def is_label(line: str) -> bool:
    """A section label: a short line without sentence punctuation."""
    if line.startswith("Protocol |"):
        return True
    return (
        words(line) <= 5
        and len(line) <= 45
        and not SENTENCE_END.search(line)
        and not is_credit(line)
        and not BULLET.match(line)
        and not SIGNOFF.match(line)
        and line[:1].isupper()
    )


@_cached
def is_headline(line: str) -> bool:
    return (
        words(line) <= 25
        and not line.endswith((".", ",", ";", ":"))
        and not is_credit(line)
        and not BULLET.match(line)
        and not SIGNOFF.match(line)
    )


@_cached
def is_sentence(line: str) -> bool:
    return bool(SENTENCE_END.search(line)) or words(line) > 14


def iso_date(line: str) -> str | None:
    match = DATE.match(line)
    if not match:
        return None
    month = MONTHS[match["month"][:3].lower()]
    day = int(match["day"])
    if not 1 <= day <= 31:
        return None
    return f"{match['year']}-{month:02d}-{day:02d}"


def person_bio(line: str, name: str | None = None) -> Author | None:
    """The author a bio line introduces (``Name (@handle) is ...``), if it is one."""
    match = BIO.match(line)
    if not match:
        return None
    bio_name = match["name"].strip()
    if name is not None and not _same_person(name, bio_name, line):
        return None
    handle = match["handle"] or _handle(line[: len(bio_name) + 40])
    return Author(name=name or bio_name, handle=handle, bio=line)


ROLE_WORDS = re.compile(
    r"\b(reporter|editor|writer|correspondent|columnist|journalist|producer|fellow|contributor|"
    r"editor-in-chief|director|president|host|analyst)\b",
    re.I,
)


def bulletin_bio(line: str) -> Author | None:
    """A bio that closes a story with no name line before it: strict, since any paragraph
    may begin with a name and ``is``. It needs a handle, or a role at Protocol."""
    author = person_bio(line)
    if author is None:
        return None
    if author.handle is not None:
        return author
    opening = " ".join(line.split()[:25])
    if words(author.name) >= 2 and ROLE_WORDS.search(opening) and "Protocol" in opening:
        return author
    return None


def _same_person(name: str, bio_name: str, line: str) -> bool:
    return line.startswith(name) or bio_name.split()[0] == name.split()[0]


def _handle(text: str) -> str | None:
    found = HANDLE.search(text)
    return found.group(1) if found else None


# --- pass 1: lines -----------------------------------------------------------------------


@dataclass(slots=True)
class Line:
    text: str  # stripped
    raw: str  # with indentation
    blank_before: bool


def split_lines(text: str) -> list[Line]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines: list[Line] = []
    blank = True
    for raw in text.split("\n"):
        stripped = raw.strip()
        if not stripped:
            blank = True
            continue
        lines.append(Line(stripped, raw.rstrip(), blank))
        blank = False
    return lines


# --- pass 2: stories ---------------------------------------------------------------------


@dataclass
class Chunk:
    """The lines of one story, and what ended it."""

    lines: list[Line]
    truncated: bool = False
    authors: list[Author] = field(default_factory=list)
    sponsored: bool = False
    first: bool = False
    #: the header, once read (cutting a chunk keeps its header: it is at the start)
    header: Header | None = None


class PageReader:
    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.chrome: list[str] = []

    # Chrome ------------------------------------------------------------------------

    def strip_chrome(self) -> list[Line | str]:
        """The lines with chrome replaced by markers: ``"KR"`` for a Keep Reading line."""
        kept: list[Line | str] = []
        lines = self.lines
        end = len(lines)
        while end and END_CHROME.match(lines[end - 1].text):
            end -= 1
        for index, line in enumerate(lines):
            if index >= end:
                self.chrome.append(line.text)
            elif ALWAYS_CHROME.match(line.text):
                self.chrome.append(line.text)
            elif KEEP_READING.match(line.text):
                self.chrome.append(line.text)
                kept.append("KR")
            elif len(line.text) <= CHROME_MAX and CHROME_ANY.match(line.text):
                self.chrome.append(line.text)
            else:
                kept.append(line)
        return kept

    # Stories -----------------------------------------------------------------------

    def chunks(self) -> list[Chunk]:
        items = self.strip_chrome()
        chunks: list[Chunk] = []
        current: list[Line] = []
        index = 0
        while index < len(items):
            item = items[index]
            if item == "KR":
                chunk = Chunk(current, truncated=True)
                chunks.append(chunk)
                current = []
                index += 1
                index = self._author_after_marker(items, index, chunk)
                continue
            assert isinstance(item, Line)
            author = bulletin_bio(item.text) if current else None
            if author is not None and self._ends_story(current):
                if current[-1].text == author.name:  # the author's name on its own line
                    current.pop()
                chunks.append(Chunk(current, authors=[author]))
                current = []
            else:
                current.append(item)
            index += 1
        if current:
            chunks.append(Chunk(current))
        if chunks:
            chunks[0].first = True
        return self._split_teasers(chunks)

    @staticmethod
    def _ends_story(current: list[Line]) -> bool:
        # A bio closes a story only after some body text (not as a first paragraph).
        return len(current) >= 2

    def _author_after_marker(self, items: list[Line | str], index: int, chunk: Chunk) -> int:
        """After ``Keep Reading``: the author's name line, then the bio."""
        if index >= len(items) or not isinstance(items[index], Line):
            return index
        name_line = items[index]
        assert isinstance(name_line, Line)
        name = name_line.text
        if words(name) > 6 or is_sentence(name):
            bio_author = person_bio(name)
            if bio_author is not None:  # a bio with no name line before it
                chunk.authors.append(bio_author)
                return index + 1
            return index
        index += 1
        bio: str | None = None
        if index < len(items) and isinstance(items[index], Line):
            candidate = items[index].text  # type: ignore[union-attr]
            if person_bio(candidate, name) is not None or is_sentence(candidate):
                bio = candidate
                index += 1
        if bio is not None and person_bio(bio, name) is None and not bio.startswith(name):
            chunk.sponsored = True  # an organisation describing itself, not a person's bio
            chunk.authors.append(Author(name=name, handle=None, bio=bio))
        else:
            chunk.authors.append(Author(name=name, handle=_handle(bio[: len(name) + 40]) if bio else None, bio=bio))
        return index

    def _split_teasers(self, chunks: list[Chunk]) -> list[Chunk]:
        """Where a chunk holds the end of one story and the start of the next (a teaser's
        header after the main body), cut it in two."""
        result: list[Chunk] = []
        for chunk in chunks:
            chunk.header = read_header(chunk.lines, chunk.first)
            start = chunk.header.end
            cut = find_teaser_start(chunk.lines, start, marked=chunk.truncated or bool(chunk.authors))
            if cut is None and chunk.first and chunk.truncated:
                # The marker cut a teaser, not the main story: find its label and headline.
                cut = find_imageless_teaser_start(chunk.lines, start)
            if cut is None:
                result.append(chunk)
                continue
            result.append(Chunk(chunk.lines[:cut], first=chunk.first, header=chunk.header))
            result.append(Chunk(chunk.lines[cut:], chunk.truncated, chunk.authors, chunk.sponsored))
        return result


# --- pass 3: headers ----------------------------------------------------------------------


@dataclass
class Header:
    section: str | None = None
    title: str | None = None
    dek: str | None = None
    date: str | None = None
    image: Image | None = None
    end: int = 0  # index of the first body line
    chrome: list[str] = field(default_factory=list)


def credit_at(lines: list[Line], index: int) -> tuple[str, int] | None:
    """The credit starting at ``index`` and the index after it (credits may take two lines)."""
    if index >= len(lines) or not is_credit(lines[index].text):
        return None
    text = lines[index].text
    following = lines[index + 1].text if index + 1 < len(lines) else ""
    if following and _continues_credit(text, following):
        return f"{text} {following}", index + 2
    return text, index + 1


def _continues_credit(text: str, following: str) -> bool:
    if text.endswith(("/", ";", "via", "and", "&", ",", ":")) or text.count("(") > text.count(")"):
        return words(following) <= 12 and not is_sentence(following)
    return following.startswith(("/", ";", "via ")) or (
        words(following) <= 4 and bool(AGENCY_CREDIT.match(following)) and not is_label(following)
        and following.lower() in ("getty images", "afp via getty images", "ap photo", "reuters")
    )


def image_from(before: list[str], credit: str | None) -> Image:
    """Alt and caption from the lines before a credit: two lines are alt then caption; one
    line is the alt if it is a short phrase, the caption if it is a sentence."""
    alt = caption = None
    if len(before) >= 2:
        alt, caption = before[-2], before[-1]
    elif len(before) == 1:
        if is_sentence(before[0]) and words(before[0]) > 3:
            caption = before[0]
        else:
            alt = before[0]
    return Image(alt=alt, caption=caption, credit=credit)


def find_credit(lines: list[Line], start: int, limit: int) -> int | None:
    for index in range(start, min(limit, len(lines))):
        if is_credit(lines[index].text):
            return index
    return None


def read_header(lines: list[Line], first: bool) -> Header:
    """The header of a story: date, label, headline, dek and image, in any known layout."""
    header = Header()
    index = 0
    if index < len(lines) and (date := iso_date(lines[index].text)):
        header.date = date
        index += 1
    if index >= len(lines):
        header.end = index
        return header
    if first:
        newsletter = _newsletter_header(lines, index, header)
        if newsletter is not None:
            return newsletter
        if _starts_mid_body(lines, index):
            header.end = index
            return header
    credit = find_credit(lines, index, index + 6)
    if credit is not None and credit == index:  # an image credit first: no label, no headline
        text, after = credit_at(lines, credit)  # type: ignore[misc]
        header.image = Image(credit=text)
        header.end = after
        return header
    pre = [line.text for line in lines[index:credit]] if credit is not None else []
    if credit is not None and _header_shape(pre):
        text, after = credit_at(lines, credit)  # type: ignore[misc]
        rest = _take_label_and_title(pre, header)
        if rest:
            header.dek = rest[0]
            rest = rest[1:]
        header.image = image_from(rest, text)
        header.end = after
        if header.date is None and after < len(lines) and (date := iso_date(lines[after].text)):
            header.date = date
            header.end += 1
        return header
    # No image: [label] headline [dek], then the body.
    take = [line.text for line in lines[index : index + 4]]
    count = 0
    if len(take) >= 3 and is_label(take[0]) and is_headline(take[1]) and not is_label_only(take[1]):
        header.section = _section(take[0])
        header.title = take[1]
        count = 2
    elif len(take) >= 2 and is_headline(take[0]) and (is_sentence(take[1]) or words(take[1]) > 6):
        header.title = take[0]
        count = 1
    elif len(take) == 1 and is_headline(take[0]):
        header.title = take[0]
        count = 1
    if header.title is not None:
        following = [line.text for line in lines[index + count : index + count + 3]]
        if len(following) == 3 and _looks_like_dek(following[0], following[2]) and _bare_alt(*following[1:]):
            # dek, then a short phrase in the image slot: an image whose credit was not saved
            header.dek = following[0]
            header.image = Image(alt=following[1])
            count += 2
        elif len(following) >= 2 and _looks_like_dek(following[0], following[1]):
            header.dek = following[0]
            count += 1
    header.end = index + count
    return header


def is_label_only(line: str) -> bool:
    return NEWSLETTER.match(line) is not None


def _looks_like_dek(line: str, following: str) -> bool:
    # A dek is one sentence, shorter than the paragraph after it, not a greeting or a list.
    if BULLET.match(line) or SIGNOFF.match(line) or not is_sentence(line):
        return False
    if re.match(r"^(hi|hello|hey|good (morning|afternoon|evening)|welcome|happy)\b", line, re.I):
        return False
    return words(line) <= 45 and line.count(". ") <= 1 and words(following) >= words(line)


def _bare_alt(line: str, following: str) -> bool:
    """A short phrase standing where the image goes (between dek and body), not a label."""
    return (
        not is_sentence(line)
        and 2 <= words(line) <= 12
        and line.casefold() not in IN_BODY_LABELS
        and not BULLET.match(line)
        and not SIGNOFF.match(line)
        and is_sentence(following)
        and words(following) >= 12
    )


def _section(label: str) -> str:
    if label.startswith("Protocol |"):
        return label.split("|", 1)[1].strip()
    return label


def _take_label_and_title(pre: list[str], header: Header) -> list[str]:
    """Fill section and title from the lines before an image block; return the rest."""
    if not pre:
        return []
    if len(pre) >= 2 and is_label(pre[0]) and is_headline(pre[1]) and (
        len(pre) >= 3 or words(pre[0]) < words(pre[1])
    ):
        header.section = _section(pre[0])
        header.title = pre[1]
        return pre[2:]
    header.title = pre[0]
    return pre[1:]


def _header_shape(pre: list[str]) -> bool:
    """Do these lines (before a credit) read as label/headline/dek/alt/caption?"""
    if not pre or len(pre) > 5:
        return False
    if not is_headline(pre[0]) and not is_label(pre[0]):
        return False
    return all(words(line) <= 60 for line in pre)


def _starts_mid_body(lines: list[Line], index: int) -> bool:
    first = lines[index].text
    return words(first) > 25 and not is_credit(first)


def _newsletter_header(lines: list[Line], index: int, header: Header) -> Header | None:
    """2021–22: [alt] credit, headline, newsletter label. 2020: masthead, tagline, credit,
    headline, alt."""
    credit = find_credit(lines, index, index + 3)
    if credit is None:
        return None
    text, after = credit_at(lines, credit)  # type: ignore[misc]
    before = [line.text for line in lines[index:credit]]
    if after + 1 < len(lines) and is_label_only(lines[after + 1].text) and is_headline(lines[after].text):
        header.title = lines[after].text
        header.section = lines[after + 1].text
        header.image = image_from(before, text)
        header.end = after + 2
        return header
    if before and is_label_only(before[0]) and after < len(lines) and is_headline(lines[after].text):
        header.section = before[0]
        header.chrome.extend(before[1:])  # the masthead's tagline
        header.title = lines[after].text
        alt = None
        end = after + 1
        if end < len(lines):
            candidate = lines[end].text
            if candidate == header.title or (not is_sentence(candidate) and words(candidate) <= 12):
                alt = candidate
                end += 1
        header.image = Image(alt=alt, caption=None, credit=text)
        header.end = end
        return header
    return None


def find_teaser_start(lines: list[Line], body_start: int, *, marked: bool) -> int | None:
    """The index where a trailing story's header begins inside a chunk, if any: a label or
    headline, within five lines of an image credit, after some body text. Unless a marker or
    an author bio ends the chunk (``marked``), a label is required: a headline-like alt and
    a caption before a credit are more likely an in-body image."""
    best: int | None = None
    for credit in range(body_start + 2, len(lines)):
        if not is_credit(lines[credit].text):
            continue
        for size in (5, 4, 3, 2):  # the longest plausible header first
            start = credit - size
            if start <= body_start:
                continue
            pre = [line.text for line in lines[start:credit]]
            if not _header_shape(pre) or not _teaser_head(pre):
                continue
            if not marked and not (is_label(pre[0]) and len(pre) >= 3):
                continue
            best = start
            break
        if best is not None:
            return best
    return None


def find_imageless_teaser_start(lines: list[Line], body_start: int) -> int | None:
    """The last label + headline + dek in a chunk that a ``Keep Reading`` marker ends: the
    header of a teaser without an image."""
    for start in range(len(lines) - 3, body_start, -1):
        label, title, dek = (line.text for line in lines[start : start + 3])
        if (
            is_label(label)
            and is_headline(title)
            and not title.endswith(("?", "!", "”", '"'))
            and words(title) >= 3
            and is_sentence(dek)
            and start > body_start + 1
        ):
            return start
    return None


def _teaser_head(pre: list[str]) -> bool:
    """A label + headline, or a headline + dek: not an in-body figure's alt and caption."""
    if is_label(pre[0]) and len(pre) >= 2 and is_headline(pre[1]):
        return not is_sentence(pre[0])
    return is_headline(pre[0]) and len(pre) >= 2 and is_sentence(pre[1]) and words(pre[0]) >= 4


# --- pass 3: bodies -------------------------------------------------------------------------


def read_body(lines: list[Line]) -> tuple[list[Block], list[list[str]]]:
    """Blocks of a story's body, and the sponsor paragraphs found in it (kept apart)."""
    blocks: list[Block] = []
    sponsors: list[list[str]] = []
    index = 0
    after_label = False
    while index < len(lines):
        line = lines[index]
        text = line.text
        if BULLET.match(line.raw) and not SIGNOFF.match(text):
            end = index
            while end < len(lines) and BULLET.match(lines[end].raw) and not SIGNOFF.match(lines[end].text):
                end += 1
            blocks.extend(build_list(run) for run in list_runs(lines[index:end]))
            index = end
            after_label = False
            continue
        if SPONSOR.match(text):
            taken = [text]
            index += 1
            if text.endswith(":") or not is_sentence(text):
                # a label ("A message from X"): the ad runs to the next section label
                while index < len(lines) and not _ends_sponsor(lines[index]):
                    taken.append(lines[index].text)
                    index += 1
            sponsors.append(taken)
            continue
        if SIGNOFF.match(text):
            content: list[Text | LineBreak] = [Text(text)]
            index += 1
            if index < len(lines) and _is_role_line(lines[index].text, lines, index):
                content += [LineBreak(), Text(lines[index].text)]
                index += 1
            blocks.append(Signoff(tuple(content)))
            after_label = False
            continue
        if text.casefold() in IN_BODY_LABELS:
            blocks.append(Heading(2, (Text(text),)))
            index += 1
            after_label = True
            continue
        if after_label and is_headline(text) and words(text) >= 3 and index + 1 < len(lines):
            blocks.append(Heading(3, (Text(text),)))
            index += 1
            after_label = False
            continue
        after_label = False
        figure = _figure_ahead(lines, index)
        if figure is not None:
            image, index = figure
            blocks.append(Figure(image))
            continue
        if _is_subheading(lines, index, blocks):
            blocks.append(Heading(2, (Text(text),)))
        else:
            blocks.append(Paragraph((Text(text),)))
        index += 1
    return blocks, sponsors


def _ends_sponsor(line: Line) -> bool:
    text = line.text
    return text.casefold() in IN_BODY_LABELS or bool(SIGNOFF.match(text) or SPONSOR.match(text))


def _figure_ahead(lines: list[Line], index: int) -> tuple[Image, int] | None:
    """An in-body image starting at ``index``: [alt] [caption] credit, and where it ends."""
    for size in (2, 1, 0):
        credit = credit_at(lines, index + size)
        if credit is None:
            continue
        before = [line.text for line in lines[index : index + size]]
        if size == 2 and (is_sentence(before[0]) or not is_sentence(before[1])):
            continue  # two lines before a credit are a short alt, then a caption sentence
        if size == 1 and words(before[0]) > 40:
            continue
        return image_from(before, credit[0]), credit[1]
    return None


def _is_role_line(text: str, lines: list[Line], index: int) -> bool:
    if text.casefold() in IN_BODY_LABELS or words(text) > 10 or text.endswith((".", "?", "!")):
        return False
    return "," in text or bool(
        re.search(r"\b(reporter|editor|writer|correspondent|founder|ceo|president|director|host|"
                  r"protocol|chief|head|manager|analyst|columnist|producer)\b", text, re.I)
    )


def _is_subheading(lines: list[Line], index: int, blocks: list[Block]) -> bool:
    text = lines[index].text
    if not blocks or index + 1 >= len(lines):
        return False
    if words(text) > 10 or len(text) > 90 or text.endswith((",", ";", ":", "!", "…", "\"", "”", "'", "’")):
        return False
    if text.startswith(("“", '"', "‘", "(", "[")):
        return False
    following = lines[index + 1].text
    if BULLET.match(lines[index + 1].raw) or words(following) < 12:
        return False
    if text.endswith("."):
        return _noun_phrase(text)
    if text.endswith("?"):
        # A question is a subheading only when it stands like a title: short, and the
        # paragraph before it finished its sentence.
        previous = blocks[-1]
        return words(text) <= 8 and isinstance(previous, Paragraph) and is_sentence(block_text(previous))
    return True


DETERMINERS = {"the", "a", "an", "our", "its", "their", "this", "these", "one", "two", "three", "some", "more"}
VERBS = {
    "is", "was", "are", "were", "be", "been", "being", "has", "have", "had", "do", "does", "did", "will",
    "would", "can", "could", "should", "may", "might", "must", "says", "said", "gets", "got", "makes",
    "made", "goes", "went", "agrees", "agree", "wants", "want", "needs", "need", "isn't", "wasn't", "it's",
}


def _noun_phrase(text: str) -> bool:
    """``The fine print.``: a short phrase with no verb, which reads as a subheading even
    with its full stop; ``That was the easy part.`` is a sentence."""
    tokens = [t.strip(".,!?\"'“”‘’").lower() for t in text.split()]
    return len(tokens) <= 5 and tokens[0] in DETERMINERS and not any(t in VERBS for t in tokens)


def build_list(lines: list[Line]) -> ListBlock:
    """A (possibly nested) list from bullet lines. Indentation is relative: the least
    indented bullets are the top level; a deeper bullet after an item nests under it."""
    entries: list[tuple[int, bool, str]] = []
    for line in lines:
        match = BULLET.match(line.raw)
        assert match is not None
        indent = len(match["indent"].expandtabs(4))
        ordered = match["mark"][0].isdigit()
        entries.append((indent, ordered, match["text"].strip()))
    top = min(indent for indent, _, _ in entries)
    block, _ = _nest(entries, 0, top)
    return block


def _nest(entries: list[tuple[int, bool, str]], start: int, level: int) -> tuple[ListBlock, int]:
    ordered = entries[start][1]
    items: list[tuple[Block, ...]] = []
    index = start
    while index < len(entries):
        indent, _, text = entries[index]
        if indent < level:
            break
        if indent > level and items:
            child, index = _nest(entries, index, indent)
            items[-1] = (*items[-1], child)
            continue
        items.append((Paragraph((Text(text),)),))
        index += 1
    return ListBlock(ordered, tuple(items)), index


def list_runs(lines: list[Line]) -> list[list[Line]]:
    """Consecutive bullet lines split where the top-level marker kind changes
    (bullets, dashes, numbers make separate lists)."""
    top = min(len(BULLET.match(line.raw)["indent"].expandtabs(4)) for line in lines)  # type: ignore[index]
    runs: list[list[Line]] = []
    kind = None
    for line in lines:
        match = BULLET.match(line.raw)
        assert match is not None
        indent = len(match["indent"].expandtabs(4))
        mark = "number" if match["mark"][0].isdigit() else match["mark"]
        if indent <= top and mark != kind:
            runs.append([])
            kind = mark
        if not runs:
            runs.append([])
        runs[-1].append(line)
    return runs


# --- assembling the document -----------------------------------------------------------------


def build_article(chunk: Chunk, role: Role) -> tuple[Article, list[list[str]], list[str]]:
    header = chunk.header if chunk.header is not None else read_header(chunk.lines, chunk.first)
    body, sponsors = read_body(chunk.lines[header.end :])
    if chunk.sponsored:
        role = "sponsored"
    fallback = block_text(body[0]) if body else (header.dek or "")
    article = Article(
        id=story_id(header.title, fallback),
        role=role,
        title=header.title,
        section=header.section,
        dek=header.dek,
        date=header.date,
        authors=tuple(chunk.authors),
        image=header.image,
        body=tuple(body),
        truncated=chunk.truncated,
    )
    return article, sponsors, header.chrome


def parse_page(text: str, *, name: str | None = None, sha256: str = "") -> Document:
    """The document tree of a page's text."""
    reader = PageReader(split_lines(text))
    chunks = reader.chunks()
    articles: list[Article] = []
    header_chrome: list[str] = []
    for position, chunk in enumerate(chunks):
        if not chunk.lines and not chunk.authors:
            continue
        article, sponsors, chrome = build_article(chunk, "main" if position == 0 else "teaser")
        header_chrome.extend(chrome)
        articles.append(article)
        for lines in sponsors:
            body = tuple(Paragraph((Text(t),)) for t in lines)
            articles.append(Article(id=story_id(None, lines[0]), role="sponsored", body=body))
    articles = _unique_ids(articles)
    chrome = _in_page_order(reader, header_chrome)
    return Document(Source(name, sha256, READER_NAME), tuple(articles), tuple(chrome))


def _in_page_order(reader: PageReader, extra: list[str]) -> list[str]:
    if not extra:
        return reader.chrome
    wanted = set(extra) | set(reader.chrome)
    return [line.text for line in reader.lines if line.text in wanted]


def _unique_ids(articles: list[Article]) -> list[Article]:
    from dataclasses import replace

    seen: dict[str, int] = {}
    result = []
    for article in articles:
        count = seen.get(article.id, 0) + 1
        seen[article.id] = count
        result.append(article if count == 1 else replace(article, id=f"{article.id}-{count}"))
    return result


def read_page(data: bytes, name: str | None, options: Mapping[str, Any]) -> Document:
    """Reader entry point: bytes of a saved page → :class:`Document`."""
    text = decode_text(data, name=name, encoding=options.get("encoding"), max_size=options.get("max_size"))
    return parse_page(text, name=name, sha256=hashlib.sha256(data).hexdigest())
