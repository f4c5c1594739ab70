"""The layout grammar: pages composed from every variant of FORMAT.md, read back field by field.

``layouts.py`` composes a page (a header form × an image block × body features × zero to
three trailing stories, with or without the subscribe modal, saved with double or single
newlines or CRLF) and knows what it put where. The reader must recover every field of every
story: section, headline, dek, image alt / caption / credit, first paragraph, headings,
writers and date. Hand fixtures pin single pages; this is what makes the rules general.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from conftest import fixture_pages
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from layouts import Choices, compose, read_fields
from test_reader_properties import texts_of

from convert.readers.protocol import BULLET, parse_page


def hypothesis_choices(data: st.DataObject) -> Choices:
    return Choices(lambda seq: data.draw(st.sampled_from(seq)), lambda p: data.draw(st.integers(0, 99)) < p * 100)


def wrong_fields(page) -> list[str]:
    got = read_fields(parse_page(page.text, name="page.txt", sha256="0" * 64))
    want = [story.fields() for story in page.stories]
    if len(got) != len(want):
        outline = [(g["role"], g["title"]) for g in got], [(w["role"], w["title"]) for w in want]
        return [f"stories: got {outline[0]}, want {outline[1]}"]
    return [f"story {i} {key}: got {g[key]!r}, want {w[key]!r}"
            for i, (g, w) in enumerate(zip(got, want, strict=True)) for key in w if g[key] != w[key]]


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_reader_recovers_every_field_of_a_composed_page(data):
    page = compose(hypothesis_choices(data))
    assert wrong_fields(page) == [], f"layout {page.description}:\n{page.text}"


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_composed_pages_lose_no_line(data):
    page = compose(hypothesis_choices(data))
    document = parse_page(page.text, name="page.txt", sha256="0" * 64)
    everything = texts_of(document)
    for raw in page.text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line or re.match(r"^(Updated: )?[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}", line):
            continue  # dates become ISO fields
        bullet = BULLET.match(raw)
        needle = bullet["text"].strip() if bullet and not line.startswith("--") else line
        assert needle.removeprefix("Protocol | ") in everything, f"line lost: {line!r}"


def test_every_field_right_on_two_thousand_seeded_pages():
    """The figures the closing notes quote: pages composed from seeds 0..1999, every field
    of every story checked (2,000 pages, 11 fields a story)."""
    checked: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    forms: Counter[str] = Counter()
    for seed in range(2000):
        page = compose(Choices.seeded(seed))
        forms[next(part for part in page.description if part not in ("modal", "junk"))] += 1
        problems = wrong_fields(page)
        for story in page.stories:
            checked.update(story.fields().keys())
        wrong.update(p.split(":")[0].split()[-1] for p in problems)
    assert len(forms) == 11, forms  # every header form is drawn
    assert sum(checked.values()) > 40_000
    assert wrong == Counter(), wrong


MODAL = ("enterpriseenterpriseauthorJane DoeNoneThe week's biggest enterprise stories.4be0c19a7f\n\n×\n\n"
         "Get access to Protocol\n\nI’m already a subscriber\n\n"
         "Your information will be used in accordance with our Privacy Policy\n\n")


@pytest.mark.parametrize("page", fixture_pages(), ids=lambda p: p.stem)
def test_every_fixture_saved_other_ways_gives_the_same_stories(page):
    """Each fixture page (the real seed among them) with the subscribe modal saved above it,
    with single newlines, with CRLF, with the site tagline first: the same stories, field for
    field (only the chrome grows by the lines added)."""
    text = page.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    plain = parse_page(text, name=page.name, sha256="0" * 64)
    tagline = "What matters in tech, in your inbox every morning.\n\n"
    variants = {  # how: (the page saved so, the lines it adds)
        "modal": (MODAL + text, MODAL),
        "single newlines": (re.sub(r"\n+", "\n", text), ""),
        "crlf": (text.replace("\n", "\r\n"), ""),
        "tagline first": (tagline + text, tagline),
    }
    for how, (variant, added) in variants.items():
        document = parse_page(variant, name=page.name, sha256="0" * 64)
        assert document.articles == plain.articles, how
        lines = [line.strip() for line in added.split("\n") if line.strip()]
        assert Counter(document.chrome) == Counter(plain.chrome) + Counter(lines), how
