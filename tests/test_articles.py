"""Reading articles from text, Markdown, HTML and JSONL files."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomap.articles import SUFFIXES, article_id, iter_input_files, read_articles
from geomap.errors import ArticleError
from geomap.models import Article

DATA = Path(__file__).parent / "data"


def read_all(*paths: str | Path, **kwargs: object) -> list[Article | ArticleError]:
    return list(read_articles(paths, **kwargs))  # type: ignore[arg-type]


def read_one(path: Path, **kwargs: object) -> Article | ArticleError:
    items = read_all(path, **kwargs)
    assert len(items) == 1, items
    return items[0]


def read_article(path: Path, **kwargs: object) -> Article:
    item = read_one(path, **kwargs)
    assert isinstance(item, Article), item
    return item


def read_error(path: Path, **kwargs: object) -> ArticleError:
    item = read_one(path, **kwargs)
    assert isinstance(item, ArticleError), item
    return item


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


# --- finding files -----------------------------------------------------------------


def test_folders_expand_recursively_in_sorted_order_to_supported_files(tmp_path: Path) -> None:
    for name in ("b/2.md", "b/1.HTML", "a.txt", "c/d/e.jsonl", "notes.pdf", "image.png", ".hidden.txt", ".git/x.txt", "page.htm"):
        write(tmp_path, name, "x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_input_files([tmp_path]) if isinstance(p, Path)]
    assert found == ["a.txt", "page.htm", "b/1.HTML", "b/2.md", "c/d/e.jsonl"]


def test_a_missing_path_is_reported_and_the_others_still_come(tmp_path: Path) -> None:
    good = write(tmp_path, "good.txt", "Fighting resumed near Bakhmut on Friday\nBody.")
    missing = tmp_path / "nope.txt"
    items = list(iter_input_files([missing, good]))
    assert isinstance(items[0], ArticleError)
    assert str(items[0]) == f"{missing}: no such file or folder"
    assert items[1] == good


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "Body.")
    assert list(iter_input_files([path, tmp_path, str(path)])) == [path]


def test_a_named_file_with_another_suffix_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "report.pdf", "%PDF-1.4")
    error = read_error(path)
    assert error.path == str(path)
    assert "unsupported file type '.pdf'" in error.reason
    assert ".txt" in error.reason


def test_a_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    write(tmp_path, "1.txt", "First article body.")
    write(tmp_path, "2.txt", b"\x00\x01\x02binary")
    write(tmp_path, "3.txt", "Third article body.")
    items = read_all(tmp_path)
    assert [type(i).__name__ for i in items] == ["Article", "ArticleError", "Article"]
    assert [i.text for i in items if isinstance(i, Article)] == ["First article body.", "Third article body."]


# --- plain text and Markdown: decoding -----------------------------------------------

TEXT = "Floods hit Porto Alegre again\nThe river rose to 5 metres in Porto Alegre, Brazil.\n"


@pytest.mark.parametrize(
    "raw",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "utf-32-le-bom"],
)
def test_text_files_decode_to_the_same_article(tmp_path: Path, raw: bytes) -> None:
    article = read_article(write(tmp_path, "flood.txt", raw))
    assert article.text == TEXT  # no BOM left in the text
    assert article.id == hashlib.sha1(TEXT.encode()).hexdigest()[:16]
    assert article.title == "Floods hit Porto Alegre again"
    assert article.path == str(tmp_path / "flood.txt")


def test_windows_line_breaks_are_normalised_and_nothing_else_changes(tmp_path: Path) -> None:
    raw = "  Indented first line here now\r\n\r\nTabs\tstay,  double  spaces stay.\r\n\r\n"
    article = read_article(write(tmp_path, "a.txt", raw))
    assert article.text == "  Indented first line here now\n\nTabs\tstay,  double  spaces stay.\n\n"
    assert article.text.index("double") == raw.replace("\r\n", "\n").index("double")


def test_the_same_text_under_another_name_has_the_same_id(tmp_path: Path) -> None:
    first = read_article(write(tmp_path, "one.txt", "Body text.\r\n"))
    second = read_article(write(tmp_path, "other/two.md", "Body text.\n"))
    third = read_article(write(tmp_path, "three.txt", "Other text.\n"))
    assert first.id == second.id == article_id("Body text.\n")
    assert third.id != first.id


@pytest.mark.parametrize(
    ("text", "encoding", "hint"),
    [
        ("Обстрел Харькова: погибли двое мирных жителей", "cp1251", "Windows-1251 (Cyrillic)"),
        ("Café in Zürich closed after the protest, police said.", "latin-1", "Windows-1252 / Latin-1"),
    ],
    ids=["cp1251", "latin-1"],
)
def test_legacy_encodings_are_rejected_with_a_hint(tmp_path: Path, text: str, encoding: str, hint: str) -> None:
    path = write(tmp_path, "old.txt", text.encode(encoding))
    error = read_error(path)
    assert str(error).startswith(f"{path}: not UTF-8 text (invalid byte 0x")
    assert f"it looks like {hint}: re-save it as UTF-8" in error.reason


def test_a_broken_utf16_file_says_so(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, "a.txt", codecs.BOM_UTF16_LE + b"K\x00y\x00\x00\xdc"))
    assert "UTF-16 byte order mark but is not valid UTF-16-LE" in error.reason


# --- plain text and Markdown: titles -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "title"),
    [
        ("a.txt", "Explosion reported at Odesa port\n\nBody.", "Explosion reported at Odesa port"),
        ("a.txt", "\n\n   Explosion reported at Odesa port   \nBody.", "Explosion reported at Odesa port"),
        ("a.txt", "Did the dam in Nova Kakhovka fail?\nBody.", "Did the dam in Nova Kakhovka fail?"),
        ("odesa-blast.txt", "An explosion was reported at the port of Odesa.\nMore.", "odesa-blast"),
        ("odesa-blast.txt", "Odesa port blast\nMore.", "odesa-blast"),
        ("long-line.txt", " ".join(["word"] * 40) + "\nMore.", "long-line"),
        ("a.md", "# Odesa\n\nAn explosion was reported.", "Odesa"),
        ("a.md", "## Blast at the port of Odesa ##\n\nText.", "Blast at the port of Odesa"),
        ("a.md", "Plain first line without hashes\n\nText.", "Plain first line without hashes"),
    ],
    ids=[
        "headline",
        "after-blank-lines",
        "question",
        "sentence-with-period-uses-stem",
        "too-short-uses-stem",
        "too-long-uses-stem",
        "markdown-heading-one-word",
        "markdown-closed-heading",
        "markdown-plain-line",
    ],
)
def test_titles(tmp_path: Path, name: str, content: str, title: str) -> None:
    assert read_article(write(tmp_path, name, content)).title == title


def test_published_comes_from_the_argument_for_text_files(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "Body.")
    assert read_article(path).published is None
    assert read_article(path, published=dt.date(2024, 5, 1)).published == dt.date(2024, 5, 1)


# --- empty, binary, too large --------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\t\r\n  ", "empty file (only whitespace)"),
        (codecs.BOM_UTF8, "empty file (only whitespace)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "binary file, not text"),
        (b"Some text\x00with a NUL byte", "binary file, not text"),
        (bytes(range(1, 32)) * 4, "binary file, not text"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "binary file, not text"),
    ],
    ids=["empty", "whitespace-only", "bom-only", "png", "nul-byte", "control-characters", "jpeg"],
)
@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".jsonl"])
def test_empty_and_binary_files(tmp_path: Path, suffix: str, content: bytes, reason: str) -> None:
    path = write(tmp_path, "bad" + suffix, content)
    error = read_error(path)
    assert str(error) == f"{path}: {reason}"


def test_a_file_over_the_limit_is_rejected_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as stream:  # sparse: no 21 MB written to disk
        stream.truncate(21_000_000)
    assert str(read_error(path)) == f"{path}: too large (21 MB > 20 MB limit)"


def test_the_size_limit_is_a_parameter(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "x" * 2_500)
    assert read_error(path, max_bytes=1_000).reason == "too large (0.0025 MB > 0.001 MB limit)"
    assert read_article(path, max_bytes=2_500).text == "x" * 2_500


# --- HTML ----------------------------------------------------------------------------


def test_html_page_gives_visible_article_text_title_date_and_url() -> None:
    article = read_article(DATA / "articles_page.html", published=dt.date(2000, 1, 1))
    assert article.text == (
        "Flooding cuts off three villages\n\n"
        "Heavy rain flooded the valley near Springfield & Shelbyville on Monday.\n\n"
        "Rescue teams reached Ogdenville by boat."
    )
    assert article.title == "Flooding cuts off three villages"  # the <h1>, without the site name
    assert article.published == dt.date(2023, 11, 14)  # the meta tag beats <time> and the argument
    assert article.url == "https://herald.example/floods"


@pytest.mark.parametrize(
    "marker",
    ["SCRIPT", "STYLE", "NAV", "LINK-SCRIPT", "ONERROR", "NOSCRIPT", "TEMPLATE", "IFRAME", "SVG", "HIDDEN", "ASIDE", "FOOTER", "steal"],
)
def test_html_hidden_and_script_content_is_dropped(marker: str) -> None:
    article = read_article(DATA / "articles_page.html")
    assert marker not in article.text
    assert marker not in (article.title or "")


@pytest.mark.parametrize(
    ("html", "text", "title", "published"),
    [
        ("<title>Quake shakes central Chile</title><p>A quake hit.</p>", "A quake hit.", "Quake shakes central Chile", None),
        ("<h1>Quake shakes Chile</h1><h1>Second</h1><p>A quake hit.</p>", "Quake shakes Chile\n\nSecond\n\nA quake hit.", "Quake shakes Chile", None),
        ("<p>Tom &amp; Jerry&nbsp;met in K&ouml;ln &#8212; &lt;b&gt;</p>", "Tom & Jerry met in Köln — <b>", "page", None),
        ("<p>One</p><ul><li>A</li><li>B</ul>", "One\n\nA\n\nB", "page", None),
        ("<p>Line one<br>line\n   two<br/>three</p>", "Line one\nline two\nthree", "page", None),
        ("<head><title>T x y z</title><script>bad()</script><body><p>Body text", "Body text", "T x y z", None),
        ("<p>Old <time datetime='2022-02-24T04:00'>news</time></p>", "Old news", "page", dt.date(2022, 2, 24)),
        ("<p>Shelling hit\n   Kherson on <time datetime='2022-11-12'>Saturday</time>.</p>", "Shelling hit Kherson on Saturday.",
         "page", dt.date(2022, 11, 12)),
        ("<meta name='article:published_time' content='not a date'><p>x</p>", "x", "page", None),
        ("<p>A</p><![foo bar]><p>B</p>", "A\n\nB", "page", None),
        ("<p>A<span hidden>secret</span> B<span aria-hidden='true'>icon</span></p>", "A B", "page", None),
        ("<head><title>Head only x</title><p>Body without a body tag", "Body without a body tag", "Head only x", None),
        ("<p>Map:<iframe src='https://maps.example'/> Kyiv</p><svg/><p>Lviv</p>", "Map: Kyiv\n\nLviv", "page", None),
    ],
    ids=[
        "title-tag",
        "first-h1",
        "entities",
        "blocks-become-paragraphs",
        "br-becomes-line-break",
        "head-without-end-tag",
        "time-datetime",
        "time-inside-a-sentence-and-wrapped-source-lines",
        "bad-meta-date-ignored",
        "malformed-marked-section",
        "hidden-attributes",
        "body-content-ends-the-head",
        "self-closed-iframe-and-svg",
    ],
)
def test_html_cases(tmp_path: Path, html: str, text: str, title: str, published: dt.date | None) -> None:
    article = read_article(write(tmp_path, "page.html", html))
    assert (article.text, article.title, article.published) == (text, title, published)


def test_html_with_a_declared_legacy_charset_is_decoded(tmp_path: Path) -> None:
    html = '<html><head><meta charset="windows-1251"><title>Обстрел Харькова</title></head><body><p>Погибли двое.</p></body></html>'
    article = read_article(write(tmp_path, "ru.htm", html.encode("cp1251")))
    assert (article.title, article.text) == ("Обстрел Харькова", "Погибли двое.")


@pytest.mark.parametrize(
    "html",
    ["<html><head><title>Only a title</title></head><body></body></html>", "<script>alert(1)</script>", "<!-- just a comment -->"],
    ids=["title-only", "script-only", "comment-only"],
)
def test_html_without_visible_text_is_an_error(tmp_path: Path, html: str) -> None:
    path = write(tmp_path, "page.html", html)
    assert str(read_error(path)) == f"{path}: no visible text in the HTML"


# --- JSONL ---------------------------------------------------------------------------


def test_jsonl_good_lines_go_through_and_bad_lines_name_file_and_line() -> None:
    path = DATA / "articles_feed.jsonl"
    items = read_all(path)
    articles = [i for i in items if isinstance(i, Article)]
    errors = {e.path: e.reason for e in items if isinstance(e, ArticleError)}
    assert [a.id for a in articles] == ["feed-1", "feed-2", article_id("An article without an id in Nairobi.")]
    first = articles[0]
    assert (first.title, first.published, first.url, first.path) == (
        "Protest in Tbilisi",
        dt.date(2024, 4, 28),
        "https://news.example/1",
        f"{path}:1",
    )
    assert articles[1].published == dt.date(2024, 4, 29)  # from an ISO datetime
    assert articles[1].title is None  # a one-sentence text has no headline
    assert errors == {
        f"{path}:3": "invalid JSON: Expecting ',' delimiter at column 49",
        f"{path}:4": "missing 'text'",
        f"{path}:6": "empty 'text'",
        f"{path}:7": "'text' must be a string, got an array",
        f"{path}:8": "'published' 'last Tuesday' is not a date (expected YYYY-MM-DD or an ISO datetime)",
    }


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('["a list"]', "expected a JSON object with a 'text' field, got an array"),
        ('{"id": "x", "text": null}', "'text' must be a string, got null"),
        ('{"id": true, "text": "t"}', "'id' must be a non-empty string or an integer, got true"),
        ('{"id": "", "text": "t"}', "'id' must be a non-empty string or an integer, got \"\""),
        ('{"text": "t", "title": 5}', "'title' must be a string, got a number"),
        ('{"text": "t", "published": "2024-02-30"}', "'published' '2024-02-30' is not a date (expected YYYY-MM-DD or an ISO datetime)"),
        ('{"text": "bad \\ud800 surrogate"}', "contains an unpaired surrogate escape (\\ud800-\\udfff), which is not valid Unicode"),
        ("[" * 100_000, "invalid JSON: nested too deeply"),
    ],
    ids=["not-an-object", "null-text", "boolean-id", "empty-id", "number-title", "impossible-date", "lone-surrogate", "deep-nesting"],
)
def test_jsonl_bad_lines(tmp_path: Path, line: str, reason: str) -> None:
    path = write(tmp_path, "feed.jsonl", '{"id": 1, "text": "Good."}\n' + line + "\n")
    good, bad = read_all(path)
    assert isinstance(good, Article) and good.id == "1"
    assert isinstance(bad, ArticleError)
    assert str(bad) == f"{path}:2: {reason}"


def test_jsonl_duplicate_id_is_reported_on_the_later_line(tmp_path: Path) -> None:
    path = write(tmp_path, "feed.jsonl", '{"id": "a", "text": "One."}\n{"id": "a", "text": "Two."}\n')
    first, second = read_all(path)
    assert isinstance(first, Article) and first.text == "One."
    assert str(second) == f"{path}:2: duplicate id 'a' (first on line 1)"


def test_jsonl_invalid_utf8_line_is_reported_alone(tmp_path: Path) -> None:
    raw = b'{"text": "Caf\xe9 bombing"}\r\n{"text": "Fine line."}\r\n'
    path = write(tmp_path, "feed.jsonl", raw)
    bad, good = read_all(path)
    assert str(bad).startswith(f"{path}:1: not UTF-8 text")
    assert isinstance(good, Article) and good.text == "Fine line."


def test_jsonl_text_is_kept_exactly_and_its_id_matches_the_text_file(tmp_path: Path) -> None:
    text = "Strikes on Kharkiv\r\nTwo people died."
    from_jsonl = read_article(write(tmp_path, "a.jsonl", '{"text": "Strikes on Kharkiv\\r\\nTwo people died."}'))
    from_txt = read_article(write(tmp_path, "a.txt", text))
    assert from_jsonl.text == text  # offsets in evaluation files point into it
    assert from_jsonl.id == from_txt.id


def test_jsonl_published_argument_fills_missing_dates(tmp_path: Path) -> None:
    path = write(tmp_path, "a.jsonl", '{"text": "A."}\n{"text": "B.", "published": "2021-03-04"}\n')
    dates = [a.published for a in read_all(path, published=dt.date(2020, 1, 1)) if isinstance(a, Article)]
    assert dates == [dt.date(2020, 1, 1), dt.date(2021, 3, 4)]


def test_jsonl_with_only_blank_lines_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "a.jsonl", "\n\n  \n")
    assert str(read_error(path)) == f"{path}: empty file (only whitespace)"


# --- bad input never crashes ---------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=400) | st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")), suffix=st.sampled_from(SUFFIXES))
def test_arbitrary_bytes_give_articles_or_article_errors(tmp_path: Path, content: bytes, suffix: str) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(content)
    for item in read_articles([path], max_bytes=300):
        assert isinstance(item, (Article, ArticleError))
        if isinstance(item, Article):
            assert item.text.strip()
            item.text.encode("utf-8")  # valid Unicode all the way through


MARKUP = st.lists(
    st.sampled_from(["<p>", "</p>", "<script>", "</script>", "<svg>", "</svg>", "<title>", "</title>", "<head>", "</head>", "<![", "<!--", "-->", "<br/>", "&amp;", "&#0;", "<div hidden>", "</div>", "<a href='javascript:x'>", "</a>", "<", ">", "Kyiv", " ", "\n"])
    | st.text(max_size=10)
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(markup=MARKUP)
def test_arbitrary_markup_gives_an_article_or_an_article_error(tmp_path: Path, markup: str) -> None:
    path = tmp_path / "fuzz.html"
    path.write_bytes(markup.encode("utf-8", "surrogatepass"))
    (item,) = read_articles([path])
    assert isinstance(item, (Article, ArticleError))


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root can read any file")
def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "Body.")
    path.chmod(0)
    assert str(read_error(path)) == f"{path}: cannot read: Permission denied"


def test_docstring_examples_run() -> None:
    import doctest

    import geomap.articles.read
    import geomap.articles.text

    for module in (geomap.articles.text, geomap.articles.read):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_a_boilerplate_first_line_does_not_become_the_title(tmp_path):
    path = tmp_path / "saved.txt"
    path.write_text(
        "Link to main version\n\n489\n\nISW: Putin rejects a call for quick peace in Ukraine\n\n"
        "Russian President Vladimir Putin has rejected the call.\n",
        encoding="utf-8",
    )
    (article,) = read_articles([path])
    assert article.title == "ISW: Putin rejects a call for quick peace in Ukraine"


def test_the_seed_is_read_without_its_link_to_main_version_and_counter_lines() -> None:
    seed = next((Path(__file__).parents[1] / "seeds").glob("*.txt"))
    raw = seed.read_text(encoding="utf-8")
    (article,) = read_articles([seed])
    assert article.text.startswith("ISW: Putin rejects Trump's call for quick peace in Ukraine\n\n")
    assert "Link to main version" not in article.text and "\n489\n" not in f"\n{article.text}\n"
    assert article.text == raw[len("Link to main version\n\n489\n\n"):]
    assert article.id == article_id(raw)  # a store that read the seed before knows it by the same id


def test_share_button_lines_of_a_saved_page_are_dropped(tmp_path) -> None:
    path = tmp_path / "saved.txt"
    path.write_text("Drone strike hits Kharkiv apartment block\n\nShare | Tweet | Email\n\n"
                    "A drone hit a building in Kharkiv, officials said.\n\n1,204 views\n", encoding="utf-8")
    (article,) = read_articles([path])
    assert article.text == "Drone strike hits Kharkiv apartment block\n\nA drone hit a building in Kharkiv, officials said.\n"
