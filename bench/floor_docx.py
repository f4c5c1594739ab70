"""The least any python-docx-based converter does for one page: the floor under our DOCX.

    python bench/floor_docx.py page.txt page.docx

It reads the page, splits it into paragraphs at blank lines, and writes them with python-docx's
own template: no reader, no tree, no plugins, no styles of ours, no atomic write. Its time, in
a fresh process, is what importing python-docx (with lxml) and loading, filling and saving its
template costs on the machine; bench.py reports it beside protocol-convert's DOCX runs, so the
part of their time that is protocol-convert's own shows. With ``--each DIR OUT`` it writes a
DOCX for every ``*.txt`` in DIR in one process: the per-page floor of a batch.
"""

import sys
from pathlib import Path

import docx


def write(source: Path, target: Path) -> None:
    with open(source, encoding="utf-8-sig", errors="replace") as file:
        paragraphs = [p.strip() for p in file.read().split("\n\n") if p.strip()]
    document = docx.Document()
    if paragraphs:
        document.add_heading(paragraphs[0][:200], level=1)
    for paragraph in paragraphs[1:]:
        document.add_paragraph(paragraph)
    document.save(str(target))


def main(argv: list[str]) -> None:
    if argv[0] == "--each":
        source, out = Path(argv[1]), Path(argv[2])
        out.mkdir(parents=True, exist_ok=True)
        for page in sorted(source.glob("*.txt")):
            write(page, out / (page.stem + ".docx"))
    else:
        write(Path(argv[0]), Path(argv[1]))


if __name__ == "__main__":
    main(sys.argv[1:])
