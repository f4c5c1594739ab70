"""Web archives built for the tests with warcio's own writer, and damaged on purpose."""

from __future__ import annotations

import gzip
import io
import re
import zlib
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


def protocol_page(slug: str, section: str, title: str, paragraphs: list[str], *, date: str,
                  author: str = "Rae Okafor", charset: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head>{meta}<title>{title} - Protocol</title>
<link rel="canonical" href="https://www.protocol.com/{slug}">
<meta property="og:site_name" content="Protocol"><meta property="og:type" content="article">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "{title}", "datePublished": "{date}T08:00:00-05:00", "articleSection": "{section}",
 "author": [{{"@type": "Person", "name": "{author}", "sameAs": "https://twitter.com/{author.split()[0].lower()}"}}]}}
</script></head><body><nav><a href="/">Protocol</a></nav><main><article>
<header><a class="post-section" href="/{section.lower()}">{section}</a><h1>{title}</h1></header>
<div class="post-body">{body}</div></article></main><footer>Latest Stories</footer></body></html>"""


FIRST = protocol_page(
    "fintech/stablecoin-rules", "Fintech", "Stablecoin rules arrive before the stablecoins do",
    ["Lawmakers agreed on reserve requirements for dollar-backed tokens on Tuesday, months before most of "
     "the issuers they describe have launched a product.",
     "The first draft of the rules was <a href=\"/fintech/draft\">published in March</a>."],
    date="2022-03-01")
FIRST_LATER = FIRST.replace("on Tuesday", "on Tuesday night")
SECOND = protocol_page(
    "climate/data-center-water", "Climate", "Data centers are thirsty, and towns are noticing",
    ["A single hyperscale campus can use as much water in a summer week as a town of ten thousand people, "
     "and the companies building them rarely say how much."],
    date="2022-04-12", author="Jonah Park")
LATIN = protocol_page(
    "policy/caf\u00e9-tax", "Policy", "Why the caf\u00e9 tax failed",
    ["The so-called caf\u00e9 tax \u2014 a levy on \u201cdigital services\u201d \u2014 died in committee."],
    date="2022-05-02", charset=None)


LAST = protocol_page(
    "fintech/last-word", "Fintech", "The last word on interchange fees",
    ["Card networks and merchants have argued about the fee on every swipe for twenty years, and the new bill "
     "settles almost none of it."],
    date="2022-05-20")
LIAR = protocol_page(
    "enterprise/liar", "Enterprise", "A page whose record lies about its length",
    ["This page is stored in a record whose Content-Length header is wrong, so it cannot be trusted."],
    date="2022-05-21")


class Archive:
    """A WARC being written, record by record; ``bytes`` is the file so far."""

    def __init__(self, *, gzip: bool = True) -> None:
        self.buffer = io.BytesIO()
        self.writer = WARCWriter(self.buffer, gzip=gzip)
        self.gzip = gzip

    def record_bytes(self, build) -> bytes:
        """The bytes of one record, written alone (to damage it before it is added)."""
        scratch = io.BytesIO()
        writer = WARCWriter(scratch, gzip=self.gzip)
        build(writer)
        return scratch.getvalue()

    def add(self, build) -> int:
        offset = self.buffer.tell()
        self.buffer.write(self.record_bytes(build))
        return offset

    def add_raw(self, data: bytes) -> int:
        offset = self.buffer.tell()
        self.buffer.write(data)
        return offset

    @property
    def bytes(self) -> bytes:
        return self.buffer.getvalue()

    def save(self, path: Path) -> Path:
        path.write_bytes(self.bytes)
        return path


def warcinfo(writer: WARCWriter) -> None:
    writer.write_record(writer.create_warcinfo_record("crawl.warc.gz", {"software": "tests", "format": "WARC 1.0"}))


def response(url: str, body: bytes | str, *, date: str, content_type: str = "text/html; charset=utf-8",
             status: str = "200 OK", headers: tuple[tuple[str, str], ...] = (), encode: str = "utf-8"):
    payload = body.encode(encode) if isinstance(body, str) else body

    def build(writer: WARCWriter) -> None:
        http = StatusAndHeaders(status, [("Content-Type", content_type), *headers] if content_type else list(headers),
                                protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload), length=len(payload),
                                                      http_headers=http, warc_headers_dict={"WARC-Date": date}))
    return build


def request(url: str, *, date: str):
    def build(writer: WARCWriter) -> None:
        path = re.sub(r"^https?://[^/]+", "", url) or "/"
        data = f"GET {path} HTTP/1.1\r\nHost: www.protocol.com\r\n\r\n".encode()
        writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(data), length=len(data),
                                                      warc_headers_dict={"WARC-Date": date}))
    return build


def revisit(url: str, digest: str, *, date: str):
    def build(writer: WARCWriter) -> None:
        writer.write_record(writer.create_revisit_record(url, digest=digest, refers_to_uri=url,
                                                         refers_to_date="2022-03-01T10:00:00Z",
                                                         warc_headers_dict={"WARC-Date": date}))
    return build


def gzip_encoded(text: str) -> bytes:
    return gzip.compress(text.encode("utf-8"), mtime=0)


def crawl(*, gzip: bool = True) -> tuple[Archive, dict[str, int]]:
    """A small crawl of protocol.com: two pages (the first captured twice), their requests, a
    revisit, a redirect, a PDF, a 404, a gzip-encoded response, a warcinfo record."""
    archive = Archive(gzip=gzip)
    at: dict[str, int] = {}
    archive.add(warcinfo)
    first = "https://www.protocol.com/fintech/stablecoin-rules"
    second = "https://www.protocol.com/climate/data-center-water"
    archive.add(request(first, date="2022-03-01T10:00:00Z"))
    at["first"] = archive.add(response(first, FIRST, date="2022-03-01T10:00:00Z"))
    archive.add(request(second, date="2022-04-13T09:00:00Z"))
    at["second"] = archive.add(response(second, gzip_encoded(SECOND), date="2022-04-13T09:00:00Z",
                                        headers=(("Content-Encoding", "gzip"),)))
    archive.add(revisit(second, "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", date="2022-05-01T09:00:00Z"))
    archive.add(response("https://protocol.com/fintech/stablecoin-rules", b"", date="2022-03-01T10:00:01Z",
                         status="301 Moved Permanently", content_type="text/html",
                         headers=(("Location", first),)))
    archive.add(response("https://www.protocol.com/media/report.pdf", b"%PDF-1.4\n%fake\n", date="2022-03-01T10:00:02Z",
                         content_type="application/pdf"))
    archive.add(response("https://www.protocol.com/missing", "<html><body>Not found</body></html>",
                         date="2022-03-01T10:00:03Z", status="404 Not Found"))
    archive.add(request(first, date="2022-06-01T10:00:00Z"))
    at["first_later"] = archive.add(response(first + "?utm_source=newsletter", FIRST_LATER,
                                             date="2022-06-01T10:00:00Z"))
    return archive, at


def truncated(record: bytes) -> bytes:
    """A record cut in the middle (of its gzip member, when it is gzipped)."""
    return record[: len(record) // 2]


def with_declared_length(record: bytes, length: int) -> bytes:
    """The record with its Content-Length replaced by ``length`` (a lie)."""
    gzipped = record.startswith(b"\x1f\x8b")
    raw = zlib.decompress(record, 16 + zlib.MAX_WBITS) if gzipped else record
    raw = re.sub(rb"Content-Length: \d+", b"Content-Length: %d" % length, raw, count=1)
    return gzip.compress(raw, mtime=0) if gzipped else raw
