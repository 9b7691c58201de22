"""Main text of web pages (trafilatura) and boilerplate lines of saved pages."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from geomap.web.cleanup import drop_boilerplate_lines, is_boilerplate_line
from geomap.web.pages import extract_page

DATA = Path(__file__).parent / "data" / "web"
GOLD = {k: v for k, v in json.loads((DATA / "pages.json").read_text()).items() if not k.startswith("_")}


@pytest.mark.parametrize("name", sorted(GOLD), ids=[Path(n).stem for n in sorted(GOLD)])
def test_a_page_gives_its_article_and_none_of_its_furniture(name: str) -> None:
    gold = GOLD[name]
    page = extract_page((DATA / name).read_bytes())
    missing = [s for s in gold["keep"] if s not in page.text]
    leaked = [s for s in gold["drop"] if s in page.text]
    assert (missing, leaked) == ([], [])
    assert page.title == gold["title"]
    assert page.published == dt.date.fromisoformat(gold["published"])
    assert page.url == gold["url"]


def test_no_menu_trending_comment_or_related_headline_reaches_the_text() -> None:
    page = extract_page((DATA / "news" / "a1.html").read_bytes())
    for word in ("Battle", "battle", "fight", "Fight", "Storm", "storm", "Trending", "Related"):
        assert word not in page.text
    # ... while the article's own "hit" stays.
    assert "drone strike hit a nine-storey apartment block in Kharkiv" in page.text


@pytest.mark.parametrize(
    ("html", "published"),
    [
        ('<meta property="article:published_time" content="2025-06-10T01:30:00+03:00">', dt.date(2025, 6, 10)),
        ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-02-24"}</script>',
         dt.date(2024, 2, 24)),
        ('', dt.date(2023, 3, 1)),  # only the <time> in the body
    ],
    ids=["article-published-time", "json-ld-datePublished", "time-element"],
)
def test_the_publication_date_comes_from_the_page_metadata(html: str, published: dt.date) -> None:
    page = extract_page(
        f"<html><head><title>Strike on Kharkiv</title>{html}</head><body><article><h1>Strike on Kharkiv</h1>"
        "<p><time datetime='2023-03-01'>1 March</time></p>"
        f"<p>{'A drone hit a warehouse in Kharkiv on Monday, officials said. ' * 5}</p></article></body></html>"
    )
    assert page.published == published


def test_a_date_written_only_in_the_text_is_not_the_publication_date() -> None:
    page = extract_page("<html><body><article><p>" + "On 3 July 2025 a drone hit Kharkiv, officials said. " * 5
                        + "</p></article></body></html>")
    assert page.published is None


def test_script_template_and_hidden_content_never_become_text() -> None:
    page = extract_page((Path(__file__).parent / "data" / "articles_page.html").read_bytes())
    assert page.text == ("Flooding cuts off three villages\n\n"
                         "Heavy rain flooded the valley near Springfield & Shelbyville on Monday.\n\n"
                         "Rescue teams reached Ogdenville by boat.")
    for marker in ("SCRIPT", "STYLE", "NAV", "LINK-SCRIPT", "ONERROR", "NOSCRIPT", "TEMPLATE", "IFRAME", "SVG",
                   "HIDDEN", "ASIDE", "FOOTER", "steal"):
        assert marker not in page.text


def test_a_table_layout_page_still_gives_its_article() -> None:
    page = extract_page((DATA / "news" / "b1.html").read_bytes())
    assert page.text.count("\n\n") >= 2  # paragraphs stay paragraphs
    assert "Latest headlines" not in page.text and "Send to a friend" not in page.text


@pytest.mark.parametrize("html", ["", "<script>alert(1)</script>", "<!-- only a comment -->",
                                  "<html><head><title>Only a title</title></head><body></body></html>"],
                         ids=["empty", "script-only", "comment-only", "title-only"])
def test_a_page_without_visible_text_gives_no_text(html: str) -> None:
    assert extract_page(html).text == ""


# --- boilerplate lines of saved pages -----------------------------------------------


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Link to main version", "site navigation"),
        ("  Go to the mobile version ", "site navigation"),
        ("View in browser", "site navigation"),
        ("Skip to content", "site navigation"),
        ("Advertisement", "site navigation"),
        ("489", "counter"),
        ("1,204 views", "counter"),
        ("2.3k shares", "counter"),
        ("Views: 12 345", "counter"),
        ("Share", "share buttons"),
        ("Share | Tweet | Email", "share buttons"),
        ("Share on Facebook  Share on X  Copy link", "share buttons"),
        ("Print | Send to a friend", "share buttons"),
        ("Facebook · WhatsApp · Telegram 2.3k", "share buttons"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 25 else None,
)
def test_each_boilerplate_rule_drops_its_lines(line: str, rule: str) -> None:
    assert is_boilerplate_line(line) == rule


@pytest.mark.parametrize(
    "line",
    [
        "Link to main version of the treaty was signed in Istanbul.",
        "489 people were evacuated from Kherson.",
        "20 killed",
        "Share prices fell in Kyiv after the strike.",
        "Print media in Moscow reported the explosion.",
        "ISW: Putin rejects Trump's call for quick peace in Ukraine",
        "July 3, 2025",
    ],
)
def test_sentences_that_use_the_same_words_are_kept(line: str) -> None:
    assert is_boilerplate_line(line) is None


def test_the_seed_loses_its_link_to_main_version_and_counter_lines() -> None:
    seed = next((Path(__file__).parents[1] / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    assert seed.startswith("Link to main version\n\n489\n\n")
    cleaned = drop_boilerplate_lines(seed)
    assert cleaned.startswith("ISW: Putin rejects Trump's call for quick peace in Ukraine\n\n")
    assert cleaned == seed[len("Link to main version\n\n489\n\n"):]


def test_a_text_of_only_boilerplate_is_left_as_it_is() -> None:
    assert drop_boilerplate_lines("489\n\nShare\n") == "489\n\nShare\n"
