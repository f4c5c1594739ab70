"""A conformance kit for exporters and readers: run it in your plugin's tests.

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
    Several documents make one output: every title and every story's text appears, and the
    output is deterministic.
``once``
    A collection holds each story once (a teaser and its full story share an id): the story
    two pages share is shown as often as its own page alone shows it, its teaser not at all.
    Rendering :func:`convert.present.present` gives that (the ``json`` format, the tree
    itself, holds every page whole and is exempt).
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

Every reader should pass :func:`check_reader`, given sample inputs of its format::

    from convert.testing import check_reader

    def test_my_reader_conforms():
        check_reader("myformat", ["tests/pages/one.myf", ("two.myf", b"...")])

(its checks, :data:`READER_CHECKS`, are listed in :mod:`convert.testing._readers`).
:func:`sample_documents` gives the exporter samples for your own tests; :func:`run_cli` runs
the command line in the test's own process; :func:`check_lazy_import` checks that importing
a plugin module pulls in no heavy library.
"""

from __future__ import annotations

from ._cli import CliResult, run_cli
from ._exporters import (
    CHECKS,
    DEFAULT_HEAVY_MODULES,
    TextExtractor,
    check_exporter,
    check_lazy_import,
    conformance_params,
    option_problems,
    run_check,
)
from ._extract import (
    extract_text,
    extract_text_json,
    extract_text_markdown,
    extract_text_xml,
    extract_text_zip,
    normalize,
)
from ._readers import READER_CHECKS, ReaderInput, check_reader, run_reader_check
from ._samples import SHARED_HEADLINE, SHARED_TEASER, SHARED_TEXT, Sample, sample_documents

__all__ = [
    "CHECKS",
    "DEFAULT_HEAVY_MODULES",
    "READER_CHECKS",
    "SHARED_HEADLINE",
    "SHARED_TEASER",
    "SHARED_TEXT",
    "CliResult",
    "ReaderInput",
    "Sample",
    "TextExtractor",
    "check_exporter",
    "check_lazy_import",
    "check_reader",
    "conformance_params",
    "extract_text",
    "extract_text_json",
    "extract_text_markdown",
    "extract_text_xml",
    "extract_text_zip",
    "normalize",
    "option_problems",
    "run_check",
    "run_cli",
    "run_reader_check",
    "sample_documents",
]
