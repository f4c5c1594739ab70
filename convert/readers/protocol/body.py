"""Pass 3b: a story's body — paragraphs, headings, lists, figures, sign-offs, sponsor ads.

Rules, in the order they are tried on each line:

- **Lists**: consecutive bullet lines (``  • x``, ``    • x``, ``- x``, ``1. x``) → lists,
  split where the top-level marker changes; deeper bullets nest. A lone ``- Name`` line is a
  sign-off, never a one-item list.
- **Roundup entries**: after ``The best of Protocol`` (or anywhere, for a line
  ``<title>, by <Author>`` / ``<title> — <Author>``), a line followed by one bullet line is an
  entry title: a level-3 heading, its bullet a one-item list.
- **Sponsor lines** (``This week's newsletter is sponsored by …``, ``A message from X``)
  leave the story: they become a sponsored story after it. A label-like sponsor line takes
  the paragraphs after it up to the next in-body label, sign-off or sponsor line.
- **Sign-offs** (``— Name (email | twitter)``, ``-- Name``): a sign-off block; a following
  line joins it only when it reads as a role (``Reporter, Protocol``).
- **In-body labels** (``The Big Story``, ``Overheard``…) are level-2 headings; in a
  newsletter, so is any **column label** (≤ 4 words, no final stop) standing over a story
  headline and a long paragraph. The headline after such a label is level 3, even with a
  full stop.
- **Experts** (Braintrust Q&A): a name over a role line (``Partner at Acme Ventures``) is a
  level-2 heading and that answer's byline (a sign-off block); a role line alone over an
  answer is a byline.
- **Figures**: ``[alt] [caption] credit`` inside the body.
- **Subheadings** (level 2): a short line (≤ 12 words, or ≤ 15 over a long paragraph) after a
  block, before more text or a list, that reads as a title: no final stop (quotes around it
  allowed), a short ``!``, a short
  question before a long paragraph, a verbless phrase with a final stop before a long
  paragraph, or a claim and twist just after a sign-off (the next item's headline). The last
  line of a story is never a subheading (a cut-off dump ends on a fragment).
- Everything else is a paragraph, one per line.
"""

from __future__ import annotations

import re

from ...tree import Block, Figure, Heading, LineBreak, ListBlock, Paragraph, Signoff, Text, block_text
from .classify import (
    BULLET,
    IN_BODY_LABELS,
    NAME,
    ROUNDUP_LABELS,
    SENTENCE_END,
    SIGNOFF,
    headline_shape,
    is_claim_and_twist,
    is_headline,
    is_label,
    is_name,
    is_newsletter_label,
    is_role_line,
    is_sentence,
    signoff_name,
    words,
)
from .header import credit_at, image_from
from .lines import Line

SPONSOR = re.compile(
    r"^(a message from\b|this (week's |weekly |)(newsletter|edition|issue) is (sponsored|presented|brought)|"
    r"(today's |this )?(newsletter )?(is )?(sponsored|presented) by\b|sponsored content\b|from our sponsor\b)",
    re.I,
)
#: a sentence ending inside a line, the next one starting
INNER_STOP = re.compile(r"[.!?]['’\"”]?\s+[A-Z0-9‘“'\"]")
#: what a line may end with after its words: emoji and other symbols
TRAILING_SYMBOLS = re.compile(r"[\s\u2600-\u27bf\U0001f000-\U0001faff\ufe0f\u200d]+$")
ROUNDUP_ENTRY = re.compile(rf"^\S.{{2,}}?(?:, by | [—–] )(?P<author>{NAME.pattern[1:-1]})$")


def read_body(lines: list[Line], section: str | None = None) -> tuple[list[Block], list[list[str]]]:
    """Blocks of a story's body, and the sponsor paragraphs found in it (kept apart)."""
    reader = _BodyReader(lines, _is_newsletter(lines, section))
    reader.read()
    return reader.blocks, reader.sponsors


def _is_newsletter(lines: list[Line], section: str | None) -> bool:
    if section is not None and is_newsletter_label(section):
        return True
    return any(line.text.casefold() in IN_BODY_LABELS or SIGNOFF.match(line.text) for line in lines)


class _BodyReader:
    def __init__(self, lines: list[Line], newsletter: bool) -> None:
        self.lines = lines
        self.newsletter = newsletter
        self.blocks: list[Block] = []
        self.sponsors: list[list[str]] = []
        self.after_label = False
        self.in_roundup = False
        #: the credit starting at each line, if any (asked of every line up to three times)
        self.credits = [credit_at(lines, index) for index in range(len(lines))]

    def text(self, index: int) -> str:
        return self.lines[index].text if index < len(self.lines) else ""

    def is_bullet(self, index: int) -> bool:
        return index < len(self.lines) and bool(BULLET.match(self.lines[index].raw)) and not SIGNOFF.match(
            self.lines[index].text
        )

    def read(self) -> None:
        index = 0
        while index < len(self.lines):
            index = self.step(index)

    def step(self, index: int) -> int:
        text = self.text(index)
        after_label, self.after_label = self.after_label, False
        if self.is_bullet(index):
            return self.bullets(index)
        if SPONSOR.match(text):
            return self.sponsor(index)
        if SIGNOFF.match(text):
            return self.signoff(index)
        if text.casefold() in IN_BODY_LABELS:
            self.in_roundup = text.casefold() in ROUNDUP_LABELS
            return self.label(index)
        if self.is_bullet(index + 1) and not self.is_bullet(index + 2) and (
            self.in_roundup or ROUNDUP_ENTRY.match(text)
        ):
            self.blocks.append(Heading(3, (Text(text),)))  # a roundup entry's title
            return index + 1
        if after_label and self.story_headline(index):
            self.blocks.append(Heading(3, (Text(text),)))
            return index + 1
        if is_name(text) and is_role_line(self.text(index + 1)) and index + 2 < len(self.lines):
            self.blocks.append(Heading(2, (Text(text),)))  # an expert, then the answer's byline
            self.blocks.append(Signoff((Text(self.text(index + 1)),)))
            return index + 2
        if self.newsletter and self.column_label(index):
            return self.label(index)
        if is_role_line(text) and words(self.text(index + 1)) >= 12:
            self.blocks.append(Signoff((Text(text),)))
            return index + 1
        figure = self.figure(index)
        if figure is not None:
            return figure
        if self.subheading(index):
            self.blocks.append(Heading(2, (Text(text),)))
        else:
            self.blocks.append(Paragraph((Text(text),)))
        return index + 1

    # --- the rules ----------------------------------------------------------------------

    def bullets(self, index: int) -> int:
        end = index
        while self.is_bullet(end):
            end += 1
        run = self.lines[index:end]
        if len(run) == 1 and run[0].text.startswith("-") and signoff_name(run[0].text):
            self.blocks.append(Signoff((Text(run[0].text),)))  # "- Name": a bulletin's sign-off
            return end
        self.blocks.extend(build_list(part) for part in list_runs(run))
        return end

    def sponsor(self, index: int) -> int:
        text = self.text(index)
        taken = [text]
        index += 1
        if text.endswith(":") or not is_sentence(text):
            # a label ("A message from X"): the ad runs to the next section label
            while index < len(self.lines) and not self.ends_sponsor(index):
                taken.append(self.text(index))
                index += 1
        self.sponsors.append(taken)
        return index

    def ends_sponsor(self, index: int) -> bool:
        text = self.text(index)
        return text.casefold() in IN_BODY_LABELS or bool(SIGNOFF.match(text) or SPONSOR.match(text))

    def signoff(self, index: int) -> int:
        content: list[Text | LineBreak] = [Text(self.text(index))]
        following = self.text(index + 1)
        if following and is_role_line(following) and not self.is_bullet(index + 1):
            content += [LineBreak(), Text(following)]
            index += 1
        self.blocks.append(Signoff(tuple(content)))
        self.in_roundup = False
        return index + 1

    def label(self, index: int) -> int:
        self.blocks.append(Heading(2, (Text(self.text(index)),)))
        self.after_label = True
        return index + 1

    def story_headline(self, index: int) -> bool:
        """The headline of a story under an in-body label (it may end with a full stop)."""
        text, following = self.text(index), self.text(index + 1)
        if not following or not headline_shape(text) or words(text) < 3 or text[:1] in "“\"‘'":
            return False
        if is_headline(text):
            return True
        return words(text) <= 16 and words(following) > words(text)

    def column_label(self, index: int) -> bool:
        """``Biz on Biz`` / ``<story headline>`` / ``<long paragraph>``: a newsletter's column."""
        text, title, paragraph = self.text(index), self.text(index + 1), self.text(index + 2)
        if not paragraph or words(text) > 4 or not is_label(text):
            return False
        if not (is_headline(title) and words(title) >= 3) and not is_claim_and_twist(title):
            return False
        return words(paragraph) >= 12 and not self.is_bullet(index + 2)

    def figure(self, index: int) -> int | None:
        """An in-body image starting at ``index``: [alt] [caption] credit; where it ends."""
        for size in (2, 1, 0):
            credit = self.credits[index + size] if index + size < len(self.credits) else None
            if credit is None:
                continue
            before = [line.text for line in self.lines[index : index + size]]
            if size == 2 and (SENTENCE_END.search(before[0]) or not is_sentence(before[1])):
                continue  # two lines before a credit are an alt (a phrase), then a caption sentence
            if size == 1 and words(before[0]) > 40:
                continue
            self.blocks.append(Figure(image_from(before, credit[0])))
            return credit[1]
        return None

    def subheading(self, index: int) -> bool:
        text = self.text(index)
        if not self.blocks or index + 1 >= len(self.lines):
            return False
        if self.is_bullet(index + 1):  # a title over a list, after a finished paragraph
            previous = self.blocks[-1]
            return (words(text) <= 8 and not is_sentence(text) and isinstance(previous, Paragraph)
                    and is_sentence(block_text(previous)) and text[:1].isupper())
        previous = self.blocks[-1]
        if isinstance(previous, Signoff) and is_claim_and_twist(text):
            return words(self.text(index + 1)) >= 8  # the next item's headline
        core = (TRAILING_SYMBOLS.sub("", text) if not text[-1].isascii() else text).strip("\"“”‘’'")
        if words(text) > 15 or len(text) > 120 or not core or core.endswith((",", ";", ":", "…")):
            return False
        if text.startswith(("(", "[")) or (text[0] in "“\"‘'" and not _quote_closes(text)):
            return False
        if INNER_STOP.search(core) and not _fragments(core):
            return False  # sentences of a paragraph (``… see you tomorrow. Tips, as always, to``)
        following = words(self.text(index + 1))
        if core.endswith("!"):
            return words(text) <= 5 and following >= 12
        if core.endswith("?"):
            if text[0] in "“\"" and text.endswith(("”", '"')):
                return words(text) <= 10 and following >= 3  # a question in quotes: a title
            finished = not isinstance(previous, Paragraph) or is_sentence(block_text(previous))
            return words(text) <= 10 and following >= 12 and finished
        if core.endswith("."):
            return (_noun_phrase(text) or _fragments(core)) and following >= 12
        if words(text) > 12:  # a long title needs a long paragraph under it
            return following >= 12 and not is_credit_like(text)
        return following >= 3 and not is_credit_like(text)


def is_credit_like(text: str) -> bool:
    return credit_at([Line(text, text, False)], 0) is not None


def _quote_closes(text: str) -> bool:
    """An opening quote closed within the line (``‘Severance’ gets a second season``)."""
    return any(mark in text[1:] for mark in "”\"’'")


DETERMINERS = {"the", "a", "an", "our", "its", "their", "this", "these", "one", "two", "three", "some", "more"}
VERBS = {
    "is", "was", "are", "were", "be", "been", "being", "has", "have", "had", "do", "does", "did", "will",
    "would", "can", "could", "should", "may", "might", "must", "says", "said", "gets", "got", "makes",
    "made", "goes", "went", "agrees", "agree", "wants", "want", "needs", "need", "isn't", "wasn't", "it's",
}


def _fragments(text: str) -> bool:
    """``Earnings. Ouch.``, ``Data first. Feelings later.``: two or three phrases of at most
    four words with no verb — a title's rhythm; ``Neither is cheap. Both are happening
    anyway.`` is sentences."""
    parts = [part for part in re.split(r"[.!?]\s+", text.rstrip(".!?")) if part]
    if not 2 <= len(parts) <= 3:
        return False
    for part in parts:
        tokens = [t.strip(",\"'“”‘’").lower() for t in part.split()]
        if not 1 <= len(tokens) <= 4 or any(t in VERBS or t.endswith("n't") for t in tokens):
            return False
    return True


def _noun_phrase(text: str) -> bool:
    """``The fine print.``: a short phrase with no verb, which reads as a subheading even
    with its full stop; ``That was the easy part.`` is a sentence."""
    tokens = [t.strip(".,!?\"'“”‘’").lower() for t in text.split()]
    return len(tokens) <= 5 and tokens[0] in DETERMINERS and not any(t in VERBS for t in tokens)


# --- lists ----------------------------------------------------------------------------------


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
