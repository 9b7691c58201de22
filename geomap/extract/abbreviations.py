"""Region abbreviations as news writes them after a town ("Fla.", "Alta.", "N.S.W.", "FL"), from data/region_abbreviations.csv,
and the short forms it writes alone ("NSW", "T&T")."""

from __future__ import annotations

import csv
import functools
import importlib.resources

__all__ = ["STANDALONE_ABBREVIATIONS", "dotted_abbreviations", "region_abbreviation"]


# Short forms news writes alone, without a town before them ("horses from NSW", "the T&T
# mission"), with the regions or countries each may stand for. Such a form is read as one of
# them only where the document names another place of that country (the resolver's check):
# "SA" is South Africa in a story on Johannesburg and South Australia in one on Adelaide.
STANDALONE_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "NSW": ("New South Wales",),
    "QLD": ("Queensland",),
    "SA": ("South Africa", "South Australia"),
    "WA": ("Western Australia", "Washington"),
    "NT": ("Northern Territory", "Northwest Territories"),
    "ACT": ("Australian Capital Territory",),
    "BC": ("British Columbia",),
    "QC": ("Quebec",),
    "PEI": ("Prince Edward Island",),
    "NZ": ("New Zealand",),
    "PNG": ("Papua New Guinea",),
    "T&T": ("Trinidad and Tobago",),
    "KZN": ("KwaZulu-Natal",),
    "J&K": ("Jammu and Kashmir",),
}


@functools.lru_cache(maxsize=1)
def _abbreviations() -> dict[str, tuple[str, bool]]:
    """{abbreviation as written: (region name, readable without a comma before it)} from data/region_abbreviations.csv.

    AP's US abbreviations ("Calif.", "N.J.") and any with two dots or more ("N.S.W.",
    "B.C.") are abbreviations wherever they stand; one that is also a word or a town
    ("Man.", "Alta.", "Vic.") and the postal codes ("FL", "NSW") only after a town and
    its comma ("Brandon, Man.").
    """
    table: dict[str, tuple[str, bool]] = {}
    with importlib.resources.files("geomap.data").joinpath("region_abbreviations.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            abbreviation = row["abbreviation"]
            free = "." in abbreviation and (row["country_code"] == "US" or abbreviation.count(".") >= 2)
            table[abbreviation] = (row["name"], free)
    return table


def dotted_abbreviations() -> list[str]:
    """The region abbreviations written with a final dot ("Alta.", "N.S.W."), which the tokenizer must keep whole."""
    return sorted(a for a in _abbreviations() if a.endswith("."))


def region_abbreviation(text: str, *, after_comma: bool = False) -> str | None:
    """The region an abbreviation names: "Fla." is Florida; "FL" or "Alta." only after a comma ("Tampa, FL").

    >>> region_abbreviation("Calif."), region_abbreviation("CA"), region_abbreviation("CA", after_comma=True)
    ('California', None, 'California')
    >>> region_abbreviation("Man."), region_abbreviation("Man.", after_comma=True), region_abbreviation("N.S.W.")
    (None, 'Manitoba', 'New South Wales')
    """
    found = _abbreviations().get(text.strip())
    if found is None:
        return None
    name, free = found
    return name if free or after_comma else None
