"""A grammar of saved Protocol pages: composes a page from the layouts of FORMAT.md and
knows what it put where.

A page is a header form × an image block × body features × zero to three trailing stories,
with or without the subscribe modal above it, saved with double newlines, single newlines
or CRLF. :func:`compose` takes a :class:`Choices` (drawn by Hypothesis in
``test_layout_grammar.py``, or by a seeded ``random.Random`` for the accuracy figures) and
returns the page's text and the fields a reader must recover from it.

Every text is made up here from small pools of invented words, so no rule can be keyed to
one page: a rule that works only for the fixtures' sentences fails here.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

# --- pools of invented text ------------------------------------------------------------------

FIRST = ["Mara", "Tobias", "Ines", "Kwabena", "Lucia", "Oskar", "Priya", "Dmitri", "Hana", "Emeka", "Sofia",
         "Rohan", "Greta", "Yusuf", "Beatriz", "Callum", "Noor", "Anselm", "Leilani", "Matteo"]
LAST = ["Okafor", "Lindqvist", "Castellano", "Brandt", "Nakagawa", "Osei", "Fairweather", "Moreau", "Haddad",
        "Vasquez", "Thorne", "Adebayo", "Kowalski", "Iversen", "Ramires", "Whitlock", "Demir", "Sato"]
AGENCIES = ["Getty Images", "Bloomberg via Getty Images", "AFP via Getty Images", "Reuters", "AP Photo",
            "The Washington Post via Getty Images"]
SECTIONS = ["China", "Fintech", "Enterprise", "Workplace", "Policy", "Climate", "Power", "People", "Politics",
            "From the Editor", "Future of Work Survey", "Protocol | Enterprise", "Protocol | Fintech",
            "Protocol | Policy"]
NEWSLETTERS = ["Protocol China", "Protocol Enterprise", "Protocol Fintech", "Source Code", "Protocol Climate",
               "Tech Policy", "Protocol Workplace", "Power Moves", "Tech Policy Pipeline", "Protocol Next Up"]
SUBJECTS = ["Chipmakers", "A payments startup", "Regulators in Brussels", "The largest cloud providers",
            "Two ride-hailing companies", "Hospital systems", "A database company", "Game studios",
            "Battery makers", "Federal prosecutors", "Satellite operators", "Crypto lenders", "Small banks",
            "Streaming services", "Warehouse robot makers", "Insurers", "Delivery apps", "Telecom carriers"]
PREDICATES = ["are running out of room to grow", "want a bigger share of the chip budget",
              "face a deadline nobody planned for", "bet on a cheaper kind of memory",
              "quietly raise their prices", "have a hiring problem they cannot fix",
              "discover the limits of automation", "want to be banks now", "are losing the data center race",
              "try a new way to sell software", "get a second chance in Washington",
              "learn to live with slower growth"]
TWISTS = ["Not for long", "Investors are nervous", "Nobody is surprised", "The bill comes later",
          "So are their rivals", "That may not be enough", "Customers have noticed", "It is working"]
ODD_HEADLINES = ["AWS CEO: The cloud isn’t just about technology",
                 "A judge is trying to teach you crypto, one ‘SNL’ reference at a time",
                 "5 things we learned from the chip makers' earnings calls",
                 "Why the app store fight is about to get much more expensive for everyone involved",
                 "Meet the startup that wants to recycle data centers"]
QUESTIONS = ["Can small banks survive the next rate hike?", "Who will pay for the new chip plants?",
             "Is the four-day week coming to Big Tech?", "What happens when the subsidies run out?",
             "Will anyone buy a foldable laptop?"]
DEK_OPENINGS = ["Executives say", "Three people familiar with the plans say", "New filings show",
                "Analysts expect", "A survey of 400 companies finds", "Internal documents suggest"]
DEK_CLAIMS = ["the shift will take years and cost more than anyone budgeted",
              "the real fight is over who controls the customer",
              "prices will keep rising well into next year",
              "the change was planned long before the regulators stepped in",
              "smaller rivals are the ones most at risk"]
ALTS = ["Rows of server racks", "An empty trading floor", "A robotic arm on an assembly line",
        "Shipping containers at a port", "A phone on a kitchen table", "Solar panels on a warehouse roof",
        "A crowded conference hall", "Commuters on a train platform", "A lab technician holding a wafer"]
CAPTIONS = ["Executives say the new plant will not reach full output until 2025.",
            "The company has spent more than $2 billion on the project so far.",
            "Workers at the site say the pace of hiring has slowed since spring.",
            "Regulators are expected to rule on the deal before the end of the year.",
            "The startup says its machines can do the work of six people."]
LONG_ALTS = ["A woman in a green coat holds her phone above a card reader at a crowded market stall while "
             "the vendor counts change into a tin box.",
             "Two engineers in hard hats walk past a row of cooling towers at a data center that is still "
             "under construction outside the city."]
#: alt texts that describe at length but, like every alt, stop without a full stop
LONG_PHRASE_ALTS = ["Two engineers in hard hats walking past a row of cooling towers at a data center that is "
                    "still under construction",
                    "A woman in a green coat holding her phone above a card reader at a crowded market stall"]
SENTENCES = ["The company said the change would take effect at the start of next quarter and would apply to "
             "every customer in the United States.",
             "Three former employees described a rush to ship the product before a rival could announce its "
             "own version at a trade show in the spring.",
             "Analysts who follow the industry said the numbers were better than expected, though they warned "
             "that one strong quarter does not make a trend.",
             "Regulators have asked for documents covering the last five years of pricing decisions, according "
             "to a letter reviewed by Protocol.",
             "Smaller competitors say they cannot match the discounts, and two of them have already started "
             "looking for buyers.",
             "The startup, which employs about 200 people, has raised more than $150 million from venture "
             "investors since it was founded in 2018.",
             "Customers who signed up during the first year were promised a fixed price, a promise the company "
             "now says it cannot keep.",
             "None of the people interviewed for this story wanted to be named, because the negotiations are "
             "still going on."]
SUBHEADINGS = ["The hard part comes next", "Where the money goes", "A slower road", "Who wins",
               "The fine print.", "‘Good enough’ is the new goal", "What comes next?", "Not so fast",
               "The view from Washington", "Cheaper, for now", '"Who pays for all of this?"', "Game on!",
               "The long road back", "Earnings. Ouch.", "Data first. Feelings later."]
SHORT_PARAGRAPHS = ["That was the easy part.", "Not everyone agrees.", "The numbers tell a different story.",
                    "That question came up in every interview."]
#: short lines that close a newsletter's item and are not titles
CLOSING_LINES = ["That's a wrap for this week! 🎮", "Thanks for reading, and see you tomorrow. Tips, as always, to"]
OVERHEARD = ['An investor, on a podcast: "Every pitch I saw this month had the word \'generative\' on slide two."',
             "A designer, on Twitter: “Prompt engineering is art direction with worse pay.”"]
IN_BODY_LABELS = ["The Big Story", "People Are Talking", "Number of the Week", "Overheard", "Coming up"]
COLUMN_LABELS = ["Desk Notes", "Biz on Biz", "At the Office", "On the Ground", "Chip Talk"]
GREETINGS = ["Good morning!",
             "Hello and welcome to {label}! This week, we look at what the new rules mean for suppliers, and "
             "why one founder thinks they are a gift.",
             "Good morning! This Tuesday: a deal falls apart, a regulator changes its mind, and what we are "
             "reading this week.",
             "Hi, and welcome back to {label}! Today we have the numbers behind a slow quarter, and a look at "
             "who is still hiring."]
ROLES = ["Partner at Northlight Ventures", "Chief Technology Officer at Harrowgate Health",
         "Vice President of Engineering, Corvalis Systems", "Managing Director at Calloway Partners",
         "Professor of Computer Science at the University of Northfield"]
BEATS = ["chips and hardware", "fintech", "enterprise software", "the future of work", "climate and energy",
         "tech policy", "China's tech industry"]
COMPANIES = ["Ledgerline", "Bastion Shield", "Quartzwave", "Northstar Cloud", "Helix Payments"]
COMPANY_BIOS = ["{org} is the leading provider of automated accounting software for mid-sized companies.",
                "{org} builds threat detection tools that help security teams at enterprises stop attacks.",
                "{org} offers a platform that helps finance teams close their books in days.",
                "{org} makes meeting-room cameras and microphones. More than 9,000 organizations use {org} rooms."]
SPONSOR_PITCHES = ["Finance teams spend the first two weeks of every month reconciling spreadsheets. It does "
                   "not have to be that way.",
                   "Security teams drown in alerts. See how modern companies cut the noise and respond to real "
                   "threats first."]
MODAL_WIDGET = ["{slug}{slug}author{name}NoneThe week's most important stories, every Tuesday.{hex}",
                "{slug}author{name}NEWSLETTER LayoutYour daily look at what matters in tech.{hex}",
                "bulletinsauthoryes{name}NoneThe day's short takes from our reporters.{hex}"]
SLUGS = ["enterprise", "fintech", "china", "source-code", "policy", "climate"]


class Choices:
    """Where a page's choices come from: ``pick`` one of a sequence, ``chance`` a yes/no."""

    def __init__(self, pick: Callable[[Sequence[Any]], Any], chance: Callable[[float], bool]) -> None:
        self.pick = pick
        self.chance = chance

    @classmethod
    def seeded(cls, seed: int) -> Choices:
        rng = random.Random(seed)
        return cls(lambda seq: seq[rng.randrange(len(seq))], lambda p: rng.random() < p)


@dataclass
class Story:
    """What a story's lines say, as a reader must recover it."""

    role: str = "teaser"
    section: str | None = None
    title: str | None = None
    dek: str | None = None
    alt: str | None = None
    caption: str | None = None
    credit: str | None = None
    first_paragraph: str | None = None
    headings: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    #: the body's figures, as (alt, caption, credit)
    figures: list[tuple[str | None, str | None, str | None]] = field(default_factory=list)

    def fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class Page:
    text: str
    stories: list[Story]
    description: list[str]  # the choices made, for a readable failure


class _Builder:
    def __init__(self, choose: Choices) -> None:
        self.c = choose
        self.lines: list[str] = []
        self.parts: list[str] = []

    def pick(self, seq: Sequence[T]) -> T:
        return self.c.pick(seq)

    def chance(self, p: float) -> bool:
        return self.c.chance(p)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    # --- texts ------------------------------------------------------------------------------

    def name(self) -> str:
        return f"{self.pick(FIRST)} {self.pick(LAST)}"

    def headline(self, *, full_stop: bool = True, question: bool = True) -> str:
        kinds = ["plain", "plain", "odd"] + (["question"] if question else []) + (["twist"] if full_stop else [])
        kind = self.pick(kinds)
        if kind == "odd":
            return self.pick(ODD_HEADLINES)
        if kind == "question":
            return self.pick(QUESTIONS)
        line = f"{self.pick(SUBJECTS)} {self.pick(PREDICATES)}"
        return f"{line}. {self.pick(TWISTS)}." if kind == "twist" else line

    def dek(self) -> str:
        return f"{self.pick(DEK_OPENINGS)} {self.pick(DEK_CLAIMS)}."

    def paragraph(self) -> str:
        one, two = self.pick(SENTENCES), self.pick(SENTENCES)
        if one == two:
            return one
        # the saver's artefacts: a missing space after a sentence, a space before a comma
        return self.pick([f"{one} {two}", f"{one} {two}", f"{one}{two}", f"{one} {two}".replace(",", " ,", 1)])

    def credit(self) -> tuple[list[str], str]:
        """The credit's page lines, and the credit as the tree holds it."""
        name = self.name()
        kind = self.pick(["photo", "photo", "illustration", "agency", "split", "slash"])
        if kind == "photo":
            text = f"Photo: {name}/{self.pick(AGENCIES)}"
        elif kind == "illustration":
            text = self.pick(["Illustration: Protocol", f"Illustration: {name}/Protocol", "Image: Protocol"])
        elif kind == "agency":
            text = f"{name}/{self.pick(AGENCIES)}"
        elif kind == "split":
            return [f"Photo: {name}/Bloomberg via", "Getty Images"], f"Photo: {name}/Bloomberg via Getty Images"
        else:
            agency = self.pick(["Bloomberg via Getty Images", "AFP via Getty Images"])
            return [name, f"/ {agency}"], f"{name} / {agency}"
        return [text], text

    def signoff(self) -> tuple[list[str], str]:
        name = self.name()
        handle = name.split()[0].lower() + name.split()[1][:3].lower()
        kind = self.pick(["email", "role-email", "dashes", "role-line"])
        if kind == "email":
            return [f"— {name} ({handle}@protocol.com | @{handle})"], name
        if kind == "role-email":
            return [f"— {name}, senior reporter ({handle}@protocol.com | @{handle})"], name
        if kind == "dashes":
            return [f"-- {name}"], name
        return [f"— {name}", "Reporter, Protocol"], name

    def bio(self, name: str) -> str:
        handle = "@" + name.replace(" ", "").lower()[:12]
        return f"{name} ({handle}) is a reporter at Protocol covering {self.pick(BEATS)}. {self.pick(SENTENCES)}"


def compose(choose: Choices) -> Page:
    b = _Builder(choose)
    main = Story(role="main")
    if b.chance(0.3):
        _modal(b)
    elif b.chance(0.1):
        b.parts.append("junk")
        b.add("Subscribe", "We use cookies to improve your experience on our site.", "Accept all cookies")
    if b.chance(0.1):
        b.add("February 24, 2022")
        main.date = "2022-02-24"
    form = b.pick(["article", "article", "article", "image-first", "copy-alt", "no-image", "newsletter",
                   "newsletter", "newsletter-credit-first", "newsletter-no-credit", "newsletter-2020",
                   "braintrust", "bulletin", "mid-body"])
    b.parts.append(form)
    newsletter = form.startswith("newsletter")
    if form == "article":
        _article_header(b, main)
    elif form == "image-first":
        _image_first_header(b, main)
    elif form == "copy-alt":
        _copy_alt_header(b, main)
    elif form == "no-image":
        _no_image_header(b, main)
    elif form == "braintrust":
        _braintrust(b, main)
    elif form == "bulletin":
        return _bulletins(b, main)
    elif form == "mid-body":
        b.add("and that was before the second round of layoffs, which hit the teams that had been told in the "
              "spring that their jobs were safe for at least another year.")
        main.first_paragraph = b.lines[-1]
    else:
        _newsletter_header(b, main, form)
    if form not in ("braintrust", "mid-body"):
        if newsletter:
            _newsletter_body(b, main)
        else:
            _article_body(b, main)
    stories = [main]
    for position in range(b.pick([0, 0, 1, 2, 3])):
        stories.append(_trailing_story(b, first=position == 0))
    return _page(b, stories)


def _page(b: _Builder, stories: list[Story]) -> Page:
    if b.chance(0.3):
        b.add("Latest Stories", "Bulletins")
    style = b.pick(["double", "double", "single", "crlf"])
    b.parts.append(style)
    separator = {"double": "\n\n", "single": "\n", "crlf": "\r\n\r\n"}[style]
    return Page(separator.join(b.lines) + separator[: len(separator) // 2], stories, b.parts)


# --- headers ------------------------------------------------------------------------------------


def _modal(b: _Builder) -> None:
    b.parts.append("modal")
    if b.chance(0.3):
        b.add("Source Code: Your daily look at what matters in tech.")
    widget = b.pick(MODAL_WIDGET).format(slug=b.pick(SLUGS), name=b.name(),
                                         hex="".join(b.pick("0123456789abcdef") for _ in range(9)) + "7")
    b.add(widget, "×", "Get access to Protocol",
          b.pick(["I’m already a subscriber", "I’ve already subscribed"]),
          b.pick(["Your information will be used in accordance with our Privacy Policy",
                  "Will be used in accordance with our Privacy Policy"]))
    if b.chance(0.5):
        b.add("Where should we send your daily tech briefing?")


def _label(b: _Builder, story: Story) -> None:
    label = b.pick(SECTIONS)
    b.add(label)
    story.section = label.split("|", 1)[1].strip() if label.startswith("Protocol |") else label


def _image_block(b: _Builder, story: Story, *, dek: bool) -> None:
    """What stands between a headline and the body of an article with an image."""
    kind = b.pick(["alt-caption", "caption", "alt", "credit-only", "copy-caption", "two-lines-no-dek"])
    b.parts.append(f"image:{kind}")
    if (dek or kind == "caption") and kind != "two-lines-no-dek":
        # (one sentence alone between a headline and its credit is the dek, not a caption)
        story.dek = b.dek()
        b.add(story.dek)
    if kind in ("alt-caption", "alt", "two-lines-no-dek"):
        story.alt = b.pick(ALTS + LONG_PHRASE_ALTS)
        b.add(story.alt)
    if kind == "copy-caption":
        story.alt = story.title
        b.add(story.alt)  # type: ignore[arg-type]
    if kind in ("alt-caption", "caption", "copy-caption", "two-lines-no-dek"):
        story.caption = b.pick(CAPTIONS)
        b.add(story.caption)
    lines, story.credit = b.credit()
    b.add(*lines)
    after = b.pick(["none", "none", "none", "updated", "promo"])
    if after == "updated":
        b.add("Updated: Mar 3, 2022 at 4:05 p.m. EST.")
        story.date = story.date or "2022-03-03"  # a date line above the header comes first
    elif after == "promo":
        b.add("Click banner image for more re:Invent coverage for 2022")


def _article_header(b: _Builder, story: Story) -> None:
    if b.chance(0.7):
        _label(b, story)
    story.title = b.headline()
    b.add(story.title)
    _image_block(b, story, dek=b.chance(0.85))


def _image_first_header(b: _Builder, story: Story) -> None:
    if b.chance(0.5):
        story.caption = b.pick(CAPTIONS)
        b.add(story.caption)
    else:
        story.alt = b.pick(ALTS)
        b.add(story.alt)
    lines, story.credit = b.credit()
    b.add(*lines)
    _label(b, story)
    story.title = b.headline()
    b.add(story.title)


def _copy_alt_header(b: _Builder, story: Story) -> None:
    _label(b, story)
    story.title = b.headline(full_stop=False)
    story.dek = b.dek()
    story.alt = story.title
    story.caption = b.pick(CAPTIONS)
    b.add(story.title, story.dek, story.alt, story.caption)


def _no_image_header(b: _Builder, story: Story) -> None:
    _label(b, story)
    story.title = b.headline()
    b.add(story.title)


def _newsletter_header(b: _Builder, story: Story, form: str) -> None:
    label = b.pick(NEWSLETTERS)
    story.title = b.headline()
    if form == "newsletter":
        if b.chance(0.8):
            story.alt = b.pick(ALTS + LONG_ALTS)
            b.add(story.alt)
        lines, story.credit = b.credit()
        b.add(*lines, story.title, label)
        story.section = label
    elif form == "newsletter-credit-first":
        lines, story.credit = b.credit()
        b.add(*lines, story.title)
    elif form == "newsletter-no-credit":
        b.add(story.title)
        if b.chance(0.5):
            story.alt = story.title
            b.add(story.alt)
        b.add(label)
        story.section = label
    else:  # 2020: [tagline] masthead credit headline copy
        if b.chance(0.5):
            b.add("What matters in tech, in your inbox every morning.")
        masthead = b.pick(["Source Code", "Protocol Enterprise", "Protocol China"])
        lines, story.credit = b.credit()
        b.add(masthead, *lines, story.title, story.title)
        story.section = masthead
        story.alt = story.title
    greeting = b.pick(GREETINGS).format(label=label)
    b.add(greeting)
    story.first_paragraph = greeting
    if b.chance(0.5):
        b.add(b.pick(["(Was this email forwarded to you? Sign up here.)", "Forwarded this email? Subscribe here"]))


def _braintrust(b: _Builder, story: Story) -> None:
    """``Braintrust`` / question / (role line / answer) per expert; or ``Presented by`` /
    series label / question / copy / dek / intro / (name / role line / answer) per expert."""
    presented = b.chance(0.5)
    if presented:
        b.add("Presented by")
    story.section = "Protocol Braintrust" if presented else "Braintrust"
    story.title = b.pick(QUESTIONS)
    b.add(story.section, story.title)
    if presented:
        story.alt = story.title
        story.dek = b.dek()
        story.first_paragraph = b.paragraph()
        b.add(story.alt, story.dek, story.first_paragraph)
    roles = list(ROLES)
    for _ in range(b.pick([1, 2, 3])):
        answer = b.paragraph()
        role = b.pick(roles)
        roles.remove(role)  # each expert has a role of their own
        if presented:
            name = b.name()
            if name in story.headings:
                continue
            story.headings.append(name)
            story.authors.append(name)  # the experts answer the question: the story's writers
            b.add(name)
        b.add(role, answer)
        if story.first_paragraph is None:
            story.first_paragraph = answer


# --- bodies -------------------------------------------------------------------------------------


def _article_body(b: _Builder, story: Story) -> None:
    # two sentences: a long first paragraph, which a page without an image never has as a dek
    story.first_paragraph = f"{SENTENCES[0]} {b.pick(SENTENCES[1:])}"
    b.add(story.first_paragraph)
    for _ in range(b.pick([1, 2, 3])):
        b.add(b.paragraph())
        feature = b.pick(["paragraph", "subheading", "subheading", "list", "figure"])
        if feature == "subheading":
            heading = b.pick(SUBHEADINGS)
            if heading in story.headings:
                continue
            story.headings.append(heading)
            if (heading[-1] not in ".?!\"" or heading[0] == '"') and b.chance(0.3):
                b.add(heading, b.pick(SHORT_PARAGRAPHS), b.paragraph())  # a short paragraph after it
            else:
                b.add(heading, b.paragraph())
        elif feature == "list":
            bullet = b.pick(["  •", "    •", "-"])
            items = [f"{bullet} {b.pick(ALTS)}" for _ in range(b.pick([2, 3]))]
            if bullet == "  •" and b.chance(0.3):
                items.insert(1, f"    • {b.pick(ALTS)}")  # nested under the first item
            b.add("These are the changes customers will see:", *items)
        elif feature == "figure":
            lines, credit = b.credit()
            alt, caption = b.pick(ALTS + LONG_PHRASE_ALTS), b.pick(CAPTIONS)
            b.add(alt, caption, *lines)
            story.figures.append((alt, caption, credit))
    b.add(b.paragraph())


def _newsletter_body(b: _Builder, story: Story) -> None:
    for _ in range(b.pick([1, 2, 3])):
        feature = b.pick(["label", "label", "column", "roundup"])
        if feature == "roundup":
            story.headings.append("The best of Protocol")
            b.add("The best of Protocol")
            for _ in range(b.pick([2, 3])):
                title = b.headline(full_stop=False, question=False)
                entry = b.pick([f"{title}, by {b.name()}", f"{title} — {b.name()}"])
                if entry in story.headings:
                    continue
                story.headings.append(entry)
                b.add(entry, f"{b.pick(['  •', '-'])} {b.pick(CAPTIONS)}")
            continue
        label = b.pick(IN_BODY_LABELS if feature == "label" else COLUMN_LABELS)
        if label == "Overheard" and label not in story.headings and b.chance(0.5):
            story.headings.append(label)  # quotes under the label, no headline
            b.add(label, *OVERHEARD[: b.pick([1, 2])])
            continue
        title = b.headline()
        if label in story.headings or title in story.headings:
            continue
        story.headings += [label, title]
        b.add(label, title, b.paragraph())
        if b.chance(0.5):
            b.add(b.paragraph())
        if b.chance(0.2):
            b.add(b.pick(CLOSING_LINES))
        lines, writer = b.signoff()
        b.add(*lines)
        if writer not in story.authors:
            story.authors.append(writer)
        if b.chance(0.3):  # the next item's headline, a claim and twist, straight after the sign-off
            title = f"{b.pick(SUBJECTS)} {b.pick(PREDICATES)}. {b.pick(TWISTS)}."
            if title not in story.headings:
                story.headings.append(title)
                b.add(title, b.paragraph())
    if b.chance(0.3):
        b.add("This week's newsletter is sponsored by Quartzwave. Quartzwave closes your books while you "
              "sleep. Try it free for 30 days.")


def _trailing_story(b: _Builder, *, first: bool) -> Story:
    """A teaser, an untitled teaser or a sponsor's blurb; the first after the page's own story
    is a teaser with a section label (what tells where the page's story ends)."""
    # the first may be untitled too: its credit alone then tells where the page's story ends
    kinds = ["teaser"] * 5 + ["untitled"] if first else ["teaser", "teaser", "teaser", "untitled", "sponsored"]
    kind = b.pick(kinds)
    story = Story(role="sponsored" if kind == "sponsored" else "teaser")
    if kind == "teaser":
        _label(b, story)
        story.title = b.headline()
        b.add(story.title)
        if b.chance(0.6):
            story.dek = b.dek()
            b.add(story.dek)
        if story.dek and b.chance(0.4):
            story.caption = b.pick(CAPTIONS)
            b.add(story.caption)
        lines, story.credit = b.credit()
        b.add(*lines)
    elif kind == "untitled":
        story.credit = "Image: Protocol"
        b.add(story.credit)
    if kind == "sponsored":
        if b.chance(0.4):
            story.title = "Close your books in days, not weeks"
            b.add(story.title)
        story.first_paragraph = b.pick(SPONSOR_PITCHES)
        org = b.pick(COMPANIES)
        b.add(story.first_paragraph, "Keep ReadingShow less", org, b.pick(COMPANY_BIOS).format(org=org))
        story.authors = [org]
        return story
    story.first_paragraph = b.paragraph()
    name = b.name()
    b.add(story.first_paragraph, "Keep ReadingShow less", name, b.bio(name))
    story.authors = [name]
    return story


def _bulletins(b: _Builder, main: Story) -> Page:
    """Bulletins: no label, no image; the writer's bio closes each item, with no marker, after
    a ``- Name`` sign-off or directly after the body; the next item starts at once."""
    stories = []
    for position in range(b.pick([1, 2, 3])):
        story = main if position == 0 else Story(role="teaser")
        if position and b.chance(0.5):
            _label(b, story)
        story.title = b.headline(full_stop=False)
        story.first_paragraph = f"{SENTENCES[0]} {b.pick(SENTENCES[1:])}"
        b.add(story.title, story.first_paragraph)
        if b.chance(0.5):
            b.add(b.paragraph())
        name = b.name()
        if b.chance(0.5):
            b.add(f"- {name}")
        b.add(b.bio(name))
        story.authors = [name]
        stories.append(story)
    return _page(b, stories)


def read_fields(document: Any) -> list[dict[str, Any]]:
    """The same fields, as the reader gave them (sponsor ads inside a body are left out)."""
    from convert.tree import Figure, Heading, Paragraph, inline_text

    stories = []
    for article in document.articles:
        if article.role == "sponsored" and not article.authors:
            continue  # "This week's newsletter is sponsored by ..." inside a body
        image = article.image
        paragraphs = [b for b in article.body if isinstance(b, Paragraph)]
        stories.append({
            "role": article.role,
            "section": article.section,
            "title": article.title,
            "dek": article.dek,
            "alt": image.alt if image else None,
            "caption": image.caption if image else None,
            "credit": image.credit if image else None,
            "first_paragraph": inline_text(paragraphs[0].content) if paragraphs else None,
            "headings": [inline_text(b.content) for b in article.body if isinstance(b, Heading)],
            "authors": [a.name for a in article.authors],
            "date": article.date,
            "figures": [(b.image.alt, b.image.caption, b.image.credit) for b in article.body if isinstance(b, Figure)],
        })
    return stories
