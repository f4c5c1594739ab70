"""The DOCX template is opened once per process, and no document sees what an earlier one wrote.

A process that writes many documents reuses one prepared template (convert.exporters._docx_package):
these tests hold it to giving each document exactly the bytes it gets in a fresh process, whatever
was written before it (lists, links, a collection, another language, another template), and to
reading a reference document again when its content changes.
"""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from test_docx import build, kitchen_sink, make_reference, reopen, seed_like

from convert.exporters import _docx_package


@pytest.fixture
def cold(monkeypatch):
    """An empty template cache (as in a new process), and a count of the templates opened."""
    opened = []
    real_open = _docx_package._open

    def counting_open(data, where):
        opened.append(where)
        return real_open(data, where)

    monkeypatch.setattr(_docx_package, "_TEMPLATES", {})
    monkeypatch.setattr(_docx_package, "_open", counting_open)
    return opened


def fresh(documents, **options) -> bytes:
    """What ``documents`` give in a process that has written nothing before."""
    saved = dict(_docx_package._TEMPLATES)
    _docx_package._TEMPLATES.clear()
    try:
        return build(documents, **options)
    finally:
        _docx_package._TEMPLATES.clear()
        _docx_package._TEMPLATES.update(saved)


def test_the_template_is_opened_once_per_process(cold):
    for _ in range(3):
        build([seed_like()])
    build([kitchen_sink()])
    assert cold == [""]  # the default template, once


def test_a_document_is_the_same_whatever_was_written_before(cold, tmp_path):
    page, sink = [seed_like()], [kitchen_sink()]
    alone = {"page": fresh(page), "sink": fresh(sink), "both": fresh(page + sink),
             "german": fresh(page, language="de")}
    reference = make_reference(tmp_path / "ref.docx")
    # lists (numbering), links (relationships), bookmarks, other languages and templates first
    build(sink)
    build(page + sink)
    build(sink, language="de")
    build(sink, reference_doc=reference)
    assert build(page) == alone["page"]
    assert build(sink) == alone["sink"]
    assert build(page + sink) == alone["both"]
    assert build(page, language="de") == alone["german"]
    assert build(sink) == alone["sink"]


def test_nothing_of_an_earlier_document_is_left_in_a_later_one(cold):
    build([kitchen_sink()])  # links and lists
    with zipfile.ZipFile(io.BytesIO(build([seed_like()]))) as package:
        relationships = package.read("word/_rels/document.xml.rels").decode()
        body = package.read("word/document.xml").decode()
    assert "kitchen" not in body.lower()
    sink_links = {rel.target_ref for rel in reopen(build([kitchen_sink()])).part.rels.values() if rel.is_external}
    assert sink_links and not any(link in relationships for link in sink_links)


def test_a_reference_doc_changed_between_documents_is_read_again(cold, tmp_path):
    reference = make_reference(tmp_path / "ref.docx")
    first = reopen(build([seed_like()], reference_doc=reference))
    assert first.sections[0].left_margin == docx.shared.Inches(1.75)
    changed = docx.Document(reference)
    changed.sections[0].left_margin = docx.shared.Inches(2.5)
    changed.save(reference)
    second = reopen(build([seed_like()], reference_doc=reference))
    assert second.sections[0].left_margin == docx.shared.Inches(2.5)
    assert len(cold) == 2
    build([seed_like()], reference_doc=reference)
    assert len(cold) == 2  # the same content: the same prepared template


def test_the_package_is_an_ordinary_zip(cold):
    data = build([kitchen_sink()])
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        names = package.namelist()
        assert names[:3] == ["[Content_Types].xml", "_rels/.rels", "word/document.xml"]
        assert len(set(names)) == len(names)
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
