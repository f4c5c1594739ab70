"""The collection view: merging, ordering and linking stories across pages."""

from __future__ import annotations

from convert.collection import build_collection
from convert.tree import Article, Document, Paragraph, Source, Text, story_id


def story(title, role="main", section=None, text="body"):
    return Article(id=story_id(title, text), role=role, title=title, section=section,
                   body=(Paragraph((Text(text),)),), truncated=role != "main")


def page(name, *articles):
    return Document(Source(name, "0" * 64, "protocol"), articles)


def test_teasers_repeated_across_pages_are_merged_and_full_stories_win():
    a = page("a.txt", story("Alpha story", section="China"), story("Beta story", "teaser", "Policy"),
             story("Gamma story", "teaser", "China"))
    b = page("b.txt", story("Beta story", section="Policy", text="the full text"),
             story("Gamma story", "teaser", "China"), story("Alpha  STORY ", "teaser", "China"))
    collection = build_collection([a, b])
    titles = [[x.title for x in s.articles] for s in collection.sections]
    assert [s.name for s in collection.sections] == ["China", "Policy"]
    assert titles == [["Alpha story", "Gamma story"], ["Beta story"]]
    beta = collection.by_id[story_id("Beta story")]
    assert beta.role == "main" and beta.body[0].content[0].text == "the full text"
    assert collection.has_full_story(beta.id) and not collection.has_full_story(story_id("Gamma story"))
    assert collection.appearances[story_id("Gamma story")] == ("a.txt", "b.txt")
    # page a's teaser of Beta resolves to the full story kept in the collection
    assert [x.role for x in collection.related(a)] == ["main", "teaser"]


def test_main_stories_keep_input_order_within_a_section():
    docs = [page(f"{n}.txt", story(f"Story number {n}", section="Enterprise")) for n in range(5)]
    collection = build_collection(docs)
    assert [a.title for a in collection.articles] == [f"Story number {n}" for n in range(5)]


def test_untitled_stories_are_kept_apart_by_their_text():
    a = page("a.txt", story(None, "teaser", text="first blurb"), story(None, "teaser", text="second blurb"))
    assert len(build_collection([a]).articles) == 2


def test_thousands_of_pages_merge_their_shared_teaser_once():
    docs = [page(f"{n}.txt", story(f"Main {n}", section=f"S{n % 7}"), story("Shared teaser", "teaser"))
            for n in range(5000)]
    collection = build_collection(docs)
    assert len(collection.articles) == 5001
    assert collection.appearances[story_id("Shared teaser", "body")] == tuple(f"{n}.txt" for n in range(5000))
