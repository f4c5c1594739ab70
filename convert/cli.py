"""The ``protocol-convert`` command line.

Only this module turns :class:`~convert.errors.ConvertError` into messages and exit codes
(see ``docs/errors.md``). It is built on :mod:`argparse`, and heavy modules are imported
inside the commands, so ``--help`` stays fast: a command's parser is built only when that
command runs, and ``install``/``uninstall``/``new-plugin`` (in :mod:`convert.cli_plugins`) are
imported only when used.

:func:`main` runs the command line on a list of arguments and returns the exit status, so
tests call it directly (see :func:`convert.testing.run_cli`); :func:`run` is the console
script.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from . import __version__

PROG = "protocol-convert"
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE
EXIT_TERMINATED = 143  # 128 + SIGTERM

#: every command and its summary, in the order the top-level ``--help`` lists them (one line
#: each: at most 65 characters)
COMMANDS = {
    "convert": "Convert INPUT pages ('-' for stdin) to one or more formats.",
    "formats": "List the output and input formats and the plugins they come from.",
    "plugins": "List the installed plugins, what each registers, and load errors.",
    "install": "Install plugins into protocol-convert's own environment (pip).",
    "uninstall": "Uninstall plugins, by distribution name or plugin name.",
    "new-plugin": "Start a plugin: a package that passes its own tests.",
}
#: the commands that live in cli_plugins (plugin authors' tools), imported on first use
LAZY_COMMANDS = frozenset({"install", "uninstall", "new-plugin"})
#: options accepted before the command that take a value: their value is not the command
VALUE_OPTIONS = frozenset({"-p", "--disable-plugin"})

DESCRIPTION = """\
Convert saved Protocol (protocol.com) pages into EPUB, DOCX, RSS, Atom, JSON.

A page is read once into a normalized document tree (stories, sections,
headlines, deks, images, authors, teasers) and written in every format asked
for. Formats come from plugins: see `protocol-convert formats` and
`protocol-convert plugins`.
"""

EPILOG = """\
Examples:
  protocol-convert page.txt -o page.epub          format from the extension
  protocol-convert convert page.txt -t epub,docx,json -o out/
  protocol-convert convert - -t json -o -         stdin to stdout
  protocol-convert formats --options              every format and its options

Exit codes: 0 done, 1 some inputs failed, 2 usage or option error, 3 input
error, 4 output error, 5 plugin or format error, 6 an exporter failed,
70 internal error, 130 interrupted, 143 terminated. See docs/errors.md.
"""


class UsageError(Exception):
    """A command line argparse cannot make sense of (exit status 2). ``command`` is the
    command whose ``--help`` would have helped, or ``None`` for the top level."""

    def __init__(self, message: str, command: str | None = None) -> None:
        super().__init__(message)
        self.command = command

    def line(self) -> str:
        where = f"{PROG} {self.command}" if self.command else PROG
        return f"{PROG}: error: {self} (see `{where} --help`)"


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and epilogs keep their layout; ``-t, --to FORMAT`` names the metavar
    once; ``--progress / --no-progress``; ``Usage:``; and at most 80 columns, however wide
    the terminal."""

    def __init__(self, prog: str) -> None:
        import shutil

        width = min(shutil.get_terminal_size().columns, 80)
        super().__init__(prog, max_help_position=34, width=width - 2)

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "Usage: " if prefix is None else prefix)

    def _format_action_invocation(self, action: argparse.Action) -> str:
        if isinstance(action, argparse.BooleanOptionalAction):  # a switch and its opposite
            return " / ".join(action.option_strings)
        if not action.option_strings or action.nargs == 0:
            return super()._format_action_invocation(action)
        metavar = self._format_args(action, self._get_default_metavar_for_optional(action))
        return f"{', '.join(action.option_strings)} {metavar}"


class Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are raised as :class:`UsageError` (one line, exit
    status 2), with its options under ``Options:``, and no option abbreviations (``--forc``
    for ``--force``), which a new option could break."""

    def __init__(self, command: str | None, *, usage: str, description: str, epilog: str | None = None) -> None:
        super().__init__(
            prog=f"{PROG} {command}" if command else PROG, usage=usage, description=description,
            epilog=epilog, formatter_class=HelpFormatter, add_help=False, allow_abbrev=False,
        )
        self.command = command
        self.options = self.add_argument_group("Options")

    def error(self, message: str) -> Any:
        raise UsageError(message.removeprefix("argument "), self.command)

    def _print_message(self, message: str, file: Any = None) -> None:
        # argparse ignores a failure to write the help; a full disk under stdout is exit 4
        if message:
            if file is None or file is sys.stderr:
                super()._print_message(message, file)
                return
            try:
                file.write(message)
            except BrokenPipeError:
                raise
            except OSError as exc:
                from .errors import OutputError

                _silence_stdout()
                raise OutputError(f"cannot write: {exc.strerror or exc}", path="<stdout>") from None

    def parse(self, args: Sequence[str]) -> argparse.Namespace:
        """Parse ``args`` (options and arguments in any order; after ``--``, arguments only);
        anything unknown is a :class:`UsageError`."""
        args, rest = list(args), []
        if "--" in args:  # set apart here: argparse's intermixed parsing drops the "--"
            index = args.index("--")
            args, rest = args[:index], args[index + 1:]
        namespace, extras = self.parse_known_intermixed_args(args)
        for extra in extras:
            if extra.startswith("-") and extra != "-":
                name = extra.partition("=")[0]
                raise UsageError(f"no such option: {name}{self._did_you_mean(name)}", self.command)
        positional = next((action.dest for action in self._actions if not action.option_strings), None)
        if positional is not None and rest:
            setattr(namespace, positional, [*getattr(namespace, positional), *rest])
            rest = []
        if extras or rest:
            raise UsageError(f"unexpected argument: {(extras or rest)[0]!r}", self.command)
        return namespace

    def _did_you_mean(self, name: str) -> str:
        import difflib

        # compared without their dashes, which every option shares
        known = {option.lstrip("-"): option for action in self._actions for option in action.option_strings}
        close = difflib.get_close_matches(name.lstrip("-"), known, n=1)
        return f" (did you mean {known[close[0]]}?)" if close else ""

    def add_common_options(self) -> None:
        """``-p/--disable-plugin`` and ``--debug`` (accepted before the command and after it,
        by every command), and ``-h/--help``."""
        self.options.add_argument(
            "-p", "--disable-plugin", dest="disabled", action="append", default=[], metavar="NAME",
            help="Do not load plugin NAME for this run (repeatable).",
        )
        self.options.add_argument("--debug", action="store_true", help="Show the full traceback of an error.")
        self.options.add_argument("-h", "--help", action="help", help="Show this message and exit.")


class Command:
    """A command: its help, how to build its parser, and what it runs.

    ``description`` is shown as written (at most 78 columns); ``arguments`` adds the
    command's own options and arguments to the parser; ``run`` gets the shared
    :class:`Context` and the parsed arguments and returns the exit status.
    """

    def __init__(self, name: str, *, usage: str, description: str, epilog: str | None = None,
                 arguments: Callable[[Parser], None], run: Callable[[Context, argparse.Namespace], int]) -> None:
        self.name = name
        self.usage = usage
        self.description = description
        self.epilog = epilog
        self.arguments = arguments
        self.run = run

    def parser(self) -> Parser:
        parser = Parser(self.name, usage=self.usage, description=self.description, epilog=self.epilog)
        self.arguments(parser)
        parser.add_common_options()
        return parser


class Context:
    """What every command shares: debug mode and the plugins switched off."""

    def __init__(self) -> None:
        self.debug = False
        self.disabled: list[str] = []
        self._registry: Any = None

    @property
    def registry(self) -> Any:
        """The plugins, loaded on first use; what they print while they load goes to stderr,
        never into a command's output on stdout."""
        if self._registry is None:
            import contextlib

            from .plugins import load_registry

            with contextlib.redirect_stdout(sys.stderr):
                self._registry = load_registry(disabled=self.disabled)
        return self._registry


def say(message: str) -> None:
    """Print a line on stdout; a failure to write it is an output error (a closed pipe
    stays a ``BrokenPipeError``, ended on quietly)."""
    try:
        print(message)
    except BrokenPipeError:
        raise
    except OSError as exc:
        from .errors import OutputError

        raise OutputError(f"cannot write: {exc.strerror or exc}", path="<stdout>") from None


def warn(message: str) -> None:
    """Print a line on stderr, at once (it may come between progress-bar updates)."""
    print(message, file=sys.stderr, flush=True)


#: what the command line says for each remedy an error names
#: (:attr:`convert.errors.ConvertError.remedy`): the library's keyword, spelt as a flag
ADVICE = {
    "force": "use --force to overwrite",
    "max_size": "raise it with --max-size",
    "encoding": "name the page's encoding with --encoding, for example cp1252",
    "disabled": "disable one with --disable-plugin",
}


def with_advice(message: str, remedy: str | None) -> str:
    """``message``, followed by what to type about it when its error names a remedy."""
    advice = ADVICE.get(remedy) if remedy else None
    return f"{message} ({advice})" if advice else message


def report(error: BaseException, debug: bool) -> int:
    """Print one line for ``error`` on stderr (the traceback first with ``--debug``) and
    return its exit status."""
    from .errors import ConvertError

    if isinstance(error, BrokenPipeError):
        # the reader of our output went away (`| head`): nothing to report, and nothing
        # more to write (the interpreter's last flush would fail again); the status a Unix
        # tool ended by SIGPIPE has
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    if debug:
        import traceback

        traceback.print_exception(error, file=sys.stderr)
    if isinstance(error, ConvertError):
        warn(f"{PROG}: error: {with_advice(str(error), error.remedy)}")
        return error.exit_code
    if isinstance(error, KeyboardInterrupt):
        warn(f"{PROG}: interrupted")
        return EXIT_INTERRUPTED
    from .interrupts import Terminated

    if isinstance(error, Terminated):
        warn(f"{PROG}: terminated")
        return EXIT_TERMINATED
    detail = str(error).splitlines()[0] if str(error) else ""
    warn(
        f"{PROG}: internal error: {type(error).__name__}: {detail} "
        "(run with --debug for the traceback, and please report it)"
    )
    return EXIT_INTERNAL


# --- convert --------------------------------------------------------------------------------


def parse_format_options(values: Sequence[str], flag: str = "-O") -> dict[str, dict[str, str]]:
    """``-O epub.title=Hello`` → ``{"epub": {"title": "Hello"}}`` (and ``-R`` likewise)."""
    from .errors import OptionError

    result: dict[str, dict[str, str]] = {}
    for value in values:
        key, sep, setting = value.partition("=")
        fmt, dot, name = key.partition(".")
        if not sep or not dot or not fmt or not name:
            raise OptionError(f"{flag} expects FORMAT.OPTION=VALUE, got {value!r}")
        result.setdefault(fmt.strip(), {})[name.strip().replace("-", "_")] = setting
    return result


def whole_number(text: str) -> int:
    """An argparse type: an integer."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def at_least_zero(text: str) -> int:
    """An argparse type: an integer of at least 0."""
    number = whole_number(text)
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 0, got {text!r}")
    return number


def at_least_one(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    number = whole_number(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return number


def _convert_arguments(parser: Parser) -> None:
    # INPUT... is checked by the command (a clearer message than argparse's) and described
    # in the help's text
    parser.add_argument("inputs", nargs="*", metavar="INPUT", help=argparse.SUPPRESS)
    add = parser.options.add_argument
    add("-t", "--to", dest="formats", metavar="FORMAT[,FORMAT...]",
        help="Output formats (default: from the -o file's extension).")
    add("-o", "--output", metavar="PATH",
        help="Output file, or a directory for several formats or inputs; '-' for stdout.")
    add("-f", "--from", dest="reader", metavar="READER",
        help="Input format (default: from the extension, else 'protocol').")
    add("--force", action="store_true", help="Overwrite existing output files.")
    add("--collection", action="store_true",
        help="Make one output per format from all inputs (a book, a feed...).")
    add("--split", metavar="section|month|section,month",
        help="Split the collection into volumes, one per section and/or month (fintech-2021-06.epub; "
             "undated pages: 'undated'); implies --collection; needs -o DIRECTORY.")
    add("--captures", choices=["latest", "earliest", "all"], default="latest",
        help="Of several captures of one page (same URL) in a collection, keep the latest (default), "
             "the earliest, or all.")
    add("-O", "--option", dest="format_options", action="append", default=[], metavar="FORMAT.NAME=VALUE",
        help="Set an output format's option, e.g. -O epub.language=en-GB (repeatable).")
    add("-R", "--reader-option", dest="reader_options", action="append", default=[], metavar="READER.NAME=VALUE",
        help="Set an input format's option, e.g. -R markdown.NAME=VALUE (repeatable).")
    add("--title", metavar="TEXT", help="Title for outputs that have one (sets every format's 'title').")
    add("--date", metavar="DATE",
        help="Date to stamp into outputs, ISO 8601, or 'now' (default: the pages' own, else the files' time).")
    add("--language", metavar="TAG", help="Language tag, e.g. en or en-GB (default: en).")
    add("--base-url", metavar="URL", help="URL the pages were published under, for links in feeds.")
    add("--encoding", metavar="ENCODING", help="Text encoding of the inputs (default: UTF-8, else detected).")
    add("--max-size", type=at_least_zero, metavar="BYTES",
        help="Read no input or option file larger than this (default 50 MB).")
    add("-j", "--jobs", type=at_least_one, metavar="N",
        help="Convert N inputs at a time in worker processes (default: one per core).")
    add("--fail-fast", action="store_true", help="Stop at the first input that fails (default: report it, go on).")
    add("-v", "--verbose", action="store_true",
        help="Also say what the reader could not find on a page (no headline, no body...).")
    add("--strict", action="store_true",
        help="Fail a page the reader could not make out (what -v reports) instead of converting it.")
    add("--executor", choices=["process", "dask"],
        help="Where conversions run: local worker processes (default) or a Dask cluster.")
    add("--scheduler", metavar="ADDRESS",
        help="Dask scheduler address, e.g. tcp://host:8786 (implies --executor dask; "
             "without it, dask starts a local cluster).")
    add("--progress", action=argparse.BooleanOptionalAction, default=None,
        help="Show a progress bar (default: only when stderr is a terminal).")


def _convert(ctx: Context, args: argparse.Namespace) -> int:
    if not args.inputs:
        raise UsageError("missing INPUT: name a page, a directory, a glob pattern, or '-' for stdin", "convert")
    from .batch import ConvertJob, run_job

    shared = {
        key: value
        for key, value in {"title": args.title, "date": args.date, "language": args.language,
                           "base_url": args.base_url}.items()
        if value is not None
    }
    job = ConvertJob(
        inputs=list(args.inputs),
        formats=[f.strip() for f in args.formats.split(",") if f.strip()] if args.formats else [],
        output=args.output,
        reader=args.reader,
        force=args.force,
        collection=args.collection,
        format_options=parse_format_options(args.format_options),
        reader_options=parse_format_options(args.reader_options, "-R"),
        verbose=args.verbose,
        strict=args.strict,
        debug=ctx.debug,
        shared_options=shared,
        encoding=args.encoding,
        max_size=args.max_size,
        jobs=args.jobs,
        fail_fast=args.fail_fast,
        executor=args.executor or ("dask" if args.scheduler else "process"),
        scheduler=args.scheduler,
        progress=args.progress,
        disabled_plugins=tuple(ctx.disabled),
        captures=args.captures,
        split=tuple(args.split.split(",")) if args.split is not None else (),
    )
    return run_job(job, ctx.registry, echo=warn)


CONVERT = Command(
    "convert",
    usage=f"{PROG} [convert] INPUT... [options]",
    description="""\
Convert INPUT pages ('-' for stdin) to one or more formats.

An INPUT is a file, a directory (every page below it) or a glob pattern
('pages/**/*.txt', quoted).

Outputs:
  one input, one format      -o FILE, or -o - for stdout (the default for
                             text formats)
  several formats or inputs  -o DIRECTORY: one file per input and format,
                             named after the input (page.txt → page.epub);
                             existing files are skipped
  --collection               one file per format, holding every input
  --split section,month      one collection per section and month
                             (fintech-2021-06.epub, undated.epub...)

A failed input is reported and skipped; a summary line ends a batch.""",
    epilog=EPILOG,
    arguments=_convert_arguments,
    run=_convert,
)


# --- formats and plugins --------------------------------------------------------------------


def _formats_arguments(parser: Parser) -> None:
    parser.options.add_argument("--json", dest="as_json", action="store_true", help="Print JSON.")
    parser.options.add_argument("--options", dest="with_options", action="store_true",
                                help="List each format's options.")


def _formats(ctx: Context, args: argparse.Namespace) -> int:
    import json

    from .catalog import list_formats
    from .formats import type_label

    registry = ctx.registry
    rows = []
    for info in list_formats(registry):
        row: dict[str, Any] = {"kind": info.kind, "name": info.name}
        if info.kind == "exporter":
            row.update(extension=info.extensions[0], media_type=info.media_type)
        else:
            row["extensions"] = list(info.extensions)
        row.update(
            description=info.description, plugin=info.plugin, distribution=info.distribution,
            version=info.version,
            options=[{"name": o.name, "type": type_label(o.type), "default": _jsonable(o.default), "help": o.help,
                      "spelling": info.spelling(o)} for o in info.options],
            conflict=list(info.conflict) or None,
        )
        rows.append(row)
    if args.as_json:
        say(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for heading, kind in (("Output formats", "exporter"), ("Input formats", "reader")):
        say(f"{heading}:")
        for row in (r for r in rows if r["kind"] == kind):
            ext = row.get("extension") or ", ".join(row.get("extensions", []))
            origin = f"{row['plugin']}" + (f" {row['version']}" if row["version"] else "")
            say(f"  {row['name']:<10} {ext:<14} {row['description']}  [{origin}]")
            if row["conflict"]:
                say(f"  {'':<10} ! also registered by: {', '.join(row['conflict'][1:])}")
            if args.with_options:
                for option in row["options"]:
                    default = "" if option["default"] is None else f" (default: {option['default']})"
                    say(f"      {option['spelling']}  {option['help']}{default}")
    broken = [p for p in registry.plugins.values() if p.error]
    if broken:
        warn(f"{len(broken)} plugin(s) failed to load: see `protocol-convert plugins`")
    return 0


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


FORMATS = Command(
    "formats",
    usage=f"{PROG} formats [--json] [--options]",
    description="List the output and input formats and the plugins they come from.",
    arguments=_formats_arguments,
    run=_formats,
)


def _plugins_arguments(parser: Parser) -> None:
    parser.options.add_argument("--json", dest="as_json", action="store_true", help="Print JSON.")


def _plugins(ctx: Context, args: argparse.Namespace) -> int:
    import json

    infos = [info.as_dict() for _, info in sorted(ctx.registry.plugins.items())]
    if args.as_json:
        say(json.dumps(infos, indent=2, ensure_ascii=False))
        return 0
    for info in infos:
        version = f" {info['version']}" if info["version"] else ""
        dist = f" ({info['distribution']}{version})" if info["distribution"] else ""
        say(f"{info['name']}{dist}")
        if info["exporters"]:
            say(f"    exporters: {', '.join(info['exporters'])}")
        if info["readers"]:
            say(f"    readers:   {', '.join(info['readers'])}")
        if info["error"]:
            say(f"    error:     {info['error']}")
    return 0


PLUGINS = Command(
    "plugins",
    usage=f"{PROG} plugins [--json]",
    description="List the installed plugins, what each registers, and any load error.",
    arguments=_plugins_arguments,
    run=_plugins,
)


# --- the top level ------------------------------------------------------------------------


def command(name: str) -> Command:
    """The command called ``name``; the plugin authors' commands are imported here, on use."""
    if name in LAZY_COMMANDS:
        from . import cli_plugins

        return cli_plugins.COMMANDS[name]
    return {"convert": CONVERT, "formats": FORMATS, "plugins": PLUGINS}[name]


def top_parser() -> Parser:
    """The parser of the options given before a command, and of the top-level ``--help``."""
    width = max(map(len, COMMANDS))
    commands = "\n".join(f"  {name:<{width}}  {summary}" for name, summary in COMMANDS.items())
    parser = Parser(
        None,
        usage=f"{PROG} [options] COMMAND [ARGS]...\n"
              f"       {PROG} INPUT... [convert options]   (`convert` is the default)",
        description=f"{DESCRIPTION}\nCommands:\n{commands}\n\n"
                    f"`{PROG} COMMAND --help` shows a command's options.",
        epilog=EPILOG,
    )
    parser.options.add_argument("--version", action="version", version=f"{PROG}, version {__version__}",
                                help="Show the version and exit.")
    parser.add_common_options()
    return parser


def split(args: Sequence[str]) -> tuple[list[str], str | None, list[str]]:
    """``(options before the command, command, its arguments)``. When the first argument that
    is not an option is not a command name, the command is ``convert`` and it gets every
    argument (``protocol-convert page.txt -o page.json``). The command is ``None`` for the
    top-level ``--help`` and ``--version``, or when there are no arguments at all."""
    args = list(args)
    skip_next = False
    for index, arg in enumerate(args):
        if skip_next:
            skip_next = False
        elif arg in VALUE_OPTIONS:
            skip_next = True
        elif arg == "--":  # what follows are inputs
            break
        elif arg == "-" or not arg.startswith("-"):
            if arg in COMMANDS:
                return args[:index], arg, args[index + 1:]
            return [], "convert", args
    if not args or any(arg in ("-h", "--help", "--version") for arg in args):
        return args, None, []
    return [], "convert", args


def dispatch(ctx: Context, args: Sequence[str]) -> int:
    """Parse ``args`` and run the command they name."""
    before, name, rest = split(args)
    if name is None and not before:
        # no arguments at all: teach, as a usage error
        top_parser().print_help(sys.stderr)
        return EXIT_USAGE
    if before or name is None:
        options = top_parser().parse(before)  # --help and --version exit here
        ctx.debug = options.debug
        ctx.disabled.extend(options.disabled)
    if name is None:  # options only, and no --help or --version after all
        raise UsageError("name a command, or an INPUT to convert")
    chosen = command(name)
    parsed = chosen.parser().parse(rest)
    ctx.debug = ctx.debug or parsed.debug
    ctx.disabled.extend(parsed.disabled)
    status = chosen.run(ctx, parsed)
    flush_stdout()  # here, so that a failure is reported like any other error
    return status


def flush_stdout() -> None:
    """Flush standard output: a failure is an output error (a closed pipe stays a
    ``BrokenPipeError``, ended on quietly)."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as exc:
        from .errors import OutputError

        _silence_stdout()  # the interpreter's last flush would fail again, and say so
        raise OutputError(f"cannot write: {getattr(exc, 'strerror', None) or exc}", path="<stdout>") from None


def _silence_stdout() -> None:
    """Point descriptor 1 at the null device: nothing more is written (it could not be)."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # a stdout with no descriptor (tests)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``) and return the exit status.

    Never raises: every error becomes one line on stderr and its exit status (see
    ``docs/errors.md``); with ``--debug`` the traceback is printed first.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    ctx = Context()
    try:
        return dispatch(ctx, args)
    except UsageError as error:
        warn(error.line())
        return EXIT_USAGE
    except SystemExit as done:  # --help and --version (a plugin's exit is its failure)
        try:
            flush_stdout()  # argparse ignores a failure to write the help: not so here
        except BaseException as error:
            return report(error, ctx.debug)
        if done.code is None or isinstance(done.code, int):
            return done.code or 0
        warn(str(done.code))
        return 1
    except BaseException as error:
        return report(error, ctx.debug)


def run() -> None:
    """Console-script entry point."""
    try:
        status = main()
    except KeyboardInterrupt:  # between main's handlers, or while it reports
        warn(f"{PROG}: interrupted")
        status = EXIT_INTERRUPTED
    sys.exit(status)


if __name__ == "__main__":  # pragma: no cover
    run()
