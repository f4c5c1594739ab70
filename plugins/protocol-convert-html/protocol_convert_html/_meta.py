"""What a page says about itself, before its visible text: schema.org JSON-LD, OpenGraph and
``article:*`` meta tags, the canonical link, and the "saved from" notes that browsers and
SingleFile leave in a saved page.

Each source is read into a :class:`PageMeta`; :func:`page_meta` merges them in order of
trust (JSON-LD, then meta tags). The visible markup comes last, in the extractors.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from convert.tree import Author

__all__ = ["PageMeta", "absolute", "canonical_url", "handle_from_url", "iso_day", "page_meta", "saved_from"]

ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
                 "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "report", "techarticle"}


@dataclass
class PageMeta:
    """What the page's metadata says; ``None`` (or empty) for what it does not."""

    title: str | None = None
    dek: str | None = None
    section: str | None = None
    date: str | None = None
    authors: list[Author] = field(default_factory=list)
    url: str | None = None
    image_alt: str | None = None
    image_caption: str | None = None
    image_credit: str | None = None
    site: str | None = None
    #: the page declares itself an article (JSON-LD Article type, or og:type article)
    is_article: bool = False


def iso_day(value: Any) -> str | None:
    """``YYYY-MM-DD`` from an ISO 8601 date or date-time as written (the day in the page's
    own time zone), or from ``February 24, 2022``; ``None`` for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    if match:
        try:
            return dt.date(*map(int, match.groups())).isoformat()
        except ValueError:
            return None
    for form in ("%B %d, %Y", "%b %d, %Y", "%b. %d, %Y"):
        try:
            return dt.datetime.strptime(text, form).date().isoformat()
        except ValueError:
            continue
    return None


def handle_from_url(url: str) -> str | None:
    """``@name`` for a Twitter (or X) profile URL."""
    match = re.match(r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?:#!/)?@?([A-Za-z0-9_]{1,15})/?$", url.strip())
    return f"@{match.group(1)}" if match and match.group(1).lower() not in {"intent", "share", "home"} else None


def absolute(url: str | None, base: str | None) -> str | None:
    """``url`` made absolute against ``base`` (kept as written when there is no base); ``None``
    for an empty one or a scheme that is not a web or mail address (``javascript:``...)."""
    if not url or not url.strip():
        return None
    url = url.strip()
    try:
        joined = urljoin(base, url) if base else url
        scheme = urlsplit(joined).scheme.lower()
    except ValueError:  # a malformed address (an unclosed IPv6 bracket...)
        return None
    if scheme in ("http", "https", "mailto"):
        return joined
    return joined if not scheme and not base else None


#: query parameters that only track where a reader came from
_TRACKING = re.compile(r"^(?:utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|cmpid|ref_src)$", re.IGNORECASE)


def canonical_url(url: str | None, base: str | None) -> str | None:
    """A story's address: absolute, without a fragment or tracking parameters (``utm_*``...)."""
    from urllib.parse import parse_qsl, urlencode, urlunsplit

    found = absolute(url, base)
    if not found or found.startswith("mailto:"):
        return found
    parts = urlsplit(found)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@id")
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.split())
    return cleaned or None


def _types(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


def _json_ld_items(blocks: list[str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            items.append(value)
            if "@graph" in value:
                walk(value["@graph"])

    for block in blocks:
        try:
            walk(json.loads(block))
        except (ValueError, RecursionError):
            continue  # a broken block: the other sources still speak
    return items


def _authors(value: Any) -> list[Author]:
    people = value if isinstance(value, list) else [value]
    found: list[Author] = []
    for person in people:
        if isinstance(person, str):
            names = [person]
            links: list[str] = []
        elif isinstance(person, dict):
            names = [_text(person.get("name")) or ""]
            same = person.get("sameAs") or []
            links = [s for s in (same if isinstance(same, list) else [same]) if isinstance(s, str)]
        else:
            continue
        name = " ".join(names[0].split())
        if not name or any(a.name == name for a in found):
            continue
        handle = next((h for h in map(handle_from_url, links) if h), None)
        found.append(Author(name, handle))
    return found


def _from_json_ld(items: list[dict[str, Any]], meta: PageMeta) -> None:
    article = next((i for i in items if _types(i) & ARTICLE_TYPES), None)
    if article is None:
        return
    meta.is_article = True
    meta.title = _text(article.get("headline")) or _text(article.get("name"))
    meta.dek = _text(article.get("alternativeHeadline")) or _text(article.get("description"))
    meta.section = _text(article.get("articleSection"))
    meta.date = iso_day(article.get("datePublished")) or iso_day(article.get("dateCreated"))
    meta.authors = _authors(article.get("author"))
    page = article.get("mainEntityOfPage")
    meta.url = _text(article.get("url")) or (_text(page) if isinstance(page, (str, dict)) else None)
    image = article.get("image")
    if isinstance(image, list):
        image = next((i for i in image if isinstance(i, dict)), None)
    if isinstance(image, dict):
        meta.image_caption = _text(image.get("caption"))
        meta.image_credit = _text(image.get("creditText")) or _text(image.get("copyrightHolder"))
    publisher = article.get("publisher")
    meta.site = _text(publisher) if isinstance(publisher, (dict, str)) else None


def _first(tags: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        for value in tags.get(key, []):
            text = _text(value)
            if text:
                return text
    return None


def _from_meta_tags(tags: dict[str, list[str]], meta: PageMeta) -> None:
    """Fill what JSON-LD left empty from the meta tags."""
    meta.title = meta.title or _first(tags, "og:title", "twitter:title")
    og_article = (_first(tags, "og:type") or "").lower() == "article"
    meta.is_article = meta.is_article or og_article
    if meta.is_article:
        meta.dek = meta.dek or _first(tags, "og:description", "twitter:description", "description")
    meta.section = meta.section or _first(tags, "article:section")
    meta.date = meta.date or next(
        (d for d in map(iso_day, [_first(tags, k) for k in ("article:published_time", "datepublished",
                                                            "pubdate", "dc.date", "date")]) if d), None)
    if not meta.authors:
        names = [n for n in (_text(v) for v in tags.get("author", []) + tags.get("article:author", []))
                 if n and not n.startswith("http")]
        meta.authors = _authors(names)
    meta.url = meta.url or _first(tags, "og:url")
    meta.image_alt = meta.image_alt or _first(tags, "og:image:alt", "twitter:image:alt")
    meta.site = meta.site or _first(tags, "og:site_name", "application-name")


def page_meta(tags: dict[str, list[str]], json_ld: list[str], canonical: str | None) -> PageMeta:
    """The page's metadata: JSON-LD first, then meta tags; the canonical link is the URL."""
    meta = PageMeta()
    _from_json_ld(_json_ld_items(json_ld), meta)
    _from_meta_tags(tags, meta)
    if canonical:
        meta.url = canonical
    return meta


_SAVED_FROM = re.compile(r"saved from url=\(\d+\)(\S+)", re.IGNORECASE)
_SINGLEFILE = re.compile(r"Page saved with SingleFile\s+url:\s*(\S+)\s+saved date:\s*([^\n(]+)", re.IGNORECASE)


def saved_from(comments: list[str]) -> tuple[str | None, str | None]:
    """The URL a saved page came from and when it was saved (ISO 8601 UTC), from the note a
    browser (``saved from url=(0047)https://...``) or SingleFile leaves in a comment."""
    for comment in comments:
        match = _SINGLEFILE.search(comment)
        if match:
            when = None
            try:
                stamp = dt.datetime.strptime(match.group(2).strip(), "%a %b %d %Y %H:%M:%S GMT%z")
                when = stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            except ValueError:
                pass
            return match.group(1), when
        match = _SAVED_FROM.search(comment)
        if match:
            return match.group(1), None
    return None, None
