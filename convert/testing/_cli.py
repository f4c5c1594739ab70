"""Running the command line inside a test (see :func:`run_cli`)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["CliResult", "run_cli"]


@dataclass(frozen=True)
class CliResult:
    """What :func:`run_cli` saw."""

    #: the exit status :func:`convert.cli.main` returned
    exit_code: int
    #: what was written on stdout, decoded as UTF-8
    stdout: str
    #: what was written on stderr, decoded as UTF-8
    stderr: str
    #: stdout and stderr interleaved, in the order they were written (as a terminal shows them)
    output: str


class _Recorder(io.BytesIO):
    """A binary stream that also copies every write to a log shared with another one."""

    def __init__(self, log: bytearray) -> None:
        super().__init__()
        self._log = log

    def write(self, data: Any) -> int:
        self._log += data
        return super().write(data)


def run_cli(args: Sequence[str], input: bytes | str | None = None) -> CliResult:
    """Run ``protocol-convert ARGS...`` in this process, with ``input`` on stdin (bytes, or
    text encoded as UTF-8; empty by default), and return its exit status and output::

        result = run_cli(["convert", "-", "-t", "myformat", "-o", "-"], input=page_bytes)
        assert result.exit_code == 0, result.output

    stdin, stdout and stderr are swapped for in-memory streams (with a ``buffer``, and not
    terminals) while it runs. Not thread-safe: they are the process's own ``sys`` streams.
    """
    import sys

    from ..cli import main

    log = bytearray()
    out, err = _Recorder(log), _Recorder(log)
    data = input.encode("utf-8") if isinstance(input, str) else input or b""
    streams = (
        io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"),
        io.TextIOWrapper(out, encoding="utf-8", write_through=True),
        io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace", write_through=True),
    )
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = streams
    try:
        status = main(list(args))
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return CliResult(status, *(bytes(b).decode("utf-8", "replace") for b in (out.getvalue(), err.getvalue(), log)))
