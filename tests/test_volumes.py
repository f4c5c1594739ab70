"""Volumes (``--split``): a collection split by section and/or month, one output per group.

The pages are written here with a known date and section each; which volume each page must go
into is derived from that, never from the code under test, and checked against what the
volumes' JSON holds.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
import validators

from convert import jsonform
from convert.errors import OptionError
from convert.testing import run_cli
from convert.tree import Article, Document, Source
from convert.volumes import Spool, Volume, parse_split, volume_of

# (file, date line or None, section label, headline)
PAGES = [
    ("a.txt", "June 3, 2021", "Fintech", "Banks race to sign up crypto custody clients"),
    ("b.txt", "June 28, 2021", "Protocol | Fintech", "Payments startups find a new lender of last resort"),
    ("c.txt", "July 1, 2021", "Fintech", "Regulators circle buy now pay later"),
    ("d.txt", "June 9, 2021", "China", "Tech workers push back on the 996 schedule"),
    ("e.txt", None, "China", "An undated page about export rules for chips"),
    ("f.txt", None, "Climate", "Another undated page about grid batteries"),
    ("g.txt", "February 24, 2022", "Climate", "Utilities race to sign up backyard batteries"),
]
BY_SECTION_MONTH = {
    "fintech-2021-06": {"a.txt", "b.txt"},
    "fintech-2021-07": {"c.txt"},
    "china-2021-06": {"d.txt"},
    "china-undated": {"e.txt"},
    "climate-undated": {"f.txt"},
    "climate-2022-02": {"g.txt"},
}
BY_MONTH = {"2021-06": {"a.txt", "b.txt", "d.txt"}, "2021-07": {"c.txt"}, "2022-02": {"g.txt"},
            "undated": {"e.txt", "f.txt"}}
BY_SECTION = {"fintech": {"a.txt", "b.txt", "c.txt"}, "china": {"d.txt", "e.txt"}, "climate": {"f.txt", "g.txt"}}


def page_text(day: str | None, section: str, headline: str) -> str:
    head = f"{day}\n{section}" if day else section
    return (
        f"{head}\n\n{headline}\n\nWhat the story is about, in a sentence of its own.\n\n"
        "Photo: Teodora Vance/Bloomberg via Getty Images\n\n"
        f"{headline}: the first paragraph of the body says more about it than the dek does.\n\n"
        "A second paragraph follows, so the story has a body of some length to show.\n\n"
        "Latest Stories\nBulletins\n"
    )


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for name, day, section, headline in PAGES:
        (folder / name).write_text(page_text(day, section, headline), encoding="utf-8")
    return folder


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def run(*args: str):
    return run_cli(list(args))


@pytest.mark.parametrize(("split", "groups"), [("section,month", BY_SECTION_MONTH), ("month", BY_MONTH),
                                               ("section", BY_SECTION)])
def test_each_volume_holds_exactly_its_group(pages, tmp_path, split, groups):
    out = tmp_path / "out"
    result = run(str(pages), "--split", split, "-t", "json", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(f"converted {len(PAGES)}, skipped 0, failed 0 in " +
                                          result.output.strip().rsplit(" in ", 1)[1])
    assert {p.stem for p in out.iterdir()} == set(groups)
    for stem, names in groups.items():
        documents = jsonform.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
        assert {Path(d.source.name).name for d in documents} == names, stem


def test_every_format_is_written_per_volume_and_the_books_validate(pages, tmp_path):
    out = tmp_path / "out"
    formats = ["atom", "docx", "epub", "json", "jsonl", "rss"]
    result = run(str(pages), "--split", "section,month", "-t", ",".join(formats), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{stem}.{fmt}" for stem in BY_SECTION_MONTH for fmt in formats)
    books = sorted(out.glob("*.epub"))
    for stem, ((fatals, errors, warnings, _), report) in validators.epubcheck(books, tmp_path).items():
        assert (fatals, errors, warnings) == (0, 0, 0), f"{stem}:\n{report}"
    # a volume of one page is a collection too: a cover, a masthead naming its group
    with zipfile.ZipFile(out / "fintech-2021-07.epub") as book:
        names = book.namelist()
        masthead = book.read("EPUB/masthead.xhtml").decode()
    assert "EPUB/images/cover.jpg" in names
    assert "Protocol Fintech: July 2021" in masthead
    with zipfile.ZipFile(out / "china-undated.epub") as book:
        assert "Protocol China: undated pages" in book.read("EPUB/masthead.xhtml").decode()


def test_volumes_are_reproducible_and_inputs_untouched(pages, tmp_path):
    before = digests(pages)
    for target in ("one", "two"):
        result = run(str(pages), "--split", "month,section", "-t", "epub,docx,rss", "-o", str(tmp_path / target))
        assert result.exit_code == 0, result.output
    assert digests(tmp_path / "one") == digests(tmp_path / "two")
    assert "2021-06-fintech.epub" in digests(tmp_path / "one")  # the keys' order names the files
    assert digests(pages) == before


def test_volumes_written_by_workers_are_the_bytes_written_here(pages, tmp_path, monkeypatch):
    import tempfile

    spools = tmp_path / "tmp"
    spools.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spools))
    for jobs in ("1", "2"):
        result = run(str(pages), "--split", "section,month", "-t", "epub,json", "-j", jobs,
                     "-o", str(tmp_path / f"j{jobs}"))
        assert result.exit_code == 0, result.output
        assert "converted 7, skipped 0, failed 0" in result.output
    assert digests(tmp_path / "j1") == digests(tmp_path / "j2")
    assert len(digests(tmp_path / "j2")) == 2 * len(BY_SECTION_MONTH)
    assert list(spools.iterdir()) == []  # the pages set aside are removed with the run


def test_the_title_option_wins_over_the_volume_title(pages, tmp_path):
    out = tmp_path / "out"
    assert run(str(pages), "--split", "month", "-t", "epub", "--title", "My archive", "-o", str(out)).exit_code == 0
    with zipfile.ZipFile(out / "2021-06.epub") as book:
        assert "My archive" in book.read("EPUB/masthead.xhtml").decode()


def test_existing_volumes_are_left_alone_without_force(pages, tmp_path):
    out = tmp_path / "out"
    assert run(str(pages), "--split", "section", "-t", "json", "-o", str(out)).exit_code == 0
    (out / "china.json").write_text("precious")
    (out / "fintech.json").unlink()
    result = run(str(pages), "--split", "section", "-t", "json", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "china.json").read_text() == "precious"
    assert (out / "fintech.json").exists()
    assert "converted 3, skipped 4, failed 0" in result.output and "2 output(s) already existed" in result.output
    result = run(str(pages), "--split", "section", "-t", "json", "-o", str(out), "--force")
    assert result.exit_code == 0 and (out / "china.json").read_text() != "precious"


@pytest.mark.parametrize("value", ["year", "section,section", "", "month,"])
def test_a_bad_split_is_a_usage_error(pages, tmp_path, value):
    result = run(str(pages), "--split", value, "-t", "epub", "-o", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert "--split expects section, month or section,month" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_split_needs_an_output_directory(pages, tmp_path):
    result = run(str(pages), "--split", "month", "-t", "json")
    assert result.exit_code == 2, result.output
    assert "-o DIRECTORY" in result.output


def test_parse_split_accepts_either_order():
    assert parse_split("section,month") == ("section", "month")
    assert parse_split(" Month , section ") == ("month", "section")
    with pytest.raises(OptionError):
        parse_split("week")


def _page(name: str, section: str | None, date: str | None) -> Document:
    article = Article(id=f"story-{name}", role="main", section=section, title=name, date=date)
    return Document(source=Source(name=name, sha256="0" * 64, reader="protocol"), articles=(article,))


def test_volume_names_are_slugs_and_clashes_are_numbered():
    import pickle

    pages = (_page("p1", "Power & Policy", "2021-06-01"), _page("p2", "Power Policy", "2021-06-09"),
             _page("p3", None, "2021-06-02"), _page("p4", "Power & Policy", "2021-06-30T10:00:00Z"))
    spool = Spool(("section", "month"), pickle.dumps)
    try:
        for document in pages:
            spool.add(document)
        found = {name: [d.source.name for d in documents] for name, _volume, documents in spool.volumes()}
    finally:
        spool.close()
    assert found == {"power-policy-2021-06": ["p1", "p4"], "power-policy-2021-06-2": ["p2"],
                     "other-2021-06": ["p3"]}


def test_the_volume_of_a_page_is_its_main_story_s():
    page = _page("p", "Protocol Fintech", "2022-02-24")
    assert volume_of(page, ("section", "month")) == Volume(("section", "month"), "Fintech", "2022-02")
    assert volume_of(_page("q", "China", "sometime"), ("month",)).month == "undated"
    assert Volume(("month",), None, "2022-02").title == "Protocol: February 2022"
