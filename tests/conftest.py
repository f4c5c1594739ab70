"""Shared test helpers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEED = FIXTURES / "seed.txt"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_tool(name: str, found: bool, how: str) -> None:
    """Skip when an external validator is missing, except in CI, where it is a failure."""
    if found:
        return
    message = f"{name} is not available ({how})"
    if IN_CI:
        pytest.fail(f"CI=true and {message}: .ci/run must install it")
    pytest.skip(message)


def which(program: str) -> str | None:
    return shutil.which(program)


@pytest.fixture(scope="session")
def registry():
    from convert.plugins import load_registry

    return load_registry()


@pytest.fixture(scope="session")
def seed_document(registry):
    import convert

    return convert.parse(SEED, registry=registry)


def fixture_pages() -> list[Path]:
    """Every fixture page that has an expected tree beside it."""
    return sorted(p for p in FIXTURES.glob("*.txt") if p.with_suffix(".json").exists())


def without_repeated_ads(stories):
    """The stories a reader is shown: a sponsor's blurb printed twice (the same sponsor, the
    same words) once, as the presentation layer promises (written here independently of it)."""
    from convert.tree import block_text

    seen = set()
    kept = []
    for story in stories:
        if story.role == "sponsored":
            key = (tuple(a.name for a in story.authors), tuple(block_text(b) for b in story.body))
            if key in seen:
                continue
            seen.add(key)
        kept.append(story)
    return kept


@pytest.fixture(scope="session")
def mypy_strict(tmp_path_factory):
    """``mypy_strict(*paths, cwd=...)``: run ``mypy --strict`` as a library user would, and
    return its report (exit status and output). Errors inside ``convert`` itself are not
    this check's business (``--follow-imports=silent``); every run shares one cache, so
    only the first pays for reading the package."""
    import subprocess
    import sys

    cache = tmp_path_factory.mktemp("mypy-cache")

    def run(*paths, cwd=None, path=()):
        # an editable install is an import hook mypy cannot follow: it finds convert by MYPYPATH
        env = {**os.environ, "MYPYPATH": os.pathsep.join([str(ROOT), *map(str, path)])}
        return subprocess.run(
            # dask and distributed ship no types: a user's strict check lets calls into them be
            [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-error-summary",
             "--untyped-calls-exclude=dask", "--untyped-calls-exclude=distributed",
             "--cache-dir", str(cache), *map(str, paths)],
            cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300,
        )

    return run
