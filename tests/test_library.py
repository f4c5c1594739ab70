"""The library as a Python caller meets it (issue 17, items 8 and 10-13): the whole namespace
from ``convert``, errors a caller can act on, the path as given, what the reader could not
find, one option shape, the formats listed from Python, and a list of one as a collection.
(Typing, item 7 and 9, is tested with mypy in test_docs_examples.py.)"""

from __future__ import annotations

import ast
import errno
import io
import json
import os
import re
import subprocess
import sys

import pytest
from conftest import ROOT, SEED
from hostile import cli

import convert
from convert import errors, jsonform, tree
from convert.readers.protocol.page import NO_BODY, NO_HEADLINE, NO_STRUCTURE

NOT_A_PAGE = b"Some notes I wrote down.\n\nAnother paragraph of them, long enough to be one.\n"


# --- the namespace ------------------------------------------------------------------------------


def test_every_error_class_and_node_type_is_importable_from_convert():
    for module in (errors, tree):
        for name in module.__all__:
            assert getattr(convert, name) is getattr(module, name), name
            assert name in convert.__all__, name
    assert issubclass(convert.InputNotFoundError, convert.InputError)
    with pytest.raises(AttributeError, match="no attribute 'prase'"):
        convert.prase  # noqa: B018


def test_the_modules_are_reachable_after_import_convert_and_loaded_only_when_used():
    script = (
        "import sys, convert\n"
        "lazy = 'convert.tree' not in sys.modules and 'convert.errors' not in sys.modules\n"
        "print(lazy, convert.tree.Text('x').text, convert.errors.ReaderError.__name__,\n"
        "      convert.present.present.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.split() == ["True", "x", "ReaderError", "present"]


# --- errors a caller can act on -----------------------------------------------------------------

FLAG = re.compile(r"(?<![\w-])--[a-z]")
#: the convert command's own engine: its settings are the command's flags
COMMAND_MODULES = {"cli.py", "cli_plugins.py", "batch.py", "workers.py"}


def test_no_library_error_message_gives_command_line_advice():
    """Every string in a ``raise`` of the library: a flag (``--force``) is the CLI's to add."""
    offenders = []
    for path in sorted((ROOT / "convert").rglob("*.py")):
        if path.name in COMMAND_MODULES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                for constant in ast.walk(node.exc):
                    if isinstance(constant, ast.Constant) and isinstance(constant.value, str) \
                            and FLAG.search(constant.value):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {constant.value!r}")
    assert not offenders, offenders


def test_an_error_names_its_remedy_and_the_cli_spells_it_as_a_flag(tmp_path):
    target = tmp_path / "seed.json"
    document = convert.parse(SEED)
    convert.export(document, "json", target)
    with pytest.raises(convert.OutputExistsError) as exists:
        convert.export(document, "json", target)
    assert str(exists.value) == f"{target}: already exists" and exists.value.remedy == "force"
    with pytest.raises(convert.InputTooLargeError) as large:
        convert.parse(SEED, max_size=10)
    assert str(large.value).endswith("over the 10-byte limit") and large.value.remedy == "max_size"
    from convert.testing import run_cli

    again = run_cli(["convert", str(SEED), "-o", str(target)])
    assert again.exit_code == 4
    assert f"{target}: already exists (use --force to overwrite)" in again.stderr
    small = run_cli(["convert", str(SEED), "-o", "-", "--max-size", "10"])
    assert small.exit_code == 3 and "over the 10-byte limit (raise it with --max-size)" in small.stderr


def test_errors_and_the_source_name_the_path_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "p.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "a" / "empty.txt").write_bytes(b"  \n")
    with pytest.raises(convert.EmptyInputError) as empty:
        convert.parse("a/empty.txt")
    assert empty.value.path == "a/empty.txt" and str(empty.value) == "a/empty.txt: holds only white space"
    with pytest.raises(convert.InputError) as binary:
        convert.parse(b"\x89PNG\r\n\x1a\n....", name="photo.png")
    assert binary.value.path == "photo.png"
    one, two = convert.parse("a/p.txt"), convert.parse(tmp_path / "b" / "p.txt")
    assert (one.source.path, two.source.path) == ("a/p.txt", str(tmp_path / "b" / "p.txt"))
    assert one.source.name == two.source.name == "p.txt"
    # the path is where this process found the page, not part of it: equal trees, equal bytes
    assert one == two and convert.dumps(one) == convert.dumps(two)
    assert "a/p.txt" not in convert.dumps(one) and convert.loads(convert.dumps(one))[0].source.path is None
    assert convert.parse(SEED.read_bytes(), name="seed.txt").source.path is None


def test_a_missing_file_is_also_a_file_not_found_error(tmp_path):
    missing = tmp_path / "nowhere" / "page.txt"
    for call in (lambda: convert.parse(missing), lambda: list(convert.parse_all(missing))):
        with pytest.raises(FileNotFoundError) as caught:
            call()
        error = caught.value
        assert isinstance(error, convert.InputNotFoundError) and isinstance(error, convert.InputError)
        assert (error.errno, error.filename, error.path) == (errno.ENOENT, str(missing), str(missing))
        assert str(error) == f"{missing}: no such file"
    import pickle

    copy = pickle.loads(pickle.dumps(caught.value))
    assert (type(copy), str(copy), copy.path) == (convert.InputNotFoundError, str(caught.value), str(missing))


def test_a_text_stream_is_a_type_error_asking_for_a_binary_one(tmp_path):
    with pytest.raises(TypeError, match="binary stream"):
        convert.parse(io.StringIO("China\n\nHeadline\n"))
    with pytest.raises(TypeError, match="binary stream"):
        convert.parse_all(io.StringIO("text"))
    with pytest.raises(TypeError, match="binary stream"):
        convert.export(convert.parse(SEED), "json", io.StringIO())


# --- what the reader could not find -------------------------------------------------------------


def test_the_reader_says_what_it_could_not_find():
    assert convert.parse(SEED).warnings == ()
    notes = convert.parse(NOT_A_PAGE, name="notes.txt")
    assert notes.warnings == (NO_STRUCTURE, NO_HEADLINE)
    assert len(notes.articles) == 1 and notes.main is not None  # read all the same: nothing lost
    chrome_only = convert.parse(b"Latest Stories\n\nKeep ReadingShow less\n", name="chrome.txt")
    assert chrome_only.warnings == (NO_HEADLINE, NO_BODY)
    headless = convert.parse(ROOT / "fixtures" / "body_only_mid_article.txt")
    assert headless.warnings == (NO_HEADLINE,)


def test_strict_reading_refuses_what_the_reader_could_not_make_out(tmp_path):
    page = tmp_path / "notes.txt"
    page.write_bytes(NOT_A_PAGE)
    with pytest.raises(convert.IncompletePageError) as caught:
        convert.parse(page, strict=True)
    assert isinstance(caught.value, convert.InputError)
    assert str(caught.value) == f"{page}: {NO_STRUCTURE}; {NO_HEADLINE}"
    assert convert.parse(SEED, strict=True) == convert.parse(SEED)
    with pytest.raises(convert.IncompletePageError):
        convert.convert(page, "json", strict=True)
    with pytest.raises(TypeError, match="strict must be True or False"):
        convert.parse(page, strict="yes")  # type: ignore[arg-type]


def test_warnings_survive_the_json_form_and_an_older_tree_has_none():
    notes = convert.parse(NOT_A_PAGE, name="notes.txt")
    text = convert.dumps(notes)
    data = json.loads(text)
    assert data["schema_version"] == "1.2" and data["document"]["warnings"] == [NO_STRUCTURE, NO_HEADLINE]
    assert convert.loads(text) == (notes,)
    del data["document"]["warnings"]
    data["schema_version"] = "1.1"
    assert convert.loads(json.dumps(data))[0].warnings == ()
    data["document"]["warnings"] = [""]
    with pytest.raises(convert.SchemaError, match="warnings"):
        convert.loads(json.dumps(data))


def test_the_cli_shows_the_warnings_with_verbose_and_fails_them_with_strict(tmp_path):
    page = tmp_path / "notes.txt"
    page.write_bytes(NOT_A_PAGE)
    quiet = cli(str(page), "-t", "json", "-o", "-")
    assert quiet.returncode == 0 and b"warning" not in quiet.stderr
    verbose = cli(str(page), "-t", "json", "-o", "-", "-v")
    assert verbose.returncode == 0
    assert verbose.stderr.decode().splitlines() == [
        f"protocol-convert: warning: {page}: {NO_STRUCTURE}",
        f"protocol-convert: warning: {page}: {NO_HEADLINE}",
    ]
    strict = cli(str(page), str(SEED), "-t", "json", "-o", str(tmp_path / "out"), "--strict")
    assert strict.returncode == 1  # the seed is converted, the notes fail
    assert strict.stderr.decode().splitlines()[0] == (
        f"protocol-convert: error: {page}: {NO_STRUCTURE}; {NO_HEADLINE}")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["seed.json"]


# --- one shape of options, and the formats from Python ------------------------------------------


def test_options_take_one_shape_everywhere():
    document = convert.parse(SEED)
    plain = convert.export(document, "json", options={"indent": 0})
    assert convert.export(document, "json", options={"json.indent": 0}) == plain
    with pytest.raises(convert.OptionError, match="options given for 'epub', a format this call does not use"):
        convert.export(document, "json", options={"epub.language": "de"})
    with pytest.raises(TypeError, match=r"options take one shape: write \{'json.indent': \.\.\.\}"):
        convert.export(document, "json", options={"json": {"indent": 0}})
    with pytest.raises(convert.OptionError, match=r"unknown option json\.colour"):
        convert.export(document, "json", options={"colour": "red"})


def test_list_formats_gives_every_format_and_its_options():
    infos = convert.list_formats()
    by_key = {(i.kind, i.name): i for i in infos}
    assert {("exporter", "epub"), ("exporter", "json"), ("reader", "protocol"), ("reader", "json")} <= set(by_key)
    epub = by_key[("exporter", "epub")]
    assert (epub.extensions, epub.plugin, epub.flag) == ((".epub",), "epub", "-O")
    language = next(o for o in epub.options if o.name == "language")
    assert (language.type, language.default, epub.spelling(language)) == (str, "en", "-O epub.language=<str>")
    assert by_key[("reader", "protocol")].flag == "-R" and by_key[("reader", "protocol")].extensions == (".txt",)
    assert [i.kind for i in infos] == sorted(i.kind for i in infos)  # exporters, then readers
    from convert.testing import run_cli

    listed = json.loads(run_cli(["formats", "--json"]).stdout)  # the command prints the same list
    assert [(r["kind"], r["name"]) for r in listed] == [(i.kind, i.name) for i in infos]
    assert [o["spelling"] for o in listed[[i.name for i in infos].index("epub")]["options"]] == [
        epub.spelling(o) for o in epub.options]


# --- a list of one is a collection --------------------------------------------------------------


def test_a_one_element_list_is_a_collection(tmp_path):
    document = convert.parse(SEED)
    assert set(json.loads(convert.dumps(document))) == {"schema_version", "document"}
    assert set(json.loads(convert.dumps([document]))) == {"schema_version", "documents"}
    assert list(json.loads(convert.export([document], "json"))["documents"]) == [
        json.loads(convert.dumps(document))["document"]]
    assert "document" in json.loads(convert.export(document, "json"))
    assert "document" in json.loads(convert.convert(SEED, "json"))
    assert "documents" in json.loads(convert.convert([SEED], "json"))
    from convert.present import present

    assert present([document], {"collection": True}).collection and not present([document]).collection
    from convert.testing import run_cli

    one = run_cli(["convert", str(SEED), "--collection", "-t", "json", "-o", str(tmp_path / "c.json")])
    assert one.exit_code == 0, one.output
    assert len(json.loads((tmp_path / "c.json").read_text())["documents"]) == 1


def test_the_schema_accepts_what_dumps_writes():
    import jsonschema

    schema = json.loads(jsonform.SCHEMA_PATH.read_text(encoding="utf-8"))
    notes = convert.parse(NOT_A_PAGE, name="notes.txt")
    jsonschema.validate(json.loads(convert.dumps([notes, convert.parse(SEED)])), schema)
    assert os.fspath(jsonform.SCHEMA_PATH).endswith("document-1.schema.json")
