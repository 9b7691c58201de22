"""Wiring the stages: articles -> extract -> geocode -> events.

The command line and the public API call these; each stage stays ignorant of the
others' internals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc

from geomap.extract.event_place import PlaceModel, load_place_model
from geomap.extract.events import EventMention, find_event_mentions
from geomap.extract.nlp import load_nlp, pipe_texts
from geomap.extract.toponyms import common_nouns, find_toponyms
from geomap.gazetteer import normalize_name, open_gazetteer
from geomap.geocode.locate import locate_name
from geomap.geocode.lookup import Lookup
from geomap.geocode.resolve import is_demonym, resolve_toponyms
from geomap.models import Article, Mention, Place

__all__ = ["Geoparser", "geoparse", "extract_events", "ExtractResult", "article_events", "events_frame", "is_output_toponym", "toponym_record"]

BATCH = 16


class Geoparser:
    """What extraction needs, loaded once and passed explicitly to every stage: the spaCy
    pipeline, the place lookup (the gazetteer or an online one in front of it), the common
    nouns of the pipeline's lemmatizer and the event-place model. This is the one place they
    are held; give your own (``nlp=``, ``place_model=``) and nothing loads the defaults.

    >>> gp = Geoparser()
    >>> [m.place.name for m in gp.mentions("Shelling hit Donetsk.") if m.place]
    ['Donetsk']
    """

    def __init__(self, gazetteer: Lookup | None = None, nlp: Language | None = None,
                 place_model: PlaceModel | None = None) -> None:
        self.gazetteer = gazetteer or open_gazetteer()
        self.nlp = nlp or load_nlp()
        self.nouns = common_nouns(self.nlp)
        self.place_model = place_model or load_place_model()

    def resolve(self, doc: Doc) -> list[Mention]:
        toponyms = find_toponyms(
            doc, self.gazetteer.has_alias, normalize_name, nouns=self.nouns, is_acronym=getattr(self.gazetteer, "is_place_acronym", None)
        )
        return resolve_toponyms(toponyms, self.gazetteer)

    def locate(self, name: Mention, context: Sequence[Mention]) -> Place | None:
        """Place a name the resolver left alone by the document's other places (:func:`locate_name`)."""
        return locate_name(name, context, self.gazetteer)

    def mentions(self, text: str) -> list[Mention]:
        return self.resolve(next(pipe_texts(self.nlp, [text])))

    def pipe(self, texts: Iterable[str]) -> Iterable[tuple[Doc, list[Mention]]]:
        for doc in pipe_texts(self.nlp, texts, batch_size=BATCH):
            yield doc, self.resolve(doc)


def is_output_toponym(m: Mention) -> bool:
    """Whether ``geomap geoparse`` outputs a mention: every place and actor, and the demonyms
    that name a place and are adjectives ("Russian", "Turkish"), not people ("Mexicans", as
    the news corpora do not count them).

    >>> from geomap.models import Place
    >>> ru = Place(2017370, "Russia", 60.0, 100.0, "A", "PCLI", "RU")
    >>> is_output_toponym(Mention(0, 7, "Russian", "NORP", ru, 1.0, "modifier")), is_output_toponym(Mention(0, 8, "Russians", "NORP", ru, 1.0, "modifier"))
    (True, False)
    """
    if m.kind != "modifier":
        return True
    if m.place is None:
        return False
    return not (m.text.endswith("s") and is_demonym(m.text[:-1]))


def toponym_record(m: Mention) -> dict:
    """One toponym in the ``geomap geoparse`` output schema.

    ``kind`` is ``place``, ``actor`` (metonymy: "Moscow denied") or ``demonym`` ("Russian",
    placed at its country), so a user can keep or drop each kind.
    """
    p = m.place
    return {
        "start": m.start,
        "end": m.end,
        "name": m.text,
        "lat": round(p.lat, 5) if p else None,
        "lon": round(p.lon, 5) if p else None,
        "geonameid": p.geonameid if p else None,
        "feature_code": p.feature_code if p else None,
        "country_code": p.country_code if p else None,
        "score": m.score,
        "kind": "demonym" if m.kind == "modifier" else m.kind,
    }


def geoparse(texts: Iterable[str], *, geoparser: Geoparser | None = None, demonyms: bool = True) -> list[list[dict]]:
    """Find and resolve the place names of each text.

    Demonyms ("Russian", "Turkish") count as toponyms in the news corpora (Gritta et al.'s
    pragmatic taxonomy): they are kept, marked ``"kind": "demonym"`` and placed at their
    country or region; one that names no place is left out, and ``demonyms=False`` drops them all.

    >>> [(t["name"], t["kind"], t["country_code"]) for t in geoparse(["Russian forces shelled Kharkiv."])[0]]
    [('Russian', 'demonym', 'RU'), ('Kharkiv', 'place', 'UA')]
    """
    gp = geoparser or Geoparser()
    return [
        [toponym_record(m) for m in mentions if is_output_toponym(m) and (demonyms or m.kind != "modifier")]
        for _, mentions in gp.pipe(texts)
    ]


@dataclass
class ExtractResult:
    """Event mentions and toponyms of a batch of articles."""

    mentions: list[EventMention] = field(default_factory=list)
    toponyms: dict[str, list[Mention]] = field(default_factory=dict)


def extract_events(
    articles: Sequence[Article],
    *,
    geoparser: Geoparser | None = None,
    published: dt.date | None = None,
    on_article: Callable[[Article], None] | None = None,
    on_extracted: Callable[[Article, list[EventMention], list[Mention]], None] | None = None,
) -> ExtractResult:
    """Find the event mentions of each article (merge them with :func:`geomap.events.build_events`).

    ``on_extracted(article, event_mentions, toponyms)`` is called as soon as each article
    is done (the event store saves it there, so a run killed half-way keeps what it did).
    """
    gp = geoparser or Geoparser()
    result = ExtractResult()
    for article, (doc, mentions) in zip(articles, gp.pipe(a.text for a in articles)):
        result.toponyms[article.id] = mentions
        found = list(find_event_mentions(doc, mentions, article_id=article.id, published=article.published or published,
                                         locate=gp.locate, place_model=gp.place_model))
        result.mentions.extend(found)
        if on_extracted:
            on_extracted(article, found, mentions)
        if on_article:
            on_article(article)
    return result


def article_events(articles: Sequence[Article], **kwargs) -> list[list[dict]]:
    """The events of each article on its own (incidents merged within an article, not across), as
    :func:`geomap.events.event_records`: what ``geomap events`` writes. ``kwargs`` go to
    :func:`extract_events`."""
    from geomap.events import build_events, event_records

    result = extract_events(articles, **kwargs)
    by_article: dict[str, list[EventMention]] = {a.id: [] for a in articles}
    for m in result.mentions:
        by_article[m.article_id].append(m)
    return [event_records(build_events(by_article[a.id], {a.id: a})) for a in articles]


def events_frame(articles: Iterable[Article | str], **kwargs) -> pd.DataFrame:
    """Articles (or plain texts) in, events table out: the whole extraction in one call.

    ``event_date`` is a datetime column; ``kwargs`` go to :func:`extract_events`.

    >>> events = events_frame(["On 3 July 2025 a missile strike near Korenevo killed 20 people."])
    >>> first = events.iloc[0]
    >>> str(first["event_date"].date()), first["place_name"], int(first["fatalities"])
    ('2025-07-03', 'Korenevo', 20)
    """
    from geomap.articles import text_article
    from geomap.events import build_events, with_datetimes

    items = [a if isinstance(a, Article) else text_article(a) for a in articles]
    result = extract_events(items, **kwargs)
    return with_datetimes(build_events(result.mentions, {a.id: a for a in items}))
