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


# --- finding entry points without importlib.metadata ------------------------------------------


def _as_tuples(entry_points):
    return sorted((e.name, e.value, e.distribution, e.version) for e in entry_points)


@pytest.mark.parametrize("group", ["protocol_convert", "console_scripts", "pytest11"])
def test_scan_finds_what_importlib_metadata_finds_here(group):
    from convert.plugins import _entry_points_from_importlib_metadata, find_entry_points

    expected = _as_tuples(_entry_points_from_importlib_metadata(group))
    assert expected, f"this environment should have {group} entry points"
    assert _as_tuples(find_entry_points(group)) == expected


def _dist_info(site: Path, stem: str, metadata: str | None, entry_points: str | None) -> None:
    info = site / stem
    info.mkdir(parents=True)
    if metadata is not None:
        (info / ("PKG-INFO" if stem.endswith(".egg-info") else "METADATA")).write_text(metadata)
    if entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points)


def test_scan_agrees_with_importlib_metadata_on_awkward_layouts(tmp_path, monkeypatch):
    from convert.plugins import _entry_points_from_importlib_metadata, find_entry_points

    first, second = tmp_path / "first", tmp_path / "second"
    # the same distribution on two paths: the first one wins, even with another spelling
    _dist_info(first, "Foo.Bar-1.0.dist-info", "Name: Foo.Bar\nVersion: 1.0\n",
               "[protocol_convert]\nfoo = foo_mod\n")
    _dist_info(second, "foo_bar-2.0.dist-info", "Name: foo_bar\nVersion: 2.0\n",
               "[protocol_convert]\nfoo = foo_mod_v2\n")
    # comments, other groups, spacing and extras
    _dist_info(second, "mixed-0.3.dist-info",
               "Metadata-Version: 2.1\nName: Mixed\nVersion: 0.3\n\nName: not-a-header\n",
               "# comment\n[console_scripts]\nmixed = mixed:main\n\n[protocol_convert]\n"
               "# another comment\n  alpha=mixed.alpha:plugin.inner [fast]\nbeta = mixed.beta\n")
    # a legacy egg-info directory (setup.py develop) and one with no entry points at all
    _dist_info(second, "legacy.egg-info", "Metadata-Version: 1.1\nName: legacy\nVersion: 9\n",
               "[protocol_convert]\nlegacy = legacy_mod\n")
    _dist_info(second, "quiet-1.0.dist-info", "Name: quiet\nVersion: 1.0\n", None)
    (second / "not-a-dist.txt").write_text("x")
    monkeypatch.setattr(sys, "path", [str(first), str(tmp_path / "missing"), str(second)])

    expected = _as_tuples(_entry_points_from_importlib_metadata("protocol_convert"))
    assert _as_tuples(find_entry_points("protocol_convert")) == expected
    assert ("foo", "foo_mod", "Foo.Bar", "1.0") in expected
    assert ("alpha", "mixed.alpha:plugin.inner [fast]", "Mixed", "0.3") in expected
    assert ("legacy", "legacy_mod", "legacy", "9") in expected
    assert len(expected) == 4


def test_a_zip_on_sys_path_is_left_to_importlib_metadata(tmp_path, monkeypatch):
    import zipfile

    from convert import plugins

    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("zipped-1.0.dist-info/METADATA", "Name: zipped\nVersion: 1.0\n")
        bundle.writestr("zipped-1.0.dist-info/entry_points.txt", "[protocol_convert]\nzipped = zipped_mod\n")
    monkeypatch.setattr(sys, "path", [str(archive)])
    assert _as_tuples(plugins.find_entry_points("protocol_convert")) == [("zipped", "zipped_mod", "zipped", "1.0")]


def test_entry_point_load_follows_module_colon_attribute(tmp_path, monkeypatch):
    from convert.plugins import EntryPoint

    (tmp_path / "ep_target_mod.py").write_text("class plugin:\n    class inner:\n        pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    loaded = EntryPoint("x", "ep_target_mod:plugin.inner [extra]", None, None).load()
    assert loaded.__qualname__ == "plugin.inner"
    assert EntryPoint("x", "ep_target_mod", None, None).load().__name__ == "ep_target_mod"
    with pytest.raises(ModuleNotFoundError):
        EntryPoint("x", "no_such_module_here:thing", None, None).load()


def test_a_cold_conversion_does_not_import_importlib_metadata(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("TECH\nA headline\nA dek.\nSome body text that is long enough to be a paragraph.\n")
    code = (
        "import sys; from convert.cli import run\n"
        f"sys.argv = ['protocol-convert', {str(page)!r}, '-o', {str(tmp_path / 'out.json')!r}]\n"
        "try:\n    run()\nexcept SystemExit as e:\n    assert e.code in (0, None), e.code\n"
        "assert 'importlib.metadata' not in sys.modules, 'importlib.metadata was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.json").exists()
