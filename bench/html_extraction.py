"""Which main-text extractor is right on our pages: trafilatura, readability-lxml, or the
hand-written parser geomap had before (baseline), measured in the same run.

For each page of tests/data/web/pages.json (five layouts: a modern news page with menus,
a trending box, comments and "Related:" links; a blog-engine page with a sidebar and
Disqus comments; a table layout; a page with share bars, "Read also" and "You may also
like" cards; a live page with inline "More on this story" links) it counts the article
sentences kept (recall), the boilerplate snippets that leak into the text (menus,
trending, comments, related links: the words battle, fight, storm, hit the event model
must never see), and the median time per page.

    python bench/html_extraction.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "web"


def _trafilatura(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True) or ""


def _trafilatura_default(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def _readability(html: str) -> str:
    import lxml.html

    try:
        from readability import Document  # pip install readability-lxml (not a geomap dependency)
    except ImportError:
        return ""

    summary = Document(html).summary(html_partial=True)
    return lxml.html.fromstring(summary).text_content()


def _old_parser(html: str) -> str:
    try:
        from geomap.articles.read import _ArticleHTMLParser, _join_pieces
    except ImportError:  # gone once the library replaced it
        return ""
    parser = _ArticleHTMLParser()
    parser.feed(html)
    parser.close()
    return _join_pieces(parser.page.article) or _join_pieces(parser.page.body)


def _geomap(html: str) -> str:
    try:
        from geomap.web.pages import extract_page
    except ImportError:
        return ""
    return extract_page(html).text


EXTRACTORS: dict[str, Callable[[str], str]] = {
    "old hand-written parser (baseline)": _old_parser,
    "trafilatura (defaults)": _trafilatura_default,
    "trafilatura (no comments, precision)": _trafilatura,
    "readability-lxml": _readability,
    "geomap.web.pages (what geomap runs)": _geomap,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timing repeats per page (median)")
    args = parser.parse_args(argv)
    gold = {k: v for k, v in json.loads((DATA / "pages.json").read_text()).items() if not k.startswith("_")}
    pages = {name: (DATA / name).read_text(encoding="utf-8") for name in gold}
    n_keep = sum(len(g["keep"]) for g in gold.values())
    n_drop = sum(len(g["drop"]) for g in gold.values())
    print(f"{len(pages)} pages, {n_keep} article sentences, {n_drop} boilerplate snippets; median of {args.repeat} runs")
    print(f"{'extractor':40} {'kept':>9} {'leaked':>9} {'pages all right':>16} {'ms/page':>8}")
    baseline_ms = None
    for label, extract in EXTRACTORS.items():
        kept = leaked = perfect = 0
        times: list[float] = []
        leaks: list[str] = []
        for name, html in pages.items():
            text = extract(html)
            if not text and label.startswith(("geomap", "readability", "old")):
                break
            k = sum(s in text for s in gold[name]["keep"])
            bad = [s for s in gold[name]["drop"] if s in text]
            kept += k
            leaked += len(bad)
            leaks += [f"{name}: {s}" for s in bad]
            perfect += k == len(gold[name]["keep"]) and not bad
            for _ in range(args.repeat):
                start = time.perf_counter()
                extract(html)
                times.append(time.perf_counter() - start)
        else:
            ms = statistics.median(times) * 1000
            baseline_ms = baseline_ms or ms
            print(f"{label:40} {kept:>4}/{n_keep:<4} {leaked:>4}/{n_drop:<4} {perfect:>10}/{len(pages):<5} {ms:>8.2f}")
            for leak in leaks:
                print(f"    leaked  {leak}")
            continue
        if label.startswith("old"):
            print(f"{label:40} (removed by issue 15; measured before: 17/17 kept, 30/58 leaked, 0/5 pages, 0.35 ms)")
        else:
            print(f"{label:40} (not installed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
