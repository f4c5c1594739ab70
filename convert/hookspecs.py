"""The hooks a protocol-convert plugin can implement.

A plugin is a module (or object) registered under the ``protocol_convert`` entry-point group
of its distribution::

    [project.entry-points.protocol_convert]
    myformat = "my_package.plugin"

and implements any of the hooks below with :data:`hookimpl`. The built-in formats are
plugins written exactly this way. An implementation may accept fewer arguments than the
spec names (pluggy passes only those it asks for), so hooks can grow without breaking
plugins.
"""

from __future__ import annotations

from collections.abc import Callable

import pluggy

from .formats import Exporter, Reader

__all__ = ["PROJECT_NAME", "hookimpl", "hookspec", "register_exporters", "register_readers"]

#: The pluggy project name, and the entry-point group plugins register under.
PROJECT_NAME = "protocol_convert"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
#: Decorate a plugin's hook implementations with this.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register output formats.

    Call ``register`` once per :class:`~convert.formats.Exporter`. Keep this cheap: build the
    records and import the format's heavy libraries inside its ``write`` function.

    Example::

        @hookimpl
        def register_exporters(register):
            register(Exporter(name="txt", extension=".txt", write=write_text,
                              media_type="text/plain", description="Plain text"))
    """


@hookspec
def register_readers(register: Callable[[Reader], None]) -> None:
    """Register input formats.

    Call ``register`` once per :class:`~convert.formats.Reader`.

    Example::

        @hookimpl
        def register_readers(register):
            register(Reader(name="markdown", extensions=(".md",), read=read_markdown))
    """
