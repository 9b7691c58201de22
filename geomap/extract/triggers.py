"""Which words report an incident, of which ACLED type and sub-type, and how sure the sentence is
(reported, unconfirmed, claimed, denied, planned; hypothetical ones are no incident)."""

from __future__ import annotations

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
TRIGGERS: dict[str, Trigger] = {
    "strike": Trigger(EXPLOSIONS, AIR, 3),
    "missile strike": Trigger(EXPLOSIONS, SHELLING, 4),
    "missile attack": Trigger(EXPLOSIONS, SHELLING, 4),
    "rocket attack": Trigger(EXPLOSIONS, SHELLING, 4),
    "artillery strike": Trigger(EXPLOSIONS, SHELLING, 4),
    "drone strike": Trigger(EXPLOSIONS, AIR, 4),
    "drone attack": Trigger(EXPLOSIONS, AIR, 4),
    "car bomb": Trigger(EXPLOSIONS, IED, 4),
    "car explosion": Trigger(EXPLOSIONS, IED, 4),
    "airstrike": Trigger(EXPLOSIONS, AIR, 3),
    "air strike": Trigger(EXPLOSIONS, AIR, 3),
    "bombardment": Trigger(EXPLOSIONS, AIR, 3),
    "bombing": Trigger(EXPLOSIONS, IED, 3),
    "bomb": Trigger(EXPLOSIONS, IED, 3),
    "shelling": Trigger(EXPLOSIONS, SHELLING, 3),
    "shell": Trigger(EXPLOSIONS, SHELLING, 3, ("VERB",)),
    "artillery": Trigger(EXPLOSIONS, SHELLING, 3, ("NOUN",)),
    "mortar": Trigger(EXPLOSIONS, SHELLING, 3, ("NOUN",)),
    "rocket": Trigger(EXPLOSIONS, SHELLING, 3, ("NOUN",)),
    "missile": Trigger(EXPLOSIONS, SHELLING, 3, ("NOUN",)),
    "explosion": Trigger(EXPLOSIONS, IED, 3),
    "blast": Trigger(EXPLOSIONS, IED, 3),
    "explode": Trigger(EXPLOSIONS, IED, 3),
    "detonate": Trigger(EXPLOSIONS, IED, 3),
    "ied": Trigger(EXPLOSIONS, IED, 3),
    "landmine": Trigger(EXPLOSIONS, IED, 3),
    "grenade": Trigger(EXPLOSIONS, "Grenade", 3),
    "suicide bomber": Trigger(EXPLOSIONS, "Suicide bomb", 4),
    "clash": Trigger(BATTLES, "Armed clash", 3),
    "fighting": Trigger(BATTLES, "Armed clash", 3, ("NOUN",)),
    "fight": Trigger(BATTLES, "Armed clash", 2, ("VERB",)),
    "battle": Trigger(BATTLES, "Armed clash", 3),
    "combat": Trigger(BATTLES, "Armed clash", 3, ("NOUN",)),
    "firefight": Trigger(BATTLES, "Armed clash", 3),
    "gunfight": Trigger(BATTLES, "Armed clash", 3),
    "skirmish": Trigger(BATTLES, "Armed clash", 3),
    "ambush": Trigger(BATTLES, "Armed clash", 3),
    "offensive": Trigger(BATTLES, "Armed clash", 2, ("NOUN",)),
    "capture": Trigger(BATTLES, "Non-state actor overtakes territory", 2, ("VERB",)),
    "seize": Trigger(BATTLES, "Non-state actor overtakes territory", 2, ("VERB",)),
    "recapture": Trigger(BATTLES, "Government regains territory", 3, ("VERB",)),
    "retake": Trigger(BATTLES, "Government regains territory", 3, ("VERB",)),
    "kill": Trigger(VAC, "Attack", 1),
    "killing": Trigger(VAC, "Attack", 1, ("NOUN",)),
    "die": Trigger(VAC, "Attack", 1, ("VERB",)),
    "death": Trigger(VAC, "Attack", 1, ("NOUN",)),
    "murder": Trigger(VAC, "Attack", 2),
    "shoot": Trigger(VAC, "Attack", 2, ("VERB",)),
    "shooting": Trigger(VAC, "Attack", 2, ("NOUN",)),
    "gunman": Trigger(VAC, "Attack", 2, ("NOUN",)),
    "execute": Trigger(VAC, "Attack", 2, ("VERB",)),
    "assassinate": Trigger(VAC, "Attack", 2),
    "assassination": Trigger(VAC, "Attack", 2),
    "behead": Trigger(VAC, "Attack", 2),
    "massacre": Trigger(VAC, "Attack", 2),
    "stab": Trigger(VAC, "Attack", 2, ("VERB",)),
    "attack": Trigger(VAC, "Attack", 1),
    "abduct": Trigger(VAC, "Abduction/forced disappearance", 2),
    "kidnap": Trigger(VAC, "Abduction/forced disappearance", 2),
    "abduction": Trigger(VAC, "Abduction/forced disappearance", 2),
    "kidnapping": Trigger(VAC, "Abduction/forced disappearance", 2),
    "rape": Trigger(VAC, "Sexual violence", 2),
    "wound": Trigger(VAC, "Attack", 1, ("VERB",)),
    "injure": Trigger(VAC, "Attack", 1, ("VERB",)),
    "target": Trigger(VAC, "Attack", 1, ("VERB",)),
    "gun": Trigger(VAC, "Attack", 2, ("VERB",)),
    "hit": Trigger(EXPLOSIONS, SHELLING, 1, ("VERB",)),
    "fire": Trigger(EXPLOSIONS, SHELLING, 1, ("VERB",)),
    "blow up": Trigger(EXPLOSIONS, IED, 3, ("VERB",)),
    "storm": Trigger(BATTLES, "Armed clash", 2, ("VERB",)),
    "raid": Trigger(BATTLES, "Armed clash", 2),
    "invade": Trigger(BATTLES, "Non-state actor overtakes territory", 2, ("VERB",)),
    "occupy": Trigger(BATTLES, "Non-state actor overtakes territory", 1, ("VERB",)),
    "destroy": Trigger(STRATEGIC, "Looting/property destruction", 1, ("VERB",)),
    "burn": Trigger(STRATEGIC, "Looting/property destruction", 1, ("VERB",)),
    "protest": Trigger(PROTESTS, "Peaceful protest", 2),
    "demonstrate": Trigger(PROTESTS, "Peaceful protest", 2, ("VERB",)),
    "march": Trigger(PROTESTS, "Peaceful protest", 1, ("VERB",)),
    "demonstration": Trigger(PROTESTS, "Peaceful protest", 2, ("NOUN",)),
    "demonstrator": Trigger(PROTESTS, "Peaceful protest", 2, ("NOUN",)),
    "protester": Trigger(PROTESTS, "Peaceful protest", 2, ("NOUN",)),
    "rally": Trigger(PROTESTS, "Peaceful protest", 2),
    "riot": Trigger(RIOTS, "Violent demonstration", 3),
    "arrest": Trigger(STRATEGIC, "Arrests", 2),
    "detain": Trigger(STRATEGIC, "Arrests", 2, ("VERB",)),
    "talk": Trigger(STRATEGIC, "Agreement", 2, ("NOUN",)),
    "negotiation": Trigger(STRATEGIC, "Agreement", 2, ("NOUN",)),
    "ceasefire": Trigger(STRATEGIC, "Agreement", 2, ("NOUN",)),
    "truce": Trigger(STRATEGIC, "Agreement", 2, ("NOUN",)),
    "peace deal": Trigger(STRATEGIC, "Agreement", 2, ("NOUN",)),
    "summit": Trigger(STRATEGIC, "Agreement", 2, ("NOUN",)),
    "loot": Trigger(STRATEGIC, "Looting/property destruction", 2),
    "looting": Trigger(STRATEGIC, "Looting/property destruction", 2),
}
VIOLENT_TYPES = frozenset({EXPLOSIONS, BATTLES, VAC})
# A remote weapon named next to a killing word sets the sub-type.
SUBTYPE_CUES = {
    "drone": AIR, "airstrike": AIR, "aircraft": AIR, "jet": AIR, "warplane": AIR, "air": AIR,
    "missile": SHELLING, "rocket": SHELLING, "artillery": SHELLING, "shelling": SHELLING, "mortar": SHELLING,
    "car": IED, "roadside": IED, "ied": IED, "mine": IED, "landmine": IED,
}
# Words that do not make an incident of a trigger: "shoot down" a drone, a "talk show".
_PARTICLE_EXCLUDE = {("shoot", "down"), ("strike", "down"), ("strike", "out"), ("fight", "back")}


_UNCONFIRMED_CUES = frozenset({"unconfirmed", "reportedly", "allegedly", "purportedly", "unverified", "rumour", "rumor"})
_PLANNED_CUES = frozenset(
    """possibility plan schedule upcoming next future propose prepare intend expect
    possible potential proposed planned scheduled would will""".split()
)
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
        if node.dep_ in ("xcomp", "acl") and any(c.lower_ == "to" and c.dep_ == "aux" for c in node.children):
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
