"""The reader's fixture corpus: every fixtures/<name>.txt page beside its hand-written tree.

``fixtures/<name>.json`` is the tree a careful human reader sees on ``fixtures/<name>.txt``
(docs/reader.md), written by hand, independently of the reader. These tests check

- the reader: ``convert.parse(page)`` serialised must equal the expected JSON text exactly;
- the expected trees themselves: schema-valid, canonical JSON form (round trip), correct
  computed fields (sha256, ids), every line of the page accounted for (nothing lost), every
  text of the tree taken from the page (nothing invented), pages saved two ways agreeing.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
import re
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
from conftest import FIXTURES, fixture_pages

import convert
from convert import jsonform
from convert.tree import (
    Article,
    Document,
    Figure,
    Heading,
    Image,
    ListBlock,
    Paragraph,
    Quote,
    Signoff,
    block_text,
    inline_text,
    story_id,
)

PAGES = fixture_pages()
IDS = [p.stem for p in PAGES]
SCHEMA = json.loads(jsonform.SCHEMA_PATH.read_text(encoding="utf-8"))

# Pages saved in two ways that must give the same tree (only the source differs).
SAME_TREE = [
    ("header_bare_label", "header_protocol_pipe_label"),
    ("header_bare_label", "single_newlines"),
    ("triple_newlines", "triple_newlines_collapsed"),
]

BULLET = re.compile(r"^\s*(?:[•\u2022]|-(?!-)|\d+[.)])\s+(.*)$")
SIGNOFF = re.compile(r"^(?:—|--)\s*(.*)$")
PIPE_LABEL = re.compile(r"^Protocol\s*\|\s*(.+)$")


def page_lines(path: Path) -> list[str]:
    """The page's non-blank lines, stripped (BOM dropped, CRLF / CR as LF)."""
    text = path.read_bytes().decode("utf-8-sig")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [line.strip() for line in text.split("\n") if line.strip()]


def raw_lines(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8-sig")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [line for line in text.split("\n") if line.strip()]


def expected_text(page: Path) -> str:
    return page.with_suffix(".json").read_text(encoding="utf-8")


def expected_document(page: Path) -> Document:
    (document,) = jsonform.loads(expected_text(page))
    return document


# --- what a tree holds as text ---------------------------------------------------------


def image_texts(image: Image | None) -> list[str]:
    if image is None:
        return []
    return [t for t in (image.alt, image.caption, image.credit) if t is not None]


def block_texts(block) -> list[str]:
    if isinstance(block, (Paragraph, Heading)):
        return [inline_text(block.content)]
    if isinstance(block, Signoff):
        # A sign-off may join a name line and a role line with a line break.
        return inline_text(block.content).split("\n")
    if isinstance(block, ListBlock):
        return [t for item in block.items for b in item for t in block_texts(b)]
    if isinstance(block, Quote):
        return [t for b in block.content for t in block_texts(b)]
    if isinstance(block, Figure):
        return image_texts(block.image)
    raise TypeError(block)


def article_texts(article: Article) -> list[str]:
    """Every text of an article that comes from one page line (or two joined lines)."""
    texts = [t for t in (article.section, article.title, article.dek) if t is not None]
    texts += image_texts(article.image)
    for author in article.authors:
        texts.append(author.name)
        if author.bio is not None:
            texts.append(author.bio)
    for block in article.body:
        texts += block_texts(block)
    return texts


def credits(document: Document) -> set[str]:
    found = set()
    for article in document.articles:
        images = [article.image] + [b.image for b in article.body if isinstance(b, Figure)]
        found.update(i.credit for i in images if i is not None and i.credit)
    return found


UPDATED = re.compile(r"^(?:Updated|Published|Posted):? (?P<date>\w{3,9}\.? \d{1,2}, \d{4})\b")


def parse_date_line(line: str) -> str | None:
    """The date a date line shows: ``February 24, 2022`` or ``Updated: Dec 2, 2022 at 5:30 p.m. PST.``"""
    updated = UPDATED.match(line)
    if updated:
        line = updated["date"].replace(".", "")
    for fmt in ("%B %d, %Y", "%b %d, %Y"):
        try:
            return datetime.datetime.strptime(line, fmt).date().isoformat()
        except ValueError:
            pass
    return None


def line_candidates(raw: str) -> list[str]:
    """The texts a page line may become: itself, without its bullet, without a sign-off dash."""
    line = raw.strip()
    found = [line]
    bullet = BULLET.match(raw)
    if bullet:
        found.append(bullet.group(1).strip())
    signoff = SIGNOFF.match(line)
    if signoff:
        found.append(signoff.group(1).strip())
    return found


# --- the reader against the expected trees -------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_reader_gives_expected_tree(page: Path):
    got_text = jsonform.dumps(convert.parse(page))
    want_text = expected_text(page)
    got = json.loads(got_text)["document"]
    want = json.loads(want_text)["document"]
    assert got["source"] == want["source"]
    # Headline-level comparison first: the shortest readable diff when the split is wrong.
    outline = [(a["role"], a["section"], a["title"]) for a in got["articles"]]
    assert outline == [(a["role"], a["section"], a["title"]) for a in want["articles"]]
    for got_article, want_article in zip(got["articles"], want["articles"], strict=True):
        assert got_article == want_article
    assert got["chrome"] == want["chrome"]
    assert got_text == want_text


# --- the expected trees themselves -----------------------------------------------------


def test_every_page_has_an_expected_tree():
    pages = sorted(p.stem for p in FIXTURES.glob("*.txt"))
    trees = sorted(p.stem for p in FIXTURES.glob("*.json"))
    assert pages == trees
    assert len(PAGES) >= 30


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_expected_tree_is_schema_valid(page: Path):
    data = json.loads(expected_text(page))
    jsonschema.validate(data, SCHEMA)
    assert set(data) == {"schema_version", "document"}


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_expected_tree_is_canonical_json(page: Path):
    text = expected_text(page)
    data = json.loads(text)
    assert json.dumps(data, ensure_ascii=False, indent=2) + "\n" == text
    (document,) = jsonform.loads(text)
    assert jsonform.dumps(document) == text


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_expected_tree_computed_fields(page: Path):
    """source (name, sha256 of the bytes, reader) and the ids follow docs/reader.md."""
    document = expected_document(page)
    assert document.source.name == page.name
    assert document.source.sha256 == hashlib.sha256(page.read_bytes()).hexdigest()
    assert document.source.reader == "protocol"
    seen: Counter[str] = Counter()
    for article in document.articles:
        fallback = block_text(article.body[0]) if article.body else (article.dek or "")
        base = story_id(article.title, fallback)
        seen[base] += 1
        assert article.id == (base if seen[base] == 1 else f"{base}-{seen[base]}")


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_expected_tree_shape(page: Path):
    """Properties every tree of a page has, whatever the layout."""
    document = expected_document(page)
    assert document.articles, "a page has at least one story"
    assert document.articles[0].role == "main"
    assert [a.role for a in document.articles[1:]].count("main") == 0
    for article in document.articles:
        if article.role == "sponsored":
            assert article.section is None  # a sponsor's blurb may have a headline, never a section
        if article.image is not None:
            assert image_texts(article.image), "an image has at least one of alt, caption, credit"
        for author in article.authors:
            if author.handle is not None:
                assert re.fullmatch(r"@\w+", author.handle)
                assert author.bio is not None and author.handle[1:] in author.bio
    # Chrome never ends up in a story (a section label may read like a chrome line: `Bulletins`).
    chrome_lines = set(document.chrome)
    for article in document.articles:
        for text in article_texts(article):
            if text != article.section:
                assert text not in chrome_lines, f"chrome {text!r} inside a story"


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_every_line_accounted_for(page: Path):
    """Each non-blank line of the page is used once: by a field, a block or the chrome."""
    document = expected_document(page)
    pool: Counter[str] = Counter(document.chrome)
    for article in document.articles:
        pool.update(article_texts(article))
    split_credits = credits(document)
    dates = Counter(a.date for a in document.articles if a.date)
    sections = {a.section for a in document.articles if a.section}
    lines = raw_lines(page)
    lost = []
    index = 0
    while index < len(lines):
        raw = lines[index]
        line = raw.strip()
        nxt = lines[index + 1].strip() if index + 1 < len(lines) else None
        if nxt is not None and f"{line} {nxt}" in split_credits and pool[f"{line} {nxt}"] > 0:
            pool[f"{line} {nxt}"] -= 1  # a credit split over two lines
            index += 2
            continue
        index += 1
        for candidate in line_candidates(raw):
            if pool[candidate] > 0:
                pool[candidate] -= 1
                break
        else:
            date = parse_date_line(line)
            pipe = PIPE_LABEL.match(line)
            if date is not None and dates[date] > 0:
                dates[date] -= 1
            elif pipe and pipe.group(1).strip() in sections:
                pass
            else:
                lost.append(line)
    assert lost == [], "page lines found nowhere in the expected tree"


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_nothing_invented(page: Path):
    """Every text of the expected tree is printed on the page (a line, a bullet's text, two
    joined credit lines; a section may come from `Protocol | X`; a handle from the bio)."""
    lines = raw_lines(page)
    printed = set()
    for raw in lines:
        printed.update(line_candidates(raw))
    stripped = [r.strip() for r in lines]
    printed.update(f"{a} {b}" for a, b in itertools.pairwise(stripped))
    date_lines = {parse_date_line(line) for line in stripped} - {None}
    pipe_sections = {m.group(1).strip() for m in map(PIPE_LABEL.match, stripped) if m}
    document = expected_document(page)
    invented = []
    for article in document.articles:
        if article.section is not None and article.section not in printed | pipe_sections:
            invented.append(article.section)
        if article.date is not None and article.date not in date_lines:
            invented.append(article.date)
        for author in article.authors:
            signed = any(re.match(rf"^(—|–|--|-)\s*{re.escape(author.name)}\b", line) for line in stripped)
            if author.name not in printed and not (author.bio or "").startswith(author.name + " ") and not signed:
                invented.append(author.name)
            if author.handle is not None and author.handle not in (author.bio or "").replace(" ", ""):
                invented.append(author.handle)
        for text in article_texts(article):
            if text not in printed and text != article.section and not any(text == a.name for a in article.authors):
                invented.append(text)
    for line in document.chrome:
        if line not in printed:
            invented.append(line)
    assert invented == []


def _without_source(document: Document) -> dict:
    data = jsonform.document_to_dict(document)
    del data["source"]
    return data


@pytest.mark.parametrize(("first", "second"), SAME_TREE, ids=[f"{a}={b}" for a, b in SAME_TREE])
def test_same_page_saved_two_ways_same_tree(first: str, second: str):
    one = expected_document(FIXTURES / f"{first}.txt")
    two = expected_document(FIXTURES / f"{second}.txt")
    assert _without_source(one) == _without_source(two)
    assert page_lines(FIXTURES / f"{first}.txt") != [] and one.source.sha256 != two.source.sha256


def test_readme_lists_every_fixture():
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    missing = [p.name for p in PAGES if f"`{p.name}`" not in readme]
    assert missing == []


def test_annotated_fixtures_are_built_from_their_pages():
    """Each fixtures/annotated/<name>.page (the page, each line tagged by hand) gives exactly
    the fixture pair fixtures/<name>.txt and .json committed beside the others."""
    import subprocess
    import sys

    tool = FIXTURES / "tools" / "annotated.py"
    pages = sorted((FIXTURES / "annotated").glob("*.page"))
    assert len(pages) >= 20
    assert all((FIXTURES / f"{p.stem}.txt").exists() for p in pages)
    result = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
