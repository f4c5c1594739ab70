"""Every code example in README.md and docs/ runs, and passes ``mypy --strict`` (issue 17,
items 7 and 9): the library's types are what a user's type checker sees, so a typo is an
error, and the examples a user copies are correct.

The ``python`` blocks of a page are its examples:

- a block whose first line names a file (``# protocol_convert_txt.py``) is a file of a
  tutorial: type-checked here, run by ``test_docs_hooks.py`` and ``test_ecosystem.py``;
- a block right after the line ``<!-- not run: REASON -->`` is type-checked, not run (it
  needs a Dask cluster, say);
- every other block is run, in the page's order, as one script, in a folder holding what
  the examples name: ``page.txt`` (the seed page), ``fixtures/``, ``crawl.warc.gz``,
  ``house-style.docx``.

Text that is not Python (a signature, a shell session) is in a ``text`` or ``sh`` block.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, SEED

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_NOT_RUN = re.compile(r"<!-- not run: [^>]+ -->\n*\Z")
_FILE = re.compile(r"# ([\w./-]+\.py)")


@dataclass
class Examples:
    page: Path
    #: the blocks run as one script, with the line each starts on
    script: list[tuple[int, str]] = field(default_factory=list)
    not_run: list[tuple[int, str]] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.script) + len(self.not_run) + len(self.files)

    def source(self) -> str:
        """The script, each block marked with where it comes from."""
        return "\n".join(f"# --- {self.page.name}, line {line}\n{code}" for line, code in self.script)


def examples(page: Path) -> Examples:
    text = page.read_text(encoding="utf-8")
    found = Examples(page)
    for match in _BLOCK.finditer(text):
        code = match.group(1)
        line = text.count("\n", 0, match.start()) + 1
        first, _, rest = code.partition("\n")
        named = _FILE.fullmatch(first.strip())
        if named:
            found.files[named.group(1)] = rest
        elif _NOT_RUN.search(text[: match.start()]):
            found.not_run.append((line, code))
        else:
            found.script.append((line, code))
    return found


ALL = [examples(page) for page in PAGES]
WITH_EXAMPLES = [e for e in ALL if e.count]


def test_the_pages_have_their_examples():
    """The parser finds what the pages hold (a page that lost its examples, or a fence this
    parser no longer sees, fails here rather than passing with nothing checked)."""
    by_page = {e.page.name: e for e in ALL}
    assert {"README.md", "api.md", "plugin-internals.md", "writing-plugins.md", "writing-readers.md",
            "plugin-hooks.md", "batch.md"} <= {e.page.name for e in WITH_EXAMPLES}
    assert sum(e.count for e in ALL) >= 25
    assert by_page["batch.md"].not_run and by_page["writing-plugins.md"].files
    for page in PAGES:  # every python fence is a block the parser sees
        assert page.read_text(encoding="utf-8").count("```python\n") == len(_BLOCK.findall(page.read_text("utf-8")))


def _workshop(folder: Path) -> Path:
    """A folder holding the files the examples name."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED, folder / "page.txt")
    (folder / "fixtures").symlink_to(FIXTURES, target_is_directory=True)
    from test_archive_inputs import build_warc

    build_warc(folder / "crawl.warc.gz")
    import docx

    docx.Document().save(str(folder / "house-style.docx"))
    return folder


@pytest.mark.parametrize("found", [e for e in WITH_EXAMPLES if e.script], ids=lambda e: e.page.name)
def test_the_examples_of_the_page_run(found, tmp_path, monkeypatch, registry):
    if "crawl.warc.gz" in found.source() and "warc" not in registry.readers:
        from conftest import require_tool

        require_tool("the warc reader", False, "pip install -e plugins/protocol-convert-warc")
    monkeypatch.chdir(_workshop(tmp_path))
    code = compile(found.source(), f"{found.page.name} (examples)", "exec")
    from convert.errors import UnknownFormatError

    try:
        exec(code, {"__name__": "__docs_example__"})
    except UnknownFormatError as error:  # an extra's format (jsonfeed): .ci/run installs them
        from conftest import require_tool

        require_tool(f"the format of {error}", False, "pip install -e plugins/protocol-convert-...")


def _write_for_mypy(found: Examples, folder: Path) -> list[Path]:
    files = []
    if found.script:
        files.append(folder / "examples.py")
        files[-1].write_text(found.source(), encoding="utf-8")
    for number, (_line, code) in enumerate(found.not_run):
        files.append(folder / f"not_run_{number}.py")
        files[-1].write_text(code, encoding="utf-8")
    for name, code in found.files.items():
        files.append(folder / name)
        files[-1].parent.mkdir(parents=True, exist_ok=True)
        files[-1].write_text(code, encoding="utf-8")
    return files


@pytest.mark.parametrize("found", WITH_EXAMPLES, ids=lambda e: e.page.name)
def test_the_examples_of_the_page_pass_mypy_strict(found, tmp_path, mypy_strict):
    files = _write_for_mypy(found, tmp_path)
    done = mypy_strict(*(f.relative_to(tmp_path) for f in files), cwd=tmp_path, path=[tmp_path])
    assert done.returncode == 0, f"{found.page.name}:\n{done.stdout}{done.stderr}"


TYPOS = '''\
import convert
from convert import Document

document: Document = convert.prase("page.txt")
try:
    convert.parse("page.txt")
except convert.InputErorr:
    pass
data: bytes = convert.export(convert.parse("page.txt"), "epub", "page.epub")
title = convert.parse("page.txt").main.title
'''

CORRECT = '''\
import convert
from convert import Document

document: Document = convert.parse("page.txt")
try:
    convert.parse("page.txt")
except convert.InputError:
    pass
data: bytes = convert.export(convert.parse("page.txt"), "epub")
nothing: None = convert.export(document, "epub", "page.epub")
main = document.main
title: str | None = main.title if main is not None else None
tree: str = convert.tree.Document.__name__ + convert.errors.ConvertError.__name__
'''


def test_mypy_strict_catches_a_typo_and_a_wrong_use_of_the_library(tmp_path, mypy_strict):
    """Lazy loading is invisible to type checkers: a misspelt name is an error, ``export``
    to a destination returns no bytes, and ``document.main`` may be None."""
    (tmp_path / "typos.py").write_text(TYPOS, encoding="utf-8")
    (tmp_path / "correct.py").write_text(CORRECT, encoding="utf-8")
    done = mypy_strict("typos.py", "correct.py", cwd=tmp_path)
    errors = sorted(line.split(": error: ", 1)[1] for line in done.stdout.splitlines() if ": error: " in line)
    assert all(line.startswith("typos.py:") for line in done.stdout.splitlines() if line.strip()), done.stdout
    assert errors == sorted([
        'Module has no attribute "prase"; maybe "parse"?  [attr-defined]',
        'Module has no attribute "InputErorr"; maybe "InputError"?  [attr-defined]',
        'Incompatible types in assignment (expression has type "None", variable has type "bytes")  [assignment]',
        'Item "None" of "Article | None" has no attribute "title"  [union-attr]',
    ]), done.stdout + done.stderr
