"""Conversions on a Dask cluster started by the test (a local one: no network beyond loopback)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, require_tool

import convert
from convert import jsonform
from convert.batch import ConvertJob, run_job
from convert.plugins import load_registry

sys.path.insert(0, str(ROOT / "bench"))
import pages as synthetic

HAVE_DASK = importlib.util.find_spec("distributed") is not None and importlib.util.find_spec("dask") is not None


@pytest.fixture(scope="module")
def cluster():
    require_tool("dask", HAVE_DASK, "pip install 'protocol-convert[dask]'")
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1") as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster):
    from distributed import Client

    with Client(cluster) as connected:
        yield connected


@pytest.fixture
def page_dir(tmp_path) -> Path:
    directory = tmp_path / "pages"
    synthetic.generate(8, directory)
    (directory / "page-00004.txt").write_bytes(b"")  # an empty page fails, the rest go on
    return directory


def outputs(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_run_job_on_a_dask_scheduler_matches_a_local_run(cluster, page_dir, tmp_path):
    messages: list[str] = []
    registry = load_registry()
    local = ConvertJob(inputs=[str(page_dir)], formats=["json", "jsonl"], output=str(tmp_path / "local"), jobs=1)
    assert run_job(local, registry, echo=messages.append) == 1
    remote = ConvertJob(inputs=[str(page_dir)], formats=["json", "jsonl"], output=str(tmp_path / "dask"),
                        executor="dask", scheduler=cluster.scheduler_address)
    messages.clear()
    assert run_job(remote, registry, echo=messages.append) == 1
    assert messages[-1].startswith("converted 7, skipped 0, failed 1 in ")
    assert any("page-00004.txt: is empty" in m for m in messages)
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "local")
    assert len(outputs(tmp_path / "dask")) == 14


def test_collection_on_dask(cluster, page_dir, tmp_path):
    messages: list[str] = []
    target = tmp_path / "all.json"
    job = ConvertJob(inputs=[str(page_dir)], output=str(target), collection=True, executor="dask",
                     scheduler=cluster.scheduler_address)
    assert run_job(job, load_registry(), echo=messages.append) == 1
    documents = jsonform.loads(target.read_bytes())
    assert [d.source.name for d in documents] == [f"page-0000{i}.txt" for i in (1, 2, 3, 5, 6, 7, 8)]


def test_cli_with_scheduler_address(cluster, page_dir, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "convert", str(page_dir), "-t", "jsonl", "-o", str(tmp_path / "out"),
         "--scheduler", cluster.scheduler_address],
        capture_output=True, check=False, timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert b"converted 7, skipped 0, failed 1" in result.stderr
    assert len(list((tmp_path / "out").glob("*.jsonl"))) == 7


def test_cli_unreachable_scheduler_is_an_option_error(page_dir, tmp_path):
    require_tool("dask", HAVE_DASK, "pip install 'protocol-convert[dask]'")
    result = subprocess.run(
        [sys.executable, "-m", "convert", str(page_dir), "-t", "json", "-o", str(tmp_path / "out"),
         "--scheduler", "tcp://127.0.0.1:9"],
        capture_output=True, check=False, timeout=120,
    )
    assert result.returncode == 2
    assert b"cannot reach the Dask scheduler" in result.stderr


def test_convert_bag_maps_over_a_dask_bag(client, page_dir, tmp_path):
    import dask.bag as db

    from convert.distributed import ConvertResult, convert_bag

    paths = db.from_sequence(sorted(str(p) for p in page_dir.iterdir()), npartitions=3)
    results = convert_bag(paths, ["json"], tmp_path / "out", options={"json.indent": 0}).compute()
    assert len(results) == 8 and all(isinstance(r, ConvertResult) for r in results)
    failed = [r for r in results if r.errors]
    assert [r.input for r in failed] == [str(page_dir / "page-00004.txt")]
    (error,) = failed[0].errors
    assert (error.kind, error.exit_code, failed[0].status) == ("EmptyInputError", 3, "failed")
    assert error.is_a(convert.InputError) and not error.is_a(convert.OutputError)
    good = [r for r in results if not r.errors]
    for result in good:
        (written,) = result.outputs
        data = Path(written).read_bytes()
        assert b"\n  " not in data  # the option reached the workers
        assert jsonform.loads(data)[0] == convert.parse(result.input)
        assert result.status == "converted"


def test_convert_bag_counts_an_output_that_exists_as_a_skip(client, page_dir, tmp_path):
    from convert.distributed import convert_bag

    paths = sorted(str(p) for p in page_dir.iterdir())
    out = tmp_path / "out"
    first = convert_bag(paths, ["json", "jsonl"], out).compute()
    (out / "page-00001.jsonl").unlink()  # one output of one page is missing: only it is written
    again = convert_bag(paths, ["json", "jsonl"], out).compute()
    assert [r.status for r in again] == ["converted"] + ["skipped"] * 2 + ["failed"] + ["skipped"] * 4
    assert again[0].outputs == (str(out / "page-00001.jsonl"),) and again[0].skipped == (str(out / "page-00001.json"),)
    assert [len(r.skipped) for r in again[1:]] == [2, 2, 0, 2, 2, 2, 2]
    assert not any(e.kind == "OutputExistsError" for r in again for e in r.errors)
    forced = convert_bag(paths, ["json"], out, force=True).compute()
    assert [r.status for r in forced].count("converted") == 7 and first[0].status == "converted"


def test_parse_bag_returns_the_failures_too_then_one_collection(client, page_dir, tmp_path):
    from convert.distributed import ParseResult, parse_bag

    results = parse_bag(sorted(str(p) for p in page_dir.iterdir())).compute()
    assert all(isinstance(r, ParseResult) for r in results) and len(results) == 8
    (empty,) = [r for r in results if r.document is None]
    assert empty.input == str(page_dir / "page-00004.txt") and empty.errors[0].kind == "EmptyInputError"
    documents = [r.document for r in results if r.document is not None]
    assert [d.source.name for d in documents] == [f"page-0000{i}.txt" for i in (1, 2, 3, 5, 6, 7, 8)]
    convert.export(documents, "json", tmp_path / "all.json")
    assert len(jsonform.loads((tmp_path / "all.json").read_bytes())) == 7


def test_the_bags_check_their_options_in_the_one_shape_before_any_task(tmp_path):
    from convert.distributed import convert_bag, parse_bag

    with pytest.raises(TypeError, match="options take one shape"):
        convert_bag([], ["json"], tmp_path / "out", options={"json": {"indent": 0}})
    with pytest.raises(convert.OptionError, match="a format this call does not use"):
        convert_bag([], ["json"], tmp_path / "out", options={"epub.language": "de"})
    with pytest.raises(convert.OptionError, match="names no reader"):
        parse_bag([], reader_options={"strict": True})
    with pytest.raises(convert.UnknownFormatError, match="unknown input format 'nosuch'"):
        parse_bag([], reader_options={"nosuch.x": 1})
