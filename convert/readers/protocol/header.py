"""Pass 3a: a story's header — date, section, headline, dek and lead image.

A header is read by trying the site's layouts in turn, the most particular first; the first
that fits the story's opening lines wins. Position decides what a line is: a line that ends
with a full stop is the headline when it stands where a headline stands (before a dek and
an image, between a credit and a newsletter label, after a section label the site uses).

Layouts (``[x]`` optional, ``/`` a new line):

1. **Newsletter, 2021–22** (the page's own story): ``[alt] / credit / headline /
   newsletter label``. The line before the credit is the alt, whatever its length.
2. **Newsletter, 2020**: ``masthead / [tagline] / credit / headline / [headline copy or
   short alt]``; the masthead is the section, the tagline chrome.
3. **Image first**: ``[alt or caption] / credit / section label / headline`` / body.
4. **Newsletter, credit first** (the page's own story): ``credit / headline`` / greeting.
5. **Credit only** (an untitled teaser: ``Image: Protocol`` / body).
6. **Mid-body dump**: a first line of over 25 words: no header at all.
7. **Newsletter, no credit**: ``headline / [headline copy] / newsletter label``.
8. **Article with image**: ``[label] / headline / [dek] / [alt] / [caption] / credit``. Of
   the lines between headline and credit: one line is the dek if it is a sentence, the alt
   if a phrase; two are dek + alt or caption, or alt + caption when the first is a phrase
   (no dek); three are dek, alt, caption. An exact copy of the headline is the alt. A
   sentence (dek, caption) ends with a stop; an alt text, however long, does not.
9. **Headline copy as alt, no credit**: ``[label] / headline / [dek] / headline copy /
   [caption]``, or ``headline / copy / dek``.
10. **No image**: ``[label] / headline / [dek]`` (a label of ≤ 3 words stands over a headline
    of 6–20 words, full stop or not, when a longer line follows). Pages without an image rarely have a dek:
    only a short one (≤ 30 words, at most two sentences) under a section label, before a
    longer paragraph; a bare short phrase between such a dek and a long paragraph is an
    image whose credit was not saved.

After the header, an ``Updated: <date> at <time>`` or a date line is the story's date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ...tree import Image
from .classify import (
    AGENCY_CREDIT,
    BULLET,
    GREETING,
    IN_BODY_LABELS,
    NAME,
    SENTENCE_END,
    SIGNOFF,
    headline_shape,
    is_claim_and_twist,
    is_credit,
    is_headline,
    is_label,
    is_newsletter_label,
    is_role_line,
    is_sentence,
    is_site_section,
    is_title_case_label,
    iso_date,
    same_text,
    words,
)
from .lines import Line


@dataclass
class Header:
    section: str | None = None
    title: str | None = None
    dek: str | None = None
    date: str | None = None
    image: Image | None = None
    end: int = 0  # index of the first body line
    chrome: list[str] = field(default_factory=list)


Layout = Callable[[list[Line], int, Header], "int | None"]


def read_header(lines: list[Line], first: bool) -> Header:
    """The header of a story (``first``: the page's own story, which has layouts of its own)."""
    header = Header()
    index = 0
    if lines and (date := iso_date(lines[0].text)):
        header.date = date
        index = 1
    if index >= len(lines):
        header.end = index
        return header
    for layout, first_only in LAYOUTS:
        if first_only and not first:
            continue
        attempt = Header(date=header.date)
        end = layout(lines, index, attempt)
        if end is not None:
            attempt.end = _date_after(lines, end, attempt)
            return attempt
    header.end = index
    return header


def _date_after(lines: list[Line], end: int, header: Header) -> int:
    if end < len(lines) and (date := iso_date(lines[end].text)):
        header.date = header.date or date
        return end + 1
    return end


# --- credits ------------------------------------------------------------------------------


def credit_at(lines: list[Line], index: int) -> tuple[str, int] | None:
    """The credit starting at ``index`` and the index after it. A credit may take two lines:
    ``Photo: Name/Bloomberg via`` / ``Getty Images``, or a photographer's name and a line
    ``/ Agency via Getty Images`` (joined with a space)."""
    if index >= len(lines):
        return None
    text = lines[index].text
    following = lines[index + 1].text if index + 1 < len(lines) else ""
    if is_credit(text):
        if following and _continues_credit(text, following):
            return f"{text} {following}", index + 2
        return text, index + 1
    if following.startswith("/") and NAME.match(text) and words(text) <= 4 and is_credit(f"{text} {following}"):
        return f"{text} {following}", index + 2
    return None


def _continues_credit(text: str, following: str) -> bool:
    if text.endswith(("/", ";", "via", "and", "&", ",", ":")) or text.count("(") > text.count(")"):
        return words(following) <= 12 and not is_sentence(following)
    return following.startswith(("/", ";", "via ")) or (
        words(following) <= 4 and bool(AGENCY_CREDIT.match(following)) and not is_label(following)
        and following.lower() in ("getty images", "afp via getty images", "ap photo", "reuters")
    )


def find_credit(lines: list[Line], start: int, limit: int) -> int | None:
    for index in range(start, min(limit, len(lines))):
        if credit_at(lines, index) is not None:
            return index
    return None


def image_from(before: list[str], credit: str | None) -> Image:
    """Alt and caption from the lines before a credit: two lines are alt then caption; one
    line is the caption if it ends as a sentence does, else the alt (an alt text is a phrase
    without a final stop, however long it runs)."""
    alt = caption = None
    if len(before) >= 2:
        alt, caption = before[-2], before[-1]
    elif len(before) == 1:
        if _stops(before[0]) and words(before[0]) > 3:
            caption = before[0]
        else:
            alt = before[0]
    return Image(alt=alt, caption=caption, credit=credit)


# --- what a line is, where it stands --------------------------------------------------------


def label_before_headline(label: str, title: str) -> bool:
    """Is ``label`` a section label with ``title`` its headline? A headline ending with a
    full stop follows a label only when the label is one the site uses, or when the headline
    is a short claim and twist (``Chips are back. So is the shortage.``)."""
    if not is_label(label) or is_role_line(label) or not headline_shape(title):
        return False
    if is_newsletter_label(title) or is_role_line(title):
        return False
    if is_headline(title):
        return True
    return is_site_section(label) or is_claim_and_twist(title)


def _section(label: str) -> str:
    if label.startswith("Protocol |"):
        return label.split("|", 1)[1].strip()
    return label


def _stops(line: str) -> bool:
    """Ends as a sentence does (a dek, a caption), not as a phrase (an alt text)."""
    return bool(SENTENCE_END.search(line))


def _dek_like(line: str) -> bool:
    return is_sentence(line) and not GREETING.match(line) and not BULLET.match(line) and not SIGNOFF.match(line)


def _body_like(line: str) -> bool:
    return _dek_like(line) or words(line) > 12 or bool(GREETING.match(line))


def _headline_at(lines: list[Line], index: int) -> bool:
    return index < len(lines) and headline_shape(lines[index].text) and not is_credit(lines[index].text)


# --- the layouts --------------------------------------------------------------------------


def newsletter_2021(lines: list[Line], index: int, header: Header) -> int | None:
    credit = find_credit(lines, index, index + 2)
    if credit is None:
        return None
    text, after = credit_at(lines, credit)  # type: ignore[misc]
    if not (after + 1 < len(lines) and _headline_at(lines, after) and _newsletter_label_at(lines, after + 1)):
        return None
    header.title = lines[after].text
    header.section = lines[after + 1].text
    before = [line.text for line in lines[index:credit]]
    header.image = Image(alt=before[-1] if before else None, credit=text)
    return after + 2


def _newsletter_label_at(lines: list[Line], index: int) -> bool:
    """A newsletter's label under its headline: a name the site uses, or any label in title
    case over a greeting or paragraph (the headline above it is in sentence case)."""
    if index >= len(lines):
        return False
    line, above = lines[index].text, lines[index - 1].text
    if is_newsletter_label(line):
        return True
    following = lines[index + 1].text if index + 1 < len(lines) else ""
    return (is_title_case_label(line) and not is_title_case_label(above) and words(line) < words(above)
            and bool(following) and _body_like(following))


def newsletter_2020(lines: list[Line], index: int, header: Header) -> int | None:
    credit = find_credit(lines, index + 1, index + 3)
    if credit is None or not is_newsletter_label(lines[index].text):
        return None
    text, after = credit_at(lines, credit)  # type: ignore[misc]
    if not _headline_at(lines, after):
        return None
    header.section = lines[index].text
    header.chrome.extend(line.text for line in lines[index + 1 : credit])  # the masthead's tagline
    header.title = lines[after].text
    alt = None
    end = after + 1
    if end < len(lines):
        candidate = lines[end].text
        if same_text(candidate, header.title) or (not is_sentence(candidate) and words(candidate) <= 12):
            alt = candidate
            end += 1
    header.image = Image(alt=alt, credit=text)
    return end


def image_first(lines: list[Line], index: int, header: Header) -> int | None:
    credit = find_credit(lines, index, index + 2)
    if credit is None:
        return None
    text, after = credit_at(lines, credit)  # type: ignore[misc]
    if not (after + 1 < len(lines) and label_before_headline(lines[after].text, lines[after + 1].text)):
        return None
    header.section = _section(lines[after].text)
    header.title = lines[after + 1].text
    header.image = image_from([line.text for line in lines[index:credit]], text)
    return after + 2


def newsletter_credit_first(lines: list[Line], index: int, header: Header) -> int | None:
    found = credit_at(lines, index)
    if found is None:
        return None
    text, after = found
    if not (after + 1 < len(lines) and _headline_at(lines, after) and _body_like(lines[after + 1].text)):
        return None
    if words(lines[after].text) >= words(lines[after + 1].text) and not GREETING.match(lines[after + 1].text):
        return None  # a headline is shorter than the paragraph under it
    header.title = lines[after].text
    header.image = Image(credit=text)
    return after + 1


def credit_only(lines: list[Line], index: int, header: Header) -> int | None:
    found = credit_at(lines, index)
    if found is None:
        return None
    header.image = Image(credit=found[0])
    return found[1]


def mid_body(lines: list[Line], index: int, header: Header) -> int | None:
    first = lines[index].text
    return index if words(first) > 25 and not is_credit(first) else None


def newsletter_no_credit(lines: list[Line], index: int, header: Header) -> int | None:
    if not _headline_at(lines, index) or is_newsletter_label(lines[index].text):
        return None
    title = lines[index].text
    for label_at in (index + 1, index + 2):
        if label_at < len(lines) and _newsletter_label_at(lines, label_at):
            if label_at == index + 2 and not same_text(lines[index + 1].text, title):
                return None
            header.title = title
            header.section = lines[label_at].text
            if label_at == index + 2:
                header.image = Image(alt=lines[index + 1].text)
            return label_at + 1
    return None


def article_with_image(lines: list[Line], index: int, header: Header) -> int | None:
    credit = find_credit(lines, index + 1, index + 6)
    if credit is None:
        return None
    pre = [line.text for line in lines[index:credit]]
    if not _header_shape(pre):
        return None
    text, after = credit_at(lines, credit)  # type: ignore[misc]
    labelled = _opens_with_label(pre)
    if labelled:
        pre = pre[1:]
    dek, alt, caption = _image_slots(pre[0], pre[1:])
    if alt is not None and caption is not None and words(alt) > 30 and not same_text(alt, caption):
        return None  # paragraphs, not an alt: the body of a page without an image, then a credit
    if alt is not None and caption is not None and is_role_line(alt) and words(caption) > 30:
        return None  # a Braintrust expert's role and answer, then the next story's credit
    if labelled:
        header.section = _section(lines[index].text)
    header.title = pre[0]
    header.dek = dek
    header.image = Image(alt=alt, caption=caption, credit=text)
    return after


def _opens_with_label(pre: list[str]) -> bool:
    """Do the lines before a story's first credit open with a section label? Five lines are
    label, headline, dek, alt and caption whatever their stops; a short label (≤ 3 words)
    stands over a headline of six words or more even when that ends with a full stop."""
    if len(pre) < 2 or not is_label(pre[0]) or not headline_shape(pre[1]):
        return False
    if len(pre) == 5 or (len(pre) >= 3 and words(pre[0]) <= 3 and words(pre[1]) >= 6 and not is_role_line(pre[1])):
        return True
    return label_before_headline(pre[0], pre[1]) and (len(pre) >= 3 or words(pre[0]) < words(pre[1]))


def _header_shape(pre: list[str]) -> bool:
    """Do these lines (before a credit) read as label/headline/dek/alt/caption?"""
    if not pre or len(pre) > 5:
        return False
    if not headline_shape(pre[0]) and not is_label(pre[0]):
        return False
    return all(words(line) <= 60 for line in pre)


def _image_slots(title: str, rest: list[str]) -> tuple[str | None, str | None, str | None]:
    """(dek, alt, caption) from the lines between a headline and its image credit."""
    if not rest:
        return None, None, None
    if len(rest) == 1:
        line = rest[0]
        if same_text(line, title) or not _dek_like(line) or not _stops(line):
            return None, line, None
        return line, None, None
    if len(rest) == 2:
        one, two = rest
        if same_text(one, title) or not _dek_like(one) or not _stops(one):
            return None, one, two  # two lines and no dek: alt, then caption
        if same_text(two, title) or not _stops(two) or words(two) <= 3:
            return one, two, None
        return one, None, two
    return rest[-3], rest[-2], rest[-1]


def copy_as_alt(lines: list[Line], index: int, header: Header) -> int | None:
    """A copy of the headline in the header is the image's alt (its credit was not saved)."""
    for title_at in range(index, min(index + 3, len(lines))):
        for copy_at in (title_at + 1, title_at + 2):
            if copy_at >= len(lines) or not same_text(lines[copy_at].text, lines[title_at].text):
                continue
            title = lines[title_at].text
            if not headline_shape(title) or words(title) < 3 or is_role_line(title):
                continue
            if not _lead_in(lines[index:title_at], header):
                return None
            header.title = lines[title_at].text
            end = copy_at + 1
            caption = None
            if copy_at == title_at + 2:
                header.dek = lines[title_at + 1].text
                if end + 1 < len(lines) and _caption_like(lines[end].text):
                    caption = lines[end].text
                    end += 1
            elif end + 1 < len(lines) and _dek_like(lines[end].text) and words(lines[end].text) <= 45:
                header.dek = lines[end].text
                end += 1
            header.image = Image(alt=lines[copy_at].text, caption=caption)
            return end
    return None


def _lead_in(before: list[Line], header: Header) -> bool:
    """The lines above a headline: a section label, and a series tagline (chrome)."""
    for line in before:
        if header.section is None and is_label(line.text):
            header.section = _section(line.text)
        elif words(line.text) <= 30 and not is_credit(line.text):
            header.chrome.append(line.text)
        else:
            return False
    return True


def _caption_like(line: str) -> bool:
    return is_sentence(line) and words(line) <= 40 and not GREETING.match(line)


def no_image(lines: list[Line], index: int, header: Header) -> int | None:
    take = [line.text for line in lines[index : index + 4]]
    count = 0
    short_label = (len(take) >= 3 and is_label(take[0]) and words(take[0]) <= 3 and headline_shape(take[1])
                   and 6 <= words(take[1]) <= 20 and words(take[2]) > words(take[1]) and not is_role_line(take[1]))
    if len(take) >= 3 and (short_label or label_before_headline(take[0], take[1])):
        header.section = _section(take[0])
        header.title = take[1]
        count = 2
    elif len(take) >= 2 and _headline_over(take[0], take[1]):
        header.title = take[0]
        count = 1
    elif len(take) == 1 and is_headline(take[0]):
        header.title = take[0]
        count = 1
    if header.title is None:
        return None
    following = [line.text for line in lines[index + count : index + count + 3]]
    if header.section is not None and following and _no_image_dek(following):
        header.dek = following[0]
        count += 1
        if len(following) == 3 and _bare_alt(following[1], following[2]):
            # dek, then a short phrase in the image slot: an image whose credit was not saved
            header.image = Image(alt=following[1])
            count += 1
    return index + count


def _headline_over(line: str, following: str) -> bool:
    """A headline with no label: a headline shape over a paragraph (a full stop only for a
    short claim and twist over a longer paragraph)."""
    if is_headline(line):
        return (is_sentence(following) or words(following) > 6) and not is_role_line(following)
    return is_claim_and_twist(line) and words(following) > words(line) and is_sentence(following)


def _no_image_dek(following: list[str]) -> bool:
    line = following[0]
    if not _dek_like(line) or words(line) > 30 or line.count(". ") > 1 or len(following) < 2:
        return False
    return words(following[1]) >= words(line) or (len(following) == 3 and _bare_alt(following[1], following[2]))


def _bare_alt(line: str, following: str) -> bool:
    """A short phrase standing where the image goes (between dek and body), not a label."""
    return (
        not is_sentence(line)
        and 2 <= words(line) <= 12
        and line.casefold() not in IN_BODY_LABELS
        and not BULLET.match(line)
        and not SIGNOFF.match(line)
        and not is_role_line(line)
        and is_sentence(following)
        and words(following) >= 12
    )


#: (layout, for the page's own story only), in the order they are tried
LAYOUTS: tuple[tuple[Layout, bool], ...] = (
    (newsletter_2021, True),
    (newsletter_2020, True),
    (image_first, False),
    (newsletter_credit_first, True),
    (credit_only, False),
    (mid_body, True),
    (newsletter_no_credit, True),
    (article_with_image, False),
    (copy_as_alt, False),
    (no_image, False),
)
