"""Running a batch's pages on worker processes (or a Dask cluster), and surviving them.

:func:`results` runs a function over a list of calls (one call per page) and yields each
call's :class:`Outcome`: in this process, or on a :class:`Pool` with a bounded number of
tasks queued (memory stays flat), the main process helping while it waits.

What can go wrong, and what happens:

- **A worker dies** (killed, out of memory, a crash in a native library): every task it
  shared the pool with fails, and no one can tell which page it held. The pages of those
  tasks are converted again, one at a time, each alone on a fresh worker; one that kills
  its worker again is reported in one line naming it, and the run goes on. The outputs a
  dead worker had already written are kept (they are whole: writes are atomic) and its
  temporary files are removed.
- **Ctrl-C and SIGTERM** (see :mod:`convert.interrupts`): noted by the main process and
  acted upon here, between pages, so that what is counted is exactly what was written.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import ControlFlow, ConvertError, OptionError
from .interrupts import POLL_SECONDS, Signals, Terminated
from .tree import Document

__all__ = ["Failure", "Outcome", "Pool", "Work", "results"]

EXIT_INTERNAL = 70
#: How many tasks per worker are queued ahead: enough to keep workers busy, few enough that
#: parsed pages waiting to be written (collection mode) stay a handful.
QUEUE_PER_WORKER = 4
#: At most this many pages go to a worker as one task ...
MAX_CHUNK = 8
#: ... and no more than take about this long (so Ctrl-C and --fail-fast stop soon).
TASK_SECONDS = 0.05
#: Pages named in one message at most (the others are counted).
NAMED_PAGES = 5


@dataclass(frozen=True)
class Failure:
    """One problem with one input or output, reported in one line.

    ``kind`` is the error's class name (``OutputExistsError``) and ``kinds`` those of its
    classes, itself first (:meth:`is_a` tests them: the error itself stays in the worker, and
    a plugin's class may not be importable where the failure is read); ``remedy`` is the
    error's :attr:`~convert.errors.ConvertError.remedy`, and ``traceback`` its traceback,
    causes included (``--debug`` shows it).
    """

    message: str
    exit_code: int = 1
    kind: str = "ConvertError"
    remedy: str | None = None
    traceback: str | None = field(default=None, compare=False, repr=False)
    kinds: tuple[str, ...] = ()

    @classmethod
    def of(cls, error: BaseException) -> Failure:
        import traceback

        trace = "".join(traceback.format_exception(error)) if error.__traceback__ is not None else None
        kinds = tuple(k.__name__ for k in type(error).__mro__ if issubclass(k, BaseException))
        if isinstance(error, ConvertError):
            return cls(str(error), error.exit_code, type(error).__name__, error.remedy, trace, kinds)
        detail = str(error).splitlines()[0] if str(error) else ""
        return cls(f"internal error: {type(error).__name__}: {detail}".rstrip(": "), EXIT_INTERNAL,
                   type(error).__name__, None, trace, kinds)

    def is_a(self, error_class: type[BaseException]) -> bool:
        """Whether the error was an instance of ``error_class`` (by class name)."""
        return error_class.__name__ in (self.kinds or (self.kind,))


@dataclass
class Outcome:
    """What converting (or reading) one page gave: the document (collections), the failures,
    and warnings about the input (one line each)."""

    document: Document | None = None
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: the outputs written (a conversion's)
    written: list[str] = field(default_factory=list)


def _nothing_landed(_call: tuple[Any, ...]) -> Outcome | None:
    return None


def _unchanged(call: tuple[Any, ...]) -> tuple[Any, ...]:
    return call


def _no_targets(_call: tuple[Any, ...]) -> Iterable[str]:
    return ()


class Work:
    """What :func:`results` runs for each call, and what it needs to know about a call
    whose worker was lost.

    ``landed(call)`` is the outcome of a call all of whose outputs reached the disk (None
    when some did not, or when the call writes nothing); ``remaining(call)`` is the call
    reduced to the outputs not yet written; ``targets(call)`` its output paths.
    """

    __slots__ = ("function", "landed", "remaining", "targets")

    def __init__(self, function: Callable[..., Outcome], *,
                 landed: Callable[[tuple[Any, ...]], Outcome | None] = _nothing_landed,
                 remaining: Callable[[tuple[Any, ...]], tuple[Any, ...]] = _unchanged,
                 targets: Callable[[tuple[Any, ...]], Iterable[str]] = _no_targets) -> None:
        self.function = function
        self.landed = landed
        self.remaining = remaining
        self.targets = targets

    @staticmethod
    def page(call: tuple[Any, ...]) -> str:
        return str(call[1]) if len(call) > 1 else "?"


if TYPE_CHECKING:  # (a Protocol class costs its import time for annotations alone)
    from typing import Protocol

    class Events(Protocol):
        """Where :func:`results` reports what the user should know at once."""

        def interrupted(self) -> None: ...

        def warning(self, message: str) -> None: ...


# --- the worker side --------------------------------------------------------------------

#: per-process state: the registry workers use (inherited from the parent when forked), and
#: whether a task is running (SIGTERM then unwinds it, removing its temporary file)
STATE: dict[str, Any] = {"in_task": False}


class WorkerStopped(ControlFlow):
    """Raised in a worker asked to stop (SIGTERM) while converting, so that the output being
    written is removed before the worker exits."""


def init_worker() -> None:
    """Worker processes leave Ctrl-C to the parent, which lets the pages in progress finish
    (so every file written is whole) and cancels the rest. SIGTERM, sent when the user
    insists, removes the output being written, then ends the worker."""
    import signal

    def on_term(_signum: int, _frame: Any) -> None:
        if STATE.get("in_task"):
            raise WorkerStopped()
        os._exit(143)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, on_term)


def in_task(function: Callable[[], Outcome]) -> Outcome:
    """Run one page's work as a task: SIGTERM meanwhile unwinds it (removing the output
    being written), then ends the process."""
    try:
        STATE["in_task"] = True
        return function()
    except WorkerStopped:
        os._exit(143)
    finally:
        STATE["in_task"] = False


def _run_chunk(function: Callable[..., Outcome], calls: list[tuple[Any, ...]]) -> tuple[float, bytes]:
    """Several calls in one task (a task's round trip to a worker costs about as much as
    parsing a small page); returns the seconds they took and their outcomes, packed
    (:func:`pack`). A SIGTERM landing anywhere in it ends the worker (a worker that
    outlived it would keep its pool from ever closing)."""
    try:
        started = time.perf_counter()
        outcomes = [function(*call) for call in calls]
        return time.perf_counter() - started, pack(outcomes)
    except WorkerStopped:
        os._exit(143)


_TREE_FIELDS: dict[type, tuple[str, ...]] = {}


def pack(value: Any) -> bytes:
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


# --- executors ---------------------------------------------------------------------------


class Pool:
    """The executor a run uses, opened lazily, reopened after a worker died, and closed (or
    torn down) at the end.

    ``workers`` pages are converted at a time; with local processes the main process
    converts pages too while it waits (so ``workers`` - 1 processes are started), never
    with Dask, whose client stays a client.
    """

    def __init__(self, workers: int, *, executor: str = "process", scheduler: str | None = None) -> None:
        self.workers = workers
        self.kind = executor
        self.scheduler = scheduler
        self.helps = executor != "dask" and workers > 1
        self.executor: Any = None
        self._client: Any = None
        self._cluster: Any = None

    def open(self) -> Any:
        if self.kind == "dask":
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
                initializer=init_worker,
            )
            _quiet_broken_pool_noise()
        return self.executor

    def _open_dask(self) -> Any:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise OptionError("--executor dask needs Dask: pip install 'protocol-convert[dask]'") from None
        if self.scheduler:
            try:
                self._client = Client(self.scheduler, timeout="5s")
            except OSError as error:
                raise OptionError(f"cannot reach the Dask scheduler at {self.scheduler!r}: {error}") from None
        else:
            self._cluster = LocalCluster(
                n_workers=self.workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self._client = Client(self._cluster)
        return self._client.get_executor(pure=False)

    def processes(self) -> list[Any]:
        """The local worker processes (to tell how one died)."""
        return list((getattr(self.executor, "_processes", None) or {}).values())

    def discard(self) -> None:
        """Forget a broken executor (its manager stops its workers: any still alive after
        a grace period is killed, so that the manager is never left waiting)."""
        executor, self.executor = self.executor, None
        if executor is not None and self._client is None:
            _end(list((getattr(executor, "_processes", None) or {}).values()), terminate=False)
            executor.shutdown(wait=True, cancel_futures=True)

    def close(self, *, cancel: bool = False) -> None:
        """Shut the executor down, waiting for the tasks that run (``cancel``: and
        dropping those that wait)."""
        if self.executor is None:
            return
        executor, self.executor = self.executor, None
        if self._client is not None:
            executor.shutdown(wait=not cancel)
            self._client.close()
            if self._cluster is not None:
                self._cluster.close()
            return
        executor.shutdown(wait=True, cancel_futures=cancel)

    def terminate(self) -> None:
        """Stop now: each worker gets SIGTERM, removes the temporary file it was writing
        and exits (see :func:`init_worker`)."""
        executor, self.executor = self.executor, None
        if executor is None:
            return
        if self._client is not None:
            executor.shutdown(wait=False)
            self._client.close()
            if self._cluster is not None:
                self._cluster.close()
            return
        _end(list((getattr(executor, "_processes", None) or {}).values()), terminate=True)
        executor.shutdown(wait=True, cancel_futures=True)


def _end(processes: Sequence[Any], *, terminate: bool, grace: float = 5.0) -> None:
    """Send SIGTERM to ``processes`` (when ``terminate``), give them ``grace`` seconds to
    remove their temporary files and exit, then kill the ones still alive."""
    if terminate:
        for process in processes:
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(timeout=max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join(timeout=grace)


def _how_it_died(processes: Sequence[Any]) -> str:
    """What ended the worker that died: "killed by signal 9 (SIGKILL)", "exit status 3"."""
    import signal

    for process in processes:
        process.join(timeout=1)
    codes = [p.exitcode for p in processes if p.exitcode not in (None, 0, 143, -signal.SIGTERM)]
    if not codes:
        return "out of memory, or a crash inside a library"
    code = codes[0]
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "?"
        return f"killed by signal {-code} ({name})"
    return f"it exited with status {code}"


# --- running the calls -------------------------------------------------------------------


class _Task:
    """One group of calls in the queue: submitted (``future``), finished (``outcomes``), or
    waiting to be run alone after a worker died (``isolated``, no future yet)."""

    __slots__ = ("calls", "future", "isolated", "outcomes")

    def __init__(self, calls: list[tuple[Any, ...]], future: Any = None, *,
                 outcomes: list[tuple[tuple[Any, ...], Outcome]] | None = None, isolated: bool = False) -> None:
        self.calls = calls
        self.future = future
        self.outcomes = outcomes
        self.isolated = isolated

    def ready(self) -> bool:
        return self.outcomes is not None or (self.future is not None and self.future.done())


class _StopNow(Exception):
    pass


def _here(work: Work, calls: Sequence[tuple[Any, ...]], stop: Callable[[], bool],
          signals: Signals) -> Iterator[tuple[tuple[Any, ...], Outcome]]:
    """The calls run in this process, one by one, between checkpoints."""
    for call in calls:
        if stop() or signals.requested:
            break
        try:
            with signals.abandonable():
                outcome = work.function(*call)
        except (KeyboardInterrupt, Terminated):
            landed = work.landed(call)  # stopped at once: count it by what reached the disk
            if landed is not None:
                yield call, landed
            raise
        yield call, outcome
    if signals.requested:
        signals.stop()


def results(
    pool: Pool | None,
    work: Work,
    calls: Sequence[tuple[Any, ...]],
    *,
    ordered: bool,
    stop: Callable[[], bool],
    signals: Signals,
    events: Events,
) -> Iterator[tuple[tuple[Any, ...], Outcome]]:
    """Run ``work.function(*call)`` for each call and yield ``(call, outcome)``: in this
    process when there is no pool, else on the pool with a bounded number of tasks queued,
    in call order when ``ordered``. Stops submitting once ``stop()``.

    Pages go in groups sized so that a task takes about :data:`TASK_SECONDS` (one page at a
    time until the first results tell how long a page takes, at most :data:`MAX_CHUNK`).
    The signals noted by ``signals`` are acted upon between pages (see
    :mod:`convert.interrupts`); a worker that dies is survived (see the module's text).
    """
    if pool is None:
        yield from _here(work, calls, stop, signals)
        return
    runner = _Runner(pool, work, calls, ordered=ordered, stop=stop, signals=signals, events=events)
    yield from runner.run()


class _Runner:
    def __init__(self, pool: Pool, work: Work, calls: Sequence[tuple[Any, ...]], *, ordered: bool,
                 stop: Callable[[], bool], signals: Signals, events: Events) -> None:
        self.pool, self.work, self.calls = pool, work, calls
        self.ordered, self.stop, self.signals, self.events = ordered, stop, signals, events
        self.queue: deque[_Task] = deque()
        self.position = 0
        self.draining = False
        self.timing = {"pages": 0, "seconds": 0.0}

    # -- submitting ----------------------------------------------------------------------

    def executor(self) -> Any:
        return self.pool.executor or self.pool.open()

    def chunk_size(self) -> int:
        if self.timing["pages"] < self.pool.workers:
            return 1
        per_page = self.timing["seconds"] / self.timing["pages"]
        return max(1, min(MAX_CHUNK, int(TASK_SECONDS / per_page) if per_page > 0 else MAX_CHUNK))

    def refill(self) -> None:
        if self.draining:
            return
        waiting = [t for t in self.queue if t.isolated and t.outcomes is None]
        if waiting:  # after a worker died: one page at a time, alone, until those are done
            if not any(t.future is not None for t in waiting):
                self.submit_isolated(waiting[0])
            return
        window = max(1, self.pool.workers * QUEUE_PER_WORKER)
        while len(self.queue) < window and self.position < len(self.calls) and not self.stop():
            chunk = list(self.calls[self.position:self.position + self.chunk_size()])
            future = self.submit(chunk)
            if future is None:
                return
            self.position += len(chunk)
            self.queue.append(_Task(chunk, future))

    def submit(self, calls: list[tuple[Any, ...]]) -> Any:
        """The future of ``calls`` run as one task; None when the pool just broke (a worker
        died): the futures it held will say so, and their pages are dealt with then."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self.executor().submit(_run_chunk, self.work.function, calls)
        except BrokenProcessPool:
            if any(t.future is not None and t.outcomes is None for t in self.queue):
                return None
            self.pool.discard()  # it died holding no page: a fresh pool
            return self.executor().submit(_run_chunk, self.work.function, calls)

    def submit_isolated(self, task: _Task) -> None:
        (call,) = task.calls
        landed = self.work.landed(call)
        if landed is not None:  # the dead worker had written it all
            task.outcomes = [(call, landed)]
            return
        task.future = self.submit([self.work.remaining(call)])

    def steal(self) -> bool:
        """Run here the oldest queued task no worker has started; False if there is none.
        A stop-now meanwhile leaves the task with the outcomes of the calls it finished."""
        if not self.pool.helps or self.draining:
            return False
        for task in self.queue:
            if task.outcomes is None and not task.isolated and task.future is not None and task.future.cancel():
                started = time.perf_counter()
                task.outcomes = []
                for call in task.calls:
                    with self.signals.abandonable():
                        outcome = self.work.function(*call)
                    task.outcomes.append((call, outcome))
                self.timing["pages"] += len(task.calls)
                self.timing["seconds"] += time.perf_counter() - started
                return True
        return False

    # -- taking --------------------------------------------------------------------------

    def take(self, task: _Task) -> list[tuple[tuple[Any, ...], Outcome]] | None:
        """The outcomes of a ready task; None if its worker pool broke."""
        import pickle
        from concurrent.futures import CancelledError
        from concurrent.futures.process import BrokenProcessPool

        if task.outcomes is not None:
            return task.outcomes
        try:
            seconds, packed = task.future.result()
        except BrokenProcessPool:
            return None
        except CancelledError:
            return []
        except Exception as exc:  # a cluster's own report of a lost worker (dask's KilledWorker...)
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return [(call, Outcome(failures=[Failure(f"{Work.page(call)}: a worker failed while converting it: "
                                                     f"{detail}")])) for call in task.calls]
        self.timing["pages"] += len(task.calls)
        self.timing["seconds"] += seconds
        return list(zip(task.calls, pickle.loads(packed), strict=True))

    def next_ready(self) -> _Task | None:
        """The next task to take (the oldest, when ordered), waiting for one; None when the
        queue is empty. The signals are looked at every :data:`POLL_SECONDS`."""
        from concurrent.futures import FIRST_COMPLETED, wait

        while True:
            if self.signals.urgent:
                raise _StopNow()
            if self.signals.requested and not self.draining:
                self.start_draining()
            if not self.queue:
                return None
            candidates = [self.queue[0]] if self.ordered else list(self.queue)
            ready = next((t for t in candidates if t.ready()), None)
            if ready is not None:
                self.queue.remove(ready)
                return ready
            if self.steal():
                continue
            futures = [t.future for t in candidates if t.future is not None]
            if not futures:  # an isolated task not yet submitted heads an ordered queue
                self.refill()
                continue
            wait(futures, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)

    def start_draining(self) -> None:
        """The first Ctrl-C: start nothing more; the tasks running finish and are counted."""
        self.draining = True
        self.events.interrupted()
        self.queue = deque(t for t in self.queue
                           if t.outcomes is not None or (t.future is not None and not t.future.cancel()))

    # -- a worker died -------------------------------------------------------------------

    def worker_died(self, broken: _Task) -> None:
        """Put the pages of every task the broken pool held back in the queue, each to be
        run alone; a page that was alone when its worker died is that page's failure."""
        how = _how_it_died(self.pool.processes())
        self.pool.discard()
        tasks = [broken, *self.queue]
        self.queue.clear()
        suspects: list[tuple[Any, ...]] = []
        for task in tasks:
            outcomes = None if task is broken or not task.ready() else self.take(task)
            if outcomes is not None:
                self.queue.append(_Task(task.calls, outcomes=outcomes))
                continue
            if task.isolated and task.future is None:  # waiting its turn to run alone: it still waits
                self.queue.append(task)
                continue
            for call in task.calls:
                self.remove_temporaries(call)
                if task.isolated:  # it was alone: this page kills its worker
                    failure = Failure(f"{Work.page(call)}: a worker process died while converting it ({how})")
                    outcome = self.work.landed(call) or Outcome(failures=[failure])
                    self.queue.append(_Task([call], outcomes=[(call, outcome)]))
                else:
                    suspects.append(call)
                    self.queue.append(_Task([call], isolated=True))
        if suspects:
            pages = [Work.page(c) for c in suspects]
            named = ", ".join(pages[:NAMED_PAGES])
            if len(pages) > NAMED_PAGES:
                named += f" and {len(pages) - NAMED_PAGES} more"
            self.events.warning(f"a worker process died ({how}) while converting {named}: "
                                "converting each again, alone")

    def remove_temporaries(self, call: tuple[Any, ...]) -> None:
        from .textio import remove_stale_temporaries

        for target in self.work.targets(call):
            remove_stale_temporaries(target)

    # -- stopping now --------------------------------------------------------------------

    def stop_now(self) -> Iterator[tuple[tuple[Any, ...], Outcome]]:
        """A second Ctrl-C or SIGTERM: stop the workers; yield what is known finished, and
        the pages that were in progress by what reached the disk."""
        self.pool.terminate()
        for task in self.queue:
            finished = (self.take(task) if task.ready() else None) or []
            yield from finished
            for call in task.calls[len(finished):]:
                self.remove_temporaries(call)
                landed = self.work.landed(call)
                if landed is not None:
                    yield call, landed
        self.queue.clear()
        self.signals.stop()

    # -- the loop ------------------------------------------------------------------------

    def run(self) -> Iterator[tuple[tuple[Any, ...], Outcome]]:
        try:
            self.refill()
            while True:
                task = self.next_ready()
                if task is None:
                    break
                finished = self.take(task)
                if finished is None:
                    self.worker_died(task)
                    self.refill()
                    continue
                yield from finished
                if self.stop():
                    # cancel what has not started; what has is finished (and counted)
                    self.queue = deque(t for t in self.queue if t.outcomes is not None
                                       or (t.future is not None and not t.future.cancel()))
                self.refill()
        except _StopNow:
            yield from self.stop_now()
        except (KeyboardInterrupt, Terminated):  # a stop-now while this process converted a page
            yield from self.stop_now()
        if self.draining:
            self.signals.stop()

