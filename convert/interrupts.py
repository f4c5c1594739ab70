"""Ctrl-C and SIGTERM in the main process of a run.

A batch must count exactly what it wrote, so its bookkeeping (a page's outputs committed,
then counted) is never cut in two by a signal. While a batch converts its pages, the
handlers installed here only *note* a signal, and the batch acts on it at its next
checkpoint (it polls for them at least every :data:`POLL_SECONDS`):

- the first Ctrl-C: start no more pages, let the ones in progress finish and count them,
  then stop (``KeyboardInterrupt``, exit status 130);
- a second Ctrl-C, or SIGTERM: stop now. Worker processes are sent SIGTERM and remove
  the temporary file they were writing; a page the main process was converting is
  abandoned where it is (its temporary file removed as the exception unwinds); the pages
  that were in progress are counted by what reached the disk. SIGTERM ends the run with
  :class:`Terminated` (exit status 143).

Outside the page phase (a single page, or a collection being written) a signal acts at once,
as usual: every output is written atomically, so nothing partial is left either way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from .errors import ControlFlow

__all__ = ["POLL_SECONDS", "Signals", "Terminated"]

#: how often a batch waiting on its workers looks at the signals noted
POLL_SECONDS = 0.05

_NORMAL, _DEFERRED, _ABANDONABLE = 0, 1, 2


class Terminated(ControlFlow):
    """The run was sent SIGTERM: it stops now (exit status 143)."""


class Signals:
    """The SIGINT and SIGTERM handlers of a run's main thread, and what they noted.

    Only handlers that are the default ones are replaced (an application embedding the
    library keeps its own); in any thread but the main one, nothing is installed.
    """

    def __init__(self) -> None:
        self.interrupts = 0
        self.terminated = False
        self._modes = [_NORMAL]
        self._previous: dict[int, Any] = {}

    # -- installing ----------------------------------------------------------------------

    def install(self) -> Signals:
        import signal
        import threading

        if threading.current_thread() is not threading.main_thread():
            return self
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous[signal.SIGINT] = signal.signal(signal.SIGINT, self._on_interrupt)
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            self._previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, self._on_terminate)
        return self

    def restore(self) -> None:
        import signal

        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous.clear()

    def __enter__(self) -> Signals:
        return self.install()

    def __exit__(self, *_exc: object) -> None:
        self.restore()

    # -- the handlers --------------------------------------------------------------------

    def _on_interrupt(self, _signum: int, _frame: Any) -> None:
        self.interrupts += 1
        self._act()

    def _on_terminate(self, _signum: int, _frame: Any) -> None:
        self.terminated = True
        self._act()

    def _act(self) -> None:
        mode = self._modes[-1]
        if mode == _NORMAL or (mode == _ABANDONABLE and self.urgent):
            self.stop()

    # -- what the batch asks -------------------------------------------------------------

    @property
    def requested(self) -> bool:
        """Whether the run was asked to stop (the first Ctrl-C or more)."""
        return self.interrupts > 0 or self.terminated

    @property
    def urgent(self) -> bool:
        """Whether the run was asked to stop now (a second Ctrl-C, or SIGTERM)."""
        return self.interrupts > 1 or self.terminated

    def stop(self) -> None:
        """Raise what the signals noted ask for: :class:`Terminated` or ``KeyboardInterrupt``."""
        if self.terminated:
            raise Terminated()
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """A block in which a signal is only noted (the batch's page phase)."""
        self._modes.append(_DEFERRED)
        try:
            yield
        finally:
            self._modes.pop()

    @contextlib.contextmanager
    def abandonable(self) -> Iterator[None]:
        """Inside :meth:`deferred`: work that a stop-now signal may abandon at once (a page
        the main process converts itself). Entered when a stop-now was already asked for,
        it stops at once."""
        if self.urgent:
            self.stop()
        self._modes.append(_ABANDONABLE)
        try:
            yield
        finally:
            self._modes.pop()
