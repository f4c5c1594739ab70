"""Running a conversion job: inputs → documents (parsed once) → every format asked for.

The command line builds a :class:`ConvertJob` and calls :func:`run_job`. The job

- expands its inputs: files, directories (recursively: every file a reader claims by its
  extension) and glob patterns, in the order given (a directory's files in natural order);
- decides where each output goes: one file per input and format in the output directory,
  named after the input, with clashing names told apart deterministically (see
  :func:`output_stems`); or, with ``collection``, one file per format holding every input;
- converts the inputs in parallel worker processes (``jobs``; by default one per core), or
  on a Dask cluster (``executor="dask"``), or in this process for a single input;
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
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConvertError, OptionError, OutputError
from .plugins import Registry
from .tree import Document

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
#: How many tasks per worker are queued ahead: enough to keep workers busy, few enough that
#: parsed pages waiting to be written (collection mode) stay a handful.
QUEUE_PER_WORKER = 4
#: At most this many pages go to a worker as one task ...
MAX_CHUNK = 8
#: ... and no more than take about this long (so Ctrl-C and --fail-fast stop soon).
TASK_SECONDS = 0.05
#: Output stems are cut to this many characters (file systems allow 255 bytes per name).
MAX_STEM = 120
COLLECTION_STEM = "collection"


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


@dataclass(frozen=True)
class Failure:
    """One problem with one input or output, reported in one line."""

    message: str
    exit_code: int = 1

    @classmethod
    def of(cls, error: BaseException) -> Failure:
        if isinstance(error, ConvertError):
            return cls(str(error), error.exit_code)
        detail = str(error).splitlines()[0] if str(error) else ""
        return cls(f"internal error: {type(error).__name__}: {detail}".rstrip(": "), EXIT_INTERNAL)


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


def _resolved_options(job: ConvertJob, registry: Registry, formats: list[str]) -> dict[str, dict[str, Any]]:
    """Every format's options, checked and converted once, before any page is read: a bad
    ``-O`` value stops the run at once instead of failing every page."""
    from .formats import resolve_options

    resolved = {}
    for fmt in formats:
        exporter = registry.exporter(fmt)
        resolved[fmt] = resolve_options(exporter.options, options_for(job, exporter), owner=exporter.name)
    return resolved


# --- inputs ------------------------------------------------------------------------------

_GLOB_MAGIC = frozenset("*?[")


def _natural_key(text: str) -> tuple[Any, ...]:
    import re

    return tuple(int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text))


def expand_inputs(
    arguments: Sequence[str],
    *,
    extensions: Iterable[str] = (".txt",),
    exclude: str | os.PathLike[str] | None = None,
) -> tuple[list[str], list[Failure], bool]:
    """The input files named by ``arguments``: files, directories and glob patterns.

    A directory stands for every file below it (recursively, hidden ones left out) whose
    name ends in one of ``extensions``, in natural order (``page2`` before ``page10``); a
    pattern (``pages/**/*.txt``) for the files it matches, sorted the same way. Files named
    twice (by the same absolute path) are kept once, at their first place. ``exclude`` (the output directory) is never
    searched, so converting a directory into a directory inside it twice reads no output.
    ``-`` is standard input.

    Returns the paths, the arguments that named nothing (as failures), and whether any
    argument was a directory or pattern (a batch, even if it found one file).
    """
    import glob

    suffixes = tuple(e.lower() for e in extensions)
    excluded = os.path.realpath(exclude) if exclude is not None else None
    found: list[str] = []
    failures: list[Failure] = []
    expanded = False
    seen: set[str] = set()

    def add(path: str) -> None:
        key = path if path == STDIO else os.path.abspath(path)  # (realpath costs a syscall per part)
        if key not in seen:
            seen.add(key)
            found.append(path)

    def walk(directory: str) -> list[str]:
        files = []
        for root, dirs, names in os.walk(directory):
            if excluded is not None and os.path.realpath(root) == excluded:
                dirs[:] = []
                continue
            dirs[:] = [d for d in dirs if not d.startswith(".")
                       and (excluded is None or os.path.realpath(os.path.join(root, d)) != excluded)]
            for name in names:
                if not name.startswith(".") and (not suffixes or name.lower().endswith(suffixes)):
                    files.append(os.path.join(root, name))
        return sorted(files, key=lambda p: _natural_key(os.path.relpath(p, directory)))

    for argument in arguments:
        if argument == STDIO:
            add(STDIO)
        elif os.path.isdir(argument):
            expanded = True
            files = walk(argument)
            if not files:
                wanted = ", ".join(suffixes) or "any"
                failures.append(Failure(f"{argument}: no pages found in this directory (looked for {wanted})", 3))
            for path in files:
                add(path)
        elif not os.path.lexists(argument) and _GLOB_MAGIC & set(argument):
            expanded = True
            matches = sorted(glob.glob(argument, recursive=True), key=_natural_key)
            files = []
            for match in matches:
                if os.path.isdir(match):
                    files.extend(walk(match))
                elif excluded is None or not os.path.realpath(match).startswith(excluded + os.sep):
                    files.append(match)
            if not files:
                failures.append(Failure(f"{argument}: no file matches this pattern", 3))
            for path in files:
                add(path)
        else:
            add(argument)  # a missing file is reported when it is read, in its place
    return found, failures, expanded


# --- output names ------------------------------------------------------------------------


def _clean(text: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_. " else "_" for c in text).strip(" .")
    return cleaned[:MAX_STEM].rstrip(" .")


def _stem_of(source: str) -> str:
    from .api import output_name

    name = "stdin" if source == STDIO else source
    return _clean(output_name(name, "")) or "document"


def output_stems(sources: Sequence[str]) -> list[str]:
    """A distinct, safe file-name stem for each input (``page.txt`` → ``page``).

    Inputs whose stems clash (ignoring case, as some file systems do) are told apart by
    their parent directories (``2021/page.txt`` and ``2022/page.txt`` → ``2021_page`` and
    ``2022_page``), or, when that does not tell them apart (``page.txt`` and ``page.json``
    side by side), by a short hash of their absolute path. The result depends only on the
    inputs, not on the order in which they are converted, and no stem holds a path
    separator, so an output never lands outside the output directory.
    """
    import hashlib
    from collections import Counter

    plain = [_stem_of(s) for s in sources]
    counts = Counter(p.casefold() for p in plain)
    stems = list(plain)
    clashing: dict[str, list[int]] = {}
    for index, stem in enumerate(plain):
        if counts[stem.casefold()] > 1:
            clashing.setdefault(stem.casefold(), []).append(index)
    taken = {p.casefold() for p in plain if counts[p.casefold()] == 1}

    def hashed(index: int, name: str) -> str:
        digest = hashlib.sha256(os.path.abspath(sources[index]).encode("utf-8", "surrogateescape")).hexdigest()
        return f"{name[: MAX_STEM - 9]}-{digest[:8]}"

    for indexes in clashing.values():
        parents = [Path(os.path.abspath(sources[i])).parent.parts for i in indexes]

        def at_depth(depth: int, parents: list[tuple[str, ...]] = parents, indexes: list[int] = indexes) -> list[str]:
            return [_clean("_".join([*p[-depth:], plain[i]]) if len(p) > 1 else plain[i])
                    for p, i in zip(parents, indexes, strict=True)]

        def told_apart(names: list[str]) -> int:
            counted = Counter(n.casefold() for n in names)
            return sum(1 for n in names if counted[n.casefold()] == 1)

        # the fewest parent directories that tell apart all the inputs that can be told
        # apart by directory; inputs side by side in one directory then get a hash
        deepest = max(len(p) for p in parents)
        best = told_apart(at_depth(deepest))
        names = next(n for n in (at_depth(d) for d in range(1, deepest + 1)) if told_apart(n) == best)
        counted = Counter(n.casefold() for n in names)
        for name, index in zip(names, indexes, strict=True):
            if counted[name.casefold()] > 1 or name.casefold() in taken:
                name = hashed(index, name)
            stems[index] = name
            taken.add(name.casefold())
    return stems


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


@dataclass
class _Outcome:
    document: Document | None = None
    failures: list[Failure] = field(default_factory=list)


#: per-process state: the registry workers use (inherited from the parent when forked)
_STATE: dict[str, Any] = {"in_task": False}


class _Terminated(BaseException):
    """Raised in a worker asked to stop (SIGTERM) while converting, so that the output being
    written is removed before the worker exits."""


def _registry_for(settings: _Settings) -> Registry:
    registry = _STATE.get("registry")
    if registry is None or _STATE.get("disabled") != settings.disabled:
        from .plugins import load_registry

        registry = load_registry(disabled=settings.disabled)
        _STATE["registry"] = registry
        _STATE["disabled"] = settings.disabled
    return registry


def _read_stdin(settings: _Settings) -> bytes:
    from .textio import DEFAULT_MAX_SIZE, read_stream

    return read_stream(sys.stdin.buffer, max_size=settings.max_size if settings.max_size is not None
                       else DEFAULT_MAX_SIZE)


def _read(settings: _Settings, source: str, registry: Registry, data: bytes | None = None) -> Document:
    """Parse ``source``; standard input's bytes may have been read beforehand (``data``)."""
    from .api import parse
    from .textio import DEFAULT_MAX_SIZE, read_stream

    max_size = settings.max_size if settings.max_size is not None else DEFAULT_MAX_SIZE
    if source == STDIO:
        if data is None:
            data = read_stream(sys.stdin.buffer, max_size=max_size)
        return parse(data, reader=settings.reader, name=None, encoding=settings.encoding, max_size=max_size,
                     registry=registry)
    try:
        return parse(source, reader=settings.reader, encoding=settings.encoding, max_size=max_size,
                     registry=registry)
    except ConvertError as error:
        if error.path == os.path.basename(source):
            error.path = source  # name the input as the user gave it: several may share a name
        raise


def _convert_task(settings: _Settings, source: str, targets: tuple[tuple[str, str], ...]) -> _Outcome:
    """Read one input and write it to every (format, path) target."""

    _STATE["in_task"] = True
    outcome = _Outcome()
    try:
        registry = _registry_for(settings)
        try:
            document = _read(settings, source, registry)
        except Exception as error:
            outcome.failures.append(Failure.of(error))
            return outcome
        for fmt, target in targets:
            try:
                _export_file(registry, document, fmt, target, settings)
            except Exception as error:
                outcome.failures.append(Failure.of(error))
        return outcome
    except _Terminated:
        os._exit(143)
    finally:
        _STATE["in_task"] = False


def _export_file(registry: Registry, document: Document, fmt: str, target: str, settings: _Settings) -> None:
    from .api import export

    try:
        data = export([document], fmt, options=settings.options[fmt], registry=registry)
    except ConvertError as error:
        if error.path is None:
            error.path = target
        raise
    assert data is not None
    save(target, data, force=settings.force, sync=settings.sync_each)


def _quiet_broken_pool_noise() -> None:
    """When a worker dies, Python 3.11's pool manager thread may fail to mark a future we
    had cancelled (``InvalidStateError``, fixed in 3.12) and print a thread traceback. The
    death itself is reported in one line by the batch; only that noise is silenced."""
    import threading
    from concurrent.futures import InvalidStateError

    previous = threading.excepthook
    if getattr(previous, "_protocol_convert", False):
        return

    def hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is not None and issubclass(args.exc_type, InvalidStateError):
            return
        previous(args)

    hook._protocol_convert = True  # type: ignore[attr-defined]
    threading.excepthook = hook


def save(path: str | os.PathLike[str], data: bytes, *, force: bool = False, sync: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (:func:`convert.textio.atomic_output`).
    ``sync=False`` skips the per-file fsync: a batch writes thousands of small files, and one
    fsync each (about 5 ms here) would cost more than converting them, so :func:`run_job`
    flushes everything to disk once, at the end (``os.sync``)."""
    from .textio import atomic_output

    with atomic_output(path, force=force, sync=sync) as stream:
        stream.write(data)


def _parse_task(settings: _Settings, source: str, data: bytes | None = None) -> _Outcome:
    """Read one input for a collection; the parent writes the collection."""
    _STATE["in_task"] = True
    try:
        return _Outcome(document=_read(settings, source, _registry_for(settings), data))
    except _Terminated:
        os._exit(143)
    except Exception as error:
        return _Outcome(failures=[Failure.of(error)])
    finally:
        _STATE["in_task"] = False


def _init_worker() -> None:
    """Worker processes leave Ctrl-C to the parent, which lets the pages in progress finish
    (so every file written is whole) and cancels the rest. SIGTERM, sent when the user
    insists, removes the output being written, then ends the worker."""
    import signal

    def on_term(_signum: int, _frame: Any) -> None:
        if _STATE.get("in_task"):
            raise _Terminated()
        os._exit(143)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, on_term)


# --- executors ---------------------------------------------------------------------------


class _Pool:
    """The executor a run uses, opened lazily and closed (or torn down) at the end."""

    def __init__(self, job: ConvertJob, workers: int) -> None:
        self.job = job
        #: how many pages are converted at a time
        self.workers = workers
        #: with local processes, this process converts pages too while it waits (so
        #: ``workers`` - 1 processes are started); never with Dask, whose client stays a client
        self.helps = job.executor != "dask" and workers > 1
        self.executor: Any = None
        self._client: Any = None
        self._cluster: Any = None

    def open(self) -> Any:
        if self.job.executor == "dask":
            self.executor = self._open_dask()
        else:
            import multiprocessing
            import threading
            from concurrent.futures import ProcessPoolExecutor

            methods = multiprocessing.get_all_start_methods()
            # fork is the cheapest start and shares the loaded plugins; it is unsafe once
            # threads run, so then fall back to the platform's default.
            method = "fork" if "fork" in methods and threading.active_count() == 1 else None
            self.executor = ProcessPoolExecutor(
                max_workers=self.workers - 1 if self.helps else self.workers,
                mp_context=multiprocessing.get_context(method),
                initializer=_init_worker,
            )
            _quiet_broken_pool_noise()
        return self.executor

    def _open_dask(self) -> Any:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise OptionError(
                "--executor dask needs Dask: pip install 'protocol-convert[dask]'"
            ) from None
        if self.job.scheduler:
            try:
                self._client = Client(self.job.scheduler, timeout="5s")
            except OSError as error:
                raise OptionError(f"cannot reach the Dask scheduler at {self.job.scheduler!r}: {error}") from None
        else:
            self._cluster = LocalCluster(
                n_workers=self.workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self._client = Client(self._cluster)
        return self._client.get_executor(pure=False)

    def close(self, *, cancel: bool = False) -> None:
        """Shut the executor down, waiting for the tasks that run (``cancel``: and
        dropping those that wait). Ctrl-C during the wait stops the workers at once."""
        if self.executor is None:
            return
        executor, self.executor = self.executor, None
        if self._client is not None:
            executor.shutdown(wait=not cancel)
            self._client.close()
            if self._cluster is not None:
                self._cluster.close()
            return
        try:
            executor.shutdown(wait=True, cancel_futures=cancel)
        except KeyboardInterrupt:
            self.executor = executor
            self.terminate()
            raise

    def terminate(self) -> None:
        """Stop now: each worker gets SIGTERM, removes the temporary file it was writing
        and exits (see :func:`_init_worker`)."""
        executor, self.executor = self.executor, None
        if executor is None:
            return
        if self._client is not None:
            executor.shutdown(wait=False)
            self._client.close()
            if self._cluster is not None:
                self._cluster.close()
            return
        for process in list((getattr(executor, "_processes", None) or {}).values()):
            process.terminate()
        executor.shutdown(wait=True, cancel_futures=True)


def _run_chunk(function: Callable[..., _Outcome], calls: list[tuple[Any, ...]]) -> tuple[float, bytes]:
    """Several calls in one task (a task's round trip to a worker costs about as much as
    parsing a small page); returns the seconds they took and their outcomes, packed
    (:func:`_pack`)."""
    started = time.perf_counter()
    outcomes = [function(*call) for call in calls]
    return time.perf_counter() - started, _pack(outcomes)


_TREE_FIELDS: dict[type, tuple[str, ...]] = {}


def _pack(value: Any) -> bytes:
    """``value`` pickled with the tree's records reduced to constructor calls: parsed pages
    travel from the workers about 40% cheaper than with the dataclasses' own pickling."""
    import io
    import pickle

    if not _TREE_FIELDS:
        import dataclasses

        from . import tree

        for item in vars(tree).values():
            if isinstance(item, type) and dataclasses.is_dataclass(item):
                _TREE_FIELDS[item] = tuple(f.name for f in dataclasses.fields(item))

    class Pickler(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            names = _TREE_FIELDS.get(type(obj))
            if names is None:
                return NotImplemented
            return type(obj), tuple(getattr(obj, name) for name in names)

    buffer = io.BytesIO()
    Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def _results(
    pool: _Pool | None,
    function: Callable[..., _Outcome],
    calls: Sequence[tuple[Any, ...]],
    *,
    ordered: bool,
    stop: Callable[[], bool],
    on_interrupt: Callable[[], None] = lambda: None,
) -> Iterator[tuple[tuple[Any, ...], _Outcome]]:
    """Run ``function(*call)`` for each call and yield the outcomes: in this process when
    there is no pool, else on the pool with a bounded number of tasks queued (so memory stays
    flat), in call order when ``ordered``. Stops submitting once ``stop()``.

    Pages go in groups sized so that a task takes about :data:`TASK_SECONDS` (one page at a
    time until the first results tell how long a page takes, at most :data:`MAX_CHUNK`).

    On Ctrl-C, the tasks not started are cancelled, the running ones are waited for and
    their outcomes yielded (they are written and must be counted), ``on_interrupt`` is
    called first to say so; then :class:`KeyboardInterrupt` goes on. A second Ctrl-C stops
    the workers at once.
    """
    if pool is None:
        for call in calls:
            if stop():
                return
            yield call, function(*call)
        return
    from collections import deque
    from concurrent.futures import FIRST_COMPLETED, wait

    executor = pool.executor or pool.open()
    window = max(1, pool.workers * QUEUE_PER_WORKER)
    position = 0
    timing = {"pages": 0, "seconds": 0.0}
    queue: deque[tuple[list[tuple[Any, ...]], Any]] = deque()
    stolen: list[tuple[tuple[Any, ...], _Outcome]] = []  # a task this process is running

    def chunk_size() -> int:
        if timing["pages"] < pool.workers:
            return 1
        per_page = timing["seconds"] / timing["pages"]
        return max(1, min(MAX_CHUNK, int(TASK_SECONDS / per_page) if per_page > 0 else MAX_CHUNK))

    def refill() -> None:
        nonlocal position
        while len(queue) < window and position < len(calls) and not stop():
            chunk = list(calls[position:position + chunk_size()])
            position += len(chunk)
            queue.append((chunk, executor.submit(_run_chunk, function, chunk)))

    def take(chunk: list[tuple[Any, ...]], future: Any) -> list[tuple[tuple[Any, ...], _Outcome]]:
        import pickle
        from concurrent.futures.process import BrokenProcessPool

        try:
            seconds, packed = future.result()
        except BrokenProcessPool:
            pages = ", ".join(str(call[1]) for call in chunk if len(call) > 1)
            raise ConvertError(
                f"a worker process died (out of memory, or a crash inside a library) while converting {pages}"
            ) from None
        outcomes = pickle.loads(packed) if isinstance(packed, bytes) else packed  # (run here: not packed)
        timing["pages"] += len(chunk)
        timing["seconds"] += seconds
        return list(zip(chunk, outcomes, strict=True))

    def steal() -> bool:
        """Run here the oldest queued task no worker has started; False if there is none."""
        if not pool.helps:
            return False
        for index in range(len(queue)):
            chunk, future = queue[index]
            if not isinstance(future, _Finished) and future.cancel():
                started = time.perf_counter()
                stolen.clear()
                for call in chunk:
                    stolen.append((call, function(*call)))
                outcomes = [o for _, o in stolen]
                queue[index] = (chunk, _Finished((time.perf_counter() - started, outcomes)))
                stolen.clear()
                return True
        return False

    try:
        refill()
        while queue:
            if ordered:
                while not queue[0][1].done() and steal():
                    pass
                chunk, future = queue.popleft()
            else:
                while not any(f.done() for _, f in queue) and steal():
                    pass
                index = next((i for i, (_, f) in enumerate(queue) if isinstance(f, _Finished)), None)
                if index is None:
                    done, _ = wait([f for _, f in queue], return_when=FIRST_COMPLETED)
                    index = next(i for i, (_, f) in enumerate(queue) if f in done)
                chunk, future = queue[index]
                del queue[index]
            yield from take(chunk, future)
            if stop():
                # cancel what has not started; what has is finished (and counted)
                queue = deque((c, f) for c, f in queue if not f.cancel())
            refill()
    except KeyboardInterrupt:
        running = [(c, f) for c, f in queue if not f.cancel()]
        queue.clear()
        on_interrupt()
        yield from stolen  # the pages this process finished before Ctrl-C
        try:
            for chunk, future in running:
                try:
                    finished = take(chunk, future)
                except Exception:  # a worker that died: nothing to count
                    continue
                yield from finished
        except KeyboardInterrupt:
            pool.terminate()
        raise
    finally:
        for _, future in queue:
            future.cancel()


class _Finished:
    """A task this process ran itself, standing in the queue like a worker's future."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def done(self) -> bool:
        return True

    def cancel(self) -> bool:
        return False

    def result(self) -> Any:
        return self.value


# --- progress and messages --------------------------------------------------------------


class _Reporter:
    """Error lines, the progress bar (only on a terminal) and the counts."""

    def __init__(self, echo: Callable[[str], None], total: int, show: bool) -> None:
        self.echo = echo
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
        self.summary.failures.append(failure)
        self.say(f"protocol-convert: error: {failure.message}")

    def say(self, message: str) -> None:
        if self.bar is not None:
            self.bar.clear()
            self.echo(message)
            self.bar.refresh()
        else:
            self.echo(message)

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
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


# --- writing -----------------------------------------------------------------------------


def _write_stdout(registry: Registry, fmt: str, documents: Any, options: dict[str, Any],
                  captures: str = "latest") -> None:
    exporter = registry.exporter(fmt)
    if sys.stdout.isatty() and not exporter.media_type.startswith(("text/", "application/json")) \
            and not exporter.media_type.endswith("+xml"):
        raise OutputError(f"{fmt} is a binary format: give a file with -o, not a terminal")
    from .api import export

    if exporter.streaming:
        export(documents, fmt, sys.stdout.buffer, options=options, registry=registry, captures=captures)
        sys.stdout.buffer.flush()
        return
    data = export(list(documents), fmt, options=options, registry=registry, captures=captures)
    assert data is not None
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


class _Stop(BaseException):
    """Ends a streamed collection early (``fail_fast``). A BaseException, as GeneratorExit
    is, so that neither the export wrapper nor an exporter's own ``except Exception``
    takes it for the exporter's failure."""


# --- the run -----------------------------------------------------------------------------


def run_job(job: ConvertJob, registry: Registry, *, echo: Callable[[str], None]) -> int:
    """Convert every input of ``job``; return the exit status (0, or the worst error's code).

    Prints one line per failure and, for a batch, the summary line through ``echo``.
    Ctrl-C lets the pages in progress finish, cancels the rest, prints the summary and
    raises :class:`KeyboardInterrupt` again.
    """
    started = time.perf_counter()
    formats = _formats(job, registry)
    _check_format_options(job, registry, formats)
    if job.executor not in ("process", "dask"):
        raise OptionError(f"unknown executor {job.executor!r} (known: process, dask)")
    if job.jobs is not None and job.jobs < 1:
        raise OptionError(f"--jobs must be at least 1, got {job.jobs}")
    if job.inputs.count(STDIO) > 1:
        raise OptionError("standard input ('-') can be read only once")
    options = _resolved_options(job, registry, formats)

    directory_target = bool(job.output) and job.output != STDIO and _is_directory_target(job.output)
    exclude = job.output if directory_target else None
    if job.reader:
        extensions: tuple[str, ...] = registry.reader(job.reader).extensions
    else:
        extensions = tuple(sorted({e for r in registry.readers.values() for e in r.extensions}))
    sources, input_failures, expanded = expand_inputs(job.inputs, extensions=extensions, exclude=exclude)
    from .collection import CAPTURE_CHOICES
    from .streamed import streaming_reader

    if job.captures not in CAPTURE_CHOICES:
        raise OptionError(f"--captures must be one of {', '.join(CAPTURE_CHOICES)}, got {job.captures!r}")
    # inputs that hold many pages (web archives): read here, one page at a time (convert.streamed)
    streamed = {s for s in sources if streaming_reader(job, registry, s) is not None}
    batch = expanded or len(sources) + len(input_failures) > 1 or bool(streamed)

    many_outputs = len(formats) > 1 or (batch and not job.collection) or directory_target
    directory: Path | None = None
    if many_outputs:
        if not job.output or job.output == STDIO:
            raise OptionError("several outputs need -o DIRECTORY")
        directory = Path(job.output)
        if directory.exists() and not directory.is_dir():
            raise OutputError("is a file; several outputs need a directory", path=job.output)
        directory.mkdir(parents=True, exist_ok=True)

    settings = _Settings(
        reader=job.reader, encoding=job.encoding, max_size=job.max_size, force=job.force,
        options=options, disabled=tuple(job.disabled_plugins),
        # a remote cluster's disks are not flushed by this machine's os.sync
        sync_each=not batch or (job.executor == "dask" and bool(job.scheduler)),
    )
    _STATE["registry"] = registry  # this process's registry; forked workers inherit it
    _STATE["disabled"] = settings.disabled

    reporter = _Reporter(echo, len(sources), _show_progress(job) and batch)
    summary = reporter.summary
    for failure in input_failures:
        reporter.error(failure)
        summary.failed += 1
    workers = min(job.jobs or default_jobs(), max(1, len([s for s in sources if s != STDIO])))
    use_pool = job.executor == "dask" or (workers > 1 and len(sources) > 1)
    pool = _Pool(job, workers) if use_pool else None

    def stop() -> bool:
        return job.fail_fast and summary.failed > 0

    try:
        if job.collection:
            _run_collection(job, registry, formats, settings, sources, directory, pool, reporter, stop, streamed)
        else:
            _run_each(job, registry, formats, settings, sources, directory, pool, reporter, stop, streamed)
    except KeyboardInterrupt:
        summary.interrupted = True
        reporter.close()
        if pool is not None:
            try:
                pool.close(cancel=True)
            except KeyboardInterrupt:
                pass  # asked twice: the workers were stopped
            pool = None
        if batch and summary.converted and not job.collection:
            os.sync()
        summary.seconds = time.perf_counter() - started
        if batch:
            echo(summary.line())
        raise
    finally:
        reporter.close()
        if pool is not None:
            pool.close(cancel=job.fail_fast)
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
    if directory is None:
        return output or STDIO
    return os.fspath(directory / (stem + registry.exporter(fmt).extension))


def _run_each(job: ConvertJob, registry: Registry, formats: list[str], settings: _Settings, sources: list[str],
              directory: Path | None, pool: _Pool | None, reporter: _Reporter, stop: Callable[[], bool],
              streamed: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """One output per input and format (per page of an input that holds many)."""
    summary = reporter.summary
    stems = output_stems(sources) if directory is not None else [""] * len(sources)
    calls: list[tuple[Any, ...]] = []
    archives = []
    for source, stem in zip(sources, stems, strict=True):
        if source in streamed:
            archives.append((source, stem))
            continue
        targets = tuple((fmt, _target(directory, stem, registry, fmt, job.output)) for fmt in formats)
        if directory is not None and not job.force:
            missing = tuple((fmt, t) for fmt, t in targets if not os.path.lexists(t))
            summary.existing += len(targets) - len(missing)
            if not missing:
                summary.skipped += 1
                reporter.advance()
                continue
            targets = missing
        if source == STDIO or any(t == STDIO for _, t in targets):
            _convert_here(registry, settings, source, targets, reporter)
            continue
        calls.append((settings, source, targets))

    parallel = pool if len(calls) > 1 else None
    for _call, outcome in _results(parallel, _convert_task, calls, ordered=False, stop=stop,
                                   on_interrupt=reporter.interrupted):
        _count(reporter, outcome)
    from .streamed import convert_each

    for source, stem in archives:
        if stop():
            break
        convert_each(job, registry, formats, settings, source, stem, directory, reporter)


def _count(reporter: _Reporter, outcome: _Outcome) -> None:
    for failure in outcome.failures:
        reporter.error(failure)
    if outcome.failures:
        reporter.summary.failed += 1
    else:
        reporter.summary.converted += 1
    reporter.advance()


def _convert_here(registry: Registry, settings: _Settings, source: str, targets: tuple[tuple[str, str], ...],
                  reporter: _Reporter) -> None:
    """Convert one input in this process (standard input, or output to standard output)."""

    outcome = _Outcome()
    try:
        document = _read(settings, source, registry)
    except ConvertError as error:
        outcome.failures.append(Failure.of(error))
        _count(reporter, outcome)
        return
    for fmt, target in targets:
        try:
            if target == STDIO:
                _write_stdout(registry, fmt, [document], settings.options[fmt])
            else:
                _export_file(registry, document, fmt, target, settings)
        except ConvertError as error:
            outcome.failures.append(Failure.of(error))
    _count(reporter, outcome)


def _run_collection(job: ConvertJob, registry: Registry, formats: list[str], settings: _Settings,
                    sources: list[str], directory: Path | None, pool: _Pool | None, reporter: _Reporter,
                    stop: Callable[[], bool], streamed: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """One output per format holding every input (every page of an input that holds many)."""
    summary = reporter.summary
    targets = [(fmt, _target(directory, COLLECTION_STEM, registry, fmt, job.output)) for fmt in formats]
    if not job.force:
        kept = [(fmt, t) for fmt, t in targets if t == STDIO or not os.path.lexists(t)]
        if directory is not None:
            summary.existing += len(targets) - len(kept)
            if not kept:
                summary.skipped += len(sources)
                return
        else:
            for fmt, target in targets:
                if (fmt, target) not in kept:
                    from .errors import OutputExistsError

                    raise OutputExistsError("already exists (use --force to overwrite)", path=target)
        targets = kept
    if not sources:
        return

    # standard input is read here, and parsed in its place among the others; too much of it
    # is one failed input, like any other
    calls: list[tuple[Any, ...]] = []
    for source in sources:
        if source != STDIO or source in streamed:
            calls.append((settings, source, None))
            continue
        try:
            calls.append((settings, source, _read_stdin(settings)))
        except ConvertError as error:
            _count(reporter, _Outcome(failures=[Failure.of(error)]))
    parsed = [0]

    def outcomes() -> Iterator[_Outcome]:
        """Runs of ordinary inputs go through the pool; an input that holds many pages is
        read here, in its place (convert.streamed)."""
        from .streamed import StreamedInput

        start = 0
        for end in [*(i for i, call in enumerate(calls) if call[1] in streamed), len(calls)]:
            run = calls[start:end]
            parallel = pool if len(run) > 1 else None
            for _call, outcome in _results(parallel, _parse_task, run, ordered=True, stop=stop,
                                           on_interrupt=reporter.interrupted):
                yield outcome
            if end == len(calls) or stop():
                return
            pages = StreamedInput(registry, settings, calls[end][1])
            for count, outcome in enumerate(pages):
                if count:
                    reporter.grow()
                yield outcome
                if stop():
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
                if stop():
                    raise _Stop()
                continue
            reporter.advance()
            parsed[0] += 1
            assert outcome.document is not None
            yield outcome.document
        if stop():
            raise _Stop()

    streaming = [registry.exporter(fmt).streaming for fmt, _ in targets]
    written = 0
    try:
        if len(targets) == 1 and streaming[0]:
            fmt, target = targets[0]
            reporter.phase(f"writing {fmt}")
            if target == STDIO:
                _write_stdout(registry, fmt, documents(), settings.options[fmt], job.captures)
            else:
                from .api import export

                export(documents(), fmt, target, options=settings.options[fmt], force=job.force,
                       registry=registry, captures=job.captures)
            written = 1
        else:
            reporter.phase("reading")
            pages = list(documents())
            if not pages:
                return
            for fmt, target in targets:
                reporter.phase(f"writing {fmt}")
                try:
                    if target == STDIO:
                        _write_stdout(registry, fmt, pages, settings.options[fmt], job.captures)
                    else:
                        from .api import export

                        export(pages, fmt, target, options=settings.options[fmt], force=job.force,
                               registry=registry, captures=job.captures)
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
