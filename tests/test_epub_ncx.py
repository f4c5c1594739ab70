"""The EPUB writer's NCX: ebooklib's own, entry for entry, with the true ``dtb:depth``.

The writer builds the NCX itself (``_Writer._get_ncx``) because ebooklib's runs an lxml
``find`` over every entry of a section for each entry: quadratic in a section's stories. The
answer is checked here against ebooklib's own NCX for the shapes of contents ebooklib knows
(links, sections with and without their own page, nested sections, chapters), so the
rewrite can only change the speed.
"""

from __future__ import annotations

import pytest
from ebooklib import epub

from convert.exporters._epub_build import _Writer


def book_with(toc: list) -> epub.EpubBook:
    book = epub.EpubBook()
    book.set_identifier("urn:uuid:0b1c")
    book.set_title("Protocol: the week")
    book.set_language("en")
    book.toc = toc
    return book


def chapter(n: int) -> epub.EpubHtml:
    return epub.EpubHtml(uid=f"chapter-{n}", file_name=f"chapter-{n}.xhtml", title=f"Chapter {n}")


def links(prefix: str, count: int) -> list[epub.Link]:
    return [epub.Link(f"{prefix}-{i}.xhtml", f"{prefix} story {i}", f"nav-{prefix}-{i}") for i in range(count)]


TOCS = {
    "links only": [epub.Link("masthead.xhtml", "About", "nav-masthead"), *links("a", 3)],
    "sections with their own page": [epub.Link("contents.xhtml", "Contents", "nav-contents"),
                                     (epub.Section("Fintech", "f-0.xhtml"), links("f", 4)),
                                     (epub.Section("China", "c-0.xhtml"), links("c", 2))],
    "a section without a page takes its first entry's": [(epub.Section("Other stories"), links("o", 3))],
    "nested sections and chapters": [chapter(1), (epub.Section("Part"), [chapter(2), (epub.Section("Inner"),
                                                                                     links("i", 2))])],
}


@pytest.mark.parametrize("play_order", [False, True])
@pytest.mark.parametrize("name", list(TOCS))
def test_the_ncx_is_ebooklib_s_with_the_true_depth(name, play_order):
    options = {"play_order": {"enabled": play_order, "start_from": 1}}
    theirs = epub.EpubWriter("/dev/null", book_with(TOCS[name]), options)._get_ncx()
    ours = _Writer("/dev/null", book_with(TOCS[name]), options, (1980, 1, 1, 0, 0, 0))._get_ncx()
    depth = b"2" if any(isinstance(entry, tuple) for entry in TOCS[name]) else b"1"
    assert b'<meta content="0" name="dtb:depth"/>' in theirs
    assert ours == theirs.replace(b'content="0" name="dtb:depth"', b'content="' + depth + b'" name="dtb:depth"')
    assert (b"playOrder" in ours) is play_order
