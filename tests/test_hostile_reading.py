"""Fault injection, reading: decoding that does not rewrite the page, and a JSON reader that
holds to its own schema (issue 15, classes 3 and 7)."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from conftest import SEED
from hostile import Snapshot, cli, one_error
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import convert
from convert import jsonform
from convert.errors import ConvertWarning, DecodingError, SchemaError
from convert.plugins import load_registry
from convert.textio import collect_warnings, decode_text

SEED_TEXT = SEED.read_text(encoding="utf-8")
SCHEMA = json.loads(jsonform.SCHEMA_PATH.read_text(encoding="utf-8"))

# --- 3. decoding that does not rewrite the page ------------------------------------------------


def with_bad_bytes(text: str, *bad: tuple[int, bytes]) -> bytes:
    data = text.encode("utf-8")
    for at, junk in sorted(bad, reverse=True):
        data = data[:at] + junk + data[at:]
    return data


def test_one_bad_byte_does_not_make_the_page_mac_roman(tmp_path):
    at = SEED_TEXT.encode().index("’".encode())
    page = tmp_path / "page.txt"
    page.write_bytes(with_bad_bytes(SEED_TEXT, (at, b"\xff")))
    snapshot = Snapshot(page)
    with pytest.warns(ConvertWarning, match=r"page.txt: 1 byte sequence that is not UTF-8 replaced by U\+FFFD"):
        document = convert.parse(page)
    assert document.main.title == "China\ufffd’s era of Big Tech Overwork has ended"  # the rest as written
    result = cli(str(page), "-t", "json", "-o", "-")
    assert result.returncode == 0
    assert result.stderr.decode().splitlines() == [
        f"protocol-convert: warning: {page}: 1 byte sequence that is not UTF-8 replaced by U+FFFD "
        "(name the page's encoding with --encoding, for example cp1252)"]
    assert "China\ufffd’s era" in result.stdout.decode() and "‚Äô" not in result.stdout.decode()
    snapshot.assert_unchanged()


def test_the_warning_counts_the_bad_sequences():
    data = with_bad_bytes(SEED_TEXT, (10, b"\xff"), (200, b"\xc3"), (400, b"\xe2\x80"))
    with collect_warnings() as notes:
        text = decode_text(data, name="p.txt")
    assert notes == [("p.txt", "3 byte sequences that are not UTF-8 replaced by U+FFFD", "encoding")]
    assert text.count("\ufffd") == 3 and text.replace("\ufffd", "") == SEED_TEXT.replace("\ufeff", "")


TEXT = st.text(alphabet=st.one_of(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"),
                                                 exclude_characters="\ufeff\ufffd"), st.just("\n")), min_size=20)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT,
       junk=st.lists(st.sampled_from([b"\xff", b"\xfe", b"\xc0", b"\x80", b"\xed\xa0\x80"]), min_size=1, max_size=3))
def test_valid_utf8_is_never_rewritten(text, junk):
    """Whatever the text, where its valid multi-byte UTF-8 sequences outnumber the bad ones,
    it survives: only the bad sequences change (each to U+FFFD)."""
    non_ascii = sum(1 for c in text if ord(c) > 127)
    assume(text.strip() and non_ascii >= len(junk) * 3)  # (a surrogate's escape counts three bad bytes)
    data = text.encode("utf-8")
    step = max(1, len(data) // (len(junk) + 1))
    for index, piece in enumerate(junk):  # at character boundaries
        cut = data.decode("utf-8", "ignore")[: step * (index + 1) // 2]
        at = len(cut.encode("utf-8"))
        data = data[:at] + piece + data[at:]
    with collect_warnings() as notes:
        assert decode_text(data, name="x") == data.decode("utf-8", "replace")
    assert len(notes) == 1


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_a_byte_order_mark_decides_and_stray_ones_are_removed(codec):
    text = "Policy\n\nA headline here\n\nA dek \ufeffwith a stray mark.\n\nBody text here, 内卷.\n"
    assert "\ufeff" not in decode_text(text.encode(codec), name="wide.txt")
    assert "\ufeff" not in decode_text(b"\xef\xbb\xbf" + text.encode("utf-8"), name="marked.txt")
    assert decode_text(text.encode(codec), name="wide.txt") == text.replace("\ufeff", "")


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (b"\xff\xfe" + "hello world".encode("utf-16-le") + b"\x00\xd8a\x00", "UTF-16-LE"),  # a lone surrogate
        (b"\xfe\xff" + "hello world".encode("utf-16-be") + b"\xdc\x00", "UTF-16-BE"),
        (b"\xff\xfe\x00\x00" + "hello".encode("utf-32-le") + b"\x00\x00\x11\x00", "UTF-32-LE"),  # past U+10FFFF
        (b"\x00\x00\xfe\xff" + "hello".encode("utf-32-be") + b"\x00\x00", "UTF-32-BE"),  # cut short
    ],
)
def test_undecodable_utf16_and_utf32_are_input_errors(tmp_path, data, codec):
    with pytest.raises(DecodingError, match=f"its byte-order mark says {codec}, but it is not valid {codec}"):
        decode_text(data, name="x.txt")
    page = tmp_path / "wide.txt"
    page.write_bytes(data)
    result = cli(str(page), "-t", "json", "-o", "-")
    assert result.returncode == 3
    assert f"{page}: its byte-order mark says {codec}" in one_error(result.stderr)


def test_legacy_pages_are_still_detected_without_a_warning():
    page = "Policy\n\nCafé owners say “no” to the new rules\n\nA dek about café déjà vu.\n\nBody text here.\n"
    with collect_warnings() as notes:
        assert "Café owners say “no” to the new rules" in decode_text(page.encode("cp1252"), name="old.txt")
    assert notes == []


# --- 7. the JSON reader holds to its own schema -----------------------------------------------

TREE = json.loads(jsonform.dumps(convert.parse(SEED)))


def mutated(path: str, value: object) -> dict:
    data = copy.deepcopy(TREE)
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    if last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return data


FORBIDDEN = [
    ("document.articles.0.date", "yesterday"),
    ("document.articles.0.id", ""),
    ("document.articles.0.id", "1-starts-with-a-digit"),
    ("document.articles.0.role", "boss"),
    ("document.source.sha256", "\ud800" * 64),
    ("document.source.sha256", "a" * 64 + "\n"),
    ("document.source.reader", ""),
    ("document.articles.0.authors", [{"name": "", "handle": None, "bio": None}]),
    ("document.articles.0.body.0", {"type": "heading", "level": 7, "content": []}),
    ("document.articles.0.body.0", {"type": "video", "content": []}),
    ("document.articles.0.truncated", "no"),
    ("schema_version", "١.٠"),
    ("schema_version", "1.0\n"),
    ("schema_version", "1.x"),
]


@pytest.mark.parametrize(("path", "value"), FORBIDDEN, ids=[f"{p}={v!r}"[:60] for p, v in FORBIDDEN])
def test_what_the_schema_forbids_is_a_schema_error(tmp_path, path, value):
    data = mutated(path, value)
    if not str(value).endswith("\n"):  # python-jsonschema's `$` takes a final newline; the spec's (ECMA-262) does not
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(data, SCHEMA)
    text = json.dumps(data, ensure_ascii=True)
    with pytest.raises(SchemaError):
        jsonform.loads(text)
    tree = tmp_path / "tree.json"
    tree.write_text(text)
    result = cli(str(tree), "-t", "json", "-o", str(tmp_path / "out.json"))
    assert result.returncode == 3
    assert one_error(result.stderr).startswith(f"protocol-convert: error: {tree}: ")
    assert not (tmp_path / "out.json").exists()


LEAVES = [None, True, 0, 7, -1, 2.5, "", "x", "yesterday", "a" * 64, [], {}, [{}], {"type": "text"}]


@settings(max_examples=150, deadline=None, derandomize=True)
@given(data=st.data())
def test_the_loader_accepts_exactly_what_the_schema_accepts(data):
    """Any tree, with one value anywhere replaced by another: loaded if and only if the
    published schema validates it."""
    tree = copy.deepcopy(TREE)
    paths: list[tuple[object, object]] = []

    def collect(node: object) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            paths.append((node, key))
            collect(child)

    collect(tree)
    parent, key = data.draw(st.sampled_from(paths))
    parent[key] = data.draw(st.sampled_from(LEAVES))  # type: ignore[index]
    try:
        jsonschema.validate(tree, SCHEMA)
        valid = True
    except jsonschema.ValidationError:
        valid = False
    try:
        jsonform.loads(json.dumps(tree))
        loaded = True
    except SchemaError:
        loaded = False
    assert loaded == valid, (parent, key)


def test_nesting_depth_is_bounded_with_a_schema_error(tmp_path):
    deep_block: dict = {"type": "paragraph", "content": []}
    for _ in range(300):
        deep_block = {"type": "quote", "content": [deep_block]}
    deep = mutated("document.articles.0.body.0", deep_block)
    for text in [json.dumps(deep), "[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000]:
        with pytest.raises(SchemaError, match="nested deeper than 100 levels"):
            jsonform.loads(text)
    tree = tmp_path / "deep.json"
    tree.write_text(json.dumps(deep))
    result = cli(str(tree), "-t", "epub", "-o", str(tmp_path / "deep.epub"))
    assert result.returncode == 3 and "nested deeper than 100 levels" in one_error(result.stderr)


def test_lone_surrogates_in_any_field_never_crash_an_exporter():
    text = json.dumps(TREE)
    for field in ['"title": "', '"name": "', '"text": "', '"section": "', '"dek": "', '"alt": "', '"credit": "']:
        text = text.replace(field, field + "\\ud800 \\udfff")
    (document,) = jsonform.loads(text)
    assert "\ufffd" in document.main.title and "\ud800" not in document.main.title
    registry = load_registry()
    for name in sorted(registry.exporters):
        assert convert.export([document, document], name, registry=registry)
        assert convert.export(document, name, registry=registry)


def test_the_checker_enforces_every_keyword_the_schema_uses():
    from convert import schema_check

    assert schema_check._schema() == SCHEMA  # it loads: no keyword it would half enforce
    used = schema_check._keywords(SCHEMA)
    assert used - schema_check.ANNOTATIONS <= schema_check.KEYWORDS
