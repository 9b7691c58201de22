"""The learned event model: does a sentence report an ACLED event, and of which
event_type and sub_event_type.

Two linear models over hashed word, word-pair and character n-gram features of the
sentence's text (plus which ACLED type the trigger lexicon's words name), trained by
``bench/train_event_model.py`` on ACLED coder notes, Halterman's news sentences and
hand-labelled news passages (see the README). The weights ship in
``data/event_model.npz`` with the hash of the feature spec they were trained with; here
they are applied with numpy alone (no scikit-learn at run time).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from geomap.extract.triggers import TRIGGERS

__all__ = ["EventModel", "EventGuess", "features", "load_event_model", "FEATURE_SPEC", "spec_hash", "MODEL_PATH"]

MODEL_FILE = "event_model.npz"


def _shipped() -> Path:
    """The shipped model file (``data/event_model.npz``, the package ``geomap.data``)."""
    return Path(str(importlib.resources.files("geomap.data").joinpath(MODEL_FILE)))


MODEL_PATH = _shipped()

# Everything that decides which features a text gets: a model trained with another spec
# is refused at load time rather than applied to the wrong columns.
WORD_PATTERN = "[a-z0]+(?:['’-][a-z0]+)*"
BUCKETS = 2**22
LEXICON_WEIGHT = 3
FEATURE_SPEC: dict[str, object] = {
    "version": 3,
    "months": "'march' before or after a number is the month 'marchmonth'",
    "lexicon_weight": LEXICON_WEIGHT,
    "stop_words": "function words get no word or character features; a pair of them no pair feature",
    "lowercase": True,
    "digits": "0",
    "words": WORD_PATTERN,
    "word_ngrams": [1, 2],
    "char_ngrams": [4, 5],
    "char_boundary": " ",
    "lexicon_prefix": True,
    "hash": "crc32",
    "buckets": BUCKETS,
}

_WORDS = re.compile(WORD_PATTERN)
# Words that say nothing about an event's kind: in a long news sentence their many small
# weights would add up to the commonest kind of the coder notes (peaceful protest).
STOP_WORDS = frozenset(
    """a an the of in on at to from by with for and or but as is are was were be been being has have had
    it its this that these those there their they he she his her him them who whom which whose what
    where when than then so such also into over after before about during while since until between
    said says say would will could may might can do did does not no""".split()
)
_DIGITS = re.compile(r"[0-9]")
_MONTH = re.compile(r"\bmarch\b(?= 0)|(?<=0 )march\b")


def spec_hash(spec: dict = FEATURE_SPEC) -> str:
    return hashlib.sha1(json.dumps(spec, sort_keys=True).encode("utf-8")).hexdigest()[:12]


@functools.lru_cache(maxsize=1)
def _lexicon() -> tuple[tuple[str, str], ...]:
    """(word stem, ACLED type) of the trigger lexicon's one-word triggers."""
    return tuple(sorted((k, t.event_type) for k, t in TRIGGERS.items() if " " not in k))


def _hash(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) % BUCKETS


@functools.lru_cache(maxsize=200_000)
def _word_features(w: str) -> tuple[int, ...]:
    """A word's own features: itself, its character n-grams, the lexicon's types it names."""
    if w in STOP_WORDS:
        return ()
    feats = [f"w:{w}"]
    padded = f" {w} "
    for n in (4, 5):
        if len(padded) < n:
            break
        feats += [f"c:{padded[i:i + n]}" for i in range(len(padded) - n + 1)]
    for stem, event_type in _lexicon():
        if w.startswith(stem) and len(w) - len(stem) <= 3:
            # The lexicon's words count thrice: a few of them outweigh many character n-grams.
            feats += [f"l:{event_type}", f"ls:{stem}"] * LEXICON_WEIGHT
    return tuple(_hash(f) for f in feats)


def features(text: str) -> list[int]:
    """The hashed feature ids of a text (duplicates kept: counts)."""
    words = _WORDS.findall(_MONTH.sub("marchmonth", _DIGITS.sub("0", text.lower())))
    ids = [i for w in words for i in _word_features(w)]
    ids += [_hash(f"b:{a} {b}") for a, b in zip(words, words[1:]) if a not in STOP_WORDS or b not in STOP_WORDS]
    return ids


def row_vector(ids: list[int]) -> dict[int, float]:
    """Feature counts, log-scaled and L2-normalised (what the trainer does too)."""
    counts: dict[int, float] = {}
    for i in ids:
        counts[i] = counts.get(i, 0.0) + 1.0
    values = {i: 1.0 + np.log(c) for i, c in counts.items()}
    norm = float(np.sqrt(sum(v * v for v in values.values()))) or 1.0
    return {i: v / norm for i, v in values.items()}


# What a trigger phrase that names its mechanism unambiguously adds to its sub-type's score
# (the classifier's margins on news sentences lie mostly within -1 .. 0.5).
PRIOR = 1.0


@dataclass(frozen=True)
class EventGuess:
    """What the model says about one sentence."""

    p_event: float  # the detector's probability that the sentence reports an event
    event_type: str
    sub_event_type: str
    sub_score: float  # the sub-type classifier's margin for its pick

    @property
    def is_event(self) -> bool:
        return self.p_event >= self.threshold

    threshold: float = 0.5


class EventModel:
    """The two linear models: event or not (``detect``), and the sub-type (``subtype``)."""

    def __init__(self, path: Path = MODEL_PATH) -> None:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            if meta["spec_hash"] != spec_hash():
                raise ValueError(
                    f"{path}: trained with feature spec {meta['spec_hash']}, this geomap uses {spec_hash()}; "
                    "retrain it with bench/train_event_model.py"
                )
            self.columns = {int(h): k for k, h in enumerate(z["columns"])}
            self.detect_w = z["detect_w"].astype(np.float32)
            self.detect_b = float(z["detect_b"])
            self.sub_w = z["sub_w"].astype(np.float32)
            self.sub_b = z["sub_b"].astype(np.float32)
        self.meta = meta
        self.subtypes: list[str] = meta["subtypes"]
        self.index = {sub: k for k, sub in enumerate(self.subtypes)}
        self.parent: dict[str, str] = meta["parent"]
        self.threshold: float = meta["threshold"]

    def _x(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        vec = row_vector(features(text))
        cols, vals = [], []
        for i, v in vec.items():
            k = self.columns.get(i)
            if k is not None:
                cols.append(k)
                vals.append(v)
        return np.asarray(cols, dtype=np.int64), np.asarray(vals, dtype=np.float32)

    def p_event(self, text: str) -> float:
        cols, vals = self._x(text)
        z = self.detect_b + float(vals @ self.detect_w[cols]) if len(cols) else self.detect_b
        return float(1.0 / (1.0 + np.exp(-z)))

    def subtype_scores(self, text: str) -> np.ndarray:
        cols, vals = self._x(text)
        return self.sub_b + (vals @ self.sub_w[cols] if len(cols) else 0.0)

    def guess(self, text: str, *, prior: str | None = None, threshold: float | None = None) -> EventGuess:
        """The model's decision on ``text``; ``prior`` is a sub-type a trigger phrase names
        unambiguously ("missile strike", "car bomb"): it gets ``PRIOR`` added to its score
        (ACLED's notes use "strike" for labour strikes, news mostly for attacks)."""
        cols, vals = self._x(text)
        if len(cols):
            z_event = self.detect_b + float(vals @ self.detect_w[cols])
            z = self.sub_b + vals @ self.sub_w[cols]
        else:
            z_event, z = self.detect_b, self.sub_b.copy()
        if prior is not None and prior in self.index:
            z = z.copy()
            z[self.index[prior]] += PRIOR
        k = int(z.argmax())
        sub = self.subtypes[k]
        return EventGuess(float(1.0 / (1.0 + np.exp(-z_event))), self.parent[sub], sub, float(z[k]),
                          self.threshold if threshold is None else threshold)


@functools.lru_cache(maxsize=1)
def load_event_model(path: Path = MODEL_PATH) -> EventModel:
    return EventModel(path)
