"""The markdown exporter: conformance kit; the output read back by an independent CommonMark
parser (markdown-it-py) and YAML parser (PyYAML); escaping; options."""

from __future__ import annotations

import html
import json
import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

import convert
from convert.errors import OptionError
from convert.plugins import load_registry
from convert.testing import check_exporter, conformance_params, run_check, run_cli, sample_documents
from convert.tree import Article, Document, Emphasis, LineBreak, Link, ListBlock, Paragraph, Source, Text, story_id

REGISTRY = load_registry()
MD = MarkdownIt("commonmark")


def markdown_of(documents, **options) -> str:
    """One page's Markdown, or a collection's for several (a list of one would be a collection)."""
    pages = list(documents)
    data = convert.export(pages[0] if len(pages) == 1 else pages, "markdown", options=options, registry=REGISTRY)
    assert data is not None
    return data.decode("utf-8")


def split_front_matter(text: str) -> tuple[dict, str]:
    match = re.match(r"---\n(.*?)\n---\n", text, re.DOTALL)
    assert match, "no front matter"
    return yaml.safe_load(match.group(1)), text[match.end():]


def tokens(text: str) -> list[str]:
    return [t.type for t in MD.parse(text)]


def visible_text(markdown: str) -> str:
    rendered = MD.render(markdown)
    rendered = re.sub(r"<[^>]+>", " ", rendered)
    return re.sub(r"\s+", " ", html.unescape(rendered)).strip()


def test_registered_through_the_entry_point():
    info = REGISTRY.plugins["markdown"]
    assert info.error is None and info.distribution == "protocol-convert-markdown"


def test_conformance_kit():
    check_exporter("markdown", registry=REGISTRY)


@pytest.mark.parametrize(("exporter", "check"), conformance_params(["markdown"]))
def test_conformance_each_check(exporter, check):
    run_check(exporter, check, registry=REGISTRY)


def test_front_matter_holds_the_story_metadata():
    document = sample_documents()["every-node"].documents[0]
    meta, body = split_front_matter(markdown_of([document]))
    main_story = document.articles[0]
    assert meta == {
        "title": "Every node headline", "id": main_story.id, "role": "main", "section": "Section marker psi",
        "dek": "Dek marker omega", "date": "2021-08-17",
        "authors": [{"name": "Ada Lovelace", "handle": "@ada", "bio": "Ada Lovelace writes about engines."}],
        "image": {"alt": "Lead alt marker", "caption": "Lead caption marker", "credit": "Photo: Lead credit marker"},
        "source": "sample.txt",
    }
    # the view's kicker, then the headline
    assert body.lstrip().startswith('<p class="kicker">Section marker psi</p>\n\n# Every node headline\n')


def test_commonmark_structure_of_every_node():
    _, body = split_front_matter(markdown_of(sample_documents()["every-node"].documents))
    parsed = MD.parse(body)
    kinds = [t.type for t in parsed]
    headings = [(t.tag, parsed[i + 1].content) for i, t in enumerate(parsed) if t.type == "heading_open"]
    assert headings == [("h1", "Every node headline"), ("h2", "Subheading marker iota"),
                        ("h3", "Minor heading marker kappa"), ("h1", "More from Protocol"),
                        ("h2", "Teaser headline marker")]
    assert kinds.count("bullet_list_open") == 2 and kinds.count("ordered_list_open") == 1
    assert kinds.count("blockquote_open") == 1 and kinds.count("hr") == 2
    rendered = MD.render(body)
    for fragment in ("<em>Emphasis marker gamma</em>", "<strong>Strong marker delta</strong>",
                     '<a href="https://example.com/a?b=1&amp;c=2">Link marker epsilon</a>',
                     "Line one zeta<br />\nLine two eta", "<em>Dek marker omega</em>",
                     '<p class="signoff">Signoff marker chi</p>',
                     '<div role="img" aria-label="Alt marker sigma">Image: Alt marker sigma</div>',
                     "<figcaption>Caption marker tau<br><small>Photo: Credit marker upsilon</small></figcaption>",
                     '<p class="kicker"><strong>Excerpt</strong> · Other section</p>',
                     '<p class="kicker"><strong>Sponsored</strong></p>',
                     '<p class="byline">By Ada Lovelace · August 17, 2021</p>',
                     '<p class="excerpt-note"><em>Excerpt: the saved page shows only the beginning of this '
                     "story.</em></p>",
                     "<p><strong>About the author</strong></p>"):
        assert fragment in rendered
    # nested lists: the ordered list sits inside the second bullet, the deep one inside it
    nesting = [t.level for t in parsed if t.type in ("bullet_list_open", "ordered_list_open")]
    assert nesting == sorted(nesting) and len(set(nesting)) == 3


def test_further_stories_carry_their_metadata_in_a_comment():
    text = markdown_of(sample_documents()["every-node"].documents)
    comments = re.findall(r"<!-- protocol-convert (\{.*?\}) -->", text)
    teaser, sponsored = (json.loads(c) for c in comments)
    assert teaser["role"] == "teaser" and teaser["truncated"] is True and teaser["title"] == "Teaser headline marker"
    assert sponsored == {"id": sponsored["id"], "role": "sponsored", "level": 2}


def test_nothing_is_invented():
    meta, body = split_front_matter(markdown_of(sample_documents()["untitled"].documents))
    assert set(meta) == {"id", "role", "source"}
    assert "#" not in body and body.strip() == "A story with no headline marker"
    assert markdown_of(sample_documents()["empty"].documents) == '---\nsource: "sample.txt"\n---\n'
    assert markdown_of(sample_documents()["empty"].documents, front_matter=False) == ""


def test_a_collection_has_sections_and_stories_one_level_down():
    documents = sample_documents()["collection"].documents
    meta, body = split_front_matter(markdown_of(documents, title="Protocol archive"))
    assert meta == {"title": "Protocol archive", "sources": ["page-2.txt", "page-1.txt"]}
    parsed = MD.parse(body)
    headings = [(t.tag, parsed[i + 1].content) for i, t in enumerate(parsed) if t.type == "heading_open"]
    assert headings == [("h1", "Collection section two"), ("h2", "Second page headline"),
                        ("h1", "Collection section one"), ("h2", "Shared story headline")]
    assert "The full story marker" in body and "The teaser of it" not in body


def test_odd_text_survives_and_yaml_reads_it():
    text = markdown_of(sample_documents()["unicode"].documents)
    meta, body = split_front_matter(text)
    assert meta["title"] == "Odd text 🙂 中文 & <tags>  "
    assert "\x01" not in text and "\x0b" not in text
    assert "Ampersand & less < greater > quote \" apostrophe ' cdata ]]> end" in visible_text(body)
    assert "<b>" not in MD.render(body) and "&lt;b&gt;" in MD.render(body)


PRINTABLE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(PRINTABLE)
def test_any_text_renders_as_itself(text):
    """No character of the page becomes Markdown syntax."""
    article = Article(id=story_id("t"), role="main", body=(Paragraph((Text(text),)),))
    _, body = split_front_matter(markdown_of([Document(Source("p", "0" * 64, "t"), (article,))]))
    parsed = MD.parse(body)
    assert [t.type for t in parsed] in ([], ["paragraph_open", "inline", "paragraph_close"])
    expected = re.sub(r"\s+", " ", text).strip()
    assert visible_text(body) == expected


def test_lists_in_a_row_stay_two_lists_and_tight_lists_stay_tight():
    items = ((Paragraph((Text("a"),)),), (Paragraph((Text("b"),)),))
    article = Article(id=story_id("t"), role="main", body=(ListBlock(False, items), ListBlock(False, items)))
    _, body = split_front_matter(markdown_of([Document(Source("p", "0" * 64, "t"), (article,))]))
    assert tokens(body).count("bullet_list_open") == 2
    assert "- a\n- b" in body


def test_emphasis_with_spaces_inside_and_unsafe_links():
    article = Article(id=story_id("t"), role="main", body=(Paragraph((
        Text("x"), Emphasis((Text(" spaced "),)), Text("y "), Link("javascript:alert(1)", (Text("bad"),)),
        LineBreak(),
    )),))
    _, body = split_front_matter(markdown_of([Document(Source("p", "0" * 64, "t"), (article,))]))
    assert MD.render(body).strip() == "<p>x <em>spaced</em> y bad</p>"


def test_options_and_their_errors():
    documents = sample_documents()["every-node"].documents
    assert not markdown_of(documents, front_matter=False).startswith("---")
    assert "<!--" not in markdown_of(documents, metadata_comments=False)
    with pytest.raises(OptionError, match=r"unknown option markdown\.frontmatter"):
        convert.export(documents, "markdown", options={"frontmatter": False}, registry=REGISTRY)
    with pytest.raises(OptionError, match=r"markdown\.front_matter expects true or false"):
        convert.export(documents, "markdown", options={"front_matter": "sometimes"}, registry=REGISTRY)


def test_from_the_command_line(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("China\n\nHeadline\n\nBody *text*.\n", encoding="utf-8")
    out = tmp_path / "page.md"
    result = run_cli(["convert", str(page), "-o", str(out), "-O", "markdown.front_matter=false"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert not text.startswith("---") and "Body \\*text\\*." in text


def test_text_is_escaped_only_where_it_would_become_syntax():
    text = ('Brackets [Chinese] and (parens) {braces} + plus | pipe ! bang # hash 3. dot a_b snake '
            'C# and 1 < 2 & R&D, *stars*, _under_, `tick`, [link](x), <b>tag</b>, &amp;')
    article = Article(id=story_id("t"), role="main", body=(Paragraph((Text(text),)),))
    _, body = split_front_matter(markdown_of([Document(Source("p", "0" * 64, "t"), (article,))]))
    assert visible_text(body) == text
    for kept in ("[Chinese]", "(parens)", "{braces}", "+ plus", "| pipe", "! bang", "# hash", "3. dot", "a_b",
                 "C#", "1 < 2", "R&D"):
        assert kept in body, kept  # no needless backslash
    for escaped in ("\\*stars\\*", "\\_under\\_", "\\`tick\\`", "[link\\](x)", "\\<b>tag\\</b>", "\\&amp;"):
        assert escaped in body, escaped


def test_stories_are_set_apart_and_figures_are_lines():
    every = sample_documents()["every-node"].documents
    _, body = split_front_matter(markdown_of(every))
    rendered = MD.render(body)
    # a rule between the stories, and the sponsor's blurb labelled as such
    assert rendered.count("<hr />") == 2
    assert '<p class="kicker"><strong>Sponsored</strong></p>' in rendered
    figure = re.search(r"<figure>.*?</figure>", rendered, re.DOTALL).group(0)
    lines = re.split(r"<br>|\n", re.sub(r"</?(figure|figcaption)>", "\n", figure))
    assert [line for line in lines if line.strip()] == [
        '<div role="img" aria-label="Lead alt marker">Image: Lead alt marker</div>',
        "Lead caption marker",
        "<small>Photo: Lead credit marker</small>",
    ]
    _, collection = split_front_matter(markdown_of(sample_documents()["collection"].documents))
    assert MD.render(collection).count("<hr />") == 1  # between the two sections' stories
