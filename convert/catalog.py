"""What the installed plugins provide, from Python: :func:`list_formats`.

``protocol-convert formats`` prints the same list; both are built here, once::

    import convert

    for info in convert.list_formats():
        print(info.kind, info.name, info.plugin, [o.name for o in info.options])

(The function is not called ``convert.formats``: that name is the module
:mod:`convert.formats`, which defines the records plugins register.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .formats import Exporter, Option, Reader
from .plugins import Registry, default_registry

__all__ = ["FormatInfo", "list_formats"]


@dataclass(frozen=True, slots=True)
class FormatInfo:
    """One output or input format, where it comes from, and how its options are set.

    ``kind`` is ``"exporter"`` (an output format, ``-t NAME``) or ``"reader"`` (an input
    format, ``-f NAME``); ``extensions`` are the file endings it is chosen by (an exporter
    has one); ``options`` the :class:`~convert.formats.Option` records it declares, set with
    ``options={"NAME.OPTION": value}`` in Python and ``flag`` (``-O`` or ``-R``) on the
    command line. ``plugin``, ``distribution`` and ``version`` say where it comes from;
    ``conflict`` names every plugin that registers the same name (then using it is an
    error), else it is empty. ``record`` is the registered record itself.
    """

    kind: Literal["exporter", "reader"]
    name: str
    extensions: tuple[str, ...]
    media_type: str | None
    description: str
    streaming: bool
    options: tuple[Option, ...]
    plugin: str | None
    distribution: str | None
    version: str | None
    conflict: tuple[str, ...]
    record: Exporter | Reader

    @property
    def flag(self) -> str:
        """How the command line sets this format's options: ``-O`` (output) or ``-R`` (input)."""
        return "-O" if self.kind == "exporter" else "-R"

    def spelling(self, option: Option) -> str:
        """How one of its options is written on the command line: ``-O epub.language=<str>``."""
        from .formats import type_label

        return f"{self.flag} {self.name}.{option.name}=<{type_label(option.type)}>"


def list_formats(registry: Registry | None = None) -> list[FormatInfo]:
    """Every output format, then every input format, each sorted by name, of ``registry``
    (by default the installed plugins, as the command line loads them)."""
    if registry is not None and not isinstance(registry, Registry):
        raise TypeError(f"registry must be a convert.plugins.Registry or None, not {type(registry).__name__}")
    registry = registry if registry is not None else default_registry()
    found: list[FormatInfo] = []
    records: list[tuple[Literal["exporter", "reader"], dict[str, Exporter] | dict[str, Reader]]] = [
        ("exporter", registry.exporters), ("reader", registry.readers),
    ]
    for kind, table in records:
        for name, record in sorted(table.items()):
            plugin = registry.plugin_of(kind, name)
            info = registry.plugins.get(plugin) if plugin else None
            exporter = record if isinstance(record, Exporter) else None
            found.append(FormatInfo(
                kind=kind,
                name=name,
                extensions=(exporter.extension,) if exporter else tuple(record.extensions),  # type: ignore[union-attr]
                media_type=exporter.media_type if exporter else None,
                description=record.description,
                streaming=record.streaming,
                options=tuple(record.options),
                plugin=plugin,
                distribution=info.distribution if info else None,
                version=info.version if info else None,
                conflict=tuple(registry.conflicts.get(f"{kind}:{name}", ())),
                record=record,
            ))
    return found
