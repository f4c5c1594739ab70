"""Helpers of the fault-injection tests (``test_hostile_*.py``).

Every fault test asserts the same four things: the exit code, the one-line message, that no
input changed (:class:`Snapshot`: a hash of every file, and the kind of every special file,
before and after), and that nothing partial is left (:func:`assert_nothing_partial`). Faults
are made in the test's own directory (a FIFO, a device node, a socket) or injected (an
``OSError`` from a file object), never by writing to a real system path.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import socket
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import IN_CI, ROOT, SEED

#: an exporter slow enough (about 0.2 s a page) to be interrupted mid-batch
SLOW_EXPORTER = """
import time
from convert import Exporter, hookimpl

def write(documents, stream, options):
    stream.write(b"{")
    for _ in range(20):
        time.sleep(0.01)
        stream.write(b" ")
    stream.write(b"}")

@hookimpl
def register_exporters(register):
    register(Exporter(name="slow", extension=".slow", write=write))
"""

PYTHON = sys.executable
CLI = [PYTHON, "-m", "convert"]


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120,
        **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    """``protocol-convert ARGS`` in a process of its own (real descriptors, real signals)."""
    return subprocess.run([*CLI, *args], capture_output=True, cwd=cwd, env=env, check=False, timeout=timeout,
                          **kwargs)  # type: ignore[call-overload]


def as_permission_bits_allow() -> None:
    """A ``preexec_fn``: the process (and what it runs) obeys files' permission bits even as
    root, as any other user would: root's two capabilities that override them are dropped from
    its bounding set, so the program it runs never gets them back."""
    if os.geteuid() != 0:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "cannot drop a capability")


def error_lines(stderr: bytes | str) -> list[str]:
    text = stderr.decode() if isinstance(stderr, bytes) else stderr
    return [line for line in text.splitlines() if line.startswith("protocol-convert: error:")]


def one_error(stderr: bytes | str) -> str:
    """The one error line of a run that must report exactly one problem, and no traceback."""
    text = stderr.decode() if isinstance(stderr, bytes) else stderr
    assert "Traceback" not in text, text
    lines = error_lines(text)
    assert len(lines) == 1, text
    return lines[0]


# --- what must not change, and what must not be left -------------------------------------


def _state(path: Path) -> object:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return ("link", os.readlink(path))
    if stat.S_ISREG(info.st_mode):
        return ("file", hashlib.sha256(path.read_bytes()).hexdigest(), info.st_ino)
    return (stat.S_IFMT(info.st_mode), info.st_rdev, info.st_ino)


class Snapshot:
    """The state of every entry below some directories (contents hashed, special files by
    kind and inode) to compare after a run: ``snapshot.assert_unchanged()``."""

    def __init__(self, *roots: Path) -> None:
        self.roots = roots
        self.before = self.take()

    def take(self) -> dict[Path, object]:
        found: dict[Path, object] = {}
        for root in self.roots:
            paths = [root, *root.rglob("*")] if root.is_dir() and not root.is_symlink() else [root]
            for path in paths:
                if path.is_dir() and not path.is_symlink():
                    continue
                found[path] = _state(path)
        return found

    def assert_unchanged(self) -> None:
        after = self.take()
        changed = sorted(str(p) for p in set(self.before) | set(after) if self.before.get(p) != after.get(p))
        assert not changed, f"inputs changed: {changed}"


def assert_nothing_partial(*roots: Path) -> None:
    """No temporary ``.part`` file anywhere below ``roots``."""
    for root in roots:
        left = [p for p in root.rglob("*") if p.name.endswith(".part")] if root.exists() else []
        assert not left, f"partial files left: {left}"


# --- special files, made in the test's own directory -------------------------------------


def make_fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def make_device(path: Path, major: int = 1, minor: int = 5) -> Path:
    """A character device node (default: the numbers of /dev/zero) in the test's directory;
    where making one is not permitted, skipped with the reason (a failure under ``CI=true``)."""
    try:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(major, minor))
    except PermissionError as exc:
        reason = f"cannot make a device node here ({exc.strerror}): needs root, as CI runs"
        if IN_CI:
            pytest.fail(reason)  # under CI a check that cannot run is a failure, never a skip
        pytest.skip(reason)
    return path


def make_socket(path: Path) -> socket.socket:
    """A listening Unix socket at ``path`` (close it after the test)."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(os.fspath(path))
    server.listen(1)
    return server


def page_copy(directory: Path, name: str = "page.txt") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(SEED.read_bytes())
    return path


# --- injected failures -------------------------------------------------------------------


class FailingFile(io.RawIOBase):
    """A writable file object whose writes fail with ``error`` (ENOSPC: a full disk) once
    ``after`` bytes were accepted."""

    def __init__(self, error: int = errno.ENOSPC, after: int = 0) -> None:
        self.error = error
        self.room = after
        self.written = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:  # type: ignore[override]
        chunk = bytes(data)  # type: ignore[call-overload]
        if len(chunk) > self.room:
            raise OSError(self.error, os.strerror(self.error))
        self.room -= len(chunk)
        self.written += chunk
        return len(chunk)


# --- plugins written for a test, installed for its subprocesses only ------------------------


def plugin_site(directory: Path, name: str, source: str) -> dict[str, str]:
    """A distribution ``name`` (module ``name.py`` with ``source``) registered under the
    ``protocol_convert`` entry points in ``directory``: the environment of a subprocess that
    loads it."""
    info = directory / f"{name}-1.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[protocol_convert]\n{name} = {name}\n")
    (directory / f"{name}.py").write_text(textwrap.dedent(source))
    paths = [str(directory), str(ROOT), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


# --- processes ---------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux: /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"


def wait_for(condition: object, timeout: float = 30, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(step)
    return False


def files_in(directory: Path, suffix: str) -> Iterator[Path]:
    return (p for p in directory.iterdir() if p.suffix == suffix) if directory.exists() else iter(())
