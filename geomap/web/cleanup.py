"""Boilerplate lines that pages saved as text carry: dropped before extraction.

A page copied or scraped to a ``.txt`` file keeps the site's furniture as lines of their
own: "Link to main version", a view counter ("489"), share buttons ("Share | Tweet |
Email"). None of them is a sentence of the article, and a counter next to a headline
can pass for a casualty figure, so they go before the event model sees the text. Each
rule is one pattern for a whole line (surrounding spaces ignored): a line that only
partly matches, or a sentence that uses the same words, is kept.
"""

from __future__ import annotations

import re

__all__ = ["BOILERPLATE_RULES", "drop_boilerplate_lines", "is_boilerplate_line"]

_SEP = r"(?:\s*[|·•/,]\s*|\s+)"
_SHARE_WORDS = (
    r"share(?:\s+(?:on|via)\s+\w+)?|tweet|email|e-mail|print|facebook|twitter|whatsapp|telegram|linkedin|"
    r"reddit|viber|vk|copy\s+link|send\s+to\s+a\s+friend|comments?|save|bookmark"
)
_COUNT = r"\d[\d,.\s]*\s*[kKmM]?"

BOILERPLATE_RULES: dict[str, re.Pattern[str]] = {
    # "Link to main version", "Go to mobile version", "View in browser", "Skip to content".
    "site navigation": re.compile(
        r"(?:link|go|switch|back|return)\s+to\s+(?:the\s+)?(?:main|full|mobile|desktop|classic|amp)\s+(?:version|site)"
        r"|(?:view|open|read)\s+(?:this\s+)?(?:page\s+|article\s+)?(?:in\s+(?:your\s+)?browser|online)"
        r"|skip\s+to\s+(?:main\s+)?content|back\s+to\s+top|advertisement|sponsored(?:\s+content)?",
        re.IGNORECASE,
    ),
    # "489", "1,204 views", "2.3k shares", "12 comments": a number alone, or with what it counts.
    "counter": re.compile(
        rf"{_COUNT}(?:\s*(?:views?|reads?|shares?|comments?|likes?|reactions?))?|(?:views?|reads?|shares?)\s*:?\s*{_COUNT}",
        re.IGNORECASE,
    ),
    # "Share", "Share | Tweet | Email", "Share on Facebook  Share on X  Copy link", "Print | Send to a friend".
    "share buttons": re.compile(rf"(?:{_SHARE_WORDS})(?:{_SEP}(?:{_SHARE_WORDS}|{_COUNT}))*", re.IGNORECASE),
}
"""What a whole line must be to be dropped, by the kind of boilerplate it is."""


def is_boilerplate_line(line: str) -> str | None:
    """The name of the rule a whole line matches (see :data:`BOILERPLATE_RULES`), else ``None``.

    >>> is_boilerplate_line("Link to main version"), is_boilerplate_line("  489 "), is_boilerplate_line("Share | Tweet")
    ('site navigation', 'counter', 'share buttons')
    >>> is_boilerplate_line("Share prices fell in Kyiv.") is None
    True
    """
    stripped = line.strip()
    if not stripped:
        return None
    for name, rule in BOILERPLATE_RULES.items():
        if rule.fullmatch(stripped):
            return name
    return None


def drop_boilerplate_lines(text: str) -> str:
    """``text`` without its boilerplate lines; the remaining lines are kept as they are.

    A dropped line and the blank lines after it go together, so the paragraphs around
    it stay one blank line apart; a text made only of boilerplate is returned unchanged
    (there is nothing else to keep, and the reader reports it as it is).

    >>> drop_boilerplate_lines("Link to main version\\n\\n489\\n\\nShelling hit Kharkiv.\\n")
    'Shelling hit Kharkiv.\\n'
    """
    lines = text.split("\n")
    kept: list[str] = []
    dropping = False
    for line in lines:
        if is_boilerplate_line(line):
            dropping = True
            continue
        if dropping and not line.strip():
            continue
        dropping = False
        kept.append(line)
    if not any(line.strip() for line in kept):
        return text
    return "\n".join(kept)
