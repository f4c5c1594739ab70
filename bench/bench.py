"""Benchmark protocol-convert against pandoc on synthetic Protocol pages.

    python bench/bench.py                      # 1,000 pages, 20-page samples, 10,000 for jsonl
    python bench/bench.py --pages 200 --jsonl-pages 0 --sample 10
    python bench/bench.py --json results.json  # also save the figures

Steps: generate N varied, seed-sized pages (bench/pages.py; the same seed gives the same
pages), then time, each in a fresh process so that memory is measured per command:

- cold CLI, one process per file: ``protocol-convert page.txt -o page.FMT`` for every
  built-in format the installed registry has, and ``pandoc -f markdown page.txt -o page.epub``
  (and ``.docx``), over a sample of the pages (``--sample``);
- one process for all pages, one output per page: ``protocol-convert pages/ -t FMT -o out/``
  (each format, then all formats at once: each page parsed once);
- one process for all pages, one output for all (a collection):
  ``protocol-convert pages/ --collection -t FMT -o all.FMT``, and
  ``pandoc -f markdown pages/*.txt -o all.epub`` (and ``.docx``);
- JSON Lines over ``--jsonl-pages`` pages (10,000 by default) into one file.

For each: total seconds, milliseconds per page, pages per second, and peak memory: the peak
resident set of the largest process (from ``wait4``'s rusage: the child and every process
it waited for) and, when psutil is installed, the peak of the whole process tree's summed RSS
sampled every 50 ms (worker processes included; pages shared after fork are counted once per
process, so this over-counts). Then the ratios against pandoc. Without pandoc the pandoc rows
are reported as skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages as synthetic

FLOOR_SCRIPT = Path(__file__).resolve().parent / "floor_epub.py"


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="pages to generate (default 1000)")
    parser.add_argument("--sample", type=int, default=20, help="pages converted one process per file (default 20)")
    parser.add_argument("--jsonl-pages", type=int, default=10000, help="pages for the JSON Lines run (0: skip)")
    parser.add_argument("--seed", type=int, default=1, help="seed for the generated pages")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs for protocol-convert (default: its own)")
    parser.add_argument("--workdir", type=Path, default=None, help="where pages and outputs go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--no-pandoc", action="store_true", help="skip the pandoc rows")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args()

    import tempfile

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="protocol-convert-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    tool = protocol_convert()
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    pandoc = None if args.no_pandoc else shutil.which("pandoc")
    formats = builtin_formats(tool)
    names = [n for n, _ in formats]
    page_dir = workdir / "pages"
    print(f"generating {args.pages} pages in {page_dir} ...", file=sys.stderr)
    shutil.rmtree(page_dir, ignore_errors=True)
    paths = synthetic.generate(args.pages, page_dir, seed=args.seed)
    sample = paths[: max(1, min(args.sample, len(paths)))]
    size = sum(p.stat().st_size for p in paths) / len(paths)
    pandoc_version = (subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
                      if pandoc else "pandoc not found")
    print(f"protocol-convert: {' '.join(tool)}; formats: {', '.join(names)}; {pandoc_version}", file=sys.stderr)
    print(f"pages: {len(paths)}, {size / 1024:.1f} KB on average; cores: {os.cpu_count()}", file=sys.stderr)

    rows: list[Row] = []
    start = startup(tool)
    print(f"  protocol-convert --help: median {start['help_median_ms']:.0f} ms, best {start['help_best_ms']:.0f} ms "
          f"over {start['runs']} runs; imports {start['import_ms']:.0f} ms (python -X importtime, best of 5)",
          file=sys.stderr)

    def fresh(name: str) -> Path:
        path = workdir / "out" / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path

    def note(row: Row) -> None:
        rows.append(row)
        print(f"  {row.name:<44} {row.seconds:8.2f} s  {row.per_page_ms:8.1f} ms/page  "
              f"{row.peak_mb:7.0f} MB", file=sys.stderr)

    # 1. cold CLI, one process per file. EPUB and DOCX are timed page by page in turn with
    # pandoc (and, for EPUB, with the ebooklib floor and Python's bare start), so that a
    # change in the machine's load touches every tool alike.
    python = str(Path(tool[0]).with_name("python")) if Path(tool[0]).name == "protocol-convert" else sys.executable
    for fmt, ext in formats:
        out = fresh(f"single-{fmt}")
        ours = [[*tool, str(p), "-o", str(out / (p.stem + ext))] for p in sample]
        if fmt not in ("epub", "docx"):
            note(run_each(f"one process per page -> {fmt}", "protocol-convert", ours, len(sample)))
            continue
        runs: list[tuple[str, list[list[str]]]] = [("protocol-convert", ours)]
        if pandoc:
            theirs = fresh(f"pandoc-single-{fmt}")
            runs.append(("pandoc", [[pandoc, "-f", "markdown", str(p), "-o", str(theirs / f"{p.stem}.{fmt}")]
                                    for p in sample]))
        if fmt == "epub":
            floor = fresh("floor-single-epub")
            runs.append(("ebooklib floor", [[python, str(FLOOR_SCRIPT), str(p), str(floor / f"{p.stem}.epub")]
                                            for p in sample]))
            runs.append(("python start-up", [[python, "-c", "pass"] for _ in sample]))
        for row in run_interleaved(f"one process per page -> {fmt}", runs, len(sample)):
            note(row)
        if not pandoc:
            rows.append(Row(f"one process per page -> {fmt}", "pandoc", len(sample), 0, 0, None, 0,
                            "pandoc not found"))

    # 2. one process, one output per page
    for fmt, _ in formats:
        out = fresh(f"batch-{fmt}")
        note(run_once(f"one process, a file per page -> {fmt}", "protocol-convert",
                      [*tool, str(page_dir), "-t", fmt, "-o", str(out), *jobs], len(paths)))
    out = fresh("batch-all")
    note(run_once(f"one process, a file per page -> all {len(names)} formats", "protocol-convert",
                  [*tool, str(page_dir), "-t", ",".join(names), "-o", str(out), *jobs], len(paths)))

    # 3. one process, one output for all pages
    for fmt, ext in formats:
        out = fresh(f"collection-{fmt}")
        note(run_once(f"one file for all pages -> {fmt}", "protocol-convert",
                      [*tool, str(page_dir), "--collection", "-t", fmt, "-o", str(out / f"all{ext}"), *jobs],
                      len(paths)))
    for fmt in ("epub", "docx"):
        if pandoc:
            out = fresh(f"pandoc-collection-{fmt}")
            note(run_once(f"one file for all pages -> {fmt}", "pandoc",
                          [pandoc, "-f", "markdown", *map(str, paths), "-o", str(out / f"all.{fmt}")], len(paths)))
        else:
            rows.append(Row(f"one file for all pages -> {fmt}", "pandoc", len(paths), 0, 0, None, 0,
                            "pandoc not found"))

    # 4. JSON Lines over many pages
    if args.jsonl_pages and "jsonl" in names:
        big = workdir / "big"
        print(f"generating {args.jsonl_pages} pages in {big} ...", file=sys.stderr)
        shutil.rmtree(big, ignore_errors=True)
        synthetic.generate(args.jsonl_pages, big, seed=args.seed)
        out = fresh("jsonl-big")
        note(run_once("one file for all pages -> jsonl", "protocol-convert",
                      [*tool, str(big), "--collection", "-t", "jsonl", "-o", str(out / "all.jsonl"), *jobs],
                      args.jsonl_pages))

    report(rows, names)
    print(f"- protocol-convert --help (cold): median {start['help_median_ms']:.0f} ms, best "
          f"{start['help_best_ms']:.0f} ms; {start['import_ms']:.0f} ms of it importing")
    if args.json:
        args.json.write_text(json.dumps({"startup": start, "rows": [
            {**asdict(r), "per_page_ms": r.per_page_ms, "pages_per_second": r.pages_per_second} for r in rows]},
            indent=2))
    if not args.keep and args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def report(rows: list[Row], names: list[str]) -> None:
    print()
    print(f"| {'run':<46} | {'tool':<16} | {'pages':>6} | {'total s':>8} | {'ms/page':>8} | {'pages/s':>8} "
          f"| {'peak MB':>8} | {'tree MB':>8} |")
    print(f"|{'-' * 48}|{'-' * 18}|{'-' * 8}:|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|")
    for r in rows:
        if r.status == "pandoc not found":
            print(f"| {r.name:<46} | {r.tool:<16} | {r.pages:>6} | {'pandoc not found: skipped':>55} |")
            continue
        tree = f"{r.tree_peak_mb:8.0f}" if r.tree_peak_mb is not None else f"{'-':>8}"
        flag = "" if r.status == "ok" else f" ({r.status})"
        print(f"| {r.name + flag:<46} | {r.tool:<16} | {r.pages:>6} | {r.seconds:8.2f} | {r.per_page_ms:8.1f} "
              f"| {r.pages_per_second:8.1f} | {r.peak_mb:8.0f} | {tree} |")
    print()

    def find(name: str, tool: str) -> Row | None:
        for r in rows:
            if r.name == name and r.tool == tool and r.status == "ok":
                return r
        return None

    for label, name in (("one EPUB from all pages", "one file for all pages -> epub"),
                        ("one DOCX from all pages", "one file for all pages -> docx"),
                        ("a single page to EPUB, cold CLI", "one process per page -> epub"),
                        ("a single page to DOCX, cold CLI", "one process per page -> docx")):
        ours, theirs = find(name, "protocol-convert"), find(name, "pandoc")
        if ours is None or theirs is None:
            why = "pandoc not found" if theirs is None else "format not available"
            print(f"- {label}: no ratio ({why})")
            continue
        speed = theirs.per_page_ms / ours.per_page_ms if ours.per_page_ms else float("inf")
        ours_mem = ours.tree_peak_mb or ours.peak_mb
        theirs_mem = theirs.tree_peak_mb or theirs.peak_mb
        verdict = f"{speed:.1f}x faster than" if speed >= 1 else f"{1 / speed:.1f}x slower than"
        print(f"- {label}: protocol-convert {verdict} pandoc "
              f"({ours.per_page_ms:.1f} vs {theirs.per_page_ms:.1f} ms/page); peak memory "
              f"{ours_mem:.0f} MB vs {theirs_mem:.0f} MB ({ours_mem / theirs_mem:.2f} of pandoc's)")
    floor, bare = find("one process per page -> epub", "ebooklib floor"), find("one process per page -> epub",
                                                                                 "python start-up")
    if floor is not None and bare is not None:
        print(f"- floors for one page to EPUB: Python's bare start {bare.per_page_ms:.1f} ms; a script that "
              f"only writes the page with ebooklib {floor.per_page_ms:.1f} ms (bench/floor_epub.py)")


if __name__ == "__main__":
    sys.exit(main())
