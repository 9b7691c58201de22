"""Actors: the actor as the text writes it, cleaned of counts and weapons, and its
ACLED-style name with ACLED's inter code.

ACLED names most actors by a template over a country ("Protesters (Georgia)",
"Civilians (Ukraine)", "Unidentified Armed Group (Afghanistan)", "Military Forces of
Russia (2000-)") and armed groups by a catalogue ("JNIM: Group for Support of Islam and
Muslims"). ``data/acled_actors.json`` (``bench/derive_actors.py``, from the actors coded
in ACLED's training notes) gives the state forces' period names and the catalogue; the
country comes from a demonym in the actor ("Russian forces") or else the event's place.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
from dataclasses import dataclass

__all__ = ["AcledActor", "clean_actor", "acled_actor", "INTER_CODES"]

# ACLED's inter codes.
INTER_CODES = {1: "State forces", 2: "Rebel groups", 3: "Political militias", 4: "Identity militias",
               5: "Rioters", 6: "Protesters", 7: "Civilians", 8: "External/other forces"}

_COUNT_WORDS = frozenset(
    """at least some about around nearly almost over more than up to several many dozens
    hundreds thousands scores a an the one two three four five six seven eight nine ten
    eleven twelve dozen fifteen twenty thirty forty fifty hundred thousand other others
    another all both""".split()
)
WEAPON_WORDS = frozenset(
    """mortar mortars rocket rockets missile missiles shell shells artillery bomb bombs drone
    drones grenade grenades ied ieds bullet bullets gun guns gunfire shot shots round rounds
    explosive explosives mine mines landmine landmines tank tanks projectile projectiles
    weapon weapons fire airstrike airstrikes strike strikes explosion blast rpg rpgs""".split()
)
_MILITARY = frozenset(
    """soldier soldiers troop troops army armies military forces force armed navy naval marine marines
    airforce gendarme gendarmes gendarmerie paratroopers servicemen serviceman jets warplanes
    aircraft helicopters fama security""".split()
)
_ARMED_TYPES = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})
_POLICE = frozenset("""police policemen policeman cop cops constable constables""".split())
_PROTESTERS = frozenset("""protesters protestors demonstrators protester demonstrator marchers""".split())
_RIOTERS = frozenset("""rioters rioter mob mobs""".split())
_ARMED = frozenset(
    """gunmen gunman assailants assailant attackers attacker unidentified unknown bandits bandit
    militants militant armed kidnappers kidnapper abductors rebels rebel insurgents insurgent
    militia militias militiamen jihadists jihadist""".split()
)
_CIVILIANS = frozenset(
    """civilian civilians resident residents villager villagers man men woman women child children
    boy boys girl girls farmer farmers herder herders family families passenger passengers people
    person worker workers student students journalist journalists teacher teachers trader traders
    shopkeeper businessman businessmen driver drivers pupil pupils elder elders activist activists
    couple victim victims teenager teenagers youth youths minor minors""".split()
)


_WIRE_PREFIX = re.compile(r"^(?:[A-Z]{3,}\s*[-:–—]\s*)+")


@dataclass(frozen=True)
class AcledActor:
    """An actor as ACLED names it, and its inter code (:data:`INTER_CODES`)."""

    name: str
    inter: int


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    data = json.loads(importlib.resources.files("geomap.data").joinpath("acled_actors.json").read_text(encoding="utf-8"))
    named = []
    for group in data["named"]:
        for alias in group["aliases"]:
            # An acronym matches as written ("ADF"), a name in any case.
            flags = 0 if alias.isupper() else re.I
            named.append((re.compile(rf"(?<!\w){re.escape(alias)}(?!\w)", flags), group["name"], group["inter"], len(alias)))
    named.sort(key=lambda t: -t[3])
    data["_named"] = named
    return data


def clean_actor(text: str | None) -> str | None:
    """The actor as written, or None where the phrase is a number, a count or a weapon:
    "At least 19", "four members", "mortars" are not actors.

    >>> clean_actor("At least 19"), clean_actor("mortars"), clean_actor("Russian forces")
    (None, None, 'Russian forces')
    """
    if not text:
        return None
    text = _WIRE_PREFIX.sub("", text).strip()  # "URGENT - Suicide bomber"
    words = re.findall(r"[\w'-]+", text.lower())
    if not words:
        return None
    content = [w for w in words if w not in _COUNT_WORDS and not w[0].isdigit() and w not in ("of", "and")]
    if not content:
        return None
    if all(w in WEAPON_WORDS for w in content):
        return None
    # A count of people with no name or kind beyond "members" / "people" says who only with its number.
    first = words[0]
    if (first[0].isdigit() or first in _COUNT_WORDS - {"the", "a", "an"}) and all(
        w in ("members", "member", "people", "persons", "others", "individuals") for w in content
    ):
        return None
    return text


def country_name(code: str | None) -> str | None:
    """ACLED's name of a country (ISO 3166-1 alpha-2)."""
    if not code:
        return None
    return _data()["countries"].get(code.upper())


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def acled_actor(
    text: str | None,
    *,
    event_type: str,
    role: str,
    event_country: str | None,
    actor_country: str | None = None,
) -> AcledActor | None:
    """ACLED's name for an actor written ``text`` (None when absent) in an event of
    ``event_type`` placed in ``event_country`` (ISO code); ``actor_country`` is the
    country a demonym in the actor names ("Russian forces": RU). ``role`` is
    ``"actor1"`` (who acted) or ``"actor2"`` (who was acted upon).

    >>> acled_actor("Russian troops", event_type="Battles", role="actor1", event_country="UA", actor_country="RU")
    AcledActor(name='Military Forces of Russia (2000-)', inter=8)
    >>> acled_actor(None, event_type="Protests", role="actor1", event_country="GE")
    AcledActor(name='Protesters (Georgia)', inter=6)
    """
    data = _data()
    place = country_name(event_country)
    if text:
        for pattern, name, inter, _ in data["_named"]:
            if pattern.search(text):
                return AcledActor(name, inter)
    words = _words(text) if text else set()
    home = actor_country or event_country
    country = country_name(home)
    foreign = bool(actor_country and event_country and actor_country != event_country)
    # A bare demonym acting in a violent event is its state's forces: "a Ukrainian strike".
    bare = bool(actor_country) and not (words & (_PROTESTERS | _RIOTERS | _ARMED | _CIVILIANS))
    if words & _POLICE or words & _MILITARY or (bare and role == "actor1" and event_type in _ARMED_TYPES):
        if country is None:
            return None
        kind = "police" if words & _POLICE else "military"
        forces = data["state_forces"].get(country, {})
        name = forces.get(kind) or f"{'Police' if kind == 'police' else 'Military'} Forces of {country}"
        return AcledActor(name, 8 if foreign else 1)
    if place is None:
        return None
    # Where the text names no actor, the event type says who ACLED would code.
    # Who protests is a protester, whatever else the text calls them ("students staged a protest").
    unnamed = text is None
    if words & _PROTESTERS or (role == "actor1" and event_type == "Protests"):
        return AcledActor(f"Protesters ({place})", 6)
    if words & _RIOTERS or (role == "actor1" and event_type == "Riots"):
        return AcledActor(f"Rioters ({place})", 5)
    if words & _ARMED:
        return AcledActor(f"Unidentified Armed Group ({place})", 3)
    if words & _CIVILIANS or (unnamed and role == "actor2" and event_type == "Violence against civilians"):
        return AcledActor(f"Civilians ({place})", 7)
    return None
