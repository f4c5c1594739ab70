"""Small hostile files: each is read in bounded time and memory, or refused in one line
(issue 15, class 8)."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

import convert
from convert.errors import InputError
from convert.plugins import load_registry
from convert.tree import Emphasis, Paragraph, Strong, inline_text

REGISTRY = load_registry()
BODY = "\n# A title\n\nSome body text.\n"


def alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("title: *i")
    return "---\n" + "\n".join(lines) + "\n---\n" + BODY


def parse(text: str) -> convert.Document:
    return convert.parse(text.encode(), name="hostile.md", registry=REGISTRY)


def run_limited(path: Path) -> subprocess.CompletedProcess[bytes]:
    """The command line on ``path`` with 1 GB of address space at most."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run([sys.executable, "-m", "convert", str(path), "-t", "json", "-o", "-"], capture_output=True,
                          timeout=60, preexec_fn=limit, check=False)


def test_a_yaml_alias_bomb_is_refused_in_one_line(tmp_path):
    text = alias_bomb()
    assert len(text) < 400  # the 370-byte file that took 18 GB
    with pytest.raises(InputError, match=r"aliases .* are not allowed in front matter"):
        parse(text)
    page = tmp_path / "bomb.md"
    page.write_text(text)
    result = run_limited(page)
    assert result.returncode == 3
    assert result.stderr.decode().splitlines() == [
        f"protocol-convert: error: {page}: the front matter is not valid YAML: aliases (*name) are not allowed "
        "in front matter"]
    assert page.read_text() == text


@pytest.mark.parametrize("date", ["2021-02-30", "2021-13-01", "0000-00-00", "99999-01-01", "2021-02-29T25:61:00Z"])
def test_an_impossible_front_matter_date_is_left_out(date):
    document = parse(f"---\ntitle: T\ndate: {date}\n---\n{BODY}")
    assert document.main.title == "T" and document.main.date is None


@pytest.mark.parametrize(
    ("front_matter", "problem"),
    [
        ("date: !!timestamp 2021-02-30", "day is out of range for month"),
        ("title: " + "9" * 6000, "Exceeds the limit"),
        ("title: " + "[" * 3000 + "]" * 3000, "maximum recursion depth"),
    ],
)
def test_front_matter_that_cannot_be_loaded_is_an_input_error(front_matter, problem):
    with pytest.raises(InputError, match=f"the front matter is not valid YAML: .*{problem}"):
        parse(f"---\n{front_matter}\n---\n{BODY}")


def depth(nodes: tuple) -> int:
    deepest = 0
    for node in nodes:
        if isinstance(node, (Emphasis, Strong)):
            deepest = max(deepest, 1 + depth(node.content))
    return deepest


@pytest.mark.parametrize(
    "markup",
    ["*" * 20_000 + "x" + "*" * 20_000, "*x " * 20_000, "_" * 20_000 + "x" + "_" * 20_000,
     "<p>" + "<em>" * 5_000 + "x" + "</em>" * 5_000 + "</p>", "[" * 5_000 + "x" + "](/)" * 5_000],
    ids=["20000 stars", "20000 openers", "20000 underscores", "5000 em tags", "5000 links"],
)
def test_deep_inline_markup_is_read_as_bounded_text(tmp_path, markup):
    from protocol_convert_markdown_reader._read import MAX_INLINE_DEPTH

    document = parse(f"# T\n\n{markup}\n")
    paragraphs = [b for b in document.main.body if isinstance(b, Paragraph)]
    assert paragraphs and all(depth(p.content) <= MAX_INLINE_DEPTH for p in paragraphs)
    assert "x" in "".join(inline_text(p.content) for p in paragraphs)  # the text is kept
    for fmt in ("json", "epub", "docx", "atom"):
        assert convert.export(document, fmt, registry=REGISTRY)
    page = tmp_path / "deep.md"
    page.write_text(f"# T\n\n{markup}\n")
    result = run_limited(page)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""


def test_stars_keep_their_text():
    document = parse("# T\n\n" + "*" * 40 + "x" + "*" * 40 + "\n")
    text = inline_text(document.main.body[0].content)
    assert "x" in text and text.count("*") >= 40 - 2 * 16  # the emphasis beyond the bound stays as written
