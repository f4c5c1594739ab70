"""The Word package a DOCX is written into: its template, opened once per process, and the
package written in one pass (imported only when a document is written).

Opening a template is most of what a small DOCX costs: python-docx unzips it and parses its
parts (the default template's styles part alone is 350 KB of XML), and the exporter then
adds its own styles. A :class:`Template` does that once per process, for each template
(the default one, or a ``reference_doc`` by its content) and language. Each document then
starts from a fresh copy of the parts a document changes (the body, the numbering, the
settings and the core properties) and of the relationships, so that no document sees what
an earlier one wrote; the other parts (styles, theme, fonts...) are shared, never changed
after preparation, and written from bytes compressed once (:mod:`._zip`).

The package is written once, into a zip with fixed entry times, attributes and order: the
same document gives the same bytes, whichever documents the process wrote before.
"""

from __future__ import annotations

import copy
import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PACKAGE_URI
from docx.opc.pkgwriter import _ContentTypesItem

from ..errors import OptionError
from ..textio import read_option_file
from ._zip import Entry, deflate, zip_bytes

__all__ = ["Template", "package_bytes", "template"]

_DOC_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_ZIP_FIRST = {"[Content_Types].xml": 0, "_rels/.rels": 1, "word/document.xml": 2}
#: every entry's external attributes: rw------- (what zipfile gives an entry without any)
ENTRY_ATTRIBUTES = 0o600 << 16
#: deflate level of the package's entries
LEVEL = 6
#: templates kept per process (a run uses one or two: the default and a reference_doc)
CACHED_TEMPLATES = 4


def _open(data: bytes | None, where: str) -> Any:
    if data is None:
        return docx.Document()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise OptionError(f"{where}: not a Word .docx file (not a zip package)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            types = package.read("[Content_Types].xml")
            if _TEMPLATE_MAIN.encode() in types:  # a .dotx template: open it as a document
                data = _replace_entry(
                    package, "[Content_Types].xml", types.replace(_TEMPLATE_MAIN.encode(), _DOC_MAIN.encode())
                )
        return docx.Document(io.BytesIO(data))
    except Exception as error:
        raise OptionError(f"{where}: not a usable Word .docx file ({type(error).__name__}: {error})") from None


def _replace_entry(package: zipfile.ZipFile, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in package.infolist():
            target.writestr(info.filename, content if info.filename == name else package.read(info.filename))
    return out.getvalue()


def _reference(reference: Path | None) -> tuple[bytes | None, str]:
    if reference is None:
        return None, ""
    path = Path(reference)
    where = f"option docx.reference_doc: {path}"
    if path.is_dir():
        raise OptionError(f"{where}: is a directory, not a .docx file")
    if not path.exists():
        raise OptionError(f"{where}: no such file")
    return read_option_file(path, option="docx.reference_doc"), where


@dataclass
class Template:
    """A prepared template: the python-docx document every output of the process starts
    from, what ``prepare`` made of it (the exporter's styles), and the pristine copies of
    what a document changes."""

    document: Any
    prepared: Any
    #: the parts a document changes, each with a copy of its element as prepared
    pristine: dict[Any, Any] = field(default_factory=dict)
    #: the relationships a document adds to (the main part's and the package's), as prepared
    relationships: list[tuple[Any, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    #: the shared parts' zip entries (and their relationships'), compressed once, by name
    entries: dict[str, Entry] = field(default_factory=dict)
    static: frozenset[str] = frozenset()

    @classmethod
    def build(cls, document: Any, prepare: Callable[[Any], Any]) -> Template:
        prepared = prepare(document)
        main = document.part
        package = main.package
        changing = [main, package._core_properties_part, main._settings_part]
        try:
            changing.append(main.part_related_by(RT.NUMBERING))
        except KeyError:
            pass  # a document that has lists adds one; resetting the relationships drops it
        template = cls(document, prepared)
        template.pristine = {part: copy.deepcopy(part._element) for part in changing}
        for owner in (main, package):
            rels = owner.rels
            template.relationships.append((rels, dict(rels), dict(rels._target_parts_by_rId)))
        template.static = frozenset(
            part.partname.membername for part in package.parts if part not in template.pristine
        )
        return template

    def fresh(self) -> Any:
        """The template as prepared, for a new document (python-docx's ``Document``)."""
        for part, element in self.pristine.items():
            part._element = copy.deepcopy(element)
        for rels, entries, targets in self.relationships:
            rels.clear()
            rels.update(entries)
            rels._target_parts_by_rId = dict(targets)
        return self.document.part.document

    def entry(self, name: str, content: Callable[[], bytes | str]) -> Entry:
        """A shared part's entry, compressed the first time only."""
        found = self.entries.get(name)
        if found is None:
            found = self.entries[name] = _deflate(name, content())
        return found


def _deflate(name: str, content: bytes | str) -> Entry:
    return deflate(name, content.encode("utf-8") if isinstance(content, str) else content, LEVEL)


_TEMPLATES: dict[tuple[str | None, str], Template] = {}


def template(reference: Path | None, language: str, prepare: Callable[[Any], Any]) -> Template:
    """The template (the default one, or ``reference``) prepared for ``language`` by
    ``prepare``: opened and prepared once per process. A reference document is known by its
    content, so a file that changes between two documents is read again."""
    data, where = _reference(reference)
    key = (hashlib.sha256(data).hexdigest() if data is not None else None, language)
    found = _TEMPLATES.get(key)
    if found is None:
        found = Template.build(_open(data, where), prepare)
        if len(_TEMPLATES) >= CACHED_TEMPLATES:
            _TEMPLATES.pop(next(iter(_TEMPLATES)))
        _TEMPLATES[key] = found
    return found


def package_bytes(template: Template, document: Any) -> bytes:
    """The document's package, as a reproducible zip: every part, in a fixed order, each
    changed part compressed now and the shared ones copied as compressed before."""
    package = document.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    entries = [
        _deflate("[Content_Types].xml", _ContentTypesItem.from_parts(parts).blob),
        _deflate(PACKAGE_URI.rels_uri.membername, package.rels.xml),
    ]
    for part in parts:
        name = part.partname.membername
        rels_name = part.partname.rels_uri.membername
        if name in template.static:
            entries.append(template.entry(name, lambda part=part: part.blob))
            if len(part.rels):
                entries.append(template.entry(rels_name, lambda part=part: part.rels.xml))
            continue
        entries.append(_deflate(name, part.blob))
        if len(part.rels):
            entries.append(_deflate(rels_name, part.rels.xml))
    entries.sort(key=lambda e: (_ZIP_FIRST.get(e.name, len(_ZIP_FIRST)), e.name))
    return zip_bytes(entries, ZIP_TIME, external_attr=ENTRY_ATTRIBUTES)
