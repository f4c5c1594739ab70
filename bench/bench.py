"""Benchmark protocol-convert against pandoc and calibre on synthetic Protocol pages.

    python bench/bench.py                      # the full run (about 10 minutes on 2 cores)
    python bench/bench.py --quick              # under a minute: for checking a change
    python bench/bench.py --json results.json  # also save the figures

Steps: generate N varied, seed-sized pages (bench/pages.py; the same seed gives the same
pages), then time, each in a fresh process so that memory is measured per command:

- cold CLI, one process per file: ``protocol-convert page.txt -o page.FMT`` for every
  built-in format the installed registry has, ``pandoc -f markdown page.txt -o page.epub``
  (and ``.docx``), calibre's ``ebook-convert page.txt page.epub`` and the floors
  (bench/floor_epub.py, bench/floor_docx.py, ``python -c pass``), over a sample of the
  pages (``--sample``), taking turns page by page;
- one process for all pages, one output per page: ``protocol-convert pages/ -t FMT -o out/``
  (each format, then all formats at once: each page parsed once), and the python-docx
  floor writing a DOCX per page in one process;
- one process for all pages, one output for all (a collection):
  ``protocol-convert pages/ --collection -t FMT -o all.FMT``, ``pandoc -f markdown
  pages/*.txt -o all.epub`` (and ``.docx``); ``ebook-convert all.txt all.epub`` on the first
  ``--calibre-pages`` pages joined into one text file (calibre takes one input, and seconds a
  page on a long text), beside protocol-convert on the same pages;
- JSON Lines over each of ``--jsonl-pages`` (1,000, 10,000 and 100,000 by default: the
  memory curve) into one file;
- the archive as volumes: ``--volume-pages`` pages (10,000) split by section and month,
  ``protocol-convert big/ --split section,month -t epub -o volumes/``.

For each: total seconds, milliseconds per page, pages per second, and peak memory: the peak
resident set of the largest process (from ``wait4``'s rusage: the child and every process
it waited for) and, when psutil is installed, the peak of the whole process tree's summed RSS
sampled every 50 ms (worker processes included; pages shared after fork are counted once per
process, so this over-counts). Then the ratios against the anchors. A tool that is not
installed has its rows reported as skipped.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages as synthetic
from measure import Row, builtin_formats, protocol_convert, report, run_each, run_interleaved, run_once, startup

HERE = Path(__file__).resolve().parent
FLOOR_EPUB = HERE / "floor_epub.py"
FLOOR_DOCX = HERE / "floor_docx.py"


def _sizes(text: str) -> list[int]:
    return sorted({int(n) for n in text.split(",") if n.strip() and int(n) > 0})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="every kind of run on few pages, in under a minute (overrides the sizes)")
    parser.add_argument("--pages", type=int, default=1000, help="pages to generate (default 1000)")
    parser.add_argument("--sample", type=int, default=20, help="pages converted one process per file (default 20)")
    parser.add_argument("--jsonl-pages", default="1000,10000,100000",
                        help="page counts for the JSON Lines runs, comma-separated (0: skip)")
    parser.add_argument("--volume-pages", type=int, default=10000,
                        help="pages split into volumes by section and month (default 10000; 0: skip)")
    parser.add_argument("--calibre-pages", type=int, default=100,
                        help="pages for the calibre collection run, and ours beside it (default 100; 0: skip)")
    parser.add_argument("--seed", type=int, default=1, help="seed for the generated pages")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs for protocol-convert (default: its own)")
    parser.add_argument("--workdir", type=Path, default=None, help="where pages and outputs go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--no-pandoc", action="store_true", help="skip the pandoc rows")
    parser.add_argument("--no-calibre", action="store_true", help="skip the calibre (ebook-convert) rows")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args()
    startup_runs = 21
    if args.quick:  # every kind of run on few pages: under a minute on 2 shared cores
        args.pages, args.sample, args.jsonl_pages, args.volume_pages, args.calibre_pages = 100, 3, "1000", 1000, 10
        startup_runs = 5

    import os
    import tempfile

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="protocol-convert-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    tool = protocol_convert()
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    pandoc = None if args.no_pandoc else shutil.which("pandoc")
    calibre = None if args.no_calibre else shutil.which("ebook-convert")
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
    calibre_version = (subprocess.run([calibre, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
                       if calibre else "calibre not found")
    print(f"protocol-convert: {' '.join(tool)}; formats: {', '.join(names)}; {pandoc_version}; {calibre_version}",
          file=sys.stderr)
    print(f"pages: {len(paths)}, {size / 1024:.1f} KB on average; cores: {os.cpu_count()}; "
          f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)

    rows: list[Row] = []
    start = startup(tool, runs=startup_runs)
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
        print(f"  {row.name:<44} {row.tool:<16} {row.pages:>6} {row.seconds:8.2f} s  {row.per_page_ms:8.1f} ms/page  "
              f"{row.peak_mb:7.0f} MB", file=sys.stderr)

    def missing(name: str, tool_name: str, pages: int) -> None:
        rows.append(Row(name, tool_name, pages, 0, 0, None, 0, f"{tool_name} not found"))

    # 1. cold CLI, one process per file. EPUB and DOCX are timed page by page in turn with
    # the anchors and the floors, so that a change in the machine's load touches every tool alike.
    python = str(Path(tool[0]).with_name("python")) if Path(tool[0]).name == "protocol-convert" else sys.executable
    for fmt, ext in formats:
        out = fresh(f"single-{fmt}")
        ours = [[*tool, str(p), "-o", str(out / (p.stem + ext))] for p in sample]
        name = f"one process per page -> {fmt}"
        if fmt not in ("epub", "docx"):
            note(run_each(name, "protocol-convert", ours, len(sample)))
            continue
        runs: list[tuple[str, list[list[str]]]] = [("protocol-convert", ours)]
        if pandoc:
            theirs = fresh(f"pandoc-single-{fmt}")
            runs.append(("pandoc", [[pandoc, "-f", "markdown", str(p), "-o", str(theirs / f"{p.stem}.{fmt}")]
                                    for p in sample]))
        if calibre and fmt == "epub":
            theirs = fresh("calibre-single-epub")
            runs.append(("calibre", [[calibre, str(p), str(theirs / f"{p.stem}.epub")] for p in sample]))
        script, floor_name = (FLOOR_EPUB, "ebooklib floor") if fmt == "epub" else (FLOOR_DOCX, "python-docx floor")
        floor = fresh(f"floor-single-{fmt}")
        runs.append((floor_name, [[python, str(script), str(p), str(floor / f"{p.stem}.{fmt}")] for p in sample]))
        if fmt == "epub":
            runs.append(("python start-up", [[python, "-c", "pass"] for _ in sample]))
        for row in run_interleaved(name, runs, len(sample)):
            note(row)
        if not pandoc:
            missing(name, "pandoc", len(sample))
        if not calibre and fmt == "epub":
            missing(name, "calibre", len(sample))

    # 2. one process, one output per page
    for fmt, _ in formats:
        out = fresh(f"batch-{fmt}")
        note(run_once(f"one process, a file per page -> {fmt}", "protocol-convert",
                      [*tool, str(page_dir), "-t", fmt, "-o", str(out), *jobs], len(paths)))
        if fmt == "docx":
            out = fresh("floor-batch-docx")
            note(run_once("one process, a file per page -> docx", "python-docx floor",
                          [python, str(FLOOR_DOCX), "--each", str(page_dir), str(out)], len(paths)))
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
        name = f"one file for all pages -> {fmt}"
        if pandoc:
            out = fresh(f"pandoc-collection-{fmt}")
            note(run_once(name, "pandoc", [pandoc, "-f", "markdown", *map(str, paths), "-o", str(out / f"all.{fmt}")],
                          len(paths)))
        else:
            missing(name, "pandoc", len(paths))
    # calibre takes seconds a page on a long text (and grows faster than the pages): it and
    # protocol-convert get the first --calibre-pages pages only, so the ratio is for equal work
    subset = paths[: max(0, min(args.calibre_pages, len(paths)))]
    name = f"one file for the first {len(subset)} pages -> epub"
    if calibre and subset:
        out = fresh("calibre-collection-epub")
        joined = out / "all.txt"
        with joined.open("wb") as file:
            for path in subset:
                file.write(path.read_bytes() + b"\n\n")
        note(run_once(name, "calibre", [calibre, str(joined), str(out / "all.epub")], len(subset)))
        note(run_once(name, "protocol-convert", [*tool, *map(str, subset), "--collection", "-t", "epub", "-o",
                                                 str(out / "ours.epub"), *jobs], len(subset)))
    elif subset:
        missing(name, "calibre", len(subset))

    # 4. JSON Lines over many pages (the memory curve), and the archive as volumes
    curve = _sizes(args.jsonl_pages) if "jsonl" in names else []
    for count in sorted(set(curve) | ({args.volume_pages} if args.volume_pages > 0 else set())):
        big = workdir / f"big-{count}"
        print(f"generating {count} pages in {big} ...", file=sys.stderr)
        shutil.rmtree(big, ignore_errors=True)
        synthetic.generate(count, big, seed=args.seed)
        if count in curve:
            out = fresh("jsonl-big")
            note(run_once("one file for all pages -> jsonl", "protocol-convert",
                          [*tool, str(big), "--collection", "-t", "jsonl", "-o", str(out / "all.jsonl"), *jobs], count))
        if count == args.volume_pages and "epub" in names:
            out = fresh("volumes")
            note(run_once("volumes by section,month -> epub", "protocol-convert",
                          [*tool, str(big), "--split", "section,month", "-t", "epub", "-o", str(out), *jobs], count))
            print(f"  ({sum(1 for _ in out.iterdir())} volumes)", file=sys.stderr)
        if not args.keep:
            shutil.rmtree(big, ignore_errors=True)

    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    report(rows)
    print(f"- protocol-convert --help (cold): median {start['help_median_ms']:.0f} ms, best "
          f"{start['help_best_ms']:.0f} ms; {start['import_ms']:.0f} ms of it importing")
    if args.json:
        args.json.write_text(json.dumps({"startup": start, "rows": [
            {**asdict(r), "per_page_ms": r.per_page_ms, "pages_per_second": r.pages_per_second} for r in rows]},
            indent=2))
    if not args.keep and args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
