"""Faults and hostile inputs: clear errors, nothing lost, nothing half-written."""

from __future__ import annotations

import pytest
from conftest import SEED

import convert
from convert.batch import ConvertJob, run_job
from convert.errors import DecodingError, ExportError, InputTooLargeError, NotTextError
from convert.formats import Exporter
from convert.hookspecs import hookimpl
from convert.plugins import load_registry


class Exploding:
    """A plugin whose exporter writes half its output, then raises."""

    __name__ = "exploding"

    @staticmethod
    @hookimpl
    def register_exporters(register):
        def write(documents, stream, options):
            stream.write(b"half of an output")
            raise RuntimeError("disk on fire")

        register(Exporter(name="boom", extension=".boom", write=write))


@pytest.fixture
def registry():
    return load_registry(plugins=[Exploding()])


def test_a_failing_exporter_is_named_and_leaves_no_file(tmp_path, registry):
    target = tmp_path / "seed.boom"
    with pytest.raises(ExportError) as caught:
        convert.export(convert.parse(SEED, registry=registry), "boom", target, registry=registry)
    assert "boom exporter (plugin 'exploding') failed: RuntimeError: disk on fire" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_failing_exporter_never_damages_an_existing_file(tmp_path, registry):
    target = tmp_path / "seed.boom"
    target.write_bytes(b"the previous good output")
    with pytest.raises(ExportError):
        convert.export(convert.parse(SEED, registry=registry), "boom", target, force=True, registry=registry)
    assert target.read_bytes() == b"the previous good output"
    assert list(tmp_path.iterdir()) == [target]


def test_other_formats_of_the_run_are_still_written(tmp_path, registry):
    messages: list[str] = []
    job = ConvertJob(inputs=[str(SEED)], formats=["boom", "json"], output=str(tmp_path))
    status = run_job(job, registry, echo=messages.append)
    assert status == 1
    assert (tmp_path / "seed.json").exists() and not (tmp_path / "seed.boom").exists()
    assert any("boom exporter (plugin 'exploding')" in m for m in messages)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seed.json"]


def test_inputs_are_never_modified(tmp_path):
    page = tmp_path / "page.txt"
    page.write_bytes(SEED.read_bytes())
    before = (page.read_bytes(), page.stat().st_mtime_ns)
    convert.convert(page, "json", tmp_path / "page.json")
    assert (page.read_bytes(), page.stat().st_mtime_ns) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04" + b"\x00" * 40, "looks like a zip archive"),
        (b"%PDF-1.7\n" + bytes(range(256)), "looks like a PDF file"),
        (b"text with a NUL \x00 inside", "holds NUL bytes"),
        (bytes(range(256)) * 8, "not a text page"),
    ],
)
def test_binary_input_is_not_a_text_page(data, message):
    with pytest.raises(NotTextError, match=message):
        convert.parse(data, name="x.txt")


def test_legacy_encodings_are_detected():
    page = "Policy\n\nCafé owners say “no” to the new rules\n\nA dek about café déjà vu.\n\nBody text here.\n"
    document = convert.parse(page.encode("cp1252"), name="old.txt")
    assert document.main.title == "Café owners say “no” to the new rules"
    document = convert.parse(page.encode("utf-16"), name="wide.txt")
    assert document.main.title == "Café owners say “no” to the new rules"


def test_a_wrong_explicit_encoding_is_refused_with_a_hint():
    with pytest.raises(DecodingError, match="not valid ascii"):
        convert.parse("naïve".encode(), name="x.txt", encoding="ascii")
    with pytest.raises(DecodingError, match="unknown encoding 'klingon'"):
        convert.parse(b"text", name="x.txt", encoding="klingon")


def test_inputs_over_the_limit_are_refused_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 1000)
    with pytest.raises(InputTooLargeError, match="over the 100-byte limit"):
        convert.parse(big, max_size=100)
    assert convert.parse(big, max_size=None).articles


def test_standard_input_is_read_in_bounded_memory():
    import io

    from convert.textio import read_stream

    with pytest.raises(InputTooLargeError, match="over the 10-byte limit"):
        read_stream(io.BytesIO(b"x" * 1_000_000), max_size=10)
    assert read_stream(io.BytesIO(b"x" * 10), max_size=10) == b"x" * 10


def test_cli_refuses_oversized_standard_input():
    from convert.testing import run_cli

    result = run_cli(["convert", "-", "-t", "json", "-o", "-", "--max-size", "100"], input=b"word " * 1000)
    assert result.exit_code == 3
    assert "<stdin>: is over the 100-byte limit" in result.output
