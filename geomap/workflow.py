"""The main use case as a library: articles in, the events table, the map and what changed out.

:func:`run` is what ``geomap run`` does, :func:`rebuild` what ``geomap rebuild`` does; the
command line only parses options, calls them and prints their :class:`Report`. In a notebook:

>>> import geomap
>>> result = geomap.run(["seeds/"], out="output/")  # doctest: +SKIP
>>> result.events[["event_date", "event_type", "place_name"]]  # doctest: +SKIP
>>> result.map  # doctest: +SKIP
>>> print(result.report)  # doctest: +SKIP

``out=None`` keeps the store in a temporary folder for the call and writes no file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from geomap.articles import read_articles, text_article
from geomap.errors import ArticleError, ArticleNote, GeomapError, StoreError
from geomap.events import build_events, with_datetimes
from geomap.models import Article
from geomap.overrides import (
    Override,
    OverrideRow,
    apply_overrides,
    read_overrides,
    resolve_overrides,
)
from geomap.store import (
    DEFAULT_WAIT,
    STORE_NAME,
    EventChanges,
    EventStore,
    compare_events,
    write_csv,
    write_geojson,
)
from geomap.web.urls import is_url

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from geomap.gazetteer import Gazetteer
    from geomap.geocode.online import OnlineLookup
    from geomap.web import Fetcher

__all__ = ["run", "rebuild", "run_title", "Result", "Report", "WorkflowError", "NoArticlesError", "build_store_events"]

Input = str | os.PathLike[str] | Article


class WorkflowError(GeomapError, ValueError):
    """The workflow cannot start: nothing to read, no store to rebuild, options that do not go together."""


class NoArticlesError(WorkflowError):
    """None of the inputs could be read; ``failures`` says why for each."""

    def __init__(self, message: str, failures: Sequence[ArticleError]) -> None:
        super().__init__(message)
        self.failures = list(failures)


def _s(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


@dataclass
class Report:
    """What a run did, as the command line tells it.

    ``read``: articles read; ``new``, ``updated``, ``unchanged``: their ids by what the
    store made of them; ``failed``: the inputs that could not be read, each with its path
    and reason; ``changes``: the events' ids by kind of change (new, merged, changed,
    unchanged, removed); ``corrections``: how many event mentions each correction row changed.
    """

    read: int = 0
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[ArticleError] = field(default_factory=list)
    warnings: list[ArticleError] = field(default_factory=list)  # articles read with a caveat (ArticleNote)
    kept_aside: Path | None = None  # where a damaged store was put (run with new_store=True)
    changes: EventChanges = field(default_factory=EventChanges)
    n_events: int = 0
    n_located: int = 0
    rebuilt: bool = False
    correction_rows: list[OverrideRow] = field(default_factory=list)
    corrections: Counter[OverrideRow] = field(default_factory=Counter)
    written: list[Path] = field(default_factory=list)
    geocoder: str | None = None
    stale: list[str] = field(default_factory=list)
    out: Path | None = None

    def summary(self) -> str:
        """The line ``geomap run`` and ``geomap rebuild`` print first."""
        tail = (f"{self.changes.summary()}; {_s(self.n_events, 'event')} in the store "
                f"({self.n_located} on the map).")
        if self.rebuilt:
            return f"Extracted {_s(self.read, 'stored article')} again; {tail}"
        counts = [f"{len(group)} {word}" for group, word in
                  ((self.new, "new"), (self.updated, "updated"), (self.unchanged, "unchanged")) if group]
        failed = f", {len(self.failed)} failed" if self.failed else ""
        return f"Read {_s(self.read, 'article')}{failed}; {', '.join(counts)}; {tail}"

    def notes(self) -> Iterator[tuple[str, bool]]:
        """The lines after the summary, each with whether it goes to stderr: corrections, the
        files written, the online geocoder, articles another version extracted."""
        for note in self.warnings:
            yield f"Warning: {note.path}: {note.reason}", True
        if self.kept_aside is not None:
            yield (f"Note: kept the damaged store as {self.kept_aside}; started a new store "
                   f"{self.kept_aside.with_name(STORE_NAME)} from the articles given.", True)
        rows, used = self.correction_rows, self.corrections
        if rows:
            sources = ", ".join(dict.fromkeys(row.source for row in rows))
            yield (f"Corrections: {_s(sum(used.values()), 'event mention')} corrected by "
                   f"{_s(len({r for r in rows if r in used}), 'row')} of {sources}.", False)
            for row in rows:
                if row not in used:
                    scope = f" in article {row.article_id}" if row.article_id else ""
                    yield f"Warning: {row.where}: no stored event has the place {row.place_text!r}{scope}", True
        if self.written:
            yield f"Wrote {', '.join(map(str, self.written))}", False
        if self.geocoder is not None:
            yield self.geocoder, True
        if self.stale:
            yield (f"Note: {_s(len(self.stale), 'stored article')} {'was' if len(self.stale) == 1 else 'were'} "
                   f"extracted by another version of geomap or of its gazetteer; `geomap rebuild --out "
                   f"{self.out}` extracts them again.", True)

    def __str__(self) -> str:
        failures = [f"Failed: {f.path}: {f.reason}" for f in self.failed]
        return "\n".join([self.summary(), *(line for line, _ in self.notes()), *failures])


@dataclass
class Result:
    """What :func:`run` and :func:`rebuild` return.

    ``events``: the events table as a DataFrame for analysis (``event_date`` a datetime
    column); ``table``: the same with the schema's dtypes, as events.csv holds it;
    ``map``: the folium Map of the events (drawn on first use); ``report``: what happened.
    """

    table: pd.DataFrame
    report: Report
    title: str
    _map: Any = field(default=None, repr=False)

    @property
    def events(self) -> pd.DataFrame:
        return with_datetimes(self.table)

    @property
    def map(self) -> folium.Map:
        if self._map is None:
            from geomap.render import render_map

            self._map = render_map(self.table, title=self.title)
        return self._map


def _split_inputs(inputs: Iterable[Input]) -> tuple[list[Article], list[str | os.PathLike[str]]]:
    """Articles and plain texts (a string with a space or line break that is no existing path)
    apart from paths."""
    if isinstance(inputs, (str, os.PathLike, Article)):
        inputs = [inputs]
    articles: list[Article] = []
    paths: list[str | os.PathLike[str]] = []
    for item in inputs:
        if isinstance(item, Article):
            articles.append(item)
        elif isinstance(item, str) and (" " in item.strip() or "\n" in item) and not os.path.exists(item):
            articles.append(text_article(item))
        elif isinstance(item, (str, os.PathLike)):
            paths.append(item)
        else:
            raise WorkflowError(f"expected a path, a text or an Article as input, got {type(item).__name__}")
    return articles, paths


def read_inputs(inputs: Iterable[Input], *, published: dt.date | None = None, fetcher: Fetcher | None = None,
                out: str | os.PathLike[str] | None = None,
                skip: Iterable[str | os.PathLike[str]] = ()) -> tuple[list[Article], list[ArticleError]]:
    """The articles of paths, URLs, texts and Articles, and the inputs that could not be read
    (with the :class:`~geomap.errors.ArticleNote` of articles read with a caveat). Folders in
    ``skip`` (the output folder) are not read inside the folders walked.

    URLs (pages, RSS / Atom feeds, OPML lists) are read by :func:`geomap.web.read_urls`
    with ``fetcher`` (by default a polite :class:`~geomap.web.Fetcher` whose cache is in
    ``out/geomap.sqlite``, when there is an ``out``), in the order given among the paths.
    """
    given, paths = _split_inputs(inputs)
    articles: list[Article] = list(given)
    failures: list[ArticleError] = []
    own = None
    if fetcher is None and any(is_url(p) for p in paths):
        from geomap.web import FetchCache, Fetcher

        fetcher = own = Fetcher(cache=FetchCache(Path(out) / STORE_NAME) if out is not None else None)
    try:
        for web, group in itertools.groupby(paths, key=is_url):
            if web:
                assert fetcher is not None
                from geomap.web import read_urls

                items: Iterable[Article | ArticleError] = read_urls([str(u) for u in group], fetcher=fetcher,
                                                                    published=published)
            else:
                items = read_articles(list(group), published=published, skip=skip)
            for item in items:
                if isinstance(item, ArticleError):
                    failures.append(item)
                else:
                    articles.append(item)
    finally:
        if own is not None:
            own.close()
            if own.cache is not None:
                own.cache.close()
    return articles, failures


def read_corrections(out_dir: Path, overrides: str | os.PathLike[str] | None) -> tuple[list[OverrideRow], list[OverrideRow] | None]:
    """Rows of OUT/overrides.csv and of the overrides file given (None: none given), checked."""
    automatic = out_dir / "overrides.csv"
    in_folder = read_overrides(automatic) if automatic.is_file() else []
    given = read_overrides(overrides) if overrides is not None else None
    return in_folder, given


def _later_wins(*groups: Sequence[Override]) -> list[Override]:
    chosen: dict[tuple[str, str | None], Override] = {}
    for group in groups:
        for o in group:
            chosen.pop(o.row.key, None)
            chosen[o.row.key] = o
    return list(chosen.values())


def build_store_events(store: EventStore, overrides: Sequence[Override] = ()) -> tuple[pd.DataFrame, Counter[OverrideRow]]:
    """Merge every stored mention (corrections applied) into the events table.

    Returns the table and how many mentions each correction row changed.
    """
    mentions, used = apply_overrides(store.mentions(), overrides)
    articles = {s.article.id: s.article for s in store.stored_articles()}
    return build_events(mentions, articles, article_order=store.article_order()), used


def _gazetteer_version(gazetteer: Gazetteer) -> str:
    return gazetteer.meta.get("index_key") or Path(gazetteer.path).name


def _map_title(titles: Sequence[str | None]) -> str:
    """The title of a run's map, from the titles of the articles in its store."""
    if len(titles) == 1 and titles[0]:
        return titles[0]
    return f"geomap: {len(titles)} articles"


def run_title(source: str | os.PathLike[str], events: pd.DataFrame) -> str:
    """The title `geomap run` gave the map of the events read from ``source``.

    ``source`` is an event store's folder or an events table; the title comes from the
    store (the folder, or the one beside the table, as a run writes them), else, for a
    table far from its store or beside a damaged one, from the articles the table names.

    Example:
        >>> events = pd.DataFrame({"article_id": ["a1", "a1"], "source_title": ["Strike on Korenevo"] * 2})
        >>> run_title("elsewhere/events.csv", events)
        'Strike on Korenevo'
    """
    path = Path(source)
    folder = path if path.is_dir() else path.parent
    if (folder / STORE_NAME).is_file():
        try:
            with EventStore.open_existing(folder) as store:
                return _map_title(store.article_titles())
        except StoreError:
            pass  # the table is still worth a map: title it from the table
    articles = events.dropna(subset=["article_id"]).drop_duplicates("article_id") if "article_id" in events else events[:0]
    titles = [None if pd.isna(t) else str(t) for t in articles.get("source_title", pd.Series([None] * len(articles)))]
    return _map_title(titles)


def _extract_into(store: EventStore, articles: Sequence[Article], *, gazetteer: Gazetteer, lookup: OnlineLookup | None,
                  published: dt.date | None, jobs: int, engine: str, scheduler: str | None,
                  on_article: Callable[[Article], None] | None, geoparser: Any = None) -> None:
    """Extract the articles, storing each (one transaction) as soon as it is done, in input order."""
    if not articles:
        return
    version = _gazetteer_version(gazetteer)
    geocoder = lookup.cache_service if lookup is not None else "offline"

    def save(article: Article, mentions: list[Any], toponyms: list[Any]) -> None:
        store.put_article(article, mentions, toponyms, gazetteer_version=version, geocoder=geocoder)

    if jobs == 1 and engine == "local":
        from geomap.pipeline import Geoparser, extract_events

        if geoparser is None or lookup is not None:
            geoparser = Geoparser(lookup or gazetteer, nlp=getattr(geoparser, "nlp", None))
        extract_events(articles, geoparser=geoparser, published=published, on_article=on_article, on_extracted=save)
    else:
        from geomap.parallel import extract_parallel

        extract_parallel(articles, jobs=jobs, engine=engine, scheduler=scheduler, published=published,
                         gazetteer=gazetteer, on_article=on_article, on_extracted=save)


@contextlib.contextmanager
def _out_folder(out: str | os.PathLike[str] | None) -> Iterator[tuple[Path, bool]]:
    if out is not None:
        yield Path(out), True
        return
    with tempfile.TemporaryDirectory(prefix="geomap-") as tmp:
        yield Path(tmp), False


def _workflow(*, articles: Sequence[Article] | None, failures: list[ArticleError], out: str | os.PathLike[str] | None,
              published: dt.date | None, overrides: str | os.PathLike[str] | None, wait: float,
              jobs: int, engine: str, scheduler: str | None, gazetteer: Gazetteer | None, geoparser: Any,
              lookup: OnlineLookup | None, on_wait: Callable[[], None] | None,
              progress: Callable[[int], contextlib.AbstractContextManager[Callable[[Article], None]]] | None,
              new_store: bool = False) -> Result:
    from geomap.gazetteer import open_gazetteer

    report = Report(failed=[f for f in failures if not isinstance(f, ArticleNote)],
                    warnings=[f for f in failures if isinstance(f, ArticleNote)], rebuilt=articles is None)
    with _out_folder(out) as (out_dir, keep):
        report.out = out_dir
        gazetteer = gazetteer or getattr(geoparser, "gazetteer", None) or open_gazetteer()
        in_folder, given = read_corrections(out_dir, overrides)
        # A bad row stops the run before it writes anything.
        checked = resolve_overrides([*in_folder, *(given or [])], gazetteer)
        try:
            with EventStore.open(out_dir, wait=wait, on_wait=on_wait, new_store=new_store) as store:
                report.kept_aside = store.kept_aside
                if given is not None:
                    store.replace_overrides(given)
                    rows, resolved = [*in_folder, *given], checked
                else:
                    kept = store.overrides()
                    rows, resolved = [*in_folder, *kept], _later_wins(checked, resolve_overrides(kept, gazetteer))
                if lookup is not None:
                    from geomap.geocode.cache import GeocodeCache

                    lookup.cache = GeocodeCache(store.path)
                if articles is None:
                    todo = [s.article for s in store.stored_articles()]
                    report.read = len(todo)
                else:
                    plan = store.plan(articles)
                    todo = plan.to_extract
                    report.failed.extend(plan.refused)
                    report.read = len(articles) - len(plan.refused)
                    report.new, report.updated, report.unchanged = (
                        [a.id for a in group] for group in (plan.new, plan.updated, plan.unchanged))
                with (progress or _no_progress)(len(todo)) as advance:
                    _extract_into(store, todo, gazetteer=gazetteer, lookup=lookup, published=published, jobs=jobs,
                                  engine=engine, scheduler=scheduler, on_article=advance, geoparser=geoparser)
                previous = store.read_events()
                events, used = build_store_events(store, resolved)
                store.write_events_table(events)
                title = _map_title(store.article_titles())
                if keep:
                    from geomap.render import write_map

                    report.written = [write_csv(events, out_dir / "events.csv"),
                                      write_geojson(events, out_dir / "events.geojson"),
                                      write_map(events, out_dir / "map.html", title=title)]
                report.changes = compare_events(previous, events)
                report.n_events, report.n_located = len(events), int(events["lat"].notna().sum())
                report.correction_rows, report.corrections = rows, used
                if lookup is not None:
                    report.geocoder = f"Geocoder {lookup.cache_service}: {lookup.stats.summary()}."
                report.stale = store.stale_articles(gazetteer_version=_gazetteer_version(gazetteer))
        finally:
            if lookup is not None and lookup.cache is not None:
                lookup.cache.close()
                lookup.cache = None
    return Result(table=events, report=report, title=title)


@contextlib.contextmanager
def _no_progress(total: int) -> Iterator[Callable[[Article], None]]:
    yield lambda _article: None


def run(
    inputs: Iterable[Input] | Input,
    out: str | os.PathLike[str] | None = None,
    *,
    published: dt.date | None = None,
    overrides: str | os.PathLike[str] | None = None,
    wait: float = DEFAULT_WAIT,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    gazetteer: Gazetteer | None = None,
    geoparser: Any = None,
    lookup: OnlineLookup | None = None,
    on_wait: Callable[[], None] | None = None,
    progress: Any = None,
    fetcher: Fetcher | None = None,
    new_store: bool = False,
) -> Result:
    """Read articles, extract and place their incidents, keep them in the store at ``out``.

    ``inputs``: paths of files or folders (``.txt``, ``.md``, ``.html``, ``.jsonl``), URLs
    of article pages, RSS / Atom feeds and OPML lists (fetched by ``fetcher``, by default a
    polite :class:`~geomap.web.Fetcher` with its cache in the store), plain texts, or
    :class:`~geomap.models.Article` objects. With ``out`` a folder, the event
    store ``out/geomap.sqlite`` grows (a rerun adds only what is new) and ``events.csv``,
    ``events.geojson`` and ``map.html`` are written there; with ``out=None`` a temporary
    store is used and nothing is written.

    Inputs that cannot be read are in ``result.report.failed`` (the others go through);
    if none can be read, :class:`WorkflowError`. ``published`` dates articles that give no
    date; ``overrides`` is a corrections file (CSV or YAML), kept in the store for later
    runs; ``jobs``/``engine``/``scheduler`` run extraction in parallel (the same events);
    ``gazetteer``, ``geoparser`` (a :class:`geomap.pipeline.Geoparser`: its spaCy pipeline
    and gazetteer) and ``lookup`` (an :class:`~geomap.geocode.online.OnlineLookup`) are
    used instead of loading the defaults. A damaged store at ``out`` raises
    :class:`~geomap.errors.StoreDamagedError` and nothing is changed; with ``new_store=True``
    it is renamed aside (``result.report.kept_aside``) and a new store is started.
    """
    if isinstance(inputs, (str, os.PathLike, Article)):
        inputs = [inputs]
    inputs = list(inputs)
    # An output folder inside an input folder: its map.html and events.csv are not articles.
    articles, failures = read_inputs(inputs, published=published, fetcher=fetcher, out=out,
                                     skip=[out] if out is not None else [])
    if not articles:
        names = ", ".join(str(i) if not isinstance(i, Article) else i.id for i in inputs)
        raise NoArticlesError(f"no article could be read from {names or 'no input'}", failures)
    _check_parallel(jobs, engine, scheduler, lookup)
    return _workflow(articles=articles, failures=failures, out=out, published=published, overrides=overrides,
                     wait=wait, jobs=jobs, engine=engine, scheduler=scheduler, gazetteer=gazetteer,
                     geoparser=geoparser, lookup=lookup, on_wait=on_wait, progress=progress, new_store=new_store)


def rebuild(
    out: str | os.PathLike[str],
    *,
    overrides: str | os.PathLike[str] | None = None,
    wait: float = DEFAULT_WAIT,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    gazetteer: Gazetteer | None = None,
    geoparser: Any = None,
    lookup: OnlineLookup | None = None,
    on_wait: Callable[[], None] | None = None,
    progress: Any = None,
) -> Result:
    """Extract every article of the store at ``out`` again and rewrite the events, the table and
    the map (after an upgrade of geomap or its gazetteer). Event ids stay those of the first article
    that reported each incident. Options as for :func:`run`."""
    out_dir = Path(out)
    if not (out_dir / STORE_NAME).is_file():
        raise WorkflowError(f"no event store at {out_dir / STORE_NAME}; `geomap run PATH --out {out_dir}` makes one")
    _check_parallel(jobs, engine, scheduler, lookup)
    return _workflow(articles=None, failures=[], out=out_dir, published=None, overrides=overrides, wait=wait,
                     jobs=jobs, engine=engine, scheduler=scheduler, gazetteer=gazetteer, geoparser=geoparser,
                     lookup=lookup, on_wait=on_wait, progress=progress)


def _check_parallel(jobs: int, engine: str, scheduler: str | None, lookup: OnlineLookup | None) -> None:
    if scheduler and engine != "dask":
        raise WorkflowError("a scheduler needs the dask engine (--engine dask)")
    if lookup is not None and (jobs > 1 or engine == "dask"):
        raise WorkflowError("an online geocoder works with one job on the local engine (it has one rate limit, "
                            "which parallel workers would break)")
