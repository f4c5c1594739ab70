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

