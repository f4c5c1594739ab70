"""Running a conversion job: inputs → documents (parsed once) → every format asked for.

The command line builds a :class:`ConvertJob` and calls :func:`run_job`. The job

- expands its inputs: files, directories (recursively: every file a reader claims by its
  extension) and glob patterns, in the order given (a directory's files in natural order;
  see :mod:`convert.inputs` for the rules that keep it safe on any tree);
- decides where each output goes: one file per input and format in the output directory,
  named after the input, with clashing names told apart deterministically (see
  :func:`~convert.outputs.output_stems`); or, with ``collection``, one file per format
  holding every input. No output path leaves the output directory, and no output replaces
  one of the run's inputs;
- converts the inputs in parallel worker processes (``jobs``; by default one per core, and
  never more than :data:`MAX_WORKERS_PER_CORE` per core), or on a Dask cluster
  (``executor="dask"``), or in this process for a single input (see :mod:`convert.workers`);
- reports each failure in one line and goes on with the rest (``fail_fast`` stops at the
  first), shows a progress bar on a terminal, and ends with a summary line.

Each input is parsed once, in a worker, and exported there to every format. In collection
mode the workers parse and the parent exports, keeping the input order; an exporter that
declares ``streaming`` (JSON Lines) is fed the pages one at a time as they arrive, so its
memory stays flat however many pages there are.

Counting (the summary line ``converted N, skipped N, failed N in X.Xs`` counts *inputs*):

- *converted*: every output the input should go into was written;
- *skipped*: when writing to a directory, every output of the input already existed and
  ``force`` was not given: the input is not even read (re-running a batch converts only the
  new pages); an output that exists is never replaced without ``force``;
- *failed*: the input could not be read, or one of its outputs could not be written.

Ctrl-C and SIGTERM never cut a page's bookkeeping in two (see :mod:`convert.interrupts`),
so the summary counts exactly what was written.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from .errors import ControlFlow, ConvertError, OptionError, OutputError
from .interrupts import Signals, Terminated
from .outputs import Ledger, is_terminal, output_stems, reserved_stdout, write_stdout
from .plugins import Registry
from .tree import Document
from .workers import STATE, Failure, Outcome, Pool, Work, in_task, pack, results

__all__ = [
    "ConvertJob",
    "Failure",
    "Summary",
    "default_jobs",
    "expand_inputs",
    "output_stems",
    "run_job",
    "save",
]

STDIO = "-"
EXIT_INTERNAL = 70
COLLECTION_STEM = "collection"
#: Local worker processes are capped at this many per core, whatever ``--jobs`` says: the
#: work is CPU-bound, and each process costs memory.
MAX_WORKERS_PER_CORE = 4

# kept under their old names for callers and tests
_Outcome = Outcome
_pack = pack


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
    #: worker processes; ``None`` means one per core, 1 converts in this process
    jobs: int | None = None
    #: stop at the first failure instead of going on with the other inputs
    fail_fast: bool = False
    #: ``process`` (a local process pool) or ``dask`` (a Dask cluster)
    executor: str = "process"
    #: the Dask scheduler's address (``tcp://host:8786``); none starts a local cluster
    scheduler: str | None = None
    #: show a progress bar: ``None`` decides (only when stderr is a terminal)
    progress: bool | None = None
    #: plugins switched off (``--disable-plugin``), so worker processes load the same ones
    disabled_plugins: tuple[str, ...] = ()
    #: of several captures of one page in a collection, keep the ``latest``, the
    #: ``earliest`` or ``all`` (see convert.collection.distinct_captures)
    captures: str = "latest"
    #: split the collection into volumes by ``section``, ``month`` or both (convert.volumes)
    split: tuple[str, ...] = ()
    #: readers' options (``-R READER.NAME=VALUE``), by reader name
    reader_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: report what the reader could not find on a page (``Document.warnings``)
    verbose: bool = False
    #: a page the reader could not make out (with warnings) is a failed input
    strict: bool = False
    #: show each failure's traceback
    debug: bool = False


@dataclass
class Summary:
    """What a run did, counted in inputs (see the module's documentation)."""

    converted: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    #: outputs left alone because they existed
    existing: int = 0
    interrupted: bool = False

    def line(self) -> str:
        return f"converted {self.converted}, skipped {self.skipped}, failed {self.failed} in {self.seconds:.1f}s"


def default_jobs() -> int:
    """The number of cores this process may use."""
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counter is not None:
        return counter() or 1
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# --- options and formats ---------------------------------------------------------------


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
            if name in registry.readers:
                raise OptionError(f"{name!r} is an input format, and -O sets an output format's options: "
                                  f"set its options with -R {name}.OPTION=VALUE")
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
    return output.endswith(("/", os.sep)) or os.path.isdir(output)  # (False for any path it cannot stat)


def _resolved_options(job: ConvertJob, registry: Registry, formats: list[str]) -> dict[str, dict[str, Any]]:
    """Every format's options, checked and converted once, before any page is read: a bad
    ``-O`` value stops the run at once instead of failing every page."""
    from .formats import resolve_options
    from .textio import check_option_file

    resolved = {}
    for fmt in formats:
        exporter = registry.exporter(fmt)
        resolved[fmt] = resolve_options(exporter.options, options_for(job, exporter), owner=exporter.name)
        for option in exporter.options:  # a file an option names: a regular file, within the limit
            value = resolved[fmt].get(option.name)
            if option.type is Path and value is not None:
                check_option_file(value, option=f"{exporter.name}.{option.name}")
    return resolved


def _reader_options(job: ConvertJob, registry: Registry) -> tuple[tuple[str, Any], ...]:
    """The readers' options (``-R``), checked and converted once, before any page is read,
    in the library's one shape (``("markdown.NAME", value)``) for each input's reader to
    take its own."""
    from .formats import resolve_options

    flat: list[tuple[str, Any]] = []
    for name, given in job.reader_options.items():
        if name not in registry.readers and name in registry.exporters:
            raise OptionError(f"{name!r} is an output format, and -R sets an input format's options: "
                              f"set its options with -O {name}.OPTION=VALUE")
        reader = registry.reader(name)
        resolved = resolve_options(reader.options, given, owner=name)
        flat.extend((f"{name}.{key}", resolved[key]) for key in given)
    return tuple(flat)


def _check_shared(job: ConvertJob) -> None:
    """The shared flags (``--date``...) are checked whether or not a format of the run
    declares them, and ``SOURCE_DATE_EPOCH`` too, before any page is read."""
    import datetime as dt

    from .formats import check_date, parse_datetime, resolve_date

    date = job.shared_options.get("date")
    if isinstance(date, str):
        try:
            date = parse_datetime(date)
        except ValueError:
            raise OptionError(f"--date expects an ISO 8601 date or 'now', got {date!r}") from None
    if isinstance(date, dt.datetime):
        check_date(date, what="--date")
    resolve_date(None)


# --- inputs ------------------------------------------------------------------------------


def expand_inputs(
    arguments: Sequence[str],
    *,
    extensions: Iterable[str] = (".txt",),
    exclude: str | os.PathLike[str] | None = None,
) -> tuple[list[str], list[Failure], bool]:
    """The input files named by ``arguments`` (see :func:`convert.inputs.expand`): the
    paths, what could not be searched or named nothing (as failures), and whether any
    argument was a directory or pattern (a batch, even if it found one file)."""
    from .inputs import expand

    found = expand(arguments, extensions=extensions, exclude=exclude)
    return found.paths, [Failure(f.message, f.exit_code) for f in found.failures], found.expanded


# --- the work done for one input (in a worker, or here) ---------------------------------


@dataclass(frozen=True)
class _Settings:
    """What a worker needs to read and write like the parent would (picklable)."""

    reader: str | None
    encoding: str | None
    max_size: int | None
    force: bool
    options: dict[str, dict[str, Any]]
    disabled: tuple[str, ...]
    #: fsync each output (a single page); a batch syncs once at the end instead
    sync_each: bool = True
    #: the identities of the inputs that an output path names: never replaced
    protected: frozenset[tuple[int, int]] = frozenset()
    #: the readers' options, in the library's one shape (``{"markdown.NAME": value}``)
    reader_options: tuple[tuple[str, Any], ...] = ()
    #: report the document's warnings (``--verbose``); refuse a page that has some (``--strict``)
    verbose: bool = False
    strict: bool = False
    #: warnings end with the command line's advice (``--encoding``); not in the library's results
    advice: bool = True

    @property
    def limit(self) -> int:
        from .textio import DEFAULT_MAX_SIZE

        return self.max_size if self.max_size is not None else DEFAULT_MAX_SIZE


def _registry_for(settings: _Settings) -> Registry:
    registry = STATE.get("registry")
    if registry is None or STATE.get("disabled") != settings.disabled:
        from .plugins import load_registry

        registry = load_registry(disabled=settings.disabled)
        STATE["registry"] = registry
        STATE["disabled"] = settings.disabled
    return registry


def _read_stdin(settings: _Settings) -> bytes:
    from .textio import read_stream

    return read_stream(sys.stdin.buffer, max_size=settings.limit)


def _read(settings: _Settings, source: str, registry: Registry,
          data: bytes | None = None) -> tuple[Document, list[str]]:
    """Parse ``source`` (standard input's bytes may have been read beforehand: ``data``);
    the document, and the warnings about the input, one line each."""
    from .api import parse
    from .textio import collect_warnings

    where = "<stdin>" if source == STDIO else source
    options = dict(settings.reader_options)
    with collect_warnings() as notes:
        try:
            if source == STDIO:
                if data is None:
                    data = _read_stdin(settings)
                document = parse(data, reader=settings.reader, name=None, encoding=settings.encoding,
                                 options=options, max_size=settings.limit, strict=settings.strict,
                                 registry=registry)
            else:
                document = parse(source, reader=settings.reader, encoding=settings.encoding, options=options,
                                 max_size=settings.limit, strict=settings.strict, registry=registry)
        except ConvertError as error:
            if error.path is None or (source == STDIO and error.path == "<bytes>"):
                error.path = where  # (the library names every file as it was given)
            raise
    from .cli import with_advice

    found = [with_advice(f"{where}: {note.message}", note.remedy if settings.advice else None) for note in notes]
    if settings.verbose:
        found.extend(f"{where}: {warning}" for warning in document.warnings)
    return document, found


def _convert_task(settings: _Settings, source: str, targets: tuple[tuple[str, str], ...]) -> Outcome:
    """Read one input and write it to every (format, path) target."""
    return in_task(lambda: _convert(settings, source, targets))


def _convert(settings: _Settings, source: str, targets: tuple[tuple[str, str], ...]) -> Outcome:
    from .textio import read_limit

    outcome = Outcome()
    registry = _registry_for(settings)
    with read_limit(settings.limit):
        try:
            document, outcome.notes = _read(settings, source, registry)
        except Exception as error:
            outcome.failures.append(Failure.of(error))
            return outcome
        for fmt, target in targets:
            try:
                _export_file(registry, document, fmt, target, settings, source)
                outcome.written.append(target)
            except Exception as error:
                outcome.failures.append(Failure.of(error))
    return outcome


def _export_file(registry: Registry, document: Document, fmt: str, target: str, settings: _Settings,
                 source: str = STDIO) -> None:
    from .api import export, files_date

    try:
        data = export(document, fmt, options=settings.options[fmt], registry=registry,
                      source_date=files_date([source] if source != STDIO else []))
    except ConvertError as error:
        if error.path is None:
            error.path = target
        raise
    assert data is not None
    save(target, data, force=settings.force, sync=settings.sync_each, inputs=settings.protected)


def save(path: str | os.PathLike[str], data: bytes, *, force: bool = False, sync: bool = True,
         inputs: frozenset[tuple[int, int]] = frozenset()) -> None:
    """Write ``data`` to ``path`` atomically (:func:`convert.textio.atomic_output`; never
    over one of ``inputs``). ``sync=False`` skips the per-file fsync: a batch writes
    thousands of small files, and one fsync each (about 5 ms here) would cost more than
    converting them, so :func:`run_job` flushes everything to disk once, at the end
    (``os.sync``)."""
    from .textio import atomic_output

    with atomic_output(path, force=force, sync=sync, inputs=inputs) as stream:
        stream.write(data)


def _parse_task(settings: _Settings, source: str, data: bytes | None = None) -> Outcome:
    """Read one input for a collection; the parent writes the collection."""
    return in_task(lambda: _parse(settings, source, data))


def _parse(settings: _Settings, source: str, data: bytes | None) -> Outcome:
    try:
        document, notes = _read(settings, source, _registry_for(settings), data)
    except Exception as error:
        return Outcome(failures=[Failure.of(error)])
    return Outcome(document=document, notes=notes)


# --- progress and messages --------------------------------------------------------------


class _Reporter:
    """Error lines, the progress bar (only on a terminal) and the counts."""

    def __init__(self, echo: Callable[[str], None], total: int, show: bool, debug: bool = False) -> None:
        self.echo = echo
        self.debug = debug
        self.summary = Summary()
        self.bar: Any = None
        if show and total > 1:
            try:
                from tqdm import tqdm
            except ImportError:  # pragma: no cover - tqdm is a dependency
                tqdm = None
            if tqdm is not None:
                tqdm.monitor_interval = 0  # no monitor thread (it would make fork unsafe)
                self.bar = tqdm(total=total, unit="page", file=sys.stderr, leave=False, dynamic_ncols=True,
                                desc="converting")

    def error(self, failure: Failure) -> None:
        from .cli import with_advice

        self.summary.failures.append(failure)
        trace = getattr(failure, "traceback", None)  # (a directory that cannot be searched has none)
        if self.debug and trace:
            self.say(trace.rstrip("\n"))
        self.say(f"protocol-convert: error: {with_advice(failure.message, getattr(failure, 'remedy', None))}")

    def say(self, message: str) -> None:
        if self.bar is not None:
            self.bar.clear()
            self.echo(message)
            self.bar.refresh()
        else:
            self.echo(message)

    def warning(self, message: str) -> None:
        self.say(f"protocol-convert: warning: {message}")

    def interrupted(self) -> None:
        self.say("protocol-convert: interrupted: letting the pages in progress finish (Ctrl-C again to stop now)")

    def advance(self, count: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def grow(self, count: int = 1) -> None:
        """One input turned out to hold more pages than one (a web archive)."""
        if self.bar is not None:
            self.bar.total += count
            self.bar.refresh()

    def phase(self, description: str) -> None:
        if self.bar is not None:
            self.bar.set_description(description)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _show_progress(job: ConvertJob) -> bool:
    if job.progress is not None:
        return job.progress
    return is_terminal(sys.stderr)


# --- the run -----------------------------------------------------------------------------


class _Stop(ControlFlow):
    """Ends a streamed collection early (``fail_fast``). A control-flow signal, as
    GeneratorExit is, so that neither the export wrapper nor an exporter's own
    ``except Exception`` takes it for the exporter's failure."""


@dataclass
class _Run:
    """What the phases of one run share."""

    job: ConvertJob
    registry: Registry
    formats: list[str]
    reporter: _Reporter
    signals: Signals
    ledger: Ledger
    pool: Pool | None
    #: standard output, reserved for the output (when it is written there)
    out: BinaryIO | None = None
    #: inputs that hold many pages (web archives), read in this process (convert.streamed)
    streamed: frozenset[str] = frozenset()

    def stop(self) -> bool:
        return self.job.fail_fast and self.reporter.summary.failed > 0

    def page_phase(self, batch: bool) -> contextlib.AbstractContextManager[None]:
        """A batch's pages are converted with signals only noted, acted upon between pages."""
        return self.signals.deferred() if batch else contextlib.nullcontext()


def _workers(job: ConvertJob, pages: int) -> int:
    """How many pages are converted at a time: ``--jobs`` (default: one per core), never
    more than there are pages, nor, on this machine, than :data:`MAX_WORKERS_PER_CORE` per
    core."""
    wanted = job.jobs or default_jobs()
    if job.executor == "process" or not job.scheduler:
        wanted = min(wanted, default_jobs() * MAX_WORKERS_PER_CORE)
    return max(1, min(wanted, pages))


def run_job(job: ConvertJob, registry: Registry, *, echo: Callable[[str], None]) -> int:
    """Convert every input of ``job``; return the exit status (0, or the worst error's code).

    Prints one line per failure and warning and, for a batch, the summary line through
    ``echo``. Ctrl-C lets the pages in progress finish, cancels the rest, prints the summary
    and raises :class:`KeyboardInterrupt` again; SIGTERM stops at once, prints the summary
    and raises :class:`~convert.interrupts.Terminated`.
    """
    from .inputs import expand
    from .textio import DEFAULT_MAX_SIZE, read_limit

    started = time.perf_counter()
    formats = _formats(job, registry)
    _check_format_options(job, registry, formats)
    if job.executor not in ("process", "dask"):
        raise OptionError(f"unknown executor {job.executor!r} (known: process, dask)")
    if job.jobs is not None and job.jobs < 1:
        raise OptionError(f"--jobs must be at least 1, got {job.jobs}")
    if job.max_size is not None and job.max_size < 0:
        raise OptionError(f"--max-size must be at least 0, got {job.max_size}")
    if job.inputs.count(STDIO) > 1:
        raise OptionError("standard input ('-') can be read only once")
    if job.split:
        from .volumes import parse_split

        try:
            job.split = parse_split(job.split)
        except OptionError:
            given = ",".join(job.split) if isinstance(job.split, tuple) else job.split
            raise OptionError(f"--split expects section, month or section,month, got {given!r}") from None
        job.collection = True
    _check_shared(job)
    with read_limit(job.max_size if job.max_size is not None else DEFAULT_MAX_SIZE):
        options = _resolved_options(job, registry, formats)

    directory_target = bool(job.output) and job.output != STDIO and _is_directory_target(job.output)
    exclude = job.output if directory_target else None
    if job.reader:
        extensions: tuple[str, ...] = registry.reader(job.reader).extensions
    else:
        extensions = tuple(sorted({e for r in registry.readers.values() for e in r.extensions}))
    found = expand(job.inputs, extensions=extensions, exclude=exclude)
    sources = found.paths
    from .collection import CAPTURE_CHOICES
    from .streamed import streaming_reader

    if job.captures not in CAPTURE_CHOICES:
        raise OptionError(f"--captures must be one of {', '.join(CAPTURE_CHOICES)}, got {job.captures!r}")
    streamed = frozenset(s for s in sources if streaming_reader(job, registry, s) is not None)
    batch = found.expanded or len(sources) + len(found.failures) > 1 or bool(streamed)

    many_outputs = len(formats) > 1 or (batch and not job.collection) or directory_target or bool(job.split)
    directory: Path | None = None
    if many_outputs:
        if not job.output or job.output == STDIO:
            raise OptionError("--split writes a file per volume: it needs -o DIRECTORY" if job.split
                              else "several outputs need -o DIRECTORY")
        directory = Path(job.output)
        if os.path.exists(directory) and not os.path.isdir(directory):
            from .textio import kind_of

            kind = "a file" if os.path.isfile(directory) else kind_of(os.stat(directory).st_mode)
            raise OutputError(f"is {kind}; several outputs need a directory", path=job.output)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create this directory: {exc.strerror or exc}", path=job.output) from None

    STATE["registry"] = registry  # this process's registry; forked workers inherit it
    STATE["disabled"] = tuple(job.disabled_plugins)
    workers = _workers(job, len([s for s in sources if s != STDIO]))
    use_pool = job.executor == "dask" or (workers > 1 and len(sources) > 1)
    reporter = _Reporter(echo, len(sources), _show_progress(job) and batch, debug=job.debug)
    run = _Run(job, registry, formats, reporter, Signals(), Ledger(job.force),
               Pool(workers, executor=job.executor, scheduler=job.scheduler) if use_pool else None,
               streamed=streamed)
    summary = reporter.summary
    for failure in found.failures:
        reporter.error(failure)
        summary.failed += 1
    plan_settings = dict(
        reader=job.reader, encoding=job.encoding, max_size=job.max_size, force=job.force,
        options=options, disabled=tuple(job.disabled_plugins),
        reader_options=_reader_options(job, registry), verbose=job.verbose, strict=job.strict,
        # a remote cluster's disks are not flushed by this machine's os.sync
        sync_each=not batch or (job.executor == "dask" and bool(job.scheduler)),
    )
    to_stdout = directory is None and (not job.output or job.output == STDIO)
    if to_stdout and is_terminal(sys.stdout):
        media_type = registry.exporter(formats[0]).media_type
        if not media_type.startswith(("text/", "application/json")) and not media_type.endswith("+xml"):
            raise OutputError(f"{formats[0]} is a binary format: give a file with -o, not a terminal")

    with run.signals:
        try:
            with reserved_stdout() if to_stdout else contextlib.nullcontext() as out:
                run.out = out
                if job.collection:
                    _run_collection(run, plan_settings, sources, directory, found.identities, batch)
                else:
                    _run_each(run, plan_settings, sources, directory, found.identities, batch)
        except (KeyboardInterrupt, Terminated):
            summary.interrupted = True
            reporter.close()
            if run.pool is not None:
                with contextlib.suppress(KeyboardInterrupt, Terminated):
                    run.pool.terminate()
                run.pool = None
            if batch and summary.converted and not job.collection:
                os.sync()
            summary.seconds = time.perf_counter() - started
            if batch:
                echo(summary.line())
            raise
        finally:
            reporter.close()
            if run.pool is not None:
                run.pool.close(cancel=job.fail_fast)
    if batch and summary.converted and not job.collection:
        os.sync()  # the one flush for every file saved (see save)
    summary.seconds = time.perf_counter() - started
    if summary.existing:
        echo(f"protocol-convert: {summary.existing} output(s) already existed and were left alone "
             "(use --force to overwrite)")
    if batch:
        echo(summary.line())
    return _status(summary, batch, job.collection, len(formats))


def _status(summary: Summary, batch: bool, collection: bool, outputs: int) -> int:
    if not summary.failures:
        return 0
    if not batch and outputs == 1 and len(summary.failures) == 1:
        return summary.failures[0].exit_code  # one page, one output: that error's own code
    if collection and summary.converted == 0 and summary.skipped == 0:
        return max(f.exit_code for f in summary.failures)
    return 1


def _target(directory: Path | None, stem: str, registry: Registry, fmt: str, output: str | None) -> str:
    from .textio import output_path

    if directory is None:
        return output or STDIO
    return output_path(directory, stem + registry.exporter(fmt).extension)


def _plan(run: _Run, targets: Sequence[tuple[str, str]], inputs: set[tuple[int, int]],
          protected: set[tuple[int, int]]) -> list[tuple[str, str]]:
    """The targets to write, looked at once before any page is read.

    In a directory, one that exists is kept back (counted as existing) unless ``force``.
    One that is an input (in a directory: with ``force``) is kept, and its identity added
    to ``protected``, to be refused when written, the page's error naming it. A single
    named output that exists is kept too: writing it refuses it. The ledger
    notes what each target held (see :class:`~convert.outputs.Ledger`).
    """
    from .textio import file_identity

    in_directory = run.job.output not in (None, STDIO) and _is_directory_target(run.job.output)
    kept = []
    for fmt, target in targets:
        if target == STDIO:
            kept.append((fmt, target))
            continue
        try:
            info = os.lstat(target)
        except OSError:
            kept.append((fmt, target))
            continue
        identity = file_identity(target) if stat.S_ISLNK(info.st_mode) else (info.st_dev, info.st_ino)
        if identity in inputs and (run.job.force or not in_directory):
            protected.add(identity)  # type: ignore[arg-type]
        elif in_directory and not run.job.force:
            run.reporter.summary.existing += 1
            continue
        run.ledger.note(target, info)
        kept.append((fmt, target))
    return kept


def _work(run: _Run, function: Callable[..., Outcome]) -> Work:
    """The work of a convert call, and how to tell from the disk whether it was done."""
    ledger = run.ledger

    def targets(call: tuple[Any, ...]) -> list[str]:
        return [t for _, t in call[2]] if len(call) > 2 and isinstance(call[2], tuple) else []

    def landed(call: tuple[Any, ...]) -> Outcome | None:
        written = targets(call)
        return Outcome() if written and ledger.all_landed(written) else None

    def remaining(call: tuple[Any, ...]) -> tuple[Any, ...]:
        if not targets(call):
            return call
        return (call[0], call[1], tuple((f, t) for f, t in call[2] if not ledger.landed(t)))

    return Work(function, landed=landed, remaining=remaining, targets=targets)


def _run_each(run: _Run, plan: dict[str, Any], sources: list[str], directory: Path | None,
              inputs: set[tuple[int, int]], batch: bool) -> None:
    """One output per input and format (per page of an input that holds many)."""
    job, registry, reporter = run.job, run.registry, run.reporter
    stems = output_stems(sources) if directory is not None else [""] * len(sources)
    planned: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    protected: set[tuple[int, int]] = set()
    archives: list[tuple[str, str]] = []
    for source, stem in zip(sources, stems, strict=True):
        if source in run.streamed:
            archives.append((source, stem))
            continue
        targets = [(fmt, _target(directory, stem, registry, fmt, job.output)) for fmt in run.formats]
        kept = _plan(run, targets, inputs, protected)
        if not kept:
            reporter.summary.skipped += 1
            reporter.advance()
            continue
        planned.append((source, tuple(kept)))
    settings = _Settings(**plan, protected=frozenset(protected))
    calls: list[tuple[Any, ...]] = []
    with run.page_phase(batch):
        for source, targets in planned:
            if source == STDIO or any(t == STDIO for _, t in targets):
                _convert_here(run, settings, source, targets)
                continue
            calls.append((settings, source, targets))
        parallel = run.pool if len(calls) > 1 else None
        for _call, outcome in results(parallel, _work(run, _convert_task), calls, ordered=False, stop=run.stop,
                                      signals=run.signals, events=reporter):
            _count(reporter, outcome)
        if archives:
            from .streamed import convert_each

            for source, stem in archives:
                if run.stop():
                    break
                convert_each(run, settings, source, stem, directory, inputs)


def _count(reporter: _Reporter, outcome: Outcome) -> None:
    for note in outcome.notes:
        reporter.warning(note)
    for failure in outcome.failures:
        reporter.error(failure)
    if outcome.failures:
        reporter.summary.failed += 1
    else:
        reporter.summary.converted += 1
    reporter.advance()


def _convert_here(run: _Run, settings: _Settings, source: str, targets: tuple[tuple[str, str], ...]) -> None:
    """Convert one input in this process (standard input, or output to standard output)."""
    from .api import files_date
    from .textio import read_limit

    outcome = Outcome()
    with read_limit(settings.limit):
        try:
            document, outcome.notes = _read(settings, source, run.registry)
        except ConvertError as error:
            outcome.failures.append(Failure.of(error))
            _count(run.reporter, outcome)
            return
        for fmt, target in targets:
            try:
                if target == STDIO:
                    assert run.out is not None
                    write_stdout(run.out, run.registry, fmt, document, settings.options[fmt],
                                 files_date([source] if source != STDIO else []))
                else:
                    _export_file(run.registry, document, fmt, target, settings, source)
            except ConvertError as error:
                outcome.failures.append(Failure.of(error))
    _count(run.reporter, outcome)


def _run_collection(run: _Run, plan: dict[str, Any], sources: list[str], directory: Path | None,
                    inputs: set[tuple[int, int]], batch: bool) -> None:
    """One output per format holding every input."""
    from .api import export, files_date
    from .textio import read_limit

    job, registry, reporter = run.job, run.registry, run.reporter
    summary = reporter.summary
    targets = [(fmt, _target(directory, COLLECTION_STEM, registry, fmt, job.output)) for fmt in run.formats]
    protected: set[tuple[int, int]] = set()
    if job.split:
        targets = [(fmt, "") for fmt in run.formats]  # each volume's, planned when it is known
    else:
        targets = _plan(run, targets, inputs, protected)
    if not targets:
        summary.skipped += len(sources)
        return
    if directory is None:  # one named file: refused before any page is read
        from .textio import file_identity

        for _fmt, target in targets:
            if target != STDIO and file_identity(target) in protected:
                raise OutputError("is an input of this run: refusing to overwrite it, even when forced",
                                  path=target)
            if target != STDIO and not job.force and os.path.lexists(target):
                from .errors import OutputExistsError

                raise OutputExistsError("already exists", path=target)
    settings = _Settings(**plan, protected=frozenset(protected))
    if not sources:
        return

    # standard input is read here, and parsed in its place among the others; too much of it
    # is one failed input, like any other
    calls: list[tuple[Any, ...]] = []
    for source in sources:
        if source != STDIO or source in run.streamed:
            calls.append((settings, source, None))
            continue
        try:
            calls.append((settings, source, _read_stdin(settings)))
        except ConvertError as error:
            _count(reporter, Outcome(failures=[Failure.of(error)]))
    parsed = [0]

    def outcomes() -> Iterator[Outcome]:
        """Runs of ordinary inputs go through the pool; an input that holds many pages is
        read here, in its place (convert.streamed)."""
        from .streamed import StreamedInput

        start = 0
        for end in [*(i for i, call in enumerate(calls) if call[1] in run.streamed), len(calls)]:
            part = calls[start:end]
            parallel = run.pool if len(part) > 1 else None
            for _call, outcome in results(parallel, Work(_parse_task), part, ordered=True, stop=run.stop,
                                          signals=run.signals, events=reporter):
                yield outcome
            if end == len(calls) or run.stop():
                return
            pages = StreamedInput(registry, settings, calls[end][1])
            for count, outcome in enumerate(pages):
                if count:
                    reporter.grow()
                yield outcome
                if run.stop():
                    return
            line = pages.skipped_line()
            if line:
                reporter.say(f"protocol-convert: {line}")
            start = end + 1

    def documents() -> Iterator[Document]:
        """The pages in input order, as they are read; failures reported and left out."""
        for outcome in outcomes():
            if outcome.failures:
                _count(reporter, outcome)
                if run.stop():
                    raise _Stop()
                continue
            for note in outcome.notes:
                reporter.warning(note)
            reporter.advance()
            parsed[0] += 1
            assert outcome.document is not None
            yield outcome.document
        if run.stop():
            raise _Stop()

    def write(fmt: str, target: str, pages: Iterable[Document]) -> None:
        if target == STDIO:
            assert run.out is not None
            write_stdout(run.out, registry, fmt, pages, settings.options[fmt], newest, job.captures)
        else:
            export(pages, fmt, target, options=settings.options[fmt], force=job.force, registry=registry,
                   inputs=sources_paths, source_date=newest, captures=job.captures)

    sources_paths = [s for s in sources if s != STDIO]
    newest = files_date(sources_paths)  # the inputs' newest time: the date of last resort
    streaming = [registry.exporter(fmt).streaming for fmt, _ in targets]
    written = 0
    try:
        with read_limit(settings.limit):
            if job.split:
                assert directory is not None
                with run.page_phase(batch):
                    _write_volumes(run, settings, documents(), directory, inputs, sources_paths, newest)
                return
            if len(targets) == 1 and streaming[0]:
                fmt, target = targets[0]
                reporter.phase(f"writing {fmt}")
                with run.page_phase(batch):
                    write(fmt, target, documents())
                written = 1
            else:
                reporter.phase("reading")
                with run.page_phase(batch):
                    pages = list(documents())
                if not pages:
                    return
                for fmt, target in targets:
                    reporter.phase(f"writing {fmt}")
                    try:
                        write(fmt, target, pages)
                        written += 1
                    except ConvertError as error:
                        reporter.error(Failure.of(error))
                        if job.fail_fast:
                            break
    except _Stop:
        return
    except ConvertError as error:
        reporter.error(Failure.of(error))
    if written == len(targets):
        summary.converted += parsed[0]
    else:
        summary.failed += parsed[0]


def _write_volumes(run: _Run, settings: _Settings, pages: Iterable[Document], directory: Path,
                   inputs: set[tuple[int, int]], sources: list[str], newest: Any) -> None:
    """The collection split into volumes (convert.volumes): the pages set aside by volume as
    they are read, then the volumes written on the pool's workers (and here), each worker
    reading its volume's pages back from the spool's file."""
    from .volumes import spool

    job, registry, reporter = run.job, run.registry, run.reporter
    summary = reporter.summary
    held = spool(pages, job.split, pack)
    try:
        calls: list[tuple[Any, ...]] = []
        for name, volume, records in held.groups():
            protected: set[tuple[int, int]] = set()
            targets = _plan(run, [(fmt, _target(directory, name, registry, fmt, job.output)) for fmt in run.formats],
                            inputs, protected)
            if not targets:
                summary.skipped += len(records)
                continue
            options = {fmt: dict(settings.options[fmt]) for fmt, _ in targets}
            for fmt_options in options.values():
                if "title" in fmt_options and not fmt_options["title"]:
                    fmt_options["title"] = volume.title
            task = _VolumeTask(name, held.path, records, options, frozenset(protected), newest, job.captures)
            calls.append((settings, task, tuple(targets)))
        if run.stop():
            return
        reporter.phase("writing volumes")
        # a remote cluster cannot read this machine's spool file: its volumes are written here
        remote = job.executor == "dask" and bool(job.scheduler)
        parallel = run.pool if len(calls) > 1 and not remote else None
        for call, outcome in results(parallel, _work(run, _volume_task), calls, ordered=False, stop=run.stop,
                                     signals=run.signals, events=reporter):
            for failure in outcome.failures:
                reporter.error(failure)
            if outcome.failures:
                summary.failed += len(call[1].records)
            else:
                summary.converted += len(call[1].records)
    finally:
        held.close()


@dataclass(frozen=True)
class _VolumeTask:
    """One volume to write (picklable): where its pages are in the spool's file, and each
    format's options. Named by its output name in a worker's failure."""

    name: str
    spool: str
    records: tuple[tuple[int, int], ...]
    options: dict[str, dict[str, Any]]
    protected: frozenset[tuple[int, int]]
    newest: Any
    captures: str

    def __str__(self) -> str:
        return self.name


def _volume_task(settings: _Settings, volume: _VolumeTask, targets: tuple[tuple[str, str], ...]) -> Outcome:
    return in_task(lambda: _write_volume(settings, volume, targets))


def _write_volume(settings: _Settings, volume: _VolumeTask, targets: tuple[tuple[str, str], ...]) -> Outcome:
    from .api import export
    from .volumes import load

    outcome = Outcome()
    registry = _registry_for(settings)
    documents = load(volume.spool, volume.records)
    for fmt, target in targets:
        try:
            data = export(documents, fmt, options=volume.options[fmt], registry=registry, source_date=volume.newest,
                          captures=volume.captures)
            assert data is not None
            save(target, data, force=settings.force, sync=settings.sync_each, inputs=volume.protected)
        except ConvertError as error:
            if error.path is None:
                error.path = target
            outcome.failures.append(Failure.of(error))
        except Exception as error:
            outcome.failures.append(Failure.of(error))
    return outcome
