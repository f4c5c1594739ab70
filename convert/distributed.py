"""Conversions on a Dask cluster: ``pip install 'protocol-convert[dask]'``.

Two ways in, both running the very same per-page work as the local batch
(:mod:`convert.batch`), with Dask doing all the scheduling:

- the command line: ``protocol-convert pages/ -t epub,json -o out/ --executor dask
  --scheduler tcp://scheduler:8786`` submits one task per page through the cluster's
  :class:`concurrent.futures.Executor` (without ``--scheduler``, a local cluster of
  ``--jobs`` worker processes is started for the run);
- the library: :func:`convert_bag` maps the conversion over a :class:`dask.bag.Bag` of input
  paths and returns a bag of results; :func:`parse_bag` gives a bag of parsed documents (to
  build one collection with :func:`convert.export` on the client, or to analyse).

Workers read the inputs and write the outputs themselves, so every worker must see the same
paths (a shared file system, as usual with Dask) and have protocol-convert, and the same
plugins, installed. Outputs are written atomically and never replace an existing file
unless ``force``.

Every result is a typed record: :class:`ConvertResult` (what was written, what was left alone
because it existed, what failed) and :class:`ParseResult` (the document, or why there is
none); a failure is a :class:`~convert.workers.Failure`, its error's class name in ``kind``.
Options take the library's one shape (:func:`convert.formats.split_options`).

Example::

    import dask.bag as db
    from distributed import Client
    from convert.distributed import convert_bag

    client = Client("tcp://scheduler:8786")
    paths = db.from_sequence(sorted(glob.glob("pages/*.txt")), npartitions=64)
    results = convert_bag(paths, ["epub", "json"], "out/", options={"language": "en-GB"}).compute()
    failed = [r for r in results if r.errors]
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .batch import _convert_task, _parse_task, _Settings, output_stems
from .errors import OptionError
from .tree import Document
from .workers import Failure

if TYPE_CHECKING:
    import dask.bag

__all__ = ["ConvertResult", "Failure", "ParseResult", "convert_bag", "parse_bag"]


@dataclass(frozen=True)
class ConvertResult:
    """What converting one input did. ``outputs`` are the files written; ``skipped`` those
    left alone because they existed (without ``force``: as the command line counts them, a
    skip, not an error); ``errors`` what failed; ``warnings`` what was read not quite as
    written and what the reader could not find (:attr:`~convert.tree.Document.warnings`),
    one line each, naming the input."""

    input: str
    outputs: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    errors: tuple[Failure, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def status(self) -> Literal["converted", "skipped", "failed"]:
        """``failed`` if anything failed, else ``converted`` if anything was written, else
        ``skipped`` (every output existed): the command line's summary counts."""
        if self.errors:
            return "failed"
        return "converted" if self.outputs else "skipped"


@dataclass(frozen=True)
class ParseResult:
    """What reading one input gave: its ``document``, or ``None`` and the ``errors`` saying
    why; ``warnings`` as in :class:`ConvertResult`."""

    input: str
    document: Document | None = None
    errors: tuple[Failure, ...] = ()
    warnings: tuple[str, ...] = ()


def _bag_module() -> Any:
    try:
        import dask.bag as db
    except ImportError:
        raise OptionError("Dask is not installed: pip install 'protocol-convert[dask]'") from None
    return db


def _settings(
    formats: Sequence[str],
    options: Mapping[str, Any] | None,
    *,
    reader: str | None,
    reader_options: Mapping[str, Any] | None,
    encoding: str | None,
    max_size: int | None,
    force: bool,
    strict: bool,
    disabled: Sequence[str],
) -> _Settings:
    """Options checked and converted once, here, before any task is sent."""
    from .formats import resolve_options, split_options
    from .plugins import load_registry

    registry = load_registry(disabled=disabled)
    exporters = [registry.exporter(fmt) for fmt in formats]
    shares = split_options(options, exporters)
    resolved = {e.name: resolve_options(e.options, shares[e.name], owner=e.name) for e in exporters}
    if reader is not None:
        registry.reader(reader)
    flat: list[tuple[str, Any]] = []
    for key, value in (reader_options or {}).items():  # each reader takes its own, when it reads
        fmt, dot, name = key.partition(".")
        if not dot:
            if reader is None:
                raise OptionError(f"reader option {key!r} names no reader: write 'READER.{key}' (or name the reader)")
            fmt, name = reader, key
        owner = registry.reader(fmt)
        flat.append((f"{fmt}.{name}", resolve_options(owner.options, {name: value}, owner=fmt)[name]))
    return _Settings(reader=reader, encoding=encoding, max_size=max_size, force=force, options=resolved,
                     disabled=tuple(disabled), reader_options=tuple(flat), strict=strict, verbose=True,
                     advice=False)


def _paths(paths: Sequence[str | os.PathLike[str]] | dask.bag.Bag) -> list[str]:
    compute = getattr(paths, "compute", None)
    items = compute() if callable(compute) else paths
    return [os.fspath(p) for p in items]


def convert_bag(
    paths: Sequence[str | os.PathLike[str]] | dask.bag.Bag,
    formats: Sequence[str],
    output_dir: str | os.PathLike[str],
    *,
    options: Mapping[str, Any] | None = None,
    force: bool = False,
    reader: str | None = None,
    reader_options: Mapping[str, Any] | None = None,
    encoding: str | None = None,
    max_size: int | None = None,
    strict: bool = False,
    disabled_plugins: Sequence[str] = (),
    npartitions: int | None = None,
) -> dask.bag.Bag:
    """A bag with one :class:`ConvertResult` per input: each page parsed once and written in
    every format to ``output_dir``, named as the command line names them
    (:func:`~convert.batch.output_stems`).

    ``paths`` is a sequence of paths or a bag of them (its paths are gathered first, to name
    the outputs). ``options`` are the exporters' (``{"language": "de"}`` for every format
    that has it, ``{"epub.title": "X"}`` for one), ``reader_options`` the readers'
    (``{"markdown.NAME": value}``). Nothing runs until the bag is computed. An output that
    exists is left alone and listed in ``skipped`` unless ``force``; an input all of whose
    outputs exist is not even read. A page that fails is reported in its result and does not
    stop the others.
    """
    db = _bag_module()
    settings = _settings(formats, options, reader=reader, reader_options=reader_options, encoding=encoding,
                         max_size=max_size, force=force, strict=strict, disabled=disabled_plugins)
    sources = _paths(paths)
    directory = Path(output_dir)
    directory.mkdir(parents=True, exist_ok=True)
    from .plugins import load_registry
    from .textio import file_identity, output_path

    registry = load_registry(disabled=disabled_plugins)
    extensions = {fmt: registry.exporter(fmt).extension for fmt in formats}
    jobs = [
        (source, tuple((fmt, output_path(directory, stem + extensions[fmt])) for fmt in formats))
        for source, stem in zip(sources, output_stems(sources), strict=True)
    ]
    # an output path that names an input is refused when written, even with force
    identities = {file_identity(s) for s in sources} - {None}
    named = {file_identity(t) for _, targets in jobs for _, t in targets}
    settings = dataclasses.replace(settings, protected=frozenset(i for i in identities & named if i is not None))
    count = npartitions or getattr(paths, "npartitions", None) or min(len(jobs), 100) or 1
    return db.from_sequence(jobs, npartitions=count).map(_convert_one, settings)


def _convert_one(job: tuple[str, tuple[tuple[str, str], ...]], settings: _Settings) -> ConvertResult:
    source, targets = job
    # what exists is left alone, as the command line leaves it (and counts it as a skip)
    existing = () if settings.force else tuple(t for _, t in targets if os.path.lexists(t))
    remaining = tuple((fmt, t) for fmt, t in targets if t not in existing)
    if not remaining:
        return ConvertResult(source, skipped=existing)
    outcome = _convert_task(settings, source, remaining)
    written = tuple(outcome.written)
    # an output that appeared while this one was written: left alone too
    raced = tuple(t for _, t in remaining if t not in written and any(
        f.kind == "OutputExistsError" and f.message.startswith(f"{t}: ") for f in outcome.failures))
    errors = tuple(f for f in outcome.failures if not (f.kind == "OutputExistsError" and
                                                        any(f.message.startswith(f"{t}: ") for t in raced)))
    return ConvertResult(source, outputs=written, skipped=existing + raced, errors=errors,
                         warnings=tuple(outcome.notes))


def parse_bag(
    paths: Sequence[str | os.PathLike[str]] | dask.bag.Bag,
    *,
    reader: str | None = None,
    reader_options: Mapping[str, Any] | None = None,
    encoding: str | None = None,
    max_size: int | None = None,
    strict: bool = False,
    disabled_plugins: Sequence[str] = (),
    npartitions: int | None = None,
) -> dask.bag.Bag:
    """A bag of one :class:`ParseResult` per input, in input order: the document, or the
    failure that kept it from being read (nothing is left out silently). To build one
    collection::

        results = parse_bag(paths).compute()
        documents = [r.document for r in results if r.document is not None]
        convert.export(documents, "epub", "all.epub")
    """
    db = _bag_module()
    settings = _settings((), None, reader=reader, reader_options=reader_options, encoding=encoding,
                         max_size=max_size, force=False, strict=strict, disabled=disabled_plugins)
    if hasattr(paths, "map"):
        bag = paths.map(os.fspath)
    else:
        items = [os.fspath(p) for p in paths]  # type: ignore[union-attr]
        bag = db.from_sequence(items, npartitions=npartitions or min(len(items), 100) or 1)
    return bag.map(_parse_one, settings)


def _parse_one(source: str, settings: _Settings) -> ParseResult:
    outcome = _parse_task(settings, source)
    return ParseResult(source, outcome.document, tuple(outcome.failures), tuple(outcome.notes))
