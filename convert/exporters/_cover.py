"""The EPUB's generated cover: a JPEG drawn at build time with Pillow and the fonts in ``fonts/``.

A reading system's shelf shows the cover as the book's thumbnail, so it carries what tells one
book from another: the masthead, a kicker (the section, or what a collection holds), the
headline or collection title, and the date. The drawing is deterministic (fixed size,
fonts shipped in the package, no clock), so the same book gives the same bytes. A text with a
character the fonts lack is left off the cover instead of drawn as empty boxes: the cover's
alternative text (:func:`cover_alt`) says everything the picture does.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["CoverText", "cover_alt", "cover_jpeg", "drawable"]

WIDTH, HEIGHT = 1200, 1800
MARGIN = 96
PAPER = (250, 248, 243)
INK = (20, 20, 20)
ACCENT = (31, 78, 121)
MUTED = (90, 90, 90)
BAND = 260


@dataclass(frozen=True, slots=True)
class CoverText:
    """What the cover says, top to bottom."""

    masthead: str
    kicker: str | None
    title: str
    footer: tuple[str, ...] = ()


def cover_alt(text: CoverText) -> str:
    """The cover's alternative text: every line it shows, in reading order."""
    parts = [text.masthead, text.kicker, text.title, *text.footer]
    return ". ".join(p for p in parts if p) or text.masthead


@cache
def _coverage() -> tuple[tuple[int, int], ...]:
    lines = resources.files(__package__).joinpath("fonts/coverage.txt").read_text(encoding="ascii").splitlines()
    ranges = []
    for line in lines:
        if line and not line.startswith("#"):
            first, _, last = line.partition("-")
            ranges.append((int(first, 16), int(last, 16)))
    return tuple(ranges)


def drawable(text: str) -> bool:
    """True when the cover fonts hold every character of ``text``."""
    ranges = _coverage()
    return all(any(a <= ord(c) <= b for a, b in ranges) for c in text if not c.isspace())


@cache
def _font(name: str, size: int):  # type: ignore[no-untyped-def]
    from PIL import ImageFont

    data = resources.files(__package__).joinpath(f"fonts/{name}.ttf").read_bytes()
    return ImageFont.truetype(io.BytesIO(data), size)


def _wrap(draw, text: str, font, width: int) -> list[str]:  # type: ignore[no-untyped-def]
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _fit(draw, text: str, name: str, sizes: range, width: int, max_lines: int):  # type: ignore[no-untyped-def]
    """The largest font size at which ``text`` wraps into ``max_lines`` lines of ``width``."""
    for size in sizes:
        font = _font(name, size)
        lines = _wrap(draw, text, font, width)
        if len(lines) <= max_lines and all(draw.textlength(line, font=font) <= width for line in lines):
            return font, lines
    font = _font(name, sizes[-1])
    lines = _wrap(draw, text, font, width)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".,;:") + "…"
    return font, lines


def _spaced(text: str) -> str:
    return "\u200a".join(text)  # letter-spacing for a line of capitals


@cache
def _base(masthead: str):  # type: ignore[no-untyped-def]
    """The paper and the masthead band, drawn once per process: every cover starts as a copy."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, BAND), fill=INK)
    masthead = masthead.upper()
    if drawable(masthead):
        font, lines = _fit(draw, _spaced(masthead), "DejaVuSans-Bold", range(96, 40, -4), WIDTH - 2 * MARGIN, 1)
        box = draw.textbbox((0, 0), lines[0], font=font)
        draw.text(((WIDTH - (box[2] - box[0])) / 2 - box[0], (BAND - (box[3] - box[1])) / 2 - box[1]),
                  lines[0], font=font, fill=PAPER)
    return image


def cover_jpeg(text: CoverText) -> bytes:
    """The cover as JPEG bytes (1200×1800, the 2:3 shape reading systems expect)."""
    from PIL import ImageDraw

    image = _base(text.masthead).copy()
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN

    y = BAND + 150
    if text.kicker and drawable(text.kicker):
        font, lines = _fit(draw, text.kicker.upper(), "DejaVuSans-Bold", range(52, 28, -2), inner, 2)
        for line in lines:
            draw.text((MARGIN, y), line, font=font, fill=ACCENT)
            y += int(font.size * 1.3)
        y += 24
        draw.rectangle((MARGIN, y, MARGIN + 160, y + 10), fill=ACCENT)
        y += 80

    footer_top = HEIGHT - MARGIN - 70 * len(text.footer)
    if drawable(text.title):
        room = footer_top - y - 60
        font, lines = _fit(draw, text.title, "DejaVuSerif-Bold", range(120, 44, -4), inner, 8)
        step = int(font.size * 1.18)
        while len(lines) * step > room and font.size > 44:
            font, lines = _fit(draw, text.title, "DejaVuSerif-Bold", range(font.size - 4, 40, -4), inner, 8)
            step = int(font.size * 1.18)
        for line in lines:
            draw.text((MARGIN, y), line, font=font, fill=INK)
            y += step

    if text.footer:
        draw.line((MARGIN, footer_top - 30, WIDTH - MARGIN, footer_top - 30), fill=MUTED, width=3)
        y = footer_top
        for line in text.footer:
            if drawable(line):
                font, lines = _fit(draw, line, "DejaVuSans", range(44, 24, -2), inner, 1)
                draw.text((MARGIN, y), lines[0], font=font, fill=MUTED)
            y += 70

    out = io.BytesIO()
    # JPEG: a tenth of PNG's encoding time for a cover this size; no EXIF or timestamps, so
    # the bytes depend on the drawing alone. 4:2:0 chroma halves the encoding time of 4:4:4
    # (about 4 ms against 8 here); the only coloured text is the kicker, 28-52 px bold,
    # whose edges it leaves sharp at this size
    _save_jpeg(image, out, quality=90, subsampling=2, optimize=False)
    return out.getvalue()


def _save_jpeg(image, out: io.BytesIO, **settings: object) -> None:  # type: ignore[no-untyped-def]
    """``image.save(out, "JPEG", **settings)`` without what ``save`` does first: import
    Pillow's BMP, GIF, PNG and PPM plugins as well (5 ms of a cold process's time). The
    JPEG plugin registers its writer in Pillow's ``SAVE`` table, which ``save`` itself
    looks the handler up in."""
    from PIL import Image, JpegImagePlugin  # noqa: F401  (registers the JPEG writer)

    handler = Image.SAVE.get("JPEG")
    if handler is None:  # pragma: no cover - a Pillow without the table: the ordinary way
        image.save(out, "JPEG", **settings)
        return
    image.encoderinfo, image.encoderconfig = dict(settings), ()
    try:
        handler(image, out, "")
    finally:
        del image.encoderinfo, image.encoderconfig
