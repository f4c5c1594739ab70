"""The least any ebooklib-based converter does for one page: the floor under our cold EPUB.

    python bench/floor_epub.py page.txt page.epub

It reads the page, splits it into paragraphs at blank lines, and writes them as one chapter
with ebooklib: no reader, no tree, no plugins, no options, no atomic write. Its time, in a
fresh process, is what importing ebooklib (with lxml, zipfile and logging) and writing a book
costs on the machine; bench.py reports it beside protocol-convert's single-page EPUB run, so
the part of that run that is protocol-convert's own shows.
"""

import html
import sys

from ebooklib import epub


def main(source: str, target: str) -> None:
    with open(source, encoding="utf-8-sig", errors="replace") as file:
        paragraphs = [p.strip() for p in file.read().split("\n\n") if p.strip()]
    book = epub.EpubBook()
    book.set_identifier("floor")
    book.set_title(paragraphs[0][:80] if paragraphs else "page")
    book.set_language("en")
    chapter = epub.EpubHtml(title="Page", file_name="page.xhtml", lang="en")
    chapter.content = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs) or "<p></p>"
    book.add_item(chapter)
    book.toc = [chapter]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", chapter]
    epub.write_epub(target, book)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
