"""Pass 1: the page's lines, and the site chrome set aside.

Rules:

- CRLF and CR become LF; blank lines separate nothing (a page saved with single newlines
  reads as the same page with blank lines); each line is stripped for matching, and keeps
  its indentation for bullets.
- **Chrome** is site furniture, identical on every page, recorded in ``Document.chrome`` in
  page order and never shown as text: the ``Keep ReadingShow less`` marker (it also ends a
  truncated teaser), the closing ``Latest Stories`` / ``Bulletins`` rail, subscribe
  widgets and the **subscribe modal** saved above the header (``×``, ``Get access to
  Protocol``, ``I’m already a subscriber``, the privacy-policy line, ``Where should we send
  your daily tech briefing?``), the modal's run-together **widget-data line** (recognised
  by its shape: see :func:`is_widget_data`), the **site tagline** in any of its forms
  (``What matters in tech, in your inbox every morning.``), cookie banners,
  forward-this-email lines, ``Click banner image for more … coverage`` promos and the bare
  ``Presented by`` sponsor mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: chrome is a short line (a widget, a banner sentence): longer lines are never tried
CHROME_MAX = 300
CHROME_MAX_LINE = CHROME_MAX
KEEP_READING = re.compile(r"^(keep reading\s*show less|keep reading|show less)$", re.I)
END_CHROME = re.compile(r"^(latest stories|bulletins|more from protocol|recent stories|related stories)$", re.I)
ALWAYS_CHROME = re.compile(r"^(latest stories|recent stories|related stories)$", re.I)
# Site chrome. The patterns that open with their own words are matched as one alternation
# (one pass over a line, compiled once: compiling is most of what importing the reader
# costs); those that may start anywhere near the front are searched for, each with how far
# in it may start, so that no pattern makes the engine try every position with ``^.*``.
CHROME_PATTERNS = (
    r"^\(?\s*(was this|did someone|is this|has this|were you)\b.*\bforward(ed)?\b.*$",
    r"^\(?\s*forwarded (this|an) (email|newsletter)\b.*$",
    r"^\(?\s*(got|received) this (email|newsletter) from a friend\b.*$",
    r"^(subscribe|sign up|sign me up|get the newsletter|subscribe now|subscribe here|join now)[.!]?$",
    r"^(enter your e-?mail( address)?|your e-?mail( address)?|e-?mail address)[.:…]*$",
    r"^(sign up|subscribe)\b.{0,80}\b(newsletter|inbox|email|updates)\b.*$",
    r"^(accept|accept all|accept cookies|accept all cookies|reject all|cookie settings|manage cookies|"
    r"got it)[.!]?$",
    r"^(share|share this (story|article)|print|advertisement|skip to (main )?content|menu|search)$",
    r"^by signing up,? you agree\b.*$",
    r"^protocol\s*(—|–|--|:)\s*\S.*$",  # the masthead tagline ("Protocol — the inside story ...")
    r"^(this newsletter|source code) is your guide\b.*$",
    # the subscribe modal
    r"^[×✕✖]$",
    r"^get access to protocol[.!]?$",
    r"^i[’']?(m|ve| am| have) already (a )?(subscriber|subscribed)[.!]?$",
    r"^where should we send\b.{0,60}\?$",
    # promos and marks between the image and the body
    r"^click (on )?(the )?banner( image)? for more\b.{0,80}$",
    r"^presented by:?$",
)
CHROME_ANY = re.compile("|".join(f"(?:{p})" for p in CHROME_PATTERNS), re.I)
#: (pattern, how many characters may come before it)
CHROME_INSIDE = tuple(
    (re.compile(pattern, re.I), before)
    for pattern, before in (
        (r"\b(delivered|straight) to your inbox\b", 60),
        (r"\b(we|this (site|website)) uses? cookies\b", CHROME_MAX_LINE),
        (r"\bby (continuing|using) (to use )?(this|our) (site|website)\b.*\bcookies\b", CHROME_MAX_LINE),
        # the modal's privacy line
        (r"\bin accordance with (our|the) privacy policy[.!]?$", 40),
        # the site tagline, alone or with the newsletter's name around it
        (r"\bwhat matters in tech\b.{0,90}$", 40),
    )
)
#: any of them, anywhere: one search that most lines fail, before the positions are checked
_CHROME_INSIDE_ANY = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in CHROME_INSIDE), re.I)

# The widget-data line: a desk slug run into "author", a name, "None", a pitch and a hex id,
# e.g. ``fintechfintechauthorJane DoeNoneYour weekly guide to money.3fa9c0b2e1``.
_SLUG_AUTHOR = re.compile(r"^[a-z][a-z0-9_-]{1,40}?author(yes)?[A-Z]")
_GLUED_NONE = re.compile(r"\SNone|None(?=[A-Z“\"‘'])|NEWSLETTER ?Layout|\byes[A-Z]")
_GLUED_HEX = re.compile(r"[^\s0-9a-f][0-9a-f]{10}$")
_CAMEL_GLUE = re.compile(r"[a-z.!?][A-Z][a-z]")


def is_widget_data(line: str) -> bool:
    """The subscribe modal's leaked widget data, by its shape: at least two of a lower-case
    slug glued to ``author``, a glued ``None`` (or ``NEWSLETTER Layout``, ``yes<Name>``), a
    10-character hex id glued to the end, and words run together at a capital."""
    if len(line) > CHROME_MAX or len(line) < 12:
        return False
    tail = line[-10:]
    signs = (
        "author" in line and _SLUG_AUTHOR.match(line) is not None,
        ("None" in line or "Layout" in line or "yes" in line) and _GLUED_NONE.search(line) is not None,
        _GLUED_HEX.match(line, len(line) - 11) is not None
        and any(c.isdigit() for c in tail) and any(c.isalpha() for c in tail),
    )
    found = sum(signs)
    if found == 0:  # words run together are one sign only: never enough alone
        return False
    return found >= 2 or len(_CAMEL_GLUE.findall(line)) >= 2


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


#: what :func:`strip_chrome` leaves where a ``Keep Reading`` marker stood
MARKER = "KR"


def is_chrome(text: str) -> bool:
    if ALWAYS_CHROME.match(text) is not None:
        return True
    if len(text) > CHROME_MAX:
        return False
    if CHROME_ANY.match(text) is not None:
        return True
    if _CHROME_INSIDE_ANY.search(text) is not None:
        for pattern, before in CHROME_INSIDE:
            found = pattern.search(text)
            if found is not None and found.start() <= before:
                return True
    return is_widget_data(text)


def strip_chrome(lines: list[Line], chrome: list[str]) -> list[Line | str]:
    """The lines with chrome taken out (appended to ``chrome``) and each ``Keep Reading``
    marker replaced by :data:`MARKER`."""
    kept: list[Line | str] = []
    end = len(lines)
    while end and END_CHROME.match(lines[end - 1].text):
        end -= 1
    for index, line in enumerate(lines):
        if index >= end or is_chrome(line.text):
            chrome.append(line.text)
        elif KEEP_READING.match(line.text):
            chrome.append(line.text)
            kept.append(MARKER)
        else:
            kept.append(line)
    return kept
