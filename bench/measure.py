"""How bench.py measures: each command in a fresh process, its time, its memory, the table.

A :class:`Row` is one timed run; :func:`measure` runs one command and reads its peak memory;
:func:`run_each`, :func:`run_interleaved` and :func:`run_once` time a set of commands;
:func:`report` prints the table and the ratios against the anchors (pandoc, calibre).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Row:
    name: str
    tool: str
    pages: int
    seconds: float
    peak_mb: float
    tree_peak_mb: float | None
    runs: int = 1
    status: str = "ok"

    @property
    def per_page_ms(self) -> float:
        return 1000 * self.seconds / self.pages if self.pages else 0.0

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


#: The environment of every measured command: this one, except that Python may cache its
#: bytecode (as it does after a normal install): a PYTHONDONTWRITEBYTECODE left in the
#: environment would make every "cold" run recompile protocol-convert from source.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


#: How often the process tree's memory is sampled: each sample walks /proc (1-3 ms of CPU),
#: so sampling more often would take a noticeable share of a 2-core machine from the run.
SAMPLE_SECONDS = 0.05


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        process = psutil.Process(pid)
        total = process.memory_info().rss
        for child in process.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total
    except psutil.Error:
        return 0


def measure(command: list[str], *, cwd: Path | None = None) -> tuple[float, float, float | None, int]:
    """Run ``command``; return (seconds, peak RSS of the largest process in MB, peak summed
    RSS of its process tree in MB or None, exit status)."""
    try:
        import psutil  # noqa: F401

        sampling = True
    except ImportError:
        sampling = False
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    peak_tree = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak_tree[0] = max(peak_tree[0], _tree_rss(process.pid))
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True) if sampling else None
    if sampler is not None:
        sampler.start()
    stderr_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr_chunks.append(process.stderr.read()), daemon=True)
    reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    if sampler is not None:
        sampler.join()
    reader.join()
    if process.returncode not in (0,):
        tail = b"".join(stderr_chunks).decode(errors="replace").strip().splitlines()[-3:]
        print(f"  ! {' '.join(command[:4])} ... exited {process.returncode}: {' | '.join(tail)}", file=sys.stderr)
    peak = usage.ru_maxrss / 1024  # KB on Linux
    return seconds, peak, (peak_tree[0] / 2**20 if sampling else None), process.returncode


def protocol_convert() -> list[str]:
    beside = Path(sys.executable).parent / "protocol-convert"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("protocol-convert")
    return [found] if found else [sys.executable, "-m", "convert"]


def builtin_formats(tool: list[str]) -> list[tuple[str, str]]:
    listing = subprocess.run([*tool, "formats", "--json"], capture_output=True, check=True).stdout
    rows = json.loads(listing)
    return sorted((r["name"], r["extension"]) for r in rows
                  if r["kind"] == "exporter" and r.get("distribution") == "protocol-convert")


def startup(tool: list[str], runs: int = 21) -> dict[str, float]:
    """``protocol-convert --help``: wall time over ``runs`` cold processes (median and best),
    and the time spent importing, from ``python -X importtime`` (the sum of every module's
    own import time: what lazy imports keep down)."""
    import statistics

    subprocess.run([*tool, "--help"], env=ENV, capture_output=True, check=False)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*tool, "--help"], env=ENV, capture_output=True, check=False)
        times.append(1000 * (time.perf_counter() - started))
    python = Path(tool[0]).with_name("python") if Path(tool[0]).name == "protocol-convert" else Path(sys.executable)
    imports = []
    for _ in range(5):
        log = subprocess.run([str(python), "-X", "importtime", "-m", "convert", "--help"], env=ENV,
                             capture_output=True, text=True, check=False).stderr
        total = 0
        for line in log.splitlines():
            if line.startswith("import time:") and "self [us]" not in line:
                total += int(line.split(":", 1)[1].split("|")[0])
        imports.append(total / 1000)
    return {"help_median_ms": statistics.median(times), "help_best_ms": min(times),
            "import_ms": min(imports), "runs": runs}


def run_each(name: str, tool: str, commands: list[list[str]], pages: int) -> Row:
    """Each command in its own process; the first is run once more beforehand, untimed, so
    that every timed run finds the bytecode cached and the files in the page cache."""
    subprocess.run(commands[0], env=ENV, capture_output=True, check=False)
    Path(commands[0][-1]).unlink(missing_ok=True)  # the output path is the last argument
    total = 0.0
    peak = 0.0
    tree: float | None = 0.0
    failures = 0
    for command in commands:
        seconds, largest, summed, status = measure(command)
        total += seconds
        peak = max(peak, largest)
        tree = None if summed is None or tree is None else max(tree, summed)
        failures += status != 0
    return Row(name, tool, pages, total, peak, tree, runs=len(commands),
               status="ok" if not failures else f"{failures} failed")


def run_interleaved(name: str, runs: list[tuple[str, list[list[str]]]], pages: int) -> list[Row]:
    """Like :func:`run_each` for several tools at once, taking turns page by page."""
    for _, commands in runs:
        warm = commands[0]
        subprocess.run(warm, env=ENV, capture_output=True, check=False)
        if "-c" not in warm:  # every other command writes its output to its last argument
            Path(warm[-1]).unlink(missing_ok=True)
    totals = {tool: [0.0, 0.0, 0.0, 0] for tool, _ in runs}  # seconds, peak, tree peak, failures
    for index in range(len(runs[0][1])):
        for tool, commands in runs:
            seconds, largest, summed, status = measure(commands[index])
            total = totals[tool]
            total[0] += seconds
            total[1] = max(total[1], largest)
            total[2] = max(total[2], summed or 0.0)
            total[3] += status != 0
    return [Row(name, tool, pages, t[0], t[1], t[2] or None, runs=len(runs[0][1]),
                status="ok" if not t[3] else f"{t[3]} failed") for tool, t in totals.items()]


def run_once(name: str, tool: str, command: list[str], pages: int) -> Row:
    seconds, peak, tree, status = measure(command)
    return Row(name, tool, pages, seconds, peak, tree, status="ok" if status == 0 else f"exit {status}")


def report(rows: list[Row]) -> None:
    print()
    print(f"| {'run':<46} | {'tool':<17} | {'pages':>6} | {'total s':>8} | {'ms/page':>8} | {'pages/s':>8} "
          f"| {'peak MB':>8} | {'tree MB':>8} |")
    print(f"|{'-' * 48}|{'-' * 19}|{'-' * 8}:|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|")
    for r in rows:
        if r.status.endswith("not found"):
            print(f"| {r.name:<46} | {r.tool:<17} | {r.pages:>6} | {r.status + ': skipped':>55} |")
            continue
        tree = f"{r.tree_peak_mb:8.0f}" if r.tree_peak_mb is not None else f"{'-':>8}"
        flag = "" if r.status == "ok" else f" ({r.status})"
        print(f"| {r.name + flag:<46} | {r.tool:<17} | {r.pages:>6} | {r.seconds:8.2f} | {r.per_page_ms:8.1f} "
              f"| {r.pages_per_second:8.1f} | {r.peak_mb:8.0f} | {tree} |")
    print()

    def find(name: str, tool: str) -> Row | None:
        for r in rows:
            if r.name == name and r.tool == tool and r.status == "ok":
                return r
        return None

    def ratio(label: str, name: str, anchor: str) -> None:
        ours, theirs = find(name, "protocol-convert"), find(name, anchor)
        if ours is None or theirs is None:
            why = f"{anchor} not run" if theirs is None else "format not available"
            print(f"- {label}: no ratio against {anchor} ({why})")
            return
        speed = theirs.per_page_ms / ours.per_page_ms if ours.per_page_ms else float("inf")
        ours_mem = ours.tree_peak_mb or ours.peak_mb
        theirs_mem = theirs.tree_peak_mb or theirs.peak_mb
        verdict = f"{speed:.1f}x faster than" if speed >= 1 else f"{1 / speed:.1f}x slower than"
        print(f"- {label}: protocol-convert {verdict} {anchor} "
              f"({ours.per_page_ms:.1f} vs {theirs.per_page_ms:.1f} ms/page); peak memory "
              f"{ours_mem:.0f} MB vs {theirs_mem:.0f} MB ({ours_mem / theirs_mem:.2f} of {anchor}'s)")

    for label, name, anchors in (
        ("one EPUB from all pages", "one file for all pages -> epub", ("pandoc",)),
        ("one DOCX from all pages", "one file for all pages -> docx", ("pandoc",)),
        ("a single page to EPUB, cold CLI", "one process per page -> epub", ("pandoc", "calibre", "ebooklib floor")),
        ("a single page to DOCX, cold CLI", "one process per page -> docx", ("pandoc", "python-docx floor")),
        ("a DOCX per page, one process", "one process, a file per page -> docx", ("python-docx floor",)),
    ):
        for anchor in anchors:
            ratio(label, name, anchor)
    for r in rows:
        if r.tool == "calibre" and r.name.startswith("one file for the first"):
            ratio(f"one EPUB from the first {r.pages} pages", r.name, "calibre")
    for fmt, floor_name in (("epub", "ebooklib floor"), ("docx", "python-docx floor")):
        ours, floor = find(f"one process per page -> {fmt}", "protocol-convert"), find(
            f"one process per page -> {fmt}", floor_name)
        if ours is not None and floor is not None:
            print(f"- one page to {fmt.upper()}, cold CLI: the {floor_name} + "
                  f"{ours.per_page_ms - floor.per_page_ms:.1f} ms ({floor.per_page_ms:.1f} ms + the rest)")
    bare = find("one process per page -> epub", "python start-up")
    if bare is not None:
        print(f"- Python's bare start: {bare.per_page_ms:.1f} ms")
