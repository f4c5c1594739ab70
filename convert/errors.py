"""The one exception hierarchy of protocol-convert.

    ConvertError                      anything this tool reports to a user   (exit 1)
     ├── InputError                   an input cannot be read                 (exit 3)
     │    ├── EmptyInputError         the input holds no text
     │    ├── NotTextError            the input is binary (an image, a zip, ...)
     │    ├── DecodingError           the bytes are in no encoding we can tell
     │    ├── InputNotFoundError      no such file (also a FileNotFoundError)
     │    ├── InputTooLargeError      the input is over the size limit
     │    ├── IncompletePageError     strict reading: the reader could not find a headline, a body...
     │    ├── ReaderError             a reader plugin crashed, or returned no Document
     │    └── SchemaError             a JSON tree that does not match the schema
     │         └── UnsupportedVersionError   a JSON tree of a newer major version
     ├── OutputError                  an output cannot be written             (exit 4)
     │    └── OutputExistsError       the output exists and overwriting was not asked for
     ├── PluginError                  the plugin machinery                    (exit 5)
     │    ├── UnknownFormatError      no exporter or reader by that name
     │    └── DuplicateFormatError    two plugins claim one format name
     ├── OptionError                  an unknown or ill-typed option           (exit 2)
     └── ExportError                  an exporter failed while writing        (exit 6)

Library code raises these and nothing else for foreseeable problems; only the CLI turns them
into messages and exit codes (``exit_code`` below). A message says what is wrong, never which
command-line flag would help: an error that a setting resolves names that setting in
``remedy`` (``"force"``, ``"max_size"``, ``"encoding"``, ``"disabled"``: the keyword
argument of :func:`convert.parse`, :func:`convert.export` or
:func:`convert.load_registry`), and the CLI adds its flag (``use --force to
overwrite``). ``path`` is the input or output the error is about, as the caller gave it.

Anything a plugin raises (``SystemExit`` included) is wrapped: in :class:`ExportError` for an
exporter, in :class:`ReaderError` for a reader, naming the format and the plugin.

Two more classes that are not errors: :class:`ConvertWarning`, for what was read but not
quite as written (a few undecodable bytes replaced), and :class:`ControlFlow`, the base of
this package's own signals (Ctrl-C handling, stopping a stream) that must pass through plugin
code untouched.
"""

from __future__ import annotations

__all__ = [
    "ControlFlow",
    "ConvertError",
    "ConvertWarning",
    "DecodingError",
    "DuplicateFormatError",
    "EmptyInputError",
    "ExportError",
    "IncompletePageError",
    "InputError",
    "InputNotFoundError",
    "InputTooLargeError",
    "NotTextError",
    "OptionError",
    "OutputError",
    "OutputExistsError",
    "PluginError",
    "ReaderError",
    "SchemaError",
    "UnknownFormatError",
    "UnsupportedVersionError",
]


class ConvertError(Exception):
    """Base class: a problem to report to the user in one line.

    ``path`` names the file the problem is about, as the caller gave it, when there is one;
    the message says what the problem is. ``remedy``, when not ``None``, names the setting
    that resolves it: a keyword argument of the library (``force``, ``max_size``,
    ``encoding``), which the command line spells as its flag (``--force``).
    """

    exit_code = 1
    #: the setting that resolves this kind of problem, if one does (see the class docstring)
    remedy: str | None = None

    def __init__(self, message: str, *, path: str | None = None, remedy: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        if remedy is not None:
            self.remedy = remedy

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InputError(ConvertError):
    """An input cannot be read into a document."""

    exit_code = 3


class EmptyInputError(InputError):
    """The input is empty or holds only white space."""


class NotTextError(InputError):
    """The input is binary data, not a text page."""


class DecodingError(InputError):
    """The input's bytes are in no encoding that can be told apart (``remedy`` is then
    ``"encoding"``: give it), or not in the one given."""


class InputNotFoundError(InputError, FileNotFoundError):
    """The input file does not exist. Also a :class:`FileNotFoundError` (``errno`` ENOENT,
    ``filename`` the path), so ``except FileNotFoundError`` catches it as well."""

    def __init__(self, message: str = "no such file", *, path: str | None = None,
                 remedy: str | None = None) -> None:
        import errno

        FileNotFoundError.__init__(self, errno.ENOENT, message, path)
        self.message = message
        self.path = path
        if remedy is not None:
            self.remedy = remedy

    def __str__(self) -> str:
        return ConvertError.__str__(self)

    def __reduce__(self) -> tuple[object, ...]:  # (OSError's arguments are not ours)
        return (type(self), (self.message,), dict(vars(self)))


class InputTooLargeError(InputError):
    """The input is larger than the stated limit."""

    remedy = "max_size"


class IncompletePageError(InputError):
    """Raised when reading strictly (``strict=True``, ``--strict``) a page whose reader
    could not find what a page has (a headline, a body: see
    :attr:`convert.tree.Document.warnings`); the message lists what is missing."""


class ReaderError(InputError):
    """A reader plugin raised (anything but a :class:`ConvertError`) or returned something
    that is not a :class:`~convert.tree.Document`; the reader and its plugin are named."""


class SchemaError(InputError):
    """A JSON document tree that does not follow the published schema."""


class UnsupportedVersionError(SchemaError):
    """A JSON document tree written by a newer, incompatible version of the schema."""


class OutputError(ConvertError):
    """An output cannot be written."""

    exit_code = 4


class OutputExistsError(OutputError):
    """The output file exists and overwriting was not asked for."""

    remedy = "force"


class PluginError(ConvertError):
    """A problem in the plugin machinery."""

    exit_code = 5


class UnknownFormatError(PluginError):
    """No exporter or reader is registered under the name asked for."""


class DuplicateFormatError(PluginError):
    """Two plugins register the same format name."""


class OptionError(ConvertError):
    """An option is unknown for its format or its value has the wrong type."""

    exit_code = 2


class ExportError(ConvertError):
    """An exporter raised while writing; the format and plugin are named."""

    exit_code = 6


class ConvertWarning(UserWarning):
    """Something was read, but not exactly as written: for example a few bytes of an otherwise
    UTF-8 page that are not UTF-8, replaced by U+FFFD. The CLI prints it as one line.
    ``remedy`` names the setting that would help, as :attr:`ConvertError.remedy` does."""

    remedy: str | None = None


class ControlFlow(BaseException):
    """The base of this package's own control-flow signals (stopping a stream early, a
    worker asked to stop). Code that calls a plugin lets these pass, as it lets
    ``KeyboardInterrupt`` pass: they are not the plugin's failure."""
