"""What one line of a page can be, judged from the line alone.

Rules (each a property of a single line; where a line stands is decided by the passes that
call these):

- a **credit** starts with a credit prefix (``Photo:``, ``Image:``, ``Illustration:``,
  ``(Photo by …)``, ``Photo courtesy of …``) or names an agency without one
  (``Name/Getty Images``, ``Name / Agency``, ``…; Getty Images``, ``Getty Images``);
- a **label** is a short line (≤ 5 words, ≤ 45 characters) without sentence punctuation that
  starts with a capital: a section (``China``), a package name, a newsletter masthead;
  ``Protocol | Enterprise`` is the label ``Enterprise``;
- a **newsletter label** names one of the site's newsletters (``Protocol China``,
  ``Source Code``, ``Braintrust``…);
- a **headline shape** is a line of ≤ 25 words that is not a credit, bullet or sign-off and
  does not end in ``, ; :``. It may end in ``.``, ``?`` or ``!``: whether such a line is a
  headline is decided by its position (the line before a dek, the line between a credit and a
  newsletter label, the line after an in-body label), never by its final stop alone;
  :func:`is_headline` is the strict form (no final ``.``), used where position says little;
- a **claim-and-twist** headline is a short line of two sentences (``<claim>. <twist>.``,
  ``<question>? <answer>.``);
- a **sentence** ends in sentence punctuation or runs over 14 words;
- a **name** is two to four capitalised words (particles such as ``de`` or ``van`` allowed);
- a **role line** reads like a job (``Partner at Acme Ventures``, ``Reporter, Protocol``).
"""

from __future__ import annotations

import functools
import re

from ...tree import Author

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
SENTENCE_END = re.compile(r"[.!?…:;,]['’\"”)]*$")
NEWSLETTER = re.compile(
    r"^(Protocol (?!\|)[A-Z][\w&]*(?: [A-Z][\w&]*)?|Source Code|(?:[A-Z][\w&]* ){0,2}Pipeline|Tech Policy|"
    r"Braintrust|The Protocol Playbook)$"
)
#: the small words a title-case name leaves in lower case
CONNECTORS = frozenset(("of", "the", "and", "&", "in", "on", "at", "for", "a", "to", "by"))
#: The site's sections and desks, as its pages print them: a line that is one of these is a
#: label wherever it stands before a headline (other labels must prove it by their shape).
SITE_SECTIONS = frozenset(
    s.casefold()
    for s in (
        "China", "Fintech", "Enterprise", "Workplace", "Policy", "Climate", "People", "Power", "Politics",
        "From the Editor", "Braintrust", "Bulletins", "Protocol", "Tech Policy", "Sponsored", "Media",
        "Security", "Mobility", "Cloud", "Entertainment", "Gaming", "Manuals", "Events", "Newsletters",
    )
)
#: Labels of the sections inside a newsletter's body, each followed by a story's headline
IN_BODY_LABELS = frozenset(
    label.casefold()
    for label in (
        "The Big Story", "People Are Talking", "Number of the Week", "Overheard", "The best of Protocol",
        "Best of Protocol", "Coming up", "Around Protocol", "Making moves", "In other news",
        "What we're reading", "What we’re reading", "This week's must-reads", "The Big Picture",
        "Around the web", "Numbers of the week", "Quote of the week", "The Big Number", "Catch up",
        "Before you go", "What else we're reading", "Upcoming events", "Also notable", "Data of the week",
        "Chart of the week",
    )
)
#: Labels after which each entry is a story title with a one-line summary bullet
ROUNDUP_LABELS = frozenset(("the best of protocol", "best of protocol"))
GREETING = re.compile(r"^(hi|hello|hey|good (morning|afternoon|evening|day)|welcome|happy|greetings)\b", re.I)
DATE = re.compile(
    r"^(?P<month>jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|"
    r"oct(ober)?|nov(ember)?|dec(ember)?)\.? (?P<day>\d{1,2}),? (?P<year>(19|20)\d\d)$",
    re.I,
)
#: ``Updated: Mar 3, 2022 at 4:05 p.m. EST.``: the story's date, printed under its image
UPDATED = re.compile(
    r"^(updated|published|posted)(:|\s+on)?\s+(?P<date>[A-Za-z]{3,9}\.? \d{1,2},? (19|20)\d\d)"
    r"(\s*(at|,)?\s*\d{1,2}(:\d{2})?\s*[ap]\.?\s?m\.?)?(\s*[A-Z]{2,4}\.?)?\.?$",
    re.I,
)
MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
NAME_WORD = r"(?:[A-Z][\w.'’-]*|de|da|del|der|van|von|la|le|al|bin|dos|du|ter|y)"
NAME = re.compile(rf"^[A-Z][\w.'’-]+(?: {NAME_WORD}){{0,3}}$")
ROLE_WORDS = re.compile(
    r"\b(reporter|editor|writer|correspondent|columnist|journalist|producer|fellow|contributor|"
    r"editor-in-chief|director|president|host|analyst|founder|co-?founder|ceo|cto|cfo|coo|cmo|cio|ciso|"
    r"partner|principal|chief|head|lead|manager|officer|professor|researcher|scientist|economist|engineer|"
    r"investor|vp|svp|evp|chair(man|woman)?|advisor|adviser|consultant|strategist|architect|attorney|"
    r"counsel|executive|owner|dean|lecturer|associate|senior|general partner|managing)\b",
    re.I,
)
BIO = re.compile(
    r"^(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})\s*"
    r"(?:\(\s*(?P<handle>@\w+)\s*\)\s*)?"
    r"(?:is|was|covers|reports|writes|leads|edits|has)\b"
)
#: who said it, a colon, then the words in quotes ending with their own stop
ATTRIBUTED_QUOTE = re.compile(r":\s*[“\"].*[.!?…]['’]?[”\"]$")
HANDLE = re.compile(r"\(\s*(@\w+)\s*\)")
#: what a company says of itself, and never a writer of itself
COMPANY_WORDS = re.compile(
    r"\b(represents|builds|makes|sells|designs|develops|manufactures|offers|provides|software|hardware|"
    r"(organi[sz]ations|businesses|companies|brands|teams) (use|rely on|trust)|"
    r"helps (companies|businesses|teams|organi[sz]ations|customers|brands)|"
    r"enables|empowers|powers|delivers|platform|provider|solutions?|customers|products|services|"
    r"(leading|global|largest) (company|provider|platform|firm|maker|network)|company|companies|"
    r"trade (association|group)|association|industry leaders|enterprises|our (mission|platform|customers))\b",
    re.I,
)
WRITER_WORDS = re.compile(r"\b(at protocol|for protocol|protocol's|covers|covering|reporter|editor|writer)\b", re.I)


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


def is_site_section(line: str) -> bool:
    return line.startswith("Protocol |") or line.casefold() in SITE_SECTIONS or bool(NEWSLETTER.match(line))


def is_newsletter_label(line: str) -> bool:
    return NEWSLETTER.match(line) is not None


@_cached
def is_title_case_label(line: str) -> bool:
    """``Power Moves``, ``Protocol Next Up``: a label in title case, as a newsletter's name is
    printed (the site's headlines are in sentence case)."""
    if not is_label(line) or words(line) > 4:
        return False
    tokens = line.split()
    return all(t[:1].isupper() or t[:1].isdigit() or t in CONNECTORS for t in tokens) and (
        len(tokens) == 1 or any(t[:1].isupper() for t in tokens[1:])
    )


@_cached
def headline_shape(line: str) -> bool:
    """Could be a headline wherever it stands: short, not a credit, bullet, sign-off, greeting
    or someone's words quoted whole (``An investor, on a podcast: "… slide two."``)."""
    return (
        words(line) <= 25
        and not line.endswith((",", ";", ":"))
        and not ATTRIBUTED_QUOTE.search(line)
        and not is_credit(line)
        and not BULLET.match(line)
        and not SIGNOFF.match(line)
        and not GREETING.match(line)
    )


@_cached
def is_headline(line: str) -> bool:
    """A headline by its shape alone: a headline shape that does not end with a full stop."""
    return headline_shape(line) and not line.endswith(".")


@_cached
def is_claim_and_twist(line: str) -> bool:
    """``Big Tech's quiet quarter. Not for long.``: a short line of two or three sentences."""
    if not line.endswith((".", "!", "?")) or words(line) > 16 or not headline_shape(line):
        return False
    return len(re.findall(r"[.!?]['’\"”]?\s+[A-Z0-9‘“'\"]", line)) in (1, 2)


@_cached
def is_sentence(line: str) -> bool:
    return bool(SENTENCE_END.search(line)) or words(line) > 14


@_cached
def is_name(line: str) -> bool:
    return 2 <= words(line) <= 4 and NAME.match(line) is not None and not is_credit(line)


@_cached
def is_role_line(line: str) -> bool:
    """``Partner at Acme Ventures``, ``Reporter, Protocol``: a job, not a sentence."""
    if words(line) > 15 or line.endswith((".", "?", "!", ":")) or BULLET.match(line) or SIGNOFF.match(line):
        return False
    return bool(ROLE_WORDS.search(line)) and bool(re.search(r"\b(at|@) (the )?[A-Z0-9]|, [A-Z0-9]", line))


def same_text(one: str, two: str) -> bool:
    """The same line, give or take case, quote style and spacing."""
    return _fold(one) == _fold(two)


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


@_cached
def _fold(text: str) -> str:
    return " ".join(text.translate(_QUOTES).casefold().split())


def iso_date(line: str) -> str | None:
    """``February 24, 2022`` (or an ``Updated: …`` line) as ``2022-02-24``."""
    updated = UPDATED.match(line)
    if updated:
        line = updated["date"]
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
    handle = match["handle"] or handle_in(line[: len(bio_name) + 40])
    return Author(name=name or bio_name, handle=handle, bio=line)


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


def describes_company(name: str, bio: str) -> bool:
    """Is this "author" an organisation describing itself (a sponsor), not a writer?

    A writer's bio gives a handle or says what they cover at Protocol; a sponsor's says what
    the company builds, represents or offers, or does not start with the name as a person's
    bio does."""
    if handle_in(bio) or WRITER_WORDS.search(bio):
        return False
    if person_bio(bio, name) is None and not bio.startswith(name):
        return True
    return bool(COMPANY_WORDS.search(" ".join(bio.split()[:40])))


def signoff_name(line: str) -> str | None:
    """The writer a sign-off names: ``— Name (email | twitter)``, ``— Name, role``, ``-- Name``,
    ``- Name``."""
    text = re.sub(r"^(—|–|--|-)\s*", "", line)
    text = re.split(r"\s*[(,|]|\s+[—–]\s+", text, maxsplit=1)[0].strip()
    return text if is_name(text) else None


def _same_person(name: str, bio_name: str, line: str) -> bool:
    return line.startswith(name) or bio_name.split()[0] == name.split()[0]


def handle_in(text: str) -> str | None:
    found = HANDLE.search(text)
    return found.group(1) if found else None
