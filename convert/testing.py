"""A conformance kit for exporters: run it in your plugin's tests.

Every exporter, built-in or third-party, should pass the same battery::

    from convert.testing import check_exporter

    def test_my_format_conforms():
        check_exporter("myformat")              # by name, from the installed plugins
        check_exporter(MY_EXPORTER)             # or the Exporter record itself

:func:`check_exporter` runs every check and raises one :class:`AssertionError` listing all
that failed. To see each check as its own test, parametrize over :func:`conformance_params`::

    import pytest
    from convert.testing import conformance_params, run_check

    @pytest.mark.parametrize(("exporter", "check"), conformance_params(["myformat"]))
    def test_conformance(exporter, check):
        run_check(exporter, check)

The checks (:data:`CHECKS`):

``record``
    The :class:`~convert.formats.Exporter` record is well formed: a lower-case name, an
    extension with its dot, a media type, options with unique names, a type, help, and a
    default of their own type.
``nodes``
    Every node type is *rendered or rejected explicitly*: for each block and inline type, a
    one-story document holding it is written, and either each of its texts appears in the
    output, or ``write`` raises a :class:`~convert.errors.ConvertError` whose message names
    the node type (``Quote`` or ``quote``). Silently dropping text fails. A document holding
    every node type at once must then render too.
``empty``
    A document with no stories, and a story with no title, section, date, image or authors,
    are written without an unexpected exception (a ``ConvertError`` is an explicit refusal
    and is accepted for the document with no stories) and nothing is invented: the text
    ``None`` never appears.
``unicode``
    Odd text (emoji, CJK, right-to-left, combining marks, ``& < > " ' ]]>``, control
    characters, a lone surrogate) is written without a crash; the visible text survives
    (compared after NFC normalisation) and a text or XML output is valid UTF-8 / well-formed.
``deterministic``
    The same input and options give byte-identical output, and no output holds today's
    date (no "now" unless asked); zip entries are not stamped with today's date either.
``metadata``
    A story's title, section, author names and date are carried into the output (the date
    in any of its usual spellings: ``2021-08-17``, ``17 Aug 2021``, ``Aug 17, 2021``...).
``collection``
    Several documents make one output holding each story once (a teaser and its full story
    share an id); every title appears, and the output is deterministic.
``quiet``
    Writing prints nothing on stdout or stderr: exporters raise, they never print.

Reading the text back: the kit turns an output into plain text with ``extract_text``. By
default it is chosen from the output itself (:func:`extract_text`): a zip (EPUB, DOCX, ODT)
is read member by member, every ``.xhtml``/``.xml``/``.html`` member parsed as XML with its
tags stripped; XML is parsed and stripped, HTML embedded in its text (feeds) stripped too;
JSON (and JSON Lines, line by line) has every string value collected; ``text/plain`` is decoded as UTF-8; other text
(Markdown, HTML) is decoded, its backslash escapes undone and its tags stripped. The values
of ``alt``, ``title``, ``term`` (an Atom category), ``label``, ``aria-label`` and ``content``
(a ``<meta>``) attributes count as text. A format the kit cannot read (an image, a
PDF) needs its own ``extract_text(data: bytes) -> str``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import html
import html.parser
import io
import json
import re
import unicodedata
import xml.etree.ElementTree as ElementTree
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import ConvertError
from .formats import Exporter, Option, resolve_options
from .tree import (
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

__all__ = [
    "CHECKS",
    "DEFAULT_HEAVY_MODULES",
    "CliResult",
    "Sample",
    "check_exporter",
    "check_lazy_import",
    "conformance_params",
    "extract_text",
    "extract_text_json",
    "extract_text_markdown",
    "extract_text_xml",
    "extract_text_zip",
    "normalize",
    "run_check",
    "run_cli",
    "sample_documents",
]

TextExtractor = Callable[[bytes], str]

# --- sample documents -------------------------------------------------------------------

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
    opening = next((t for t in _texts_of_blocks(body)), "")
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


def _texts_of_blocks(blocks: Iterable[Block]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, (Paragraph, Heading, Signoff)):
            yield from _texts_of_inlines(block.content)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from _texts_of_blocks(item)
        elif isinstance(block, Quote):
            yield from _texts_of_blocks(block.content)
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
            expect=tuple(_texts_of_blocks(body)),
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
            "Every node headline", "Dek marker omega", *_texts_of_blocks(every_body),
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
        "Shared story headline", (_para(Text("The full story marker")),), section="Collection section one",
        date="2022-02-24", authors=(Author("Ada Lovelace"),),
    )
    tease = Article(
        id=full.id, role="teaser", title="Shared story headline", section="Collection section one",
        body=(_para(Text("The teaser of it")),), truncated=True,
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


# --- reading outputs back -------------------------------------------------------------------


def normalize(text: str) -> str:
    """NFC, every run of white space one space, stripped: how the kit compares texts."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


#: Attributes whose values are text a reader sees: alternative text, titles, an Atom
#: category's term, a label, a <meta> element's content.
_TEXT_ATTRIBUTES = frozenset({"alt", "title", "term", "label", "aria-label", "content"})


class _HTMLText(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in _TEXT_ATTRIBUTES and value:
                self.parts.append(f" {value} ")
        if tag in ("p", "br", "div", "li", "h1", "h2", "h3", "h4", "figure", "figcaption", "blockquote"):
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


_HTML_TAG = re.compile(
    r"</?(?:p|div|span|a|em|strong|b|i|br|ul|ol|li|h[1-6]|blockquote|figure|figcaption|img|small|cite|"
    r"section|article|header|footer|table|tr|td|th|hr|pre|code|sup|sub)\b[^<>]*>",
    re.IGNORECASE,
)


def _html_text(text: str) -> str:
    """``text`` with its tags stripped if it is HTML (a feed's escaped content, JSON Feed's
    content_html), else as it is: a literal ``<odd>`` in plain text stays."""
    return _strip_html(text) if _HTML_TAG.search(text) else text


def _strip_html(text: str) -> str:
    if "<" not in text and "&" not in text:
        return text
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


def extract_text_xml(data: bytes) -> str:
    """The text of an XML document: every text node and text attribute, with HTML that
    is embedded as text (a feed's escaped content) stripped as well, while a literal ``<``
    in plain text stays. Raises
    :class:`AssertionError` when the bytes are not well-formed XML."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise AssertionError(f"output is not well-formed XML: {exc}") from None
    parts: list[str] = []
    for element in root.iter():
        for key, value in element.attrib.items():
            if value and key.rsplit("}", 1)[-1] in _TEXT_ATTRIBUTES:
                parts.append(f" {value} ")
        if element.text:
            parts.append(_html_text(element.text))
        if element.tail:
            parts.append(_html_text(element.tail))
    return "".join(parts)


def extract_text_zip(data: bytes) -> str:
    """The text of a zip of XML files (EPUB, DOCX, ODT): every ``.xhtml``, ``.xml``,
    ``.html``, ``.opf`` and ``.ncx`` member, in archive order, parsed and stripped."""
    parts: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.filename.lower().endswith((".xhtml", ".xml", ".html", ".htm", ".opf", ".ncx", ".rels")):
                try:
                    parts.append(extract_text_xml(archive.read(info)))
                except AssertionError as exc:
                    raise AssertionError(f"zip member {info.filename}: {exc}") from None
    return "\n".join(parts)


def extract_text_json(data: bytes) -> str:
    """Every string value of a JSON document (the tags of HTML values stripped), one per line."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise AssertionError(f"output is not valid UTF-8 JSON: {exc}") from None
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            parts.append(_html_text(node))
        elif isinstance(node, dict):
            for item in node.values():
                walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(value)
    return "\n".join(parts)


_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def extract_text_markdown(data: bytes) -> str:
    """The text of Markdown (or plain text, or HTML): decoded as UTF-8, backslash escapes
    undone, HTML tags stripped and entities decoded."""
    text = _decode(data)
    return _strip_html(_MD_ESCAPE.sub(r"\1", text))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AssertionError(f"output is not valid UTF-8: {exc}") from None


def extract_text(data: bytes, media_type: str = "") -> str:
    """The text of an output, with the reader its bytes or ``media_type`` call for."""
    media_type = media_type.lower()
    head = data.lstrip()[:64]
    if data.startswith(b"PK\x03\x04"):
        return extract_text_zip(data)
    if media_type.endswith(("/jsonl", "/x-ndjson", "/json-seq")):  # JSON Lines: one document a line
        return "\n".join(extract_text_json(line) for line in data.splitlines() if line.strip())
    if "json" in media_type or (not media_type.startswith("text/") and head.startswith((b"{", b"["))):
        return extract_text_json(data)
    if media_type.endswith(("+xml", "/xml")) or head.startswith(b"<?xml"):
        return extract_text_xml(data)
    if media_type.startswith("text/plain"):
        return _decode(data)
    if media_type.startswith("text/") or not media_type or media_type == "application/octet-stream":
        return extract_text_markdown(data)
    raise AssertionError(
        f"the kit cannot read the text of {media_type!r} output: pass extract_text=... to check_exporter"
    )


_auto_extract = extract_text

# --- running an exporter --------------------------------------------------------------------


@dataclass
class _Context:
    exporter: Exporter
    options: dict[str, Any]
    extract: TextExtractor
    printed: list[str] = field(default_factory=list)

    def write(self, documents: Sequence[Document]) -> bytes:
        """The bytes ``write`` produces; a ConvertError passes through; any other
        exception becomes an AssertionError naming it."""
        stream = io.BytesIO()
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                self.exporter.write(tuple(documents), stream, dict(self.options))
        except ConvertError:
            raise
        except Exception as exc:
            raise AssertionError(
                f"{self.exporter.name}: write raised {type(exc).__name__}: {exc} "
                "(render the input, or raise a ConvertError naming what is unsupported)"
            ) from exc
        finally:
            self.printed.extend(s for s in (out.getvalue(), err.getvalue()) if s)
        return stream.getvalue()

    def text(self, data: bytes) -> str:
        return normalize(self.extract(data))


def _missing(ctx: _Context, output: str, expected: Iterable[str]) -> list[str]:
    return [text for text in expected if normalize(text) not in output]


def _names_node(error: ConvertError, node: str) -> bool:
    message = str(error).lower()
    split = re.sub(r"(?<!^)(?=[A-Z])", " ", node).lower()
    aliases = {node.lower(), split, split.replace(" ", "_")}
    aliases |= {"list"} if node == "ListBlock" else set()
    aliases |= {"line break", "line_break"} if node == "LineBreak" else set()
    return any(alias in message for alias in aliases)


def _check_record(ctx: _Context) -> None:
    exporter = ctx.exporter
    problems = []
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", exporter.name or ""):
        problems.append(f"name {exporter.name!r} should be lower-case letters, digits, '-' or '_'")
    if not re.fullmatch(r"\.[A-Za-z0-9][A-Za-z0-9._-]*", exporter.extension or ""):
        problems.append(f"extension {exporter.extension!r} should start with a dot, like '.epub'")
    if "/" not in (exporter.media_type or ""):
        problems.append(f"media_type {exporter.media_type!r} is not a media type")
    if not callable(exporter.write):
        problems.append("write is not callable")
    seen: set[str] = set()
    for option in exporter.options:
        if not isinstance(option, Option):
            problems.append(f"option {option!r} is not a convert.formats.Option")
            continue
        if option.name in seen:
            problems.append(f"option {option.name!r} is declared twice")
        seen.add(option.name)
        if not re.fullmatch(r"[a-z][a-z0-9_]*", option.name):
            problems.append(f"option name {option.name!r} should be lower_snake_case")
        if not option.help:
            problems.append(f"option {option.name!r} has no help text")
        if option.default is not None:
            try:
                if option.coerce(option.default, owner=exporter.name) != option.default:
                    problems.append(f"option {option.name!r}: default {option.default!r} is not a {option.type}")
            except ConvertError as exc:
                problems.append(f"option {option.name!r}: default {option.default!r}: {exc}")
    if problems:
        raise AssertionError(f"{exporter.name}: " + "; ".join(problems))


def _check_nodes(ctx: _Context) -> None:
    samples = sample_documents()
    problems: list[str] = []
    rejected: list[str] = []
    for sample in samples.values():
        if sample.node is None:
            continue
        try:
            output = ctx.text(ctx.write(sample.documents))
        except ConvertError as error:
            if _names_node(error, sample.node):
                rejected.append(sample.node)
                continue
            problems.append(f"{sample.node}: raised a ConvertError that does not name the node type: {error}")
            continue
        missing = _missing(ctx, output, sample.expect)
        if missing:
            problems.append(f"{sample.node}: text silently dropped: {missing!r}")
    if not problems and not rejected:
        every = samples["every-node"]
        output = ctx.text(ctx.write(every.documents))
        missing = _missing(ctx, output, every.expect)
        if missing:
            problems.append(f"every-node document: text missing: {missing!r}")
    if problems:
        raise AssertionError(f"{ctx.exporter.name}: " + "; ".join(problems))


def _no_none(ctx: _Context, output: str, what: str) -> None:
    if re.search(r"\bNone\b", output):
        raise AssertionError(f"{ctx.exporter.name}: the {what} output holds the text 'None' (a missing value printed)")


def _check_empty(ctx: _Context) -> None:
    samples = sample_documents()
    try:
        data = ctx.write(samples["empty"].documents)
    except ConvertError:
        pass  # an explicit refusal
    else:
        _no_none(ctx, ctx.text(data), "empty-document")


def _check_untitled(ctx: _Context) -> None:
    untitled = sample_documents()["untitled"]
    output = ctx.text(ctx.write(untitled.documents))
    missing = _missing(ctx, output, untitled.expect)
    if missing:
        raise AssertionError(f"{ctx.exporter.name}: untitled story: text missing: {missing!r}")
    _no_none(ctx, output, "untitled-story")


def _check_unicode(ctx: _Context) -> None:
    sample = sample_documents()["unicode"]
    data = ctx.write(sample.documents)
    output = ctx.text(data)
    missing = _missing(ctx, output, sample.expect)
    if missing:
        raise AssertionError(f"{ctx.exporter.name}: odd text lost or mangled: {missing!r}")
    if "\ud800" in output:
        raise AssertionError(f"{ctx.exporter.name}: a lone surrogate reached the output")


def _today_spellings() -> list[bytes]:
    today = _dt.datetime.now(_dt.UTC).date()
    return [today.isoformat().encode(), today.strftime("%d %b %Y").encode(), today.strftime("%Y%m%d").encode()]


def _check_deterministic(ctx: _Context) -> None:
    samples = sample_documents()
    for name in ("every-node", "untitled", "collection"):
        try:
            first = ctx.write(samples[name].documents)
            second = ctx.write(samples[name].documents)
        except ConvertError:
            if name == "every-node":
                continue  # a rejected node type: reported by the nodes check
            raise
        if first != second:
            raise AssertionError(f"{ctx.exporter.name}: two writes of the {name!r} sample differ")
        haystacks = [first]
        if first.startswith(b"PK\x03\x04"):
            with zipfile.ZipFile(io.BytesIO(first)) as archive:
                today = _dt.datetime.now(_dt.UTC).date()
                for info in archive.infolist():
                    if _dt.date(*info.date_time[:3]) == today:
                        raise AssertionError(
                            f"{ctx.exporter.name}: zip entry {info.filename} is stamped with today's date"
                        )
                haystacks.extend(archive.read(i) for i in archive.infolist())
        for spelling in _today_spellings():
            if any(spelling in haystack for haystack in haystacks):
                raise AssertionError(
                    f"{ctx.exporter.name}: the output holds today's date ({spelling.decode()}): "
                    "use convert.present.output_date(documents, options)"
                )


_DATE_SPELLINGS = ("2021-08-17", "17 Aug 2021", "Aug 17, 2021", "August 17, 2021", "17 August 2021", "2021/08/17")


def _check_metadata(ctx: _Context) -> None:
    sample = sample_documents()["metadata"]
    output = ctx.text(ctx.write(sample.documents))
    missing = _missing(ctx, output, sample.expect)
    if not any(s in output for s in _DATE_SPELLINGS):
        missing.append("the date 2021-08-17")
    if missing:
        raise AssertionError(f"{ctx.exporter.name}: metadata not carried: {missing!r}")


def _check_collection(ctx: _Context) -> None:
    sample = sample_documents()["collection"]
    output = ctx.text(ctx.write(sample.documents))
    missing = _missing(ctx, output, sample.expect)
    if missing:
        raise AssertionError(f"{ctx.exporter.name}: collection output lacks {missing!r}")


def _check_quiet(ctx: _Context) -> None:
    samples = sample_documents()
    ctx.printed.clear()
    for name in ("every-node", "untitled", "metadata", "collection"):
        with contextlib.suppress(ConvertError):
            ctx.write(samples[name].documents)
    if ctx.printed:
        raise AssertionError(f"{ctx.exporter.name}: write printed {ctx.printed[0][:200]!r}; raise errors instead")


#: Every check by name, in the order :func:`check_exporter` runs them.
CHECKS: dict[str, Callable[[_Context], None]] = {
    "record": _check_record,
    "nodes": _check_nodes,
    "empty": _check_empty,
    "untitled": _check_untitled,
    "unicode": _check_unicode,
    "deterministic": _check_deterministic,
    "metadata": _check_metadata,
    "collection": _check_collection,
    "quiet": _check_quiet,
}


def _resolve(exporter: Exporter | str, registry: Any) -> Exporter:
    if isinstance(exporter, Exporter):
        return exporter
    if registry is None:
        from .plugins import load_registry

        registry = load_registry()
    return registry.exporter(exporter)


def _context(
    exporter: Exporter | str,
    *,
    registry: Any = None,
    extract_text: TextExtractor | None = None,
    options: Mapping[str, Any] | None = None,
) -> _Context:
    record = _resolve(exporter, registry)
    settings = resolve_options(record.options, options, owner=record.name)
    extract = extract_text or (lambda data: _auto_extract(data, record.media_type))
    return _Context(record, settings, extract)


def run_check(
    exporter: Exporter | str,
    check: str,
    *,
    registry: Any = None,
    extract_text: TextExtractor | None = None,
    options: Mapping[str, Any] | None = None,
) -> None:
    """Run one check (a key of :data:`CHECKS`); raise :class:`AssertionError` if it fails."""
    if check not in CHECKS:
        raise KeyError(f"no conformance check {check!r} (known: {', '.join(CHECKS)})")
    CHECKS[check](_context(exporter, registry=registry, extract_text=extract_text, options=options))


def check_exporter(
    exporter: Exporter | str,
    *,
    registry: Any = None,
    extract_text: TextExtractor | None = None,
    options: Mapping[str, Any] | None = None,
    skip: Iterable[str] = (),
) -> None:
    """Run every check against ``exporter`` (an :class:`~convert.formats.Exporter`, or the
    name of an installed one, looked up in ``registry`` or the installed plugins).

    ``extract_text(data) -> str`` reads an output back as text when the default reader
    (:func:`extract_text`) cannot; ``options`` are passed to every write; ``skip`` names
    checks not to run. Raises one :class:`AssertionError` listing every failed check.
    """
    ctx = _context(exporter, registry=registry, extract_text=extract_text, options=options)
    failures = []
    for name, check in CHECKS.items():
        if name in skip:
            continue
        try:
            check(ctx)
        except (AssertionError, ConvertError) as exc:
            failures.append(f"[{name}] {exc}")
    if failures:
        raise AssertionError(f"{ctx.exporter.name} fails {len(failures)} conformance check(s):\n" + "\n".join(failures))


def conformance_params(names: Iterable[str] | None = None, *, registry: Any = None) -> list[Any]:
    """``pytest.param(exporter_name, check_name)`` for each exporter (all installed ones by
    default) and check, with readable ids (``json-nodes``), for ``pytest.mark.parametrize``."""
    import pytest

    if names is None:
        if registry is None:
            from .plugins import load_registry

            registry = load_registry()
        names = sorted(registry.exporters)
    return [pytest.param(name, check, id=f"{name}-{check}") for name in names for check in CHECKS]


# --- lazy imports ---------------------------------------------------------------------------

#: Libraries a plugin module must not import at load time (import them inside ``write``).
DEFAULT_HEAVY_MODULES = (
    "lxml", "ebooklib", "docx", "feedgen", "markdown_it", "yaml", "trafilatura", "bs4", "jsonschema",
)


def check_lazy_import(module: str, heavy: Iterable[str] = DEFAULT_HEAVY_MODULES, *, python: str | None = None) -> None:
    """Import ``module`` in a fresh interpreter and fail if that pulled in any of ``heavy``:
    a plugin module is imported whenever formats are listed, so it must stay light."""
    import subprocess
    import sys

    script = (
        "import importlib, json, sys\n"
        "before = set(sys.modules)\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    done = subprocess.run([python or sys.executable, "-c", script], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"importing {module} failed: {done.stderr.strip().splitlines()[-1:]}")
    loaded = json.loads(done.stdout)
    heavy = tuple(heavy)
    culprits = sorted({m.split(".")[0] for m in loaded if m.split(".")[0] in heavy})
    if culprits:
        raise AssertionError(f"importing {module} imports {', '.join(culprits)}: import it inside write() instead")


# --- the command line -----------------------------------------------------------------------


@dataclass(frozen=True)
class CliResult:
    """What :func:`run_cli` saw."""

    #: the exit status :func:`convert.cli.main` returned
    exit_code: int
    #: what was written on stdout, decoded as UTF-8
    stdout: str
    #: what was written on stderr, decoded as UTF-8
    stderr: str
    #: stdout and stderr interleaved, in the order they were written (as a terminal shows them)
    output: str


class _Recorder(io.BytesIO):
    """A binary stream that also copies every write to a log shared with another one."""

    def __init__(self, log: bytearray) -> None:
        super().__init__()
        self._log = log

    def write(self, data: Any) -> int:
        self._log += data
        return super().write(data)


def run_cli(args: Sequence[str], input: bytes | str | None = None) -> CliResult:
    """Run ``protocol-convert ARGS...`` in this process, with ``input`` on stdin (bytes, or
    text encoded as UTF-8; empty by default), and return its exit status and output::

        result = run_cli(["convert", "-", "-t", "myformat", "-o", "-"], input=page_bytes)
        assert result.exit_code == 0, result.output

    stdin, stdout and stderr are swapped for in-memory streams (with a ``buffer``, and not
    terminals) while it runs. Not thread-safe: they are the process's own ``sys`` streams.
    """
    import sys

    from .cli import main

    log = bytearray()
    out, err = _Recorder(log), _Recorder(log)
    data = input.encode("utf-8") if isinstance(input, str) else input or b""
    streams = (
        io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"),
        io.TextIOWrapper(out, encoding="utf-8", write_through=True),
        io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace", write_through=True),
    )
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = streams
    try:
        status = main(list(args))
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return CliResult(status, *(bytes(b).decode("utf-8", "replace") for b in (out.getvalue(), err.getvalue(), log)))
