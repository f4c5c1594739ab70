"""The plugin ecosystem end to end, as a stranger would meet it.

In a genuinely fresh virtual environment (no system site-packages): install the core, then
each extra in plugins/ with ``protocol-convert install``; each shows in ``formats --json``
with its plugin and version and converts the seed; the extras' own test suites pass there; a
package whose import raises leaves every command working and is reported by ``plugins``;
the environment variable and ``-p`` switch plugins off; listing formats imports no heavy
library; ``uninstall`` removes a format. One environment serves the whole module (about
30-60 s, most of it pip); the tests below run in file order on it.

Also here: unit tests of ``install``/``uninstall`` with pip replaced by a fake.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from convert import cli_plugins
from convert.testing import run_cli

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "seed.txt"
PLUGINS = ROOT / "plugins"
#: (directory, entry-point name, distribution, exporters, readers)
EXTRAS = [
    ("protocol-convert-jsonfeed", "jsonfeed", "protocol-convert-jsonfeed", ["jsonfeed"], []),
    ("protocol-convert-markdown", "markdown", "protocol-convert-markdown", ["markdown"], []),
    ("protocol-convert-markdown-reader", "markdown_reader", "protocol-convert-markdown-reader", [], ["markdown"]),
    ("protocol-convert-html", "html", "protocol-convert-html", [], ["html"]),
    ("protocol-convert-warc", "warc", "protocol-convert-warc", [], ["warc"]),
]
HEAVY = ("lxml", "ebooklib", "docx", "feedgen", "markdown_it", "yaml", "jsonschema", "charset_normalizer",
         "trafilatura", "warcio")
_IGNORE = shutil.ignore_patterns("*.egg-info", "build", "dist", "__pycache__", ".venv", ".pytest_cache", ".git")


class Venv:
    """A fresh virtual environment with protocol-convert installed from this checkout."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.bin = root / "venv" / "bin"
        self.python = self.bin / "python"
        self.timings: dict[str, float] = {}
        self.env = {
            k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PROTOCOL_CONVERT_LOAD_PLUGINS",
                         "PROTOCOL_CONVERT_DISABLE_PLUGINS")
        }
        self.env["PATH"] = f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}"
        self.env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"

    def run(self, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            check: bool = True, input: str | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(a) for a in args], capture_output=True, text=True, env={**self.env, **(env or {})},
            cwd=cwd or self.root, check=False, input=input, timeout=600,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(map(str, args))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done

    def cli(self, *args: str, **kwargs) -> subprocess.CompletedProcess[str]:
        return self.run(self.bin / "protocol-convert", *args, **kwargs)

    def formats(self, *args: str, env: dict[str, str] | None = None) -> dict[str, dict]:
        rows = json.loads(self.cli("formats", "--json", *args, env=env).stdout)
        return {f"{row['kind']}:{row['name']}": row for row in rows}

    def plugins(self, env: dict[str, str] | None = None) -> dict[str, dict]:
        return {p["name"]: p for p in json.loads(self.cli("plugins", "--json", env=env).stdout)}


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=_IGNORE)
    return target


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Venv:
    root = tmp_path_factory.mktemp("ecosystem")
    env = Venv(root)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True, timeout=300)
    assert not (root / "venv" / "lib").joinpath("python-system-site").exists()
    # Build from a copy, so that building leaves nothing in the checkout.
    core = root / "src" / "protocol-convert"
    core.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, core / name)
    _copy(ROOT / "convert", core / "convert")
    env.run(env.python, "-m", "pip", "install", "-q", str(core))
    env.timings["venv + core"] = time.monotonic() - started
    for directory, *_ in EXTRAS:
        _copy(PLUGINS / directory, root / "src" / directory)
    return env


def test_the_fresh_environment_has_the_core_and_no_extra(venv):
    done = venv.run(venv.python, "-c", "import sys, convert; print(sys.prefix, convert.__file__)")
    prefix, location = done.stdout.split()
    assert prefix == str(venv.root / "venv") and location.startswith(prefix)  # not this checkout
    system = venv.run(venv.python, "-c", "import pytest", check=False)
    assert system.returncode != 0, "the fresh environment sees packages it did not install"
    formats = venv.formats()
    assert "exporter:json" in formats and "reader:protocol" in formats
    assert not {"exporter:jsonfeed", "exporter:markdown", "reader:markdown"} & set(formats)
    assert all(p["error"] is None for p in venv.plugins().values())


@pytest.mark.parametrize(("directory", "plugin", "distribution", "exporters", "readers"), EXTRAS,
                         ids=[e[0] for e in EXTRAS])
def test_install_each_extra_like_a_stranger(venv, directory, plugin, distribution, exporters, readers):
    started = time.monotonic()
    done = venv.cli("install", f"{venv.root / 'src' / directory}[test]")
    venv.timings[f"install {directory}"] = time.monotonic() - started
    assert f"installed plugin {plugin} ({distribution} 0.1.0)" in done.stdout
    for name in exporters:
        assert f"output formats: {name}" in done.stdout
    for name in readers:
        assert f"input formats:  {name}" in done.stdout
    formats = venv.formats()
    for kind, names in (("exporter", exporters), ("reader", readers)):
        for name in names:
            row = formats[f"{kind}:{name}"]
            assert (row["plugin"], row["distribution"], row["version"]) == (plugin, distribution, "0.1.0")
    text = venv.cli("formats").stdout
    for name in exporters:
        assert f"[{plugin} 0.1.0]" in next(line for line in text.splitlines() if line.strip().startswith(name))
    info = venv.plugins()[plugin]
    assert info["error"] is None and info["distribution"] == distribution and info["version"] == "0.1.0"


def _seed_tree(venv) -> dict:
    return json.loads(venv.cli("convert", SEED, "-t", "json", "-o", "-").stdout)["document"]


def test_each_extra_converts_the_seed(venv, tmp_path):
    tree = _seed_tree(venv)
    articles = tree["articles"]
    feed_path = tmp_path / "seed.feed.json"
    venv.cli("convert", SEED, "-t", "jsonfeed", "-o", feed_path, "-O", "jsonfeed.expired=true")
    feed = json.loads(feed_path.read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["expired"] is True
    ids = [i["id"].removeprefix("urn:protocol-convert:") for i in feed["items"]]  # the RSS and Atom ids
    assert len(ids) == len(set(ids)) and set(ids) == {a["id"] for a in articles if a["role"] != "sponsored"}
    assert ids[0] == articles[0]["id"] and articles[0]["role"] == "main"
    markdown_path = tmp_path / "seed.md"
    venv.cli("convert", SEED, "-o", markdown_path)  # the format from the .md extension
    markdown = markdown_path.read_text(encoding="utf-8")
    assert markdown.startswith("---\n")
    main_story = next(a for a in articles if a["role"] == "main")
    if main_story["title"]:
        assert f"# {main_story['title']}" in markdown.replace("\\", "")
    # the reader plugin: the Markdown goes back into the tree and out as JSON
    back = json.loads(venv.cli("convert", markdown_path, "-t", "json", "-o", "-").stdout)["document"]
    assert back["source"]["reader"] == "markdown"
    assert [(a["id"], a["title"], a["section"]) for a in back["articles"]] == [
        (a["id"], a["title"], a["section"]) for a in articles
    ]


BUILD_WARC = """
import io, sys
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter
page = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "wb") as handle:
    writer = WARCWriter(handle, gzip=True)
    for url, status, kind, body in (("https://www.protocol.com/a", "200 OK", "text/html", page),
                                    ("https://www.protocol.com/b", "301 Moved Permanently", "text/html", b""),
                                    ("https://www.protocol.com/c.pdf", "200 OK", "application/pdf", b"%PDF-1.4")):
        http = StatusAndHeaders(status, [("Content-Type", kind)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                                      http_headers=http))
"""


def test_the_archive_extras_convert_a_saved_page_and_a_warc_to_every_format(venv, tmp_path):
    page = venv.root / "src" / "protocol-convert-html" / "tests" / "pages" / "protocol_article.html"
    warc = tmp_path / "crawl.warc.gz"
    venv.run(venv.python, "-c", BUILD_WARC, page, warc)
    wacz = tmp_path / "crawl.wacz"
    venv.run(venv.bin / "wacz", "create", "-o", wacz, warc)  # py-wacz, installed with the warc extra's tests
    everything = ",".join(sorted(name.split(":", 1)[1] for name in venv.formats() if name.startswith("exporter:")))
    for source, extra in ((page, []), (warc, ["--collection"]), (wacz, ["--collection"])):
        out = tmp_path / source.name.replace(".", "-")
        done = venv.cli("convert", source, *extra, "-t", everything, "-o", out)
        written = sorted(p.name for p in out.iterdir())
        assert len(written) == everything.count(",") + 1 and all((out / n).stat().st_size for n in written), written
        tree = json.loads((out / ("collection.json" if extra else "protocol_article.json")).read_text(encoding="utf-8"))
        documents = tree.get("documents") or [tree["document"]]
        url = documents[0]["articles"][0]["url"]
        assert url == "https://www.protocol.com/enterprise/chip-shortage-carmakers-last-in-line"
        if extra:
            assert "skipped 2 (redirect: 1, not HTML: 1)" in done.stderr


@pytest.mark.parametrize("directory", [e[0] for e in EXTRAS])
def test_each_extra_passes_its_own_tests_in_the_fresh_environment(venv, directory):
    started = time.monotonic()
    done = venv.run(venv.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=venv.root / "src" / directory,
                    check=False)
    venv.timings[f"tests {directory}"] = time.monotonic() - started
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and " failed" not in done.stdout and "skipped" not in done.stdout


LISTING = """
import json, sys
from convert.cli import main
try:
    main([*sys.argv[1:]])
finally:
    heavy = sorted({m.split('.')[0] for m in sys.modules} & set(json.loads(%r)))
    print('HEAVY=' + json.dumps(heavy), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["formats", "--options"], ["plugins"]], ids=" ".join)
def test_listing_imports_no_heavy_library_however_many_plugins(venv, args):
    done = venv.run(venv.python, "-c", LISTING % json.dumps(HEAVY), *args)
    heavy = json.loads(done.stderr.rsplit("HEAVY=", 1)[1])
    assert heavy == [], f"`{' '.join(args)}` imported {heavy}"


def test_a_heavy_library_is_imported_when_its_format_is_used(venv, tmp_path):
    page = tmp_path / "page.md"
    page.write_text("---\ntitle: T\n---\n\n# T\n\nBody.\n", encoding="utf-8")
    done = venv.run(venv.python, "-c", LISTING % json.dumps(HEAVY), "convert", str(page), "-t", "json",
                    "-o", str(tmp_path / "out.json"))
    assert {"markdown_it", "yaml"} <= set(json.loads(done.stderr.rsplit("HEAVY=", 1)[1]))


BROKEN = {
    "pyproject.toml": """
        [build-system]
        requires = ["setuptools>=68"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "protocol-convert-broken"
        version = "6.6.6"

        [project.entry-points.protocol_convert]
        broken = "protocol_convert_broken"

        [tool.setuptools]
        packages = ["protocol_convert_broken"]
    """,
    "protocol_convert_broken/__init__.py": "raise ImportError('this plugin is broken on purpose')\n",
}


def test_a_package_whose_import_raises_breaks_nothing(venv, tmp_path):
    source = venv.root / "src" / "protocol-convert-broken"
    for name, text in BROKEN.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(textwrap.dedent(text), encoding="utf-8")
    done = venv.cli("install", source)
    assert "installed plugin broken (protocol-convert-broken 6.6.6)" in done.stdout
    assert "! it fails to load: ImportError: this plugin is broken on purpose" in done.stdout
    assert "Usage:" in venv.cli("--help").stdout
    formats = venv.formats()
    assert {"exporter:json", "exporter:jsonfeed", "exporter:markdown", "reader:markdown"} <= set(formats)
    listed = venv.cli("formats")
    assert "1 plugin(s) failed to load" in listed.stderr
    broken = venv.plugins()["broken"]
    assert broken["error"].startswith("ImportError: this plugin is broken on purpose")
    assert (broken["distribution"], broken["version"]) == ("protocol-convert-broken", "6.6.6")
    assert "error:     ImportError" in venv.cli("plugins").stdout
    for fmt in ("json", "jsonfeed", "markdown"):
        venv.cli("convert", SEED, "-t", fmt, "-o", tmp_path / f"seed-{fmt}.out")
        assert (tmp_path / f"seed-{fmt}.out").stat().st_size > 0


def test_the_environment_variable_limits_what_loads_and_p_switches_one_off(venv):
    builtin = {"exporter:json", "reader:json", "reader:protocol"}
    none = venv.formats(env={"PROTOCOL_CONVERT_LOAD_PLUGINS": ""})
    assert builtin <= set(none) and not {"exporter:jsonfeed", "exporter:markdown", "reader:markdown"} & set(none)
    assert "broken" not in venv.plugins(env={"PROTOCOL_CONVERT_LOAD_PLUGINS": ""})
    some = venv.formats(env={"PROTOCOL_CONVERT_LOAD_PLUGINS": "jsonfeed, markdown_reader"})
    assert {"exporter:jsonfeed", "reader:markdown"} <= set(some) and "exporter:markdown" not in some
    off = venv.formats(env={"PROTOCOL_CONVERT_DISABLE_PLUGINS": "jsonfeed"})
    assert "exporter:jsonfeed" not in off and "exporter:markdown" in off
    assert "exporter:markdown" not in venv.formats("-p", "markdown")
    refused = venv.cli("convert", "-p", "jsonfeed", SEED, "-t", "jsonfeed", "-o", "-", check=False)
    assert refused.returncode == 5 and "unknown output format 'jsonfeed'" in refused.stderr


def test_the_tutorial_plugin_installs_editable_from_its_folder(venv, tmp_path):
    """docs/writing-plugins.md, followed to the letter: files, `install -e .`, its test."""
    from test_docs_hooks import tutorial_files

    folder = venv.root / "src" / "protocol-convert-txt"
    for name, text in tutorial_files().items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    done = venv.cli("install", "-e", ".", cwd=folder)
    assert "installed plugin txt (protocol-convert-txt 0.1.0)" in done.stdout
    assert "output formats: txt" in done.stdout
    assert "-O txt.rule=<str>" in venv.cli("formats", "--options").stdout
    out = tmp_path / "seed.out.txt"
    venv.cli("convert", SEED, "-t", "txt", "-o", out, "-O", "txt.rule=-")
    assert out.read_text(encoding="utf-8").strip()
    tests = venv.run(venv.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", cwd=folder, check=False)
    # its test_txt.py, test_cli.py and one test_each_check.py case per check of the kit
    from convert.testing import CHECKS

    assert tests.returncode == 0 and f"{len(CHECKS) + 2} passed" in tests.stdout, tests.stdout + tests.stderr


def test_a_plugin_made_by_new_plugin_installs_and_passes_its_tests(venv, tmp_path):
    """`protocol-convert new-plugin`, then `install -e .` and its tests, as its README says."""
    folder = venv.root / "src" / "protocol-convert-plain"
    venv.cli("new-plugin", "plain", "-d", folder.parent)
    done = venv.cli("install", "-e", ".", cwd=folder)
    assert "installed plugin plain (protocol-convert-plain 0.1.0)" in done.stdout
    assert "output formats: plain" in done.stdout
    out = venv.cli("convert", SEED, "-t", "plain", "-o", "-", "-O", "plain.rule=~").stdout
    assert "Judge Zia Faruqui" in out and "~~~~" in out
    tests = venv.run(venv.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=folder, check=False)
    assert tests.returncode == 0 and "4 passed" in tests.stdout, tests.stdout + tests.stderr


def test_uninstall_removes_the_format(venv):
    done = venv.cli("uninstall", "jsonfeed", "broken", "-y")  # plugin names map to their distributions
    assert "removed plugin jsonfeed (formats: jsonfeed)" in done.stdout
    assert "removed plugin broken" in done.stdout
    formats = venv.formats()
    assert "exporter:jsonfeed" not in formats and "exporter:markdown" in formats
    assert "broken" not in venv.plugins()
    refused = venv.cli("convert", SEED, "-t", "jsonfeed", "-o", "-", check=False)
    assert refused.returncode == 5 and "unknown output format 'jsonfeed'" in refused.stderr
    itself = venv.cli("uninstall", "protocol-convert", "-y", check=False)
    assert itself.returncode == 2 and "is protocol-convert itself, not a plugin" in itself.stderr
    assert "exporter:json" in venv.formats()  # still there
    again = venv.cli("uninstall", "-y", "protocol-convert-markdown-reader", "txt")
    assert "removed plugin markdown_reader" in again.stdout and "removed plugin txt" in again.stdout
    assert "exporter:txt" not in venv.formats()
    venv.timings["total"] = sum(v for k, v in venv.timings.items() if k != "total")
    print(f"\necosystem timings (s): {json.dumps({k: round(v, 1) for k, v in venv.timings.items()})}")


# --- install/uninstall with pip replaced: what they run and what they print ----------------------


@pytest.fixture
def fake_pip(monkeypatch):
    calls: list[list[str]] = []
    states: list[list[dict]] = []
    result = {"status": 0}

    def pip(args):
        calls.append(list(args))
        return result["status"]

    def installed():
        return states.pop(0) if len(states) > 1 else states[0]

    monkeypatch.setattr(cli_plugins, "_pip", pip)
    monkeypatch.setattr(cli_plugins, "_installed_plugins", installed)
    return calls, states, result


def _plugin(name, dist, version="1.0", exporters=(), readers=(), error=None):
    return {"name": name, "distribution": dist, "version": version, "module": name,
            "exporters": list(exporters), "readers": list(readers), "error": error}


CORE = [_plugin("json", "protocol-convert", "0.1.0", ["json"], ["json"])]


def test_install_runs_pip_in_this_environment_and_reports_new_formats(fake_pip):
    calls, states, _ = fake_pip
    states.extend([CORE, [*CORE, _plugin("txt", "pc-txt", "2.0", ["txt", "text"])]])
    result = run_cli(["install", "pc-txt", "-e", "./here", "-U"])
    assert result.exit_code == 0, result.output
    assert calls == [["install", "--upgrade", "pc-txt", "-e", "./here"]]
    assert "installed plugin txt (pc-txt 2.0)\n    output formats: txt, text" in result.output


def test_pip_itself_is_this_interpreter(monkeypatch):
    seen = []
    monkeypatch.setattr(cli_plugins.subprocess, "run",
                        lambda command, **kw: seen.append(command) or subprocess.CompletedProcess(command, 0, "", ""))
    assert cli_plugins._pip(["--version"]) == 0
    assert seen == [[sys.executable, "-m", "pip", "--version"]]


def test_install_reports_a_plugin_that_fails_to_load_and_a_package_that_is_no_plugin(fake_pip):
    _, states, _ = fake_pip
    states.extend([CORE, [*CORE, _plugin("bad", "pc-bad", error="ImportError: nope")]])
    result = run_cli(["install", "pc-bad"])
    assert result.exit_code == 0 and "! it fails to load: ImportError: nope" in result.output
    states.clear()
    states.extend([CORE, CORE])
    result = run_cli(["install", "requests"])
    assert "no new plugins or formats" in result.output


def test_install_errors(fake_pip):
    _, states, result_status = fake_pip
    states.append(CORE)
    nothing = run_cli(["install"])
    assert nothing.exit_code == 2 and "name at least one package" in nothing.output
    result_status["status"] = 1
    failed = run_cli(["install", "no-such-package"])
    assert failed.exit_code == 5 and "pip install failed (exit status 1)" in failed.output


def test_uninstall_by_plugin_or_distribution_name_and_never_the_core(fake_pip):
    calls, states, _ = fake_pip
    txt = _plugin("txt", "pc-txt", "2.0", ["txt"])
    states.extend([[*CORE, txt], CORE])
    result = run_cli(["uninstall", "txt", "-y"])
    assert result.exit_code == 0, result.output
    assert calls == [["uninstall", "-y", "pc-txt"]]
    assert "removed plugin txt (formats: txt)" in result.output
    for name in ("protocol-convert", "protocol_convert", "json", "Protocol.Convert"):
        refused = run_cli(["uninstall", name, "-y"])
        assert refused.exit_code == 2 and "is protocol-convert itself, not a plugin" in refused.output
    assert len(calls) == 1


def test_uninstall_resolves_a_format_name_to_its_plugin_or_fails_clearly(fake_pip, monkeypatch):
    calls, states, _ = fake_pip
    plaintext = _plugin("plaintext", "pc-plaintext", "1.0", ["txt"])
    reader = _plugin("text_reader", "pc-text-reader", "1.0", [], ["txt", "text"])
    states.extend([[*CORE, plaintext], CORE])
    result = run_cli(["uninstall", "txt", "-y"])  # the format txt: its plugin's distribution
    assert result.exit_code == 0, result.output
    assert calls == [["uninstall", "-y", "pc-plaintext"]]
    assert "'txt' is a format of the plugin plaintext (pc-plaintext)" in result.stderr
    states[:] = [[*CORE, plaintext, reader]]
    both = run_cli(["uninstall", "txt", "-y"])
    assert both.exit_code == 2 and ("'txt' is a format of several plugins, plaintext (pc-plaintext) and "
                                    "text_reader (pc-text-reader): name the plugin to uninstall") in both.stderr
    monkeypatch.setattr(cli_plugins, "_installed_distribution", lambda name: name == "some-dist")
    unknown = run_cli(["uninstall", "nothing-like-it", "-y"])
    assert unknown.exit_code == 5
    assert "no plugin, format or installed distribution is called 'nothing-like-it'" in unknown.stderr
    assert len(calls) == 1  # pip was not run for either
    states[:] = [[*CORE, plaintext], [*CORE, plaintext]]
    assert run_cli(["uninstall", "some-dist", "-y"]).exit_code == 0 and calls[-1] == ["uninstall", "-y", "some-dist"]


def test_uninstall_asks_first_unless_y(fake_pip):
    calls, states, _ = fake_pip
    states.extend([[*CORE, _plugin("txt", "pc-txt")], [*CORE, _plugin("txt", "pc-txt")]])
    declined = run_cli(["uninstall", "pc-txt"], input="n\n")
    assert declined.exit_code == 1 and calls == []
    accepted = run_cli(["uninstall", "pc-txt"], input="y\n")
    assert accepted.exit_code == 0 and calls == [["uninstall", "-y", "pc-txt"]]


def test_install_notes_when_the_environment_variable_would_keep_the_plugin_out(fake_pip, monkeypatch):
    _, states, _ = fake_pip
    states.extend([CORE, [*CORE, _plugin("txt", "pc-txt", "2.0", ["txt"])]])
    monkeypatch.setenv("PROTOCOL_CONVERT_LOAD_PLUGINS", "jsonfeed")
    result = run_cli(["install", "pc-txt"])
    assert result.exit_code == 0
    assert "PROTOCOL_CONVERT_LOAD_PLUGINS is set and does not name 'txt'" in result.output


def test_uninstall_takes_the_end_of_the_input_for_no_and_asks_again_when_unsure(fake_pip):
    calls, states, _ = fake_pip
    states.append([*CORE, _plugin("txt", "pc-txt")])
    declined = run_cli(["uninstall", "pc-txt"])  # stdin empty: as `< /dev/null`
    assert declined.exit_code == 1 and calls == []
    assert declined.stderr == "Uninstall pc-txt? [y/N]: \nprotocol-convert: aborted: nothing was uninstalled\n"
    unsure = run_cli(["uninstall", "pc-txt"], input="maybe\nYes\n")
    assert unsure.exit_code == 0 and calls == [["uninstall", "-y", "pc-txt"]]
    assert unsure.stderr.count("Uninstall pc-txt? [y/N]: ") == 2 and "Please answer y or n." in unsure.stderr


#: The modules docs/api.md documents for plugins (plus the package itself).
DOCUMENTED = {"convert", "convert.present", "convert.html", "convert.tree", "convert.errors", "convert.text",
              "convert.textio", "convert.collection", "convert.formats", "convert.testing", "convert.plugins",
              "convert.jsonform"}


@pytest.mark.parametrize("directory", [e[0] for e in EXTRAS])
def test_each_extra_uses_only_the_documented_api(directory):
    import ast

    sources = sorted((ROOT / "plugins" / directory).glob("protocol_convert_*/*.py"))
    assert sources
    api = "".join((ROOT / "docs" / f"{name}.md").read_text(encoding="utf-8")
                  for name in ("api", "errors", "tree", "writing-plugins"))
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("convert"):
                assert node.module in DOCUMENTED, (path.name, node.module)
                for alias in node.names:  # each name it takes is one the docs describe
                    assert node.module == "convert" or alias.name in api, (path.name, node.module, alias.name)
