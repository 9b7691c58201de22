"""Finding place names in a parsed text: spaCy's entities plus a gazetteer matcher.

This module only says *where* the text names places and *how* each is used
(a literal place, an actor by metonymy, a demonym); putting them on Earth is
:mod:`geomap.geocode.resolve`'s job.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from geomap.extract.abbreviations import STANDALONE_ABBREVIATIONS, dotted_abbreviations, region_abbreviation
from geomap.extract.dates import WEEKDAYS

__all__ = ["Toponym", "find_toponyms", "REGION_WORDS", "dotted_abbreviations", "region_abbreviation"]

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Entities the gazetteer matcher must not cut into. Dates and numbers: "March 2025" is
# not the town of March. PRODUCT does not block: the small model calls "Kursk" in "the
# Kursk region" a product. Organisations are searched for the places in their names
# ("the Texas Department of Health"), which are kept as actors, not as locations.
BLOCKING_LABELS = frozenset(
    {"PERSON", "WORK_OF_ART", "LAW", "EVENT", "LANGUAGE", "DATE", "TIME", "MONEY",
     "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL"}
)
# "Kursk region", "Luhansk Oblast": the cue turns the name into the first-level region.
REGION_WORDS = frozenset(
    {"region", "oblast", "province", "governorate", "krai", "kray", "prefecture", "state", "county", "district", "territory"}
)
# "Amara city", "the town of Kafr Nabl": the cue makes the name a town, not a region of its name.
TOWN_WORDS = frozenset({"city", "town", "village"})
# Verbs whose subject is an actor, not a place: "Moscow denied", "the Kremlin said".
ACTOR_VERBS = frozenset(
    """say tell state announce deny claim accuse warn reject insist demand impose
    sanction threaten respond react condemn urge call agree refuse decide plan want
    link continue remain assess confirm report stress add believe expect seek hope
    offer propose support oppose criticize criticise blame vow pledge order ask argue
    praise welcome recognize recognise approve send expel summon host""".split()
)
# "West Nile virus", "Ebola fever", "Spanish flu": a disease named after a place.
DISEASE_WORDS = frozenset(
    """virus viruses fever flu influenza disease strain strains virion ebolavirus""".split()
)
# Adjectives between a disease's name and its word: "Marburg haemorrhagic fever".
DISEASE_ADJECTIVES = frozenset("hemorrhagic haemorrhagic viral".split())
# Pathogens news names alone ("contracted HIV", "died from Ebola"), never places there:
# the virus codes ("H5N1", "HIV-1") and the few names that stand for the disease itself.
PATHOGEN_NAMES = frozenset("hiv aids sars mers covid covid-19 ebola ebolavirus zika".split())
_VIRUS_CODE = re.compile(r"(?:HIV|SIV|HTLV)(?:-\d)?|H\d{1,2}N\d{1,2}")
# Words after a pathogen's name that make it the place it was named after: "the Ebola River".
NAMESAKE_PLACE_WORDS = frozenset("river forest valley region district province county".split())
# Prepositions that introduce a place: "in Reading" is the town, "Reading" alone may be a verb.
LOCATIVE_PREPOSITIONS = frozenset("in at near from to into outside across toward towards around via".split())
# Words for kinds of places and directions: alone they name no place, even where a
# gazetteer has a region so called ("West" in Cameroon, "Centre" in Burkina Faso).
GENERIC_WORDS = frozenset(
    """north south east west northern southern eastern western central centre center
    northeast northwest southeast southwest city town village county state region
    province district colony territory gulf coast island islands lake river mountain
    mountains valley bay harbor harbour port beach park street road avenue square hall
    church university college school airport station bridge capital metro downtown uptown
    midtown republic kingdom union nation world""".split()
)
MAX_NGRAM = 4
# The words that make a name a facility's ("X International Airport", "Stade de France"):
# such a name is resolved whole or not at all, never by a town named like a word inside it.
# Words after a name that make it a part of a town: "in the Boa Vista neighborhood".
QUARTER_WORDS = frozenset(
    """neighborhood neighbourhood neighborhoods neighbourhoods community communities favela
    sector quarter suburb housing estate slum""".split()
)
# Words written before a town's quarter ("in colonia San Antonio", "the Moallemeen
# neighborhood" has its word after).
QUARTER_BEFORE = frozenset("colonia col. barrio bairro fraccionamiento ward".split())
# Words after a name that make it a division of the region named next ("Kani township,
# Yinmarbin district", "Rupa rural municipality, Kaski district").
UNIT_WORDS = frozenset(
    """township municipality rural urban locality commune upazila tehsil taluk payam ward
    sub-district subdistrict department lga corregimiento parish barangay town city village""".split()
)
# Words after a name that make it a street, a square or a park of a town ("on Savanna road",
# "in Romare Bearden Park"): an event there is in the town the sentence names.
STREET_WORDS = frozenset("square street avenue boulevard plaza platz road park".split())
FACILITY_WORDS = frozenset(
    """airport airfield aerodrome base station terminal stadium stade arena plant
    refinery port harbour harbor bridge dam prison""".split()
)


@dataclass(frozen=True)
class Toponym:
    """A place name in a text, before resolution.

    ``kind`` is ``place`` (a literal location), ``actor`` (metonymy: "Moscow denied",
    or a name inside an organisation's: "the Texas Department of Health"), or
    ``modifier`` (a demonym or adjective: "Russian"); ``region_cue`` says the text calls
    it a region ("Kursk region"), and ``query`` is the name to look up.
    ``qualifier_start`` is the start of the toponym that qualifies this one after a
    comma ("Paris, Texas": the start of "Texas"), or -1. ``weak`` marks a single
    capitalised word that is also a common noun ("Police", "Reading") which only the
    gazetteer matcher found: the resolver keeps it only if it names a well-known place.
    """

    start: int
    end: int
    text: str
    query: str
    label: str
    kind: str = "place"
    region_cue: bool = False
    token_start: int = 0
    token_end: int = 0
    qualifier_start: int = -1
    # The qualifier is inside parentheses ("Mala (Harib, Marib)") or follows a unit word
    # ("Kani township, Yinmarbin district"): a place's district and province, never a list of places.
    qualifier_paren: bool = False
    weak: bool = False
    # Only part of a longer name ("Buda" in "Seredyna-Buda"): the resolver keeps it in the
    # document's countries only.
    partial: bool = False
    # A part of a town ("the Santa Cruz neighborhood", "Morro da Coca community"): the
    # resolver keeps it near a town the document names.
    quarter: bool = False
    # A short form standing alone ("NSW", "SA"): the regions or countries it may stand for
    # (:data:`~geomap.extract.abbreviations.STANDALONE_ABBREVIATIONS`); the resolver keeps the one of a country the
    # document names otherwise, and drops the name if there is none.
    abbreviates: tuple[str, ...] = ()
    # A word beside it continues a capitalised run the gazetteer does not know whole ("Arida"
    # of "Arida Abu Jarada", "Pure" of "Pure Third Command"): the resolver keeps a small place
    # so named only in the countries the document's other names are in.
    in_run: bool = False
    # The text calls it a town ("Amara city", "the village of Kafr Nabl"): the resolver
    # takes a populated place of the name over a region or district so called.
    town_cue: bool = False


@functools.lru_cache(maxsize=2)
def common_nouns(nlp: Language | None = None) -> frozenset[str]:
    """English common nouns (WordNet's, as the lemmatizer of ``nlp`` ships them; default:
    :func:`geomap.extract.nlp.load_nlp`'s).

    The list holds well-known place names too ("paris"): it only ever vetoes a single
    capitalised word that the model did not call a place and no preposition introduces.
    """
    from spacy.strings import hash_string  # type: ignore[attr-defined]  # Cython, no stub

    from geomap.extract.nlp import load_nlp

    try:
        lemmatizer: Any = (nlp or load_nlp()).get_pipe("lemmatizer")
        index = lemmatizer.lookups.get_table("lemma_index")
    except (KeyError, ValueError, AttributeError):
        return frozenset()
    for key in ("noun", hash_string("noun")):
        if key in index:
            return frozenset(w for w in index[key] if "_" not in w)
    return frozenset()


def _strip_article(span: Span) -> Span:
    while len(span) > 1 and span[0].lower_ in ("the", "a", "an"):
        span = span[1:]
    # "Russia's": the possessive is not part of the name.
    while len(span) > 1 and span[-1].tag_ == "POS":
        span = span[:-1]
    return span


def _with_region_cue(doc: Doc, span: Span) -> tuple[Span, bool]:
    """Extend "Kursk" to "Kursk region" when a region word follows it."""
    if span.end < len(doc) and doc[span.end].lower_ in REGION_WORDS:
        return doc[span.start : span.end + 1], True
    if span[-1].lower_ in REGION_WORDS and len(span) > 1:
        return span, True
    return span, False


def _called_a_town(doc: Doc, span: Span) -> bool:
    """Does a lower-case town word call the name a town: "Amara city", "the town of Sudzha"?
    (Not "Manchester City", a club.)"""
    after = doc[span.end] if span.end < len(doc) else None
    if after is not None and after.is_lower and after.lower_ in TOWN_WORDS:
        return True
    return span.start >= 2 and doc[span.start - 1].lower_ == "of" and doc[span.start - 2].lower_ in TOWN_WORDS


def _in_location_parentheses(doc: Doc, span: Span) -> bool:
    """Is the name one item of parentheses that list only places, the way a report places a
    town: "Muyira zone (Kanyosha, Bujumbura Rural)", "(Fizi, Sud-Kivu)"? A list of names, or one
    name with at most a region word; "(Al-Quds Brigade)" is an organisation's name."""
    def name_word(t: Token) -> bool:
        return t.is_title or t.text in (",", "-") or t.lower_ in REGION_WORDS or t.lower_ in _NAME_PARTICLES

    left = span.start - 1
    while left >= 0 and span.start - left <= 8 and doc[left].text != "(" and name_word(doc[left]):
        left -= 1
    right = span.end
    while right < len(doc) and right - span.end <= 8 and doc[right].text != ")" and name_word(doc[right]):
        right += 1
    if not (left >= 1 and doc[left].text == "(" and right < len(doc) and doc[right].text == ")"):
        return False
    if any(t.text == "," or (t.text == "-" and t.whitespace_) for t in doc[left + 1 : right]):
        return True  # a list, or a city and its district: "(Kilifi North, Kilifi county)", "(Gwangju - Seo)"
    # One item: the name alone, or with a region word.
    rest = [t for t in doc[left + 1 : right] if not (span.start <= t.i < span.end)]
    return all(t.lower_ in REGION_WORDS for t in rest)


def _with_town_cue(doc: Doc, span: Span) -> bool:
    """Does the text call the name a town: a town word beside it, or its own last word ("Gaza City")?"""
    return _called_a_town(doc, span) or (len(span) > 1 and span[-1].lower_ in TOWN_WORDS)


# "Sarajevo's streets", "Iraq's northern Nineveh province": a possessive that owns a
# part of a place is still a place; "Moscow's decision" is an actor.
LOCATIVE_NOUNS = frozenset(
    """street streets road square town towns city cities village villages province region
    district capital outskirts suburb suburbs centre center hospital church mosque school
    university airport port harbour harbor market border coast north south east west
    northeast northwest southeast southwest countryside area areas part parts neighbourhood
    neighborhood camp prison base embassy headquarters building residence house home hotel
    restaurant cafe stadium station bridge highway checkpoint museum palace compound""".split()
)


def _kind(span: Span) -> str:
    """Tell a literal place from metonymy ("Moscow denied") by the name's role."""
    head: Token = span.root
    if head.dep_ in ("nsubj", "nsubjpass") and head.head.lemma_ in ACTOR_VERBS:
        return "actor"
    if head.dep_ == "poss" or any(t.tag_ == "POS" for t in head.children):
        owner = head.head if head.dep_ == "poss" else head
        if owner.lemma_.lower() in LOCATIVE_NOUNS or owner.ent_type_ in ("FAC", "GPE", "LOC"):
            return "place"
        return "actor"
    if head.dep_ == "agent" or (head.dep_ == "pobj" and head.head.dep_ == "agent"):
        return "actor"
    return "place"


def _is_candidate_start(token: Token) -> bool:
    return token.is_title or (token.is_upper and len(token) > 1 and token.pos_ == "PROPN")


def _stands_alone(doc: Doc, tok: Token) -> bool:
    """Is ``tok`` a short form written alone ("horses from NSW"), not a region's
    abbreviation after a town ("Perth, WA")?"""
    if tok.text not in STANDALONE_ABBREVIATIONS:
        return False
    return not (tok.i > 0 and doc[tok.i - 1].text == "," and region_abbreviation(tok.text, after_comma=True))


def _inside_disease_name(tok: Token) -> bool:
    """A word between a disease's name and its word: "haemorrhagic", or a hyphen that joins."""
    return tok.lower_ in DISEASE_ADJECTIVES or (tok.text == "-" and not tok.whitespace_)


def _names_a_disease(doc: Doc, span: Span) -> bool:
    """Is ``span`` followed by a disease word ("West Nile virus", "Marburg haemorrhagic fever")?"""
    k = span.end
    while k < len(doc) and _inside_disease_name(doc[k]):
        k += 1
    return k < len(doc) and doc[k].lower_ in DISEASE_WORDS


def _disease_names(doc: Doc) -> set[str]:
    """The names ``doc`` gives a disease ("Marburg" of "Marburg haemorrhagic fever"), lowercased:
    up to three capitalised words before a disease word."""
    names: set[str] = set()
    for tok in doc:
        if tok.lower_ not in DISEASE_WORDS:
            continue
        k = tok.i
        while k > 0 and _inside_disease_name(doc[k - 1]):
            k -= 1
        start = k
        while start > 0 and k - start < 3 and _is_candidate_start(doc[start - 1]) and not doc[start - 1].is_punct:
            start -= 1
        for a in range(start, k):
            names.add(doc[a:k].text.lower())
    return names


def _without_diseases(doc: Doc, found: list[Toponym]) -> list[Toponym]:
    """Leave out the names of diseases: a pathogen ("HIV", "H5N1", "Ebola" but "the Ebola River"),
    and a name the document gives a disease ("Marburg" where it writes "Marburg virus") unless
    it also uses that name as a place ("in Marburg", "Marburg, Germany")."""
    def locative(t: Toponym) -> bool:
        before = doc[t.token_start - 1].lower_ if t.token_start > 0 else ""
        return before in LOCATIVE_PREPOSITIONS or t.qualifier_start >= 0

    def pathogen(t: Toponym) -> bool:
        if _VIRUS_CODE.fullmatch(t.text):
            return True
        after = doc[t.token_end].lower_ if t.token_end < len(doc) else ""
        return t.text.lower() in PATHOGEN_NAMES and after not in NAMESAKE_PLACE_WORDS

    diseases = _disease_names(doc)
    if diseases:
        diseases -= {t.text.lower() for t in found if locative(t)}
    return [t for t in found if not pathogen(t) and t.text.lower() not in diseases]


_LOCATIVE = frozenset({"in", "near", "outside", "around"})


def _introduced_as_place(doc: Doc, tok: Token) -> bool:
    """Is the word right after "in", "near", "outside", "around" or "through", and not a
    possessive ("in Kalmar", "marched through Norwich"; not "in Smith's words")?"""
    before = doc[tok.i - 1].lower_ if tok.i > 0 else ""
    after = doc[tok.i + 1].lower_ if tok.i + 1 < len(doc) else ""
    return before in _LOCATIVE | {"through", "throughout"} and after not in ("'s", "’s")


def _before_qualifier(ent: Span, has_alias: Callable[[str], bool], normalize: Callable[[str], str]) -> bool:
    """Is the entity (or span) followed by a comma or parenthesis and a place name that closes
    the phrase ("Velyka Kostromka, Dnipropetrovsk region", "Soledar, Donetsk.")?"""
    doc = ent.doc
    if ent.end + 1 >= len(doc) or doc[ent.end].text not in (",", "("):
        return False
    nxt = next((e for e in doc.ents if e.start == ent.end + 1), None)
    if nxt is not None and nxt.label_ == "PERSON" and len(nxt) == 1:
        nxt = None  # "shelled Rubizhne, Luhansk", both read as persons: the word is looked up
    if nxt is not None and nxt.label_ not in PLACE_LABELS:
        return False
    if nxt is None:
        word = doc[ent.end + 1]
        if not word.is_title or not has_alias(normalize(word.text)):
            return False
        nxt = doc[word.i : word.i + 1]
    return nxt.end == len(doc) or doc[nxt.end].text in (")", ",", ".", ";") or doc[nxt.end].lower_ in REGION_WORDS


def _a_list_of_places(ent: Span, has_alias: Callable[[str], bool], normalize: Callable[[str], str]) -> bool:
    """Is the entity a list of names the gazetteer knows, after "between" or a locative
    ("between Beni and Butembo", "in Goma, Beni and Butembo")?"""
    doc = ent.doc
    if ent.start == 0 or doc[ent.start - 1].lower_ not in LOCATIVE_PREPOSITIONS | {"between"}:
        return False
    parts: list[list[Token]] = [[]]
    for t in ent:
        if t.lower_ == "and" or t.text == ",":
            parts.append([])
        else:
            parts[-1].append(t)
    if len(parts) < 2 or any(not part for part in parts):
        return False
    return all(has_alias(normalize(doc[part[0].i : part[-1].i + 1].text)) for part in parts)


def _after_locative(ent: Span) -> bool:
    """Is the entity the object of "in", "near", "outside" or "around"?"""
    root = ent.root
    return root.dep_ == "pobj" and root.head.lower_ in _LOCATIVE and root.head.i == ent.start - 1


def find_toponyms(
    doc: Doc, has_alias: Callable[[str], bool], normalize: Callable[[str], str], *,
    nouns: frozenset[str] | None = None, is_acronym: Callable[[str], bool] | None = None,
) -> list[Toponym]:
    """Find the place names in ``doc``.

    ``nouns``: the common nouns of the pipeline that parsed ``doc`` (:func:`common_nouns`;
    default: those of the default pipeline).

    ``has_alias(normalize(text))`` says whether the gazetteer knows a name; it lets the
    matcher find names the model misses ("Kursk region", villages tagged as persons).
    ``is_acronym(text)`` says whether a word in capitals is a place's own acronym ("EU").
    A name the document also uses as a person's ("Mr Modi", "Modi said"), a capitalised
    common noun ("Secretary") and a disease named after a place ("West Nile virus") are
    not places; a place inside an organisation's name ("the Paris Police Department") is
    kept as an actor; "Tampa, Fla." reads the abbreviation as Florida.

    >>> from geomap.extract.nlp import load_nlp
    >>> from geomap.gazetteer import open_gazetteer, normalize_name
    >>> gaz = open_gazetteer()
    >>> doc = load_nlp()("A strike hit the Kursk region.")
    >>> [t.text for t in find_toponyms(doc, gaz.has_alias, normalize_name)]
    ['Kursk region']
    """
    nouns = common_nouns() if nouns is None else nouns
    n = len(doc)
    taken = [False] * n
    blocked: list[str | None] = [None] * n
    in_org = [False] * n
    found: list[Toponym] = []
    # Names the document gives people ("Narendra Modi", then "Modi"); a lone word the model
    # calls a person ("Shelling hit Kharkiv") may still be a well-known place.
    person_words = {t.lower_ for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1 for t in ent if t.is_alpha}
    lone_person = [False] * n
    norp = [False] * n
    norps: list[Span] = []

    def add(span: Span, label: str, kind: str | None = None, weak: bool = False, query: str | None = None) -> None:
        span = _strip_article(span)
        if len(span) == 1 and _stands_alone(doc, span[0]):
            add_abbreviation(span[0], kind or "place")
            return
        span, cue = _with_region_cue(doc, span)
        query_span = span[:-1] if cue and len(span) > 1 else span
        query = query or query_span.text.strip()
        if not query:
            return
        after_comma = span.start > 0 and doc[span.start - 1].text == ","
        full = region_abbreviation(span.text, after_comma=after_comma)
        if full is not None:
            query, cue = full, True
        for t in span:
            taken[t.i] = True
        found.append(
            Toponym(
                start=span.start_char,
                end=span.end_char,
                text=span.text,
                query=query,
                label=label,
                kind=kind or _kind(query_span),
                region_cue=cue,
                token_start=span.start,
                token_end=span.end,
                weak=weak and not cue,
                town_cue=not cue and _with_town_cue(doc, span),
                quarter=(span.end < len(doc) and doc[span.end].lower_ in QUARTER_WORDS) or (
                    span.start > 0 and doc[span.start - 1].lower_ in QUARTER_BEFORE) or (
                    len(span) > 1 and span[0].lower_ in QUARTER_BEFORE),
            )
        )

    def add_abbreviation(tok: Token, kind: str) -> None:
        taken[tok.i] = True
        names = STANDALONE_ABBREVIATIONS[tok.text]
        found.append(Toponym(start=tok.idx, end=tok.idx + len(tok), text=tok.text, query=names[0], label="GAZ",
                             kind=kind, token_start=tok.i, token_end=tok.i + 1, abbreviates=names))

    for span in _names_across_entities(doc, has_alias, normalize):
        add(span, "GAZ")
    for ent in doc.ents:
        if any(taken[t.i] for t in ent):
            continue  # part of a longer name ("Deir" of "Deir ez Zor")
        if ent.label_ in PLACE_LABELS:
            span = _strip_article(ent)
            generic = len(span) == 1 and span[0].lower_ in GENERIC_WORDS
            if not span.text.strip() or generic or _names_a_disease(doc, ent):
                for t in ent:
                    blocked[t.i] = ent.label_
                continue
            if has_alias(normalize(span.text)) or ent.label_ != "FAC":
                add(ent, ent.label_)
            elif len(span) > 1 and (span[-1].lower_ in FACILITY_WORDS or span[0].lower_ in FACILITY_WORDS):
                # "Pearson International Airport" the gazetteer does not know: not the town of Pearson.
                for t in ent:
                    blocked[t.i] = ent.label_
        elif ent.label_ == "NORP":
            # Added after the matcher, which may find a longer name it starts ("Stade de France").
            norps.append(ent)
            for t in ent:
                norp[t.i] = True
        elif ent.label_ == "ORG":
            span = _strip_article(ent)
            if len(span) == 1 and span.text in STANDALONE_ABBREVIATIONS:
                add(span, "ORG", kind="place")  # "horses from NSW", which the small model calls an organisation
                continue
            if len(span) > MAX_NGRAM and has_alias(normalize(span.text)):
                # "the Democratic People's Republic of Korea": an official name longer than the
                # matcher looks, which the small model calls an organisation.
                add(ent, "GAZ")
                continue
            for t in ent:
                in_org[t.i] = True
        elif ent.label_ == "PERSON" and len(ent) == 1:
            lone_person[ent.start] = True
        elif ent.label_ == "PERSON" and (_after_locative(ent) or _before_qualifier(ent, has_alias, normalize)) and has_alias(normalize(ent.text)):
            # "admitted to a hospital in Milton Keynes", "close to Santiago Yolomecatl, Oaxaca":
            # the small model's person is a town.
            add(ent, "GAZ")
        elif ent.label_ in BLOCKING_LABELS and _a_list_of_places(ent, has_alias, normalize):
            continue  # "the road between Beni and Butembo", which the small model calls a work of art
        elif ent.label_ in BLOCKING_LABELS:
            for t in ent:
                blocked[t.i] = ent.label_

    # The gazetteer matcher: longest known name first, over capitalised tokens the
    # model did not already claim.
    i = 0
    while i < n:
        tok = doc[i]
        # A name the model cut short ("Mazar" of "Mazar-e-Sharif", "Boa" and "Vista" as two
        # entities) may start a longer known one, which then replaces it.
        cut = taken[i] and any(f.token_start == i and f.token_end < n and (
            _joins_words(doc[f.token_end]) or any(g.token_start == f.token_end for g in found)) for f in found)
        if not taken[i] and not blocked[i] and _stands_alone(doc, tok):
            add_abbreviation(tok, "actor" if in_org[i] else "place")  # "a FrontCounter BC office"
            i += 1
            continue
        # "US" is a stop word ("us") but, in capitals, a place's own acronym ("US Special Forces").
        acronym = tok.is_upper and len(tok) > 1 and is_acronym is not None and is_acronym(tok.text)
        if (taken[i] and not cut) or not _is_candidate_start(tok) or (tok.is_stop and not acronym):
            i += 1
            continue
        matched = 0
        for size in range(min(MAX_NGRAM + 2 * _hyphens_ahead(doc, i), n - i), 0, -1):
            span = doc[i : i + size]
            cue = span.end < n and doc[span.end].lower_ in REGION_WORDS
            if any(t.is_space or (t.is_punct and not _joins_words(t)) for t in span) or _joins_words(span[-1]):
                continue
            if size - 2 * sum(_joins_words(t) for t in span) > MAX_NGRAM:
                continue
            inside: list[int] = []
            if any(taken[t.i] for t in span):
                # A longer known name may hold names the model found ("Stade de France" holds
                # "France"): it replaces them, never one that reaches out of it.
                inside = [k for k, f in enumerate(found) if f.token_start < span.end and f.token_end > span.start]
                if size == 1 or any(found[k].token_start < span.start or found[k].token_end > span.end for k in inside):
                    continue
                if not has_alias(normalize(span.text)) and not (
                    any(_joins_words(t) for t in span) and has_alias(normalize(_joined(span)))
                ):
                    continue
            hyphenated = any(_joins_words(t) for t in span)
            # A name right after a place and a comma or parenthesis, closing the phrase, is
            # its qualifier ("Ponta Pora (Mato Grosso do Sul)"), whatever the model calls it.
            qualifying = i > 1 and doc[i - 1].text in (",", "(") and taken[i - 2] and (
                span.end == n or doc[span.end].text in (")", ",", ".", ";"))
            person_only = all(blocked[t.i] in (None, "PERSON") for t in span)
            if (any(blocked[t.i] for t in span) and not (qualifying and person_only)) or (
                    size > 1 and not hyphenated and not qualifying and any(lone_person[t.i] for t in span)):
                continue
            if len({in_org[t.i] for t in span}) > 1:
                continue  # half in an organisation's name, half out
            if not _is_candidate_start(span[-1]):
                continue
            if size == 1 and (norp[i] or not _plausible_single(doc, tok, person_words, cue, nouns)):
                continue
            if _names_a_disease(doc, span):
                continue
            dateline = _is_dateline(span)
            if in_org[i] and size == 1 and tok.is_upper and _whole_entity(tok) and not dateline:
                # "NATO", "TASS": the organisation itself, whatever place shares its name; but
                # "EU", "DPRK", which the model calls organisations, are a place's own acronym.
                if is_acronym is None or not is_acronym(tok.text):
                    continue
            after_comma = i > 0 and doc[i - 1].text == ","
            if size == 1 and region_abbreviation(tok.text, after_comma=after_comma) is not None:
                add(span, "GAZ")  # "Dubbo, N.S.W.": the state, though no place is named "nsw"
                matched = size
                break
            query = span.text
            if not has_alias(normalize(query)) and any(_joins_words(t) for t in span):
                query = _joined(span)  # "Novo-Oleksandrivka", which the gazetteer writes "Novooleksandrivka"
            if has_alias(normalize(query)):
                for k in reversed(inside):
                    del found[k]
                # A qualifier ("Kondouagou (Yamba, Gourma)") is a place whatever the model calls it.
                # A one-word "person" a locative introduces or a place qualifies is a town
                # ("demonstrated in Kalmar", "shelled Soledar, Donetsk").
                weak = size == 1 and not qualifying and (
                    (lone_person[i] and not (_introduced_as_place(doc, tok) or _before_qualifier(span, has_alias, normalize)))
                    or _is_weak(doc, tok, nouns))
                if dateline:
                    add(span, "GAZ", kind="place")  # "EDMONTON —", which the small model calls an organisation
                elif in_org[i] and not cue and not (hyphenated and _is_org_entity(span)):
                    # A place inside an organisation's name is an actor; but a hyphenated name
                    # that is the whole entity ("Seredyna-Buda") is a village the model took
                    # for an organisation, and so is a name a locative introduces or a region
                    # qualifies ("the UN Office in Colombo (Colombo, Western)").
                    literal = (_introduced_as_place(doc, tok) or _before_qualifier(span, has_alias, normalize)
                               or _called_a_town(doc, span) or qualifying or _in_location_parentheses(doc, span))
                    add(span, "ORG", kind="place" if literal else "actor", weak=weak)
                else:
                    add(span, "GAZ", weak=weak, query=query)
                matched = size
                break
        i += max(matched, 1)

    for ent in norps:
        if not any(taken[t.i] for t in ent):
            add(ent, "NORP", kind="modifier")
    found.sort(key=lambda t: t.start)
    return _without_diseases(doc, _link_qualifiers(doc, [_saints_institution(doc, t) for t in found]))


_SAINTS = frozenset({"st", "st.", "saint", "ste", "ste."})
# Words that make "St Mary's <word>" an institution named after a saint.
INSTITUTION_WORDS = frozenset(
    """basilica cathedral church chapel abbey priory minster hospital hospice school college
    academy university hall""".split()
)


def _saints_institution(doc: Doc, top: Toponym) -> Toponym:
    """"St. Peter's Basilica", "St Mary's Hospital": a saint's name in the possessive before
    an institution word names that institution, not the town called St. Peter. The toponym
    becomes the institution's whole name, looked up as such (a curated landmark, or no place)."""
    start, end = top.token_start, top.token_end
    if doc[start].lower_ not in _SAINTS and start > 0 and doc[start - 1].lower_ in _SAINTS:
        start -= 1  # "St Mary's": the matcher found "Mary" (a town in Turkmenistan)
    if doc[start].lower_ not in _SAINTS or end + 1 >= len(doc) or doc[end].lower_ not in ("'s", "’s"):
        return top
    stop = end + 1
    while stop < len(doc) and doc[stop].is_title and doc[stop].lower_ not in INSTITUTION_WORDS:
        stop += 1  # "St Thomas' Children's Hospital": names between the saint and the word
    if stop >= len(doc) or doc[stop].lower_ not in INSTITUTION_WORDS or not doc[stop].is_title:
        return top
    span = doc[start : stop + 1]
    return dataclasses.replace(top, start=span.start_char, end=span.end_char, text=span.text, query=span.text,
                               label="FAC", token_start=span.start, token_end=span.end, region_cue=False)


def _plausible_single(doc: Doc, tok: Token, person_words: set[str], cue: bool, nouns: frozenset[str]) -> bool:
    """One capitalised word is a place candidate only if it is a proper noun, not just
    the capitalised first word of a sentence, and not a person's name in this document.
    A word a locative introduces mid-sentence is a proper noun whatever the tagger says,
    unless it is a common noun ("demonstrated in Norrkoping", read as a verb's -ing form)."""
    misread = tok.is_title and not tok.is_sent_start and _introduced_as_place(doc, tok) and tok.lower_ not in nouns
    if tok.pos_ != "PROPN" and not tok.is_upper and not misread:
        return False
    if tok.lower_ in QUARTER_BEFORE and tok.i + 1 < len(doc) and doc[tok.i + 1].is_title:
        return False  # "in Colonia Pedregal": the word for a town's quarter, not Colonia (Uruguay)
    if tok.is_sent_start and tok.lower_ in tok.vocab.strings and tok.vocab[tok.lower_].is_stop:
        return False
    if tok.lower_ in GENERIC_WORDS:
        return False
    if cue:
        return True
    return tok.lower_ not in person_words


_DATELINE_MARKS = frozenset({"—", "–", "-", "--", ",", "("})


def _is_dateline(span: Span) -> bool:
    """A wire story's dateline: a place in capitals opening a line, then a dash, a comma or
    the agency ("EDMONTON —", "WINNIPEG, Manitoba (CP) —")."""
    doc = span.doc
    opens_line = span.start == 0 or "\n" in doc[span.start - 1].text or "\n" in doc[span.start - 1].whitespace_
    if not opens_line or not all(t.is_upper and t.is_alpha for t in span) or span.end >= len(doc):
        return False
    return doc[span.end].text in _DATELINE_MARKS


# Small words inside a place's name ("Deir ez Zor", "Rio Grande do Norte", "Newcastle upon Tyne", "Frankfurt am Main").
_NAME_PARTICLES = frozenset(
    "ez el al as ad az ash ar an de del da do dos das di du la le les des bin ibn upon on am im sur en aan op under".split())
# Entities a place's name may be cut into by the small model ("Bandar" ORG + "Abbas" PERSON).
_CUT_LABELS = PLACE_LABELS | {"ORG", "PERSON", ""}


def _names_across_entities(
    doc: Doc, has_alias: Callable[[str], bool], normalize: Callable[[str], str]
) -> list[Span]:
    """Names of two to :data:`MAX_NGRAM` words that the gazetteer knows whole and the small
    model cut in two: a place entity and the words after it ("Deir" and "ez Zor"), or two
    entities ("Bandar" and "Abbas" of "Bandar Abbas"). One entity that is the name already,
    or a name inside one entity, is left to the entity pass."""
    out: list[Span] = []
    i, n = 0, len(doc)
    while i < n:
        tok = doc[i]
        if not tok.is_title or tok.ent_type_ not in _CUT_LABELS or (tok.ent_iob_ == "I"):
            i += 1
            continue
        found = None
        for size in range(min(MAX_NGRAM, n - i), 1, -1):
            span = doc[i : i + size]
            last = span[-1]
            if not last.is_title or (last.i + 1 < n and doc[last.i + 1].ent_iob_ == "I" and doc[last.i + 1].ent_type_):
                continue  # the name ends where an entity goes on
            if any(not (t.is_title or t.lower_ in _NAME_PARTICLES) or t.ent_type_ not in _CUT_LABELS for t in span):
                continue
            starts = [t for t in span if t.ent_iob_ == "B"]
            outside = [t for t in span if not t.ent_type_]
            if len(starts) + (1 if outside else 0) < 2:
                continue  # one entity, or no entity at all: the other passes read it
            if not any(t.ent_type_ in PLACE_LABELS for t in span) and len(starts) < 2:
                continue
            if has_alias(normalize(span.text)):
                found = span
                break
        if found is None:
            i += 1
            continue
        out.append(found)
        i = found.end
    return out


def _joins_words(tok: Token) -> bool:
    """A hyphen inside a name, with a word on each side and no space: "Seredyna-Buda"."""
    doc = tok.doc
    return (tok.text in ("-", "‐", "–") and not tok.whitespace_ and 0 < tok.i < len(doc) - 1
            and not doc[tok.i - 1].whitespace_ and doc[tok.i - 1].is_alpha and doc[tok.i + 1].is_alpha)


def _joined(span: Span) -> str:
    """A hyphenated name written as one word: "Novo-Oleksandrivka" -> "Novooleksandrivka"."""
    out = ""
    for t in span:
        if _joins_words(t):
            continue
        out += t.text.lower() if out and out[-1].isalpha() and t.i > span.start and _joins_words(t.doc[t.i - 1]) else t.text_with_ws
    return out.strip()


def _hyphens_ahead(doc: Doc, i: int) -> int:
    """How many name-joining hyphens follow token ``i`` within the matcher's reach."""
    return sum(_joins_words(t) for t in doc[i : min(i + 2 * MAX_NGRAM, len(doc))])


def _is_org_entity(span: Span) -> bool:
    """Is ``span`` exactly one of the model's organisation entities?"""
    return any(e.label_ == "ORG" and e.start == span.start and e.end == span.end for e in span.doc.ents)


def _whole_entity(tok: Token) -> bool:
    return tok.ent_iob_ == "B" and (tok.i + 1 >= len(tok.doc) or tok.doc[tok.i + 1].ent_iob_ != "I")


def _is_weak(doc: Doc, tok: Token, nouns: frozenset[str]) -> bool:
    """A capitalised common noun ("Police") no preposition introduces as a place."""
    introduced = tok.i > 0 and doc[tok.i - 1].lower_ in LOCATIVE_PREPOSITIONS
    return not introduced and not tok.is_upper and tok.lower_ in nouns


_MONTHS_AND_DAYS = frozenset(
    "january february march april may june july august september october november december".split()) | frozenset(WEEKDAYS)


def _in_a_run(doc: Doc, top: Toponym) -> bool:
    """Is a capitalised word right before or after the name, with only a space between
    ("Arida Abu Jarada", "the Portal Tunal sector"), even one of another toponym the model
    split off ("Abu Jarada")? A word for a kind of place, a region or a direction ("Kharkiv
    Oblast", "Gaza City", "North") does not count."""
    def continues(i: int) -> bool:
        if not 0 <= i < len(doc):
            return False
        t = doc[i]
        return (t.is_title and t.is_alpha and not t.is_sent_start and t.lower_ not in REGION_WORDS
                and t.lower_ not in GENERIC_WORDS and t.lower_ not in _MONTHS_AND_DAYS)

    before = top.token_start - 1
    return (continues(top.token_end) and doc[top.token_end - 1].whitespace_ != "") or (
        before >= 0 and continues(before) and doc[before].whitespace_ != "")


def _link_qualifiers(doc: Doc, found: list[Toponym]) -> list[Toponym]:
    """Mark "Paris, Texas", "Tampa, Fla." and "Aber (Oyam, Northern)": a toponym followed by
    a comma or an opening parenthesis and another; and names that are only part of a longer
    hyphenated one ("Buda" in "Seredyna-Buda")."""
    out = list(found)
    text = doc.text
    for k in range(len(out)):
        a = out[k]
        before = text[max(a.start - 2, 0) : a.start]
        after = text[a.end : a.end + 2]
        if (len(before) == 2 and before[1] == "-" and before[0].isalpha()) or (
            len(after) == 2 and after[0] == "-" and after[1].isalpha()
        ):
            out[k] = a = dataclasses.replace(a, partial=True)
        elif _in_a_run(doc, a):
            out[k] = a = dataclasses.replace(a, in_run=True)
        if k + 1 < len(out):
            b = out[k + 1]
            unit = a.token_end
            while unit < len(doc) and unit - a.token_end < 2 and doc[unit].lower_ in UNIT_WORDS:
                unit += 1
            if b.token_start == a.token_end + 1 and a.token_end < len(doc) and doc[a.token_end].text in (",", "("):
                out[k] = dataclasses.replace(a, qualifier_start=b.start, qualifier_paren=doc[a.token_end].text == "(")
            elif unit > a.token_end and b.token_start == unit + 1 and unit < len(doc) and doc[unit].text == ",":
                # "Kani township, Yinmarbin district": the unit word says the name is a division
                # of the region that follows; it places the name as firmly as parentheses do.
                out[k] = dataclasses.replace(a, qualifier_start=b.start, qualifier_paren=True)
            elif a.token_end < len(doc) and doc[a.token_end].text == "(":
                # "New Brighton (Nelson Mandela Bay, Eastern Cape)": the first name in the
                # parentheses is none the gazetteer matched; the last one still places it.
                close = next((t.i for t in doc[a.token_end : a.token_end + 16] if t.text == ")"), -1)
                inside = [t for t in out[k + 1 :] if t.token_end <= close and not t.partial]
                # ... a name of its own in the list, not a word of a longer one ("Ciudad
                # Autonoma de Buenos Aires").
                if inside and text[: inside[-1].start].rstrip()[-1:] in (",", "("):
                    out[k] = dataclasses.replace(a, qualifier_start=inside[-1].start, qualifier_paren=True)
    # The parts of one hyphenated name share its qualifier: in "Seredyna-Buda, Sumy", both
    # "Seredyna" and "Buda" lie in Sumy oblast.
    for k in range(len(out) - 2, -1, -1):
        a, b = out[k], out[k + 1]
        if a.partial and b.partial and a.qualifier_start < 0 and text[a.end : b.start] == "-":
            out[k] = dataclasses.replace(a, qualifier_start=b.qualifier_start)
    return out
