"""The reader on pages written blind: 80 made-up pages, in two sets, by writers who had only
FORMAT.md and the seed page, never the reader, its fixtures or its tests; each with what its
writer says the page's own story is (``*.expected.json``). Where the reader reads a page
otherwise on purpose, ``fixtures/blind/readings.json`` says so and why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import convert
from convert.tree import Heading, Paragraph, inline_text

BLIND = Path(__file__).resolve().parent.parent / "fixtures" / "blind"
PAGES = sorted(BLIND.glob("set*/*.txt"))
READINGS = {(r["page"], r["field"]): r["reader"] for r in json.loads((BLIND / "readings.json").read_text())["readings"]}
FIELDS = ("section", "title", "dek", "alt", "caption", "credit", "first_paragraph", "headings", "authors")


def _read(path: Path) -> dict[str, Any]:
    document = convert.parse(path)
    main = document.main
    assert main is not None, path.name
    image = main.image
    paragraphs = [b for b in main.body if isinstance(b, Paragraph)]
    return {
        "section": main.section, "title": main.title, "dek": main.dek,
        "alt": image and image.alt, "caption": image and image.caption, "credit": image and image.credit,
        "first_paragraph": inline_text(paragraphs[0].content)[:60] if paragraphs else None,
        "headings": [inline_text(b.content) for b in main.body if isinstance(b, Heading)],
        "authors": [a.name for a in main.authors],
        "sponsored_count": sum(a.role == "sponsored" for a in document.articles),
        "teaser_count": sum(a.role not in ("main", "sponsored") for a in document.articles),
    }


def test_there_are_two_sets_of_forty():
    assert len(PAGES) == 80 and {p.parent.name for p in PAGES} == {"set1", "set2"}


@pytest.mark.parametrize("path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_reader_reads_a_blind_page_as_its_writer_does(path: Path) -> None:
    want = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
    got = _read(path)
    page = f"{path.parent.name}/{path.stem}"
    for field in (*FIELDS, "sponsored_count", "teaser_count"):
        expected = want.get(field)
        if field in ("headings", "authors"):
            expected = expected or []
        if (page, field) in READINGS:
            assert got[field] == READINGS[page, field], (field, got[field])  # our reading, still
            assert got[field] != expected, (field, "the reading matches the writer now: drop it")
        else:
            assert got[field] == expected, (field, got[field], expected)
