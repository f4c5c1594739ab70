"""Pass 2: the page cut into stories (the page's own first, then each trailing story).

Rules:

- A story ends at a ``Keep Reading`` marker: the excerpt before it is ``truncated``, and the
  lines after it are its author's name and bio (``Name`` / ``Name (@handle) is …``), or a bio
  alone.
- A marker's "author" that is an organisation describing itself (what it builds, represents
  or offers, with no handle and nothing it covers for Protocol) makes the blurb
  **sponsored**, with or without a headline (:func:`~.classify.describes_company`).
- A story also ends at a bio that closes a bulletin (a handle, or a role at Protocol), with
  its author's name line, or a ``- Name`` / ``— Name`` sign-off naming the same person,
  just before it: a name line is the author's; a sign-off stays in the body.
- Where a story's lines hold the start of the next story (the first chunk holds the end of
  the main story and the start of the first teaser), the cut is at the last header that has
  a label or headline, a dek or caption, and an image credit within five lines; without an
  image, at the last label + headline + dek before a marker; with neither, at a credit
  alone after a paragraph (the ``Image: Protocol`` teaser). Without a marker or bio to
  prove a story is there, a header needs a section label to start one (a headline-like alt
  and a caption before a credit in a body are an in-body figure).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...tree import Author
from .classify import (
    BULLET,
    GREETING,
    SIGNOFF,
    bulletin_bio,
    describes_company,
    handle_in,
    headline_shape,
    is_headline,
    is_label,
    is_sentence,
    person_bio,
    signoff_name,
    words,
)
from .header import Header, label_before_headline, read_header
from .lines import MARKER, Line


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


def cut_stories(items: list[Line | str]) -> list[Chunk]:
    """The stories of a page whose chrome is already set aside (markers kept)."""
    chunks: list[Chunk] = []
    current: list[Line] = []
    index = 0
    while index < len(items):
        item = items[index]
        if item == MARKER:
            chunk = Chunk(current, truncated=True)
            chunks.append(chunk)
            current = []
            index = _author_after_marker(items, index + 1, chunk)
            continue
        assert isinstance(item, Line)
        author = _closing_bio(current, item.text)
        if author is not None:
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
    return _split_teasers(chunks)


def _closing_bio(current: list[Line], text: str) -> Author | None:
    """A bio that closes the story so far (a bulletin's), or None. A bio closes a story
    only after some body text, not as its first paragraph."""
    if len(current) < 2:
        return None
    signed = signoff_name(current[-1].text) if current[-1].text[:1] in "-—–" else None
    if signed is not None:  # "- Name" then "Name is …": the sign-off vouches for the bio
        author = person_bio(text, signed)
        if author is not None:
            return author
    return bulletin_bio(text)


def _author_after_marker(items: list[Line | str], index: int, chunk: Chunk) -> int:
    """After ``Keep Reading``: the author's name line, then the bio; where it ends."""
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
    following = items[index] if index < len(items) else None
    if isinstance(following, Line):
        candidate = following.text
        if person_bio(candidate, name) is not None or is_sentence(candidate):
            bio = candidate
            index += 1
    if bio is not None and describes_company(name, bio):
        chunk.sponsored = True  # an organisation describing itself, not a person's bio
        chunk.authors.append(Author(name=name, handle=None, bio=bio))
    else:
        chunk.authors.append(Author(name=name, handle=handle_in(bio[: len(name) + 40]) if bio else None, bio=bio))
    return index


def _split_teasers(chunks: list[Chunk]) -> list[Chunk]:
    """Where a chunk holds the end of one story and the start of the next, cut it in two."""
    result: list[Chunk] = []
    for chunk in chunks:
        chunk.header = read_header(chunk.lines, chunk.first)
        start = chunk.header.end
        cut = find_teaser_start(chunk.lines, start, marked=chunk.truncated or bool(chunk.authors))
        if chunk.first and chunk.truncated:
            cut = _first_teaser_start(chunk.lines, start, cut)
        if cut is None:
            result.append(chunk)
            continue
        result.append(Chunk(chunk.lines[:cut], first=chunk.first, header=chunk.header))
        result.append(Chunk(chunk.lines[cut:], chunk.truncated, chunk.authors, chunk.sponsored))
    return result


def _first_teaser_start(lines: list[Line], body_start: int, cut: int | None) -> int | None:
    """Where the first teaser starts in the main story's chunk, which the marker proves holds
    one. A labelled header is sure. A bare headline + dek + credit may be the main story's
    own lines (a subheading, two paragraphs, then an ``Image: Protocol`` teaser's credit), and
    the first teaser after a page's story is labelled or untitled, so there a teaser that is
    only a credit wins, from the header's own credit on."""
    if cut is not None:
        if _labelled_head([line.text for line in lines[cut : cut + 2]]):
            after = _credit_end(lines, cut)
        else:
            after = cut + 1
    else:
        cut = find_imageless_teaser_start(lines, body_start)
        after = body_start if cut is None else cut + 2  # past its label and headline
    later = find_credit_first_teaser_start(lines, after)
    return later if later is not None else cut


def _credit_end(lines: list[Line], start: int) -> int:
    """The index after the first image credit from ``start`` (a header's)."""
    from .header import credit_at

    for index in range(start, min(start + 6, len(lines))):
        found = credit_at(lines, index)
        if found is not None:
            return found[1]
    return start


def _header_shape(pre: list[str]) -> bool:
    """Do these lines (before a credit) read as label/headline/dek/alt/caption?"""
    if not pre or len(pre) > 5:
        return False
    if not headline_shape(pre[0]) and not is_label(pre[0]):
        return False
    return all(words(line) <= 70 and not BULLET.match(line) and not SIGNOFF.match(line) for line in pre)


def _labelled_head(pre: list[str]) -> bool:
    return len(pre) >= 2 and label_before_headline(pre[0], pre[1])


def _unlabelled_head(pre: list[str]) -> bool:
    """A headline and a dek (or caption): not an in-body figure's alt and caption. With an
    alt and a caption after the dek, the alt reads as one (a phrase, the headline's copy, or
    a short caption's copy), not as two paragraphs of the story before."""
    if not (is_headline(pre[0]) and len(pre) >= 2 and is_sentence(pre[1]) and words(pre[0]) >= 4):
        return False
    if len(pre) == 4:
        alt, caption = pre[2], pre[3]
        return not is_sentence(alt) or alt == pre[0] or (alt == caption and words(alt) <= 20)
    return True


def find_teaser_start(lines: list[Line], body_start: int, *, marked: bool) -> int | None:
    """The index where a trailing story's header begins inside a chunk, if any: the last
    header within five lines before an image credit, after some body text (an earlier one is
    an in-body figure). A header that opens with a section label is preferred to one that
    opens with a bare headline; unless a marker or an author bio ends the chunk (``marked``),
    only a labelled header of three lines or more starts a story."""
    from .header import credit_at

    heads = (_labelled_head, _unlabelled_head) if marked else (_labelled_head,)
    for head in heads:
        for credit in range(len(lines) - 1, body_start + 1, -1):  # the last header: nearest the marker
            if credit_at(lines, credit) is None:
                continue
            for size in (5, 4, 3, 2):  # the longest plausible header first
                start = credit - size
                if start <= body_start:
                    continue
                pre = [line.text for line in lines[start:credit]]
                if not _header_shape(pre) or not head(pre) or (not marked and size < 3):
                    continue
                return start
    return None


def find_imageless_teaser_start(lines: list[Line], body_start: int) -> int | None:
    """The last label + headline + dek in a chunk that a ``Keep Reading`` marker ends: the
    header of a teaser without an image."""
    for start in range(len(lines) - 3, body_start, -1):
        label, title, dek = (line.text for line in lines[start : start + 3])
        if (
            start > body_start + 1
            and label_before_headline(label, title)
            and not title.endswith(("?", "!", "”", '"'))
            and words(title) >= 3
            and is_sentence(dek)
            and not GREETING.match(dek)
        ):
            return start
    return None


def find_credit_first_teaser_start(lines: list[Line], body_start: int) -> int | None:
    """The last image credit standing alone after a body paragraph, in a chunk a ``Keep
    Reading`` marker ends: a teaser with no label, headline or image text, only its credit
    (``Image: Protocol``): the last credit before the marker that follows a sentence, a
    sign-off (or its role line) or a bullet (not a figure's alt). The marker proves a teaser starts in the
    chunk, so a credit that may be a captioned figure's is still the best cut there is."""
    from .header import credit_at

    for index in range(len(lines) - 2, body_start, -1):  # a body line before the credit
        if credit_at(lines, index) is None:
            continue
        before = lines[index - 1].text
        signed = SIGNOFF.match(before) or (index - 2 > body_start and SIGNOFF.match(lines[index - 2].text))
        after_body = is_sentence(before) or bool(signed or BULLET.match(before))
        if after_body and is_sentence(lines[index + 1].text):
            return index
    return None
