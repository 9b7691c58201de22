"""Which sentences report incidents, and what each says: type, place, date, status,
actors and deaths. One :class:`EventMention` per incident a sentence reports (and one
more per other verb that reports it, marked ``repeats``);
merging mentions into events is :mod:`geomap.events`' job.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from geomap.extract.actors import clean_actor
from geomap.extract.casualties import count_victims
from geomap.extract.dates import DateValue, find_dates, infer_year, parse_date
from geomap.extract.event_model import load_event_model
from geomap.extract.event_place import PlaceModel
from geomap.extract.place_choice import (
    Locate,
    candidate_features,
    choose_place,
    is_near,
    mention_roots,
    person_words,
    pick_place,
)
from geomap.extract.triggers import (
    AIR,
    BATTLES,
    EXPLOSIONS,
    IED,
    IMPLICATIVE,
    SHELLING,
    SUBTYPE_CUES,
    TRIGGERS,
    VAC,
    VIOLENT_TYPES,
    Trigger,
    ancestors_and_self,
    is_hypothetical,
    other_sense,
    sentence_status,
    trigger_of,
)
from geomap.models import Mention

__all__ = [
    "EventMention", "Trigger", "TRIGGERS", "find_event_mentions", "pick_place", "choose_place", "person_words",
    "mention_roots", "trigger_of", "candidate_features", "VIOLENT_TYPES", "Locate",
]


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
    # An analyst's correction put the place in ("corrected by analyst: <note>"; see geomap.overrides).
    corrected: str | None = None
    # Countries a demonym in the actor names ("Russian forces": RU), and the document's
    # main country (for an event placed nowhere): :mod:`geomap.extract.actors` names the actors by them.
    actor1_country: str | None = None
    actor2_country: str | None = None
    doc_country: str | None = None
    # Another verb of the same incident in the same sentence ("shot and killed", "stormed
    # the village, killing 39"): this mention repeats, at that verb, the sentence's mention
    # whose trigger starts here. The events table counts the incident once (it skips these).
    repeats: int | None = None

    @property
    def violent(self) -> bool:
        return self.event_type in VIOLENT_TYPES



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


# Trigger words that name people, who can be an incident's actor ("gunmen killed two farmers").
_PERSON_TRIGGERS = frozenset({"gunman", "gunmen", "protester", "demonstrator", "suicide bomber", "bomber"})


def _actors(token: Token) -> tuple[str | None, str | None]:
    actor1 = actor2 = None
    if token.pos_ == "VERB" and token.lemma_.lower() == "die":
        subj = [c for c in token.children if c.dep_ == "nsubj"]
        return None, (_phrase(subj[0]) if subj else None)  # who died is the victim
    if token.pos_ == "VERB":
        for c in token.children:
            if c.dep_ == "nsubj" and actor1 is None and (not trigger_of(c) or c.lemma_.lower() in _PERSON_TRIGGERS):
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
        elif actor1 is None and token.dep_ == "dobj" and token.head.pos_ == "VERB":
            # "Taliban forces opened fire", "students staged a protest"
            subj = [c for c in token.head.children if c.dep_ == "nsubj" and not trigger_of(c)]
            if subj:
                actor1 = _phrase(subj[0])
    return actor1, actor2


def _sentence_dates(sent: Span, base: dt.date | None, *, relative: bool = True) -> list[tuple[Span, DateValue]]:
    """The sentence's dates: absolute ones as written ("3 July", "24 - 26 March"), then
    the date entities spaCy finds elsewhere ("yesterday", "on Monday"), which mean
    something only against a publication date (``relative``)."""
    if base is None:
        return []
    found = []
    taken: list[tuple[int, int]] = []
    for d in find_dates(sent.text, base, offset=sent.start_char):
        taken.append((d.start, d.end))
        span = sent.doc.char_span(d.start, d.end, alignment_mode="expand")
        if span is not None and len(span) and not d.qualifies:
            found.append((span, d.value))
    if relative:
        # "overnight" in a paper is the night that ended on its day (ACLED: "On 10 June,
        # overnight, ..."); "last night" began the evening before.
        for match in _OVERNIGHT_RE.finditer(sent.text):
            span = sent.doc.char_span(sent.start_char + match.start(), sent.start_char + match.end(), alignment_mode="expand")
            if span is not None and not any(span.start_char < e and b < span.end_char for b, e in taken):
                back = 1 if match.group(1).lower() == "last night" else 0
                found.append((span, DateValue(base - dt.timedelta(days=back), 1)))
                taken.append((span.start_char, span.end_char))
    for ent in sent.ents:
        if ent.label_ not in ("DATE", "TIME") or any(ent.start_char < e and b < ent.end_char for b, e in taken):
            continue
        if not relative and not _YEAR_RE.search(ent.text):
            continue  # "on Monday" without a publication date could be any Monday
        value = parse_date(ent.text, base)
        if value is not None:
            found.append((ent, value))
    return found


_OVERNIGHT_RE = re.compile(r"\b(overnight|last night)\b", re.I)
_YEAR_RE = re.compile(r"\b(19|20)\d\d\b")
# Sentences that say their incident happened when the one before did, across a paragraph break.
_SAME_TIME = re.compile(
    r"^\W*(at the same time|meanwhile|simultaneously|(on )?the same day|that same day|that day|later that day|earlier that day)\b",
    re.I,
)
_SIDE_CLAUSE = ("relcl", "acl", "appos")


def _date_for(trigger: Token, dates: list[tuple[Span, DateValue]]) -> DateValue | None:
    """The date attached to the trigger's clause or to a verb that reports it,
    not one from a side clause ("who was appointed in March 2025")."""
    chain = {t.i for t in ancestors_and_self(trigger)}
    best = None
    main = None  # a date of the sentence's main clause, for a trigger deeper in it
    for ent, value in dates:
        node = ent.root
        while node.head.i != node.i and node.pos_ not in ("VERB", "AUX"):
            node = node.head
        if node.i in chain or node.i == trigger.i:
            if best is None or value.precision < best.precision:
                best = value
        elif main is None and not any(t.dep_ in _SIDE_CLAUSE for t in ancestors_and_self(ent.root)):
            main = value
    return best or main


def _actor_country(actor: str | None, sent: Span, mentions: Sequence[Mention]) -> str | None:
    """The country a demonym or a place in the actor's words names ("Russian forces": RU)."""
    if not actor:
        return None
    at = sent.text.find(actor)
    if at < 0:
        return None
    start, end = sent.start_char + at, sent.start_char + at + len(actor)
    for m in mentions:
        if start <= m.start and m.end <= end and m.place is not None and m.place.country_code:
            return m.place.country_code
    return None


def _with_actor_countries(em: EventMention, sent: Span, mentions: Sequence[Mention], doc_country: str | None) -> EventMention:
    """The actors as written, cleaned of counts and weapons, and the countries their words name."""
    actor1, actor2 = clean_actor(em.actor1), clean_actor(em.actor2)
    places = {m.text for m in mentions if m.kind == "place"}
    actor1, actor2 = (None if a in places else a for a in (actor1, actor2))  # "shelled Kharkiv": a place, not an actor
    return replace(em, actor1=actor1, actor2=actor2, actor1_country=_actor_country(actor1, sent, mentions),
                   actor2_country=_actor_country(actor2, sent, mentions), doc_country=doc_country)


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
    typed: tuple[str, str] | None = None,
    others: frozenset[int] = frozenset(),
) -> EventMention:
    """Fold the trigger words of one incident in one sentence into an EventMention
    (``loose_deaths``: deaths the sentence states outside any trigger, "...: three dead";
    ``others``: the token indices of the sentence's other incidents' trigger words)."""
    members = sorted(members, key=lambda tt: (-tt[1].strength, tt[0].i))
    token, trig = members[0]
    if trig.event_type == VAC and trig.strength < 3:
        battle = [t for t, tr in members if tr.event_type == BATTLES]
        if battle:  # "died in combat"
            token, trig = battle[0], TRIGGERS["combat"]
    sub = trig.sub_event_type
    if trig.event_type == EXPLOSIONS and sub in (AIR, IED, SHELLING):
        words = {t.lower_ for t in sent}
        sub = next((cue_sub for cue, cue_sub in SUBTYPE_CUES.items() if cue in words), sub)
    event_type = trig.event_type
    if typed is not None:  # the event model's decision, not the trigger word's
        event_type, sub = typed
    statuses = [sentence_status(t, sent) for t, _ in members]
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
    token = event_verb(token, members, others=others)
    return EventMention(
        article_id=article_id,
        sentence_index=index,
        paragraph=paragraph,
        sentence=text,
        sent_start=sent.start_char,
        trigger_start=token.idx,
        trigger_end=token.idx + len(token.text),
        trigger_text=token.text,
        event_type=event_type,
        sub_event_type=sub,
        strength=trig.strength,
        status=status,
        place=place,
        near=bool(root is not None and is_near(root)),
        approximate=approximate,
        date=value.date if value else None,
        time_precision=value.precision if value else None,
        date_source=source,
        fatalities=max(counts) if counts else None,
        actor1=actor1,
        actor2=actor2,
    )


# Verbs that tell of an incident rather than report it ("police said", "he added").
_TELLING = frozenset("say tell add report state note believe think know quote cite accord".split())
# How far up the tree a trigger noun looks for the verb that reports it.
_VERB_HOPS = 3


def event_verb(token: Token, members: Sequence[tuple[Token, Trigger]] = (), *, others: frozenset[int] = frozenset()) -> Token:
    """The verb that reports the incident a trigger word names: "killed" of "were killed in
    the clashes", "detonated" of "detonated a bomb", "launched" of "launched an offensive".
    A verb among the incident's trigger words (``members``) comes first (the one above
    ``token`` in the tree, else the nearest), else the verb ``token`` hangs on within a few
    steps up, unless that verb is a trigger word of another incident of the sentence
    (``others``: token indices); a trigger verb, or a word with no verb above it
    ("Clashes in Y."), is its own.
    Halterman's event-location sentences mark this verb, and the place model learned
    from them reads a place from it."""
    if token.pos_ == "VERB":
        return token
    verbs = [t for t, _ in members if t.pos_ == "VERB"]
    if verbs:
        above = {a.i for a in token.ancestors}
        governing = [v for v in verbs if v.i in above]
        return governing[0] if governing else min(verbs, key=lambda v: abs(v.i - token.i))
    node = token
    for _ in range(_VERB_HOPS):
        if node.head.i == node.i:
            break
        node = node.head
        if node.pos_ == "VERB":
            return token if node.i in others else node
    return token


def _place_word(token: Token) -> Token:
    """The word an incident's place is read from: the verb that reports it ("was killed in an
    air raid", "killed during the clashes"), as in the sentences the place model learned from;
    a noun's own neighbours are mostly what describes its people ("the commander of a faction
    in Syria", "its media office in Kenya"). A noun that does the deed ("a strike killed ...
    in the Kursk region") or says by what ("killed by an air strike in southern Syria") keeps
    its place."""
    if token.pos_ == "VERB" or token.dep_ in ("nsubj", "nsubjpass") or token.dep_ == "pobj" and token.head.lower_ == "by":
        return token
    return event_verb(token)


def _incident_verbs(members: Sequence[tuple[Token, Trigger]], others: frozenset[int] = frozenset()) -> list[Token]:
    """The verbs that report one incident of a sentence: each trigger word's verb
    (:func:`event_verb`), and the verbs joined to those ("shot and killed", "launched an
    offensive, targeting the districts of X", "stormed the village, killing 39", "managed
    to capture"), not
    the ones that only tell of it ("..., he added") nor a hypothetical one ("could attack"),
    nor a trigger word of another incident of the sentence (``others``: token indices)."""
    verbs = [v for t, _ in members if (v := event_verb(t, others=others)).pos_ == "VERB"]
    joined = []
    for v in verbs:
        joined += [c for c in v.children if c.pos_ == "VERB" and c.dep_ in ("conj", "advcl")]
        if (v.dep_ in ("conj", "advcl") or v.dep_ == "xcomp" and v.head.lemma_.lower() in IMPLICATIVE) and v.head.pos_ == "VERB":
            joined.append(v.head)
    out: list[Token] = []
    for v in [*verbs, *joined]:
        if (v.i not in {o.i for o in out} and v.i not in others and v.lemma_.lower() not in _TELLING
                and not is_hypothetical(v)):
            out.append(v)
    return out


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


# Feature codes of the regions a sentence's place may stand in with (the country is too
# coarse: a point at its centre says nothing of where).
_AREA_RANK = {"ADM3": 1, "ADM2": 2, "ADM2H": 2, "ADM1": 3, "ADM1H": 3}


# Words before a name that say it is not where something happened: where from, where to.
_ELSEWHERE = frozenset("to towards toward from for against into onto".split())
# A name that is the sentence's actor or describes a thing ("Detroit captured the trophy",
# "the Caribbean contingent") is not a place where something happened.
_NOT_WHERE = frozenset("nsubj poss".split())
_NEAR = frozenset("close next near nearer closer".split())


def _named_as_where(doc: Doc, mention: Mention) -> bool:
    """Whether the sentence uses the name as a location: not an actor or a modifier,
    nor where someone goes or comes from ("withdrew towards Manbij")."""
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None:
        return True
    root = span.root
    if root.dep_ in _NOT_WHERE:
        return False
    while root.dep_ == "pobj" and root.head.lower_ == "of" and root.head.head.dep_ == "pobj":
        root = root.head.head  # "towards their bastion of Manbij": where the bastion is
    if root.dep_ == "pobj" and root.head.lower_ == "to" and root.head.i > 0 and doc[root.head.i - 1].lower_ in _NEAR:
        return True  # "close to Santiago Yolomecatl", "next to the market": where, not whither
    return not (root.dep_ == "pobj" and root.head.lower_ in _ELSEWHERE)


def _sentence_place(doc: Doc, sent_mentions: Sequence[Mention], doc_country: str | None) -> Mention | None:
    """The finest place the sentence names and the gazetteer puts on the map, for an
    incident no word of which points at a place ("staged a protest next to a
    supermarket at the roundabout of Lalin (Pontevedra, Galicia)"): in the document's
    country where the sentence names one there, a town before a district before a
    province, the first named first. No country: its centre says nothing of where; nor
    a name used as an actor or as where someone went ("withdrew towards Manbij")."""
    pool = [(m, m.place) for m in sent_mentions if m.kind == "place" and m.place is not None
            and not m.place.feature_code.startswith("PCL") and _named_as_where(doc, m)]
    pool = [(m, p) for m, p in pool if p.country_code == doc_country] or pool
    if not pool:
        return None
    return min(pool, key=lambda mp: (_AREA_RANK.get(mp[1].feature_code, 0), mp[0].start))[0]


def _place_key(place: Mention | None, approximate: set[int]) -> int | str | None:
    """What makes two trigger words of a sentence the same incident's place."""
    if place is None:
        return None
    if place.place is not None and id(place) not in approximate:
        return place.place.geonameid
    return f"@{place.start}"  # a name placed by a stand-in or not at all: its span


AGREEMENT = "Agreement"
# The event model's threshold for a sentence that follows one reporting an incident.
CONTEXT_THRESHOLD = 0.5
# ... and for a sentence with a weapon or combat word (set by hand, not chosen on dev).
MECHANISM_THRESHOLD = 0.4


def _prior(where: Span | Sequence[tuple[Token, Trigger]]) -> str | None:
    """The sub-type a trigger phrase names beyond doubt ("missile strike", "car bomb",
    "suicide bomber": strength 4), for the model's decision (see :meth:`EventModel.guess`)."""
    pairs = [(t, trigger_of(t)) for t in where] if isinstance(where, Span) else list(where)
    strong = [trig for _, trig in pairs if trig is not None and trig.strength >= 4]
    return strong[0].sub_event_type if strong else None


# Entities a word of which is no trigger ("Battle Ground Academy", "Operation Strike Back").
_NAME_ENTS = frozenset({"ORG", "FAC", "PERSON", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"})
# A gathering held to celebrate (a parade, a festival) is no protest unless the sentence
# says what it stands for: no ACLED protest note of the training split names a festivity
# without one of these words (bench/acled.py's train split, 2022).
_FESTIVE = re.compile(r"\b(celebrat\w*|festivals?|festivities|carnivals?|parades?|mardi gras|pageants?"
                      r"|graduations?|concerts?|weddings?|homecoming)\b", re.IGNORECASE)
_CAUSE = re.compile(r"\b(protest\w*|demonstrat\w*|rall(?:y|ies|ied)|demand\w*|against|support\w*|solidarity"
                    r"|denounc\w*|oppos\w*|petition\w*|sit-in|strik\w*|boycott\w*|chant\w*|slogans?|banners?"
                    r"|placards?|justice|rights?|condemn\w*)\b", re.IGNORECASE)

# Fires, storms and other mishaps, and the history of past wars, are no ACLED events
# ("firefighters battled a blaze", "a fire that killed four children", "killer bees
# attacked", "were arrested during World War Two"), unless the sentence also names a
# hand that did it (_HAND) or a cause people rose for (_CAUSE: "protesters", "strike").
# Storm words count only in lower case: "Hurricane" is a rocket launcher, "Earthquake" a
# militia's name.
_FIRE = (r"fire ?fighters?|firemen|fire (?:engines?|trucks?|crews?|departments?|services?|insurance|brigades?"
         r"|stations?|chief|marshal)|blazes?|wildfires?|bushfires?|forest fires?|house fires?|apartment fires?"
         r"|(?:a|the) fire (?:that|which|destroyed|broke out|ravaged|killed|gutted|spread)"
         r"|(?:killed|died|injured|trapped) in (?:a |the )?fire\b|short-circuit\w*")
_NATURE = (r"killer bees?|bee stings?|cyclones?|hurricanes?|typhoons?|earthquakes?|tornado(?:e?s)?|floods?"
           r"|flooding|landslides?|lightning")
_MISHAP = re.compile(rf"\b(?:(?i:{_FIRE})|{_NATURE})\b|^(?i:{_NATURE})\b"
                     r"|\b(?i:(?:during|in) (?:the )?(?:World War (?:One|Two|I{1,2}|[12])|(?:First|Second) World War|Holocaust))\b")
# Illness, accidents, sport and metaphor ("dengue fever has killed 15", "the bus
# overturned, killing eleven", "captured three wickets", "bombing voters with attack ads"):
# sport words only in lower case ("Goyim Defense League", "Preparedness Team" are names).
_ORDINARY = re.compile(
    r"\b(?:(?i:outbreaks?|epidemics?|cholera|dengue|malaria|measles|ebola|fever)\b.*\b(?i:killed|deaths?|died|dead)"
    r"|(?i:(?:road|traffic|car|bus|train|plane|mining|mine|industrial) (?:accidents?|crash(?:es)?|collisions?)"
    r"|overturned|derailed|capsized|collided|crashed into|(?:chemical|gas|fertili[sz]er) plant|gas leak"
    r"|gas explosion|mine collapse|attack ads?|campaign ads?)"
    r"|team's|league|coach|goalkeeper|striker|tournament|championship|trophy|innings|wickets?|playoffs?"
    r"|touchdowns?|in the game)\b")
# ... unless people gathered or acted for a cause (ACLED codes a students' sit-in after an
# accident, or activists blocking a power plant, as protests).
_GATHERING = re.compile(r"\b(activists?|occup\w*|block(?:ed|ing|ade)\w*|march\w*|gather\w*|rall\w*|students"
                        r"|workers)\b", re.IGNORECASE)
_HAND = re.compile(r"\b(arson\w*|set (?:\w+ ){0,3}(?:on )?fire|set (?:\w+ ){0,3}ablaze|torch\w*|petrol bombs?|molotov\w*"
                   r"|gunm[ae]n|militants?|rebels?|insurgents?|troops|soldiers|army|mobs?|riot\w*|tortur\w*"
                   r"|bomb\w*|shell\w*|shot|shoot\w*|gunfire|opened fire|fired|assault\w*|pelt\w*|stabb\w*"
                   r"|beat(?:s|en|ing)?|air ?strikes?|clash\w*|killed by|attackers?|assailants?|armed)\b",
                   re.IGNORECASE)


def _in_name(token: Token) -> bool:
    """Whether ``token`` is a word of a name of several words ("Battle" of "Battle
    Ground Academy"): such a word reports nothing."""
    if token.ent_type_ not in _NAME_ENTS or token.pos_ != "PROPN":
        return False
    ent = next((e for e in token.sent.ents if e.start <= token.i < e.end), None)
    return ent is not None and len(ent) > 1


def _festivity(text: str) -> bool:
    """ "Pupils marched through Franklin to celebrate Mardi Gras": a festivity, no protest."""
    return _FESTIVE.search(text) is not None and _CAUSE.search(text) is None


def _mishap(text: str) -> bool:
    """ "A fire destroyed the roof of a home": a fire, a storm, a past war, an illness, an
    accident, a game; no incident."""
    if _HAND.search(text) is not None or _CAUSE.search(text) is not None:
        return False
    return _MISHAP.search(text) is not None or (_ORDINARY.search(text) is not None and _GATHERING.search(text) is None)


def _other_senses_only(sent: Span) -> bool:
    """Whether the sentence's only incident words are used in another sense ("captured her
    second title", "demonstrated that ..."): the model reads the word, not its sense."""
    return any(other_sense(t) for t in sent) and not any(trigger_of(t) is not None for t in sent)


def _model_text(span: Span) -> str:
    """The text the event model reads: line breaks are spaces to it."""
    return " ".join(span.text.split())


def _anchor(sent: Span) -> Token | None:
    """The word an incident no trigger names hangs on: the sentence's main verb (or noun)."""
    root = sent.root
    if root.pos_ in ("VERB", "NOUN", "PROPN"):
        return root
    return next((t for t in sent if t.pos_ == "VERB"), None)


def _clause_text(members: Sequence[tuple[Token, Trigger]]) -> str:
    """The clause of an incident's strongest trigger word: the subtree of the verb that
    governs it, without the clauses joined to that verb ("..., and there were reports of ...")."""
    token = max(members, key=lambda tt: tt[1].strength)[0]
    verb = token
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    skip = {t.i for c in verb.children if c.dep_ in ("conj", "cc") for t in c.subtree}
    words = [t for t in verb.subtree if t.i not in skip]
    if not words:
        return token.sent.text
    return " ".join(token.doc[words[0].i : words[-1].i + 1].text.split())


def find_event_mentions(
    doc: Doc,
    mentions: Sequence[Mention],
    *,
    article_id: str,
    published: dt.date | None = None,
    locate: Locate | None = None,
    place_model: PlaceModel | None = None,
) -> list[EventMention]:
    """Find the incidents ``doc`` reports, one :class:`EventMention` per incident and sentence
    (its trigger the verb that reports it, :func:`event_verb`), and one per other verb of
    the incident in that sentence, marked ``repeats`` (the events table skips those).

    ``mentions`` are the document's resolved toponyms; ``published`` anchors relative
    dates ("yesterday"); without it the year is inferred from the text. An event's
    place may be a name the toponym finder did not resolve: ``locate(name, mentions)``
    (:func:`geomap.geocode.locate.locate_name`) places it next to the document's other
    places where it can, else the sentence's resolved place stands in for its
    coordinates (``approximate``), else it stays without coordinates. ``place_model``
    picks each event's place (default: the shipped one).
    """
    base = published
    date_source = "text"
    if base is None:
        year = infer_year(doc)
        base = dt.date(year, 12, 31) if year else None
        date_source = "text-inferred-year"

    roots = mention_roots(doc, mentions)
    surnames = person_words(doc)
    model = load_event_model()
    countries = Counter(m.place.country_code for m in mentions if m.kind == "place" and m.place is not None and m.place.country_code)
    doc_country = countries.most_common(1)[0][0] if countries else None

    # A text of one line (a headline, a wire alert) is all there is: it reports its event
    # as a sentence would, full stop or not.
    one_line = "\n" not in doc.text.strip()
    out: list[EventMention] = []
    last_index = -1
    paragraph = 0
    counted_to = 0
    previous_date: DateValue | None = None
    last_date: DateValue | None = None  # the latest date, across paragraphs
    for index, sent in enumerate(doc.sents):
        breaks = doc.text.count("\n\n", counted_to, sent.start_char)
        counted_to = sent.start_char
        if breaks:
            paragraph += breaks
            previous_date = None
        text = sent.text.strip()
        if not text or len(sent) < 4 or (text[-1] not in '.!?"”\'’)' and not one_line):
            continue  # a headline or a fragment in an article: summaries of what the body reports
        dates = _sentence_dates(sent, base, relative=published is not None)
        if _SAME_TIME.search(text) and not dates and previous_date is None:
            previous_date = last_date
        sent_mentions = [m for m in mentions if sent.start_char <= m.start < sent.end_char and id(m) in roots]

        # The event model decides whether the sentence reports an incident and of which
        # type; the trigger words say where in the sentence (its place, date, actors, deaths).
        # A sentence right after one that reports an incident, in the same paragraph, often
        # goes on about it without saying so again ("X died in an explosion in Y on July 3.").
        # A two-word weapon phrase ("drone strike", "car bomb") is evidence the model
        # under-reads: in ACLED's notes "strike" is mostly a labour strike.
        # A weapon or combat word ("explosion", "shelling", "clash": the lexicon's strength 3)
        # is evidence too: such a sentence needs less of the model (MECHANISM_THRESHOLD).
        follows_event = bool(out) and out[-1].paragraph == paragraph and out[-1].sentence_index == last_index
        prior = _prior(sent)
        mechanism = any((trig := trigger_of(t)) is not None and trig.strength >= 3 and trig.event_type in VIOLENT_TYPES
                        and not is_hypothetical(t) and not _in_name(t) for t in sent)
        threshold = min(CONTEXT_THRESHOLD if follows_event else 1.0, MECHANISM_THRESHOLD if mechanism else 1.0)
        guess = model.guess(_model_text(sent), prior=prior, threshold=threshold if threshold < 1.0 else None)
        if guess.is_event and prior is None and (
                _mishap(text) or guess.event_type == "Protests" and _festivity(text) or _other_senses_only(sent)):
            guess = replace(guess, p_event=0.0)
        last_index = index
        found: list[tuple[Token, Trigger, Mention | None]] = []
        approximate: set[int] = set()  # ids of this sentence's event places placed by a stand-in
        # Talks to be held are no reported ACLED event, so the model (trained on reported
        # events) does not judge them: a planned agreement keeps its trigger word's type.
        reported = guess.is_event or prior is not None
        planned_only = not reported
        for token in sent:
            trig = trigger_of(token)
            if trig is None or (trig.event_type in VIOLENT_TYPES and is_hypothetical(token)) or _in_name(token):
                continue
            if reported or (trig.sub_event_type == AGREEMENT and sentence_status(token, sent) == "planned"):
                # The place hangs on the verb that reports the incident ("were killed in
                # clashes in Y"), as it does in the sentences the place model learned from.
                place, stand_in = choose_place(_place_word(token), sent_mentions, roots, surnames=surnames, model=place_model)
                if place is not None and place.place is None:
                    place = _placed(doc, place, stand_in, mentions, locate, roots, approximate)
                found.append((token, trig, place))
        anchor = _anchor(sent) if not found and guess.is_event else None
        if anchor is not None and not is_hypothetical(anchor):
            # An incident no trigger word names ("repelled", "shot down 3 missiles").
            place, stand_in = choose_place(anchor, sent_mentions, roots, surnames=surnames, model=place_model)
            if place is not None and place.place is None:
                place = _placed(doc, place, stand_in, mentions, locate, roots, approximate)
            found.append((anchor, Trigger(guess.event_type, guess.sub_event_type, 2), place))
        if found and all(p is None or p.place is None for _, _, p in found):
            # No word of the incident points at a place the map can show: the finest one
            # the sentence names stands in for its coordinates.
            fallback = _sentence_place(doc, sent_mentions, doc_country)
            if fallback is not None:
                for k, (token, trig, place) in enumerate(found):
                    if place is None:
                        place = fallback
                        approximate.add(id(place))
                    else:  # the name stays as written, at the stand-in's coordinates
                        place = _placed(doc, place, fallback, mentions, None, roots, approximate)
                    found[k] = (token, trig, place)

        # "X was killed in a strike near Y": an unplaced word joins the nearest placed
        # word of its sentence; then one mention per place.
        placed = [(t, p) for t, tr, p in found if p is not None]
        groups: dict[int | str | None, list[tuple[Token, Trigger]]] = {}
        group_place: dict[int | str | None, Mention | None] = {}
        for token, trig, place in found:
            if place is None and placed:
                place = min(placed, key=lambda tp: abs(tp[0].i - token.i))[1]
            key = _place_key(place, approximate)
            groups.setdefault(key, []).append((token, trig))
            group_place[key] = place

        # Each incident's type: the sentence's where it reports one, else its clause's.
        typing = {key: guess if len(groups) == 1 else model.guess(_clause_text(members), prior=_prior(members))
                  for key, members in groups.items()}
        # Deaths stated by a word that reports no incident of its own ("Shelling of Kharkiv on
        # Monday: three dead.") belong to the sentence's incident when it reports only one.
        violent_keys = [key for key, g in typing.items() if g.event_type in VIOLENT_TYPES]
        loose: list[int] = []
        if len(violent_keys) == 1:
            loose = [c for t in sent if trigger_of(t) is None and (c := count_victims(t)) is not None]
        for key, members in groups.items():
            others = frozenset(t.i for k, group in groups.items() if k != key for t, _ in group)
            em = _mention(members, group_place[key], sent, index, paragraph, text, article_id,
                          dates, previous_date, published, date_source, roots,
                          loose_deaths=loose if key in violent_keys else (),
                          approximate=id(group_place[key]) in approximate,
                          typed=None if planned_only else (typing[key].event_type, typing[key].sub_event_type),
                          others=others)
            em = _with_actor_countries(em, sent, sent_mentions, doc_country)
            out.append(em)
            for verb in _incident_verbs(members, others):
                if verb.idx != em.trigger_start:
                    # A verb of the incident that names its own target ("launched an offensive
                    # in the Aleppo countryside, targeting the town of Al-Rai") is at that place.
                    own, own_stand_in = choose_place(verb, sent_mentions, roots, surnames=surnames, model=place_model)
                    if own is not None and own.place is None:
                        own = _placed(doc, own, own_stand_in, mentions, locate, roots, approximate)
                    if own is None or own.place is None:
                        own = em.place
                    out.append(replace(em, trigger_start=verb.idx, trigger_end=verb.idx + len(verb.text),
                                       trigger_text=verb.text, repeats=em.trigger_start, place=own,
                                       approximate=em.approximate if own is em.place else id(own) in approximate))
        # A date in a side clause ("who was appointed in March 2025") dates nothing after it.
        told = [v for ent, v in dates if not any(t.dep_ in _SIDE_CLAUSE for t in ancestors_and_self(ent.root))]
        if told:
            previous_date = min(told, key=lambda v: v.precision)
            last_date = previous_date
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
