"""Finding place names in a parsed text: spaCy's entities plus a gazetteer matcher.

This module only says *where* the text names places and *how* each is used
(a literal place, an actor by metonymy, a demonym); putting them on Earth is
:mod:`geomap.geocode.resolve`'s job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

__all__ = ["Toponym", "find_toponyms", "REGION_WORDS"]

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Entities the gazetteer matcher must not cut into: a place name inside them is
# part of a person's or an organisation's name ("Security Service of Ukraine").
# Dates and numbers block too: "March 2025" is not the town of March. PRODUCT does not
# block: the small model calls "Kursk" in "the Kursk region" a product.
BLOCKING_LABELS = frozenset(
    {"PERSON", "ORG", "WORK_OF_ART", "LAW", "EVENT", "LANGUAGE", "DATE", "TIME", "MONEY",
     "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL"}
)
# A name followed by a region word is a region even inside what the model calls an
# organisation ("Kursk Oblast administration").
_SOFT_BLOCKS = frozenset({"ORG"})
# "Kursk region", "Luhansk Oblast": the cue turns the name into the first-level region.
REGION_WORDS = frozenset(
    {"region", "oblast", "province", "governorate", "krai", "kray", "prefecture", "state", "county", "district", "territory"}
)
# Verbs whose subject is an actor, not a place: "Moscow denied", "the Kremlin said".
ACTOR_VERBS = frozenset(
    """say tell state announce deny claim accuse warn reject insist demand impose
    sanction threaten respond react condemn urge call agree refuse decide plan want
    link continue remain assess confirm report stress add believe expect seek hope
    offer propose support oppose criticize criticise blame vow pledge order ask argue
    praise welcome recognize recognise approve send expel summon host""".split()
)
MAX_NGRAM = 4


@dataclass(frozen=True)
class Toponym:
    """A place name in a text, before resolution.

    ``kind`` is ``place`` (a literal location), ``actor`` (metonymy: "Moscow denied"),
    or ``modifier`` (a demonym or adjective: "Russian"); ``region_cue`` says the text
    calls it a region ("Kursk region"), and ``query`` is the name to look up.
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


def _strip_article(span: Span) -> Span:
    while len(span) > 1 and span[0].lower_ in ("the", "a", "an"):
        span = span[1:]
    return span


def _with_region_cue(doc: Doc, span: Span) -> tuple[Span, bool]:
    """Extend "Kursk" to "Kursk region" when a region word follows it."""
    if span.end < len(doc) and doc[span.end].lower_ in REGION_WORDS:
        return doc[span.start : span.end + 1], True
    if span[-1].lower_ in REGION_WORDS and len(span) > 1:
        return span, True
    return span, False


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


def find_toponyms(doc: Doc, has_alias: Callable[[str], bool], normalize: Callable[[str], str]) -> list[Toponym]:
    """Find the place names in ``doc``.

    ``has_alias(normalize(text))`` says whether the gazetteer knows a name; it lets the
    matcher find names the model misses ("Kursk region", villages tagged as persons).

    >>> from geomap.extract.nlp import load_nlp
    >>> from geomap.gazetteer import open_gazetteer, normalize_name
    >>> gaz = open_gazetteer()
    >>> doc = load_nlp()("A strike hit the Kursk region.")
    >>> [t.text for t in find_toponyms(doc, gaz.has_alias, normalize_name)]
    ['Kursk region']
    """
    taken = [False] * len(doc)
    blocked: list[str | None] = [None] * len(doc)
    found: list[Toponym] = []

    def add(span: Span, label: str, kind: str | None = None) -> None:
        span = _strip_article(span)
        span, cue = _with_region_cue(doc, span)
        query_span = span[:-1] if cue and len(span) > 1 else span
        query = query_span.text.strip()
        if not query:
            return
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
            )
        )

    for ent in doc.ents:
        if ent.label_ in PLACE_LABELS:
            span = _strip_article(ent)
            if span.text.strip() and (has_alias(normalize(span.text)) or ent.label_ != "FAC"):
                add(ent, ent.label_)
        elif ent.label_ == "NORP":
            add(ent, "NORP", kind="modifier")
        elif ent.label_ in BLOCKING_LABELS:
            for t in ent:
                blocked[t.i] = ent.label_

    # The gazetteer matcher: longest known name first, over capitalised tokens the
    # model did not already claim.
    i = 0
    n = len(doc)
    while i < n:
        tok = doc[i]
        if taken[i] or not _is_candidate_start(tok) or tok.is_stop:
            i += 1
            continue
        matched = 0
        for size in range(min(MAX_NGRAM, n - i), 0, -1):
            span = doc[i : i + size]
            cue = span.end < n and doc[span.end].lower_ in REGION_WORDS
            if any(taken[t.i] or t.is_space or t.is_punct for t in span):
                continue
            if any(blocked[t.i] and not (cue and blocked[t.i] in _SOFT_BLOCKS) for t in span):
                continue
            if not _is_candidate_start(span[-1]):
                continue
            if size == 1 and not _plausible_single(tok):
                continue
            if has_alias(normalize(span.text)):
                add(span, "GAZ")
                matched = size
                break
        i += max(matched, 1)

    found.sort(key=lambda t: t.start)
    return found


def _plausible_single(tok: Token) -> bool:
    """One capitalised word is a place candidate only if it is a proper noun that is
    not just the capitalised first word of a sentence."""
    if tok.pos_ != "PROPN":
        return False
    if tok.is_sent_start and tok.lower_ in tok.vocab.strings and tok.vocab[tok.lower_].is_stop:
        return False
    return True
