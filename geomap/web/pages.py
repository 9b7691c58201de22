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

from geomap.web.cleanup import is_boilerplate_line

__all__ = ["Page", "extract_page"]

# Elements that never hold article text; trafilatura drops most of them itself, but
# not <template> (inert markup a browser never shows) nor everything hidden.
_NEVER_TEXT = ("script", "style", "noscript", "template", "iframe", "svg", "math", "object", "canvas", "button",
               "select", "textarea", "dialog")
_BOILERPLATE = ("nav", "aside", "footer", "header", "form")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BLOCKS = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dd", "dt", "blockquote", "pre",
                     "section", "article", "main", "figcaption", "tr", "ul", "ol", "table", "body"})
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
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
    from trafilatura.metadata import extract_metadata

    tree = _parse(html)
    if tree is None:
        return Page(text="", title=None, published=None, url=url)
    _drop_invisible(tree)
    meta = extract_metadata(_copy(tree), default_url=url, date_config={"extensive_search": False, "original_date": True})
    # trafilatura drops <time> elements with their text ("on <time>Monday</time> night"):
    # for the main text they are just words of the sentence (the date came from them above).
    text_tree = _copy(tree)
    for element in list(text_tree.iter("time")):
        element.drop_tag()
    def extract(tree: lxml.html.HtmlElement, *, favor_precision: bool):
        return trafilatura.bare_extraction(tree, url=url, include_comments=False, include_tables=False,
                                           with_metadata=False, favor_precision=favor_precision)

    doc = extract(_copy(text_tree), favor_precision=True)
    found = _paragraphs(doc)
    if sum(map(len, found)) < _MIN_TEXT:
        # Balanced mode also keeps more of the page's furniture: only worth it when
        # precision mode missed most of what it finds (old table layouts).
        balanced = _paragraphs(extract(_copy(text_tree), favor_precision=False))
        if sum(map(len, balanced)) > 2 * sum(map(len, found)):
            found = balanced
    if sum(map(len, found)) < _MIN_TEXT:
        # On a small page trafilatura may run its blocks together; the visible text
        # with the same words keeps them apart.
        visible = _visible_text(_copy(text_tree))
        if not found or " ".join(visible).split() == " ".join(found).split():
            found = visible
    paragraphs = []
    for paragraph in found:
        kept = "\n".join(line for line in paragraph.split("\n") if not is_boilerplate_line(line))
        if kept:
            paragraphs.append(kept)
    return Page(
        text="\n\n".join(paragraphs),
        title=(meta.title if meta is not None else None) or _title_tag(tree),
        published=_date(meta.date if meta is not None else None),
        url=_absolute(meta.url if meta is not None else None) or url,
    )


def _paragraphs(doc) -> list[str]:
    """The paragraphs of trafilatura's result: each block of its body (a list: each item),
    spaces collapsed, ``<lb/>`` a line break."""
    if doc is None or doc.body is None:
        return []
    blocks: list[lxml.etree._Element] = []
    for element in doc.body:
        if element.tag == "list":
            blocks.extend(item for item in element.iter("item"))
        else:
            blocks.append(element)
    found = []
    for block in blocks:
        text = _text_with_breaks(block)
        lines = [" ".join(line.split()) for line in text.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            found.append(paragraph)
    return found


def _text_with_breaks(element: lxml.etree._Element) -> str:
    pieces: list[str] = []

    def walk(node: lxml.etree._Element) -> None:
        if node.tag == "lb":
            pieces.append("\n")
        # A source line break inside a paragraph is a space, not a break.
        pieces.append((node.text or "").replace("\n", " "))
        for child in node:
            if child.tag != "list":  # a nested list is listed on its own
                walk(child)
            pieces.append((child.tail or "").replace("\n", " "))

    walk(element)
    return "".join(pieces)


def _parse(markup: str | bytes) -> lxml.html.HtmlElement | None:
    if isinstance(markup, bytes):
        declared = _CHARSET.search(markup[:4096])
        encoding = declared.group(1).decode("ascii", "replace") if declared else "utf-8"
        try:
            html = markup.decode(encoding, errors="replace")
        except LookupError:
            html = markup.decode("utf-8", errors="replace")
    else:
        html = markup
    # Control characters are not text (and lxml refuses them in a tree it edits).
    html = _CONTROL.sub("", html)
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):  # "Document is empty"; a str with an XML declaration
        try:
            return lxml.html.document_fromstring(html.encode("utf-8"))
        except (lxml.etree.ParserError, ValueError):
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


def _visible_text(tree: lxml.html.HtmlElement) -> list[str]:
    """Every visible text of a page outside menus, asides, headers and footers, a paragraph per block."""
    body = tree.find("body")
    if body is None:
        return []
    for element in list(body.iter(*_BOILERPLATE)):
        if element.getparent() is not None:
            element.drop_tree()
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        lines = [" ".join(line.split()) for line in "".join(current).split("\n")]
        if any(lines):
            paragraphs.append("\n".join(line for line in lines if line))
        current.clear()

    def walk(element: lxml.html.HtmlElement) -> None:
        block = element.tag in _BLOCKS
        if block:
            flush()
        if element.tag == "br":
            current.append("\n")
        current.append((element.text or "").replace("\n", " "))  # a source line break is a space
        for child in element:
            if isinstance(child.tag, str):
                walk(child)
            current.append((child.tail or "").replace("\n", " "))
        if block:
            flush()

    walk(body)
    flush()
    return paragraphs


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
