"""Extracting events with several processes, on this machine or on a Dask cluster.

:func:`extract_parallel` gives exactly what :func:`geomap.pipeline.extract_events` gives
in one process (the same mentions, in the same order, article by article), only
sooner: the articles go out in chunks to worker processes, each of which loads the
spaCy model and opens the gazetteer once and runs ``extract_events`` on its chunks;
the results come back and are put together in input order.

Two engines:

- ``"local"``: a pool of ``jobs`` processes on this machine (``concurrent.futures``,
  started from a fork server where there is one, else with ``spawn``; never plain fork).
- ``"dask"``: ``dask.distributed`` (``pip install 'geomap[dask]'``). With a
  ``scheduler`` address the chunks go to that cluster's workers (each with geomap
  installed and its gazetteer built); without one a ``LocalCluster`` of ``jobs``
  single-threaded worker processes is started for the call and closed after it.

Chunks start at multiples of the pipeline's spaCy batch size, so every worker feeds the
model the very batches the single process would: the results do not depend on ``jobs``.
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geomap.errors import GeomapError
from geomap.models import Article, Mention

if TYPE_CHECKING:  # the model and spaCy load only where extraction runs
    from geomap.extract.events import EventMention
    from geomap.pipeline import ExtractResult, Geoparser

__all__ = ["ENGINES", "ParallelError", "extract_parallel", "dask_missing_message", "chunk_articles"]

ENGINES: tuple[str, ...] = ("local", "dask")
"""The engines :func:`extract_parallel` knows."""

CHUNK_BATCHES = 1
"""Articles per chunk, in spaCy batches (``geomap.pipeline.BATCH`` articles each)."""


class ParallelError(GeomapError, RuntimeError):
    """Parallel extraction could not start or a worker failed."""


def dask_missing_message() -> str:
    """What to tell someone who asks for the Dask engine without ``distributed`` installed.

    >>> print(dask_missing_message())
    the dask engine needs dask.distributed, which is not installed; install it with: pip install 'geomap[dask]'
    """
    return "the dask engine needs dask.distributed, which is not installed; install it with: pip install 'geomap[dask]'"


def _check_options(jobs: int, engine: str, scheduler: str | None) -> None:
    if engine not in ENGINES:
        raise ParallelError(f"unknown engine {engine!r} (expected one of {', '.join(map(repr, ENGINES))})")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ParallelError(f"jobs must be a whole number of at least 1, got {jobs!r}")
    if scheduler is not None and engine != "dask":
        raise ParallelError(f"a scheduler address ({scheduler!r}) needs the dask engine, not {engine!r}")


def chunk_articles(articles: Sequence[Article], size: int) -> list[list[Article]]:
    """Split ``articles`` into consecutive chunks of ``size`` (the last one may be shorter).

    >>> [len(c) for c in chunk_articles([Article(str(i), "x") for i in range(5)], 2)]
    [2, 2, 1]
    """
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size}")
    return [list(articles[i : i + size]) for i in range(0, len(articles), size)]


def extract_parallel(
    articles: Sequence[Article],
    *,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    published: dt.date | None = None,
    geoparser: Geoparser | None = None,
    gazetteer: Any | None = None,
    on_article: Callable[[Article], None] | None = None,
    on_extracted: Callable[[Article, list[EventMention], list[Mention]], None] | None = None,
    chunk_size: int | None = None,
) -> ExtractResult:
    """Find the event mentions of each article with ``jobs`` worker processes.

    The result equals ``geomap.pipeline.extract_events(articles, published=published)``
    in one process: same mentions, same order. ``on_extracted(article, mentions,
    toponyms)`` and ``on_article(article)`` are called in this process, in input order,
    as soon as an article and all before it are done (the event store saves there).

    Parameters:
        articles: the articles, in the order their results should come back.
        jobs: worker processes (``local``), or the ``LocalCluster``'s worker processes
            (``dask`` without ``scheduler``). ``jobs=1`` with ``local`` runs in this process.
        engine: ``"local"`` (a process pool on this machine) or ``"dask"``.
        scheduler: a Dask scheduler address (``tcp://host:8786``); its workers need
            geomap installed and the same gazetteer (``geomap geocode Kyiv`` builds it).
        published: the publication date of articles that give none.
        geoparser: used as is when the work stays in this process; otherwise the
            workers open its gazetteer's index file (``local`` engine and a local Dask
            cluster) and must be offline: an online geocoder has one rate limit, which
            parallel workers would break.
        gazetteer: instead of ``geoparser``, the lookup to resolve names with (an open
            :class:`~geomap.gazetteer.Gazetteer`); no model is loaded in this process
            unless the work stays here.
        on_article, on_extracted: progress and per-article callbacks, as for ``extract_events``.
        chunk_size: articles sent to a worker at a time; by default the pipeline's spaCy
            batch (16), so that each worker feeds the model the batches one process would.

    Raises:
        ParallelError: a wrong engine or ``jobs``, Dask not installed, a worker that died
            or has another gazetteer than this process.

    Example:
        >>> from geomap.parallel import extract_parallel
        >>> r = extract_parallel([Article("a", "Shelling hit Donetsk on Monday.")], jobs=2)  # doctest: +SKIP
        >>> [m.place.text for m in r.mentions]  # doctest: +SKIP
        ['Donetsk']
    """
    _check_options(jobs, engine, scheduler)
    if chunk_size is not None and chunk_size < 1:
        raise ParallelError(f"chunk_size must be at least 1, got {chunk_size!r}")
    from geomap.pipeline import BATCH, ExtractResult, extract_events

    articles = list(articles)
    if engine == "local" and (jobs == 1 or not articles):
        if geoparser is None and gazetteer is not None:
            from geomap.pipeline import Geoparser

            geoparser = Geoparser(gazetteer)
        return extract_events(articles, geoparser=geoparser, published=published,
                              on_article=on_article, on_extracted=on_extracted)
    if engine == "dask":
        distributed = _import_distributed()  # before anything is loaded, so a missing extra fails fast
    if not articles:
        return ExtractResult()
    local_index = _local_index_path(geoparser.gazetteer if geoparser is not None else gazetteer)
    # A cluster's workers open their own machine's default index; local ones, this process's.
    index_path = None if scheduler else local_index
    chunks = chunk_articles(articles, chunk_size or BATCH * CHUNK_BATCHES)
    if engine == "local":
        parts = _run_local(chunks, jobs=jobs, index_path=index_path, published=published)
    else:
        parts = _run_dask(distributed, chunks, jobs=jobs, scheduler=scheduler, index_path=index_path,
                          published=published)
    expected = fingerprint(_index_key(local_index))
    result = ExtractResult()
    for chunk, (worker, found) in zip(chunks, parts):
        _check_fingerprint(expected, worker, scheduler)
        for article, (mentions, toponyms) in zip(chunk, found, strict=True):
            result.toponyms[article.id] = toponyms
            result.mentions.extend(mentions)
            if on_extracted:
                on_extracted(article, mentions, toponyms)
            if on_article:
                on_article(article)
    return result


# -- the gazetteer the workers open, and checking they extract as this process would -------------


def _local_index_path(lookup: Any | None) -> Path:
    """The index file of this process's gazetteer (built now if need be, once, not by each worker)."""
    from geomap.gazetteer import Gazetteer, open_gazetteer

    if lookup is None:
        return open_gazetteer().path
    if not isinstance(lookup, Gazetteer):
        raise ParallelError(
            f"parallel extraction works with the offline gazetteer only, not {type(lookup).__name__} "
            "(an online geocoder has one rate limit that parallel workers would break); use one job"
        )
    return lookup.path


def fingerprint(index_key: str | None) -> dict[str, str]:
    """What decides an extraction's results besides the text: geomap's version, a digest of its
    code and data files, the gazetteer index and the spaCy package.

    Workers report theirs with every chunk; one that differs from this process's (another
    geomap on a cluster machine, a data file changed while the run went on) stops the run
    rather than mixing two extractions in one table.
    """
    import importlib.metadata

    def version(package: str) -> str:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return "-"

    return {
        "geomap": version("geomap"),
        "gazetteer index": index_key or "-",
        "code and data": code_digest(),
        "spaCy": version("spacy"),
    }


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of geomap's Python files and shipped data (models, lexicons, weights), read once
    per process: a worker whose files differ (another checkout, an edit during the run) is caught
    even where the version number is the same."""
    import hashlib
    import importlib.resources

    digest = hashlib.sha1()
    package = Path(__file__).parent
    files = sorted(p for p in package.rglob("*.py") if "render" not in p.relative_to(package).parts)
    data = importlib.resources.files("geomap.data")
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for entry in sorted(data.iterdir(), key=lambda e: e.name):
        if entry.is_file() and entry.name.endswith((".csv", ".json", ".npz")):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()[:12]


def _check_fingerprint(expected: dict[str, str], got: dict[str, str], scheduler: str | None) -> None:
    differ = [f"{key} {got.get(key)!r} instead of {value!r}" for key, value in expected.items() if got.get(key) != value]
    if differ:
        where = f"a worker of {scheduler}" if scheduler else "a worker process"
        raise ParallelError(
            f"{where} extracts with {'; '.join(differ)}: install the same geomap everywhere "
            "and build its gazetteer there (geomap geocode Kyiv)"
        )


# -- what runs in a worker process -----------------------------------------------------------

_LOAD_LOCK = threading.Lock()


@functools.lru_cache(maxsize=2)
def _cached_geoparser(index_path: str | None) -> Geoparser:
    from geomap.gazetteer import open_gazetteer
    from geomap.pipeline import Geoparser

    return Geoparser(open_gazetteer(Path(index_path) if index_path else None))


def _index_key_of(geoparser: Geoparser) -> str | None:
    meta = getattr(geoparser.gazetteer, "meta", None)  # a worker's geoparser holds a Gazetteer
    return meta.get("index_key") if meta is not None else None


def worker_geoparser(index_path: str | None = None) -> Geoparser:
    """The Geoparser of this worker process: the model and the gazetteer, loaded on first use only.

    ``index_path`` None opens the worker's default index (``$GEOMAP_CACHE_DIR``).
    """
    with _LOAD_LOCK:  # a Dask worker may run tasks in several threads
        return _cached_geoparser(index_path)


def _index_key(index_path: Path) -> str | None:
    from geomap.gazetteer import open_gazetteer

    return open_gazetteer(index_path).meta.get("index_key")


def _init_worker(index_path: str | None) -> None:
    worker_geoparser(index_path)


def extract_chunk(
    articles: Sequence[Article], published: dt.date | None, index_path: str | None
) -> tuple[dict[str, str], list[tuple[list[EventMention], list[Mention]]]]:
    """Run ``extract_events`` on one chunk in a worker: the worker's :func:`fingerprint` and
    (mentions, toponyms) per article."""
    from geomap.pipeline import extract_events

    geoparser = worker_geoparser(index_path)
    found: list[tuple[list[EventMention], list[Mention]]] = []
    extract_events(articles, geoparser=geoparser, published=published,
                   on_extracted=lambda _article, mentions, toponyms: found.append((mentions, toponyms)))
    return fingerprint(_index_key_of(geoparser)), found


# -- the local engine ---------------------------------------------------------------------------


def _run_local(chunks: list[list[Article]], *, jobs: int, index_path: Path | None,
               published: dt.date | None) -> Iterator[tuple[dict[str, str], list]]:
    path = str(index_path) if index_path is not None else None
    workers = min(jobs, len(chunks))
    # Not fork: the parent may hold threads (progress bars, SQLite) that fork would copy in a
    # broken state. A fork server (Linux, macOS) forks each worker from a clean process that
    # has imported the pipeline once (measured: 0.6 s less per run of 1,000 articles on 2
    # workers); Windows has only spawn.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["geomap.pipeline"])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                             initargs=(path,)) as pool:
        futures = [pool.submit(extract_chunk, chunk, published, path) for chunk in chunks]
        try:
            for future in futures:
                yield future.result()
        except BrokenProcessPool as err:
            raise ParallelError(f"a worker process died ({err}); try fewer jobs if memory ran out") from err
        finally:
            for future in futures:
                future.cancel()


# -- the Dask engine ------------------------------------------------------------------------------


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as err:
        raise ParallelError(dask_missing_message()) from err
    return distributed


def _run_dask(distributed: Any, chunks: list[list[Article]], *, jobs: int, scheduler: str | None,
              index_path: Path | None, published: dt.date | None) -> Iterator[tuple[dict[str, str], list]]:
    path = str(index_path) if index_path is not None else None
    cluster = None
    try:
        if scheduler:
            client = distributed.Client(scheduler)
        else:
            cluster = distributed.LocalCluster(n_workers=min(jobs, len(chunks)), threads_per_worker=1,
                                               processes=True, dashboard_address=None)
            client = distributed.Client(cluster)
    except (OSError, TimeoutError) as err:
        raise ParallelError(f"cannot reach the Dask scheduler {scheduler or '(local cluster)'}: {err}") from err
    try:
        with client:
            _start_workers(client, path, scheduler)
            futures = client.map(extract_chunk, chunks, published=published, index_path=path, pure=False)
            for i, future in enumerate(futures):
                yield future.result()
                futures[i] = None  # let the worker drop the chunk's result
    finally:
        if cluster is not None:
            cluster.close()


WORKER_WAIT_SECONDS = 60.0
"""How long to wait for a remote scheduler to have at least one worker."""


def _start_workers(client: Any, index_path: str | None, scheduler: str | None) -> None:
    """Load the model and open the gazetteer on every worker now, so that a worker without
    geomap (or whose gazetteer cannot be built) fails before the run, saying so."""
    if not client.scheduler_info().get("workers"):
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
        except TimeoutError as err:
            raise ParallelError(
                f"the Dask scheduler {scheduler} has no workers (waited {WORKER_WAIT_SECONDS:.0f} s); "
                f"start some with: dask worker {scheduler}"
            ) from err
    try:
        client.run(_init_worker, index_path)
    except Exception as err:  # whatever a worker raised, it comes back here
        raise ParallelError(f"a Dask worker cannot load geomap's model and gazetteer: {type(err).__name__}: {err}") from err
