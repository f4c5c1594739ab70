"""An HTML page's bytes → its text, the way a browser decides the encoding.

In order: the encoding the user gave (``--encoding``); a byte-order mark; the charset of the
HTTP ``Content-Type`` (a web archive's record gives it); a ``<meta charset>`` (or
``http-equiv``) in the first 4 KB; UTF-8 when the bytes are valid UTF-8; else windows-1252,
as browsers read an unlabelled page (the five bytes it leaves undefined become the C1
control characters, as the WHATWG Encoding Standard maps them). A declared charset that is
unknown, or that the bytes do not follow, is passed over for the next rule: a page is never
refused for a wrong label.

Statistical detection (charset-normalizer) is not used: on the short, mostly-ASCII text of
an English page it guesses code pages such as cp775 or cp852 for plain windows-1252.
"""

from __future__ import annotations

import codecs
import re

from convert.errors import DecodingError, EmptyInputError, InputTooLargeError, NotTextError

__all__ = ["declared_charset", "decode_html"]

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
#: labels that mean windows-1252 to a browser (the WHATWG Encoding Standard)
_WINDOWS_1252 = {"ascii", "us-ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "cp819",
                 "windows-1252", "cp1252", "x-cp1252"}
_MAGIC = {
    b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
    b"%PDF-": "a PDF file", b"PK\x03\x04": "a zip archive", b"\x1f\x8b": "a gzip file",
}


def _c1_controls(error: UnicodeError) -> tuple[str, int]:
    """Bytes windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) → U+0081..."""
    assert isinstance(error, UnicodeDecodeError)
    return "".join(chr(b) for b in error.object[error.start:error.end]), error.end


codecs.register_error("protocol_convert_html_c1", _c1_controls)


def declared_charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a ``Content-Type`` value, if any."""
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def _codec(label: str | None) -> str | None:
    """The Python codec for an encoding label, or ``None`` for an unknown one."""
    if not label:
        return None
    label = label.strip().lower()
    if label in _WINDOWS_1252:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes, *, name: str | None, encoding: str | None = None, charset: str | None = None,
                max_size: int | None = None) -> str:
    """The text of an HTML page's bytes (see the module's rules). Refuses, with an error
    naming the input, what is too large, empty, or not text at all."""
    if max_size is not None and len(data) > max_size:
        raise InputTooLargeError(f"is {len(data):,} bytes, over the {max_size:,}-byte limit", path=name)
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise NotTextError(f"not an HTML page: looks like {what}", path=name)
    text = _decode(data, name, encoding, charset)
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise NotTextError("not an HTML page: it holds NUL bytes (binary data?)", path=name)
    if not text.strip():
        raise EmptyInputError("is empty" if not text else "holds only white space", path=name)
    return text


def _decode(data: bytes, name: str | None, encoding: str | None, charset: str | None) -> str:
    if encoding:
        codec = _codec(encoding)
        if codec is None:
            raise DecodingError(f"unknown encoding {encoding!r}", path=name)
        try:
            return data.decode(codec)
        except UnicodeDecodeError as exc:
            raise DecodingError(f"not valid {encoding}: {exc.reason} at byte {exc.start}", path=name) from None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    meta = _META_CHARSET.search(data[:4096])
    for label in (charset, meta.group(1).decode("ascii") if meta else None):
        codec = _codec(label)
        if codec is None or codec.startswith("utf-16"):  # a UTF-16 label on bytes without a BOM lies
            continue
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="protocol_convert_html_c1")
