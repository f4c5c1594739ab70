"""What a reader is shown: one format-neutral view of one page or of a collection.

Every exporter that shows stories to a person (EPUB, DOCX, RSS, Atom, and the JSON Feed and
Markdown extras) renders this view instead of deciding on its own, so they all agree. The
JSON exporters write the tree itself. :func:`present` makes the decisions, once:

- **Which stories, in which order.** Stories are merged with
  :func:`convert.collection.build_collection` (one item per story id, the full story over its
  teasers). One page: its main stories, then the others as the page shows them. A
  collection: section by section (sections in the order of their first main story, stories
  without a section last).
- **Titles are never invented.** :attr:`Item.title` is the headline or ``None``;
  :attr:`Item.label` is what a heading or a list shows: the headline, else ``Untitled
  excerpt`` / ``Untitled story`` / ``Sponsored by <sponsor>`` (a label, not the story's words).
- **Section** names are canonical (:func:`convert.collection.section_name`): ``Protocol
  Fintech`` and ``Fintech`` are one section.
- **Kind**: a teaser is an ``Excerpt``; a sponsor's blurb is ``Sponsored by <sponsor>``, which
  names the sponsor once (no byline, no "about the sponsor" heading).
- **Lead image**: its alt is shown as a description only when it describes something (not
  blank, not the headline again, not the caption again); caption and credit are shown as
  they are; an image with nothing left to show is no image.
- **Body**: a heading or paragraph at the top that repeats the headline is dropped.
- **About the author**: each bio once, with the author's name before it only when the bio
  does not start with that name.
- **Links**: the story's own URL when the tree has one, else one made from ``base_url``.
- **Dates**: see :func:`output_date`.

Only the standard library and :mod:`convert` modules are imported: the view is cheap.
"""

from __future__ import annotations

from ._text import (
    COLLECTED_STORIES,
    EXCERPT,
    EXCERPT_NOTE,
    ITEM_ID_PREFIX,
    LAST_RESORT_DATE,
    MORE_FROM_PROTOCOL,
    PUBLICATION,
    SOURCE_DATE,
    SPONSORED,
    date_range,
    human_date,
    join_names,
    one_line,
    output_date,
    required_date,
    short_url,
    story_day,
)
from ._view import Bio, Item, Picture, Section, View, picture, present, story_url

__all__ = [
    "COLLECTED_STORIES",
    "EXCERPT",
    "EXCERPT_NOTE",
    "ITEM_ID_PREFIX",
    "LAST_RESORT_DATE",
    "MORE_FROM_PROTOCOL",
    "PUBLICATION",
    "SOURCE_DATE",
    "SPONSORED",
    "Bio",
    "Item",
    "Picture",
    "Section",
    "View",
    "date_range",
    "human_date",
    "join_names",
    "one_line",
    "output_date",
    "picture",
    "present",
    "required_date",
    "short_url",
    "story_day",
    "story_url",
]
