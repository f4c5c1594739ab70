"""The plugin author's front door (issue 17, items 1, 3 and 4): a reader's options set from the
command line as `formats --options` spells them, the traceback of a failing plugin with
--debug, and names that resolve or fail clearly (a format whose plugin failed to load, a
misspelt hook). The kit's reader checks are in test_conformance.py, the scaffold in
test_scaffold.py, uninstall by format name in test_ecosystem.py."""

from __future__ import annotations

import types

import pytest
from conftest import SEED
from hostile import cli, one_error, plugin_site

import convert
from convert.hookspecs import hookimpl
from convert.plugins import load_registry

NEWS_READER = """
import hashlib
from convert import Document, Option, Reader, hookimpl
from convert.textio import decode_text
from convert.tree import Article, Paragraph, Source, Text, story_id

def read(data, name, options):
    text = decode_text(data, name=name, encoding=options.get("encoding"), max_size=options.get("max_size"))
    title, _, rest = text.strip().partition("\\n")
    if options["shout"]:
        title = title.upper()
    body = tuple(Paragraph((Text(p.strip()),)) for p in rest.split("\\n\\n") if p.strip())
    return Document(Source(name, hashlib.sha256(data).hexdigest(), "news"),
                    (Article(id=story_id(title), role="main", title=title, body=body),))

@hookimpl
def register_readers(register):
    register(Reader(name="news", read=read, extensions=(".news",), description="News items",
                    options=(Option("shout", bool, False, "write the headline in capitals"),)))
"""

FAILING_EXPORTER = """
from convert import Exporter, hookimpl

def deep_helper(documents):
    raise ValueError("the helper broke")

def write(documents, stream, options):
    stream.write(deep_helper(documents))

@hookimpl
def register_exporters(register):
    register(Exporter(name="broken", extension=".broken", write=write))
"""


@pytest.fixture
def news(tmp_path):
    env = plugin_site(tmp_path / "site", "news_reader", NEWS_READER)
    page = tmp_path / "item.news"
    page.write_text("Quiet headline\n\nThe body of the item.\n", encoding="utf-8")
    return env, page


# --- 1. readers' options on the command line ----------------------------------------------------


def test_formats_lists_a_readers_options_with_the_spelling_that_sets_them(news):
    env, page = news
    listed = cli("formats", "--options", env=env)
    line = next(line.strip() for line in listed.stdout.decode().splitlines() if "news.shout" in line)
    assert line.startswith("-R news.shout=<bool>  write the headline in capitals")
    shouted = cli(str(page), "-t", "json", "-o", "-", "-R", "news.shout=true", env=env)
    assert shouted.returncode == 0, shouted.stderr
    assert b'"title": "QUIET HEADLINE"' in shouted.stdout
    quiet = cli(str(page), "-t", "json", "-o", "-", env=env)
    assert b'"title": "Quiet headline"' in quiet.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["-O", "news.shout=true"], "'news' is an input format, and -O sets an output format's options: "
                                "set its options with -R news.OPTION=VALUE"),
    (["-R", "json.indent=0"], "unknown option json.indent (known options: none)"),
    (["-R", "epub.title=x"], "'epub' is an output format, and -R sets an input format's options: "
                             "set its options with -O epub.OPTION=VALUE"),
    (["-R", "news.loud=1"], "unknown option news.loud (known options: shout)"),
    (["-R", "news.shout=maybe"], "option news.shout expects true or false, got 'maybe'"),
    (["-R", "nosuch.x=1"], "unknown input format 'nosuch'"),
    (["-R", "shout=1"], "-R expects FORMAT.OPTION=VALUE, got 'shout=1'"),
])
def test_a_wrong_reader_option_is_refused_before_any_page_is_read(news, tmp_path, args, message):
    env, page = news
    result = cli(str(page), "-t", "json", "-o", str(tmp_path / "out.json"), *args, env=env)
    assert one_error(result.stderr).startswith(f"protocol-convert: error: {message}")
    assert result.returncode in (2, 5) and not (tmp_path / "out.json").exists()


def test_the_library_takes_a_readers_options_in_the_one_shape(tmp_path):
    namespace: dict[str, object] = {}
    exec(compile(NEWS_READER, "news_reader", "exec"), namespace)
    registry = load_registry(plugins=[types.SimpleNamespace(**namespace)])
    page = tmp_path / "item.news"
    page.write_text("Quiet headline\n\nBody.\n", encoding="utf-8")
    for options in ({"shout": True}, {"news.shout": "yes"}):
        document = convert.parse(page, options=options, registry=registry)
        assert document.main is not None and document.main.title == "QUIET HEADLINE"
    # reading, another reader's options are that reader's: the one that reads takes its own
    assert convert.parse(SEED, options={"news.shout": True}, registry=registry).main == convert.parse(SEED).main
    with pytest.raises(convert.OptionError, match=r"unknown option news\.loud"):
        convert.parse(page, options={"loud": True}, registry=registry)


# --- 3. --debug shows the traceback of a failing plugin -----------------------------------------


def test_debug_shows_the_traceback_of_a_failing_exporter_in_this_process_and_in_workers(tmp_path):
    env = plugin_site(tmp_path / "site", "broken_exporter", FAILING_EXPORTER)
    plain = cli(str(SEED), "-t", "broken", "-o", str(tmp_path / "one.broken"), env=env)
    assert plain.returncode == 6 and "Traceback" not in plain.stderr.decode()
    assert one_error(plain.stderr).endswith("broken exporter (plugin 'broken_exporter') failed: "
                                            "ValueError: the helper broke")
    other = tmp_path / "other.txt"
    other.write_bytes(SEED.read_bytes())
    for args in ([str(SEED), "-o", str(tmp_path / "one.broken")],  # one page, in this process
                 [str(SEED), str(other), "-o", str(tmp_path / "out"), "-j", "2"]):  # two, in workers
        debug = cli(*args, "-t", "broken", "--debug", env=env)
        text = debug.stderr.decode()
        assert debug.returncode in (1, 6)
        assert "Traceback (most recent call last)" in text
        assert 'in deep_helper\n    raise ValueError("the helper broke")' in text
        assert "The above exception was the direct cause of the following exception" in text
        assert "convert.errors.ExportError: " in text
        last = text.rstrip("\n").splitlines()
        assert any(line.startswith("protocol-convert: error: ") for line in last)


def test_debug_shows_the_traceback_of_a_failing_reader(news, tmp_path):
    env, _page = news
    bad = tmp_path / "bad.news"
    bad.write_bytes(b"\xff\xfe\x00\x00junk")  # UTF-32 by its mark, and not valid UTF-32
    result = cli(str(bad), "-t", "json", "-o", "-", "--debug", env=env)
    text = result.stderr.decode()
    assert result.returncode == 3 and "Traceback (most recent call last)" in text and "in decode_text" in text


# --- 4. names -----------------------------------------------------------------------------------


def test_asking_for_a_format_whose_plugin_failed_to_load_says_so(tmp_path):
    env = plugin_site(tmp_path / "site", "txt", "import no_such_module_anywhere\n")
    result = cli(str(SEED), "-t", "txt", "-o", "-", env=env)
    assert result.returncode == 5
    assert one_error(result.stderr).endswith(
        "; the plugin 'txt' failed to load: ModuleNotFoundError: No module named 'no_such_module_anywhere' "
        "(txt.py:1)")
    reader = cli(str(SEED), "-f", "txt", "-t", "json", "-o", "-", env=env)
    assert "unknown input format 'txt'" in one_error(reader.stderr) and "failed to load" in one_error(reader.stderr)
    env = plugin_site(tmp_path / "site2", "plaintext", "import no_such_module_anywhere\n")
    other = cli(str(SEED), "-t", "txt", "-o", "-", env=env)
    assert one_error(other.stderr).endswith("; a plugin failed to load and may provide it: 'plaintext' "
                                            "(ModuleNotFoundError: No module named 'no_such_module_anywhere' "
                                            "(plaintext.py:1))")
    disabled = cli("-p", "json", str(SEED), "-t", "json", "-o", "-")
    assert one_error(disabled.stderr).endswith("; the plugin 'json' is disabled")


def test_a_misspelt_hook_suggests_the_right_one():
    class Misspelt:
        __name__ = "misspelt"

        @hookimpl
        def register_exporter(self, register):  # sic
            pass

    class Unknown:
        __name__ = "unknown"

        @hookimpl
        def make_formats(self, register):
            pass

    registry = load_registry(plugins=[Misspelt(), Unknown()], entry_points=False)
    assert registry.plugins["misspelt"].error == (
        "implements unknown hook 'register_exporter' (did you mean 'register_exporters'?)")
    assert registry.plugins["unknown"].error == (
        "implements unknown hook 'make_formats' (the hooks are: register_exporters, register_readers)")
