"""``protocol-convert install`` and ``uninstall``: pip, run inside the tool's own environment;
``new-plugin``: a plugin package to start from (:mod:`convert.scaffold`).

Users never need to know where protocol-convert lives (a pipx venv, a system Python, a
project venv): ``install`` runs ``python -m pip install`` with the interpreter that runs the
tool, then lists what the new plugins added, read in a fresh process so the newly installed
package (an editable one too) is imported as the next run will import it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

from .cli import Command, Context, Parser, UsageError, say, warn
from .errors import OptionError, PluginError

__all__ = ["COMMANDS"]

# The same names as in convert.plugins, which is imported only when a command runs.
CORE_DISTRIBUTION = "protocol-convert"
LOAD_ENV = "PROTOCOL_CONVERT_LOAD_PLUGINS"
DISABLE_ENV = "PROTOCOL_CONVERT_DISABLE_PLUGINS"


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _pip(args: Sequence[str]) -> int:
    """Run pip in this interpreter's environment. Its output goes to stderr, so that stdout
    holds only what protocol-convert reports."""
    command = [sys.executable, "-m", "pip", *args]
    try:
        target: int | None = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # a captured stderr (tests) has no descriptor
        target = None
    if target is None:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        sys.stderr.write(done.stdout + done.stderr)
        sys.stderr.flush()
        return done.returncode
    return subprocess.run(command, stdout=target, check=False).returncode


def _installed_plugins() -> list[dict[str, Any]]:
    """``plugins --json`` as a fresh process sees it, every third-party plugin allowed."""
    env = {k: v for k, v in os.environ.items() if k not in (LOAD_ENV, DISABLE_ENV)}
    done = subprocess.run(
        [sys.executable, "-m", "convert", "plugins", "--json"],
        capture_output=True, text=True, env=env, check=False,
    )
    if done.returncode != 0:
        raise PluginError(f"cannot list the plugins after pip ran: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout)


def _by_name(plugins: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in plugins}


def _describe_changes(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[str]:
    lines = []
    for name, info in sorted(after.items()):
        old = before.get(name)
        if old is not None and (old["version"], old["exporters"], old["readers"], old["error"]) == (
            info["version"], info["exporters"], info["readers"], info["error"]
        ):
            continue
        origin = f"{info['distribution']} {info['version']}" if info["distribution"] else name
        verb = "installed" if old is None else "updated"
        lines.append(f"{verb} plugin {name} ({origin})")
        if info["exporters"]:
            lines.append(f"    output formats: {', '.join(info['exporters'])}")
        if info["readers"]:
            lines.append(f"    input formats:  {', '.join(info['readers'])}")
        if info["error"]:
            lines.append(f"    ! it fails to load: {info['error']}")
    for name, info in sorted(before.items()):
        if name not in after:
            formats = info["exporters"] + info["readers"]
            lines.append(f"removed plugin {name}" + (f" (formats: {', '.join(formats)})" if formats else ""))
    return lines


def _note_filters(after: dict[str, dict[str, Any]], before: dict[str, dict[str, Any]]) -> list[str]:
    notes = []
    allowed = os.environ.get(LOAD_ENV)
    if allowed is not None:
        names = {n.strip() for n in allowed.split(",") if n.strip()}
        for name in sorted(set(after) - set(before)):
            if name not in names and _canonical(after[name].get("distribution") or "") != CORE_DISTRIBUTION:
                notes.append(f"note: {LOAD_ENV} is set and does not name {name!r}: it will not load until it does")
    return notes


def _confirm(question: str) -> bool:
    """Ask ``question`` on stderr; true for y or yes, false for n, no, an empty answer or the
    end of the input; anything else asks again."""
    while True:
        sys.stderr.write(f"{question} [y/N]: ")
        sys.stderr.flush()
        try:
            answer = input().strip().lower()
        except EOFError:
            sys.stderr.write("\n")
            return False
        if answer in ("y", "yes"):
            return True
        if answer in ("", "n", "no"):
            return False
        sys.stderr.write("Please answer y or n.\n")


def _install_arguments(parser: Parser) -> None:
    parser.add_argument("packages", nargs="*", metavar="NAME|PATH", help=argparse.SUPPRESS)
    add = parser.options.add_argument
    add("-e", "--editable", dest="editables", action="append", default=[], metavar="PATH",
        help="Install the project at PATH in editable mode (for plugin authors; repeatable).")
    add("-U", "--upgrade", action="store_true", help="Upgrade the packages to their newest versions.")
    add("--force-reinstall", action="store_true", help="Reinstall even when already up to date.")


def _install(ctx: Context, options: argparse.Namespace) -> int:
    if not options.packages and not options.editables:
        raise OptionError("name at least one package or path to install (or -e PATH)")
    before = _by_name(_installed_plugins())
    args = ["install"]
    if options.upgrade:
        args.append("--upgrade")
    if options.force_reinstall:
        args.append("--force-reinstall")
    args.extend(options.packages)
    for path in options.editables:
        args.extend(["-e", path])
    status = _pip(args)
    if status != 0:
        raise PluginError(f"pip install failed (exit status {status}); nothing was changed by protocol-convert")
    after = _by_name(_installed_plugins())
    changes = _describe_changes(before, after)
    for line in changes or ["no new plugins or formats: was it a protocol-convert plugin?"]:
        say(line)
    for note in _note_filters(after, before):
        warn(note)
    _forget_registry(ctx)
    return 0


def _uninstall_arguments(parser: Parser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME", help=argparse.SUPPRESS)
    parser.options.add_argument("-y", "--yes", action="store_true", help="Do not ask for confirmation.")


def _uninstall(ctx: Context, options: argparse.Namespace) -> int:
    if not options.names:
        raise UsageError("missing NAME: name the plugins or distributions to uninstall", "uninstall")
    before = _by_name(_installed_plugins())
    distributions: list[str] = []
    for name in options.names:
        distribution, how = _distribution_of(name, before)
        if _canonical(distribution) == CORE_DISTRIBUTION:
            raise OptionError(
                f"{name!r} is protocol-convert itself, not a plugin: uninstall it with pip "
                f"({sys.executable} -m pip uninstall {CORE_DISTRIBUTION})"
            )
        if how:
            warn(f"protocol-convert: {name!r} is {how}")
        if distribution not in distributions:
            distributions.append(distribution)
    if not options.yes and not _confirm(f"Uninstall {', '.join(distributions)}?"):
        warn("protocol-convert: aborted: nothing was uninstalled")
        return 1
    status = _pip(["uninstall", "-y", *distributions])
    if status != 0:
        raise PluginError(f"pip uninstall failed (exit status {status})")
    after = _by_name(_installed_plugins())
    for line in _describe_changes(before, after) or ["no plugin was removed"]:
        say(line)
    _forget_registry(ctx)
    return 0


def _distribution_of(name: str, plugins: dict[str, dict[str, Any]]) -> tuple[str, str | None]:
    """The distribution that ``uninstall NAME`` removes, and how ``name`` led to it when it
    is not the distribution's own name: a plugin's name, else a format's (when one plugin
    provides it), else an installed distribution. Anything else is a clear error: pip would
    only say it skipped it."""
    if any(p["distribution"] and _canonical(p["distribution"]) == _canonical(name) for p in plugins.values()):
        return name, None
    plugin = plugins.get(name)
    if plugin is not None and plugin["distribution"]:
        if _canonical(plugin["distribution"]) == _canonical(name):
            return plugin["distribution"], None
        return plugin["distribution"], f"the plugin of {plugin['distribution']}"
    owners = sorted({p["name"] for p in plugins.values() if name in p["exporters"] or name in p["readers"]})
    if len(owners) > 1:
        listed = " and ".join(f"{o} ({plugins[o]['distribution'] or 'no distribution'})" for o in owners)
        raise OptionError(f"{name!r} is a format of several plugins, {listed}: name the plugin to uninstall")
    if owners:
        owner = plugins[owners[0]]
        if not owner["distribution"]:
            raise PluginError(f"{name!r} is a format of the plugin {owner['name']!r}, which no installed "
                              "distribution provides: nothing to uninstall")
        return owner["distribution"], f"a format of the plugin {owner['name']} ({owner['distribution']})"
    if _canonical(name) == CORE_DISTRIBUTION or _installed_distribution(name):
        return name, None
    known = ", ".join(sorted(plugins)) or "none"
    raise PluginError(f"no plugin, format or installed distribution is called {name!r} (plugins: {known})")


def _installed_distribution(name: str) -> bool:
    """Whether a distribution called ``name`` is installed where pip will look."""
    from importlib import metadata

    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def _new_plugin_arguments(parser: Parser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME", help=argparse.SUPPRESS)
    add = parser.options.add_argument
    add("--reader", action="store_true", help="A reader of .NAME files (an exporter by default).")
    add("-d", "--directory", default=".", metavar="DIR",
        help="Write protocol-convert-NAME/ into DIR (default: here).")


def _new_plugin(ctx: Context, options: argparse.Namespace) -> int:
    from .scaffold import new_plugin

    if len(options.names) != 1:
        raise UsageError("name one plugin: protocol-convert new-plugin NAME [--reader]", "new-plugin")
    (name,) = options.names
    _refuse_a_taken_name(ctx, name, reader=options.reader)
    folder = new_plugin(name, options.directory, reader=options.reader)
    say(f"wrote {folder}: the {'reader' if options.reader else 'exporter'} of the format {name!r}")
    say(f"  cd {folder} && protocol-convert install -e . && pip install -e '.[test]' && python -m pytest")
    return 0


def _refuse_a_taken_name(ctx: Context, name: str, *, reader: bool) -> None:
    """A format or plugin of that name is installed: the new one would conflict with it
    (two plugins registering one format make it unusable), so it is refused at the start."""
    registry = ctx.registry
    kind, formats = ("input", registry.readers) if reader else ("output", registry.exporters)
    if name in formats:
        owner = registry.plugin_of("reader" if reader else "exporter", name)
        raise OptionError(f"{name!r} is already an {kind} format (of the plugin {owner}): "
                          "a plugin registering it too would make it unusable; choose another name")
    if name in registry.plugins:
        raise OptionError(f"{name!r} is already the name of an installed plugin: choose another name")


#: the commands, for ``convert.cli`` to run
COMMANDS = {
    "install": Command(
        "install",
        usage="protocol-convert install NAME|PATH... [-e PATH] [options]",
        description="""\
Install plugins (PyPI names, paths, wheels) into protocol-convert's own
environment.

  protocol-convert install protocol-convert-jsonfeed
  protocol-convert install ./my-plugin     a local project
  protocol-convert install -e .            editable: edits apply at once
  protocol-convert install -U protocol-convert-markdown""",
        arguments=_install_arguments,
        run=_install,
    ),
    "uninstall": Command(
        "uninstall",
        usage="protocol-convert uninstall NAME... [-y]",
        description="""\
Uninstall plugins: by distribution name, by the plugin name `plugins`
shows, or by the name of a format a plugin provides.

  protocol-convert uninstall protocol-convert-jsonfeed
  protocol-convert uninstall jsonfeed      the plugin's name (or format's) too""",
        arguments=_uninstall_arguments,
        run=_uninstall,
    ),
    "new-plugin": Command(
        "new-plugin",
        usage="protocol-convert new-plugin NAME [--reader] [-d DIR]",
        description="""\
Write protocol-convert-NAME/, a plugin package to start from: an exporter
of the format NAME (or with --reader, a reader of .NAME files), its entry
point, tests that run the conformance kit on it, and a README. Its tests
pass at once; nothing existing is overwritten, and NAME may not be a format
or plugin already installed.

  protocol-convert new-plugin txt
  protocol-convert new-plugin news --reader""",
        arguments=_new_plugin_arguments,
        run=_new_plugin,
    ),
}


def _forget_registry(ctx: Context) -> None:
    from .plugins import reset_default_registry

    reset_default_registry()
    ctx._registry = None
