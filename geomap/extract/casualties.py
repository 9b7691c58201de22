"""How many died: numbers attached to the victims of a killing word."""

from __future__ import annotations

import re

from spacy.tokens import Token

__all__ = ["parse_count", "count_victims", "DEATH_LEMMAS"]

DEATH_LEMMAS = frozenset(
    """kill die dead death murder execute assassinate behead massacre slay
    fatality body""".split()
)
_UNITS = {
    "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}
# ACLED's convention for vague counts: "dozens" 12, "hundreds" 100, "thousands" 1000.
_VAGUE = {"dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1000}
_SCALE = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
PERSON_NOUNS = frozenset(
    """person people man men woman women child children civilian civilians soldier
    soldiers serviceman servicemen troop troops officer officers official officials
    commander commanders general militant militants fighter fighters policeman policemen
    member members resident residents worker workers student students journalist
    journalists mayor governor leader leaders head chief colonel major captain
    guard guards pilot pilots passenger passengers victim victims insurgent insurgents
    rebel rebels boy boys girl girls teenager teenagers villager villagers protester
    protesters personnel staff deputy minister judge priest doctor nurse""".split()
)


def parse_count(text: str) -> int | None:
    """Read a count written in words or digits; a range gives its lowest number.

    >>> parse_count("at least 20"), parse_count("two"), parse_count("dozens"), parse_count("10-15")
    (20, 2, 12, 10)
    """
    words = re.findall(r"[\d][\d,\.]*|[a-z]+", text.lower().replace("-", " "))
    total = 0
    current = 0
    seen = False
    for word in words:
        if word[0].isdigit():
            try:
                value = int(float(word.replace(",", "")))
            except ValueError:
                continue
            if seen:
                break  # "10-15": the lowest
            current, seen = value, True
        elif word in _VAGUE and not seen:
            return _VAGUE[word]
        elif word in _UNITS and not (word in ("a", "an") and seen):
            if word in ("a", "an"):
                continue
            if seen and current >= 20 and _UNITS[word] < 10:
                current += _UNITS[word]  # "twenty two"
            elif seen:
                break
            else:
                current, seen = _UNITS[word], True
        elif word in _SCALE and seen:
            total += current * _SCALE[word]
            current = 0
        elif seen and word in ("and", "or", "to"):
            break
    if not seen:
        return None
    return total + current


def _number_of(noun: Token) -> int | None:
    """The count a victim noun carries: "20 servicemen", "dozens of people", "Three HM
    militants" (the number under a compound)."""
    if noun.like_num or noun.lower_ in _VAGUE:
        return parse_count(" ".join(t.text for t in noun.subtree if t.i <= noun.i))
    for child in noun.children:
        if child.dep_ == "nummod" or (child.like_num and child.dep_ in ("amod", "quantmod", "compound")):
            return parse_count(" ".join(t.text for t in child.subtree))
    if noun.lower_ in ("dozens", "hundreds", "thousands", "scores"):
        return _VAGUE[noun.lower_]
    left = [t for t in noun.lefts for t in t.subtree]
    numbers = [t for t in left if t.tag_ == "CD" and t.ent_type_ not in ("DATE", "TIME", "ORDINAL", "MONEY", "PERCENT")]
    if numbers and numbers[0].head.i != noun.i and numbers[0].head.dep_ == "compound":
        return parse_count(" ".join(t.text for t in numbers[0].subtree))
    return None


# Singular object nouns of a killing word that are not a person: "killed the engine".
_NOT_VICTIMS = frozenset(
    """time chance hope bill motion plan idea deal engine mood story project proposal
    momentum talk talks rumour rumor process game""".split()
)
_ONE_PERSON = frozenset({"he", "she", "him", "her"})
# Verbs whose patient dies when "dead" or "to death" follows: "shot dead", "beaten to death".
_DEATH_MARKERS = frozenset({"dead", "death"})


def _is_person(noun: Token) -> bool:
    if noun.ent_type_ == "PERSON":
        return True
    return noun.lemma_.lower() in PERSON_NOUNS or noun.lower_ in PERSON_NOUNS


def _patients(verb: Token) -> list[Token]:
    """Who a verb is done to: its passive subject or object, or those of the verb it is
    conjoined with ("stabbed and killed a constable", "was stabbed and killed")."""
    for node in (verb, verb.head if verb.dep_ == "conj" else None):
        if node is None:
            continue
        found = [c for c in node.children if c.dep_ == "nsubjpass"] or [c for c in node.children if c.dep_ == "dobj"]
        if found:
            return found
    return []


def _death_marker_verb(trigger: Token) -> Token | None:
    """The verb a "dead" / "to death" completes: "shot dead", "beaten to death"."""
    if trigger.lemma_.lower() not in _DEATH_MARKERS:
        return None
    head = trigger.head
    if trigger.dep_ in ("oprd", "acomp", "advmod", "xcomp", "dobj", "npadvmod", "ccomp") and head.pos_ == "VERB" \
            and head.lemma_.lower() not in ("be", "find", "leave", "declare", "report", "pronounce"):
        return head
    if trigger.dep_ == "pobj" and head.lower_ == "to" and head.head.pos_ == "VERB":
        return head.head
    return None


def _victims(trigger: Token) -> list[Token]:
    lemma = trigger.lemma_.lower()
    marked = _death_marker_verb(trigger)
    if marked is not None:
        return _patients(marked)
    if trigger.dep_ == "acl" and trigger.tag_ == "VBN":  # "20 servicemen killed"
        return [trigger.head]
    if lemma in ("die", "dead"):
        subj = [c for c in trigger.children if c.dep_ in ("nsubj", "nsubjpass")]
        if not subj and lemma == "dead":  # "three dead", "leaves at least 12 dead"
            subj = [c for c in trigger.children if c.dep_ == "nummod" and c.like_num]
        if not subj and trigger.dep_ == "amod":
            subj = [trigger.head]
        elif not subj and trigger.dep_ == "acomp":
            subj = [c for c in trigger.head.children if c.dep_ == "nsubj"]
        return subj
    if lemma in ("death", "fatality", "body"):
        own = [c for c in trigger.children if c.dep_ in ("nummod",)]
        if own:
            return [trigger]
        of = [c for c in trigger.children if c.lower_ == "of"]
        return [g for o in of for g in o.children if g.dep_ == "pobj"]
    found = _patients(trigger)
    head = trigger.head
    if found and trigger.dep_ == "conj" and head.pos_ in ("NOUN", "PROPN") and head.dep_ == "ROOT":
        # "Three volunteer fighters (VDP) and a councilman were killed", parsed with the
        # first victim as the root and the verb conjoined to it: both were killed.
        found = [head, *found]
    return found


def count_victims(trigger: Token) -> int | None:
    """Deaths a killing word states, or None when it states none.

    A named person or a singular person noun counts one; conjoined victims add up.
    """
    if trigger.lemma_.lower() not in DEATH_LEMMAS:
        return None
    total = 0
    found = False
    for victim in _victims(trigger):
        for noun in [victim, *[c for c in victim.conjuncts if c.i > victim.i]]:
            number = _number_of(noun)
            if number is not None:
                total += number
                found = True
            elif noun.lower_ in _ONE_PERSON or _a_noun_read_as_adjective(noun) or (noun.tag_ in ("NN", "NNP") and (
                    _is_person(noun) or (noun.pos_ == "PROPN" and noun.ent_type_ in ("", "PERSON"))
                    or (noun.pos_ == "NOUN" and noun.lemma_.lower() not in _NOT_VICTIMS))):
                total += 1  # "a suspected cattle thief", "an off-duty constable", "him"
                found = True
    return total if found else None


def _a_noun_read_as_adjective(noun: Token) -> bool:
    """ "killed a captive": the small model tags the victim an adjective, yet the article
    makes it one person."""
    return noun.tag_ == "JJ" and noun.dep_ in ("dobj", "nsubjpass") and any(
        c.dep_ == "det" and c.lower_ in ("a", "an") for c in noun.children)
