"""Running a conversion job: inputs → documents (parsed once) → every format asked for.

The command line builds a :class:`ConvertJob` and calls :func:`run_job`; the job decides
where each output goes, converts every input, reports each failure in one line and goes on
with the rest, and returns the exit status.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConvertError, InputError, OptionError, OutputError
from .plugins import Registry
from .tree import Document

__all__ = ["ConvertJob", "run_job"]

STDIO = "-"


@dataclass
class ConvertJob:
    """Everything the ``convert`` command was asked to do."""

    inputs: list[str]
    formats: list[str] = field(default_factory=list)
    output: str | None = None
    reader: str | None = None
    force: bool = False
    collection: bool = False
    format_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    shared_options: dict[str, Any] = field(default_factory=dict)
    encoding: str | None = None
    max_size: int | None = None


def options_for(job: ConvertJob, exporter: Any) -> dict[str, Any]:
    """The options for one exporter: shared flags it declares, then its own -O options."""
    declared = {o.name for o in exporter.options}
    chosen = {k: v for k, v in job.shared_options.items() if k in declared}
    chosen.update(job.format_options.get(exporter.name, {}))
    return chosen


def _check_format_options(job: ConvertJob, registry: Registry, formats: list[str]) -> None:
    for name in job.format_options:
        if name not in formats:
            if name in registry.exporters:
                raise OptionError(f"options given for {name!r}, which this run does not write")
            registry.exporter(name)  # unknown format: a clear error


def _formats(job: ConvertJob, registry: Registry) -> list[str]:
    if job.formats:
        for name in job.formats:
            registry.exporter(name)
        return list(dict.fromkeys(job.formats))
    if job.output and job.output != STDIO and not _is_directory_target(job.output):
        suffix = Path(job.output).suffix
        exporter = registry.exporter_for_extension(suffix) if suffix else None
        if exporter is None:
            raise OptionError(
                f"cannot tell the output format from {job.output!r}: name it with -t "
                f"(see `protocol-convert formats`)"
            )
        return [exporter.name]
    if not job.output or job.output == STDIO:
        return ["json"]
    raise OptionError("name the output formats with -t when -o is a directory")


def _is_directory_target(output: str) -> bool:
    return output.endswith(("/", os.sep)) or Path(output).is_dir()


def _read(job: ConvertJob, source: str, registry: Registry) -> Document:
    from .api import parse
    from .textio import DEFAULT_MAX_SIZE

    max_size = job.max_size if job.max_size is not None else DEFAULT_MAX_SIZE
    if source == STDIO:
        data = sys.stdin.buffer.read()
        return parse(data, reader=job.reader, name=None, encoding=job.encoding, max_size=max_size, registry=registry)
    return parse(source, reader=job.reader, encoding=job.encoding, max_size=max_size, registry=registry)


def _write(job: ConvertJob, docs: list[Document], fmt: str, target: str, registry: Registry) -> None:
    from .api import export

    exporter = registry.exporter(fmt)
    if target == STDIO:
        if sys.stdout.isatty() and not exporter.media_type.startswith(("text/", "application/json")) \
                and not exporter.media_type.endswith("+xml"):
            raise OutputError(f"{fmt} is a binary format: give a file with -o, not a terminal")
        data = export(docs, fmt, options=options_for(job, exporter), registry=registry)
        assert data is not None
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    export(docs, fmt, target, options=options_for(job, exporter), force=job.force, registry=registry)


def run_job(job: ConvertJob, registry: Registry, *, echo: Callable[[str], None]) -> int:
    """Convert every input of ``job``; return the exit status (0, or the worst error's code)."""
    from .api import output_name

    formats = _formats(job, registry)
    _check_format_options(job, registry, formats)
    many_outputs = (
        len(formats) > 1
        or (len(job.inputs) > 1 and not job.collection)
        or (job.output not in (None, STDIO) and _is_directory_target(job.output))
    )
    directory: Path | None = None
    if many_outputs:
        if not job.output or job.output == STDIO:
            raise OptionError("several outputs need -o DIRECTORY")
        directory = Path(job.output)
        if directory.exists() and not directory.is_dir():
            raise OutputError("is a file; several outputs need a directory", path=job.output)
        directory.mkdir(parents=True, exist_ok=True)
    failures: list[ConvertError] = []

    def target_for(input_name: str, fmt: str) -> str:
        if directory is None:
            return job.output or STDIO
        extension = registry.exporter(fmt).extension
        return os.fspath(directory / output_name(input_name, extension))

    def report(error: ConvertError) -> None:
        failures.append(error)
        echo(f"protocol-convert: error: {error}")

    if job.collection:
        docs: list[Document] = []
        for source in job.inputs:
            try:
                docs.append(_read(job, source, registry))
            except InputError as error:
                report(error)
        if not docs:
            return max((e.exit_code for e in failures), default=3)
        for fmt in formats:
            try:
                _write(job, docs, fmt, target_for("collection", fmt), registry)
            except ConvertError as error:
                report(error)
    else:
        for source in job.inputs:
            try:
                document = _read(job, source, registry)
            except InputError as error:
                report(error)
                continue
            for fmt in formats:
                try:
                    _write(job, [document], fmt, target_for("stdin" if source == STDIO else source, fmt), registry)
                except ConvertError as error:
                    report(error)
    if not failures:
        return 0
    if len(failures) == 1 and len(job.inputs) == 1 and len(formats) == 1:
        return failures[0].exit_code
    return 1
