"""The alias keys of a place being built: its names, normalised and filtered (codes, machine romanisations,
other scripts and common words dropped), Cyrillic ones romanised as English news spells them."""

from __future__ import annotations

from geomap.gazetteer.normalize import (
    acronym_key,
    has_supported_script,
    is_code_like,
    is_cyrillic,
    is_machine_romanisation,
    normalize_name,
    romanize_russian,
    romanize_ukrainian,
)
from geomap.gazetteer.sources import Entry

# Countries whose Cyrillic alternate names are romanised into the spellings English news uses.
ROMANISED_COUNTRIES = frozenset({"RU", "UA", "BY", "KZ", "KG", "TJ", "TM", "UZ", "MD", "GE", "AM", "AZ"})


Aliases = dict[str, tuple[int, "str | None"]]
"""One place's alias keys: {normalized alias: (is main name, case-sensitive form or None)}."""


class AliasKeys:
    """Alias keys of places, with the filters applied."""

    def __init__(self, common: frozenset[str]) -> None:
        self.common = common
        self._romanised: dict[tuple[str, bool], tuple[str, ...]] = {}

    def key(self, alternate: str) -> str:
        """The key of an alternate name, or "" if it is a code, a machine romanisation, another script or a common word."""
        if not alternate or not has_supported_script(alternate) or is_machine_romanisation(alternate) or is_code_like(alternate):
            return ""
        key = normalize_name(alternate)
        return "" if key in self.common else key

    def romanised(self, alternate: str, ukrainian: bool) -> tuple[str, ...]:
        found = self._romanised.get((alternate, ukrainian))
        if found is None:
            variants = romanize_russian(alternate) + (romanize_ukrainian(alternate) if ukrainian else [])
            keys = (normalize_name(v) for v in variants)
            found = tuple(k for k in dict.fromkeys(keys) if k and k not in self.common)
            self._romanised[(alternate, ukrainian)] = found
        return found

    def __call__(self, e: Entry) -> Aliases:
        """Alias keys of one place: {normalized alias: (is main name, case-sensitive form or None)}."""
        out: Aliases = {}
        main = normalize_name(e.name)
        if main:
            out[main] = (1, None)
        romanise = e.country_code in ROMANISED_COUNTRIES
        for alt in e.alternates:
            key = self.key(alt)
            if key and key not in out:
                out[key] = (0, None)
            if romanise and not alt.isascii() and is_cyrillic(alt):
                for key in self.romanised(alt, e.country_code == "UA"):
                    out.setdefault(key, (0, None))
        for name in e.trusted:
            key = normalize_name(name)
            if key and key not in out:
                out[key] = (0, None)
        for acronym in e.acronyms:
            key = normalize_name(acronym)
            if key and key not in out:
                out[key] = (0, acronym_key(acronym))
        return out
