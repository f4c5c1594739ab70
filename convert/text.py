"""Text that every XML-based output can carry.

XML 1.0 cannot hold C0 control characters (but tab and newline), lone surrogates or
U+FFFE/U+FFFF; HTML and Word also reject DEL, the C1 controls and the Unicode
noncharacters. Every exporter that writes XML passes its text through :func:`xml_text`,
so all formats treat such characters the same way, and none ever crashes on them:

- CR LF and lone CR become LF;
- vertical tab and form feed become a space (editors use them as line separators);
- a lone surrogate becomes U+FFFD (a character was lost: show it, do not hide it);
- every other such character is removed.
"""

from __future__ import annotations

import re

__all__ = ["replace_lone_surrogates", "xml_text"]

_SPECIAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_DROP = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def xml_text(text: str | None) -> str:
    """``text`` made safe for XML, HTML and Word (``""`` for None)."""
    if not text:
        return ""
    if _SPECIAL.search(text) is None:  # the common case: nothing to do
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", " ").replace("\x0c", " ")
    return _SURROGATE.sub("\ufffd", _DROP.sub("", text))


def replace_lone_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (possible only in a tree loaded from JSON that held
    one) replaced by U+FFFD: it is not Unicode text, and most consumers reject it."""
    return _SURROGATE.sub("\ufffd", text)
