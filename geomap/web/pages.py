"""A web page's main text and metadata, by trafilatura.

Real news pages wrap a few paragraphs of article in menus, "Trending" boxes, comments
and "Related:" links whose headlines (battle, fight, storm, hit) the event model must
never see. trafilatura finds the article's own text; ``bench/html_extraction.py``
measured it against readability-lxml and the parser geomap had before on pages of five
layouts (``tests/data/web/``): trafilatura in precision mode leaks none of the 58
boilerplate snippets, readability-lxml leaks 8 (share bars, cookie banners, inline
related links) and the old parser 30.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import lxml.etree
import lxml.html

from geomap.web.cleanup import drop_boilerplate_lines

__all__ = ["Page", "extract_page"]

# Elements that never hold article text; trafilatura drops most of them itself, but
# not <template> (inert markup a browser never shows) nor everything hidden.
_NEVER_TEXT = ("script", "style", "noscript", "template", "iframe", "svg", "math", "object", "canvas", "button",
               "select", "textarea", "dialog")
_BOILERPLATE = ("nav", "aside", "footer", "header", "form")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BLOCKS = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dd", "dt", "blockquote", "pre",
                     "section", "article", "main", "figcaption", "tr", "ul", "ol", "table", "body"})
_SPACES = re.compile(r"[ \t\r\f\v\n]+")
_MIN_TEXT = 200  # characters: below this, precision mode probably missed the article (a table layout)


@dataclass(frozen=True)
class Page:
    """What :func:`extract_page` found: the main text, paragraphs a blank line apart,
    the headline, the publication date and the canonical URL (``None`` when unknown)."""

    text: str
    title: str | None
    published: dt.date | None
    url: str | None


def extract_page(html: str | bytes, *, url: str | None = None) -> Page:
    """The main text, title, publication date and canonical URL of a web page.

    The text is trafilatura's main-text extraction without comments and tables, in
    precision mode; a page where that finds almost nothing (old table layouts) is read
    again in trafilatura's balanced mode, and a fragment too small for either gives its
    visible text. Boilerplate lines left in it (share bars, counters) are dropped.
    The date is the page's own (``article:published_time``, JSON-LD ``datePublished``,
    ``<time>``; never a date guessed from the text), the URL its canonical link or
    ``og:url``, else ``url``.

    Parameters:
        html: the page's markup, decoded or as bytes (then its declared charset is used).
        url: where the page was fetched from, to resolve relative links.

    Example:
        >>> page = extract_page('<html><head><title>Flood | Herald</title></head><body><nav>Battle news</nav>'
        ...                     '<article><h1>Flood</h1><p>Rain flooded Lviv.</p></article></body></html>')
        >>> page.text, page.title
        ('Flood\\n\\nRain flooded Lviv.', 'Flood')
    """
    import trafilatura

    tree = _parse(html)
    if tree is None:
        return Page(text="", title=None, published=None, url=url)
    _drop_invisible(tree)
    options = {"url": url, "include_comments": False, "include_tables": False, "with_metadata": True,
               "date_extraction_params": {"extensive_search": False, "original_date": True}}
    doc = trafilatura.bare_extraction(_copy(tree), favor_precision=True, **options)
    if doc is None or len(doc.text or "") < _MIN_TEXT:
        balanced = trafilatura.bare_extraction(_copy(tree), **options)
        found = len((doc.text or "") if doc is not None else "")
        # Balanced mode also keeps more of the page's furniture: only worth it when
        # precision mode missed most of what it finds.
        if balanced is not None and len(balanced.text or "") > 2 * found:
            doc = balanced
    meta = doc if doc is not None else trafilatura.extract_metadata(_copy(tree), default_url=url)
    text = (doc.text or "") if doc is not None else ""
    if not text.strip():
        text = _visible_text(tree)
    paragraphs = [_SPACES.sub(" ", line).strip() for line in drop_boilerplate_lines(text).split("\n")]
    title = (meta.title or None) if meta is not None else None
    return Page(
        text="\n\n".join(p for p in paragraphs if p),
        title=title or _title_tag(tree),
        published=_date(meta.date if meta is not None else None),
        url=_absolute(meta.url if meta is not None else None) or url,
    )


def _parse(html: str | bytes) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):  # "Document is empty"; a str with an XML declaration
        if isinstance(html, str):
            try:
                return lxml.html.document_fromstring(html.encode("utf-8"))
            except (lxml.etree.ParserError, ValueError):
                return None
        return None


def _copy(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    # trafilatura prunes the tree it is given; each pass gets its own copy.
    return lxml.html.document_fromstring(lxml.html.tostring(tree))


def _drop_invisible(tree: lxml.html.HtmlElement) -> None:
    for element in list(tree.iter(lxml.etree.Element)):
        if element.getparent() is None:
            continue
        if element.tag == "script" and "ld+json" in element.get("type", "").lower():
            continue  # JSON-LD metadata (datePublished), which trafilatura reads
        hidden = (
            element.tag in _NEVER_TEXT
            or "hidden" in element.attrib
            or element.get("aria-hidden", "").lower() == "true"
            or bool(_HIDDEN_STYLE.search(element.get("style", "")))
        )
        if hidden:
            element.drop_tree()


def _visible_text(tree: lxml.html.HtmlElement) -> str:
    """Every visible text of a page outside menus, asides, headers and footers, a line per block."""
    body = tree.find("body")
    if body is None:
        return ""
    for element in list(body.iter(*_BOILERPLATE)):
        if element.getparent() is not None:
            element.drop_tree()
    pieces: list[str] = []

    def walk(element: lxml.html.HtmlElement) -> None:
        block = element.tag in _BLOCKS
        if block:
            pieces.append("\n")
        if element.tag == "br":
            pieces.append("\n")
        pieces.append(element.text or "")
        for child in element:
            if isinstance(child.tag, str):
                walk(child)
            pieces.append(child.tail or "")
        if block:
            pieces.append("\n")

    walk(body)
    return "\n".join(line for line in "".join(pieces).split("\n") if line.strip())


def _title_tag(tree: lxml.html.HtmlElement) -> str | None:
    title = tree.findtext(".//title")
    return _SPACES.sub(" ", title).strip() or None if title else None


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _absolute(url: str | None) -> str | None:
    if url and url.lower().startswith(("http://", "https://")):
        return url
    return None
