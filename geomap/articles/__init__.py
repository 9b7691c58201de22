"""Reading input files into :class:`~geomap.models.Article` objects.

Plain text and Markdown (``.txt``, ``.md``), web pages (``.html``, ``.htm``) and
JSON Lines (``.jsonl``, one article per line) are understood. Reading never stops
at a bad file: :func:`read_articles` yields an :class:`~geomap.errors.ArticleError`
for it (naming the file, or ``file:line`` for a JSONL line, and the reason) and
goes on with the next one.

:mod:`~geomap.articles.read` walks files and folders and reads text, Markdown and HTML;
:mod:`~geomap.articles.jsonl` reads JSON Lines; :mod:`~geomap.articles.text` turns bytes
into text.
"""

from __future__ import annotations

# The package's names are those of read (which re-exports article_id from text).
from geomap.articles.read import *  # noqa: F403
from geomap.articles.read import __all__ as __all__
