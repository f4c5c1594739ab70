"""The conformance kit's sample documents: hand-built trees holding every node type and the
hard cases (see :func:`sample_documents`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..tree import (
    Article,
    Author,
    Block,
    Document,
    Emphasis,
    Figure,
    Heading,
    Image,
    Inline,
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

__all__ = ["SHARED_HEADLINE", "SHARED_TEASER", "SHARED_TEXT", "Sample", "sample_documents", "texts_of_blocks"]

#: the collection sample's shared story: its headline, the text of its full story, and the
#: text of its teaser on the other page (the ``once`` check counts them)
SHARED_HEADLINE = "Shared story headline"
SHARED_TEXT = "The full story marker"
SHARED_TEASER = "The teaser of it"

_SOURCE = Source("sample.txt", "0" * 64, "conformance-kit")


@dataclass(frozen=True)
class Sample:
    """A hand-built input for exporters.

    ``documents`` is what ``write`` gets (one document, or several for a collection);
    ``expect`` the texts that must appear in the output; ``node`` the name of the node type
    the sample is about (a per-node sample may be rejected with an error naming it).
    """

    name: str
    documents: tuple[Document, ...]
    description: str
    expect: tuple[str, ...] = ()
    node: str | None = None


def _doc(*articles: Article, name: str = "sample.txt", chrome: tuple[str, ...] = ()) -> Document:
    return Document(Source(name, _SOURCE.sha256, _SOURCE.reader), tuple(articles), chrome)


def _story(title: str | None, body: tuple[Block, ...], **fields: Any) -> Article:
    opening = next((t for t in texts_of_blocks(body)), "")
    article_id = fields.pop("id", None) or story_id(title, opening)
    return Article(id=article_id, role=fields.pop("role", "main"), title=title, body=body, **fields)


def _para(*inlines: Inline) -> Paragraph:
    return Paragraph(tuple(inlines))


def _texts_of_inlines(inlines: Iterable[Inline]) -> Iterator[str]:
    for node in inlines:
        if isinstance(node, Text):
            if node.text.strip():
                yield node.text
        elif isinstance(node, (Emphasis, Strong, Link)):
            yield from _texts_of_inlines(node.content)


def texts_of_blocks(blocks: Iterable[Block]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, (Paragraph, Heading, Signoff)):
            yield from _texts_of_inlines(block.content)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from texts_of_blocks(item)
        elif isinstance(block, Quote):
            yield from texts_of_blocks(block.content)
        elif isinstance(block, Figure):
            yield from (t for t in (block.image.alt, block.image.caption, block.image.credit) if t)


# Marker texts are plain words that no format escapes, so a substring test is fair.
_NODE_BODIES: dict[str, tuple[Block, ...]] = {
    "Paragraph": (_para(Text("Paragraph marker alpha")),),
    "Text": (_para(Text("Text marker beta")),),
    "Emphasis": (_para(Text("Before emphasis "), Emphasis((Text("Emphasis marker gamma"),)), Text(" after")),),
    "Strong": (_para(Text("Before strong "), Strong((Text("Strong marker delta"),)), Text(" after")),),
    "Link": (_para(Text("See "), Link("https://example.com/a?b=1&c=2", (Text("Link marker epsilon"),))),),
    "LineBreak": (_para(Text("Line one zeta"), LineBreak(), Text("Line two eta")),),
    "Heading": (
        _para(Text("Opening theta")),
        Heading(2, (Text("Subheading marker iota"),)),
        _para(Text("Under the subheading")),
        Heading(3, (Text("Minor heading marker kappa"),)),
        _para(Text("Under the minor heading")),
    ),
    "ListBlock": (
        ListBlock(False, (
            (_para(Text("Bullet marker lambda")),),
            (
                _para(Text("Bullet marker mu")),
                ListBlock(True, (
                    (_para(Text("Numbered marker nu")),),
                    (_para(Text("Numbered marker xi")), ListBlock(False, ((_para(Text("Deep marker omicron")),),))),
                )),
            ),
        )),
    ),
    "Quote": (Quote((_para(Text("Quoted marker pi")), _para(Text("Quoted marker rho")))),),
    "Figure": (
        _para(Text("Before the figure")),
        Figure(Image(alt="Alt marker sigma", caption="Caption marker tau", credit="Photo: Credit marker upsilon")),
        Figure(Image(alt=None, caption=None, credit="Photo: Credit only marker phi")),
    ),
    "Signoff": (_para(Text("A newsletter item")), Signoff((Text("Signoff marker chi"),))),
}

_ODD_TEXT = (
    "Emoji 🙂👩🏽‍💻🇺🇸 CJK 中文字 日本語 한국어 RTL עברית العربية "
    "combining e\u0301 a\u0308 o\u0302 zero\u200bwidth"
)
_SPECIALS = "Ampersand & less < greater > quote \" apostrophe ' cdata ]]> end"
_CONTROL = "Control \x01 and \x0b and \x7f here"
_SURROGATE = "Lone \ud800 surrogate"


def sample_documents() -> dict[str, Sample]:
    """The kit's inputs by name: one per node type (``node:Quote``...), ``every-node``,
    ``empty``, ``untitled``, ``unicode``, ``metadata`` and ``collection``."""
    samples: dict[str, Sample] = {}
    for node, body in _NODE_BODIES.items():
        title = f"{node} story"
        samples[f"node:{node}"] = Sample(
            name=f"node:{node}",
            documents=(_doc(_story(title, body)),),
            description=f"a story whose body holds {node}",
            expect=tuple(texts_of_blocks(body)),
            node=node,
        )
    every_body = tuple(block for body in _NODE_BODIES.values() for block in body)
    main = _story(
        "Every node headline", every_body, section="Section marker psi", dek="Dek marker omega",
        date="2021-08-17", authors=(Author("Ada Lovelace", "@ada", "Ada Lovelace writes about engines."),),
        image=Image("Lead alt marker", "Lead caption marker", "Photo: Lead credit marker"),
    )
    teaser = _story(
        "Teaser headline marker", (_para(Text("Teaser text marker")),), role="teaser", truncated=True,
        section="Other section", authors=(Author("Grace Hopper", None, "Grace Hopper is a reporter."),),
    )
    sponsored = _story(None, (_para(Text("Sponsored blurb marker")),), role="sponsored")
    samples["every-node"] = Sample(
        name="every-node",
        documents=(_doc(main, teaser, sponsored, chrome=("Latest Stories",)),),
        description="a page holding every block and inline type, a teaser and a sponsored blurb",
        expect=(
            "Every node headline", "Dek marker omega", *texts_of_blocks(every_body),
            "Teaser headline marker", "Teaser text marker",
        ),
    )
    samples["empty"] = Sample(
        name="empty", documents=(_doc(),), description="a document with no stories at all"
    )
    samples["untitled"] = Sample(
        name="untitled",
        documents=(_doc(_story(None, (_para(Text("A story with no headline marker")),))),),
        description="a story with no title, section, date, image or authors",
        expect=("A story with no headline marker",),
    )
    odd_body = (
        _para(Text(_ODD_TEXT)),
        _para(Text(_SPECIALS)),
        _para(Text(_CONTROL)),
        _para(Text(_SURROGATE)),
        Heading(2, (Text("見出し 🙂 & <b>"),)),
        Figure(Image(alt="Alt 中文 & <odd>", caption="Caption עברית ]]>", credit="Photo: Crédit 🙂")),
    )
    samples["unicode"] = Sample(
        name="unicode",
        documents=(_doc(_story(
            "Odd text 🙂 中文 & <tags> \x01 \ud800", odd_body, id=story_id("Odd text"), section="Section é 中",
            dek="Dek \"quoted\" & 'single' ]]>", authors=(Author("Zoë Ångström-李", "@zoe", "Bio 🙂 \x0b"),),
        ), name="odd-ünïcode 🙂.txt"),),
        description="emoji, CJK, RTL, combining marks, XML specials, control characters, a lone surrogate",
        expect=(
            "Emoji 🙂👩🏽‍💻🇺🇸 CJK 中文字 日本語 한국어", "RTL עברית العربية", "combining é ä ô",
            _SPECIALS, "見出し 🙂", "Alt 中文 & <odd>", "Caption עברית ]]>", "Photo: Crédit 🙂",
            "Control", "surrogate", "Zoë Ångström-李",
        ),
    )
    samples["metadata"] = Sample(
        name="metadata",
        documents=(_doc(_story(
            "Metadata headline marker", (_para(Text("Body of the metadata story")),),
            section="Metadata section marker", dek="Metadata dek marker", date="2021-08-17",
            authors=(Author("Ada Lovelace", "@ada", None), Author("Charles Babbage", None, None)),
        )),),
        description="a story with a title, section, dek, date and two authors",
        expect=("Metadata headline marker", "Metadata section marker", "Ada Lovelace", "Charles Babbage"),
    )
    full = _story(
        SHARED_HEADLINE, (_para(Text(SHARED_TEXT)),), section="Collection section one",
        date="2022-02-24", authors=(Author("Ada Lovelace"),),
    )
    tease = Article(
        id=full.id, role="teaser", title=SHARED_HEADLINE, section="Collection section one",
        body=(_para(Text(SHARED_TEASER)),), truncated=True,
    )
    other = _story(
        "Second page headline", (_para(Text("Second page marker")),), section="Collection section two",
        date="2022-02-25",
    )
    samples["collection"] = Sample(
        name="collection",
        documents=(
            _doc(other, tease, name="page-2.txt"),
            _doc(full, name="page-1.txt"),
        ),
        description="two pages; one teases the other's story (same id)",
        expect=("Shared story headline", "Second page headline", "The full story marker", "Second page marker"),
    )
    return samples
