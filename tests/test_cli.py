"""The command line: forms, outputs, errors and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import SEED

from convert.testing import run_cli


def run(*args: str, input: bytes | None = None):
    return run_cli(args, input=input)


def test_short_form_takes_the_format_from_the_extension(tmp_path):
    out = tmp_path / "page.json"
    result = run(str(SEED), "-o", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["document"]["articles"][0]["role"] == "main"


def test_existing_output_is_refused_without_force_and_kept_intact(tmp_path):
    out = tmp_path / "page.json"
    out.write_text("precious")
    result = run(str(SEED), "-o", str(out))
    assert result.exit_code == 4
    assert "already exists (use --force to overwrite)" in result.output
    assert str(out) in result.output
    assert out.read_text() == "precious"
    assert run(str(SEED), "-o", str(out), "--force").exit_code == 0
    assert out.read_text() != "precious"
    assert list(tmp_path.iterdir()) == [out]  # no temporary files left


def test_stdin_to_stdout():
    result = run("convert", "-", "-t", "json", "-o", "-", input=SEED.read_bytes())
    assert result.exit_code == 0
    document = json.loads(result.stdout)["document"]
    assert document["source"]["name"] is None
    assert document["articles"][0]["title"].startswith("China")


def test_a_directory_output_gets_files_named_after_the_input(tmp_path):
    result = run("convert", str(SEED), "-t", "json", "-o", str(tmp_path / "out") + "/")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "seed.json").exists()


def test_collection_of_two_pages_makes_one_file(tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("Policy\n\nA different headline here\n\nA dek that says what it is about.\n\nBody text.\n")
    out = tmp_path / "both.json"
    result = run("convert", str(SEED), str(other), "--collection", "-o", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [d["source"]["name"] for d in data["documents"]] == ["seed.txt", "other.txt"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["missing.txt", "-o", "x.json"], 3, "missing.txt: no such file"),
        (["{seed}", "-o", "x.unknownext"], 2, "cannot tell the output format"),
        (["convert", "{seed}", "-t", "nosuch", "-o", "x"], 5, "unknown output format 'nosuch'"),
        (["convert", "{seed}", "-t", "json", "-O", "json.nosuch=1", "-o", "-"], 2, "unknown option json.nosuch"),
        (["convert", "{seed}", "-t", "json", "-O", "json.indent=wide", "-o", "-"], 2, "expects a whole number"),
        (["convert", "{seed}", "-t", "json", "-O", "badform", "-o", "-"], 2, "FORMAT.OPTION=VALUE"),
    ],
)
def test_errors_are_one_line_with_a_distinct_exit_code(tmp_path, monkeypatch, args, code, message):
    monkeypatch.chdir(tmp_path)
    args = [a.replace("{seed}", str(SEED)) for a in args]
    result = run(*args)
    assert result.exit_code == code
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert message in lines[0]
    assert "Traceback" not in result.output


def test_empty_and_binary_inputs_are_refused_clearly(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    png = tmp_path / "photo.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    result = run(str(empty), "-o", str(tmp_path / "e.json"))
    assert result.exit_code == 3 and "empty.txt: is empty" in result.output
    result = run(str(png), "-o", str(tmp_path / "p.json"))
    assert result.exit_code == 3 and "not a text page: looks like a PNG image" in result.output
    assert not (tmp_path / "e.json").exists() and not (tmp_path / "p.json").exists()


def test_one_bad_input_does_not_stop_the_others(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    out = tmp_path / "out"
    result = run("convert", str(bad), str(SEED), "-t", "json", "-o", str(out))
    assert result.exit_code == 1
    assert (out / "seed.json").exists()
    assert "bad.txt: is empty" in result.output


def test_formats_and_plugins_json():
    formats = json.loads(run("formats", "--json").stdout)
    json_row = next(r for r in formats if r["kind"] == "exporter" and r["name"] == "json")
    assert json_row["extension"] == ".json" and json_row["plugin"] == "json"
    assert json_row["distribution"] == "protocol-convert" and json_row["version"]
    assert any(o["name"] == "indent" for o in json_row["options"])
    plugins = {p["name"]: p for p in json.loads(run("plugins", "--json").stdout)}
    assert plugins["protocol"]["readers"] == ["protocol"]
    assert plugins["json"]["exporters"] == ["json"]


def test_formats_lists_options_for_humans():
    result = run("formats", "--options")
    assert "-O json.indent=<int>" in result.stdout


def test_disable_plugin_for_one_run():
    result = run("formats", "--json", "--disable-plugin", "json")
    names = {r["name"] for r in json.loads(result.stdout)}
    assert "json" not in names and "protocol" in names


def test_python_dash_m_and_help_need_no_plugins():
    done = subprocess.run([sys.executable, "-m", "convert", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "Usage:" in done.stdout
    probe = ("import sys; from convert.cli import main\n"
             "main(['--help'])\n"
             "print(sorted(m for m in ('pluggy','ebooklib','docx','feedgen','lxml') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("[]")


def test_group_options_before_the_command():
    result = run("-p", "json", "formats", "--json")
    assert result.exit_code == 0
    assert "json" not in {r["name"] for r in json.loads(result.stdout) if r["kind"] == "exporter"}



# --- argparse: the forms, the help and the errors of the command line itself ----------------


@pytest.mark.parametrize(
    ("args", "message", "command"),
    [
        (["--bogus", "{seed}"], "no such option: --bogus", "convert"),
        (["{seed}", "--froce"], "no such option: --froce (did you mean --force?)", "convert"),
        (["convert"], "missing INPUT", "convert"),
        (["-p", "json"], "missing INPUT", "convert"),
        (["{seed}", "-j", "0"], "-j/--jobs: expected a whole number of at least 1, got '0'", "convert"),
        (["{seed}", "--jobs", "two"], "-j/--jobs: expected a whole number, got 'two'", "convert"),
        (["{seed}", "--max-size", "1e6"], "--max-size: expected a whole number, got '1e6'", "convert"),
        (["{seed}", "--executor", "spark"], "--executor: invalid choice: 'spark'", "convert"),
        (["convert", "{seed}", "-t"], "-t/--to: expected one argument", "convert"),
        (["{seed}", "--forc"], "no such option: --forc", "convert"),  # no abbreviations
        (["formats", "extra"], "unexpected argument: 'extra'", "formats"),
        (["plugins", "--options"], "no such option: --options", "plugins"),
        (["formats", "--version"], "no such option: --version", "formats"),
        (["uninstall"], "missing NAME", "uninstall"),
        (["--bogus", "formats"], "no such option: --bogus", None),
    ],
)
def test_usage_errors_are_one_line_with_exit_status_2(args, message, command):
    result = run(*[a.replace("{seed}", str(SEED)) for a in args])
    assert result.exit_code == 2
    assert result.stdout == ""
    where = f"protocol-convert {command}" if command else "protocol-convert"
    assert result.stderr.splitlines() == [
        f"protocol-convert: error: {result.stderr.split(': error: ', 1)[1].rstrip()}"
    ]
    assert message in result.stderr and result.stderr.rstrip().endswith(f"(see `{where} --help`)")


def test_no_arguments_shows_the_help_as_a_usage_error():
    result = run()
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("Usage: protocol-convert [options] COMMAND") and "Commands:" in result.stderr


def test_version():
    from convert import __version__

    result = run("--version")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"protocol-convert, version {__version__}\n", "")


def test_the_help_lists_the_commands_and_keeps_the_layout_of_its_text():
    from convert.cli import COMMANDS, EPILOG

    top = run("--help")
    assert top.exit_code == 0 and top.stderr == ""
    assert top.stdout.startswith("Usage: protocol-convert [options] COMMAND [ARGS]...\n")
    lines = top.stdout.splitlines()
    width = max(map(len, COMMANDS))
    for name, summary in COMMANDS.items():
        assert f"  {name:<{width}}  {summary}" in lines
    assert EPILOG in top.stdout  # examples and exit codes, line for line
    assert max(len(line) for name in COMMANDS for line in run(name, "--help").stdout.splitlines() + lines) <= 79
    assert run("-h").stdout == top.stdout
    assert run("-p", "json", "--help").stdout == top.stdout
    assert run("--help", "formats").stdout == top.stdout
    convert = run("convert", "--help")
    assert convert.exit_code == 0
    assert convert.stdout.startswith("Usage: protocol-convert [convert] INPUT... [options]\n")
    assert "\n  one input, one format      -o FILE, or -o - for stdout (the default for\n" in convert.stdout
    assert "\n  -t, --to FORMAT[,FORMAT...]     Output formats" in convert.stdout
    assert "\n  -O, --option FORMAT.NAME=VALUE  Set an output format's option" in convert.stdout
    assert "\n  --progress / --no-progress      Show a progress bar" in convert.stdout and EPILOG in convert.stdout
    assert run(str(SEED), "--help").stdout == convert.stdout  # the short form's help is convert's
    for name in COMMANDS:
        result = run(name, "-h")
        usage = result.stdout.splitlines()[0]
        assert result.exit_code == 0 and usage.startswith("Usage: protocol-convert ") and name in usage
        assert "-p, --disable-plugin NAME" in result.stdout and "--debug" in result.stdout


def test_docs_quote_the_real_help(monkeypatch):
    from conftest import ROOT

    monkeypatch.setenv("COLUMNS", "80")
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    quoted = text.split("`protocol-convert --help`:\n\n```text\n", 1)[1].split("```\n", 1)[0]
    assert quoted == run("--help").stdout


def test_help_fits_a_narrow_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    result = run("convert", "--help")
    assert result.exit_code == 0
    options = result.stdout.split("\nOptions:\n", 1)[1].split("\n\nExamples:", 1)[0]
    assert max(len(line) for line in options.splitlines()) <= 58


def test_a_file_named_like_a_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "formats").write_bytes(SEED.read_bytes())
    result = run("convert", "formats", "-t", "json", "-o", "out.json")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["document"]["source"]["name"] == "formats"


def test_double_dash_ends_the_options(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-page.txt").write_bytes(SEED.read_bytes())
    for args in (["convert", "-t", "json", "-o", "out.json", "--", "-page.txt"],
                 ["-t", "json", "-o", "out.json", "--force", "--", "-page.txt"]):
        result = run(*args)
        assert result.exit_code == 0, result.output
        document = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["document"]
        assert document["source"]["name"] == "-page.txt"
    result = run("formats", "--", "x")
    assert result.exit_code == 2 and "unexpected argument: 'x'" in result.stderr


def test_inputs_and_options_in_any_order(tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("Policy\n\nA different headline here\n\nA dek.\n\nBody text.\n")
    out = tmp_path / "out"
    result = run("-p", "docx", str(SEED), "-t", "json", str(other), "--no-progress", "-o", str(out), "-j", "1")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["other.json", "seed.json"]


def test_common_options_before_and_after_the_command():
    def exporters(result):
        assert result.exit_code == 0, result.output
        return {r["name"] for r in json.loads(result.stdout) if r["kind"] == "exporter"}

    assert "json" not in exporters(run("formats", "--json", "-p", "json"))
    assert {"json", "docx"}.isdisjoint(exporters(run("-p", "json", "formats", "--json", "--disable-plugin", "docx")))
    assert "json" not in exporters(run("--disable-plugin=json", "--debug", "formats", "--json"))
    assert "json" not in exporters(run("-pjson", "formats", "--json"))


def test_debug_adds_the_traceback_before_and_after_the_command(tmp_path):
    for args in (["--debug", "convert", str(SEED), "-o", "x.unknownext"], [str(SEED), "-o", "x.unknownext", "--debug"]):
        result = run(*args)
        assert result.exit_code == 2
        assert result.stderr.startswith("Traceback (most recent call last):")
        assert result.stderr.splitlines()[-1].startswith("protocol-convert: error: cannot tell the output format")


def test_internal_errors_and_interrupts(monkeypatch):
    import convert.batch

    def boom(*_args, **_kwargs):
        raise ZeroDivisionError("division by zero\nsecond line")

    monkeypatch.setattr(convert.batch, "run_job", boom)
    result = run(str(SEED), "-t", "json", "-o", "-")
    assert result.exit_code == 70
    assert result.stderr == ("protocol-convert: internal error: ZeroDivisionError: division by zero "
                             "(run with --debug for the traceback, and please report it)\n")
    assert "Traceback" in run(str(SEED), "-t", "json", "-o", "-", "--debug").stderr

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(convert.batch, "run_job", interrupted)
    result = run(str(SEED), "-t", "json", "-o", "-")
    assert (result.exit_code, result.stderr) == (130, "protocol-convert: interrupted\n")


def test_a_closed_pipe_is_quiet():
    process = subprocess.Popen([sys.executable, "-m", "convert", str(SEED), "-t", "json", "-o", "-"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # as `| head` does when it has read enough
    stderr = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=60) == 141  # as a Unix tool ended by SIGPIPE
    assert stderr == b""


PROBE = """
import json, sys
from convert.cli import main
status = main(sys.argv[1:])
print(json.dumps([status, sorted(m for m in sys.modules if m == 'click' or m.startswith('convert.'))]),
      file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("args", "loaded", "not_loaded"),
    [
        (["--help"], [], ["convert.cli_plugins", "convert.plugins", "convert.batch"]),
        (["convert", "--help"], [], ["convert.cli_plugins", "convert.plugins", "convert.batch"]),
        (["formats", "--json"], ["convert.plugins", "convert.readers.protocol"],
         ["convert.cli_plugins", "convert.batch", "convert.readers.protocol.page"]),
        (["plugins"], ["convert.plugins"], ["convert.cli_plugins", "convert.readers.protocol.page"]),
        ([str(SEED), "-t", "json", "-o", "-"], ["convert.batch", "convert.readers.protocol.page"],
         ["convert.cli_plugins"]),
        (["install", "--help"], ["convert.cli_plugins"], ["convert.plugins"]),
        (["uninstall", "-h"], ["convert.cli_plugins"], ["convert.plugins"]),
    ],
    ids=" ".join,
)
def test_what_each_command_imports(args, loaded, not_loaded):
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120)
    status, modules = json.loads(done.stderr.splitlines()[-1])
    assert status == 0, done.stderr
    assert "click" not in modules
    assert set(loaded) <= set(modules) and not set(not_loaded) & set(modules)
