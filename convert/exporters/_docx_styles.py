"""The Word styles the docx exporter uses, and their definitions where a template lacks them.

Every paragraph the exporter writes carries a named style, so a user restyles the whole
document in one place. Word's own styles (Title, Subtitle, Heading n, Quote, List Bullet...)
come from the template (python-docx's default one, or the user's ``reference_doc``); the
definitions below are used only when the template lacks one. The custom styles (Kicker,
Byline, Credit...) are added unless the template already defines a style of that name, in
which case the template's wins.

A definition is ``(type, name, based_on, properties)``: ``properties`` is the inner XML of
the style after its name (``w:next``, ``w:pPr``, ``w:rPr``... in schema order).
"""

from __future__ import annotations

# -- custom styles: what Word lacks ---------------------------------------------------------

KICKER = "Kicker"
BYLINE = "Byline"
IMAGE_DESCRIPTION = "Image Description"
CAPTION = "Image Caption"
CREDIT = "Credit"
BIO_HEADING = "Bio Heading"
AUTHOR_NAME = "Author Name"
AUTHOR_BIO = "Author Bio"
TEASER_LABEL = "Teaser Label"
TEASER_TEXT = "Teaser Text"
EXCERPT_NOTE = "Excerpt Note"
SIGNOFF = "Signoff"
HYPERLINK = "Hyperlink"

# -- Word's built-in styles, by their internal names (python-docx shows some capitalised) ---

NORMAL = "Normal"
TITLE = "Title"
SUBTITLE = "Subtitle"
QUOTE = "Quote"
TOC_HEADING = "TOC Heading"
TOC_1 = "toc 1"
TOC_2 = "toc 2"


def heading(level: int) -> str:
    return f"heading {level}"


def list_style(ordered: bool, depth: int) -> str:
    """``List Bullet``/``List Number`` for depth 1, ``... 2`` and ``... 3`` below it."""
    base = "List Number" if ordered else "List Bullet"
    return base if depth <= 1 else f"{base} {min(depth, 3)}"


def list_continue_style(depth: int) -> str:
    return "List Continue" if depth <= 1 else f"List Continue {min(depth, 3)}"


ACCENT = "1F4E79"
GREY = "595959"

_KEEP = "<w:keepNext/>"

CUSTOM: tuple[tuple[str, str, str | None, str], ...] = (
    (
        "paragraph",
        KICKER,
        NORMAL,
        f'<w:next w:val="Normal"/><w:uiPriority w:val="20"/><w:qFormat/>'
        f'<w:pPr>{_KEEP}<w:spacing w:before="0" w:after="40"/></w:pPr>'
        f'<w:rPr><w:b/><w:caps/><w:color w:val="{ACCENT}"/><w:spacing w:val="20"/>'
        f'<w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>',
    ),
    (
        "paragraph",
        BYLINE,
        NORMAL,
        f'<w:next w:val="Normal"/><w:uiPriority w:val="20"/><w:qFormat/>'
        f'<w:pPr>{_KEEP}<w:spacing w:before="0" w:after="240"/></w:pPr>'
        f'<w:rPr><w:color w:val="{GREY}"/><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>',
    ),
    (
        "paragraph",
        IMAGE_DESCRIPTION,
        NORMAL,
        f'<w:next w:val="Normal"/><w:uiPriority w:val="20"/><w:qFormat/>'
        f"<w:pPr>{_KEEP}"
        f'<w:pBdr><w:left w:val="single" w:sz="18" w:space="8" w:color="BFBFBF"/></w:pBdr>'
        f'<w:spacing w:before="240" w:after="60"/><w:ind w:left="200"/></w:pPr>'
        f'<w:rPr><w:i/><w:color w:val="{GREY}"/><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>',
    ),
    (
        "paragraph",
        CAPTION,
        NORMAL,
        f'<w:next w:val="Normal"/><w:uiPriority w:val="20"/><w:qFormat/>'
        f'<w:pPr><w:spacing w:before="0" w:after="40"/></w:pPr>'
        f'<w:rPr><w:color w:val="{GREY}"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>',
    ),
    (
        "paragraph",
        CREDIT,
        CAPTION,
        f'<w:next w:val="Normal"/><w:uiPriority w:val="20"/><w:qFormat/>'
        f'<w:pPr><w:spacing w:before="0" w:after="240"/></w:pPr>'
        f'<w:rPr><w:b w:val="0"/><w:i w:val="0"/><w:color w:val="{GREY}"/>'
        f'<w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>',
    ),
    (
        "paragraph",
        TEASER_LABEL,
        NORMAL,
        f'<w:next w:val="Normal"/><w:uiPriority w:val="20"/><w:qFormat/>'
        f"<w:pPr>{_KEEP}"
        f'<w:pBdr><w:top w:val="single" w:sz="8" w:space="6" w:color="{ACCENT}"/></w:pBdr>'
        f'<w:spacing w:before="480" w:after="120"/></w:pPr>'
        f'<w:rPr><w:b/><w:caps/><w:color w:val="{ACCENT}"/><w:spacing w:val="20"/>'
        f'<w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>',
    ),
    (
        "paragraph",
        TEASER_TEXT,
        NORMAL,
        '<w:uiPriority w:val="20"/><w:qFormat/><w:rPr><w:color w:val="262626"/></w:rPr>',
    ),
    (
        "paragraph",
        EXCERPT_NOTE,
        NORMAL,
        f'<w:next w:val="Normal"/><w:uiPriority w:val="20"/><w:qFormat/>'
        f'<w:pPr><w:spacing w:before="120" w:after="240"/></w:pPr>'
        f'<w:rPr><w:i/><w:color w:val="{GREY}"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>',
    ),
    (
        "paragraph",
        BIO_HEADING,
        NORMAL,
        f'<w:next w:val="Normal"/><w:uiPriority w:val="20"/><w:qFormat/>'
        f'<w:pPr>{_KEEP}<w:pBdr><w:top w:val="single" w:sz="4" w:space="6" w:color="BFBFBF"/></w:pBdr>'
        f'<w:spacing w:before="360" w:after="60"/></w:pPr>'
        f'<w:rPr><w:b/><w:caps/><w:color w:val="{GREY}"/><w:spacing w:val="20"/>'
        f'<w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>',
    ),
    (
        "paragraph",
        AUTHOR_NAME,
        NORMAL,
        f'<w:next w:val="Normal"/><w:uiPriority w:val="20"/><w:qFormat/>'
        f'<w:pPr>{_KEEP}<w:spacing w:before="60" w:after="0"/></w:pPr>'
        f'<w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>',
    ),
    (
        "paragraph",
        AUTHOR_BIO,
        NORMAL,
        '<w:uiPriority w:val="20"/><w:qFormat/>'
        '<w:pPr><w:keepLines/><w:spacing w:before="60" w:after="120"/></w:pPr>'
        '<w:rPr><w:i/><w:color w:val="404040"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>',
    ),
    (
        "paragraph",
        SIGNOFF,
        NORMAL,
        '<w:uiPriority w:val="20"/><w:qFormat/><w:pPr><w:spacing w:before="120"/></w:pPr><w:rPr><w:i/></w:rPr>',
    ),
    (
        "character",
        HYPERLINK,
        "Default Paragraph Font",
        '<w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr>',
    ),
    (
        "paragraph",
        TOC_1,
        NORMAL,
        '<w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/>'
        '<w:pPr><w:spacing w:before="160" w:after="60"/></w:pPr><w:rPr><w:b/></w:rPr>',
    ),
    (
        "paragraph",
        TOC_2,
        NORMAL,
        '<w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/>'
        '<w:pPr><w:spacing w:after="60"/><w:ind w:left="440"/></w:pPr>',
    ),
)


def _heading_fallback(level: int) -> tuple[str, str, str | None, str]:
    size = {1: 32, 2: 26, 3: 24}.get(level, 22)
    return (
        "paragraph",
        heading(level),
        NORMAL,
        f'<w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/>'
        f'<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="80"/>'
        f'<w:outlineLvl w:val="{level - 1}"/></w:pPr>'
        f'<w:rPr><w:b/><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>',
    )


def _list_fallback(name: str, depth: int) -> tuple[str, str, str | None, str]:
    return (
        "paragraph",
        name,
        NORMAL,
        f'<w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
        f'<w:pPr><w:spacing w:after="60"/><w:ind w:left="{360 * depth}" w:hanging="360"/>'
        f"<w:contextualSpacing/></w:pPr>",
    )


#: Word's built-in styles, defined only when the template lacks them (a reference_doc made
#: by another program may).
BUILTIN: tuple[tuple[str, str, str | None, str], ...] = (
    ("paragraph", NORMAL, None, '<w:qFormat/><w:pPr><w:spacing w:after="160"/></w:pPr>'),
    (
        "paragraph",
        TITLE,
        NORMAL,
        '<w:next w:val="Normal"/><w:uiPriority w:val="10"/><w:qFormat/>'
        '<w:pPr><w:keepNext/><w:spacing w:after="160"/><w:contextualSpacing/><w:outlineLvl w:val="0"/></w:pPr>'
        '<w:rPr><w:sz w:val="52"/><w:szCs w:val="52"/></w:rPr>',
    ),
    (
        "paragraph",
        SUBTITLE,
        NORMAL,
        '<w:next w:val="Normal"/><w:uiPriority w:val="11"/><w:qFormat/><w:pPr><w:keepNext/></w:pPr>'
        '<w:rPr><w:i/><w:color w:val="595959"/><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr>',
    ),
    *(_heading_fallback(level) for level in range(1, 7)),
    (
        "paragraph",
        QUOTE,
        NORMAL,
        '<w:next w:val="Normal"/><w:uiPriority w:val="29"/><w:qFormat/>'
        '<w:pPr><w:ind w:left="720" w:right="720"/></w:pPr><w:rPr><w:i/></w:rPr>',
    ),
    (
        "paragraph",
        TOC_HEADING,
        heading(1),
        '<w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/><w:qFormat/>'
        '<w:pPr><w:outlineLvl w:val="9"/></w:pPr>',
    ),
    *(_list_fallback(list_style(ordered, depth), depth) for ordered in (False, True) for depth in (1, 2, 3)),
    *(
        (
            "paragraph",
            list_continue_style(depth),
            NORMAL,
            f'<w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
            f'<w:pPr><w:spacing w:after="60"/><w:ind w:left="{360 * depth}"/><w:contextualSpacing/></w:pPr>',
        )
        for depth in (1, 2, 3)
    ),
)


#: Paragraph properties the exporter needs on Word's own styles, added to a template's
#: definition when it lacks them: the headline keeps with what follows and is in the outline
#: (Word's navigation pane), and so does the dek.
REQUIRED: tuple[tuple[str, tuple[tuple[str, str | None], ...]], ...] = (
    (TITLE, (("w:keepNext", None), ("w:outlineLvl", "0"))),
    (SUBTITLE, (("w:keepNext", None),)),
)
