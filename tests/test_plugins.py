"""The plugin machinery: discovery through entry points, fault tolerance, conflicts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from convert.errors import DuplicateFormatError, UnknownFormatError
from convert.formats import Exporter
from convert.hookspecs import hookimpl
from convert.plugins import load_registry


def install_fake_distribution(site: Path, dist: str, entry_points: dict[str, str], modules: dict[str, str]) -> None:
    """Lay out a distribution in ``site`` as pip would (a dist-info with entry points)."""
    info = site / f"{dist}-1.2.3.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n")
    lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[protocol_convert]\n{lines}")
    for name, source in modules.items():
        (site / f"{name}.py").write_text(textwrap.dedent(source))


GOOD = """
from convert import Exporter, hookimpl

def write(documents, stream, options):
    stream.write(b"".join((d.main.title or "").encode() + b"\\n" for d in documents))

@hookimpl
def register_exporters(register):
    register(Exporter(name="titles", extension=".titles", write=write, description="Headlines"))
"""
BROKEN_IMPORT = "raise RuntimeError('this plugin is broken on purpose')\n"
BROKEN_REGISTER = """
from convert import hookimpl

@hookimpl
def register_exporters(register):
    raise ValueError("cannot register")
"""
MISSPELT = """
from convert import hookimpl

@hookimpl
def register_exporter(register):
    pass
"""


@pytest.fixture
def site(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    install_fake_distribution(site, "pc_good", {"titles": "pc_good_mod"}, {"pc_good_mod": GOOD})
    install_fake_distribution(site, "pc_broken", {"broken": "pc_broken_mod"}, {"pc_broken_mod": BROKEN_IMPORT})
    install_fake_distribution(site, "pc_badreg", {"badreg": "pc_badreg_mod"}, {"pc_badreg_mod": BROKEN_REGISTER})
    install_fake_distribution(site, "pc_misspelt", {"misspelt": "pc_misspelt_mod"}, {"pc_misspelt_mod": MISSPELT})
    monkeypatch.syspath_prepend(str(site))
    return site


def test_broken_plugins_are_reported_and_the_rest_work(site):
    registry = load_registry()
    assert "titles" in registry.exporters and "json" in registry.exporters
    assert "RuntimeError: this plugin is broken on purpose" in registry.plugins["broken"].error
    assert "ValueError: cannot register" in registry.plugins["badreg"].error
    assert "unknown hook 'register_exporter'" in registry.plugins["misspelt"].error
    assert registry.plugins["titles"].version == "1.2.3"
    assert registry.plugins["titles"].distribution == "pc_good"


def test_cli_survives_a_broken_plugin(site, tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), *sys.path])}
    plugins = subprocess.run([sys.executable, "-m", "convert", "plugins", "--json"],
                             capture_output=True, text=True, env=env, check=True)
    by_name = {p["name"]: p for p in json.loads(plugins.stdout)}
    assert by_name["broken"]["error"].startswith("RuntimeError")
    assert by_name["titles"]["exporters"] == ["titles"]
    formats = subprocess.run([sys.executable, "-m", "convert", "formats", "--json"],
                             capture_output=True, text=True, env=env, check=True)
    names = {row["name"] for row in json.loads(formats.stdout) if row["kind"] == "exporter"}
    assert {"json", "titles"} <= names
    out = tmp_path / "seed.titles"
    seed = Path(__file__).parent.parent / "fixtures" / "seed.txt"
    done = subprocess.run([sys.executable, "-m", "convert", str(seed), "-o", str(out)],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert out.read_text().strip()


def test_load_plugins_environment_limits_third_party_plugins(site):
    registry = load_registry(environ={"PROTOCOL_CONVERT_LOAD_PLUGINS": ""})
    assert "titles" not in registry.exporters
    assert "json" in registry.exporters  # built-ins always load
    registry = load_registry(environ={"PROTOCOL_CONVERT_LOAD_PLUGINS": "titles"})
    assert "titles" in registry.exporters and "broken" not in registry.plugins


def test_a_plugin_can_be_switched_off_for_a_run(site):
    registry = load_registry(disabled=["titles"])
    assert "titles" not in registry.exporters
    with pytest.raises(UnknownFormatError, match="unknown output format 'titles'"):
        registry.exporter("titles")


class Rival:
    """A second plugin claiming the json format name."""

    __name__ = "rival"

    @staticmethod
    @hookimpl
    def register_exporters(register):
        register(Exporter(name="json", extension=".json", write=lambda d, s, o: None))


def test_two_plugins_claiming_one_format_is_an_error_naming_both():
    registry = load_registry(plugins=[Rival()])
    with pytest.raises(DuplicateFormatError) as caught:
        registry.exporter("json")
    assert "'json'" in str(caught.value) and "'rival'" in str(caught.value)
    registry.reader("protocol")  # other formats still work


def test_each_call_gives_a_fresh_manager():
    first, second = load_registry(), load_registry()
    assert first.manager is not second.manager
