"""Synthetic Protocol pages for the benchmark (and for tests that need many pages).

``generate(n, directory, seed=...)`` writes ``n`` varied pages shaped like the saved pages
described in FORMAT.md, about the size of the seed page (10-25 KB, 16.5 KB on average, as
the seed): a section label, headline, dek, image block, a body of paragraphs with subheadings and now and then a bullet
list or a quote, then two to four teasers for *other* generated stories (so a collection has
teasers to merge and link), sometimes a sponsor's blurb, and the site chrome. Nine pages in ten start with their date
line (spread evenly over 2020-2022, so an archive splits into months). Variation:
``Protocol | Section`` headers, pages without an image, credits with different prefixes,
CJK and emoji, curly quotes, CRLF line endings, a byte-order mark. The same ``seed`` gives
the same pages, byte for byte.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path

SECTIONS = ["China", "Fintech", "Enterprise", "Workplace", "Policy", "Climate", "Power", "People", "Braintrust"]
WORDS = (
    "cloud data platform company regulators market workers startup chips network security policy "
    "software model developers investors revenue growth customers privacy antitrust labor "
    "engineers product strategy infrastructure payments crypto banks lawmakers court ruling "
    "deal funding valuation executives employees hybrid office remote talent hiring layoffs "
    "supply chain semiconductor factory export rules government agency commission federal state "
    "industry analysts report survey quarter earnings users platforms content moderation "
    "algorithm machine learning open source license community standards energy emissions battery"
).split()
NAMES = ["Veronica Irwin", "Donna Goodison", "Kate Kaye", "Zeyi Yang", "Ben Pimentel", "Anna Kramer",
         "Issie Lapowsky", "Tomio Geron", "Lizzy Lawrence", "Biz Carson", "Nat Rubio-Licht", "Max Cherney"]
AGENCIES = ["Getty Images", "AFP via Getty Images", "Bloomberg via Getty Images", "Reuters", "Protocol"]
CREDIT_PREFIXES = ["Photo: ", "Image: ", "Illustration: ", "Photo Illustration: ", "Screenshot: ", ""]
EXTRAS = ["内卷", "躺平主义", "摸鱼", "🚀", "📉", "naïve", "café", "Zürich", "São Paulo", "—", "…"]


def _sentence(rng: random.Random, low: int = 8, high: int = 24) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    if rng.random() < 0.15:
        words.insert(rng.randrange(len(words)), rng.choice(EXTRAS))
    if rng.random() < 0.2:
        at = rng.randrange(len(words))
        words[at] = f"“{words[at]}”"
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "?", "!"])


def _paragraph(rng: random.Random, sentences: tuple[int, int] = (3, 7)) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(*sentences)))


def _headline(rng: random.Random, index: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(5, 11))]
    text = " ".join(words)
    return f"{text[0].upper()}{text[1:]} ({index})"  # the index keeps every headline distinct


def _credit(rng: random.Random) -> str:
    return f"{rng.choice(CREDIT_PREFIXES)}{rng.choice(NAMES)}/{rng.choice(AGENCIES)}"


def _story(i: int, n: int) -> dict[str, object]:
    """The fixed facts of story ``i``, the same wherever it appears (page or teaser)."""
    rng = random.Random(f"story-{i}")
    author = rng.choice(NAMES)
    handle = "@" + author.split()[0].lower() + author.split()[-1][:3].lower()
    return {
        "section": rng.choice(SECTIONS),
        "headline": _headline(rng, i),
        "dek": _sentence(rng, 12, 26),
        "alt": " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 4))).capitalize(),
        "caption": _sentence(rng, 8, 18),
        "credit": _credit(rng),
        "opening": [_paragraph(rng, (2, 4)) for _ in range(2)],
        "author": author,
        "bio": f"{author} ({handle}) is a reporter at Protocol covering {rng.choice(WORDS)} and "
               f"{rng.choice(WORDS)}. {_sentence(rng, 10, 20)}",
    }


#: the days the pages are dated over: Protocol's own years
FIRST_DAY, LAST_DAY = datetime.date(2020, 2, 4), datetime.date(2022, 11, 14)
#: the share of pages saved without their date line
UNDATED_SHARE = 0.1


def page_day(i: int, n: int) -> datetime.date:
    """Page ``i``'s date: the pages spread evenly over :data:`FIRST_DAY`..:data:`LAST_DAY`."""
    span = (LAST_DAY - FIRST_DAY).days
    return FIRST_DAY + datetime.timedelta(days=span * i // max(n - 1, 1))


def page_text(i: int, n: int, seed: int = 1) -> str:
    """The text of page ``i`` of ``n``."""
    rng = random.Random(f"{seed}-page-{i}")
    story = _story(i, n)
    lines: list[str] = []
    header = story["section"]
    if rng.random() < 0.2:
        header = f"Protocol | {header}"
    if rng.random() >= UNDATED_SHARE:  # the saved page's date line, just above its section label
        day = page_day(i, n)
        header = f"{day:%B} {day.day}, {day.year}\n{header}"
    lines.append(str(header))
    lines.append(str(story["headline"]))
    lines.append(str(story["dek"]))
    if rng.random() < 0.85:
        lines.append(str(story["alt"]))
        if rng.random() < 0.85:
            lines.append(str(story["caption"]))
        lines.append(str(story["credit"]))
    lines.extend(str(p) for p in story["opening"])  # type: ignore[union-attr]
    for _ in range(rng.randint(3, 5)):
        lines.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5))).capitalize())
        for _ in range(rng.randint(3, 5)):
            lines.append(_paragraph(rng))
        if rng.random() < 0.25:
            lines.append("\n".join(f"  • {_sentence(rng, 4, 10)}" for _ in range(rng.randint(2, 5))))
        if rng.random() < 0.15:
            lines.append(f"\u201c{_sentence(rng, 10, 20)}\u201d {rng.choice(NAMES)} said.")
    others = sorted({(i + k * 7 + 1) % n for k in range(rng.randint(2, 4))} - {i}) if n > 1 else []
    for j in others:
        teaser = _story(j, n)
        lines.append(str(teaser["section"]))
        lines.append(str(teaser["headline"]))
        lines.append(str(teaser["dek"]))
        lines.append(str(teaser["caption"]))
        lines.append(str(teaser["credit"]))
        lines.extend(str(p) for p in teaser["opening"])  # type: ignore[union-attr]
        lines.append(f"Keep ReadingShow less\n{teaser['author']}")
        lines.append(str(teaser["bio"]))
    if rng.random() < 0.2:
        lines.append(_paragraph(rng, (2, 3)))
        lines.append("Keep ReadingShow less\nFTA\n" + _paragraph(rng, (1, 2)))
    lines.append("Latest Stories\nBulletins")
    text = "\n\n".join(lines) + "\n"
    if rng.random() < 0.1:
        text = text.replace("\n", "\r\n")
    if rng.random() < 0.05:
        text = "\ufeff" + text
    return text


def generate(n: int, directory: str | Path, seed: int = 1) -> list[Path]:
    """Write ``n`` pages as ``directory/page-00001.txt`` ...; return their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    width = max(5, len(str(n)))
    paths = []
    for i in range(n):
        path = directory / f"page-{i + 1:0{width}d}.txt"
        path.write_text(page_text(i, n, seed), encoding="utf-8", newline="")
        paths.append(path)
    return paths


if __name__ == "__main__":
    import sys

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    target = sys.argv[2] if len(sys.argv) > 2 else "pages"
    print(f"wrote {len(generate(count, target))} pages to {target}")
