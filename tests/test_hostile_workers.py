"""Fault injection, workers and signals: a killed worker is survived and named, SIGTERM ends
the workers and leaves nothing, and Ctrl-C's summary counts exactly the files written
(issue 15, class 6)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time

import pytest
from hostile import (
    CLI,
    SLOW_EXPORTER,
    Snapshot,
    alive,
    assert_nothing_partial,
    children,
    error_lines,
    page_copy,
    plugin_site,
    wait_for,
)

from convert.interrupts import Signals
from convert.workers import Outcome, Pool, Work, results

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and fork")

WHOLE = b"{" + b" " * 20 + b"}"
class Events:
    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.interruptions = 0

    def interrupted(self) -> None:
        self.interruptions += 1

    def warning(self, message: str) -> None:
        self.warnings.append(message)


def convert_or_die(_settings: object, source: str, target: object) -> Outcome:
    """A page's work; the page named "killer" kills the worker process converting it (never
    the main process, which stays alive to tell), after starting to write its output."""
    if source == "killer" and multiprocessing.parent_process() is not None:
        if target is not None:
            from convert.textio import atomic_output

            with atomic_output(str(target)) as stream:
                stream.write(b"half an output")
                stream.flush()
                os.kill(os.getpid(), signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.01)
    return Outcome(notes=[f"done {source}"])


@pytest.mark.parametrize("ordered", [False, True])
def test_a_page_that_kills_its_worker_is_named_and_the_run_goes_on(tmp_path, ordered):
    sources = [f"p{i}" for i in range(12)]
    sources[4] = "killer"
    calls = [(None, source, tmp_path / f"{source}.out") for source in sources]
    pool = Pool(3)
    pool.helps = False  # every page in a worker: the main process must not be the one killed
    events = Events()
    work = Work(convert_or_die, targets=lambda call: [str(call[2])])
    try:
        got = list(results(pool, work, calls, ordered=ordered, stop=lambda: False, signals=Signals(), events=events))
    finally:
        pool.close()
    by_source = {call[1]: outcome for call, outcome in got}
    assert sorted(by_source) == sorted(sources)  # every page has its outcome, once
    if ordered:
        assert [call[1] for call, _ in got] == sources
    [failure] = by_source["killer"].failures
    assert failure.message == "killer: a worker process died while converting it (killed by signal 9 (SIGKILL))"
    assert all(not o.failures and o.notes == [f"done {s}"] for s, o in by_source.items() if s != "killer")
    assert len(events.warnings) == 1 and "a worker process died (killed by signal 9 (SIGKILL))" in events.warnings[0]
    assert "killer" in events.warnings[0] and events.warnings[0].endswith("converting each again, alone")
    assert_nothing_partial(tmp_path)  # the dead worker's temporary file is removed


def _start(tmp_path, pages: int, *extra: str) -> tuple[subprocess.Popen[bytes], object, object]:
    env = plugin_site(tmp_path / "site", "slowplugin", SLOW_EXPORTER)
    source = tmp_path / "pages"
    for index in range(pages):
        page_copy(source, f"p{index:03}.txt")
    out = tmp_path / "out"
    process = subprocess.Popen([*CLI, str(source), "-t", "slow", "-o", str(out), *extra], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, start_new_session=True)
    return process, source, out


def _outputs(out: object) -> list[object]:
    return [p for p in out.iterdir() if p.suffix == ".slow"] if out.exists() else []  # type: ignore[attr-defined]


def _check_outputs(out: object, stderr: str) -> int:
    files = list(out.iterdir())  # type: ignore[attr-defined]
    assert all(p.suffix == ".slow" for p in files), [p.name for p in files if p.suffix != ".slow"]
    assert all(p.read_bytes() == WHOLE for p in files)  # every file that exists is whole
    assert f"converted {len(files)}, skipped 0, failed 0" in stderr, stderr
    return len(files)


def test_a_worker_killed_from_outside_is_survived(tmp_path):
    process, source, out = _start(tmp_path, 30, "-j", "3")
    snapshot = Snapshot(source)
    assert wait_for(lambda: len(_outputs(out)) >= 3 and children(process.pid))
    os.kill(children(process.pid)[0], signal.SIGKILL)
    _, stderr = process.communicate(timeout=120)
    text = stderr.decode()
    assert process.returncode == 0, text
    assert "Traceback" not in text and not error_lines(text)
    [warning] = [line for line in text.splitlines() if line.startswith("protocol-convert: warning:")]
    assert "a worker process died (killed by signal 9 (SIGKILL)) while converting" in warning
    assert _check_outputs(out, text) == 30
    snapshot.assert_unchanged()


def test_sigterm_ends_the_workers_and_leaves_nothing(tmp_path):
    process, source, out = _start(tmp_path, 200, "-j", "3")
    snapshot = Snapshot(source)
    assert wait_for(lambda: len(_outputs(out)) >= 5 and len(children(process.pid)) >= 2)
    workers = children(process.pid)
    os.kill(process.pid, signal.SIGTERM)  # the main process only, as `kill PID` does
    _, stderr = process.communicate(timeout=60)
    text = stderr.decode()
    assert process.returncode == 143, text
    assert "protocol-convert: terminated" in text and "Traceback" not in text
    assert 5 <= _check_outputs(out, text) < 200
    assert wait_for(lambda: not any(alive(pid) for pid in workers), timeout=10), "workers left running"
    assert_nothing_partial(out)
    snapshot.assert_unchanged()


@pytest.mark.parametrize(("jobs", "after"), [("1", 2), ("2", 1), ("3", 4), ("3", 9), ("2", 15)])
def test_ctrl_c_counts_exactly_the_files_written(tmp_path, jobs, after):
    process, _source, out = _start(tmp_path, 150, "-j", jobs)
    assert wait_for(lambda: len(_outputs(out)) >= after)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the whole process group
    _, stderr = process.communicate(timeout=60)
    text = stderr.decode()
    assert process.returncode == 130, text
    assert "interrupted" in text and "Traceback" not in text
    assert after <= _check_outputs(out, text) < 150
    assert_nothing_partial(out)


def test_a_second_ctrl_c_stops_at_once_and_still_counts_exactly(tmp_path):
    process, _source, out = _start(tmp_path, 200, "-j", "3")
    assert wait_for(lambda: len(_outputs(out)) >= 3)
    os.killpg(process.pid, signal.SIGINT)
    time.sleep(0.01)
    os.kill(process.pid, signal.SIGINT)  # the user insists
    _, stderr = process.communicate(timeout=60)
    text = stderr.decode()
    assert process.returncode == 130, text
    assert "Traceback" not in text
    assert 3 <= _check_outputs(out, text) < 200
    assert_nothing_partial(out)
