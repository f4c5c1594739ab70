"""``protocol-convert install`` and ``uninstall``: pip, run inside the tool's own environment.

Users never need to know where protocol-convert lives (a pipx venv, a system Python, a
project venv): ``install`` runs ``python -m pip install`` with the interpreter that runs the
tool, then lists what the new plugins added, read in a fresh process so the newly installed
package (an editable one too) is imported as the next run will import it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import click

from .errors import OptionError, PluginError

__all__ = ["build_commands"]

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
        click.echo(done.stdout + done.stderr, err=True, nl=False)
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


def build_commands() -> list[click.Command]:
    """The ``install`` and ``uninstall`` commands, for ``convert.cli`` to add to its group.

    (Built on demand: they use the CLI's shared decorators, and ``convert.cli`` imports this
    module at its end, so neither module needs the other half-loaded.)
    """
    from .cli import common_options, guarded

    @click.command("install")
    @click.argument("packages", nargs=-1, metavar="NAME|PATH...")
    @click.option("-e", "--editable", "editables", multiple=True, metavar="PATH",
                  help="Install the project at PATH in editable mode (for plugin authors; repeatable).")
    @click.option("-U", "--upgrade", is_flag=True, help="Upgrade the packages to their newest versions.")
    @click.option("--force-reinstall", is_flag=True, help="Reinstall even when already up to date.")
    @common_options
    @guarded
    def install_command(packages: tuple[str, ...], editables: tuple[str, ...], upgrade: bool,
                        force_reinstall: bool) -> None:
        """Install plugins (PyPI names, paths, wheels) into protocol-convert's own environment.

        \b
        protocol-convert install protocol-convert-jsonfeed
        protocol-convert install ./my-plugin            a local project
        protocol-convert install -e .                   editable: edits apply at once
        protocol-convert install -U protocol-convert-markdown
        """
        if not packages and not editables:
            raise OptionError("name at least one package or path to install (or -e PATH)")
        before = _by_name(_installed_plugins())
        args = ["install"]
        if upgrade:
            args.append("--upgrade")
        if force_reinstall:
            args.append("--force-reinstall")
        args.extend(packages)
        for path in editables:
            args.extend(["-e", path])
        status = _pip(args)
        if status != 0:
            raise PluginError(f"pip install failed (exit status {status}); nothing was changed by protocol-convert")
        after = _by_name(_installed_plugins())
        changes = _describe_changes(before, after)
        for line in changes or ["no new plugins or formats: was it a protocol-convert plugin?"]:
            click.echo(line)
        for note in _note_filters(after, before):
            click.echo(note, err=True)
        _forget_registry()


    @click.command("uninstall")
    @click.argument("names", nargs=-1, required=True, metavar="NAME...")
    @click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
    @common_options
    @guarded
    def uninstall_command(names: tuple[str, ...], yes: bool) -> None:
        """Uninstall plugins: by distribution name, or by the plugin name `plugins` shows.

        \b
        protocol-convert uninstall protocol-convert-jsonfeed
        protocol-convert uninstall jsonfeed             the plugin's name works too
        """
        before = _by_name(_installed_plugins())
        distributions: list[str] = []
        for name in names:
            plugin = before.get(name)
            distribution = plugin["distribution"] if plugin and plugin["distribution"] else name
            if _canonical(distribution) == CORE_DISTRIBUTION:
                raise OptionError(
                    f"{name!r} is protocol-convert itself, not a plugin: uninstall it with pip "
                    f"({sys.executable} -m pip uninstall {CORE_DISTRIBUTION})"
                )
            if distribution not in distributions:
                distributions.append(distribution)
        if not yes:
            click.confirm(f"Uninstall {', '.join(distributions)}?", abort=True, err=True)
        status = _pip(["uninstall", "-y", *distributions])
        if status != 0:
            raise PluginError(f"pip uninstall failed (exit status {status})")
        after = _by_name(_installed_plugins())
        for line in _describe_changes(before, after) or ["no plugin was removed"]:
            click.echo(line)
        _forget_registry()

    return [install_command, uninstall_command]


def _forget_registry() -> None:
    from .plugins import reset_default_registry

    reset_default_registry()
    from .cli import Context

    ctx = click.get_current_context().find_object(Context)
    if ctx is not None:
        ctx._registry = None
