"""Fault injection, files: never destroy what is not ours, read only what is a page (and only
so much), and tell the truth about every failure to write (issue 15, classes 1, 2 and 4).

Each test asserts the exit code, the one-line message, that no input changed and that
nothing partial is left (see ``hostile.py``)."""

from __future__ import annotations

import errno
import io
import os
import stat
import sys
import time
from pathlib import Path

import pytest
from conftest import SEED
from hostile import (
    FailingFile,
    Snapshot,
    as_permission_bits_allow,
    assert_nothing_partial,
    cli,
    error_lines,
    make_device,
    make_fifo,
    make_socket,
    one_error,
    page_copy,
    plugin_site,
)

import convert
from convert.errors import InputError, InputTooLargeError, OptionError, OutputError
from convert.testing import run_cli

# --- 1. never destroy what is not ours --------------------------------------------------------


@pytest.mark.parametrize("how", ["same path", "through a symlink", "through a hard link"])
def test_an_output_that_is_the_input_is_refused_even_with_force(tmp_path, how):
    page = page_copy(tmp_path)
    target = {"same path": page, "through a symlink": tmp_path / "link.md",
              "through a hard link": tmp_path / "hard.md"}[how]
    if how == "through a symlink":
        target.symlink_to(page)
    elif how == "through a hard link":
        os.link(page, target)
    snapshot = Snapshot(tmp_path)
    result = cli(str(page), "-t", "markdown", "-o", str(target), "--force")
    assert result.returncode == 4
    assert one_error(result.stderr).endswith(f"{target}: is an input of this run: refusing to overwrite it, "
                                             "even when forced")
    snapshot.assert_unchanged()
    assert_nothing_partial(tmp_path)


def test_directory_mode_never_writes_over_an_input(tmp_path):
    tree = tmp_path / "t.json"
    tree.write_text(convert.dumps(convert.parse(SEED)))
    snapshot = Snapshot(tree)
    result = cli("t.json", "-t", "json,epub", "-o", "./", "--force", cwd=tmp_path)
    assert result.returncode == 1  # the EPUB is written; the JSON would have replaced its input
    assert error_lines(result.stderr) == [
        "protocol-convert: error: ./t.json: is an input of this run: refusing to overwrite it, even when forced"]
    snapshot.assert_unchanged()
    assert (tmp_path / "t.epub").is_file()
    assert_nothing_partial(tmp_path)


def test_the_library_refuses_an_input_as_destination(tmp_path):
    page = page_copy(tmp_path)
    snapshot = Snapshot(page)
    with pytest.raises(OutputError, match="is an input of this run"):
        convert.convert(page, "markdown", page, force=True)
    snapshot.assert_unchanged()


@pytest.mark.parametrize("kind", ["character device", "FIFO", "socket", "directory", "symbolic link"])
def test_force_replaces_only_regular_files(tmp_path, kind):
    page = page_copy(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "page.json"
    server = None
    if kind == "character device":
        make_device(target, 1, 3)
    elif kind == "FIFO":
        make_fifo(target)
    elif kind == "socket":
        server = make_socket(target)
    elif kind == "directory":
        target.mkdir()
    else:
        (out / "other.txt").write_text("someone else's file")
        target.symlink_to(out / "other.txt")
    snapshot = Snapshot(tmp_path)
    try:
        single = cli(str(page), "-t", "json", "-o", str(target), "--force")
        batch = cli(str(page), "-t", "json,epub", "-o", str(out), "--force")
    finally:
        if server is not None:
            server.close()
    message = "is a directory; give a file name" if kind == "directory" else \
        f"is a {kind}: only a regular file is ever replaced".replace("is a FIFO", "is a FIFO (named pipe)")
    if kind == "directory":  # `-o DIRECTORY` writes into it
        assert single.returncode == 0 and (target / "page.json").is_file()
        (target / "page.json").unlink()
    else:
        assert single.returncode == 4
        assert one_error(single.stderr) == f"protocol-convert: error: {target}: {message}"
    assert batch.returncode == 1 and one_error(batch.stderr) == f"protocol-convert: error: {target}: {message}"
    assert (out / "page.epub").is_file()  # the other format of the batch is written
    (out / "page.epub").unlink()
    snapshot.assert_unchanged()
    assert_nothing_partial(tmp_path)


def test_the_library_never_replaces_a_device_node(tmp_path):
    node = make_device(tmp_path / "null", 1, 3)
    with pytest.raises(OutputError, match="is a character device: only a regular file is ever replaced"):
        convert.export(convert.parse(SEED), "json", node, force=True)
    assert stat.S_ISCHR(node.lstat().st_mode)
    assert_nothing_partial(tmp_path)


ESCAPING = """
from convert import Exporter, hookimpl

@hookimpl
def register_exporters(register):
    register(Exporter(name="escape", extension="/../../escaped.txt", write=lambda d, s, o: s.write(b"x")))
"""


def test_an_output_path_never_leaves_the_output_directory(tmp_path):
    env = plugin_site(tmp_path / "site", "escaping", ESCAPING)
    page = page_copy(tmp_path / "deep" / "in")
    out = tmp_path / "deep" / "out"
    result = cli(str(page), "-t", "escape,json", "-o", str(out), env=env)
    assert result.returncode == 5
    assert "unknown output format 'escape'" in one_error(result.stderr)
    listed = cli("plugins", env=env)
    assert "extension '/../../escaped.txt': an extension is a dot, then letters" in listed.stdout.decode()
    assert not list(tmp_path.rglob("escaped.txt"))

    from convert.textio import output_path

    for bad in ["../x.json", "/etc/x", "..", ".", "a/b.json", "x\x00.json", ""]:
        with pytest.raises(OutputError, match="not a plain file name"):
            output_path(out, bad)


def test_pages_with_hostile_names_stay_inside_the_output_directory(tmp_path):
    pages = tmp_path / "pages"
    names = ["..txt", "...txt", " .txt", "CON.txt", "a\nb.txt", "-rf.txt", "-"]
    for name in names:
        page_copy(pages, name)
    out = tmp_path / "out"
    # a directory's hidden files and "-" (no extension) are not pages of it: named one by one
    result = cli(str(pages), *(str(pages / n) for n in ["..txt", "...txt", "-"]), "-t", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert {p.parent for p in out.rglob("*")} == {out}
    assert len(list(out.iterdir())) == len(names)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "pages"]


# --- 2. read only what is a page, and only so much -------------------------------------------


@pytest.mark.parametrize("kind", ["FIFO", "character device", "socket"])
def test_a_special_file_as_input_is_refused_at_once(tmp_path, kind):
    path = tmp_path / "page.txt"
    server = None
    if kind == "FIFO":
        make_fifo(path)
    elif kind == "character device":
        make_device(path, 1, 5)  # /dev/zero's numbers: reading it would never end
    else:
        server = make_socket(path)
    try:
        started = time.monotonic()
        result = cli(str(path), "-t", "json", "-o", str(tmp_path / "page.json"), timeout=30)
        seconds = time.monotonic() - started
    finally:
        if server is not None:
            server.close()
    assert result.returncode == 3
    what = {"FIFO": "a FIFO (named pipe)", "character device": "a character device", "socket": "a socket"}[kind]
    assert one_error(result.stderr) == f"protocol-convert: error: {path}: is {what}, not a page"
    assert seconds < 20 and not (tmp_path / "page.json").exists()
    assert_nothing_partial(tmp_path)


def test_a_fifo_inside_a_directory_batch_is_one_counted_failure(tmp_path):
    pages = tmp_path / "pages"
    page_copy(pages, "a.txt")
    page_copy(pages, "c.txt")
    make_fifo(pages / "b.txt")
    snapshot = Snapshot(pages)
    result = cli(str(pages), "-t", "json", "-o", str(tmp_path / "out"), timeout=30)
    assert result.returncode == 1
    assert one_error(result.stderr) == f"protocol-convert: error: {pages / 'b.txt'}: is a FIFO (named pipe), not a page"
    assert "converted 2, skipped 0, failed 1" in result.stderr.decode()
    snapshot.assert_unchanged()
    assert_nothing_partial(tmp_path)


@pytest.mark.parametrize("option", ["epub.css", "epub.cover", "docx.reference_doc"])
@pytest.mark.parametrize("kind", ["too large", "FIFO", "device"])
def test_option_files_are_bounded_and_regular_checked_before_any_page(tmp_path, option, kind):
    page = page_copy(tmp_path / "in")
    path = tmp_path / "option.file"
    if kind == "too large":
        path.write_bytes(b"/* */" * 400)
    elif kind == "FIFO":
        make_fifo(path)
    else:
        make_device(path, 1, 5)
    fmt = option.split(".")[0]
    result = cli(str(page), "-t", fmt, "-o", str(tmp_path / "out"), "-O", f"{option}={path}",
                 "--max-size", "1000", timeout=30)
    assert result.returncode == 2
    what = {"too large": "is 2,000 bytes, over the 1,000-byte limit (raise it with --max-size)",
            "FIFO": "is a FIFO (named pipe), not a file", "device": "is a character device, not a file"}[kind]
    assert one_error(result.stderr) == f"protocol-convert: error: option {option}: {str(path)!r} {what}"
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_the_library_reads_option_files_through_the_same_bound(tmp_path):
    from convert.textio import read_limit

    css = tmp_path / "big.css"
    css.write_bytes(b"p { color: red }\n" * 100)
    with read_limit(100), pytest.raises(OptionError, match="over the 100-byte limit"):
        convert.export(convert.parse(SEED), "epub", options={"css": css})
    assert convert.export(convert.parse(SEED), "epub", options={"css": css})  # the default limit: 50 MB


def test_every_read_is_bounded_whatever_the_size_says():
    from convert.textio import read_stream

    class Endless(io.RawIOBase):  # /dev/zero as a stream: it never ends
        asked = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            Endless.asked += max(size, 0)
            return b"\0" * min(size if size > 0 else 1 << 16, 1 << 16)

    with pytest.raises(InputTooLargeError, match="over the 100,000-byte limit"):
        read_stream(Endless(), max_size=100_000)
    assert Endless.asked < 300_000
    assert read_stream(io.BytesIO(b"x" * 10), max_size=10**30) == b"x" * 10  # a huge limit needs no buffer


def test_a_huge_max_size_is_no_crash(tmp_path):
    result = cli(str(SEED), "-t", "json", "-o", "-", "--max-size", str(10**30))
    assert result.returncode == 0 and result.stdout.startswith(b"{")


@pytest.mark.parametrize("pattern", ["loop/**/*.txt", "loop/**", "loop"])
def test_recursion_never_follows_a_symlink_cycle_nor_reads_a_file_twice(tmp_path, pattern):
    loop = tmp_path / "loop"
    (loop / "a" / "b").mkdir(parents=True)
    page_copy(loop / "a", "one.txt")
    page_copy(loop / "a" / "b", "two.txt")
    (loop / "a" / "b" / "up").symlink_to("../..")  # a cycle
    (loop / "a" / "again.txt").symlink_to("one.txt")  # the same page by another name
    os.link(loop / "a" / "b" / "two.txt", loop / "a" / "hard.txt")  # and by a hard link
    (loop / "elsewhere").symlink_to(tmp_path / "loop" / "a")  # a link to a directory: not entered
    snapshot = Snapshot(loop)
    result = cli(pattern, "-t", "json", "-o", str(tmp_path / "out"), cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "converted 2, skipped 0, failed 0" in result.stderr.decode()
    assert len(list((tmp_path / "out").iterdir())) == 2
    snapshot.assert_unchanged()


def test_an_unreadable_directory_is_a_reported_counted_failure(tmp_path, monkeypatch):
    pages = tmp_path / "pages"
    page_copy(pages / "open", "a.txt")
    page_copy(pages / "locked", "b.txt")
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:  # as root, permission bits do not stop reads
        if os.fspath(path).endswith("locked"):  # type: ignore[arg-type]
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))  # type: ignore[arg-type]
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    for argument in [str(pages), str(pages / "**" / "*.txt")]:
        out = tmp_path / "out"
        result = run_cli([argument, "-t", "json", "-o", str(out), "-j", "1"])
        assert result.exit_code == 1
        assert one_error(result.stderr) == (f"protocol-convert: error: {pages / 'locked'}: cannot read this "
                                            "directory: Permission denied")
        assert "converted 1, skipped 0, failed 1" in result.stderr
        assert [p.name for p in out.iterdir()] == ["a.json"]
        (out / "a.json").unlink()


def test_an_unreadable_directory_by_its_permissions(tmp_path):
    """The real thing, not a mocked ``scandir``: as root too (CI runs as root), the converter
    runs without the capabilities that let root read whatever the bits say."""
    locked = tmp_path / "pages" / "locked"
    page_copy(locked)
    locked.chmod(0)
    try:
        result = cli(str(tmp_path / "pages"), "-t", "json", "-o", str(tmp_path / "out"),
                     preexec_fn=as_permission_bits_allow)
    finally:
        locked.chmod(0o755)
    assert result.returncode == 1 and "cannot read this directory: Permission denied" in one_error(result.stderr)


# --- 4. exit codes that tell the truth -------------------------------------------------------


@pytest.mark.parametrize("case", ["missing directory", "parent is a file", "directory target under a file",
                                  "a name too long", "a directory name too long"])
def test_unwritable_places_are_exit_4_naming_the_path(tmp_path, case):
    page = page_copy(tmp_path / "in")
    blocker = page_copy(tmp_path, "file.txt")
    output, formats = {
        "missing directory": (tmp_path / "nodir" / "x.json", "json"),
        "parent is a file": (blocker / "x.json", "json"),
        "directory target under a file": (Path(f"{blocker}/sub/"), "json,epub"),
        "a name too long": (tmp_path / ("x" * 300 + ".json"), "json"),
        "a directory name too long": (tmp_path / ("x" * 300), "json,epub"),
    }[case]
    snapshot = Snapshot(tmp_path)
    slash = "/" if case in ("directory target under a file", "a directory name too long") else ""
    result = cli(str(page), "-t", formats, "-o", os.fspath(output) + slash)
    assert result.returncode == 4
    line = one_error(result.stderr)
    assert str(output) in line and any(reason in line for reason in (
        "does not exist", "is not a directory", "Not a directory", "File name too long")), line
    snapshot.assert_unchanged()
    assert_nothing_partial(tmp_path)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EIO])
def test_a_disk_that_fails_is_exit_4_and_leaves_nothing(tmp_path, monkeypatch, code):
    import convert.textio

    page = page_copy(tmp_path / "in")
    target = tmp_path / "out" / "page.epub"
    target.parent.mkdir()
    snapshot = Snapshot(tmp_path / "in")
    real_fdopen = os.fdopen

    def fdopen(fd: int, *args: object, **kwargs: object) -> object:
        real_fdopen(fd, "wb").close()  # the temporary file exists, as on a real full disk
        return io.BufferedWriter(FailingFile(code, after=100))  # type: ignore[arg-type]

    monkeypatch.setattr(convert.textio.os, "fdopen", fdopen)
    result = run_cli([str(page), "-t", "epub", "-o", str(target)])
    assert result.exit_code == 4
    assert one_error(result.stderr) == f"protocol-convert: error: {target}: cannot write: {os.strerror(code)}"
    assert list(target.parent.iterdir()) == []
    snapshot.assert_unchanged()


@pytest.mark.parametrize("args", [[str(SEED), "-t", "json", "-o", "-"], [str(SEED), "-t", "jsonl", "-o", "-"],
                                  ["formats"], ["plugins", "--json"], ["--help"], ["convert", "--help"],
                                  ["--version"]], ids=" ".join)
def test_a_full_disk_under_stdout_is_exit_4(monkeypatch, args):
    from convert.cli import main

    for room in (0, 10):  # the first write fails, or a later one
        failing = io.TextIOWrapper(io.BufferedWriter(FailingFile(errno.ENOSPC, after=room)), encoding="utf-8")
        errors = io.StringIO()
        monkeypatch.setattr(sys, "stdout", failing)
        monkeypatch.setattr(sys, "stderr", errors)
        status = main(args)
        monkeypatch.undo()
        assert status == 4, errors.getvalue()
        assert one_error(errors.getvalue()) == ("protocol-convert: error: <stdout>: cannot write: "
                                                "No space left on device")


def test_a_closed_pipe_ends_quietly_even_mid_output(tmp_path):
    import subprocess

    for index in range(40):  # about 1 MB of JSON: more than a pipe holds
        page_copy(tmp_path / "pages", f"p{index}.txt")
    process = subprocess.Popen([sys.executable, "-m", "convert", str(tmp_path / "pages"), "--collection",
                                "-t", "json", "-o", "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.read(100)  # as `| head -c 100` does
    process.stdout.close()
    stderr = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=60) == 141
    assert stderr == b""


def test_a_closed_stdout_is_exit_4():
    import subprocess

    result = subprocess.run([sys.executable, "-m", "convert", str(SEED), "-t", "json", "-o", "-"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, timeout=60,
                            preexec_fn=lambda: os.close(1))
    assert result.returncode == 4
    assert one_error(result.stderr) == "protocol-convert: error: <stdout>: standard output is closed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-O", "json.indent=-1"], "option json.indent expects a number from 0 to 16, got '-1'"),
        (["-O", "json.indent=100000000"], "option json.indent expects a number from 0 to 16, got '100000000'"),
        (["--date", "9999-12-31T23:59:59-05:00"],
         "--date expects a date between 1000-01-02 and 9999-12-30, got '9999-12-31T23:59:59-05:00'"),
        (["--date", "0001-01-01T00:00:00+05:00"],
         "--date expects a date between 1000-01-02 and 9999-12-30, got '0001-01-01T00:00:00+05:00'"),
        (["--date", "yesterday"], "--date expects an ISO 8601 date or 'now', got 'yesterday'"),
        (["-O", "epub.date=99999-01-01"], "option epub.date expects an ISO 8601 date (or 'now'), got '99999-01-01'"),
        (["--max-size", "-1"], "--max-size: expected a whole number of at least 0, got '-1'"),
    ],
)
def test_out_of_range_values_are_usage_errors_before_any_work(tmp_path, args, message):
    pages = tmp_path / "pages"
    page_copy(pages)
    formats = "json,epub" if "epub" in " ".join(args) else "json"
    result = cli(str(pages), "-t", formats, "-o", str(tmp_path / "out"), *args)
    assert result.returncode == 2
    assert message in one_error(result.stderr)
    assert not (tmp_path / "out").exists()


def test_source_date_epoch_out_of_range_is_a_usage_error(tmp_path):
    result = cli(str(SEED), "-t", "epub", "-o", str(tmp_path / "x.epub"),
                 env={**os.environ, "SOURCE_DATE_EPOCH": str(10**20)})
    assert result.returncode == 2
    assert "SOURCE_DATE_EPOCH" in one_error(result.stderr) and not (tmp_path / "x.epub").exists()


def test_every_date_an_option_accepts_is_written_by_every_format():
    from convert.formats import EARLIEST_DATE, LATEST_DATE
    from convert.plugins import load_registry

    registry = load_registry()
    document = convert.parse(SEED, registry=registry)
    for name, exporter in sorted(registry.exporters.items()):
        if any(o.name == "date" for o in exporter.options):
            for date in (EARLIEST_DATE, LATEST_DATE, "1000-01-02T13:00:00-11:00", "9999-12-29T23:00:00+14:00"):
                for documents in ([document], [document, document]):
                    assert convert.export(documents, name, options={"date": date}, registry=registry)
    with pytest.raises(OptionError):
        convert.export(document, "epub", options={"date": "9999-12-31T23:00:00-05:00"}, registry=registry)


def test_jobs_far_beyond_the_inputs_and_cores_are_capped(tmp_path):
    from convert.batch import MAX_WORKERS_PER_CORE, ConvertJob, _workers, default_jobs

    assert _workers(ConvertJob(inputs=[], jobs=10**9), 10**6) == default_jobs() * MAX_WORKERS_PER_CORE
    assert _workers(ConvertJob(inputs=[], jobs=10**9), 3) == 3
    assert _workers(ConvertJob(inputs=[], jobs=10**9, executor="dask", scheduler="tcp://x:1"), 500) == 500
    pages = tmp_path / "pages"
    for index in range(3):
        page_copy(pages, f"p{index}.txt")
    result = cli(str(pages), "-t", "json", "-o", str(tmp_path / "out"), "-j", str(10**9))
    assert result.returncode == 0 and "converted 3, skipped 0, failed 0" in result.stderr.decode()


def test_input_errors_of_the_library(tmp_path):
    with pytest.raises(InputError, match="NUL"):
        convert.parse("page\0.txt")
    with pytest.raises(InputError, match="is a FIFO"):
        convert.parse(make_fifo(tmp_path / "fifo.txt"))
