"""Which words report an incident, of which ACLED type and sub-type, and how sure the sentence is
(reported, unconfirmed, claimed, denied, planned; hypothetical ones are no incident)."""

from __future__ import annotations

import csv
import importlib.resources
import io
from dataclasses import dataclass

from spacy.tokens import Span, Token

EXPLOSIONS = "Explosions/Remote violence"
BATTLES = "Battles"
VAC = "Violence against civilians"
PROTESTS = "Protests"
RIOTS = "Riots"
STRATEGIC = "Strategic developments"


@dataclass(frozen=True)
class Trigger:
    """What a trigger word says: the ACLED type and sub-type, and how strongly it
    names the mechanism (a generic "killed" yields to "missile strike")."""

    event_type: str
    sub_event_type: str
    strength: int = 2
    pos: tuple[str, ...] = ("NOUN", "VERB")


SHELLING = "Shelling/artillery/missile attack"
AIR = "Air/drone strike"
IED = "Remote explosive/landmine/IED"


def read_triggers() -> dict[str, Trigger]:
    """The trigger words of ``data/event_triggers.csv`` (word, event_type, sub_event_type,
    strength, pos), in the file's order: what each says and how strongly.

    >>> read_triggers()["missile strike"]
    Trigger(event_type='Explosions/Remote violence', sub_event_type='Shelling/artillery/missile attack', strength=4, pos=('NOUN', 'VERB'))
    """
    text = importlib.resources.files("geomap.data").joinpath("event_triggers.csv").read_text(encoding="utf-8")
    out: dict[str, Trigger] = {}
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            out[row["word"]] = Trigger(row["event_type"], row["sub_event_type"], int(row["strength"]),
                                       tuple(row["pos"].split()))
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"data/event_triggers.csv:{line}: bad trigger row {row!r} ({err})") from err
    return out


# Adding a trigger word (or an event type's words) is a row of data/event_triggers.csv.
TRIGGERS: dict[str, Trigger] = read_triggers()
VIOLENT_TYPES = frozenset({EXPLOSIONS, BATTLES, VAC})
# A remote weapon named next to a killing word sets the sub-type.
SUBTYPE_CUES = {
    "drone": AIR, "airstrike": AIR, "aircraft": AIR, "jet": AIR, "warplane": AIR, "air": AIR,
    "missile": SHELLING, "rocket": SHELLING, "artillery": SHELLING, "shelling": SHELLING, "mortar": SHELLING,
    "car": IED, "roadside": IED, "ied": IED, "mine": IED, "landmine": IED,
}
# Words that do not make an incident of a trigger: "shoot down" a drone, a "talk show".
_PARTICLE_EXCLUDE = {("shoot", "down"), ("strike", "down"), ("strike", "out"), ("fight", "back")}
# What a trigger verb takes that gives it another sense: one "captures" a title, a medal or
# the moment as one captures a town ("captured her second title", "cameras captured the
# scene"), one "demonstrates" that something holds or "demonstrates" a skill as one
# demonstrates in a square ("demonstrated that ...", "is demonstrated by the fact"), and
# one "shoots" to fame.
_PRIZES = frozenset(
    """title titles crown crowns win wins victory victories medal medals gold silver bronze pole trophy
    trophies cup cups championship championships race races stage stages vote votes share
    attention imagination mood moment moments image images essence spirit award awards prize prizes
    downhill slalom final finals game games wicket wickets audience audiences""".split()
)
_RECORDERS = frozenset("camera cameras video videos footage photo photos photograph photographs photographer photographers film lens".split())
_FAME = frozenset("fame stardom prominence top celebrity".split())


def other_sense(token: Token) -> bool:
    """Whether a trigger verb's own words give it a sense that reports no incident: "captured
    the title", "cameras captured the scene", "demonstrated that ...", "shot to fame"."""
    if token.pos_ != "VERB":
        return False
    lemma = token.lemma_.lower()
    if lemma in ("capture", "seize"):
        taken = [c for c in token.children if c.dep_ in ("dobj", "nsubjpass")]
        by = [c for c in token.children if c.dep_ == "nsubj"]
        return (any(t.lemma_.lower() in _PRIZES for t in taken)
                or any(t.lemma_.lower() in _RECORDERS for t in by))
    if lemma == "demonstrate":
        # "demonstrated Sunday" is a day, not a thing shown (nor the "0" of a mis-parsed "1-0")
        return any(c.dep_ in ("ccomp", "nsubjpass") or c.dep_ == "dobj" and c.is_alpha and c.ent_type_ not in ("DATE", "TIME")
                   for c in token.children)
    if lemma == "shoot":
        return any(c.dep_ == "prep" and c.lower_ == "to" and any(g.lower_ in _FAME for g in c.children)
                   for c in token.children)
    return False


_UNCONFIRMED_CUES = frozenset({"unconfirmed", "reportedly", "allegedly", "purportedly", "unverified", "rumour", "rumor"})
_PLANNED_CUES = frozenset(
    """possibility plan schedule upcoming next future propose prepare intend expect
    possible potential proposed planned scheduled would will""".split()
)
# Verbs that say the deed after them was done: "managed to capture", "began to shell",
# "continued to shell" report the capture and the shelling, where "tried to", "vowed to"
# do not.
IMPLICATIVE = frozenset({"manage", "succeed", "begin", "start", "continue", "proceed", "resume"})
_HYPOTHETICAL_CUES = frozenset({"threaten", "capacity", "capability", "able", "ability", "could", "might", "may", "would", "warn", "vow", "aim", "intend", "try", "prevent", "designed"})


# Generic verbs that report an incident only with a weapon in their clause:
# "fired rockets at", "a shell hit", not "fired 20 workers", "the economy was hit".
_WEAPON_VERBS = frozenset({"fire", "hit", "target"})
WEAPONS = frozenset(
    """rocket rockets missile missiles shell shells mortar mortars artillery bullet bullets
    shot shots gun guns gunfire round rounds grenade grenades bomb bombs drone drones
    airstrike airstrikes strike strikes tank tanks projectile projectiles explosive
    explosives rpg weapon weapons militant militants gunman gunmen sniper snipers
    troops forces soldiers jet jets aircraft warplane warplanes helicopter helicopters""".split()
)


_EXPLOSIVES = frozenset({"rocket", "missile", "shell", "mortar", "artillery", "grenade", "bomb", "projectile", "drone"})


def _has_weapon(token: Token) -> bool:
    words = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass", "dobj", "agent", "prep")]
    for child in words:
        for t in child.subtree:
            if t.lower_ in WEAPONS or t.lemma_.lower() in WEAPONS:
                return True
    return any(c.dep_ == "prep" and c.lower_ in ("on", "at", "upon") for c in token.children) and token.lemma_.lower() == "fire"


def trigger_of(token: Token) -> Trigger | None:
    if token.pos_ not in ("NOUN", "VERB", "PROPN"):
        return None
    lemma = token.lemma_.lower()
    if token.i + 1 < len(token.doc):
        pair = f"{lemma} {token.doc[token.i + 1].lemma_.lower()}"
        if pair in TRIGGERS:
            return TRIGGERS[pair]
    if token.i > 0:
        pair = f"{token.doc[token.i - 1].lower_} {lemma}"
        if pair in TRIGGERS:
            return TRIGGERS[pair]
    trig = TRIGGERS.get(lemma) or TRIGGERS.get(token.lower_)
    if trig is None:
        return None
    pos = "NOUN" if token.pos_ == "PROPN" else token.pos_
    if pos not in trig.pos:
        return None
    if any((lemma, c.lower_) in _PARTICLE_EXCLUDE for c in token.children if c.dep_ == "prt"):
        return None
    if other_sense(token):
        return None
    if lemma in _WEAPON_VERBS and not _has_weapon(token):
        return None
    if lemma == "fire" and not any(t.lemma_.lower() in _EXPLOSIVES for c in token.children for t in c.subtree):
        return Trigger(VAC, "Attack", 1, ("VERB",))  # gunfire, not shelling
    return trig


def ancestors_and_self(token: Token) -> list[Token]:
    return [token, *token.ancestors]


def is_hypothetical(token: Token) -> bool:
    """ "capacity to shoot down", "threatened to strike", "could attack"."""
    for node in ancestors_and_self(token)[:4]:
        if any(c.dep_ == "aux" and c.lower_ in ("could", "might", "may", "would", "should") for c in node.children):
            return True
        if node is not token and node.lemma_.lower() in _HYPOTHETICAL_CUES:
            return True
        if (node.dep_ in ("xcomp", "acl") and any(c.lower_ == "to" and c.dep_ == "aux" for c in node.children)
                and not (node.dep_ == "xcomp" and node.head.lemma_.lower() in IMPLICATIVE)):
            return True
    return False


def sentence_status(token: Token, sent: Span) -> str:
    chain = ancestors_and_self(token)
    lemmas = {t.lemma_.lower() for t in chain}
    children = [c for node in chain[:3] for c in node.children]
    if any(c.lower_ in ("will", "'ll") for c in children) or lemmas & {"plan", "schedule", "possibility", "prepare"}:
        return "planned"
    if any(c.lower_ in _PLANNED_CUES and c.dep_ in ("amod", "aux") for c in children):
        return "planned"
    if token.lemma_.lower() in ("talk", "negotiation", "summit") and lemmas & {"agree", "discuss", "hold", "continue", "resume"}:
        return "planned"
    if lemmas & {"deny"}:
        return "denied"
    for cue in sent:
        low = cue.lower_
        if low in _UNCONFIRMED_CUES or (cue.lemma_.lower() == "report" and cue.pos_ == "NOUN"):
            scope = cue
            if low in _UNCONFIRMED_CUES:
                while scope.pos_ not in ("VERB", "AUX") and scope.head.i != scope.i:
                    scope = scope.head
            if scope in chain:
                return "unconfirmed"
    if lemmas & {"claim"}:
        return "claimed"
    return "reported"
