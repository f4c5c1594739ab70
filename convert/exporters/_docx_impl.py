"""The docx exporter's implementation (imported only when a document is written).

The body is built directly as WordprocessingML elements with lxml (python-docx's
``add_paragraph`` searches the body for its section properties on every call, which is
quadratic on a large collection); python-docx supplies the package, the template, the parts
and the core properties. The template is opened and prepared once per process and the package
written in one pass with fixed zip entry times and order (:mod:`._docx_package`), so the same
input and options give the same bytes.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from lxml import etree

from ..errors import OptionError
from ..html import href
from ..present import MORE_FROM_PROTOCOL, Item, Picture, View, output_date, picture, present, short_url
from ..text import xml_text
from ..tree import (
    Block,
    Document,
    Emphasis,
    Figure,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    Signoff,
    Strong,
    Text,
    inline_text,
)
from . import _docx_styles as S
from ._docx_package import package_bytes, template

__all__ = ["write"]

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

W_P, W_PPR, W_PSTYLE, W_R, W_RPR, W_T = (qn(t) for t in ("w:p", "w:pPr", "w:pStyle", "w:r", "w:rPr", "w:t"))
W_VAL = qn("w:val")

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_CORE_LIMIT = 255

# The few words the exporter itself writes (labels, not content).
CONTENTS = "Contents"
OTHER_STORIES = "Other stories"

_CJK = re.compile("[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")


def east_asian_language(text: str, language: str) -> str | None:
    """The East Asian language of a run holding CJK characters (``None`` without any): the
    document's language when it is one, else Japanese for kana, Korean for hangul, else
    Chinese. Word and LibreOffice choose the run's East Asian font by it."""
    if not _CJK.search(text):
        return None
    primary = language.split("-", 1)[0].lower()
    if primary in ("zh", "ja", "ko"):
        return language
    if _KANA.search(text):
        return "ja-JP"
    if _HANGUL.search(text):
        return "ko-KR"
    return "zh-CN"


def _core_text(text: str | None) -> str:
    """A core property value: cleaned, on one line, at most 255 characters."""
    value = " ".join(xml_text(text or "").split())
    return value if len(value) <= _CORE_LIMIT else value[: _CORE_LIMIT - 1] + "…"


# -- the template: styles and numbering -----------------------------------------------------


class _Styles:
    """Style names to style ids, adding the styles the exporter needs when missing."""

    def __init__(self, document: Any) -> None:
        self.root = document.styles.element
        self.ids: dict[tuple[str, str], str] = {}
        self.taken: set[str] = set()
        self.elements: dict[str, Any] = {}
        for style in self.root.iterchildren(qn("w:style")):
            style_id = style.get(qn("w:styleId"))
            name = style.find(qn("w:name"))
            if not style_id:
                continue
            self.taken.add(style_id)
            self.elements[style_id] = style
            if name is not None and name.get(W_VAL):
                self.ids.setdefault((style.get(qn("w:type")) or "paragraph", name.get(W_VAL).lower()), style_id)
        for definition in (*S.BUILTIN, *S.CUSTOM):
            self._ensure(*definition)
        for name, properties in S.REQUIRED:
            self._require(name, properties)

    def _require(self, name: str, properties: tuple[tuple[str, str | None], ...]) -> None:
        """Give a paragraph style the properties it lacks, each in its place in the schema."""
        style = self.elements[self.id(name)]
        ppr = style.find(W_PPR)
        if ppr is None:
            ppr = style.makeelement(W_PPR)
            rpr = style.find(W_RPR)
            if rpr is not None:
                rpr.addprevious(ppr)
            else:
                style.append(ppr)
        for tag, value in properties:
            if ppr.find(qn(tag)) is not None:
                continue
            element = ppr.makeelement(qn(tag))
            if value is not None:
                element.set(W_VAL, value)
            rank = _PPR_ORDER.index(tag)
            later = [c for c in ppr if c.tag in _PPR_RANK and _PPR_RANK[c.tag] > rank]
            if later:
                later[0].addprevious(element)
            else:
                ppr.append(element)

    def _ensure(self, kind: str, name: str, based_on: str | None, properties: str) -> None:
        if (kind, name.lower()) in self.ids:
            return
        style_id = re.sub(r"[^A-Za-z0-9]", "", name.title() if name.islower() else name) or "Style"
        base, n = style_id, 1
        while style_id in self.taken:
            n += 1
            style_id = f"{base}{n}"
        base_kind = "character" if kind == "character" else "paragraph"
        base_id = self.ids.get((base_kind, based_on.lower())) if based_on else None
        custom = "" if name in _BUILTIN_NAMES else ' w:customStyle="1"'
        based = f'<w:basedOn w:val="{base_id}"/>' if base_id else ""
        xml = (
            f'<w:style xmlns:w="{W_NS}" w:type="{kind}"{custom} w:styleId="{style_id}">'
            f'<w:name w:val="{name}"/>{based}{properties}</w:style>'
        )
        element = parse_xml(xml)
        self.root.append(element)
        self.taken.add(style_id)
        self.elements[style_id] = element
        self.ids[(kind, name.lower())] = style_id

    def id(self, name: str, kind: str = "paragraph") -> str:
        return self.ids[(kind, name.lower())]

    def num_id(self, style_id: str) -> str | None:
        """The numbering instance a paragraph style sets, if it sets one itself."""
        element = self.elements.get(style_id)
        if element is None:
            return None
        num = element.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
        return num.get(W_VAL) if num is not None else None


_BUILTIN_NAMES = {definition[1] for definition in S.BUILTIN} | {S.HYPERLINK, S.TOC_1, S.TOC_2}
# the order of w:pPr's children (ECMA-376 CT_PPrBase, then rPr, sectPr, pPrChange)
_PPR_ORDER = (
    "w:pStyle w:keepNext w:keepLines w:pageBreakBefore w:framePr w:widowControl w:numPr "
    "w:suppressLineNumbers w:pBdr w:shd w:tabs w:suppressAutoHyphens w:kinsoku w:wordWrap "
    "w:overflowPunct w:topLinePunct w:autoSpaceDE w:autoSpaceDN w:bidi w:adjustRightInd "
    "w:snapToGrid w:spacing w:ind w:contextualSpacing w:mirrorIndents w:suppressOverlap w:jc "
    "w:textDirection w:textAlignment w:textboxTightWrap w:outlineLvl w:divId w:cnfStyle w:rPr "
    "w:sectPr w:pPrChange"
).split()
_PPR_RANK = {qn(tag): n for n, tag in enumerate(_PPR_ORDER)}


def _numbering_part(document: Any) -> Any:
    """The document's numbering part, created when the template has none (python-docx's
    ``NumberingPart.new`` is not implemented)."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.parts.numbering import NumberingPart

    part = document.part
    try:
        return part.part_related_by(RT.NUMBERING)
    except KeyError:
        partnames = {p.partname for p in part.package.iter_parts()}
        name = "/word/numbering.xml" if "/word/numbering.xml" not in partnames else None
        partname = PackURI(name) if name else part.package.next_partname("/word/numbering%d.xml")
        numbering = NumberingPart(partname, CT.WML_NUMBERING, parse_xml(f'<w:numbering xmlns:w="{W_NS}"/>'),
                                  part.package)  # fmt: skip
        part.relate_to(numbering, RT.NUMBERING)
        return numbering


class _Numbering:
    """Numbering instances for lists: bullets share one per depth; every numbered list gets
    its own instance restarting at 1 (the template's List Number would run on across lists)."""

    def __init__(self, document: Any, styles: _Styles) -> None:
        self.styles = styles
        self._document = document
        self._root: Any = None
        self._bullets: dict[int, str] = {}
        self._abstract: dict[tuple[bool, int], str] = {}

    @property
    def root(self) -> Any:
        """The numbering part's element (created on first use), its ids indexed."""
        if self._root is None:
            self._root = _numbering_part(self._document).element
            abstract_ids = [int(a.get(qn("w:abstractNumId"))) for a in self._root.iterchildren(qn("w:abstractNum"))]
            num_ids = [int(n.get(qn("w:numId"))) for n in self._root.iterchildren(qn("w:num"))]
            self._next_abstract = max(abstract_ids, default=-1) + 1
            self._next_num = max(num_ids, default=0) + 1
            self._nums = {n.get(qn("w:numId")): n for n in self._root.iterchildren(qn("w:num"))}
            self._abstracts = {a.get(qn("w:abstractNumId")): a for a in self._root.iterchildren(qn("w:abstractNum"))}
        return self._root

    def for_list(self, ordered: bool, depth: int, style_id: str) -> str:
        """The numId for the paragraphs of one list at ``depth`` (1-based)."""
        _ = self.root  # the numbering part and its ids, loaded once
        if not ordered:
            if depth not in self._bullets:
                num = self.styles.num_id(style_id)
                if num is None or self._abstract_of(num, ordered) is None:
                    num = self._new_num(self._abstract_for(ordered, depth, style_id), restart=False)
                self._bullets[depth] = num
            return self._bullets[depth]
        return self._new_num(self._abstract_for(ordered, depth, style_id), restart=True)

    def _abstract_of(self, num_id: str, ordered: bool) -> str | None:
        num = self._nums.get(num_id)
        if num is None:
            return None
        ref = num.find(qn("w:abstractNumId"))
        abstract_id = ref.get(W_VAL) if ref is not None else None
        abstract = self._abstracts.get(abstract_id or "")
        if abstract is None:
            return None
        fmt = abstract.find(f"{qn('w:lvl')}/{qn('w:numFmt')}")
        is_bullet = fmt is not None and fmt.get(W_VAL) == "bullet"
        return abstract_id if is_bullet != ordered else None

    def _abstract_for(self, ordered: bool, depth: int, style_id: str) -> str:
        key = (ordered, depth)
        if key not in self._abstract:
            num = self.styles.num_id(style_id)
            found = self._abstract_of(num, ordered) if num is not None else None
            self._abstract[key] = found if found is not None else self._new_abstract(ordered, depth)
        return self._abstract[key]

    def _new_abstract(self, ordered: bool, depth: int) -> str:
        abstract_id = str(self._next_abstract)
        self._next_abstract += 1
        fmt, text = ("decimal", "%1.") if ordered else ("bullet", "\u2022")
        element = parse_xml(
            f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="{abstract_id}">'
            f'<w:multiLevelType w:val="singleLevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{360 * depth}" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum>'
        )
        # schema order: numPicBullet*, abstractNum*, num*
        existing = list(self.root.iterchildren(qn("w:abstractNum"))) or list(
            self.root.iterchildren(qn("w:numPicBullet"))
        )
        if existing:
            existing[-1].addnext(element)
        else:
            self.root.insert(0, element)
        self._abstracts[abstract_id] = element
        return abstract_id

    def _new_num(self, abstract_id: str, *, restart: bool) -> str:
        num_id = str(self._next_num)
        self._next_num += 1
        override = '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>' if restart else ""
        element = parse_xml(
            f'<w:num xmlns:w="{W_NS}" w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{override}</w:num>'
        )
        cleanup = self.root.find(qn("w:numIdMacAtCleanup"))
        if cleanup is not None:
            cleanup.addprevious(element)
        else:
            self.root.append(element)
        self._nums[num_id] = element
        return num_id


# -- the body ---------------------------------------------------------------------------------


class _Builder:
    def __init__(self, document: Any, styles: _Styles, language: str, base_url: str | None = None) -> None:
        self.document = document
        self.base_url = xml_text(base_url or "").strip() or None
        self.language = language
        self.styles = styles
        self.numbering = _Numbering(document, self.styles)
        self.rels = document.part.rels
        self.links: dict[str, str] = {}
        self._next_link = 1
        self.out: list[Any] = []
        self.bookmarks = 0
        self.make = document.element.body.makeelement
        self._style_ids: dict[str, str] = {}
        self.shift = 0  # body headings sit this many levels below their usual one

    # elements

    def paragraph(self, style: str, inlines: Sequence[Inline] = (), *, text: str | None = None) -> Any:
        p = self.make(W_P)
        ppr = etree.SubElement(p, W_PPR)
        style_id = self._style_ids.get(style)
        if style_id is None:
            style_id = self._style_ids[style] = self.styles.id(style)
        etree.SubElement(ppr, W_PSTYLE).set(W_VAL, style_id)
        if text is not None:
            self.run(p, text)
        else:
            self.inlines(p, inlines)
        self.out.append(p)
        return p

    def run(self, parent: Any, text: str, bold: bool = False, italic: bool = False, link: bool = False) -> None:
        text = xml_text(text)
        if not text:
            return
        r = etree.SubElement(parent, W_R)
        east_asian = east_asian_language(text, self.language)
        if bold or italic or link or east_asian:
            rpr = etree.SubElement(r, W_RPR)
            if link:
                etree.SubElement(rpr, qn("w:rStyle")).set(W_VAL, self._hyperlink_style())
            if east_asian:
                etree.SubElement(rpr, qn("w:rFonts")).set(qn("w:hint"), "eastAsia")
            if bold:
                etree.SubElement(rpr, qn("w:b"))
            if italic:
                etree.SubElement(rpr, qn("w:i"))
            if east_asian:
                lang = etree.SubElement(rpr, qn("w:lang"))
                lang.set(W_VAL, self.language)
                lang.set(qn("w:eastAsia"), east_asian)
        for piece in re.split(r"(\n|\t)", text):
            if piece == "\n":
                etree.SubElement(r, qn("w:br"))
            elif piece == "\t":
                etree.SubElement(r, qn("w:tab"))
            elif piece:
                t = etree.SubElement(r, W_T)
                t.text = piece
                t.set(XML_SPACE, "preserve")

    def _hyperlink_style(self) -> str:
        style_id = self._style_ids.get("\0hyperlink")
        if style_id is None:
            style_id = self._style_ids["\0hyperlink"] = self.styles.id(S.HYPERLINK, "character")
        return style_id

    def inlines(self, parent: Any, nodes: Sequence[Inline], bold: bool = False, italic: bool = False,
                link: bool = False) -> None:  # fmt: skip
        for node in nodes:
            if isinstance(node, Text):
                self.run(parent, node.text, bold, italic, link)
            elif isinstance(node, LineBreak):
                etree.SubElement(etree.SubElement(parent, W_R), qn("w:br"))
            elif isinstance(node, Emphasis):
                self.inlines(parent, node.content, bold, True, link)
            elif isinstance(node, Strong):
                self.inlines(parent, node.content, True, italic, link)
            elif isinstance(node, Link):
                url = href(node.url, self.base_url)  # absolute only: a relative link would go nowhere
                if link or not url or not xml_text(inline_text(node.content)).strip():
                    self.inlines(parent, node.content, bold, italic, link)
                    continue
                hyperlink = etree.SubElement(parent, qn("w:hyperlink"))
                hyperlink.set(qn("r:id"), self._relate(url))
                hyperlink.set(qn("w:history"), "1")
                self.inlines(hyperlink, node.content, bold, italic, True)
            else:
                raise TypeError(f"not an inline node: {node!r}")

    def _relate(self, url: str) -> str:
        rid = self.links.get(url)
        if rid is None:
            # python-docx's relate_to() scans every relationship per call (quadratic).
            while f"rIdLink{self._next_link}" in self.rels:
                self._next_link += 1
            rid = f"rIdLink{self._next_link}"
            self._next_link += 1
            self.rels.add_relationship(RT.HYPERLINK, url, rid, is_external=True)
            self.links[url] = rid
        return rid

    def internal_link(self, p: Any, anchor: str, text: str) -> None:
        hyperlink = etree.SubElement(p, qn("w:hyperlink"))
        hyperlink.set(qn("w:anchor"), anchor)
        hyperlink.set(qn("w:history"), "1")
        self.run(hyperlink, text)

    def bookmark(self, p: Any, name: str) -> None:
        self.bookmarks += 1
        start = self.make(qn("w:bookmarkStart"))
        start.set(qn("w:id"), str(self.bookmarks))
        start.set(qn("w:name"), name)
        p.find(W_PPR).addnext(start)
        end = etree.SubElement(p, qn("w:bookmarkEnd"))
        end.set(qn("w:id"), str(self.bookmarks))

    @staticmethod
    def set_ppr(p: Any, tag: str, after: tuple[str, ...] = ("w:pStyle",)) -> Any:
        """Add an empty ``tag`` to the paragraph's properties, in schema order."""
        ppr = p.find(W_PPR)
        element = ppr.makeelement(qn(tag))
        anchor = None
        for child in ppr:
            if child.tag in {qn(a) for a in after}:
                anchor = child
        if anchor is None:
            ppr.insert(0, element)
        else:
            anchor.addnext(element)
        return element

    # stories

    def story(self, item: Item, *, level: int, kicker: bool = True) -> int:
        """Write one story, its headline a heading of ``level`` (0: Title, which has an outline
        level); ``kicker`` False leaves out the section (a collection's heading shows it).
        Returns the index of its first paragraph in ``self.out``."""
        start = len(self.out)
        section = item.section if kicker else None
        if item.kind and not item.untitled:
            self.paragraph(S.TEASER_LABEL, text=" · ".join(t for t in (item.kind, section) if t))
        elif section:
            self.paragraph(S.KICKER, text=section)
        p = self.paragraph(S.TITLE if level == 0 else S.heading(level))
        self.run(p, item.label, italic=item.untitled)
        if item.dek:
            self.paragraph(S.SUBTITLE, text=item.dek)
        byline = " · ".join(t for t in (item.byline, item.dateline) if t)
        if byline:
            self.paragraph(S.BYLINE, text=byline)
        if item.original:  # the story's own page, as a real link
            hyperlink = etree.SubElement(self.paragraph(S.BYLINE), qn("w:hyperlink"))
            hyperlink.set(qn("r:id"), self._relate(item.original))
            hyperlink.set(qn("w:history"), "1")
            self.run(hyperlink, short_url(item.original), link=True)
        self.picture(item.image)
        self.shift = max(level - 1, 0)
        self.blocks(item.body, S.NORMAL if item.role == "main" else S.TEASER_TEXT)
        self.shift = 0
        if item.note:
            self.paragraph(S.EXCERPT_NOTE, text=item.note)
        if item.bios_heading:
            self.paragraph(S.BIO_HEADING, text=item.bios_heading)
        for bio in item.bios:
            if bio.name:
                p = self.paragraph(S.AUTHOR_NAME)
                self.run(p, bio.name, bold=True)
                if bio.handle:
                    self.run(p, f" {bio.handle}")
            self.paragraph(S.AUTHOR_BIO, text=bio.text)
        return start

    def picture(self, picture: Picture | None) -> None:
        """The image as the view shows it: its description, caption and credit, each its own
        paragraph, kept together."""
        if picture is None:
            return
        parts = [(S.IMAGE_DESCRIPTION, picture.description), (S.CAPTION, picture.caption), (S.CREDIT, picture.credit)]
        shown = [(style, text) for style, text in parts if text]
        for n, (style, text) in enumerate(shown):
            p = self.paragraph(style)
            if style == S.IMAGE_DESCRIPTION:
                self.run(p, "Image: ", bold=True)
            self.run(p, text)
            if n < len(shown) - 1 and style == S.CAPTION:  # the description's own style keeps with next
                self.set_ppr(p, "w:keepNext")

    def blocks(self, blocks: Sequence[Block], paragraph_style: str, depth: int = 0) -> None:
        for block in blocks:
            self.block(block, paragraph_style, depth)

    def block(self, block: Block, paragraph_style: str, depth: int = 0) -> None:
        if isinstance(block, Paragraph):
            if _has_text(block.content):
                self.paragraph(paragraph_style, block.content)
        elif isinstance(block, Heading):
            if _has_text(block.content):
                self.paragraph(S.heading(min(max(block.level, 2) + self.shift, 6)), block.content)
        elif isinstance(block, Signoff):
            if _has_text(block.content):
                self.paragraph(S.SIGNOFF, block.content)
        elif isinstance(block, Quote):
            self.blocks(block.content, S.QUOTE, depth)
        elif isinstance(block, Figure):
            self.picture(picture(block.image))
        elif isinstance(block, ListBlock):
            self.list(block, paragraph_style, depth + 1)
        else:
            raise TypeError(f"not a block: {block!r}")

    def list(self, block: ListBlock, paragraph_style: str, depth: int) -> None:
        item_style = S.list_style(block.ordered, depth)
        style_id = self.styles.id(item_style)
        num_id: str | None = None
        for item in block.items:
            for index, child in enumerate(item):
                if isinstance(child, Paragraph) and index == 0:
                    if not _has_text(child.content):
                        continue
                    if num_id is None:
                        num_id = self.numbering.for_list(block.ordered, depth, style_id)
                    p = self.paragraph(item_style, child.content)
                    numpr = self.set_ppr(p, "w:numPr", after=("w:pStyle", "w:keepNext"))
                    etree.SubElement(numpr, qn("w:ilvl")).set(W_VAL, "0")
                    etree.SubElement(numpr, qn("w:numId")).set(W_VAL, num_id)
                elif isinstance(child, Paragraph):
                    if _has_text(child.content):
                        self.paragraph(S.list_continue_style(depth), child.content)
                else:
                    self.block(child, paragraph_style, depth)


def _has_text(inlines: Sequence[Inline]) -> bool:
    return bool(xml_text(inline_text(inlines)).strip())


def _bookmark_name(article_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", article_id)[:40]


# -- package ----------------------------------------------------------------------------------


def _prepared(document: Any, language: str) -> _Styles:
    """The template made ready for documents in ``language``: :func:`_prepare`, then the
    exporter's styles added (after which the styles part is never changed again)."""
    _prepare(document, language)
    return _Styles(document)


def _prepare(document: Any, language: str) -> None:
    """Empty the template's body (keeping its last section's page setup), set the language,
    drop the template's thumbnail, and keep Word from prompting or skipping spell-check."""
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    package_rels = document.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package_rels[rid]
    settings = document.settings.element
    for tag in ("w:updateFields", "w:proofState", "w:attachedTemplate"):
        for element in settings.findall(qn(tag)):
            settings.remove(element)
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = parse_xml(f'<w:docDefaults xmlns:w="{W_NS}"/>')
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = etree.SubElement(defaults, qn("w:rPrDefault"))
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = etree.SubElement(rpr_default, qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = etree.SubElement(rpr, qn("w:lang"))  # w:lang is late in rPr's sequence
    lang.set(W_VAL, language)


def _core_properties(document: Any, *, title: str | None, author: str | None, subject: str | None,
                     keywords: str | None, description: str | None, language: str,
                     date: _dt.datetime | None) -> None:  # fmt: skip
    core = document.core_properties
    element = core._element  # start from nothing: the template's values must not leak
    for child in list(element):
        element.remove(child)
    core.title = _core_text(title)
    core.author = _core_text(author)
    core.subject = _core_text(subject)
    core.keywords = _core_text(keywords)
    core.comments = _core_text(description)
    core.language = _core_text(language)
    core.last_modified_by = _core_text(author)
    core.revision = 1
    if date is not None:  # nothing known: no date rather than a made-up one
        stamp = date.astimezone(_dt.UTC).replace(tzinfo=None, microsecond=0)
        core.created = stamp
        core.modified = stamp


def _language(value: Any) -> str:
    language = "en" if value is None else str(value).strip()
    if not _LANGUAGE.match(language):
        raise OptionError(
            f"option docx.language: {language!r} is not a BCP 47 language tag (use e.g. 'en', 'en-US', 'de')"
        )
    return language


# -- entry point ------------------------------------------------------------------------------


def write(documents: Sequence[Document], stream: BinaryIO, options: Mapping[str, Any]) -> None:
    language = _language(options.get("language"))
    date = output_date(documents, options)
    prepared = template(options.get("reference_doc"), language, lambda d: _prepared(d, language))
    document = prepared.fresh()
    builder = _Builder(document, prepared.prepared, language, options.get("base_url"))
    view = present(documents, options)
    if view.collection:
        _write_collection(builder, view, bool(options.get("toc", True)))
    else:
        _write_page(builder, view)
    body = document.element.body
    section = body.find(qn("w:sectPr"))
    if section is not None:
        body.remove(section)
    body.extend(builder.out)
    if section is not None:
        body.append(section)
    sections = [s.name for s in view.sections if s.name]
    lead = view.lead
    _core_properties(
        document,
        title=view.title,
        author=options.get("author") or "; ".join(view.writers),
        subject="; ".join(sections),
        keywords=options.get("keywords") or ", ".join(sections),
        description=(lead.dek if lead and not view.collection else None),
        language=language,
        date=date,
    )
    stream.write(package_bytes(prepared, document))


def _write_page(builder: _Builder, view: View) -> None:
    """The page's own story (its headline in Title), then the others under More from Protocol."""
    for item in view.mains:
        builder.story(item, level=0)
    if view.more:
        first = builder.paragraph(S.heading(1), text=MORE_FROM_PROTOCOL)
        if view.mains:
            builder.set_ppr(first, "w:pageBreakBefore", after=("w:pStyle", "w:keepNext", "w:keepLines"))
        for item in view.more:
            builder.story(item, level=2)


def _write_collection(builder: _Builder, view: View, toc: bool) -> None:
    """A title page, the contents, then each section (Heading 1) and its stories (Heading 2),
    each story on a new page."""
    builder.paragraph(S.TITLE, text=view.title)
    facts = [f"{len(view.items)} {'story' if len(view.items) == 1 else 'stories'} from "
             f"{len(view.documents)} saved Protocol pages"]
    if view.date_range and view.date_range not in view.title:
        facts.insert(0, view.date_range)
    builder.paragraph(S.SUBTITLE, text=" · ".join(facts))
    if toc:
        heading = builder.paragraph(S.TOC_HEADING, text=CONTENTS)
        builder.set_ppr(heading, "w:pageBreakBefore", after=("w:pStyle", "w:keepNext", "w:keepLines"))
        for section in view.sections:
            p = builder.paragraph(S.TOC_1)
            builder.internal_link(p, _bookmark_name("section-" + section.items[0].id), section.name or OTHER_STORIES)
            for item in section.items:
                p = builder.paragraph(S.TOC_2)
                builder.internal_link(p, _bookmark_name(item.id), item.list_label)
    for section in view.sections:
        heading = builder.paragraph(S.heading(1), text=section.name or OTHER_STORIES)
        builder.set_ppr(heading, "w:pageBreakBefore", after=("w:pStyle", "w:keepNext", "w:keepLines"))
        builder.bookmark(heading, _bookmark_name("section-" + section.items[0].id))
        for n, item in enumerate(section.items):
            start = builder.story(item, level=2, kicker=False)
            first = builder.out[start]
            if n:  # the section's first story follows its heading; the others start a page
                builder.set_ppr(first, "w:pageBreakBefore", after=("w:pStyle", "w:keepNext", "w:keepLines"))
            builder.bookmark(first, _bookmark_name(item.id))
