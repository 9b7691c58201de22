"""Which of a sentence's places is where its event happened: a small learned model.

Each (trigger, toponym) pair is described by a few features of the parse (the
preposition that introduces the place, distance in the tree, whether the name
modifies a person, what kind of place it is, ...); a logistic regression trained on
Halterman's event-location sentences (``bench/train_event_place.py``, train split
only) weighs them. The weights ship as ``data/event_place_model.json``; applying
them needs nothing but the standard library.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
from collections.abc import Sequence

from spacy.tokens import Token

from geomap.models import Mention

__all__ = ["place_features", "PlaceModel", "load_place_model", "FEATURE_PREPS"]

FEATURE_PREPS = ("in", "near", "at", "outside", "around", "on", "of", "from", "to", "into", "across", "over", "inside", "between")


def _ancestors_and_self(token: Token) -> list[Token]:
    return [token, *token.ancestors]


def _path(a: Token, b: Token) -> tuple[int, int]:
    """Tree distance between two tokens and how many verbs lie on the path between them."""
    up_a = {t.i: d for d, t in enumerate(_ancestors_and_self(a))}
    chain_b = _ancestors_and_self(b)
    for d, t in enumerate(chain_b):
        if t.i in up_a:
            path = [x for x in _ancestors_and_self(a)[: up_a[t.i] + 1]] + chain_b[:d]
            verbs = sum(1 for x in path if x.pos_ in ("VERB", "AUX") and x.i != a.i)
            return up_a[t.i] + d, verbs
    return 20, 5


def place_features(
    trigger: Token,
    root: Token,
    mention: Mention,
    *,
    preposition: Token | None,
    excluded: bool,
    heuristic: float | None,
    n_candidates: int,
    finest: bool,
) -> dict[str, float]:
    """Describe one (trigger, toponym) pair for the model."""
    distance, verbs = _path(trigger, root)
    prep = preposition.lower_ if preposition is not None else "none"
    place = mention.place
    code = place.feature_code if place else ""
    f: dict[str, float] = {
        "bias": 1.0,
        "tree_distance": min(distance, 12) / 4.0,
        "verbs_between": min(verbs, 4) / 2.0,
        "linear_distance": min(abs(trigger.i - root.i), 40) / 10.0,
        "after_trigger": float(root.i > trigger.i),
        "excluded_modifier": float(excluded),
        "actor": float(mention.kind == "actor"),
        "compound": float(root.dep_ in ("compound", "amod", "nmod")),
        "possessive": float(root.dep_ == "poss" or any(c.tag_ == "POS" for c in root.children)),
        "subject": float(root.dep_ in ("nsubj", "nsubjpass")),
        "object": float(root.dep_ in ("dobj", "attr", "oprd")),
        "object_of_trigger_verb": float(root.dep_ == "dobj" and (root.head is trigger or root.head is trigger.head)),
        "trigger_governs": float(any(t is trigger for t in root.ancestors)),
        "country": float(code.startswith("PCL")),
        "region": float(code.startswith("ADM") or (place is not None and place.feature_class in ("A", "L") and not code.startswith("PCL"))),
        "town": float(place is not None and place.feature_class == "P"),
        "site": float(place is not None and place.feature_class in ("S", "T", "H")),
        "unresolved": float(place is None),
        "label_gaz": float(mention.label == "GAZ"),
        "label_fac": float(mention.label == "FAC"),
        "label_loc": float(mention.label == "LOC"),
        "finest": float(finest),
        "n_candidates": min(n_candidates, 6) / 3.0,
        "trigger_noun": float(trigger.pos_ == "NOUN"),
        "heuristic": (max(heuristic, -10.0) / 3.0) if heuristic is not None else 0.0,
        "heuristic_excluded": float(heuristic is None),
    }
    for p in FEATURE_PREPS:
        f[f"prep_{p}"] = float(prep == p)
    f["prep_other"] = float(prep not in FEATURE_PREPS and prep != "none")
    return f


class PlaceModel:
    """Logistic regression weights over :func:`place_features`, and the probability
    below which no place is picked at all."""

    def __init__(self, weights: dict[str, float], threshold: float) -> None:
        self.weights = weights
        self.threshold = threshold

    def probability(self, features: dict[str, float]) -> float:
        z = sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def choose(self, scored: Sequence[tuple[float, Mention]]) -> Mention | None:
        if not scored:
            return None
        best = max(scored, key=lambda pm: pm[0])
        return best[1] if best[0] >= self.threshold else None


@functools.lru_cache(maxsize=1)
def load_place_model() -> PlaceModel | None:
    """The shipped model, or None where the data file is absent (the heuristic then decides)."""
    try:
        text = importlib.resources.files("geomap.data").joinpath("event_place_model.json").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None
    data = json.loads(text)
    return PlaceModel(dict(zip(data["features"], data["coef"])), float(data["threshold"]))
