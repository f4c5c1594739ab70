"""The conformance kit's checks of an exporter (see :func:`check_exporter`)."""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConvertError
from ..formats import Exporter, Option, resolve_options
from ..tree import Document
from ._extract import extract_text as _auto_extract
from ._extract import normalize
from ._samples import SHARED_HEADLINE, SHARED_TEASER, SHARED_TEXT, sample_documents

__all__ = ["CHECKS", "DEFAULT_HEAVY_MODULES", "TextExtractor", "check_exporter", "check_lazy_import",
           "conformance_params", "run_check"]

TextExtractor = Callable[[bytes], str]


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
    problems.extend(option_problems(exporter.options, owner=exporter.name))
    if problems:
        raise AssertionError(f"{exporter.name}: " + "; ".join(problems))


def option_problems(options: Iterable[Any], *, owner: str) -> list[str]:
    """What is wrong with a format's declared options (the ``record`` check's part for them,
    shared by exporters and readers): unique lower_snake_case names, help, a default of
    their own type."""
    problems: list[str] = []
    seen: set[str] = set()
    for option in options:
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
                if option.coerce(option.default, owner=owner) != option.default:
                    problems.append(f"option {option.name!r}: default {option.default!r} is not a {option.type}")
            except ConvertError as exc:
                problems.append(f"option {option.name!r}: default {option.default!r}: {exc}")
    return problems


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


def _check_once(ctx: _Context) -> None:
    """Each story once: the collection sample's shared story (a teaser on one page, in full
    on the other) is shown as often as its own page alone shows it, and its teaser not at all."""
    sample = sample_documents()["collection"]
    full_page = next(d for d in sample.documents if d.main is not None and d.main.title == SHARED_HEADLINE)
    alone = ctx.text(ctx.write((full_page,))).count(normalize(SHARED_TEXT))
    together = ctx.text(ctx.write(sample.documents))
    problems = []
    if together.count(normalize(SHARED_TEXT)) != alone:
        problems.append(f"the shared story's text is shown {together.count(normalize(SHARED_TEXT))} times, "
                        f"its page alone shows it {alone} time(s)")
    if normalize(SHARED_TEASER) in together:
        problems.append("the teaser of a story the collection holds in full is shown as well")
    if problems:
        raise AssertionError(f"{ctx.exporter.name}: a collection shows a story twice: " + "; ".join(problems)
                             + " (render convert.present.present(documents, options): one item per story)")


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
    "once": _check_once,
    "quiet": _check_quiet,
}


def _resolve(exporter: Exporter | str, registry: Any) -> Exporter:
    if isinstance(exporter, Exporter):
        return exporter
    if registry is None:
        from ..plugins import load_registry

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
    run_all(CHECKS, ctx, skip, ctx.exporter.name + " fails {count} conformance check(s)")


def run_all(checks: Mapping[str, Callable[[Any], None]], ctx: Any, skip: Iterable[str], heading: str) -> None:
    """Run every check of ``checks`` but those in ``skip`` on ``ctx``; raise one
    :class:`AssertionError` listing every one that failed (``heading`` with its ``{count}``)."""
    failures = []
    for name, check in checks.items():
        if name in skip:
            continue
        try:
            check(ctx)
        except (AssertionError, ConvertError) as exc:
            failures.append(f"[{name}] {exc}")
    if failures:
        raise AssertionError(heading.replace("{count}", str(len(failures))) + ":\n" + "\n".join(failures))


def conformance_params(names: Iterable[str] | None = None, *, registry: Any = None) -> list[Any]:
    """``pytest.param(exporter_name, check_name)`` for each exporter (all installed ones by
    default) and check, with readable ids (``json-nodes``), for ``pytest.mark.parametrize``."""
    import pytest

    if names is None:
        if registry is None:
            from ..plugins import load_registry

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
