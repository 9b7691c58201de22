"""Which of a sentence's place names is where its incident happened: candidates, their features,
and the pick (the learned model of :mod:`geomap.extract.event_place` scores them)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from spacy.tokens import Doc, Token

from geomap.extract.event_place import (
    TITLE_WORDS,
    PlaceModel,
    add_group_features,
    load_place_model,
    parse_candidates,
    place_features,
)
from geomap.extract.toponyms import FACILITY_WORDS, LOCATIVE_NOUNS, STREET_WORDS
from geomap.extract.triggers import (
    PROTESTS,
    STRATEGIC,
    VIOLENT_TYPES,
    ancestors_and_self,
    is_hypothetical,
    trigger_of,
)
from geomap.models import Mention, Place

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
    up_a = {t.i: d for d, t in enumerate(ancestors_and_self(a))}
    for d, t in enumerate(ancestors_and_self(b)):
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
    trigger: Token, mentions: Sequence[Mention], roots: dict[int, Token], *, resolved: bool = True,
    model: PlaceModel | None = None,
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
    model = model or load_place_model()
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
    model: PlaceModel | None = None,
) -> tuple[Mention | None, Mention | None]:
    """The event's place as the sentence writes it, and a stand-in for its coordinates.

    The pick is made out of every place-like name of the sentence, the ones the
    gazetteer does not know included ("in the Mieh Mieh refugee camp"); where that
    name cannot be placed, the stand-in is what the pick would be among resolved
    names only (None where the pick is resolved itself). A name that is unlikely to
    be a site (:func:`_could_be_site`) gives way to the resolved pick.
    """
    picked = pick_place(trigger, mentions, roots, resolved=False, model=model)
    text = trigger.doc.text
    if picked is None or picked.place is not None:
        return _within_the_formula(_qualified_by(picked, mentions, text), None, mentions, text)
    root = roots.get(id(picked)) or mention_roots(trigger.doc, [picked]).get(id(picked))
    resolved = _qualified_by(pick_place(trigger, mentions, roots, resolved=True, model=model), mentions, text)
    if root is None or not _could_be_site(picked, root, surnames):
        return _within_the_formula(resolved, None, mentions, text)
    return _within_the_formula(picked, resolved, mentions, text)


# "Muyira zone (Kanyosha, Bujumbura Rural)", "Kawlin town (Kawlin township, ...)": a kind word
# may stand between a place and the parenthesis that places it.
_BEFORE_PARENTHESIS = re.compile(r"\s*(?:[a-z]+\s*)?\(\s*")


def _formula(mentions: Sequence[Mention], text: str, picked: Mention | None = None) -> tuple[Mention, Mention] | None:
    """The sentence's place written with its district and province in parentheses, the way a
    report locates an incident ("in Galigamuwa (Kegalle, Sabaragamuwa)"): the name and the
    first name inside the parentheses, or None. The pick itself first (a name only the parser
    saw), then the sentence's toponyms in order."""
    def qualifies(m: Mention, q: Mention) -> bool:
        # The name inside closes the parenthesis, or the parenthesis lists places: "(Damascus
        # Gate)" is another name of the place, not where it lies.
        between, inside = text[m.end : q.start], text[q.start :].partition(")")[0]
        return (m.kind == "place" and q.kind == "place" and q.place is not None
                and (inside.strip() == q.text or "," in inside)
                and len(between) <= 16 and _BEFORE_PARENTHESIS.fullmatch(between) is not None)

    ordered = sorted(mentions, key=lambda m: m.start)
    if picked is not None:
        after = next((q for q in ordered if q.start >= picked.end), None)
        if after is not None and qualifies(picked, after):
            return picked, after
    for m, q in zip(ordered, ordered[1:]):
        if qualifies(m, q):
            return m, q
    return None


def _in_area(place: Place, area: Place) -> bool:
    """Is ``place`` in the country of ``area`` and, where ``area`` is within a first-level
    region, in that region?"""
    if place.country_code != area.country_code:
        return False
    return area.feature_code.startswith("PCL") or not area.admin1_code or not place.admin1_code or place.admin1_code == area.admin1_code


def _within_the_formula(
    picked: Mention | None, stand_in: Mention | None, mentions: Sequence[Mention], text: str,
) -> tuple[Mention | None, Mention | None]:
    """A pick outside the region the sentence's parenthesised place lies in gives way to that
    place: the report placed its incident there, and a name elsewhere ("a forest at Taung Phi
    village", "the Samagi Jana Balavegaya" read as Janja, Bosnia) is a word of something else."""
    found = _formula(mentions, text, picked)
    if found is None or picked is None:
        return picked, stand_in
    where = picked.place if picked.place is not None else (stand_in.place if stand_in is not None else None)
    named, qualifier = found
    area = qualifier.place
    assert area is not None
    if where is not None and _in_area(where, area):
        return picked, stand_in
    if named.place is not None:
        # Placed outside its own parentheses, the name and its qualifier disagree (a namesake
        # qualifier, "Wellington (Wellington)" read as the Australian town): the pick stands.
        return (named, None) if _in_area(named.place, area) else (picked, stand_in)
    return named, qualifier


def _qualified_by(picked: Mention | None, mentions: Sequence[Mention], text: str) -> Mention | None:
    """The place a picked qualifier qualifies: in "close to Santiago Yolomecatl, Oaxaca," the
    event is at the village, not at Oaxaca, where the village lies; in "(Oicha, Beni,
    Nord-Kivu)" at Oicha, and in "(Myingyan district, Mandalay region)" in the district, the
    finest of the chain. A list of places ("Donetsk, Horlivka and Makiivka") is no qualifier."""
    for _ in range(3):
        finer = _qualified_once(picked, mentions, text)
        if finer is picked:
            break
        picked = finer
    return picked


def _qualified_once(picked: Mention | None, mentions: Sequence[Mention], text: str) -> Mention | None:
    if picked is None or picked.place is None:
        return picked
    area = picked.place
    if any(0 < m.start - picked.end <= 6 for m in mentions):
        return picked
    for m in mentions:
        between = text[m.end : picked.start]
        if m.place is None or m.kind != "place" or between.strip() not in (",", "(") or len(between) > 3:
            continue
        inside = m.place.country_code == area.country_code and m.place.geonameid != area.geonameid and (
            area.feature_code.startswith("PCL") or (bool(area.admin1_code) and m.place.admin1_code == area.admin1_code))
        district = m.place.feature_code in ("ADM2", "ADM3", "ADM4") and area.feature_code in ("ADM1", "ADM1H")
        if inside and (district or m.place.feature_class in ("P", "S", "L", "T", "H", "V") + (("A",) if area.feature_code.startswith("PCL") else ())):
            return m
    return picked


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
        "trigger_hypothetical": float(is_hypothetical(trigger)),
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
    # A word of an organisation's name, or a street's, gives way to a place the sentence names
    # as a place ("the Sor Party ... in Chisinau", "at Riviera Square in Kisumu"); alone, it
    # may be the site ("attacked Kabul University").
    words_of_names = {id(m) for m in pool if _word_of_a_name(m, roots.get(id(m)))}
    if any(m.kind == "place" and m.place is not None for m in pool):
        pool = [m for m in pool if id(m) not in words_of_names]
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


_SITE_WORDS = LOCATIVE_NOUNS | FACILITY_WORDS | frozenset(
    "monday tuesday wednesday thursday friday saturday sunday camp farm farms".split())
# Articles a name may carry inside the entity ("Ar-Raqqa", "the Mykolaiv"): not another word.
_ARTICLES = frozenset("the al el ar as ad an at ash az".split())


def _word_of_a_name(mention: Mention, root: Token | None) -> bool:
    """Is the name one word of a longer name, a street's ("Riviera Square", "Savanna road") or
    an organisation's ("the Sor Party", "Colonia Pedregal de Santa Julia")? Such a word is not
    where things happened when the sentence names a place. (A town's name inside an
    organisation's is a place where a locative or a qualifier says so: the finder then gives
    it the kind "place", see :mod:`geomap.extract.toponyms`.)"""
    if root is None:
        return False
    doc = root.doc
    nxt = next((t for t in doc[root.i :] if t.idx >= mention.end), None)
    if nxt is not None and nxt.lower_ in STREET_WORDS and nxt.idx - mention.end <= 1:
        return True
    if mention.kind != "actor" or root.ent_type_ != "ORG":
        return False
    ent = next((e for e in root.doc.ents if e.start <= root.i < e.end), None)
    if ent is None:
        return False
    others = [t.lower_ for t in ent if t.is_alpha and t.lower_ not in _ARTICLES and not (mention.start <= t.idx < mention.end)]
    # "Alexandria University", "the Deir Ezzor Military Airport", "Goma Thursday": a site in
    # the town, or the town and a day, not another thing's name.
    return bool(others) and not any(w in _SITE_WORDS for w in others)


def is_near(root: Token) -> bool:
    prep = _preposition(root)
    if prep is not None and prep.lower_ in _NEAR:
        return True
    return any(t.lower_ in _NEAR for t in root.doc[max(root.i - 4, 0) : root.i])


def mention_roots(doc: Doc, mentions: Sequence[Mention]) -> dict[int, Token]:
    """The syntactic head token of each mention, keyed by ``id(mention)``."""
    roots: dict[int, Token] = {}
    for m in mentions:
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is not None and len(span):
            roots[id(m)] = span.root
    return roots
