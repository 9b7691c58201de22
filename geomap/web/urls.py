"""Telling a web address from a path: light enough for the path that never fetches."""

from __future__ import annotations

__all__ = ["is_url"]


def is_url(value: object) -> bool:
    """Whether an input names a web address (``http://`` or ``https://``) rather than a path.

    >>> is_url("https://news.example/feed.xml"), is_url("seeds/"), is_url("http.txt")
    (True, False, False)
    """
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))
