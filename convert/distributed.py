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

Example::

    import dask.bag as db
    from distributed import Client
    from convert.distributed import convert_bag

    client = Client("tcp://scheduler:8786")
    paths = db.from_sequence(sorted(glob.glob("pages/*.txt")), npartitions=64)
    results = convert_bag(paths, ["epub", "json"], "out/").compute()
    failed = [r for r in results if r["errors"]]
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .batch import _convert_task, _parse_task, _Settings, output_stems
from .errors import OptionError

if TYPE_CHECKING:
    import dask.bag

__all__ = ["convert_bag", "parse_bag"]


def _bag_module() -> Any:
    try:
        import dask.bag as db
    except ImportError:
        raise OptionError("Dask is not installed: pip install 'protocol-convert[dask]'") from None
    return db


def _settings(
    formats: Sequence[str],
    options: Mapping[str, Mapping[str, Any]] | None,
    *,
    reader: str | None,
    encoding: str | None,
    max_size: int | None,
    force: bool,
    disabled: Sequence[str],
) -> _Settings:
    """Options checked and converted once, here, before any task is sent."""
    from .formats import resolve_options
    from .plugins import load_registry

    registry = load_registry(disabled=disabled)
    given = dict(options or {})
    for name in given:
        if name not in formats:
            raise OptionError(f"options given for {name!r}, which this run does not write")
    resolved = {}
    for fmt in formats:
        exporter = registry.exporter(fmt)
        resolved[fmt] = resolve_options(exporter.options, given.get(fmt), owner=fmt)
    if reader is not None:
        registry.reader(reader)
    return _Settings(reader=reader, encoding=encoding, max_size=max_size, force=force, options=resolved,
                     disabled=tuple(disabled))


def _paths(paths: Sequence[str | os.PathLike[str]] | dask.bag.Bag) -> list[str]:
    compute = getattr(paths, "compute", None)
    items = compute() if callable(compute) else paths
    return [os.fspath(p) for p in items]


def convert_bag(
    paths: Sequence[str | os.PathLike[str]] | dask.bag.Bag,
    formats: Sequence[str],
    output_dir: str | os.PathLike[str],
    *,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    force: bool = False,
    reader: str | None = None,
    encoding: str | None = None,
    max_size: int | None = None,
    disabled_plugins: Sequence[str] = (),
    npartitions: int | None = None,
) -> dask.bag.Bag:
    """A bag with one result per input: each page parsed once and written in every format
    to ``output_dir``, named as the command line names them (:func:`~convert.batch.output_stems`).

    ``paths`` is a sequence of paths or a bag of them (its paths are gathered first, to name
    the outputs). ``options`` maps a format to its options (``{"epub": {"language": "de"}}``).
    Nothing runs until the bag is computed. Each result is
    ``{"input": path, "outputs": [paths written], "errors": [messages]}``; a page that fails
    is reported in its result and does not stop the others.
    """
    db = _bag_module()
    settings = _settings(formats, options, reader=reader, encoding=encoding, max_size=max_size, force=force,
                         disabled=disabled_plugins)
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


def _convert_one(job: tuple[str, tuple[tuple[str, str], ...]], settings: _Settings) -> dict[str, Any]:
    source, targets = job
    outcome = _convert_task(settings, source, targets)
    return {
        "input": source,
        "outputs": [] if outcome.failures else [t for _, t in targets],
        "errors": [f.message for f in outcome.failures],
    }


def parse_bag(
    paths: Sequence[str | os.PathLike[str]] | dask.bag.Bag,
    *,
    reader: str | None = None,
    encoding: str | None = None,
    max_size: int | None = None,
    disabled_plugins: Sequence[str] = (),
    npartitions: int | None = None,
) -> dask.bag.Bag:
    """A bag of parsed documents, in input order; pages that cannot be read are left out
    (see :func:`convert_bag` to have them reported). To build one collection::

        documents = parse_bag(paths).compute()
        convert.export(documents, "epub", "all.epub")
    """
    db = _bag_module()
    settings = _settings((), None, reader=reader, encoding=encoding, max_size=max_size, force=False,
                         disabled=disabled_plugins)
    if hasattr(paths, "map"):
        bag = paths.map(os.fspath)
    else:
        items = [os.fspath(p) for p in paths]  # type: ignore[union-attr]
        bag = db.from_sequence(items, npartitions=npartitions or min(len(items), 100) or 1)
    return bag.map(_parse_document, settings).filter(lambda document: document is not None)


def _parse_document(source: str, settings: _Settings) -> Any:
    return _parse_task(settings, source).document
