"""The JSON form: schema-valid, lossless round trip, version rules."""

from __future__ import annotations

import json

import jsonschema
import pytest

from convert import jsonform
from convert.errors import SchemaError, UnsupportedVersionError
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
    story_id,
)

SCHEMA = json.loads(jsonform.SCHEMA_PATH.read_text(encoding="utf-8"))


def every_node_document() -> Document:
    inline = (
        Text("plain & <odd> “quotes” 中文 🙂 "),
        Emphasis((Text("em"),)),
        Strong((Text("strong "), Link("https://example.com/?a=1&b=2", (Text("link"),)))),
        LineBreak(),
    )
    body = (
        Paragraph(inline),
        Heading(2, (Text("Sub"),)),
        Heading(3, (Text("Subsub"),)),
        ListBlock(False, (
            (Paragraph((Text("one"),)),),
            (Paragraph((Text("two"),)), ListBlock(True, ((Paragraph((Text("a"),)),),))),
        )),
        Quote((Paragraph((Text("quoted"),)),)),
        Figure(Image(alt="alt", caption=None, credit="Photo: X")),
        Signoff((Text("— Name"),)),
    )
    main = Article(
        id=story_id("Headline"), role="main", title="Headline", section="China", dek="Dek.",
        date="2022-02-24", authors=(Author("A B", "@ab", "A B is a reporter."),),
        image=Image("alt", "caption", "Photo: X/Y"), body=body,
    )
    teaser = Article(id=story_id(None, "text"), role="teaser", body=(Paragraph((Text("text"),)),), truncated=True)
    return Document(Source("page.txt", "0" * 64, "protocol"), (main, teaser), chrome=("Latest Stories",))


def test_round_trip_is_identical():
    document = every_node_document()
    text = jsonform.dumps(document)
    (loaded,) = jsonform.loads(text)
    assert loaded == document
    assert jsonform.dumps(loaded) == text


def test_output_matches_published_schema():
    jsonschema.validate(json.loads(jsonform.dumps(every_node_document())), SCHEMA)


def test_collection_round_trip_and_schema():
    docs = (every_node_document(), Document(Source(None, "1" * 64, "protocol")))
    text = jsonform.dumps(docs)
    data = json.loads(text)
    assert "documents" in data and "document" not in data
    jsonschema.validate(data, SCHEMA)
    assert jsonform.loads(text) == docs


def test_schema_rejects_what_the_loader_rejects():
    data = json.loads(jsonform.dumps(every_node_document()))
    data["document"]["articles"][0]["role"] = "editorial"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)
    with pytest.raises(SchemaError, match="role"):
        jsonform.load_data(data)


def test_absent_values_are_null_not_missing():
    data = json.loads(jsonform.dumps(every_node_document()))
    teaser = data["document"]["articles"][1]
    assert teaser["title"] is None and teaser["section"] is None and teaser["image"] is None


def test_older_and_newer_minor_versions_load():
    data = json.loads(jsonform.dumps(every_node_document()))
    data["schema_version"] = "1.0"
    assert jsonform.load_data(data)
    data["schema_version"] = "1.9"
    data["document"]["articles"][0]["added_in_1_9"] = {"anything": True}
    (loaded,) = jsonform.load_data(data)
    assert loaded == every_node_document()


def test_newer_major_is_refused_with_a_clear_message():
    data = json.loads(jsonform.dumps(every_node_document()))
    data["schema_version"] = "2.0"
    with pytest.raises(UnsupportedVersionError, match=r"2\.0.*upgrade protocol-convert"):
        jsonform.load_data(data)


@pytest.mark.parametrize(
    "text",
    ["", "[]", "{}", '{"schema_version": 1}', '{"schema_version": "1.0"}',
     '{"schema_version": "1.0", "document": {"articles": []}}',
     '{"schema_version": "1.0", "document": {"source": {"name": null, "sha256": "x", "reader": "p"}, '
     '"articles": [{"id": "a", "role": "main"}]}}'],
)
def test_malformed_trees_raise_schema_error(text):
    with pytest.raises(SchemaError):
        jsonform.loads(text)


def test_lone_surrogates_become_replacement_characters_in_json():
    import convert

    document = every_node_document()
    odd = Document(document.source, (Article(id=story_id("bad \ud800 title"), role="main", title="bad \ud800 title"),))
    data = convert.export(odd, "json")
    (loaded,) = jsonform.loads(data.decode("utf-8"))  # strict UTF-8, loads back
    assert loaded.articles[0].title == "bad \ufffd title"
    assert loaded.articles[0].id == odd.articles[0].id  # the id is kept as it was
    assert convert.export(loaded, "json") == data
