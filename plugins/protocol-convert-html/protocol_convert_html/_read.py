"""A saved HTML page's bytes → the document tree (see the package's documentation)."""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import urlsplit

from convert.errors import EmptyInputError, InputError
from convert.tree import Article, Document, Source

from ._decode import decode_html
from ._meta import PageMeta, absolute, page_meta, saved_from

__all__ = ["is_protocol", "parse_html"]

READER = "html"
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def is_protocol(meta: PageMeta, url: str | None) -> bool:
    """A page of protocol.com: by its site name, its publisher, or its address."""
    if (meta.site or "").strip().casefold() == "protocol":
        return True
    host = (urlsplit(url).hostname or "") if url else ""
    return host == "protocol.com" or host.endswith(".protocol.com")


def parse_html(
    data: bytes,
    *,
    name: str | None,
    encoding: str | None = None,
    max_size: int | None = None,
    charset: str | None = None,
    url: str | None = None,
    captured: str | None = None,
    payload_digest: str | None = None,
    reader: str = READER,
) -> Document:
    """The tree of one HTML page. ``charset`` is the HTTP ``Content-Type``'s, ``url`` the
    address the page was captured from, ``captured`` when and ``payload_digest`` its
    digest, as a web archive records them (a saved page's own "saved from" note gives the
    first two when they are not given)."""
    import lxml.etree
    import lxml.html

    text = decode_html(data, name=name, encoding=encoding, charset=charset, max_size=max_size)
    try:
        # an XHTML page's XML declaration names an encoding: the text is decoded already
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1))
    except (lxml.etree.ParserError, ValueError) as error:
        raise EmptyInputError(f"holds no HTML that can be read ({error})", path=name) from None
    body = root.find("body")
    if body is None:
        body = root
    saved_url, saved_when = saved_from(re.findall(r"<!--(.*?)-->", text[:4096], re.DOTALL))
    page_url = url or saved_url
    tags: dict[str, list[str]] = {}
    for tag in root.iter("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        if key and tag.get("content") is not None:
            tags.setdefault(key, []).append(tag.get("content"))
    json_ld = [s.text or "" for s in root.iter("script") if (s.get("type") or "").strip().lower() ==
               "application/ld+json"]
    canonical = next((link.get("href") for link in root.iter("link")
                      if "canonical" in (link.get("rel") or "").lower().split() and link.get("href")), None)
    base_tag = next((b.get("href") for b in root.iter("base") if b.get("href")), None)
    base = absolute(base_tag, page_url) or page_url
    meta = page_meta(tags, json_ld, absolute(canonical, base))
    base = base or absolute(meta.url, None)
    page_url = absolute(page_url, None)

    articles: list[Article]
    if is_protocol(meta, meta.url or page_url):
        from ._news import NewsExtractor

        articles, chrome = NewsExtractor(body, meta, base, page_url).run()
    else:
        from ._general import general_story

        article, chrome = general_story(text, body, meta, base, page_url)
        articles = [article]
    articles = _unique_ids([a for a in articles if _has_content(a)])
    if not articles:
        raise InputError("holds no text to read (an empty page?)", path=name)
    source = Source(name, hashlib.sha256(data).hexdigest(), reader, url=page_url,
                    captured=captured or saved_when, payload_digest=payload_digest)
    return Document(source, tuple(articles), tuple(chrome))


def _has_content(article: Article) -> bool:
    return bool(article.title or article.dek or article.body or article.image or article.authors)


def _unique_ids(articles: list[Article]) -> list[Article]:
    """Two stories of one page with the same id: the later get ``-2``, ``-3``..."""
    import dataclasses

    seen: dict[str, int] = {}
    out = []
    for article in articles:
        seen[article.id] = seen.get(article.id, 0) + 1
        count = seen[article.id]
        out.append(article if count == 1 else dataclasses.replace(article, id=f"{article.id}-{count}"))
    return out


def read_html(data: bytes, name: str | None, options: dict[str, Any]) -> Document:
    """The ``html`` reader: a saved page's bytes → its tree."""
    return parse_html(data, name=name, encoding=options.get("encoding"), max_size=options.get("max_size"))
