"""Which sentences report incidents, and what each says: type, place, date, status,
actors and deaths. One :class:`EventMention` per incident a sentence reports;
merging mentions into events is :mod:`geomap.events`' job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from geomap.extract.casualties import count_victims
from geomap.extract.dates import DateValue, infer_year, parse_date
from geomap.extract.event_place import TITLE_WORDS, add_group_features, load_place_model, parse_candidates, place_features
from geomap.models import Mention, Place

__all__ = [
    "EventMention", "Trigger", "TRIGGERS", "find_event_mentions", "pick_place", "choose_place", "person_words",
    "mention_roots", "trigger_of",
]

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


_SHELLING = "Shelling/artillery/missile attack"
_AIR = "Air/drone strike"
_IED = "Remote explosive/landmine/IED"
TRIGGERS: dict[str, Trigger] = {
    "strike": Trigger(EXPLOSIONS, _AIR, 3),
    "missile strike": Trigger(EXPLOSIONS, _SHELLING, 4),
    "missile attack": Trigger(EXPLOSIONS, _SHELLING, 4),
    "rocket attack": Trigger(EXPLOSIONS, _SHELLING, 4),
    "artillery strike": Trigger(EXPLOSIONS, _SHELLING, 4),
    "drone strike": Trigger(EXPLOSIONS, _AIR, 4),
    "drone attack": Trigger(EXPLOSIONS, _AIR, 4),
    "car bomb": Trigger(EXPLOSIONS, _IED, 4),
    "car explosion": Trigger(EXPLOSIONS, _IED, 4),
    "airstrike": Trigger(EXPLOSIONS, _AIR, 3),
    "air strike": Trigger(EXPLOSIONS, _AIR, 3),
    "bombardment": Trigger(EXPLOSIONS, _AIR, 3),
    "bombing": Trigger(EXPLOSIONS, _IED, 3),
    "bomb": Trigger(EXPLOSIONS, _IED, 3),
    "shelling": Trigger(EXPLOSIONS, _SHELLING, 3),
    "shell": Trigger(EXPLOSIONS, _SHELLING, 3, ("VERB",)),
    "artillery": Trigger(EXPLOSIONS, _SHELLING, 3, ("NOUN",)),
    "mortar": Trigger(EXPLOSIONS, _SHELLING, 3, ("NOUN",)),
    "rocket": Trigger(EXPLOSIONS, _SHELLING, 3, ("NOUN",)),
    "missile": Trigger(EXPLOSIONS, _SHELLING, 3, ("NOUN",)),
    "explosion": Trigger(EXPLOSIONS, _IED, 3),
    "blast": Trigger(EXPLOSIONS, _IED, 3),
    "explode": Trigger(EXPLOSIONS, _IED, 3),
    "detonate": Trigger(EXPLOSIONS, _IED, 3),
    "ied": Trigger(EXPLOSIONS, _IED, 3),
    "landmine": Trigger(EXPLOSIONS, _IED, 3),
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
    "hit": Trigger(EXPLOSIONS, _SHELLING, 1, ("VERB",)),
    "fire": Trigger(EXPLOSIONS, _SHELLING, 1, ("VERB",)),
    "blow up": Trigger(EXPLOSIONS, _IED, 3, ("VERB",)),
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
_SUBTYPE_CUES = {
    "drone": _AIR, "airstrike": _AIR, "aircraft": _AIR, "jet": _AIR, "warplane": _AIR, "air": _AIR,
    "missile": _SHELLING, "rocket": _SHELLING, "artillery": _SHELLING, "shelling": _SHELLING, "mortar": _SHELLING,
    "car": _IED, "roadside": _IED, "ied": _IED, "mine": _IED, "landmine": _IED,
}
# Words that do not make an incident of a trigger: "shoot down" a drone, a "talk show".
_PARTICLE_EXCLUDE = {("shoot", "down"), ("strike", "down"), ("strike", "out"), ("fight", "back")}
# Locative prepositions: the place an incident happened is usually introduced by one.
_LOCATIVE = {"in": 3.0, "near": 3.0, "at": 2.5, "outside": 3.0, "around": 2.5, "inside": 3.0, "across": 2.0,
             "into": 1.5, "on": 1.0, "over": 1.5, "from": 0.5, "to": 0.5, "towards": 0.5, "toward": 0.5,
             "of": 0.0, "between": 1.5, "along": 2.0, "throughout": 2.0, "within": 2.5}
_NEAR = frozenset({"near", "outside", "around", "outskirts", "vicinity", "close", "nearby"})
# "the city of Lugansk" names a place; "the mayor of Lugansk" names a person's title.
PLACE_NOUNS = frozenset(
    """city town village region province district area outskirts suburb suburbs centre center
    capital part parts east west north south north-east north-west south-east south-west
    coast border oblast settlement neighbourhood neighborhood county state territory port
    island islands airport base outpost village hamlet municipality governorate""".split()
)
_UNCONFIRMED_CUES = frozenset({"unconfirmed", "reportedly", "allegedly", "purportedly", "unverified", "rumour", "rumor"})
_PLANNED_CUES = frozenset(
    """possibility plan schedule upcoming next future propose prepare intend expect
    possible potential proposed planned scheduled would will""".split()
)
_HYPOTHETICAL_CUES = frozenset({"threaten", "capacity", "capability", "able", "ability", "could", "might", "may", "would", "warn", "vow", "aim", "intend", "try", "prevent", "designed"})


@dataclass(frozen=True)
class EventMention:
    """One incident as one sentence reports it."""

    article_id: str
    sentence_index: int
    paragraph: int
    sentence: str
    sent_start: int
    trigger_start: int
    trigger_end: int
    trigger_text: str
    event_type: str
    sub_event_type: str
    strength: int
    status: str
    place: Mention | None = None
    near: bool = False
    # The place as written could not be put on the map; its coordinates are those of
    # the resolved place the sentence also names ("the Mieh Mieh camp" -> Saida).
    approximate: bool = False
    date: dt.date | None = None
    time_precision: int | None = None
    date_source: str | None = None
    fatalities: int | None = None
    actor1: str | None = None
    actor2: str | None = None

    @property
    def violent(self) -> bool:
        return self.event_type in VIOLENT_TYPES


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


def _ancestors_and_self(token: Token) -> list[Token]:
    return [token, *token.ancestors]


def _is_hypothetical(token: Token) -> bool:
    """ "capacity to shoot down", "threatened to strike", "could attack"."""
    for node in _ancestors_and_self(token)[:4]:
        if any(c.dep_ == "aux" and c.lower_ in ("could", "might", "may", "would", "should") for c in node.children):
            return True
        if node is not token and node.lemma_.lower() in _HYPOTHETICAL_CUES:
            return True
        if node.dep_ in ("xcomp", "acl") and any(c.lower_ == "to" and c.dep_ == "aux" for c in node.children):
            return True
    return False


def _status(token: Token, sent: Span) -> str:
    chain = _ancestors_and_self(token)
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


def _excluded_place(mention_root: Token) -> bool:
    """A place that modifies a person or an organisation is not where things happened:
    "the mayor of Lugansk", "Ukrainian-Russian talks", "the US company"; but "at her
    Reshimbagh residence" and "in a Mogadishu cafe" are places."""
    if mention_root.dep_ in ("compound", "amod", "nmod", "poss") and mention_root.head.pos_ in ("NOUN", "PROPN"):
        owner = mention_root.head
        if owner.lower_ in PLACE_NOUNS or owner.ent_type_ in ("GPE", "LOC", "FAC"):
            return False
        prep = owner.head if owner.dep_ == "pobj" else None
        return not (prep is not None and prep.lower_ in _LOCATIVE and _LOCATIVE[prep.lower_] >= 2.0)
    if mention_root.dep_ == "pobj" and mention_root.head.lower_ == "of":
        owner = mention_root.head.head
        return owner.lower_ not in PLACE_NOUNS and owner.pos_ != "ADP"
    if mention_root.dep_ == "appos" and mention_root.head.pos_ in ("NOUN", "PROPN") and mention_root.head.lower_ not in PLACE_NOUNS:
        return True
    return False


def _preposition(root: Token) -> Token | None:
    """The preposition that introduces a place, looking through "the city of"."""
    node = root
    for _ in range(3):
        if node.dep_ == "pobj":
            prep = node.head
            if prep.lower_ == "of" and prep.head.lower_ in PLACE_NOUNS and prep.head.dep_ == "pobj":
                node = prep.head
                continue
            return prep
        if node.dep_ in ("compound", "appos", "amod", "nmod", "poss") and node.head.pos_ in ("NOUN", "PROPN"):
            node = node.head  # "in a Mogadishu cafe", "in the West Bank city of Nablus"
            continue
        return None
    return None


def _tree_distance(a: Token, b: Token) -> int:
    up_a = {t.i: d for d, t in enumerate(_ancestors_and_self(a))}
    for d, t in enumerate(_ancestors_and_self(b)):
        if t.i in up_a:
            return up_a[t.i] + d
    return 20


def _place_score(trigger: Token, root: Token, mention: Mention, *, resolved: bool = True) -> float | None:
    if mention.kind != "place" or _excluded_place(root):
        return None
    if mention.place is None and resolved:
        return None
    prep = _preposition(root)
    score = 0.0
    if prep is not None:
        score += _LOCATIVE.get(prep.lower_, 0.0)
    is_country = mention.place is not None and mention.place.feature_code.startswith("PCL")
    if is_country and (prep is None or prep.lower_ not in ("in", "inside", "across", "throughout")):
        return None
    if is_country:
        score -= 3.0
    elif mention.place is not None and mention.place.feature_class in ("A", "L"):
        score -= 0.5
    # "the West Bank city of Nablus": the city named after "of" is where it happened.
    if root.dep_ == "compound" and root.head.lower_ in PLACE_NOUNS and any(c.lower_ == "of" for c in root.head.children):
        score -= 2.0
    score -= 0.5 * _tree_distance(trigger, root)
    score -= 0.05 * abs(trigger.i - root.i)
    if root.i > trigger.i:
        score += 0.5
    return score


def pick_place(
    trigger: Token, mentions: Sequence[Mention], roots: dict[int, Token], *, resolved: bool = True
) -> Mention | None:
    """The place, among a sentence's toponyms, where the event ``trigger`` names happened.

    A place introduced by "in", "near", "at" close to the trigger in the parse wins;
    places that modify a person or an organisation ("the mayor of Lugansk") and
    metonymic actors ("Moscow denied") are never picked; a country only when the
    sentence names nothing finer and says "in <country>". With ``resolved`` False,
    names the gazetteer does not know are candidates too, and so are names only the
    parser saw (an unknown village the small model calls a person): span selection,
    as Halterman's event-location sentences score it.
    """
    model = load_place_model()
    candidates = [m for m in mentions if m.place is not None or not resolved]
    if model is None:
        scored = [
            (score, m) for m in candidates
            if (score := _place_score(trigger, roots[id(m)], m, resolved=resolved)) is not None
        ]
        return max(scored, key=lambda sm: sm[0])[1] if scored else None
    return model.pick(candidate_features(trigger, candidates, roots, resolved=resolved))


# Entity labels of things that are not places ("the Gulf War", "a Honda Accord").
_NOT_PLACE_LABELS = frozenset({"EVENT", "PRODUCT", "WORK_OF_ART", "LANGUAGE"})

Locate = Callable[[Mention, Sequence[Mention]], "Place | None"]


def person_words(doc: Doc) -> frozenset[str]:
    """Surnames of the people a document names in full ("Terry A. Corbin" -> "Corbin"):
    the same word alone later is that person, not a place."""
    return frozenset(ent[-1].text for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1)


def _could_be_site(mention: Mention, root: Token, surnames: frozenset[str] = frozenset()) -> bool:
    """Could a name the gazetteer does not place be where something happened?

    Not a name of an event, product or work; not a person's ("Sgt", "Helen Kunz", the
    surname of someone named in full); a name the parser calls a person only where a
    locative preposition introduces it ("in Pahrump", not "the death of Isaac Jackson").
    """
    if mention.label in _NOT_PLACE_LABELS or mention.text in surnames:
        return False
    doc = root.doc
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    tokens = list(span) if span is not None else [root]
    before = doc[tokens[0].i - 1] if tokens[0].i > 0 else None
    if any(t.lower_.rstrip(".") in TITLE_WORDS for t in tokens) or (
        before is not None and before.lower_.rstrip(".") in TITLE_WORDS
    ):
        return False
    if mention.label == "PERSON":
        prep = _preposition(root)
        return prep is not None and prep.lower_ not in ("of", "as", "by", "with", "for")
    return True


def choose_place(
    trigger: Token,
    mentions: Sequence[Mention],
    roots: dict[int, Token],
    *,
    surnames: frozenset[str] = frozenset(),
) -> tuple[Mention | None, Mention | None]:
    """The event's place as the sentence writes it, and a stand-in for its coordinates.

    The pick is made out of every place-like name of the sentence, the ones the
    gazetteer does not know included ("in the Mieh Mieh refugee camp"); where that
    name cannot be placed, the stand-in is what the pick would be among resolved
    names only (None where the pick is resolved itself). A name that is unlikely to
    be a site (:func:`_could_be_site`) gives way to the resolved pick.
    """
    picked = pick_place(trigger, mentions, roots, resolved=False)
    if picked is None or picked.place is not None:
        return picked, None
    root = roots.get(id(picked)) or mention_roots(trigger.doc, [picked]).get(id(picked))
    resolved = pick_place(trigger, mentions, roots, resolved=True)
    if root is None or not _could_be_site(picked, root, surnames):
        return resolved, None
    return picked, resolved


def _trigger_features(trigger: Token) -> dict[str, float]:
    """What the trigger word itself says about whether the sentence places it."""
    trig = trigger_of(trigger)
    kind = trig.event_type if trig is not None else None
    return {
        "trigger_known": float(trig is not None),
        "trigger_violent": float(kind in VIOLENT_TYPES),
        "trigger_protest": float(kind == PROTESTS),
        "trigger_strategic": float(kind == STRATEGIC),
        "trigger_negated": float(any(c.dep_ == "neg" for c in trigger.children)),
        "trigger_hypothetical": float(_is_hypothetical(trigger)),
        "trigger_passive": float(any(c.dep_ in ("auxpass", "nsubjpass") for c in trigger.children)),
        "trigger_clause": float(trigger.dep_ in ("relcl", "acl", "advcl", "xcomp", "ccomp")),
        "trigger_main": float(trigger.dep_ == "ROOT"),
        # The word itself, for the model's vocabulary ("said" rarely places anything).
        f"lemma:{trigger.lemma_.lower()}": 1.0,
    }


def candidate_features(
    trigger: Token, mentions: Sequence[Mention], roots: dict[int, Token], *, resolved: bool = True
) -> list[tuple[Mention, dict[str, float]]]:
    """The model's features for each candidate place of one trigger (modifiers left out;
    with ``resolved`` False, names only the parser saw are added)."""
    pool = [m for m in mentions if m.kind != "modifier"]
    parsed: list[Mention] = []
    if not resolved:
        parsed = parse_candidates(trigger.sent, mentions)
        roots = {**roots, **mention_roots(trigger.doc, parsed)}
        parsed = [m for m in parsed if id(m) in roots]
    classes = {m.place.feature_class for m in pool if m.place is not None}
    n_candidates = len(pool) + len(parsed)
    all_roots = [roots[id(m)] for m in (*pool, *parsed)]
    trigger_f = _trigger_features(trigger)
    parsed_ids = {id(m) for m in parsed}
    out = []
    for m in (*pool, *parsed):
        root = roots[id(m)]
        finest = m.place is not None and (m.place.feature_class == "P" or "P" not in classes)
        f = place_features(
            trigger,
            root,
            m,
            preposition=_preposition(root),
            excluded=_excluded_place(root),
            heuristic=_place_score(trigger, root, m, resolved=resolved),
            n_candidates=n_candidates,
            finest=finest,
            parsed=id(m) in parsed_ids,
            other_roots=[r for r in all_roots if r.i != root.i],
        )
        f.update(trigger_f)
        out.append((m, f))
    add_group_features([f for _, f in out])
    return out


def _is_near(root: Token) -> bool:
    prep = _preposition(root)
    if prep is not None and prep.lower_ in _NEAR:
        return True
    return any(t.lower_ in _NEAR for t in root.doc[max(root.i - 4, 0) : root.i])


def _phrase(token: Token, limit: int = 8) -> str:
    """A short text for an actor: its entity, or its noun phrase without clauses."""
    if token.ent_type_ and token.ent_iob_ != "O":
        for ent in token.doc.ents:
            if ent.start <= token.i < ent.end:
                return ent.text
    keep = [t for t in token.subtree if t.i <= token.i or (t.dep_ in ("compound", "flat") and t.head.i == token.i)]
    keep = [t for t in keep if t.dep_ not in ("punct", "relcl", "appos") and not t.is_space]
    words = [t for t in keep if t.i >= token.i - limit]
    text = " ".join(t.text for t in words).strip()
    for det in ("the ", "a ", "an ", "The ", "A ", "An "):
        if text.startswith(det):
            text = text[len(det):]
    return text


def _actors(token: Token) -> tuple[str | None, str | None]:
    actor1 = actor2 = None
    if token.pos_ == "VERB" and token.lemma_.lower() == "die":
        subj = [c for c in token.children if c.dep_ == "nsubj"]
        return None, (_phrase(subj[0]) if subj else None)  # who died is the victim
    if token.pos_ == "VERB":
        for c in token.children:
            if c.dep_ == "nsubj" and actor1 is None and not trigger_of(c):
                actor1 = _phrase(c)
            elif c.dep_ == "agent":
                for g in c.children:
                    if g.dep_ == "pobj":
                        actor1 = _phrase(g)
            elif c.dep_ in ("dobj", "nsubjpass") and actor2 is None:
                actor2 = _phrase(c)
        if actor1 is None and token.dep_ == "acl" and token.tag_ == "VBN":
            actor2 = _phrase(token.head)
    else:
        for c in token.children:
            if c.dep_ in ("amod", "compound", "poss", "nmod") and (c.ent_type_ in ("NORP", "ORG", "GPE") or c.pos_ == "PROPN"):
                actor1 = _phrase(c)
        if token.dep_ == "nsubj":
            objs = [c for c in token.head.children if c.dep_ == "dobj"]
            if objs:
                actor2 = _phrase(objs[0])
    return actor1, actor2


def _sentence_dates(sent: Span, base: dt.date | None) -> list[tuple[Span, DateValue]]:
    if base is None:
        return []
    found = []
    for ent in sent.ents:
        if ent.label_ in ("DATE", "TIME"):
            value = parse_date(ent.text, base)
            if value is not None:
                found.append((ent, value))
    return found


def _date_for(trigger: Token, dates: list[tuple[Span, DateValue]]) -> DateValue | None:
    """The date attached to the trigger's clause or to a verb that reports it,
    not one from a side clause ("who was appointed in March 2025")."""
    chain = {t.i for t in _ancestors_and_self(trigger)}
    best = None
    for ent, value in dates:
        node = ent.root
        while node.head.i != node.i and node.pos_ not in ("VERB", "AUX"):
            node = node.head
        if node.i in chain or node.i == trigger.i:
            if best is None or value.precision < best.precision:
                best = value
    return best


def _mention(
    members: list[tuple[Token, Trigger]],
    place: Mention | None,
    sent: Span,
    index: int,
    paragraph: int,
    text: str,
    article_id: str,
    dates: list[tuple[Span, DateValue]],
    previous_date: DateValue | None,
    published: dt.date | None,
    date_source: str,
    roots: dict[int, Token],
    loose_deaths: Sequence[int] = (),
    approximate: bool = False,
) -> EventMention:
    """Fold the trigger words of one incident in one sentence into an EventMention
    (``loose_deaths``: deaths the sentence states outside any trigger, "...: three dead")."""
    members = sorted(members, key=lambda tt: (-tt[1].strength, tt[0].i))
    token, trig = members[0]
    if trig.event_type == VAC and trig.strength < 3:
        battle = [t for t, tr in members if tr.event_type == BATTLES]
        if battle:  # "died in combat"
            token, trig = battle[0], TRIGGERS["combat"]
    sub = trig.sub_event_type
    if trig.event_type == EXPLOSIONS and sub in (_AIR, _IED, _SHELLING):
        words = {t.lower_ for t in sent}
        sub = next((cue_sub for cue, cue_sub in _SUBTYPE_CUES.items() if cue in words), sub)
    statuses = [_status(t, sent) for t, _ in members]
    status = next((s for s in ("reported", "claimed", "unconfirmed", "denied") if s in statuses), "planned")
    counts = [c for t, _ in members if (c := count_victims(t)) is not None] + list(loose_deaths)
    actor1 = actor2 = None
    for t, _ in members:
        a1, a2 = _actors(t)
        actor1, actor2 = actor1 or a1, actor2 or a2
    value, source = None, None
    if status != "planned":
        value = next((v for t, _ in members if (v := _date_for(t, dates))), None)
        source = date_source if value else None
        if value is None and previous_date is not None:
            value, source = previous_date, "context"
        if value is None and published is not None:
            value, source = DateValue(published, 2), "published"
    root = roots.get(id(place)) if place else None
    return EventMention(
        article_id=article_id,
        sentence_index=index,
        paragraph=paragraph,
        sentence=text,
        sent_start=sent.start_char,
        trigger_start=token.idx,
        trigger_end=token.idx + len(token.text),
        trigger_text=token.text,
        event_type=trig.event_type,
        sub_event_type=sub,
        strength=trig.strength,
        status=status,
        place=place,
        near=bool(root is not None and _is_near(root)),
        approximate=approximate,
        date=value.date if value else None,
        time_precision=value.precision if value else None,
        date_source=source,
        fatalities=max(counts) if counts else None,
        actor1=actor1,
        actor2=actor2,
    )


def _placed(
    doc: Doc,
    place: Mention,
    stand_in: Mention | None,
    mentions: Sequence[Mention],
    locate: Locate | None,
    roots: dict[int, Token],
    approximate: set[int],
) -> Mention:
    """Coordinates for an event place the resolver left unplaced (see :func:`find_event_mentions`)."""
    root = roots.get(id(place)) or mention_roots(doc, [place]).get(id(place))
    found = locate(place, mentions) if locate is not None else None
    if found is not None:
        place = replace(place, place=found)
    elif stand_in is not None and stand_in.place is not None:
        place = replace(place, place=stand_in.place)
        approximate.add(id(place))
    if root is not None:
        roots[id(place)] = root
    return place


def _place_key(place: Mention | None, approximate: set[int]) -> int | str | None:
    """What makes two trigger words of a sentence the same incident's place."""
    if place is None:
        return None
    if place.place is not None and id(place) not in approximate:
        return place.place.geonameid
    return f"@{place.start}"  # a name placed by a stand-in or not at all: its span


def mention_roots(doc: Doc, mentions: Sequence[Mention]) -> dict[int, Token]:
    """The syntactic head token of each mention, keyed by ``id(mention)``."""
    roots: dict[int, Token] = {}
    for m in mentions:
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is not None and len(span):
            roots[id(m)] = span.root
    return roots


def find_event_mentions(
    doc: Doc,
    mentions: Sequence[Mention],
    *,
    article_id: str,
    published: dt.date | None = None,
    locate: Locate | None = None,
) -> list[EventMention]:
    """Find the incidents ``doc`` reports, one :class:`EventMention` per incident and sentence.

    ``mentions`` are the document's resolved toponyms; ``published`` anchors relative
    dates ("yesterday"); without it the year is inferred from the text. An event's
    place may be a name the toponym finder did not resolve: ``locate(name, mentions)``
    (:func:`geomap.geocode.locate.locate_name`) places it next to the document's other
    places where it can, else the sentence's resolved place stands in for its
    coordinates (``approximate``), else it stays without coordinates.
    """
    base = published
    date_source = "text"
    if base is None:
        year = infer_year(doc)
        base = dt.date(year, 12, 31) if year else None
        date_source = "text-inferred-year"

    roots = mention_roots(doc, mentions)
    surnames = person_words(doc)

    out: list[EventMention] = []
    paragraph = 0
    counted_to = 0
    previous_date: DateValue | None = None
    for index, sent in enumerate(doc.sents):
        breaks = doc.text.count("\n\n", counted_to, sent.start_char)
        counted_to = sent.start_char
        if breaks:
            paragraph += breaks
            previous_date = None
        text = sent.text.strip()
        if not text or text[-1] not in '.!?"”\'’)' or len(sent) < 4:
            continue  # a headline or a fragment: summaries of what the body reports
        dates = _sentence_dates(sent, base)
        sent_mentions = [m for m in mentions if sent.start_char <= m.start < sent.end_char and id(m) in roots]

        found: list[tuple[Token, Trigger, Mention | None]] = []
        approximate: set[int] = set()  # ids of this sentence's event places placed by a stand-in
        for token in sent:
            trig = trigger_of(token)
            if trig is None or (trig.event_type in VIOLENT_TYPES and _is_hypothetical(token)):
                continue
            place, stand_in = choose_place(token, sent_mentions, roots, surnames=surnames)
            if place is not None and place.place is None:
                place = _placed(doc, place, stand_in, mentions, locate, roots, approximate)
            found.append((token, trig, place))

        # "X was killed in a strike near Y": an unplaced killing joins the nearest
        # placed violent word of its sentence; then one mention per (family, place).
        placed = [(t, p) for t, tr, p in found if p is not None and tr.event_type in VIOLENT_TYPES]
        groups: dict[tuple[str, int | str | None], list[tuple[Token, Trigger]]] = {}
        group_place: dict[tuple[str, int | str | None], Mention | None] = {}
        for token, trig, place in found:
            violent = trig.event_type in VIOLENT_TYPES
            if violent and place is None and placed:
                place = min(placed, key=lambda tp: abs(tp[0].i - token.i))[1]
            key = ("violent" if violent else trig.event_type, _place_key(place, approximate))
            groups.setdefault(key, []).append((token, trig))
            group_place[key] = place

        # Deaths stated by a word that reports no incident of its own ("Shelling of Kharkiv on
        # Monday: three dead.") belong to the sentence's incident when it reports only one.
        violent_keys = [key for key in groups if key[0] == "violent"]
        loose: list[int] = []
        if len(violent_keys) == 1:
            loose = [c for t in sent if trigger_of(t) is None and (c := count_victims(t)) is not None]
        for key, members in groups.items():
            out.append(
                _mention(members, group_place[key], sent, index, paragraph, text, article_id,
                         dates, previous_date, published, date_source, roots,
                         loose_deaths=loose if key in violent_keys else (),
                         approximate=id(group_place[key]) in approximate)
            )
        if dates:
            previous_date = min((v for _, v in dates), key=lambda v: v.precision)
        # "ISW stressed that the information could not yet be confirmed."
        lowered = text.lower()
        if out and not found and ("not yet be confirmed" in lowered or "could not be confirmed" in lowered
                                   or "not been confirmed" in lowered or "could not be verified" in lowered
                                   or "not been independently verified" in lowered):
            prev_index = out[-1].sentence_index
            for k, em in enumerate(out):
                if em.sentence_index == prev_index and em.status == "reported":
                    out[k] = replace(em, status="unconfirmed")
    return out
