"""Batch conversion: input expansion, output names, parallel runs, failures, skips, the summary,
collections, streaming, progress and Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import ROOT, SEED
from hostile import SLOW_EXPORTER as SLOW_PLUGIN

import convert
from convert import jsonform
from convert.batch import ConvertJob, expand_inputs, output_stems, run_job
from convert.errors import OptionError
from convert.formats import Exporter, Reader
from convert.hookspecs import hookimpl
from convert.plugins import load_registry
from convert.tree import Article, Document, Paragraph, Source, Text, story_id

sys.path.insert(0, str(ROOT / "bench"))
import pages as synthetic

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def run(job: ConvertJob, registry=None) -> tuple[int, list[str]]:
    messages: list[str] = []
    status = run_job(job, registry or load_registry(), echo=messages.append)
    return status, messages


def cli(*args: str, cwd: Path | None = None, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "convert", *args], capture_output=True, cwd=cwd,
                          env=env, check=False, **kwargs)


def tree_document(name: str, *articles: Article) -> Document:
    return Document(Source(name, "0" * 64, "json"), tuple(articles))


def story(title: str, role: str = "main", section: str | None = "Policy") -> Article:
    return Article(story_id(title), role, title=title, section=section,  # type: ignore[arg-type]
                   body=(Paragraph((Text(f"Body of {title}."),)),), truncated=role == "teaser")


# --- inputs ----------------------------------------------------------------------------------


def test_expand_files_directories_and_globs(tmp_path):
    for rel in ["a/page10.txt", "a/page2.txt", "a/sub/page1.txt", "a/.hidden.txt", "a/.git/x.txt",
                "a/notes.md", "b/one.txt", "b/two.json"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    os.chdir(tmp_path)
    found, failures, expanded = expand_inputs(["a", "b/*.txt", "a/page2.txt", "missing.txt", "nomatch/*.txt"],
                                              extensions=(".txt", ".json"))
    assert found == ["a/page2.txt", "a/page10.txt", "a/sub/page1.txt", "b/one.txt", "missing.txt"]
    assert expanded is True
    assert [f.message for f in failures] == ["nomatch/*.txt: no file matches this pattern"]
    found, _, _ = expand_inputs(["b"], extensions=(".txt", ".json"))
    assert found == ["b/one.txt", "b/two.json"]
    found, failures, expanded = expand_inputs(["b/one.txt", "-"])
    assert (found, failures, expanded) == (["b/one.txt", "-"], [], False)
    _, failures, _ = expand_inputs(["a/sub/"], extensions=(".json",))
    assert "no pages found" in failures[0].message


def test_expand_leaves_out_the_output_directory(tmp_path):
    (tmp_path / "pages" / "out").mkdir(parents=True)
    (tmp_path / "pages" / "p.txt").write_text("x")
    (tmp_path / "pages" / "out" / "p.txt").write_text("x")
    found, _, _ = expand_inputs([str(tmp_path / "pages")], exclude=tmp_path / "pages" / "out")
    assert found == [str(tmp_path / "pages" / "p.txt")]
    found, _, _ = expand_inputs([str(tmp_path / "pages" / "**" / "*.txt")], exclude=tmp_path / "pages" / "out")
    assert found == [str(tmp_path / "pages" / "p.txt")]


# --- output names -------------------------------------------------------------------------------


def test_output_stems_are_distinct_safe_and_order_independent():
    sources = ["news/2021/page.txt", "news/2022/page.txt", "other/Page.TXT", "solo.txt", "x/page.json",
               "x/page.txt", "../../etc/passwd", "..", "-", "weird:na*me?.txt", "a/b/" + "long" * 100 + ".txt"]
    stems = output_stems(sources)
    assert len({s.casefold() for s in stems}) == len(stems), stems
    for stem in stems:
        assert stem and "/" not in stem and "\\" not in stem and not stem.startswith(".")
        assert len(stem) <= 120
    named = dict(zip(sources, stems, strict=True))
    assert named["solo.txt"] == "solo"
    assert named["news/2021/page.txt"] == "2021_page" and named["news/2022/page.txt"] == "2022_page"
    assert named["-"] == "stdin"
    assert named["../../etc/passwd"] == "passwd"
    assert named["weird:na*me?.txt"] == "weird_na_me_"
    # same stem in the same directory: told apart by a hash of the path
    assert named["x/page.json"].startswith("x_page-") and named["x/page.txt"].startswith("x_page-")
    # the names depend on the inputs, not on their order
    assert dict(zip(reversed(sources), output_stems(list(reversed(sources))), strict=True)) == named


def test_same_stem_in_different_directories_do_not_collide(tmp_path):
    for sub in ("2021", "2022"):
        (tmp_path / "in" / sub).mkdir(parents=True)
        (tmp_path / "in" / sub / "page.txt").write_bytes(SEED.read_bytes())
    status, messages = run(ConvertJob(inputs=[str(tmp_path / "in")], formats=["json"], output=str(tmp_path / "out"),
                                      jobs=1))
    assert status == 0, messages
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2021_page.json", "2022_page.json"]


# --- a batch ------------------------------------------------------------------------------------


@pytest.fixture
def pages(tmp_path) -> Path:
    directory = tmp_path / "pages"
    synthetic.generate(12, directory)
    (directory / "page-00005.txt").write_bytes(PNG)  # one bad page in the middle
    return directory


def test_bad_page_is_reported_and_skipped(pages, tmp_path):
    out = tmp_path / "out"
    status, messages = run(ConvertJob(inputs=[str(pages)], formats=["json", "jsonl"], output=str(out), jobs=2))
    assert status == 1
    errors = [m for m in messages if "error" in m]
    assert errors == [f"protocol-convert: error: {pages / 'page-00005.txt'}: not a text page: looks like a PNG image"]
    assert messages[-1].startswith("converted 11, skipped 0, failed 1 in ")
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 22 and "page-00005.json" not in written
    for path in out.glob("*.json"):
        document = jsonform.loads(path.read_bytes())[0]
        assert document.source.name == path.with_suffix(".txt").name


def test_fail_fast_stops_the_batch(pages, tmp_path):
    out = tmp_path / "out"
    status, messages = run(ConvertJob(inputs=[str(pages)], formats=["json"], output=str(out), jobs=1,
                                      fail_fast=True))
    assert status == 1
    assert messages[-1].startswith("converted 4, skipped 0, failed 1 in ")
    assert sorted(p.name for p in out.iterdir()) == [f"page-0000{i}.json" for i in range(1, 5)]


def test_fail_fast_in_parallel_stops_early(tmp_path):
    pages = tmp_path / "pages"
    synthetic.generate(150, pages)
    (pages / "page-00003.txt").write_bytes(PNG)
    out = tmp_path / "out"
    status, messages = run(ConvertJob(inputs=[str(pages)], formats=["json"], output=str(out), jobs=2,
                                      fail_fast=True))
    assert status == 1
    converted = int(messages[-1].split()[1].rstrip(","))
    assert converted < 75  # a handful in practice; a wide margin for a starved worker
    files = list(out.iterdir())
    assert len(files) == converted, "every page written is counted"
    assert all(p.suffix == ".json" for p in files), "no temporary file left"


def test_parallel_output_is_identical_to_serial(pages, tmp_path):
    run(ConvertJob(inputs=[str(pages)], formats=["json", "jsonl"], output=str(tmp_path / "serial"), jobs=1))
    run(ConvertJob(inputs=[str(pages)], formats=["json", "jsonl"], output=str(tmp_path / "parallel"), jobs=2))
    serial = {p.name: p.read_bytes() for p in (tmp_path / "serial").iterdir()}
    parallel = {p.name: p.read_bytes() for p in (tmp_path / "parallel").iterdir()}
    assert serial == parallel and len(serial) == 22


def test_existing_outputs_are_skipped_and_force_overwrites(pages, tmp_path):
    out = tmp_path / "out"
    job = ConvertJob(inputs=[str(pages)], formats=["json"], output=str(out), jobs=2)
    run(job)
    (out / "page-00001.json").write_text("mine")
    (out / "page-00002.json").unlink()
    status, messages = run(job)
    assert status == 1  # the bad page still fails
    assert messages[-1].startswith("converted 1, skipped 10, failed 1 in ")
    assert "10 output(s) already existed and were left alone (use --force to overwrite)" in messages[-2]
    assert (out / "page-00001.json").read_text() == "mine"
    assert (out / "page-00002.json").exists()
    job.force = True
    status, messages = run(job)
    assert messages[-1].startswith("converted 11, skipped 0, failed 1 in ")
    assert (out / "page-00001.json").read_text() != "mine"


def test_only_the_missing_formats_are_written(tmp_path):
    (tmp_path / "a.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "b.txt").write_bytes(SEED.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.json").write_text("mine")
    status, messages = run(ConvertJob(inputs=[str(tmp_path / "a.txt"), str(tmp_path / "b.txt")],
                                      formats=["json", "jsonl"], output=str(out), jobs=1))
    assert status == 0
    assert messages[-1].startswith("converted 2, skipped 0, failed 0")
    assert (out / "a.json").read_text() == "mine" and (out / "a.jsonl").exists()


def test_single_input_keeps_single_file_behaviour(tmp_path):
    target = tmp_path / "page.json"
    target.write_text("mine")
    status, messages = run(ConvertJob(inputs=[str(SEED)], output=str(target)))
    assert status == 4  # OutputExistsError's code, no summary line for a single page
    assert messages == [f"protocol-convert: error: {target}: already exists (use --force to overwrite)"]


def test_bad_options_stop_before_any_page(tmp_path, pages):
    with pytest.raises(OptionError):
        run(ConvertJob(inputs=[str(pages)], formats=["json"], output=str(tmp_path / "o"),
                       format_options={"json": {"indent": "wide"}}))
    with pytest.raises(OptionError):
        run(ConvertJob(inputs=[str(pages)], formats=["json"], output=str(tmp_path / "o"), jobs=0))
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())


def test_unexpected_exporter_crash_is_one_failure(tmp_path):
    def write(documents, stream, options):
        if "boom" in (documents[0].source.name or ""):
            raise RuntimeError("exploded")
        stream.write(b"ok")

    class Plugin:
        @hookimpl
        def register_exporters(self, register):
            register(Exporter(name="fragile", extension=".frag", write=write))

    registry = load_registry(plugins=[Plugin()])
    for name in ("a.txt", "boom.txt", "c.txt"):
        (tmp_path / name).write_bytes(SEED.read_bytes())
    status, messages = run(ConvertJob(inputs=[str(tmp_path / n) for n in ("a.txt", "boom.txt", "c.txt")],
                                      formats=["fragile"], output=str(tmp_path / "out"), jobs=1), registry)
    assert status == 1
    assert [m for m in messages if "error" in m] == [
        "protocol-convert: error: " + str(tmp_path / "out" / "boom.frag")
        + ": fragile exporter (plugin 'Plugin') failed: RuntimeError: exploded"
    ]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.frag", "c.frag"]


# --- collections ----------------------------------------------------------------------------------


def write_trees(directory: Path, documents: list[Document]) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, document in enumerate(documents):
        path = directory / f"tree{index:02d}.json"
        path.write_text(jsonform.dumps(document))
        paths.append(str(path))
    return paths


def test_collection_keeps_input_order_in_parallel(tmp_path):
    documents = [tree_document(f"p{i}.txt", story(f"Story {i}", section=f"S{i % 3}"),
                               story(f"Story {(i + 1) % 20}", "teaser")) for i in range(20)]
    paths = write_trees(tmp_path / "in", documents)
    out = tmp_path / "all.json"
    status, messages = run(ConvertJob(inputs=paths, output=str(out), collection=True, jobs=2))
    assert status == 0 and messages[-1].startswith("converted 20, skipped 0, failed 0")
    written = jsonform.loads(out.read_bytes())
    assert [d.source.name for d in written] == [f"p{i}.txt" for i in range(20)]
    assert list(written) == documents


def test_collection_jsonl_equals_the_collection_merge(tmp_path):
    documents = [tree_document(f"p{i}.txt", story(f"Story {i}"), story(f"Story {(i + 3) % 10}", "teaser"),
                               story("Never written in full", "teaser")) for i in range(10)]
    paths = write_trees(tmp_path / "in", documents)
    out = tmp_path / "out"
    status, _ = run(ConvertJob(inputs=paths, formats=["jsonl", "json"], output=str(out), collection=True, jobs=2))
    assert status == 0
    lines = [json.loads(x) for x in (out / "collection.jsonl").read_text().splitlines()]
    from convert.collection import build_collection

    merged = build_collection(documents)
    assert [line["id"] for line in lines] == [a.id for d in documents for a in d.articles if a.role == "main"] + [
        story_id("Never written in full")]
    assert {(line["id"], line["role"]) for line in lines} == {(i, a.role) for i, a in merged.by_id.items()}
    assert len(jsonform.loads((out / "collection.json").read_bytes())) == 10


def test_collection_with_a_bad_page_and_existing_output(tmp_path, pages):
    out = tmp_path / "out"
    job = ConvertJob(inputs=[str(pages)], formats=["json"], output=str(out) + "/", collection=True, jobs=2)
    status, messages = run(job)
    assert status == 1 and messages[-1].startswith("converted 11, skipped 0, failed 1")
    assert len(jsonform.loads((out / "collection.json").read_bytes())) == 11
    status, messages = run(job)
    assert status == 0 and messages[-1].startswith("converted 0, skipped 12, failed 0")
    job.fail_fast = True
    job.force = True
    (out / "collection.json").unlink()
    status, messages = run(job)
    assert status == 3 and not (out / "collection.json").exists()  # the input error's code
    assert not list(out.iterdir()), "no temporary file left"


def test_fail_fast_ends_a_streamed_collection_without_output(tmp_path, pages):
    """jsonl is handed the pages as they are read: the bad page stops it mid-stream, and the
    half-written file is removed, not reported as the exporter's failure."""
    out = tmp_path / "out"
    job = ConvertJob(inputs=[str(pages)], formats=["jsonl"], output=str(out) + "/", collection=True,
                     jobs=1, fail_fast=True)
    status, messages = run(job)
    assert status == 3, messages  # the input error's code, not an export error's (6)
    assert not any("exporter" in message for message in messages)
    assert not out.exists() or not list(out.iterdir()), "no output and no temporary file left"


def test_streaming_collection_reads_one_page_at_a_time(tmp_path):
    """A streaming exporter gets page k before page k+1 is read: nothing piles up."""
    events: list[str] = []

    def read(data, name, options):
        events.append(f"read {name}")
        return jsonform.loads(data)[0]

    def write(documents, stream, options):
        assert not isinstance(documents, (list, tuple))
        for document in documents:
            events.append(f"write {document.source.name}")
            stream.write(b"x")

    class Plugin:
        @hookimpl
        def register_readers(self, register):
            register(Reader(name="tracing", read=read, extensions=(".trace",)))

        @hookimpl
        def register_exporters(self, register):
            register(Exporter(name="stream", extension=".stream", write=write, streaming=True))

    registry = load_registry(plugins=[Plugin()])
    paths = []
    for i in range(4):
        path = tmp_path / f"p{i}.trace"
        path.write_text(jsonform.dumps(tree_document(f"p{i}.trace", story(f"S{i}"))))
        paths.append(str(path))
    status, _ = run(ConvertJob(inputs=paths, formats=["stream"], output=str(tmp_path / "all.stream"),
                               collection=True, jobs=1), registry)
    assert status == 0
    assert events == [e for i in range(4) for e in (f"read p{i}.trace", f"write p{i}.trace")]


# --- the command line ---------------------------------------------------------------------------------


def test_cli_batch_with_glob_stdin_and_summary(tmp_path, pages):
    result = cli(str(pages / "page-0000[1-3].txt"), "-", "-t", "json", "-o", str(tmp_path / "out"),
                 input=SEED.read_bytes())
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "page-00001.json", "page-00002.json", "page-00003.json", "stdin.json"]
    stderr = result.stderr.decode()
    assert stderr.startswith("converted 4, skipped 0, failed 0 in ")
    assert "\r" not in stderr and "page/s" not in stderr  # piped: no progress bar


def test_cli_progress_bar_when_asked(tmp_path, pages):
    result = cli(str(pages), "-t", "json", "-o", str(tmp_path / "out"), "--progress", "-j", "2")
    assert result.returncode == 1
    stderr = result.stderr.decode()
    assert "page/s" in stderr or "12/12" in stderr or "it/s" in stderr
    assert "converted 11, skipped 0, failed 1" in stderr


def test_cli_progress_bar_on_a_terminal(tmp_path, pages):
    """A real terminal (a pty) gets the bar without asking."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 24 rows, 100 columns
    process = subprocess.Popen([sys.executable, "-m", "convert", str(pages), "-t", "json", "-o",
                                str(tmp_path / "out"), "-j", "1"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    text = b"".join(chunks).decode(errors="replace")
    assert "converting" in text and "/12" in text
    assert "converted 11, skipped 0, failed 1" in text


def test_cli_help_lists_the_batch_options():
    result = cli("convert", "--help")
    text = result.stdout.decode()
    for option in ("--jobs", "--fail-fast", "--executor", "--scheduler", "--progress / --no-progress",
                   "--collection"):
        assert option in text


def test_cli_unknown_executor_and_bad_jobs(tmp_path):
    assert cli(str(SEED), "--executor", "spark").returncode == 2
    assert cli(str(SEED), "--jobs", "0").returncode == 2




@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_stops_cleanly(tmp_path, jobs):
    site = tmp_path / "site"
    info = site / "slowplugin-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: slowplugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[protocol_convert]\nslow = slowplugin\n")
    (site / "slowplugin.py").write_text(textwrap.dedent(SLOW_PLUGIN))
    pages = tmp_path / "pages"
    synthetic.generate(200, pages)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(site)}
    process = subprocess.Popen([sys.executable, "-m", "convert", str(pages), "-t", "slow", "-o", str(out),
                                "-j", jobs], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                               start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(list(out.glob("*.slow"))) < 5:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the whole process group
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    text = stderr.decode()
    assert "interrupted" in text and "Traceback" not in text
    files = list(out.iterdir())
    assert 5 <= len(files) < 200
    # the summary still comes, and counts every page written, those finished after Ctrl-C too
    assert f"converted {len(files)}, skipped 0, failed 0" in text
    assert all(p.suffix == ".slow" for p in files), [p.name for p in files if p.suffix != ".slow"]
    for path in files:  # every file that exists is whole
        assert path.read_bytes() == b"{" + b" " * 20 + b"}"


def test_convert_parse_once_for_many_formats(tmp_path):
    counter = {"reads": 0}

    def read(data, name, options):
        counter["reads"] += 1
        return convert.parse(data, reader="protocol", name=name)

    class Plugin:
        @hookimpl
        def register_readers(self, register):
            register(Reader(name="counting", read=read, extensions=(".count",)))

    registry = load_registry(plugins=[Plugin()])
    (tmp_path / "a.count").write_bytes(SEED.read_bytes())
    status, _ = run(ConvertJob(inputs=[str(tmp_path / "a.count")], formats=["json", "jsonl"],
                               output=str(tmp_path / "out"), jobs=1), registry)
    assert status == 0 and counter["reads"] == 1


def test_stdin_keeps_its_place_in_a_collection(tmp_path):
    documents = [tree_document(f"p{i}.txt", story(f"Story {i}")) for i in range(4)]
    paths = write_trees(tmp_path / "in", documents)
    stdin_tree = jsonform.dumps(tree_document("from-stdin", story("Piped story")))
    result = cli(paths[0], paths[1], "-", paths[2], paths[3], "-f", "json", "--collection", "-o",
                 str(tmp_path / "all.json"), "-j", "2", input=stdin_tree.encode())
    assert result.returncode == 0, result.stderr
    names = [d.source.name for d in jsonform.loads((tmp_path / "all.json").read_bytes())]
    assert names == ["p0.txt", "p1.txt", "from-stdin", "p2.txt", "p3.txt"]


def test_pages_cross_from_workers_unchanged(seed_document):
    """Parsed pages are packed for the trip from a worker: every node type comes back equal."""
    import pickle

    from convert.batch import _Outcome, _pack
    from convert.tree import (
        Author,
        Emphasis,
        Figure,
        Heading,
        Image,
        LineBreak,
        Link,
        ListBlock,
        Quote,
        Signoff,
        Strong,
    )

    body = (
        Paragraph((Text("a "), Emphasis((Strong((Text("b"),)),)), Link("https://x.test/?a=1&b=2", (Text("c"),)),
                   LineBreak())),
        Heading(2, (Text("h"),)),
        ListBlock(True, ((Paragraph((Text("1"),)), ListBlock(False, ((Paragraph((Text("1.1"),)),),))),)),
        Quote((Paragraph((Text("q"),)),)),
        Figure(Image(None, None, "Photo: credit only")),
        Signoff((Text("— Name"),)),
    )
    rich = Article("story-0123456789abcdef", "teaser", title=None, section=None, dek="d", date="2022-02-24",
                   authors=(Author("FTA", None, "bio"),), image=Image("alt", "caption", None), body=body,
                   truncated=True)
    documents = [seed_document, tree_document("x.txt", rich)]
    outcomes = [_Outcome(document=d) for d in documents]
    back = pickle.loads(_pack(outcomes))
    assert [o.document for o in back] == documents


def test_too_much_stdin_is_one_failed_input_of_a_collection(tmp_path):
    paths = write_trees(tmp_path / "in", [tree_document("p0.txt", story("Story 0"))])
    result = cli(paths[0], "-", "-f", "json", "--collection", "-o", str(tmp_path / "all.json"), "--max-size", "2000",
                 input=b"x" * 5000)
    assert result.returncode == 1
    assert b"<stdin>: is over the 2,000-byte limit" in result.stderr
    assert b"converted 1, skipped 0, failed 1" in result.stderr
    assert [d.source.name for d in jsonform.loads((tmp_path / "all.json").read_bytes())] == ["p0.txt"]


CRASHING_READER = """
import multiprocessing, os
from convert import Reader, hookimpl

def read(data, name, options):
    if multiprocessing.parent_process() is not None:  # only in a worker process
        os._exit(9)
    from convert.readers.protocol import read_page  # the main process reads normally
    return read_page(b"Policy\\n\\nA headline here\\n\\nBody text long enough to be one.\\n", name, options)

@hookimpl
def register_readers(register):
    register(Reader(name="crashy", read=read, extensions=(".crash",)))
"""


def test_a_worker_that_dies_is_reported_in_one_line(tmp_path):
    import os
    import subprocess
    import sys

    from test_plugins import install_fake_distribution

    site = tmp_path / "site"
    site.mkdir()
    install_fake_distribution(site, "pc_crashy", {"crashy": "pc_crashy_mod"}, {"pc_crashy_mod": CRASHING_READER})
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(6):
        (pages / f"p{n}.crash").write_text("anything")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), *sys.path])}
    done = subprocess.run([sys.executable, "-m", "convert", "convert", str(pages), "-t", "json",
                           "-o", str(tmp_path / "out"), "--jobs", "2", "--no-progress"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode != 0
    assert "a worker process died" in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert not list((tmp_path / "out").glob("*.part")) if (tmp_path / "out").exists() else True
