"""The plugin docs match the code: every hookspec is on docs/plugin-hooks.md with its exact
signature, its examples work, and the tutorial in docs/writing-plugins.md builds a plugin
that passes the conformance kit."""

from __future__ import annotations

import importlib.util
import inspect
import re
import sys
import tomllib
from pathlib import Path

import pytest

from convert import hookspecs
from convert.plugins import load_registry
from convert.testing import check_exporter

DOCS = Path(__file__).resolve().parent.parent / "docs"
HOOKS_PAGE = (DOCS / "plugin-hooks.md").read_text(encoding="utf-8")
TUTORIAL = (DOCS / "writing-plugins.md").read_text(encoding="utf-8")
READER_TUTORIAL = (DOCS / "writing-readers.md").read_text(encoding="utf-8")


def hookspec_functions() -> dict[str, object]:
    return {
        name: function
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(function, f"{hookspecs.PROJECT_NAME}_spec")
    }


def signature_text(name: str, function) -> str:
    """``name(arg: Annotation, ...) -> Return`` as written in the source."""
    signature = inspect.signature(function)

    def annotation(value) -> str:
        return value if isinstance(value, str) else inspect.formatannotation(value)

    params = []
    for param in signature.parameters.values():
        text = param.name
        if param.annotation is not inspect.Parameter.empty:
            text += f": {annotation(param.annotation)}"
        if param.default is not inspect.Parameter.empty:
            text += f" = {param.default!r}"
        params.append(text)
    result = f"{name}({', '.join(params)})"
    if signature.return_annotation is not inspect.Signature.empty:
        result += f" -> {annotation(signature.return_annotation)}"
    return result


def section(page: str, name: str) -> str:
    match = re.search(rf"^## {re.escape(name)}\n(.*?)(?=^## |\Z)", page, re.MULTILINE | re.DOTALL)
    assert match, f"docs/plugin-hooks.md has no '## {name}' heading"
    return match.group(1)


def test_there_are_hookspecs_to_document():
    assert set(hookspec_functions()) >= {"register_exporters", "register_readers"}


@pytest.mark.parametrize("name", sorted(hookspec_functions()))
def test_every_hook_is_documented_with_its_exact_signature(name):
    text = section(HOOKS_PAGE, name)
    expected = signature_text(name, hookspec_functions()[name])
    code_lines = [line.strip() for block in re.findall(r"```(?:python|text)\n(.*?)```", text, re.DOTALL)
                  for line in block.splitlines()]
    assert expected in code_lines, f"the signature under '## {name}' should read: {expected}"
    for part in ("**Arguments**", "**Returns**", "**Example**", "@hookimpl", f"def {name}("):
        assert part in text, f"'## {name}' lacks {part}"


def test_no_documented_hook_is_gone():
    documented = set(re.findall(r"^## (\w+)\s*$", HOOKS_PAGE, re.MULTILINE))
    assert documented == set(hookspec_functions())


def test_the_signature_check_would_catch_a_change():
    def register_exporters(register: Callable[[Exporter], None], extra: int = 1) -> None:  # noqa: F821
        pass

    changed = signature_text("register_exporters", register_exporters)
    assert changed not in HOOKS_PAGE


def _load(source: str, name: str):
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, f"<docs {name}>", "exec"), module.__dict__)
    return module


def test_the_hook_page_examples_work():
    blocks = re.findall(r"```python\n(.*?)```", HOOKS_PAGE, re.DOTALL)
    exporter_example = next(b for b in blocks if "def register_exporters" in b)
    reader_example = next(b for b in blocks if "def register_readers" in b)
    registry = load_registry(plugins=[_load(exporter_example, "docs_txt"), _load(reader_example, "docs_lines")],
                             entry_points=False)
    import convert

    document = convert.parse(b"first line\nsecond line\n", name="a.lines", registry=registry)
    assert [b.content[0].text for b in document.articles[0].body] == ["first line", "second line"]
    assert convert.export(document, "txt", registry=registry) == b"first line\n\nsecond line"


def test_the_streaming_reader_example_works():
    blocks = re.findall(r"```python\n(.*?)```", HOOKS_PAGE, re.DOTALL)
    example = next(b for b in blocks if "streaming=True" in b)
    registry = load_registry(plugins=[_load(example, "docs_treelines")], entry_points=False)
    import convert
    from convert import jsonform
    from convert.tree import Document, Source

    lines = [jsonform.dumps(Document(Source(f"p{i}", "0" * 64, "json")), indent=None).strip() for i in range(2)]
    data = (lines[0] + "\n" + "{not json\n\n" + lines[1]).encode()
    errors, skips = [], []
    documents = list(convert.parse_all(data, registry=registry, on_error=errors.append, on_skip=skips.append))
    assert [d.source.name for d in documents] == ["p0", "p1"]  # chosen by its sniff: bytes have no name
    assert [str(e).split(":")[0] for e in errors] == ["<bytes>"] and "line 2" in str(errors[0])
    assert [s.kind for s in skips] == ["blank line"]


# --- the tutorial -----------------------------------------------------------------------------


def tutorial_files(page: str = TUTORIAL) -> dict[str, str]:
    """The files a tutorial writes: each fenced block whose first line is a comment
    naming the file (``# protocol_convert_txt.py``)."""
    files = {}
    for block in re.findall(r"```(?:python|toml)\n(.*?)```", page, re.DOTALL):
        first, _, rest = block.partition("\n")
        match = re.fullmatch(r"# ([\w./-]+\.(?:py|toml))", first.strip())
        if match:
            files[match.group(1)] = rest
    return files


def test_the_tutorial_names_its_files():
    assert set(tutorial_files()) == {"pyproject.toml", "protocol_convert_txt.py", "tests/test_txt.py",
                                     "tests/test_each_check.py", "tests/test_cli.py"}
    assert "protocol-convert install -e ." in TUTORIAL


def test_the_tutorial_pyproject_registers_the_module():
    project = tomllib.loads(tutorial_files()["pyproject.toml"])
    assert project["project"]["entry-points"]["protocol_convert"] == {"txt": "protocol_convert_txt"}
    assert project["project"]["name"] == "protocol-convert-txt"


def test_the_tutorial_plugin_passes_the_conformance_kit(tmp_path, monkeypatch):
    path = tmp_path / "protocol_convert_txt.py"
    path.write_text(tutorial_files()["protocol_convert_txt.py"], encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("protocol_convert_txt", None)
    module = importlib.import_module("protocol_convert_txt")
    registry = load_registry(plugins=[module], entry_points=False)
    check_exporter("txt", registry=registry)
    sys.modules.pop("protocol_convert_txt", None)


def test_the_tutorial_plugin_shows_each_story_once_in_a_collection(tmp_path, monkeypatch):
    """The tutorial's exporter renders the presentation layer: a plugin copied from it does
    not repeat a teased story (the kit's ``once`` check, run above, and here by hand)."""
    import convert
    from convert.testing import sample_documents

    path = tmp_path / "protocol_convert_txt.py"
    path.write_text(tutorial_files()["protocol_convert_txt.py"], encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("protocol_convert_txt", None)
    registry = load_registry(plugins=[importlib.import_module("protocol_convert_txt")], entry_points=False)
    text = convert.export(list(sample_documents()["collection"].documents), "txt", registry=registry).decode()
    assert text.count("Shared story headline") == 1 and "The teaser of it" not in text
    sys.modules.pop("protocol_convert_txt", None)


def test_the_reader_tutorial_names_its_files_and_registers_its_module():
    files = tutorial_files(READER_TUTORIAL)
    assert set(files) == {"pyproject.toml", "protocol_convert_news.py", "tests/test_news.py"}
    project = tomllib.loads(files["pyproject.toml"])
    assert project["project"]["entry-points"]["protocol_convert"] == {"news": "protocol_convert_news"}


def test_the_reader_tutorial_passes_its_own_tests_and_the_kit(tmp_path):
    """Its files written out as the page says, its tests run (the kit's reader checks among
    them), in a process of their own."""
    import os
    import subprocess

    for name, text in tutorial_files(READER_TUTORIAL).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(Path(__file__).resolve().parents[1])])}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
