"""Finding, loading and registering plugins.

Every format, the built-in ones included, comes from a plugin found through the
``protocol_convert`` entry-point group. Loading is fault-tolerant: a plugin that fails to
import or to register is recorded with its error and left out, and every other plugin keeps
working. Two plugins that claim one format name are both recorded; using that name is then
an error naming both, while the other formats work.

Control (environment):

``PROTOCOL_CONVERT_LOAD_PLUGINS``
    When set, a comma-separated list of the entry-point names of third-party plugins to load;
    empty means none. The built-in formats of the ``protocol-convert`` distribution always
    load.
``PROTOCOL_CONVERT_DISABLE_PLUGINS``
    A comma-separated list of plugin names not to load (built-in ones included), like
    ``--disable-plugin`` on the command line.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import traceback
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pluggy

from . import hookspecs
from .errors import DuplicateFormatError, UnknownFormatError
from .formats import Exporter, Reader

__all__ = ["PluginInfo", "Registry", "get_plugin_manager", "load_registry"]

CORE_DISTRIBUTION = "protocol-convert"
LOAD_ENV = "PROTOCOL_CONVERT_LOAD_PLUGINS"
DISABLE_ENV = "PROTOCOL_CONVERT_DISABLE_PLUGINS"
#: what an exporter's extension may be (it ends every output file name)
SAFE_EXTENSION = re.compile(r"\.[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass
class PluginInfo:
    """What ``protocol-convert plugins`` reports about one plugin."""

    name: str
    distribution: str | None = None
    version: str | None = None
    module: str | None = None
    exporters: list[str] = field(default_factory=list)
    readers: list[str] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "module": self.module,
            "exporters": list(self.exporters),
            "readers": list(self.readers),
            "error": self.error,
        }


def _names(value: str | None) -> set[str] | None:
    if value is None:
        return None
    return {part.strip() for part in value.split(",") if part.strip()}


def get_plugin_manager(
    *,
    entry_points: bool = True,
    disabled: Iterable[str] = (),
    environ: Mapping[str, str] | None = None,
    infos: dict[str, PluginInfo] | None = None,
) -> pluggy.PluginManager:
    """A new plugin manager with the hookspecs added and the installed plugins registered.

    A factory, not a global: each call (each test) gets a fresh manager. Plugins that fail to
    import are recorded in ``infos`` (when given) and skipped.
    """
    environ = os.environ if environ is None else environ
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    blocked = set(disabled) | (_names(environ.get(DISABLE_ENV)) or set())
    for name in sorted(blocked):
        manager.set_blocked(name)
    if not entry_points:
        return manager
    allowed = _names(environ.get(LOAD_ENV))
    infos = {} if infos is None else infos
    for entry_point in sorted(find_entry_points(hookspecs.PROJECT_NAME), key=_ep_key):
        dist_name = entry_point.distribution
        core = dist_name is not None and _canonical(dist_name) == CORE_DISTRIBUTION
        if entry_point.name in blocked or manager.is_blocked(entry_point.name):
            continue
        if not core and allowed is not None and entry_point.name not in allowed:
            continue
        if entry_point.name in infos or manager.has_plugin(entry_point.name):
            continue  # the same distribution seen twice on sys.path
        info = PluginInfo(
            name=entry_point.name,
            distribution=dist_name,
            version=entry_point.version,
            module=entry_point.value,
        )
        infos[entry_point.name] = info
        try:
            plugin = entry_point.load()
            manager.register(plugin, name=entry_point.name)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a broken plugin (even one that exits) must not break the tool
            info.error = _describe(exc)
    return manager


def _ep_key(entry_point: EntryPoint) -> tuple[str, str]:
    return (entry_point.name, entry_point.value)


class EntryPoint:
    """One entry point of a group, with the name and version of its distribution."""

    __slots__ = ("distribution", "name", "value", "version")

    def __init__(self, name: str, value: str, distribution: str | None, version: str | None) -> None:
        self.name = name
        self.value = value
        self.distribution = distribution
        self.version = version

    def __repr__(self) -> str:
        return f"EntryPoint({self.name!r}, {self.value!r}, {self.distribution!r}, {self.version!r})"

    def load(self) -> Any:
        """Import the object named by ``module:attr.attr [extras]``, as importlib.metadata does."""
        target = self.value.split("[", 1)[0]
        module_name, _, attributes = target.partition(":")
        loaded: Any = importlib.import_module(module_name.strip())
        for attribute in filter(None, attributes.strip().split(".")):
            loaded = getattr(loaded, attribute)
        return loaded


def find_entry_points(group: str) -> list[EntryPoint]:
    """The entry points of ``group`` in the distributions on ``sys.path``.

    The same answer as ``importlib.metadata.entry_points(group=group)``: distributions are
    ``*.dist-info`` and ``*.egg-info`` directories on ``sys.path``, and the first one of a
    name wins. It is found by reading those directories directly, because importing
    ``importlib.metadata`` (its email parser and zip support) took 17 ms of a 150 ms cold
    run. Paths this scan cannot read (a zip file on ``sys.path``) and import hooks that
    provide distributions of their own are left to importlib.metadata.
    """
    if _needs_importlib_metadata():
        return _entry_points_from_importlib_metadata(group)
    found: list[EntryPoint] = []
    seen: set[str] = set()
    for directory, stem in _distribution_dirs():
        name = _normalized(stem.rpartition(".")[0].partition("-")[0])
        if name in seen:
            continue
        seen.add(name)
        entries = list(_group_entries(os.path.join(directory, stem, "entry_points.txt"), group))
        if not entries:
            continue
        dist_name, version = _name_and_version(os.path.join(directory, stem))
        found.extend(EntryPoint(key, value, dist_name, version) for key, value in entries)
    return found


def _needs_importlib_metadata() -> bool:
    if any(os.path.isfile(entry) for entry in sys.path):
        return True
    return any(
        hasattr(finder, "find_distributions") and getattr(finder, "__name__", "") != "PathFinder"
        for finder in sys.meta_path
    )


def _entry_points_from_importlib_metadata(group: str) -> list[EntryPoint]:
    from importlib import metadata

    found = []
    for entry_point in metadata.entry_points(group=group):
        dist = entry_point.dist
        found.append(EntryPoint(
            entry_point.name,
            entry_point.value,
            dist.metadata["Name"] if dist is not None else None,
            dist.version if dist is not None else None,
        ))
    return found


def _distribution_dirs() -> Iterator[tuple[str, str]]:
    for entry in sys.path:
        directory = entry or "."
        try:
            children = sorted(os.listdir(directory))
        except OSError:  # missing, not a directory, or a path hook's token
            continue
        for child in children:
            if child.lower().endswith((".dist-info", ".egg-info")):
                yield directory, child


def _normalized(name: str) -> str:
    # importlib.metadata's Prepared.normalize: PEP 503, with dashes as underscores
    return re.sub(r"[-_.]+", "-", name).lower().replace("-", "_")


def _group_entries(path: str, group: str) -> Iterator[tuple[str, str]]:
    """``(name, value)`` pairs of ``[group]`` in an entry_points.txt (an INI file)."""
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError):  # no entry points, or an .egg-info file
        return
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group:
            key, sep, value = line.partition("=")
            if sep:
                yield key.strip(), value.strip()


def _name_and_version(info_dir: str) -> tuple[str | None, str | None]:
    """The Name and Version fields of a distribution's METADATA (or PKG-INFO)."""
    fields: dict[str, str] = {}
    for filename in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(info_dir, filename), encoding="utf-8") as file:
                for line in file:
                    if not line.strip():
                        break  # the headers end at the first blank line
                    key, sep, value = line.partition(":")
                    if sep and key in ("Name", "Version"):
                        fields.setdefault(key, value.strip())
            break
        except (OSError, UnicodeDecodeError):
            continue
    return fields.get("Name"), fields.get("Version")


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _describe(exc: BaseException) -> str:
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" ({last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}{where}" if text else f"{type(exc).__name__}{where}"


class Registry:
    """The formats that the loaded plugins provide, and what went wrong loading them."""

    def __init__(self, manager: pluggy.PluginManager, infos: dict[str, PluginInfo]) -> None:
        self.manager = manager
        self.plugins: dict[str, PluginInfo] = infos
        self.exporters: dict[str, Exporter] = {}
        self.readers: dict[str, Reader] = {}
        #: which plugin registered each format: {"exporter:epub": "epub"}
        self.owners: dict[str, str] = {}
        self.conflicts: dict[str, list[str]] = {}
        self._collect("register_exporters", "exporter", self.exporters)
        self._collect("register_readers", "reader", self.readers)

    def _collect(self, hook_name: str, kind: str, target: dict[str, Any]) -> None:
        hook = getattr(self.manager.hook, hook_name)
        for impl in reversed(hook.get_hookimpls()):  # registration order
            plugin_name = impl.plugin_name
            info = self.plugins.setdefault(plugin_name, PluginInfo(name=plugin_name))
            registered: list[Any] = []
            try:
                kwargs = {"register": registered.append} if "register" in impl.argnames else {}
                impl.function(**kwargs)
                expected = Exporter if kind == "exporter" else Reader
                for item in registered:
                    if not isinstance(item, expected):
                        raise TypeError(f"registered {item!r}, not a {expected.__name__}")
                    if isinstance(item, Exporter) and not SAFE_EXTENSION.fullmatch(item.extension):
                        # it becomes part of output file names: nothing that could leave the directory
                        raise ValueError(f"exporter {item.name!r} has the extension {item.extension!r}: "
                                         "an extension is a dot, then letters, digits, '.', '_' or '-'")
            except KeyboardInterrupt:
                raise
            except BaseException as exc:
                info.error = _describe(exc)
                continue
            for item in registered:
                key = f"{kind}:{item.name}"
                if key in self.owners and self.owners[key] != plugin_name:
                    self.conflicts.setdefault(key, [self.owners[key]]).append(plugin_name)
                    continue
                self.owners[key] = plugin_name
                target[item.name] = item
                (info.exporters if kind == "exporter" else info.readers).append(item.name)

    def _check_conflict(self, kind: str, name: str) -> None:
        owners = self.conflicts.get(f"{kind}:{name}")
        if owners:
            raise DuplicateFormatError(
                f"{kind} {name!r} is registered by more than one plugin: "
                + " and ".join(repr(o) for o in owners),
                remedy="disabled",
            )

    def exporter(self, name: str) -> Exporter:
        """The exporter called ``name``, or a clear error listing the ones there are."""
        self._check_conflict("exporter", name)
        try:
            return self.exporters[name]
        except KeyError:
            known = ", ".join(sorted(self.exporters)) or "none"
            raise UnknownFormatError(f"unknown output format {name!r} (known: {known}){self._why_missing(name)}") \
                from None

    def _why_missing(self, name: str) -> str:
        """What may explain that no plugin provides the format ``name``: a plugin of that
        name switched off, plugins that failed to load (any of them may have provided it)."""
        if self.manager.is_blocked(name):
            return f"; the plugin {name!r} is disabled"
        broken = sorted((info for info in self.plugins.values() if info.error),
                        key=lambda info: (info.name != name, info.name))
        if not broken:
            return ""
        failed = ", ".join(f"{info.name!r} ({info.error})" for info in broken)
        if broken[0].name == name:
            return f"; the plugin {name!r} failed to load: {broken[0].error}"
        count = f"{len(broken)} plugins" if len(broken) > 1 else "a plugin"
        return f"; {count} failed to load and may provide it: {failed}"

    def exporter_for_extension(self, extension: str) -> Exporter | None:
        """The exporter whose extension is ``extension`` (with its dot), if exactly one."""
        extension = extension.lower()
        found = [e for e in self.exporters.values() if e.extension.lower() == extension]
        return found[0] if len(found) == 1 else None

    def reader(self, name: str) -> Reader:
        """The reader called ``name``, or a clear error listing the ones there are."""
        self._check_conflict("reader", name)
        try:
            return self.readers[name]
        except KeyError:
            known = ", ".join(sorted(self.readers)) or "none"
            raise UnknownFormatError(f"unknown input format {name!r} (known: {known}){self._why_missing(name)}") \
                from None

    def reader_for(self, filename: str | None, default: str = "protocol", *, head: bytes | None = None) -> Reader:
        """The reader for an input: the one claiming its extension; else, given the input's
        first bytes (``head``), the first reader (by name) whose ``sniff`` recognises them;
        else ``default``."""
        found = self.reader_by_extension(filename)
        if found is None and head is not None:
            found = self.reader_by_content(head)
        return found if found is not None else self.reader(default)

    def reader_by_extension(self, filename: str | None) -> Reader | None:
        """The reader claiming ``filename``'s extension (the longest one that matches, so
        ``.warc.gz`` beats ``.gz``), if any."""
        if not filename:
            return None
        lowered = filename.lower()
        best: tuple[int, str] | None = None
        for reader in self.readers.values():
            for ext in reader.extensions:
                if lowered.endswith(ext.lower()) and (best is None or (-len(ext), reader.name) < best):
                    best = (-len(ext), reader.name)
        return self.reader(best[1]) if best is not None else None

    def reader_by_content(self, head: bytes) -> Reader | None:
        """The first reader (by name) whose ``sniff`` says ``head`` is its kind of input; a
        sniffer that raises counts as a no."""
        for reader in sorted(self.readers.values(), key=lambda r: r.name):
            if reader.sniff is None:
                continue
            try:
                recognised = reader.sniff(head)
            except Exception:
                continue
            if recognised:
                return self.reader(reader.name)
        return None

    def plugin_of(self, kind: str, name: str) -> str | None:
        return self.owners.get(f"{kind}:{name}")


def load_registry(
    *,
    disabled: Iterable[str] = (),
    plugins: Iterable[object] = (),
    entry_points: bool = True,
    environ: Mapping[str, str] | None = None,
) -> Registry:
    """Load every installed plugin (plus ``plugins``, objects registered directly, as tests
    and embedding applications do) and collect the formats they provide."""
    if isinstance(disabled, str):
        raise TypeError("disabled must be an iterable of plugin names, not one str (give a list)")
    infos: dict[str, PluginInfo] = {}
    manager = get_plugin_manager(
        entry_points=entry_points, disabled=disabled, environ=environ, infos=infos
    )
    for plugin in plugins:
        name = getattr(plugin, "__name__", None) or type(plugin).__name__
        manager.register(plugin, name=name)
        infos.setdefault(name, PluginInfo(name=name, module=name))
    _drop_unknown_hooks(manager, infos)
    return Registry(manager, infos)


def _drop_unknown_hooks(manager: pluggy.PluginManager, infos: dict[str, PluginInfo]) -> None:
    # pluggy's check_pending() raises for the first misspelt hook and would take every
    # plugin down with it; instead report the culprit and unregister only it.
    import difflib

    specified = [name for name, caller in vars(manager.hook).items() if caller.has_spec()]
    for hook_name, caller in sorted(vars(manager.hook).items()):
        if caller.has_spec():
            continue
        close = difflib.get_close_matches(hook_name, specified, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (the hooks are: {', '.join(sorted(specified))})"
        for impl in caller.get_hookimpls():
            info = infos.setdefault(impl.plugin_name, PluginInfo(name=impl.plugin_name))
            info.error = f"implements unknown hook {hook_name!r}{hint}"
            if manager.get_plugin(impl.plugin_name) is not None:
                manager.unregister(name=impl.plugin_name)


_default: Registry | None = None


def default_registry() -> Registry:
    """The registry of the installed plugins, loaded once per process on first use."""
    global _default
    if _default is None:
        _default = load_registry()
    return _default


def reset_default_registry() -> None:
    """Forget the loaded registry (after installing or uninstalling a plugin)."""
    global _default
    _default = None

