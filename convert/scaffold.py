"""``protocol-convert new-plugin NAME [--reader]``: a plugin package that passes its own tests.

It writes ``protocol-convert-NAME/`` with

- ``pyproject.toml``: the distribution ``protocol-convert-NAME``, its entry point under the
  ``protocol_convert`` group (the plugin's name is ``NAME``), and a ``test`` extra;
- ``protocol_convert_NAME/__init__.py``: an exporter of the format ``NAME`` (a plain-text
  rendering of :func:`convert.present.present`, the view every built-in format renders), or
  with ``--reader`` a reader of ``.NAME`` files (a headline, ``Key: value`` lines, paragraphs);
- ``tests/``: the conformance kit run on it (:func:`convert.testing.check_exporter` or
  :func:`convert.testing.check_reader`), the light-import check, and for a reader a sample
  input;
- ``README.md``: what it is and how to install, test and publish it.

Everything written is typed and passes ``mypy --strict``; ``python -m pytest`` in the new
folder passes at once, installed (``protocol-convert install -e .``) or not.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from string import Template

from .errors import OptionError, OutputError

__all__ = ["NAME_PATTERN", "new_plugin", "plugin_files"]

#: what a new plugin may be called: the format's name, as users type it after ``-t``/``-f``
NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")

_PYPROJECT = Template('''\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "protocol-convert-$name"
version = "0.1.0"
description = "$summary for protocol-convert"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["protocol-convert"]

[project.optional-dependencies]
test = ["pytest"]

# What makes the package a plugin: protocol-convert loads every module registered under the
# protocol_convert entry-point group. "$name" is the plugin's name (`protocol-convert plugins`,
# --disable-plugin, PROTOCOL_CONVERT_LOAD_PLUGINS).
[project.entry-points.protocol_convert]
$name = "$module"

[tool.setuptools]
packages = ["$module"]

[tool.setuptools.package-data]
$module = ["py.typed"]

[tool.pytest.ini_options]
testpaths = ["tests"]
''')

_EXPORTER = Template('''\
"""protocol-convert plugin: the $name output format.

Written by `protocol-convert new-plugin $name`. It writes plain text from the presentation
layer (convert.present), the view every built-in format renders: a teaser is merged with its
full story, stories are grouped by section, and each story's label, kicker, byline, image,
body and notes are decided there, so this format shows what the others show. Change write()
to write your format; keep the rules the conformance kit checks (tests/test_$name.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, BinaryIO

from convert import Document, Exporter, Option, hookimpl


def write(documents: Sequence[Document], stream: BinaryIO, options: Mapping[str, Any]) -> None:
    """Write ``documents`` (one page, or a collection) to ``stream``, as bytes."""
    # Import what the format needs here, not at the top of the module: the module is imported
    # whenever protocol-convert lists its formats, write() only when this format is used.
    from convert.present import present
    from convert.text import xml_text
    from convert.tree import block_text

    view = present(documents, options)
    rule = options["rule"]
    parts: list[str] = [view.title + "\\n" + rule * len(view.title)] if view.collection else []
    for item in view.items:
        kicker = " | ".join(part for part in (item.kind, item.section) if part)
        if kicker:
            parts.append(f"[{kicker}]")
        parts.append(item.label + "\\n" + rule * len(item.label))
        parts.append(item.dek or "")
        parts.append(" | ".join(part for part in (item.byline, item.dateline) if part))
        if item.image is not None:
            image = item.image
            parts.append("\\n".join(t for t in (image.description, image.caption, image.credit) if t))
        parts.extend(block_text(block) for block in item.body)
        parts.append(item.note or "")
        for bio in item.bios:
            parts.append(f"{bio.name}: {bio.text}" if bio.name else bio.text)
    # xml_text: no control characters or lone surrogates (damaged pages have them)
    text = xml_text("\\n\\n".join(part for part in parts if part.strip()))
    stream.write((text + "\\n" if text else "").encode("utf-8"))


EXPORTER = Exporter(
    name="$name",
    extension=".$name.txt",
    write=write,
    media_type="text/plain",
    description="$summary",
    options=(Option("rule", str, "=", "character to underline headings with"),),
)


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    register(EXPORTER)
''')

_EXPORTER_TEST = Template('''\
"""The $name format against protocol-convert's conformance kit."""

from __future__ import annotations

from convert.plugins import load_registry
from convert.testing import check_exporter, check_lazy_import, sample_documents

import $module


def test_it_passes_the_conformance_kit() -> None:
    check_exporter($module.EXPORTER)


def test_it_registers_under_its_name() -> None:
    registry = load_registry(plugins=[$module], entry_points=False)
    assert registry.exporter("$name") is $module.EXPORTER


def test_a_collection_shows_each_story_once() -> None:
    import convert

    sample = sample_documents()["collection"]
    registry = load_registry(plugins=[$module], entry_points=False)
    text = convert.export(list(sample.documents), "$name", registry=registry).decode("utf-8")
    assert text.count("The full story marker") == 1 and "The teaser of it" not in text


def test_importing_it_stays_light() -> None:
    check_lazy_import("$module")
''')

_READER = Template('''\
"""protocol-convert plugin: reads .$name files.

Written by `protocol-convert new-plugin $name --reader`. A .$name file is text: its first
line is the headline; lines right after it of the form `By: Jane Doe`, `Date: 2021-08-17` or
`Section: China` give the story's authors, date and section; the rest are paragraphs,
separated by blank lines. What a file does not say stays None, never invented, and the
document's warnings say what was not found. Change read() to read your format; keep the
rules the conformance kit checks (tests/test_$name.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from convert import Document, Reader, hookimpl


def read(data: bytes, name: str | None, options: Mapping[str, Any]) -> Document:
    """One input's bytes → its document."""
    # Import what the reader needs here: this module is imported whenever formats are listed.
    import datetime
    import hashlib
    import re

    from convert.textio import decode_text
    from convert.tree import Article, Author, Paragraph, Source, Text, story_id

    # decode_text refuses, with the errors every reader raises, empty, binary, too large and
    # undecodable input, and applies the encoding and max_size every reader is given
    text = decode_text(data, name=name, encoding=options.get("encoding"), max_size=options.get("max_size"))
    lines = text.strip().splitlines()
    title = " ".join(lines[0].split()) or None
    fields: dict[str, str] = {}
    for line in lines[1:4]:
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep or key not in ("by", "date", "section") or key in fields or not value.strip():
            break
        fields[key] = " ".join(value.split())
    rest = "\\n".join(lines[1 + len(fields):])
    paragraphs = [" ".join(part.split()) for part in re.split(r"\\n\\s*\\n", rest)]
    paragraphs = [part for part in paragraphs if part]
    date = fields.get("date")
    try:
        date = datetime.date.fromisoformat(date).isoformat() if date else None
    except ValueError:
        date = None  # not a date: unknown, never guessed
    authors = tuple(Author(n.strip()) for n in fields.get("by", "").split(",") if n.strip())
    article = Article(
        id=story_id(title, paragraphs[0] if paragraphs else ""), role="main", title=title,
        section=fields.get("section"), date=date, authors=authors,
        body=tuple(Paragraph((Text(part),)) for part in paragraphs),
    )
    warnings = () if paragraphs else ("no body found",)
    return Document(Source(name, hashlib.sha256(data).hexdigest(), "$name"), (article,), warnings=warnings)


READER = Reader(name="$name", read=read, extensions=(".$name",), description="$summary")


@hookimpl
def register_readers(register: Callable[[Reader], None]) -> None:
    register(READER)
''')

_READER_TEST = Template('''\
"""The $name reader against protocol-convert's conformance kit."""

from __future__ import annotations

from pathlib import Path

from convert.plugins import load_registry
from convert.testing import check_lazy_import, check_reader

import $module

SAMPLE = Path(__file__).parent / "sample.$name"


def test_it_passes_the_conformance_kit() -> None:
    check_reader($module.READER, [SAMPLE])


def test_it_reads_the_sample() -> None:
    import convert

    registry = load_registry(plugins=[$module], entry_points=False)
    document = convert.parse(SAMPLE, registry=registry)  # chosen by the .$name extension
    main = document.main
    assert main is not None and main.title == "A headline for the sample"
    assert (main.date, [a.name for a in main.authors], main.section) == ("2021-08-17", ["Jane Doe"], "China")
    assert len(main.body) == 2 and document.warnings == ()


def test_importing_it_stays_light() -> None:
    check_lazy_import("$module")
''')

_SAMPLE = '''\
A headline for the sample
By: Jane Doe
Date: 2021-08-17
Section: China

The first paragraph of the sample, which tells what the story is about.

The second paragraph.
'''

_README = Template('''\
# protocol-convert-$name

$summary: a plugin for [protocol-convert](https://pypi.org/project/protocol-convert/),
started with `protocol-convert new-plugin $name$flag`.

```sh
protocol-convert install -e .          # editable: your edits apply on the next run
protocol-convert formats --options     # $name is listed, with its options
$usage
pip install -e '.[test]' && python -m pytest
```

The tests run protocol-convert's conformance kit (`convert.testing`) on it. To publish:
`python -m build && twine upload dist/*`; users then `protocol-convert install
protocol-convert-$name`.
''')


def plugin_files(name: str, *, reader: bool = False) -> dict[str, str]:
    """The files of a new plugin ``name``, by path inside its folder."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise OptionError(f"a plugin name is lower-case letters and digits, words joined by '_' "
                          f"(it is the format's name: txt, plain_text), not {name!r}")
    module = f"protocol_convert_{name}"
    summary = f"The {name} input format" if reader else f"The {name} output format"
    values = {"name": name, "module": module, "summary": summary, "flag": " --reader" if reader else "",
              "usage": f"protocol-convert page.{name} -o page.epub" if reader
              else f"protocol-convert page.txt -t {name} -o -"}
    files = {
        "pyproject.toml": _PYPROJECT.substitute(values),
        "README.md": _README.substitute(values),
        f"{module}/__init__.py": (_READER if reader else _EXPORTER).substitute(values),
        f"{module}/py.typed": "",
        f"tests/test_{name}.py": (_READER_TEST if reader else _EXPORTER_TEST).substitute(values),
    }
    if reader:
        files[f"tests/sample.{name}"] = _SAMPLE
    return files


def new_plugin(name: str, directory: str | os.PathLike[str] = ".", *, reader: bool = False) -> Path:
    """Write the new plugin ``name`` into ``directory/protocol-convert-NAME`` (which must not
    exist: nothing is overwritten) and return that folder."""
    files = plugin_files(name, reader=reader)
    target = Path(directory) / f"protocol-convert-{name}"
    if os.path.lexists(target):
        raise OutputError("already exists: nothing was written", path=os.fspath(target))
    if not os.path.isdir(directory):
        raise OutputError("is not a directory", path=os.fspath(directory))
    try:
        for relative, text in files.items():
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=os.fspath(target)) from None
    return target
