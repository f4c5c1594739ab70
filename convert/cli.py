"""The ``protocol-convert`` command line.

Only this module turns :class:`~convert.errors.ConvertError` into messages and exit codes
(see ``docs/errors.md``). Heavy modules are imported inside the commands, so ``--help``
stays fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import click

from . import __version__

EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

EPILOG = """\b
Examples:
  protocol-convert page.txt -o page.epub          format from the extension
  protocol-convert convert page.txt -t epub,docx,json -o out/
  protocol-convert convert - -t json -o -          stdin to stdout
  protocol-convert formats --options               every format and its options

Exit codes: 0 done, 1 some inputs failed, 2 usage or option error, 3 input error,
4 output error, 5 plugin or format error, 6 an exporter failed, 70 internal error,
130 interrupted. See docs/errors.md.
"""


class Context:
    """What every command shares: debug mode and the plugins switched off."""

    def __init__(self) -> None:
        self.debug = False
        self.disabled: list[str] = []
        self._registry: Any = None

    @property
    def registry(self) -> Any:
        if self._registry is None:
            from .plugins import load_registry

            self._registry = load_registry(disabled=self.disabled)
        return self._registry


def fail(error: BaseException, debug: bool) -> NoReturn:
    """Print one line for ``error`` on stderr and exit with its code."""
    from .errors import ConvertError

    if isinstance(error, BrokenPipeError):
        # the reader of our output went away (`| head`): nothing to report
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    if debug:
        import traceback

        traceback.print_exception(error, file=sys.stderr)
    if isinstance(error, ConvertError):
        click.echo(f"protocol-convert: error: {error}", err=True)
        sys.exit(error.exit_code)
    if isinstance(error, KeyboardInterrupt):
        click.echo("protocol-convert: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    detail = str(error).splitlines()[0] if str(error) else ""
    click.echo(
        f"protocol-convert: internal error: {type(error).__name__}: {detail} "
        "(run with --debug for the traceback, and please report it)",
        err=True,
    )
    sys.exit(EXIT_INTERNAL)


def guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command, turning our errors into one-line messages and exit codes."""
    import functools

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context().find_object(Context) or Context()
        try:
            return function(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except SystemExit:
            raise
        except BaseException as error:
            fail(error, ctx.debug)

    return wrapper


def common_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--debug`` and ``--disable-plugin``, accepted by every command."""

    def set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            ctx.ensure_object(Context).debug = True

    def set_disabled(ctx: click.Context, _param: click.Parameter, value: Sequence[str]) -> None:
        if value:
            ctx.ensure_object(Context).disabled.extend(value)

    function = click.option(
        "--debug", is_flag=True, expose_value=False, callback=set_debug, is_eager=True,
        help="Show the full traceback of an error.",
    )(function)
    function = click.option(
        "--disable-plugin", "-p", "disabled", multiple=True, metavar="NAME", expose_value=False,
        callback=set_disabled, is_eager=True,
        help="Do not load plugin NAME for this run (repeatable).",
    )(function)
    return function


class DefaultCommandGroup(click.Group):
    """A group that runs ``convert`` when the first argument is not a command name, so
    ``protocol-convert page.txt -o page.json`` works."""

    #: group options that take a value: their value is not the first argument
    VALUE_OPTIONS = frozenset({"-p", "--disable-plugin"})
    #: commands built on first use: `install` and `uninstall` live in cli_plugins (pip)
    LAZY_COMMANDS = frozenset({"install", "uninstall"})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.LAZY_COMMANDS and name not in self.commands:
            from .cli_plugins import build_commands

            for command in build_commands():
                self.add_command(command)
        return super().get_command(ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | self.LAZY_COMMANDS)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = None
        skip_next = False
        for arg in args:
            if skip_next:
                skip_next = False
            elif arg in self.VALUE_OPTIONS:
                skip_next = True
            elif arg == "-" or not arg.startswith("-"):
                first = arg
                break
        help_asked = any(a in ("--help", "-h") for a in args)
        version_asked = "--version" in args
        if first is not None and first not in self.commands and first not in self.LAZY_COMMANDS:
            args = ["convert", *args]
        elif first is None and args and not help_asked and not version_asked:
            args = ["convert", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultCommandGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="protocol-convert")
@common_options
@click.pass_context
def main(ctx: click.Context) -> None:
    """Convert saved Protocol (protocol.com) pages into EPUB, DOCX, RSS, Atom and JSON.

    A page is read once into a normalized document tree (stories, sections, headlines,
    deks, images, authors, teasers) and written in every format asked for. Formats come
    from plugins: see `protocol-convert formats` and `protocol-convert plugins`.
    """
    ctx.ensure_object(Context)


def parse_format_options(values: Sequence[str]) -> dict[str, dict[str, str]]:
    """``-O epub.title=Hello`` → ``{"epub": {"title": "Hello"}}``."""
    from .errors import OptionError

    result: dict[str, dict[str, str]] = {}
    for value in values:
        key, sep, setting = value.partition("=")
        fmt, dot, name = key.partition(".")
        if not sep or not dot or not fmt or not name:
            raise OptionError(f"-O expects FORMAT.OPTION=VALUE, got {value!r}")
        result.setdefault(fmt.strip(), {})[name.strip().replace("-", "_")] = setting
    return result


@main.command("convert", epilog=EPILOG)
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-t", "--to", "formats", metavar="FORMAT[,FORMAT...]",
              help="Output formats (default: from the -o file's extension).")
@click.option("-o", "--output", metavar="PATH",
              help="Output file, or a directory for several formats or inputs; '-' for stdout.")
@click.option("-f", "--from", "reader", metavar="READER",
              help="Input format (default: from the extension, else 'protocol').")
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
@click.option("--collection", is_flag=True,
              help="Make one output per format from all inputs (a book, a feed...).")
@click.option("-O", "--option", "format_options", multiple=True, metavar="FORMAT.NAME=VALUE",
              help="Set an exporter option, e.g. -O epub.language=en-GB (repeatable).")
@click.option("--title", help="Title for outputs that have one (sets every format's 'title').")
@click.option("--date", help="Date to stamp into outputs, ISO 8601, or 'now' (default: fixed, reproducible).")
@click.option("--language", help="Language tag, e.g. en or en-GB (default: en).")
@click.option("--base-url", help="URL the pages were published under, for links in feeds.")
@click.option("--encoding", help="Text encoding of the inputs (default: UTF-8, else detected).")
@click.option("--max-size", type=int, metavar="BYTES", help="Refuse inputs larger than this (default 50 MB).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
              help="Convert N inputs at a time in worker processes (default: one per core).")
@click.option("--fail-fast", is_flag=True, help="Stop at the first input that fails (default: report it, go on).")
@click.option("--executor", type=click.Choice(["process", "dask"]), default=None,
              help="Where conversions run: local worker processes (default) or a Dask cluster.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask scheduler address, e.g. tcp://host:8786 (implies --executor dask; "
                   "without it, dask starts a local cluster).")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar (default: only when stderr is a terminal).")
@common_options
@guarded
def convert_command(
    inputs: tuple[str, ...],
    formats: str | None,
    output: str | None,
    reader: str | None,
    force: bool,
    collection: bool,
    format_options: tuple[str, ...],
    title: str | None,
    date: str | None,
    language: str | None,
    base_url: str | None,
    encoding: str | None,
    max_size: int | None,
    jobs: int | None,
    fail_fast: bool,
    executor: str | None,
    scheduler: str | None,
    progress: bool | None,
) -> None:
    """Convert INPUT pages ('-' for stdin) to one or more formats.

    An INPUT is a file, a directory (every page below it) or a glob pattern
    ('pages/**/*.txt', quoted).

    \b
    One input, one format:  -o FILE (or '-' for stdout; the default for text formats).
    Several formats or inputs:  -o DIRECTORY, one file per input and format,
    named after the input (page.txt → page.epub); existing files are skipped.
    --collection:  one file per format holding every input.
    A failed input is reported and skipped; a summary line ends a batch.
    """
    from .batch import ConvertJob, run_job

    ctx = click.get_current_context().find_object(Context)
    assert ctx is not None
    shared = {
        key: value
        for key, value in {"title": title, "date": date, "language": language, "base_url": base_url}.items()
        if value is not None
    }
    job = ConvertJob(
        inputs=list(inputs),
        formats=[f.strip() for f in formats.split(",") if f.strip()] if formats else [],
        output=output,
        reader=reader,
        force=force,
        collection=collection,
        format_options=parse_format_options(format_options),
        shared_options=shared,
        encoding=encoding,
        max_size=max_size,
        jobs=jobs,
        fail_fast=fail_fast,
        executor=executor or ("dask" if scheduler else "process"),
        scheduler=scheduler,
        progress=progress,
        disabled_plugins=tuple(ctx.disabled),
    )
    status = run_job(job, ctx.registry, echo=lambda msg: click.echo(msg, err=True))
    sys.exit(status)


@main.command("formats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--options", "with_options", is_flag=True, help="List each format's options.")
@common_options
@guarded
def formats_command(as_json: bool, with_options: bool) -> None:
    """List the output and input formats and the plugins they come from."""
    from .formats import type_label

    ctx = click.get_current_context().find_object(Context)
    assert ctx is not None
    registry = ctx.registry

    def options_of(item: Any) -> list[dict[str, Any]]:
        return [
            {"name": o.name, "type": type_label(o.type), "default": _jsonable(o.default), "help": o.help}
            for o in item.options
        ]

    rows = []
    for name, exporter in sorted(registry.exporters.items()):
        plugin = registry.plugin_of("exporter", name)
        info = registry.plugins.get(plugin)
        rows.append({
            "kind": "exporter", "name": name, "extension": exporter.extension,
            "media_type": exporter.media_type, "description": exporter.description,
            "plugin": plugin, "distribution": info.distribution if info else None,
            "version": info.version if info else None, "options": options_of(exporter),
            "conflict": registry.conflicts.get(f"exporter:{name}"),
        })
    for name, reader in sorted(registry.readers.items()):
        plugin = registry.plugin_of("reader", name)
        info = registry.plugins.get(plugin)
        rows.append({
            "kind": "reader", "name": name, "extensions": list(reader.extensions),
            "description": reader.description, "plugin": plugin,
            "distribution": info.distribution if info else None,
            "version": info.version if info else None, "options": options_of(reader),
            "conflict": registry.conflicts.get(f"reader:{name}"),
        })
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for heading, kind in (("Output formats", "exporter"), ("Input formats", "reader")):
        click.echo(f"{heading}:")
        for row in (r for r in rows if r["kind"] == kind):
            ext = row.get("extension") or ", ".join(row.get("extensions", []))
            origin = f"{row['plugin']}" + (f" {row['version']}" if row["version"] else "")
            click.echo(f"  {row['name']:<10} {ext:<14} {row['description']}  [{origin}]")
            if row["conflict"]:
                click.echo(f"  {'':<10} ! also registered by: {', '.join(row['conflict'][1:])}")
            if with_options:
                for option in row["options"]:
                    default = "" if option["default"] is None else f" (default: {option['default']})"
                    click.echo(f"      -O {row['name']}.{option['name']}=<{option['type']}>  {option['help']}{default}")
    broken = [p for p in registry.plugins.values() if p.error]
    if broken:
        click.echo(f"{len(broken)} plugin(s) failed to load: see `protocol-convert plugins`", err=True)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


@main.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@common_options
@guarded
def plugins_command(as_json: bool) -> None:
    """List the installed plugins, what each registers, and any load error."""
    ctx = click.get_current_context().find_object(Context)
    assert ctx is not None
    registry = ctx.registry
    infos = [info.as_dict() for _, info in sorted(registry.plugins.items())]
    if as_json:
        click.echo(json.dumps(infos, indent=2, ensure_ascii=False))
        return
    for info in infos:
        version = f" {info['version']}" if info["version"] else ""
        dist = f" ({info['distribution']}{version})" if info["distribution"] else ""
        click.echo(f"{info['name']}{dist}")
        if info["exporters"]:
            click.echo(f"    exporters: {', '.join(info['exporters'])}")
        if info["readers"]:
            click.echo(f"    readers:   {', '.join(info['readers'])}")
        if info["error"]:
            click.echo(f"    error:     {info['error']}")


def run() -> None:
    """Console-script entry point."""
    try:
        main(prog_name="protocol-convert")
    except KeyboardInterrupt:
        click.echo("protocol-convert: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":  # pragma: no cover
    run()

