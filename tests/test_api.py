"""The library API: parse, export, convert."""

from __future__ import annotations

import io
import json

import pytest
from conftest import SEED

import convert
from convert.errors import EmptyInputError, OptionError, OutputExistsError


def test_parse_accepts_a_path_bytes_or_a_stream():
    from_path = convert.parse(SEED)
    from_bytes = convert.parse(SEED.read_bytes(), name="seed.txt")
    with SEED.open("rb") as handle:
        from_stream = convert.parse(handle)
    assert from_path == from_bytes == from_stream
    assert from_path.source.name == "seed.txt" and from_path.source.reader == "protocol"


def test_parse_is_deterministic_and_leaves_the_input_untouched():
    before = SEED.read_bytes()
    assert convert.parse(SEED) == convert.parse(SEED)
    assert SEED.read_bytes() == before


def test_export_returns_bytes_or_writes_a_file(tmp_path):
    document = convert.parse(SEED)
    data = convert.export(document, "json")
    assert json.loads(data)["schema_version"] == "1.2"
    target = tmp_path / "seed.json"
    assert convert.export(document, "json", target) is None
    assert target.read_bytes() == data
    with pytest.raises(OutputExistsError):
        convert.export(document, "json", target)
    stream = io.BytesIO()
    convert.export(document, "json", stream, options={"indent": 0})
    assert b"\n" not in stream.getvalue().rstrip(b"\n")


def test_convert_round_trips_through_json():
    data = convert.convert(SEED, "json")
    (loaded,) = convert.loads(data)
    assert loaded == convert.parse(SEED)
    assert convert.dumps(loaded).encode() == data


def test_options_are_validated():
    with pytest.raises(OptionError, match=r"unknown option json\.colour"):
        convert.export(convert.parse(SEED), "json", options={"colour": "red"})


def test_errors_name_the_input():
    with pytest.raises(EmptyInputError) as caught:
        convert.parse(b"  \n\n ", name="blank.txt")
    assert str(caught.value) == "blank.txt: holds only white space"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("page.txt", "page.epub"),
        ("../../etc/passwd", "passwd.epub"),
        ("/abs/path/story.txt", "story.epub"),
        ("..\\..\\win.txt", "win.epub"),
        ("..", "document.epub"),
        (".hidden", "hidden.epub"),
        ("CON.txt", "_CON.epub"),
        ("nul", "_nul.epub"),
        ("a\x00b\nc.txt", "a_b_c.epub"),
        ("über 中文.txt", "über 中文.epub"),
    ],
)
def test_output_names_cannot_escape_or_collide_with_reserved_names(name, expected):
    from convert.api import output_name

    assert output_name(name, ".epub") == expected
