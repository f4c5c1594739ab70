"""``protocol-convert new-plugin NAME [--reader]`` (issue 17, item 6): the package it writes
passes its own tests (the conformance kit among them) and ``mypy --strict`` at once, and the
command refuses a bad name or an existing folder. ``test_ecosystem.py`` installs one with
``protocol-convert install -e .`` in a fresh environment."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib

import pytest
from conftest import ROOT

from convert.errors import OptionError, OutputError
from convert.scaffold import new_plugin, plugin_files
from convert.testing import run_cli


def run_its_tests(folder):
    """The new package's tests, run in a process of their own from its folder, not installed
    (its folder and protocol-convert on the path)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)])}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=folder, env=env,
                          capture_output=True, text=True, check=False, timeout=300)


@pytest.mark.parametrize(("name", "flags", "tests"), [("plain_text", [], 4), ("news", ["--reader"], 3)])
def test_the_new_plugin_passes_its_own_tests_and_mypy_strict(tmp_path, mypy_strict, name, flags, tests):
    done = run_cli(["new-plugin", name, *flags, "-d", str(tmp_path)])
    assert done.exit_code == 0, done.output
    folder = tmp_path / f"protocol-convert-{name}"
    assert f"wrote {folder}" in done.stdout
    ran = run_its_tests(folder)
    assert ran.returncode == 0 and f"{tests} passed" in ran.stdout, ran.stdout + ran.stderr
    typed = mypy_strict(f"protocol_convert_{name}", "tests", cwd=folder, path=[folder])
    assert typed.returncode == 0, typed.stdout + typed.stderr


def test_its_package_declares_the_entry_point_and_its_readme_says_how_to_use_it():
    files = plugin_files("news", reader=True)
    assert set(files) == {"pyproject.toml", "README.md", "protocol_convert_news/__init__.py",
                          "protocol_convert_news/py.typed", "tests/test_news.py", "tests/sample.news"}
    project = tomllib.loads(files["pyproject.toml"])["project"]
    assert project["name"] == "protocol-convert-news"
    assert project["entry-points"]["protocol_convert"] == {"news": "protocol_convert_news"}
    assert "check_reader(" in files["tests/test_news.py"]
    readme = files["README.md"]
    for step in ("protocol-convert install -e .", "pip install -e '.[test]' && python -m pytest",
                 "protocol-convert page.news -o page.epub"):
        assert step in readme
    exporter = plugin_files("txt")
    assert "check_exporter(" in exporter["tests/test_txt.py"] and "present(documents, options)" in exporter[
        "protocol_convert_txt/__init__.py"]


def test_a_bad_name_or_an_existing_folder_is_refused_and_nothing_is_overwritten(tmp_path):
    for bad in ("Txt", "my-format", "2txt", "txt_", ""):
        with pytest.raises(OptionError, match="a plugin name is lower-case letters"):
            new_plugin(bad, tmp_path)
    assert list(tmp_path.iterdir()) == []
    folder = tmp_path / "protocol-convert-txt"
    folder.mkdir()
    (folder / "mine.py").write_text("# my own work\n", encoding="utf-8")
    with pytest.raises(OutputError, match="already exists: nothing was written"):
        new_plugin("txt", tmp_path)
    assert [p.name for p in folder.iterdir()] == ["mine.py"]
    with pytest.raises(OutputError, match="is not a directory"):
        new_plugin("txt", tmp_path / "nowhere")

    again = run_cli(["new-plugin", "txt", "-d", str(tmp_path)])
    assert again.exit_code == 4 and again.stderr == f"protocol-convert: error: {folder}: already exists: nothing " \
                                                    "was written\n"
    assert run_cli(["new-plugin", "Txt", "-d", str(tmp_path)]).exit_code == 2
    none = run_cli(["new-plugin"])
    assert none.exit_code == 2 and "name one plugin" in none.stderr


def test_the_name_of_an_installed_format_or_plugin_is_refused(tmp_path):
    """A second plugin registering ``json`` would make ``json`` unusable for everyone."""
    for args, message in ((["json"], "'json' is already an output format (of the plugin json)"),
                          (["protocol", "--reader"], "'protocol' is already an input format (of the plugin protocol)"),
                          (["feeds", "--reader"], "'feeds' is already the name of an installed plugin")):
        done = run_cli(["new-plugin", *args, "-d", str(tmp_path)])
        assert done.exit_code == 2 and message in done.stderr, done.output
    assert list(tmp_path.iterdir()) == []
    assert run_cli(["new-plugin", "json", "--reader", "-d", str(tmp_path)]).exit_code == 2  # the json reader too
    assert run_cli(["new-plugin", "rss", "--reader", "-d", str(tmp_path)]).exit_code == 0  # no rss reader

