"""Inputs that hold many documents (a streaming reader's: a web archive) in a batch.

Such an input is read in this process, one document at a time, through
:func:`convert.api.parse_all`: it is never in memory whole, and its documents go on to the
exporters as they come (a streaming exporter writes each before the next is read). The
batch counts each of its documents as one input: a page read (and written) is *converted*,
a part that could not be read is *failed*, reported in one line that names the input and
the part. Parts the reader passed over on purpose (an archive's requests, redirects,
non-HTML responses) are counted and reported in one line per input once it is read:
``protocol-convert: crawl.warc.gz: skipped 7 (request: 4, redirect: 1, not HTML: 2)``.

Without ``--collection``, each document gets its own outputs, in a directory named after
the input, inside the output directory: ``out/crawl/<page>.epub``, ``<page>`` being the last
part of the page's URL path (``-2``, ``-3``... when several pages share one).

Standard input is streamed when ``-f`` names a streaming reader.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConvertError
from .formats import Reader, Skipped
from .plugins import Registry
from .tree import Document

if TYPE_CHECKING:
    from .batch import ConvertJob, _Run, _Settings
    from .workers import Outcome

__all__ = ["StreamedInput", "convert_each", "streaming_reader"]


def streaming_reader(job: ConvertJob, registry: Registry, source: str) -> Reader | None:
    """The streaming reader that reads ``source`` (``-f``, else its extension, else its
    first bytes), or ``None`` when its reader reads one document."""
    from .batch import STDIO
    from .textio import read_head

    if job.reader:
        reader = registry.reader(job.reader)
    elif source == STDIO:
        return None  # standard input is looked into only by a reader named with -f
    else:
        reader = registry.reader_by_extension(source) or registry.reader_by_content(read_head(source))
    return reader if reader is not None and reader.streaming else None


class StreamedInput:
    """The outcomes of one streamed input, in order: each an ``Outcome`` holding a document
    or the failure of one part (a failure that ends the input comes last). ``skipped``
    counts the parts passed over, by kind."""

    def __init__(self, registry: Registry, settings: _Settings, source: str) -> None:
        self.registry = registry
        self.settings = settings
        self.source = source
        self.skipped: Counter[str] = Counter()

    def __iter__(self) -> Iterator[Outcome]:
        import sys

        from .api import parse_all
        from .batch import STDIO
        from .textio import DEFAULT_MAX_SIZE
        from .workers import Failure, Outcome

        errors: list[BaseException] = []

        def skip(item: Skipped) -> None:
            self.skipped[item.kind] += 1

        settings = self.settings
        max_size = settings.max_size if settings.max_size is not None else DEFAULT_MAX_SIZE
        source: Any = sys.stdin.buffer if self.source == STDIO else self.source
        documents = parse_all(source, reader=settings.reader, encoding=settings.encoding,
                              options=dict(settings.reader_options), max_size=max_size, strict=settings.strict,
                              registry=self.registry, on_error=errors.append, on_skip=skip)

        def failed(error: BaseException) -> Outcome:
            if isinstance(error, ConvertError) and error.path == os.path.basename(self.source):
                error.path = self.source  # name the input as the user gave it
            return Outcome(failures=[Failure.of(error)])

        try:
            for document in documents:
                while errors:
                    yield failed(errors.pop(0))
                page = document.source.name or self.source  # (an archive's page: crawl.warc.gz#OFFSET)
                notes = [f"{page}: {w}" for w in document.warnings] if settings.verbose else []
                yield Outcome(document=document, notes=notes)
        except ConvertError as error:
            errors.append(error)  # type: ignore[arg-type]
        except Exception as error:  # a reader's bug: one line, like any input's
            errors.append(error)  # type: ignore[arg-type]
        while errors:
            yield failed(errors.pop(0))

    def skipped_line(self) -> str | None:
        """``NAME: skipped N (kind: n, ...)``, or ``None`` when nothing was skipped."""
        total = sum(self.skipped.values())
        if not total:
            return None
        details = ", ".join(f"{kind}: {count}" for kind, count in self.skipped.most_common())
        return f"{self.source}: skipped {total} ({details})"


def page_stem(document: Document) -> str:
    """A file-name stem for one page of an archive: the last part of its URL's path (or its
    host), else ``page``."""
    from urllib.parse import unquote, urlsplit

    from .outputs import _clean

    main = document.main
    url = (main.url if main is not None else None) or document.source.url
    if url:
        try:
            parts = urlsplit(url)
        except ValueError:
            parts = None
        if parts is not None:
            segments = [s for s in unquote(parts.path).split("/") if s]
            stem = _clean(segments[-1] if segments else (parts.hostname or ""))
            if stem:
                return stem
    return "page"


def input_directory(stem: str, reader: Reader) -> str:
    """The directory an archive's pages go into: the input's stem less the reader's
    extension (``crawl.warc.gz`` → ``crawl``)."""
    for extension in sorted(reader.extensions, key=len, reverse=True):
        if stem.lower().endswith(extension.lower()) and len(stem) > len(extension):
            return stem[: -len(extension)]
    return stem


def convert_each(run: _Run, settings: _Settings, source: str, stem: str, directory: Path | None,
                 inputs: set[tuple[int, int]]) -> None:
    """One output per page of a streamed input and format (``convert`` without
    ``--collection``): in ``directory/<input stem>/``, under the rules every output follows
    (:func:`convert.batch._plan`: existing outputs kept unless ``--force``, inputs never
    written over; :func:`convert.textio.output_path`: never outside the directory)."""
    from .batch import _count, _export_file, _plan
    from .textio import output_path
    from .workers import Failure, Outcome

    registry, reporter = run.registry, run.reporter
    reader = streaming_reader(run.job, registry, source)
    assert reader is not None and directory is not None
    folder = output_path(directory, input_directory(stem, reader))
    taken: Counter[str] = Counter()
    streamed = StreamedInput(registry, settings, source)
    first = True
    for outcome in streamed:
        if not first:
            reporter.grow()
        first = False
        if outcome.document is None:
            _count(reporter, outcome)
            continue
        name = page_stem(outcome.document)
        taken[name.casefold()] += 1
        if taken[name.casefold()] > 1:
            name = f"{name}-{taken[name.casefold()]}"
        wanted = [(fmt, output_path(folder, name + registry.exporter(fmt).extension)) for fmt in run.formats]
        protected: set[tuple[int, int]] = set()
        targets = _plan(run, wanted, inputs, protected)
        if not targets:
            reporter.summary.skipped += 1
            reporter.advance()
            continue
        result = Outcome(notes=outcome.notes)
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            from .errors import OutputError

            result.failures.append(Failure.of(OutputError(f"cannot create this directory: {exc.strerror or exc}",
                                                          path=folder)))
            _count(reporter, result)
            continue
        page_settings = replace(settings, protected=settings.protected | protected) if protected else settings
        for fmt, target in targets:
            try:
                _export_file(registry, outcome.document, fmt, target, page_settings, source)
            except ConvertError as error:
                result.failures.append(Failure.of(error))
        _count(reporter, result)
    line = streamed.skipped_line()
    if line:
        reporter.say(f"protocol-convert: {line}")
