"""Which of a sentence's places is where its event happened: a small learned model.

Each (trigger, candidate place) pair is described by features of the parse (the
preposition that introduces the place, distance in the tree, whether the name
modifies a person, what kind of place it is, how it compares with the trigger's
other candidates, the trigger word and the word the name hangs on, ...); boosted
regression trees trained on Halterman's event-location sentences
(``bench/train_event_place.py``, train split only) weigh them, and a logistic
decision over the best candidate says whether the sentence places the event at all.
Both ship as ``data/event_place_model.json``; applying them needs nothing but the
standard library.
"""

from __future__ import annotations

import ast
import functools
import importlib.resources
import json
import math
from collections.abc import Sequence
from pathlib import Path

from spacy.tokens import Span, Token

from geomap.errors import ModelError
from geomap.models import Mention, feature_spec

__all__ = ["place_features", "add_group_features", "parse_candidates", "decision_features", "PlaceModel", "load_place_model", "place_feature_spec", "FEATURE_PREPS", "SITE_WORDS", "TITLE_WORDS"]

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


# Heads that make a name a site: "the Hayyan Gas Fields", "Taksim Square", "Kayamla village".
SITE_WORDS = frozenset(
    """city town village region province district area outskirts suburb suburbs centre center
    capital coast border oblast settlement neighbourhood neighborhood county state territory port
    island islands airport airbase base outpost hamlet municipality governorate quarter camp
    square street road highway bridge market hospital school university college mosque church
    temple palace hotel station checkpoint junction crossing field fields plant factory prison
    complex project mountain mountains hill hills valley river lake plain plains axis front
    countryside village villages towns cities farms desert peninsula strip waterway tower""".split()
)
# Entity labels whose spans may be places the toponym finder did not know: the small
# model calls many Arabic and Somali place names PERSON or ORG.
_PARSE_LABELS = frozenset({"GPE", "LOC", "FAC", "ORG", "PERSON", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT", "LANGUAGE"})
_TITLES = frozenset(
    """mr mrs ms dr president minister gen general col colonel lt maj major sgt captain capt
    prime king queen prince sheikh imam commander spokesman leader chief mayor governor""".split()
)
# Words before or inside a name that make it a person's: the model's feature keeps the
# list it was trained with (_TITLES); the filter on unplaceable names uses the wider one.
TITLE_WORDS = _TITLES | frozenset(
    """sergeant officer deputy detective sheriff trooper constable inspector superintendent
    senator rep representative judge justice pastor rev reverend father bishop""".split()
)
_JOINERS = frozenset({"-", "‘", "’", "'"})
_ENT_GROUPS = {"PERSON": "person", "ORG": "org", "NORP": "norp", "GPE": "gpe", "LOC": "loc", "FAC": "fac", "PROPN": "propn"}


def parse_candidates(sent: Span, taken: Sequence[Mention]) -> list[Mention]:
    """Names in ``sent`` that the parser marks (an entity or a run of proper nouns) and
    the toponym finder did not: unknown villages, sites, misfiled places. They have no
    place on Earth, so only span selection (``pick_place(..., resolved=False)``) sees them."""
    used = [(m.start, m.end) for m in taken]

    def free(start: int, end: int) -> bool:
        return not any(start < e and b < end for b, e in used)

    out: list[Mention] = []
    for ent in sent.ents:
        if ent.label_ not in _PARSE_LABELS:
            continue
        span = ent[1:] if ent[0].lower_ == "the" and len(ent) > 1 else ent
        if free(span.start_char, span.end_char):
            out.append(Mention(span.start_char, span.end_char, span.text, ent.label_, kind="place"))
            used.append((span.start_char, span.end_char))
    run: list[Token] = []
    for token in [*sent, None]:
        if token is not None and not token.ent_type_ and (
            token.pos_ == "PROPN" or (
                run and token.text in _JOINERS and token.i + 1 < sent.end and token.nbor(1).pos_ == "PROPN"
            )
        ):
            run.append(token)  # "Kfar Falous", "Al-Seen"
            continue
        if run:
            start, end = run[0].idx, run[-1].idx + len(run[-1].text)
            if free(start, end) and any(t.is_title or t.is_upper for t in run):
                out.append(Mention(start, end, sent.doc.text[start:end], "PROPN", kind="place"))
                used.append((start, end))
            run = []
    return out


def _ancestor_within(a: Token, b: Token, hops: int) -> bool:
    """Is ``a`` an ancestor of ``b`` at most ``hops`` steps up?"""
    node = b
    for _ in range(hops):
        if node.head.i == node.i:  # Token objects are made anew on each access: compare indices
            return False
        node = node.head
        if node.i == a.i:
            return True
    return False


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
    parsed: bool = False,
    other_roots: Sequence[Token] = (),
) -> dict[str, float]:
    """Describe one (trigger, candidate place) pair for the model. ``parsed`` marks a
    name found by :func:`parse_candidates` rather than by the toponym finder;
    ``other_roots`` are the heads of the trigger's other candidates."""
    distance, verbs = _path(trigger, root)
    prep = preposition.lower_ if preposition is not None else "none"
    place = mention.place
    code = place.feature_code if place else ""
    span_tokens = [t for t in root.doc if mention.start <= t.idx < mention.end] or [root]
    before = root.doc[span_tokens[0].i - 1] if span_tokens[0].i > 0 else None
    of_owner = root.head.head if root.dep_ == "pobj" and root.head.lower_ == "of" else None
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
        # Token objects are made anew on each access: compare indices, never identities.
        "object_of_trigger_verb": float(root.dep_ == "dobj" and root.head.i in (trigger.i, trigger.head.i)),
        "trigger_governs": float(any(t.i == trigger.i for t in root.ancestors)),
        "place_governs_trigger": float(any(t.i == root.i for t in trigger.ancestors)),
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
        "parsed": float(parsed),
        "conj": float(root.dep_ == "conj"),
        "appos": float(root.dep_ == "appos"),
        "pobj": float(root.dep_ == "pobj"),
        "site_head": float(root.head.lower_ in SITE_WORDS or (of_owner is not None and of_owner.lower_ in SITE_WORDS)),
        "site_name": float(any(t.lower_ in SITE_WORDS for t in span_tokens)),
        "title_before": float(before is not None and before.lower_.rstrip(".") in _TITLES),
        "all_caps": float(all(t.is_upper for t in span_tokens if t.is_alpha)),
        "n_tokens": min(len(span_tokens), 4) / 2.0,
        "first_word": float(span_tokens[0].i == root.sent.start),
        "in_parens": float(before is not None and before.text == "("),
        "governs_place": float(any(_ancestor_within(root, o, 3) for o in other_roots)),
        "governed_by_place": float(any(_ancestor_within(o, root, 3) for o in other_roots)),
    }
    group = _ENT_GROUPS.get(mention.label, "other") if parsed else "toponym"
    for g in ("person", "org", "norp", "gpe", "loc", "fac", "propn", "other"):
        f[f"parsed_{g}"] = float(group == g)
    f["root_propn"] = float(root.pos_ == "PROPN")
    # The word the name hangs on ("village", "of", "killed"), for the model's vocabulary.
    f[f"head:{root.head.lemma_.lower()}"] = 1.0
    for p in FEATURE_PREPS:
        f[f"prep_{p}"] = float(prep == p)
    f["prep_other"] = float(prep not in FEATURE_PREPS and prep != "none")
    return f


def add_group_features(rows: list[dict[str, float]]) -> None:
    """Features relative to the trigger's other candidates: is this the heuristic's
    favourite, how far behind it, the closest in the parse."""
    if not rows:
        return
    best = max(r["heuristic"] - 10.0 * r["heuristic_excluded"] for r in rows)
    nearest_tree = min(r["tree_distance"] for r in rows)
    nearest_line = min(r["linear_distance"] for r in rows)
    locative = sum(1 for r in rows if r["prep_in"] or r["prep_near"] or r["prep_at"])
    for r in rows:
        own = r["heuristic"] - 10.0 * r["heuristic_excluded"]
        r["heuristic_best"] = float(own >= best)
        r["heuristic_gap"] = min(best - own, 10.0) / 3.0
        r["closest_tree"] = float(r["tree_distance"] <= nearest_tree)
        r["closest_linear"] = float(r["linear_distance"] <= nearest_line)
        r["n_locative"] = min(locative, 3) / 3.0
        r["only_candidate"] = float(len(rows) == 1)


def decision_features(probabilities: Sequence[float], best: dict[str, float]) -> dict[str, float]:
    """What the second stage sees of one trigger: how sure the trees are of its best
    candidate and of the runners-up, and that candidate's own features."""
    ranked = sorted(probabilities, reverse=True)
    second = ranked[1] if len(ranked) > 1 else 0.0
    f = {
        "top": ranked[0],
        "second": second,
        "margin": ranked[0] - second,
        "total": min(sum(ranked), 5.0),
        "likely": float(sum(1 for p in ranked if p > 0.2)),
    }
    f.update({f"best.{name}": value for name, value in best.items()})
    return f


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


class PlaceModel:
    """Which candidate, if any, is where a trigger's event happened.

    Boosted regression trees give each candidate a probability (an older model file
    has logistic-regression weights instead); then a logistic decision over the best
    candidate (:func:`decision_features`) says whether the sentence places the event at
    all, or, without one, a bare threshold on the best probability. Features the
    model never saw count as absent; absent features are 0.
    """

    def __init__(
        self,
        features: Sequence[str],
        threshold: float,
        *,
        trees: Sequence[dict[str, list]] = (),
        baseline: float = 0.0,
        weights: dict[str, float] | None = None,
        decision: dict | None = None,
    ) -> None:
        self.features = list(features)
        self.threshold = threshold
        self.baseline = baseline
        self.trees = [
            (tree["feature"], tree["threshold"], tree["left"], tree["right"], tree["value"]) for tree in trees
        ]
        self.weights = weights
        self.decision = decision

    def probability(self, features: dict[str, float]) -> float:
        """How likely this one candidate is the event's place."""
        if self.weights is not None:
            return _sigmoid(sum(self.weights.get(name, 0.0) * value for name, value in features.items()))
        x = [features.get(name, 0.0) for name in self.features]
        z = self.baseline
        for feature, threshold, left, right, value in self.trees:
            node = 0
            while feature[node] >= 0:
                node = left[node] if x[feature[node]] <= threshold[node] else right[node]
            z += value[node]
        return _sigmoid(z)

    def pick(self, candidates: Sequence[tuple[Mention, dict[str, float]]]) -> Mention | None:
        """The best candidate, or None where the sentence does not place the event."""
        if not candidates:
            return None
        probabilities = [self.probability(f) for _, f in candidates]
        best = max(range(len(candidates)), key=probabilities.__getitem__)
        if self.decision is None:
            return candidates[best][0] if probabilities[best] >= self.threshold else None
        known = set(self.features)
        f = decision_features(probabilities, {k: v for k, v in candidates[best][1].items() if k in known})
        weights = self.decision["weights"]
        z = self.decision["intercept"] + sum(weights.get(name, 0.0) * value for name, value in f.items())
        return candidates[best][0] if _sigmoid(z) >= self.decision["threshold"] else None


@functools.lru_cache(maxsize=1)
def place_feature_spec(source: Path | None = None) -> str:
    """The spec of the features this module computes: a hash of its code above :class:`PlaceModel`
    (the feature functions and their word lists), docstrings and comments left out. A model file
    carries the spec it was trained with; a change to how features are made needs a new model.

    >>> len(place_feature_spec())
    16
    """
    tree = ast.parse(Path(source or __file__).read_text(encoding="utf-8"))
    parts = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "PlaceModel":
            break
        for inner in ast.walk(node):
            body = getattr(inner, "body", None)
            if (isinstance(inner, (ast.FunctionDef, ast.ClassDef)) and body and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
                inner.body = body[1:] or [ast.Pass()]
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):  # the module docstring
            parts.append(ast.dump(node))
    return feature_spec(parts)


@functools.lru_cache(maxsize=2)
def load_place_model(path: Path | None = None) -> PlaceModel | None:
    """The shipped model (or the one in ``path``), or None where the data file is absent
    (the heuristic then decides)."""
    try:
        if path is not None:
            text = Path(path).read_text(encoding="utf-8")
        else:
            text = importlib.resources.files("geomap.data").joinpath("event_place_model.json").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None
    data = json.loads(text)
    spec, expected = data.get("feature_spec"), place_feature_spec()
    if spec != expected:
        where = path or "data/event_place_model.json"
        raise ModelError(
            f"{where} was trained on event-place features of spec {spec!r}, but geomap/extract/event_place.py "
            f"now computes spec {expected!r}: retrain it with python bench/train_event_place.py"
        )
    if "trees" in data:
        return PlaceModel(
            data["features"],
            float(data["threshold"]),
            trees=data["trees"],
            baseline=float(data["baseline"]),
            decision=data.get("decision"),
        )
    return PlaceModel(data["features"], float(data["threshold"]), weights=dict(zip(data["features"], data["coef"])))
