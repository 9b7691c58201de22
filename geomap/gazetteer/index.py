"""Read the gazetteer index: look names up, get places by id, country or region."""

from __future__ import annotations

import functools
import math
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from geomap.errors import GazetteerError
from geomap.gazetteer.build import Progress, build_index, check_index, default_index_path, index_key
from geomap.gazetteer.normalize import acronym_key, normalize_name
from geomap.models import Place

__all__ = ["Gazetteer", "open_gazetteer", "REGION_WORDS", "DISTRICT_WORDS"]

# Words that make a name a first-level region: "Kursk region", "Luhansk oblast", "Rakhine State".
REGION_WORDS = frozenset({
    "region", "oblast", "province", "governorate", "krai", "kray", "state",
    "prefecture", "voivodeship", "republic", "territory", "autonomous okrug",
})
_REGION_PREFIXES = ("region of ", "province of ", "state of ", "republic of ", "governorate of ")
# Words for smaller areas around a town ("Bakhmut district", "the Pokrovsk area"): the
# index holds no districts, so these give the town's candidates as they are.
DISTRICT_WORDS = frozenset({"district", "raion", "rayon", "area", "county", "municipality", "outskirts"})

_PLACE_COLUMNS = "p.geonameid, p.name, p.lat, p.lon, p.feature_class, p.feature_code, p.country_code, p.admin1_code, p.admin1_name, p.population, p.radius_km, p.source"


def _place(row: Sequence[Any]) -> Place:
    return Place(*row[:12])


class Gazetteer:
    """The offline gazetteer: exact alias lookup over GeoNames, regions, countries, airports and curated landmarks.

    Open it with :func:`open_gazetteer`; one instance is safe to share between threads.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            # immutable=1: the file never changes once renamed into place, so SQLite skips locking.
            self._con = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            meta = dict(self._con.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error as err:
            raise GazetteerError(f"{self.path}: cannot open the gazetteer index ({err})") from err
        self.meta: dict[str, str] = meta
        self._lock = threading.Lock()
        self._rows = functools.lru_cache(maxsize=65536)(self._query_rows)
        self._common = functools.lru_cache(maxsize=65536)(self._query_common)
        self._has = functools.lru_cache(maxsize=262144)(self._query_has)
        self._stat = _file_identity(self.path)

    def close(self) -> None:
        """Close the database connection."""
        self._con.close()

    def __repr__(self) -> str:
        return f"Gazetteer({str(self.path)!r}, places={self.meta.get('places')}, aliases={self.meta.get('aliases')})"

    # ------------------------------------------------------------------ queries

    def _execute(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        try:
            with self._lock:
                return self._con.execute(sql, params).fetchall()
        except sqlite3.Error as err:
            raise GazetteerError(f"{self.path}: the gazetteer index cannot be read ({err}); rebuild it with open_gazetteer(rebuild=True)") from err

    def _query_rows(self, alias: str) -> tuple[tuple[Place, float, str | None], ...]:
        rows = self._execute(
            f"SELECT {_PLACE_COLUMNS}, a.rank, a.cased FROM aliases a JOIN places p ON p.geonameid = a.geonameid "
            "WHERE a.alias = ? ORDER BY a.rank DESC, p.population DESC, p.geonameid",
            (alias,),
        )
        return tuple((_place(r), r[12], r[13]) for r in rows)

    def _query_has(self, alias: str) -> bool:
        return bool(self._execute("SELECT 1 FROM aliases WHERE alias = ? LIMIT 1", (alias,)))

    def _query_common(self, word: str) -> bool:
        return bool(self._execute("SELECT 1 FROM common_words WHERE word = ?", (word,)))

    def _matches(self, name: str, key: str) -> list[tuple[Place, float]]:
        letters = None
        out = []
        for place, rank, cased in self._rows(key):
            if cased is not None:
                letters = letters if letters is not None else acronym_key(name)
                if letters != cased:
                    continue  # "US" matches the country, "us" does not
            out.append((place, rank))
        return out

    def _region_matches(self, name: str, key: str) -> list[tuple[Place, float]]:
        stem = _region_stem(key)
        if not stem:
            last_space = key.rfind(" ")
            if last_space > 0 and key[last_space + 1 :] in DISTRICT_WORDS:
                return self._matches(name, key[:last_space])
            return []
        candidates = self._matches(name, stem)
        towns = [p for p, _ in candidates if p.feature_class == "P"]
        if towns and normalize_name(towns[0].name) != stem:
            # "Kiev region": the regions named after the city answer to its main name ("Kyiv").
            known = {p.geonameid for p, _ in candidates}
            main = normalize_name(towns[0].name)
            candidates = candidates + [
                (p, r) for p, r in self._matches(main, main)
                if p.feature_code == "ADM1" and p.country_code == towns[0].country_code and p.geonameid not in known
            ]
        regions = [(p, r) for p, r in candidates if p.feature_code == "ADM1" or p.feature_class == "L"]
        if not regions:
            return candidates
        # Within a country the wider region comes first: "Kyiv region" and "Moscow region"
        # mean the oblasts around those cities, not the city-regions the bare names also
        # denote. Countries keep their order; ranks are reassigned to match.
        best: dict[str, float] = {}
        for p, r in regions:
            best.setdefault(p.country_code, r)
        regions.sort(key=lambda pr: (-best[pr[0].country_code], -pr[0].radius_km, pr[0].geonameid))
        out: list[tuple[Place, float]] = []
        seen: dict[str, int] = {}
        for p, _ in regions:
            i = seen[p.country_code] = seen.get(p.country_code, -1) + 1
            out.append((p, best[p.country_code] - 0.3 * i))
        return out

    # ------------------------------------------------------------------ public API

    def lookup_scored(self, name: str, *, country_codes: Sequence[str] | None = None, limit: int | None = None) -> list[tuple[Place, float]]:
        """Return the places a name may mean with their prior probability, most likely first.

        Exact match on the normalised alias. If nothing matches and the name ends in a region
        word ("Kursk region", "Luhansk oblast"), the regions of that name are returned, the
        wider first within a country ("Kyiv region" is Kyiv Oblast before the city-region);
        a district word ("Bakhmut district") gives the town's candidates.
        Priors sum to 1 over the candidates (before ``limit``): countries and regions first,
        then populated places in proportion to population, with boosts for main names and capitals.

        >>> [(p.name, p.feature_code, round(s, 2)) for p, s in open_gazetteer().lookup_scored("Lugansk", limit=2)]
        [('Luhansk', 'PPL', 0.66), ('Luhanska oblast', 'ADM1', 0.33)]
        """
        key = normalize_name(name)
        if not key:
            return []
        found = self._matches(name, key) or self._region_matches(name, key)
        if country_codes is not None:
            wanted = {c.upper() for c in country_codes}
            found = [(p, r) for p, r in found if p.country_code in wanted]
        if not found:
            return []
        top = found[0][1]
        weights = [10 ** max(r - top, -30) for _, r in found]
        total = math.fsum(weights)
        scored = [(p, w / total) for (p, _), w in zip(found, weights)]
        return scored[:limit] if limit is not None else scored

    def lookup(self, name: str, *, country_codes: Sequence[str] | None = None, limit: int | None = None) -> list[Place]:
        """Return the places a name may mean, most likely first (see :meth:`lookup_scored`).

        >>> [(p.name, p.country_code) for p in open_gazetteer().lookup("Kharkov", limit=1)]
        [('Kharkiv', 'UA')]
        """
        return [p for p, _ in self.lookup_scored(name, country_codes=country_codes, limit=limit)]

    def lookup_many(self, names: Iterable[str]) -> dict[str, list[Place]]:
        """Look up many names at once: {name: candidates}, with [] for unknown names.

        >>> sorted(open_gazetteer().lookup_many(["Kyiv", "Nowhereville"]).items())[1]
        ('Nowhereville', [])
        """
        return {name: self.lookup(name) for name in names}

    def has_alias(self, normalized: str) -> bool:
        """Tell cheaply whether a normalised name (see :func:`normalize_name`) is in the index.

        A pre-filter for probing many n-grams: acronyms such as "us" are present here but
        :meth:`lookup` matches them only in capitals. Region and district phrases
        ("kursk region", "bakhmut district") count, as :meth:`lookup` resolves them.

        >>> g = open_gazetteer()
        >>> g.has_alias("luhansk"), g.has_alias("kursk region"), g.has_alias("nowhereville")
        (True, True, False)
        """
        if self._has(normalized):
            return True
        stem = _region_stem(normalized)
        if not stem:
            last_space = normalized.rfind(" ")
            if last_space > 0 and normalized[last_space + 1 :] in DISTRICT_WORDS:
                stem = normalized[:last_space]
        return bool(stem) and self._has(stem)

    def is_place_acronym(self, text: str) -> bool:
        """Tell whether ``text``, exactly as written, is a place's acronym ("EU", "UAE", "DPRK"; not "Eu").

        >>> g = open_gazetteer()
        >>> g.is_place_acronym("EU"), g.is_place_acronym("NATO")
        (True, False)
        """
        letters = acronym_key(text)
        return any(cased == letters for _place, _rank, cased in self._rows(normalize_name(text)))

    def is_common_word(self, normalized: str) -> bool:
        """Tell whether a normalised word is a common English word (spaCy stop words, WordNet adjectives/adverbs/verbs).

        Such words were dropped as alternate names, but a few places are *named* so
        ("Most", "Of", "Police"): a matcher may want more context before taking them.

        >>> open_gazetteer().is_common_word("most")
        True
        """
        return self._common(normalized)

    def get(self, geonameid: int) -> Place | None:
        """Return the place with this GeoNames id (negative for curated places), or None.

        >>> open_gazetteer().get(702658).name
        'Luhansk'
        """
        rows = self._execute(f"SELECT {_PLACE_COLUMNS} FROM places p WHERE p.geonameid = ?", (int(geonameid),))
        return _place(rows[0]) if rows else None

    def country(self, cc: str) -> Place | None:
        """Return the country with this ISO 3166-1 alpha-2 code, or None.

        >>> open_gazetteer().country("ua").name
        'Ukraine'
        """
        rows = self._execute(
            f"SELECT {_PLACE_COLUMNS} FROM places p WHERE p.country_code = ? AND p.feature_class = 'A' AND p.feature_code LIKE 'PCL%'",
            (cc.upper(),),
        )
        return _place(rows[0]) if rows else None

    def admin1(self, country_code: str, admin1_code: str) -> Place | None:
        """Return a first-level region by country and GeoNames admin1 code ("RU", "41" is Kursk Oblast), or None.

        >>> open_gazetteer().admin1("RU", "41").geonameid
        538555
        """
        rows = self._execute(
            f"SELECT {_PLACE_COLUMNS} FROM places p WHERE p.country_code = ? AND p.feature_code = 'ADM1' AND p.admin1_code = ?",
            (country_code.upper(), admin1_code),
        )
        return _place(rows[0]) if rows else None

    def settlements_in(self, south: float, west: float, north: float, east: float) -> list[tuple[str, float, float, int]]:
        """The populated places (GeoNames feature class P) in a box, as (name, lat, lon, population), most populous first.

        >>> [name for name, *_ in open_gazetteer().settlements_in(51.3, 34.8, 51.5, 35.0)][:1]
        ['Korenevo']
        """
        rows = self._execute(
            "SELECT name, lat, lon, population FROM places WHERE feature_class = 'P' "
            "AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? ORDER BY population DESC, geonameid",
            (float(south), float(north), float(west), float(east)),
        )
        return [(str(r[0]), float(r[1]), float(r[2]), int(r[3])) for r in rows]

    def in_country(self, geonameid: int) -> bool | None:
        """Tell whether a place's point lies in its country's Natural Earth polygon (None: no polygon to check).

        >>> open_gazetteer().in_country(702658)
        True
        """
        rows = self._execute("SELECT in_country FROM places WHERE geonameid = ?", (int(geonameid),))
        return None if not rows or rows[0][0] is None else bool(rows[0][0])

    def fuzzy(self, name: str, limit: int = 5, *, min_score: float = 80.0) -> list[tuple[Place, float]]:
        """Return near misses for a name not in the index, as (best place for the alias, similarity 0-100).

        Compares against aliases with the same first letter and a similar length (a typo in
        the first letter is not found). Slower than :meth:`lookup`: keep it off hot paths.

        >>> [p.name for p, _ in open_gazetteer().fuzzy("Mariupl", limit=1)]
        ['Mariupol']
        """
        from rapidfuzz import fuzz, process

        key = normalize_name(name)
        if len(key) < 3:
            return []
        lo, hi = max(1, len(key) - 3), len(key) + 3
        upper = key[0] + "\U0010ffff"
        aliases = [r[0] for r in self._execute(
            "SELECT DISTINCT alias FROM aliases WHERE alias >= ? AND alias < ? AND length(alias) BETWEEN ? AND ?",
            (key[0], upper, lo, hi),
        )]
        best = process.extract(key, aliases, scorer=fuzz.ratio, limit=limit * 3, score_cutoff=min_score)
        out: list[tuple[Place, float]] = []
        seen: set[int] = set()
        for alias, score, _ in best:
            rows = self._rows(alias)
            if rows and rows[0][0].geonameid not in seen:
                seen.add(rows[0][0].geonameid)
                out.append((rows[0][0], float(score)))
        out.sort(key=lambda ps: -ps[1])
        return out[:limit]


def _file_identity(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _region_stem(key: str) -> str:
    for word in REGION_WORDS:
        if key.endswith(" " + word):
            return key[: -len(word) - 1].strip()
    for prefix in _REGION_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):].strip()
    return ""


def _same_file(path: Path, gazetteer: Gazetteer) -> bool:
    # Another process may have rebuilt or damaged the file since it was opened.
    try:
        return _file_identity(path) == gazetteer._stat
    except OSError:
        return False


_OPEN: dict[Path, Gazetteer] = {}
_OPEN_LOCK = threading.Lock()


def open_gazetteer(path: Path | None = None, *, rebuild: bool = False, progress: Progress | None = None) -> Gazetteer:
    """Open the gazetteer index, building it first if it is missing, corrupt or stale.

    The default index lives in the cache (``$GEOMAP_CACHE_DIR`` or ``~/.cache/geomap``);
    the first call builds it (about 20 s), later ones open it in milliseconds. One
    instance per path is kept for the process.

    >>> open_gazetteer().lookup("Kyiv")[0].country_code
    'UA'
    """
    target = Path(path).expanduser() if path is not None else default_index_path()
    with _OPEN_LOCK:
        cached = _OPEN.get(target)
        if cached is not None and not rebuild and _same_file(target, cached):
            return cached
        key = index_key()
        reason = None if rebuild else check_index(target, key)
        if rebuild or reason is not None:
            build_index(target, progress=progress, force=rebuild)
        if cached is not None:
            cached.close()
        gazetteer = Gazetteer(target)
        _OPEN[target] = gazetteer
        return gazetteer
