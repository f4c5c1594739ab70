"""Fault injection, plugins and the library's front door: a plugin cannot end or corrupt the
run, and the API checks its arguments at the boundary (issue 15, classes 5 and 9)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from conftest import SEED
from hostile import Snapshot, assert_nothing_partial, cli, error_lines, one_error, page_copy, plugin_site

import convert
from convert import jsonform
from convert.errors import ConvertError, ExportError, InputError, OutputError, ReaderError
from convert.formats import Exporter, Reader
from convert.hookspecs import hookimpl
from convert.plugins import load_registry

HOSTILE_EXPORTERS = """
import os, sys
from convert import Exporter, hookimpl

class Boom(BaseException):
    pass

def exits(documents, stream, options):
    stream.write(b"half")
    sys.exit(0)

def raises_base(documents, stream, options):
    raise Boom("not an Exception at all")

def prints(documents, stream, options):
    print("chatter from a plugin")
    os.write(1, b"raw chatter on descriptor 1\\n")
    stream.write(b'{"ok": true}\\n')

def closes(documents, stream, options):
    stream.write(b"half")
    stream.close()

@hookimpl
def register_exporters(register):
    register(Exporter(name="exits", extension=".exits", write=exits))
    register(Exporter(name="basexc", extension=".basexc", write=raises_base))
    register(Exporter(name="prints", extension=".prints", write=prints, media_type="application/json"))
    register(Exporter(name="closes", extension=".closes", write=closes))
"""

HOSTILE_READERS = """
import os, sys
from convert import Reader, hookimpl, parse

def exits(data, name, options):
    sys.exit(3)

def junk(data, name, options):
    return {"not": "a document"}

def crashes(data, name, options):
    return [][1]

def prints(data, name, options):
    print("chatter from a reader")
    os.write(1, b"raw chatter from a reader\\n")
    return parse(data, reader="protocol", name=name)

@hookimpl
def register_readers(register):
    register(Reader(name="exits", read=exits, extensions=(".exits",)))
    register(Reader(name="junk", read=junk, extensions=(".junk",)))
    register(Reader(name="crashes", read=crashes, extensions=(".crash",)))
    register(Reader(name="chatty", read=prints, extensions=(".chatty",)))
"""


@pytest.fixture
def exporters_env(tmp_path):
    return plugin_site(tmp_path / "site", "hostile_exporters", HOSTILE_EXPORTERS)


@pytest.fixture
def readers_env(tmp_path):
    return plugin_site(tmp_path / "site", "hostile_readers", HOSTILE_READERS)


def pages(directory: Path, count: int, suffix: str = ".txt") -> Path:
    for index in range(count):
        page_copy(directory, f"p{index:02}{suffix}")
    return directory


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize(("fmt", "described"), [("exits", "it called sys.exit(0)"),
                                                 ("basexc", "Boom: not an Exception at all")])
def test_an_exporter_that_exits_is_that_plugins_failure(tmp_path, exporters_env, jobs, fmt, described):
    inputs = pages(tmp_path / "pages", 6)
    out = tmp_path / "out"
    snapshot = Snapshot(inputs)
    result = cli(str(inputs), "-t", f"{fmt},json", "-o", str(out), "-j", jobs, env=exporters_env)
    assert result.returncode == 1
    lines = error_lines(result.stderr)
    assert len(lines) == 6 and all(
        line.endswith(f": {fmt} exporter (plugin 'hostile_exporters') failed: {described}") for line in lines), lines
    assert "converted 0, skipped 0, failed 6" in result.stderr.decode()
    assert sorted(p.suffix for p in out.iterdir()) == [".json"] * 6  # the other format is written
    snapshot.assert_unchanged()
    assert_nothing_partial(out)


def test_an_exporter_that_exits_in_a_collection(tmp_path, exporters_env):
    inputs = pages(tmp_path / "pages", 3)
    result = cli(str(inputs), "--collection", "-t", "exits", "-o", str(tmp_path / "all.exits"), env=exporters_env)
    assert result.returncode == 6
    assert one_error(result.stderr).endswith("exits exporter (plugin 'hostile_exporters') failed: "
                                             "it called sys.exit(0)")
    assert not (tmp_path / "all.exits").exists()
    assert_nothing_partial(tmp_path)


def test_an_exporter_that_closes_the_stream_is_an_exporter_error(tmp_path, exporters_env):
    target = tmp_path / "page.closes"
    result = cli(str(SEED), "-t", "closes", "-o", str(target), env=exporters_env)
    assert result.returncode == 6
    assert one_error(result.stderr) == (f"protocol-convert: error: {target}: closes exporter "
                                        "(plugin 'hostile_exporters') closed the output stream")
    assert not target.exists()
    assert_nothing_partial(tmp_path)
    streamed = cli(str(SEED), "-t", "closes", "-o", "-", env=exporters_env)
    assert streamed.returncode == 6 and "closed the output stream" in one_error(streamed.stderr)


def test_a_plugins_print_never_lands_in_the_output(tmp_path, exporters_env, readers_env):
    result = cli(str(SEED), "-t", "prints", "-o", "-", env=exporters_env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"ok": True}
    assert "chatter from a plugin" in result.stderr.decode() and "raw chatter on descriptor 1" in result.stderr.decode()
    # a reader in worker processes, feeding a collection written to stdout
    env = plugin_site(tmp_path / "site", "hostile_readers", HOSTILE_READERS)
    inputs = pages(tmp_path / "chatty", 4, ".chatty")
    result = cli(str(inputs), "--collection", "-t", "jsonl", "-o", "-", "-j", "2", env=env)
    assert result.returncode == 0, result.stderr
    assert len([json.loads(line) for line in result.stdout.splitlines()]) >= 4  # JSON Lines, nothing else
    said = result.stderr.decode()  # (the workers' lines may interleave)
    assert said.count("chatter from a reader") == 8 and said.count("raw chatter from a reader") == 4


LOUD_LOADER = """
print("importing a loud plugin")
from convert import Exporter, hookimpl

@hookimpl
def register_exporters(register):
    print("registering a loud plugin")
    register(Exporter(name="loud", extension=".loud", write=lambda d, s, o: s.write(b"x")))
"""


def test_what_a_plugin_prints_while_loading_never_lands_in_stdout(tmp_path):
    env = plugin_site(tmp_path / "site", "loud_plugin", LOUD_LOADER)
    for args in ([str(SEED), "-t", "json", "-o", "-"], ["formats", "--json"], ["plugins", "--json"]):
        result = cli(*args, env=env)
        assert result.returncode == 0, result.stderr
        json.loads(result.stdout)  # nothing but the output
        assert "importing a loud plugin" in result.stderr.decode() and "registering" in result.stderr.decode()


@pytest.mark.parametrize(
    ("suffix", "message"),
    [
        (".exits", "exits reader (plugin 'hostile_readers') failed: it called sys.exit(3)"),
        (".junk", "junk reader (plugin 'hostile_readers') returned dict, not a Document"),
        (".crash", "crashes reader (plugin 'hostile_readers') failed: IndexError: list index out of range"),
    ],
)
def test_a_failing_reader_names_the_file_and_the_plugin(tmp_path, readers_env, suffix, message):
    page = page_copy(tmp_path / "in", f"page{suffix}")
    snapshot = Snapshot(page)
    result = cli(str(page), "-t", "json", "-o", str(tmp_path / "page.json"), env=readers_env)
    assert result.returncode == 3
    assert one_error(result.stderr) == f"protocol-convert: error: {page}: {message}"
    assert "exporter" not in result.stderr.decode()  # the exporter after it is not blamed
    batch = cli(str(page), str(SEED), "-t", "json", "-o", str(tmp_path / "out"), "-j", "2", env=readers_env)
    assert batch.returncode == 1 and one_error(batch.stderr) == f"protocol-convert: error: {page}: {message}"
    assert (tmp_path / "out" / "seed.json").is_file()
    snapshot.assert_unchanged()
    assert_nothing_partial(tmp_path)


def test_a_plugin_that_exits_on_import_or_registration_breaks_nothing(tmp_path):
    env = plugin_site(tmp_path / "site", "exits_on_import", "import sys\nsys.exit('bye')\n")
    result = cli(str(SEED), "-t", "json", "-o", "-", env=env)
    assert result.returncode == 0 and result.stdout.startswith(b"{")
    listed = cli("plugins", env=env).stdout.decode()
    assert "exits_on_import" in listed and "SystemExit: bye" in listed

    class ExitsRegistering:
        __name__ = "exits_registering"

        @staticmethod
        @hookimpl
        def register_exporters(register):
            raise SystemExit(1)

    registry = load_registry(plugins=[ExitsRegistering()])
    assert "SystemExit" in registry.plugins["exits_registering"].error
    assert "json" in registry.exporters


def test_a_plugin_in_the_library_raises_the_documented_errors(tmp_path):
    def write(documents, stream, options):
        raise SystemExit(0)

    def read(data, name, options):
        return None

    class Plugin:
        __name__ = "plugin"

        @staticmethod
        @hookimpl
        def register_exporters(register):
            register(Exporter(name="x", extension=".x", write=write))

        @staticmethod
        @hookimpl
        def register_readers(register):
            register(Reader(name="none", read=read, extensions=(".none",)))

    registry = load_registry(plugins=[Plugin()])
    with pytest.raises(ExportError, match=r"x exporter \(plugin 'plugin'\) failed: it called sys.exit\(0\)"):
        convert.export(convert.parse(SEED), "x", tmp_path / "a.x", registry=registry)
    with pytest.raises(ReaderError, match=r"^p.none: none reader \(plugin 'plugin'\) returned NoneType"):
        convert.parse(b"text", name="p.none", registry=registry)
    assert list(tmp_path.iterdir()) == []


# --- 9. the library checks its arguments at the boundary -----------------------------------

DOC = convert.parse(SEED)


class Closed(io.BytesIO):
    pass


def closed() -> io.BytesIO:
    stream = io.BytesIO(b"text")
    stream.close()
    return stream


WRONG_TYPES = [
    (lambda: convert.parse(None), TypeError, "source must be a path, bytes or a binary stream, not NoneType"),
    (lambda: convert.parse(42), TypeError, "source must be"),
    (lambda: convert.parse(io.StringIO("page")), TypeError, "binary stream"),
    (lambda: convert.parse(SEED, reader=1), TypeError, "reader must be"),
    (lambda: convert.parse(SEED, name=b"x"), TypeError, "name must be"),
    (lambda: convert.parse(SEED, encoding=8), TypeError, "encoding must be"),
    (lambda: convert.parse(SEED, options=["strict"]), TypeError, "options must be"),
    (lambda: convert.parse(SEED, max_size="big"), TypeError, "max_size must be"),
    (lambda: convert.parse(SEED, max_size=True), TypeError, "max_size must be"),
    (lambda: convert.parse(SEED, registry="default"), TypeError, "registry must be"),
    (lambda: convert.export(None, "json"), TypeError, "documents must be a Document or an iterable"),
    (lambda: convert.export("text", "json"), TypeError, "documents must be"),
    (lambda: convert.export([DOC, "x"], "json"), TypeError, r"documents\[1\] must be a Document, not str"),
    (lambda: convert.export(iter([DOC, 3]), "jsonl"), TypeError, r"documents\[1\] must be a Document"),
    (lambda: convert.export(DOC, None), TypeError, "format must be"),
    (lambda: convert.export(DOC, "json", 3.5), TypeError, "destination must be"),
    (lambda: convert.export(DOC, "json", io.StringIO()), TypeError, "binary stream"),
    (lambda: convert.export(DOC, "json", force="yes"), TypeError, "force must be True or False"),
    (lambda: convert.export(DOC, "json", options="indent=2"), TypeError, "options must be"),
    (lambda: convert.convert(None, "json"), TypeError, "source must be"),
    (lambda: jsonform.loads(None), TypeError, "loads"),
]
BAD_VALUES = [
    (lambda: convert.parse(SEED, max_size=-1), ValueError, "max_size must be at least 0"),
    (lambda: convert.parse("page\0.txt"), InputError, "NUL"),
    (lambda: convert.parse(closed()), InputError, "closed"),
    (lambda: convert.parse("/nonexistent/page.txt"), InputError, "no such file"),
    (lambda: convert.export(DOC, "json", closed()), OutputError, "closed"),
    (lambda: convert.export(DOC, "json", "out\0.json"), OutputError, "NUL"),
    (lambda: convert.export(DOC, "nosuch"), ConvertError, "unknown output format"),
    (lambda: convert.export(DOC, "json", options={"indent": 99}), ConvertError, "from 0 to 16"),
]


@pytest.mark.parametrize(("call", "error", "message"), WRONG_TYPES + BAD_VALUES)
def test_the_library_checks_its_arguments_at_the_boundary(call, error, message):
    with pytest.raises(error, match=message) as caught:
        call()
    assert not isinstance(caught.value, AttributeError)


def test_a_stream_source_is_bounded_too():
    from convert.errors import InputTooLargeError

    with pytest.raises(InputTooLargeError):
        convert.parse(io.BytesIO(SEED.read_bytes()), max_size=100)
    with pytest.raises(InputTooLargeError):
        convert.parse(SEED.read_bytes(), max_size=100)
    assert convert.parse(io.BytesIO(SEED.read_bytes())).main.title == DOC.main.title


def test_outputs_of_the_library_are_written_where_asked(tmp_path):
    assert convert.export(DOC, "json", io.BytesIO()) is None
    os.chdir(tmp_path)
    convert.export(DOC, "json", "seed.json")
    assert jsonform.loads(Path("seed.json").read_bytes())[0] == DOC
