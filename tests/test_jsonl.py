"""The jsonl exporter: one story per line, streamed, collection rules, cleaned text."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import jsonschema
import pytest
from conftest import SEED

import convert
from convert import jsonform
from convert.collection import build_collection
from convert.exporters import jsonl as jsonl_module
from convert.tree import (
    Article,
    Author,
    Document,
    Emphasis,
    Figure,
    Heading,
    Image,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    Signoff,
    Source,
    Strong,
    Text,
    block_text,
    story_id,
)

# --- hand-built trees ----------------------------------------------------------------------


def para(*parts: str) -> Paragraph:
    return Paragraph(tuple(Text(p) for p in parts))


def article(title: str | None, role: str = "main", *, section: str | None = "Policy", body=None,
            authors=(), image=None, truncated: bool = False, dek: str | None = None) -> Article:
    body = tuple(body) if body is not None else (para(f"Body of {title}."),)
    safe_title = title.encode("utf-8", "replace").decode() if title else None
    return Article(
        # (story_id cannot hash a lone surrogate, so the id comes from a cleaned copy)
        id=story_id(safe_title, block_text(body[0]).encode("utf-8", "replace").decode()),
        role=role,  # type: ignore[arg-type]
        title=title,
        section=section,
        dek=dek,
        authors=tuple(authors),
        image=image,
        body=body,
        truncated=truncated,
    )


def document(name: str, *articles: Article) -> Document:
    return Document(Source(name, "0" * 64, "protocol"), tuple(articles))


RICH_BODY = (
    Paragraph((Text("Plain, "), Emphasis((Text("emphasis"),)), Text(" and "), Strong((Text("strong"),)),
               Text(" with a "), Link("https://example.com/a?b=1&c=2", (Text("link"),)), LineBreak(),
               Text("after a break."))),
    Heading(2, (Text("A subheading"),)),
    Heading(3, (Text("A smaller one"),)),
    ListBlock(False, ((para("one"),), (para("two"), ListBlock(True, ((para("nested a"),), (para("nested b"),)))))),
    Quote((para("A quoted paragraph."),)),
    Figure(Image(alt=None, caption=None, credit="Photo: Only A. Credit")),
    Signoff((Text("— Someone (someone@example.com)"),)),
)
NASTY = "& < > \" ' ]]> 🚀 内卷 ctrl\x01here vt\x0bhere ff\x0chere lone\ud800surrogate tab\tok"


def rich_documents() -> list[Document]:
    main = article("Chips and policy: the big story", body=RICH_BODY, dek="The dek.",
                   image=Image("Alt text", "A caption.", "Photo: Jane Doe/Getty Images"))
    untitled = article(None, section=None, body=(para("opening text of an untitled story"),))
    teaser = article("Another story, teased", "teaser", section="Fintech", truncated=True,
                     authors=[Author("Veronica Irwin", "@vronirwin", "Veronica Irwin (@vronirwin) is a reporter.")])
    sponsored = article(None, "sponsored", section=None, body=(para("Sponsored words."),),
                        authors=[Author("FTA", None, "The FTA represents industry leaders.")])
    nasty = article(f"Nasty {NASTY}", body=(para(NASTY),), section=NASTY, dek=NASTY)
    return [document("one.txt", main, untitled, teaser, sponsored), document("two.txt", nasty)]


def lines_of(documents, **options) -> list[dict]:
    data = convert.export(documents, "jsonl", options=options)
    assert data is not None and data.endswith(b"\n")
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


@pytest.fixture(scope="module")
def line_schema():
    schema = json.loads(jsonform.SCHEMA_PATH.read_text())
    return {
        "$defs": schema["$defs"],
        "allOf": [
            {"$ref": "#/$defs/article"},
            {
                "type": "object",
                "required": ["source"],
                "properties": {
                    "source": {
                        "type": "object",
                        "required": ["name", "sha256", "reader"],
                        "properties": {"name": {"type": ["string", "null"]}, "sha256": {"type": "string"},
                                       "reader": {"type": "string"}},
                    }
                },
            },
        ],
    }


# --- tests -------------------------------------------------------------------------------------


def test_registered_as_streaming(registry):
    exporter = registry.exporter("jsonl")
    assert exporter.streaming is True
    assert exporter.extension == ".jsonl"
    assert registry.exporter("json").streaming is False  # the default


def test_one_line_per_story_valid_against_schema(line_schema):
    docs = rich_documents()
    data = convert.export(docs, "jsonl")
    raw_lines = data.split(b"\n")[:-1]
    assert all(b"\n" not in line for line in raw_lines)
    lines = [json.loads(line) for line in raw_lines]
    assert len(lines) == sum(len(d.articles) for d in docs)
    for line in lines:
        jsonschema.validate(line, line_schema)
    # the main stories first (as read), then the held-back teaser and blurb
    assert [line["role"] for line in lines] == ["main", "main", "main", "teaser", "sponsored"]
    assert [line["source"]["name"] for line in lines] == ["one.txt", "one.txt", "two.txt", "one.txt", "one.txt"]


def test_lines_round_trip_to_the_same_articles():
    docs = rich_documents()
    by_id = {a.id: a for a in docs[0].articles}
    for line in lines_of(docs[:1]):
        line.pop("source")
        assert jsonform.article_from_dict(line, "line") == by_id[line["id"]]


def test_rich_content_survives():
    line = lines_of(rich_documents()[:1])[0]
    assert line["image"] == {"alt": "Alt text", "caption": "A caption.", "credit": "Photo: Jane Doe/Getty Images"}
    types = [b["type"] for b in line["body"]]
    assert types == ["paragraph", "heading", "heading", "list", "quote", "figure", "signoff"]
    figure = line["body"][5]["image"]
    assert figure == {"alt": None, "caption": None, "credit": "Photo: Only A. Credit"}
    nested = line["body"][3]["items"][1][1]
    assert nested["type"] == "list" and nested["ordered"] is True
    link = line["body"][0]["content"][5]
    assert link == {"type": "link", "url": "https://example.com/a?b=1&c=2",
                    "content": [{"type": "text", "text": "link"}]}


def test_control_characters_and_surrogates_are_cleaned():
    data = convert.export(rich_documents()[1], "jsonl")
    text = data.decode("utf-8")  # valid UTF-8: the lone surrogate did not crash anything
    (line,) = [json.loads(x) for x in text.splitlines()]
    for value in (line["title"], line["section"], line["dek"], line["body"][0]["content"][0]["text"]):
        assert "\x01" not in value and "\x0b" not in value and "\x0c" not in value
        assert "\ud800" not in value
        assert "ctrlhere" in value and "vt here" in value and "ff here" in value
        assert "lone\ufffdsurrogate" in value
        assert "tab\tok" in value
        assert "& < > \" ' ]]> 🚀 内卷" in value


def test_clean_text_is_written_untouched():
    # a backslash followed by b in the text is a false alarm for the cleaner: kept as is
    doc = document("x.txt", article("Paths", body=(para("C:\\bin\\file and \\u0041"),)))
    (line,) = lines_of([doc])
    assert line["body"][0]["content"][0]["text"] == "C:\\bin\\file and \\u0041"


def test_collection_rules_match_build_collection():
    a_full = article("Story A")
    a_teaser = article("Story A", "teaser", truncated=True)
    b_teaser = article("Story B", "teaser", truncated=True)
    b_teaser_again = article("story b", "teaser", truncated=True, body=(para("another excerpt"),))
    c_full = article("Story C", section="Climate")
    c_dup = article("Story C", section="Climate", body=(para("a second copy"),))
    docs = [
        document("p1.txt", article("Page one"), a_teaser, b_teaser),  # A teased before its full story
        document("p2.txt", a_full, b_teaser_again, c_full),
        document("p3.txt", c_dup, a_teaser),
    ]
    lines = lines_of(docs)
    ids = [line["id"] for line in lines]
    assert len(ids) == len(set(ids)), "each story once"
    merged = build_collection(docs)
    assert {(line["id"], line["role"]) for line in lines} == {(i, a.role) for i, a in merged.by_id.items()}
    by_id = {line["id"]: line for line in lines}
    assert by_id[a_full.id]["role"] == "main" and by_id[a_full.id]["source"]["name"] == "p2.txt"
    assert by_id[b_teaser.id]["body"] == lines_of([docs[0]])[2]["body"], "the first teaser seen is kept"
    assert by_id[c_full.id]["body"][0]["content"][0]["text"] == "Body of Story C.", "the first full copy is kept"
    # main stories in input order, then the teasers whose story is not in the collection
    assert ids == [docs[0].articles[0].id, a_full.id, c_full.id, b_teaser.id]


def test_teasers_option():
    lines = lines_of(rich_documents()[:1], teasers=False)
    assert [line["role"] for line in lines] == ["main", "main"]


def test_streaming_consumes_an_iterator_one_document_at_a_time():
    events: list[str] = []
    docs = rich_documents()

    def produce():
        for doc in docs:
            events.append(f"give {doc.source.name}")
            yield doc

    class Recorder(io.BytesIO):
        def write(self, data):
            events.append("write")
            return super().write(data)

    stream = Recorder()
    jsonl_module.write_jsonl(produce(), stream, {"teasers": True})
    # page one's main stories are written before page two is asked for
    assert events.index("write") < events.index("give two.txt")
    assert stream.getvalue() == convert.export(docs, "jsonl")


def test_held_teasers_spill_to_disk_with_the_same_result(monkeypatch):
    docs = [document(f"p{i}.txt", article(f"Main {i}"), article(f"Teaser {i}", "teaser", truncated=True))
            for i in range(50)]
    in_memory = convert.export(docs, "jsonl")
    monkeypatch.setattr(jsonl_module, "SPOOL_MEMORY", 100)
    assert convert.export(docs, "jsonl") == in_memory
    assert len(in_memory.splitlines()) == 100


def test_deterministic():
    assert convert.export(rich_documents(), "jsonl") == convert.export(rich_documents(), "jsonl")


def test_seed_page(seed_document):
    lines = lines_of(seed_document)
    assert len(lines) == len({a.id for a in seed_document.articles})
    titles = {a.title for a in seed_document.articles if a.title}
    assert titles <= {line["title"] for line in lines}
    for line in lines:
        assert line["source"]["name"] == "seed.txt"
        assert line["source"]["sha256"] == seed_document.source.sha256


def test_cli_streams_a_collection_to_stdout(tmp_path):
    for i in range(3):
        (tmp_path / f"p{i}.txt").write_bytes(SEED.read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "convert", str(tmp_path), "--collection", "-t", "jsonl", "-o", "-"],
        capture_output=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(x) for x in result.stdout.decode().splitlines()]
    seed = convert.parse(SEED)
    # three copies of one page: each story once, from the first page
    assert len(lines) == len({a.id for a in seed.articles})
    assert {line["source"]["name"] for line in lines} == {"p0.txt"}
    assert b"converted 3, skipped 0, failed 0" in result.stderr
