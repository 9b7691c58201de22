"""The event-place model: which of a sentence's names is where its event happened."""

from __future__ import annotations

from pathlib import Path

import pytest

from geomap.extract.event_place import PlaceModel, load_place_model, parse_candidates
from geomap.extract.events import choose_place, mention_roots, person_words, pick_place
from geomap.extract.nlp import load_nlp
from geomap.models import Mention
from geomap.pipeline import Geoparser


@pytest.fixture(scope="module")
def geoparser(gazetteer):
    return Geoparser(gazetteer, load_nlp())


def picks(geoparser, text: str, trigger: str, *, resolved: bool) -> str | None:
    doc = geoparser.nlp(text)
    mentions = [m for m in geoparser.resolve(doc) if m.kind != "modifier"]
    roots = mention_roots(doc, mentions)
    mentions = [m for m in mentions if id(m) in roots]
    (token,) = [t for t in doc if t.text == trigger]
    place = pick_place(token, mentions, roots, resolved=resolved)
    return place.text if place else None


def stump(feature: int, threshold: float, low: float, high: float) -> dict[str, list]:
    return {"feature": [feature, -1, -1], "threshold": [threshold, 0.0, 0.0], "left": [1, 0, 0],
            "right": [2, 0, 0], "value": [0.0, low, high]}


def test_trees_add_up_leaf_values_and_a_missing_feature_counts_as_zero():
    model = PlaceModel(["prep_in", "town"], 0.5, trees=[stump(0, 0.5, -2.0, 2.0), stump(1, 0.5, 0.0, 1.0)])
    assert model.probability({"prep_in": 1.0, "town": 1.0}) == pytest.approx(1 / (1 + 2.718281828 ** -3.0))
    assert model.probability({}) == pytest.approx(1 / (1 + 2.718281828 ** 2.0))


def test_the_decision_stage_can_say_none_even_for_a_likely_candidate():
    kabul = Mention(0, 5, "Kabul", "GPE")
    trees = [stump(0, 0.5, -2.0, 2.0)]
    eager = PlaceModel(["prep_in"], 0.5, trees=trees)
    assert eager.pick([(kabul, {"prep_in": 1.0})]) is kabul
    assert eager.pick([(kabul, {})]) is None
    never = {"intercept": -5.0, "weights": {"top": 1.0}, "threshold": 0.5}
    assert PlaceModel(["prep_in"], 0.5, trees=trees, decision=never).pick([(kabul, {"prep_in": 1.0})]) is None


def test_parse_candidates_are_the_names_the_toponym_finder_left_out():
    doc = load_nlp()("Gunmen killed five people in the village of Kayamla near Maiduguri.")
    taken = [Mention(doc.text.index("Maiduguri"), doc.text.index("Maiduguri") + 9, "Maiduguri", "GPE")]
    found = [m.text for m in parse_candidates(doc[:], taken)]
    assert "Kayamla" in found
    assert "Maiduguri" not in found
    assert all(m.place is None for m in parse_candidates(doc[:], taken))


@pytest.mark.skipif(load_place_model() is None, reason="no shipped model")
def test_span_selection_may_pick_an_unknown_village_and_keeps_a_known_place_to_stand_in(geoparser):
    text = "Gunmen killed five people in the village of Kayamla near Maiduguri on Monday."
    assert picks(geoparser, text, "killed", resolved=False) == "Kayamla"
    assert picks(geoparser, text, "killed", resolved=True) == "Maiduguri"
    doc = geoparser.nlp(text)
    mentions = geoparser.resolve(doc)
    roots = mention_roots(doc, mentions)
    (token,) = [t for t in doc if t.text == "killed"]
    place, stand_in = choose_place(token, [m for m in mentions if id(m) in roots], roots)
    assert (place.text, place.place) == ("Kayamla", None)
    assert stand_in.text == "Maiduguri"


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("The driver was charged with murder in the death of 40-year-old Isaac Jackson.", "death"),
        ("Police said Vasquez had stabbed Welch after an argument on Friday.", "stabbed"),
        ("Terry A. Corbin was found dead on Friday. Police said a truck struck Corbin.", "struck"),
        ("Gunmen raided the home of 27-year-old Phillip Benjamin Conner on Wednesday.", "raided"),
        ("He said his grandfather had fought in World War I.", "fought"),
    ],
    ids=["death-of-a-person", "object-of-the-verb", "surname-named-in-full-before", "home-of-a-person", "name-of-a-war"],
)
def test_names_of_people_and_wars_never_become_an_event_place(geoparser, text, trigger):
    doc = geoparser.nlp(text)
    mentions = [m for m in geoparser.resolve(doc) if m.kind != "modifier"]
    roots = mention_roots(doc, mentions)
    mentions = [m for m in mentions if id(m) in roots]
    token = [t for t in doc if t.text == trigger][-1]
    place, _ = choose_place(token, mentions, roots, surnames=person_words(doc))
    assert place is None or place.place is not None, place


@pytest.mark.skipif(load_place_model() is None, reason="no shipped model")
def test_a_sentence_that_only_names_an_officials_city_places_no_event(geoparser):
    assert picks(geoparser, "The mayor of Mosul said on Monday that talks would continue.", "said", resolved=False) is None


@pytest.mark.skipif(load_place_model() is None, reason="no shipped model")
def test_a_place_named_only_as_a_persons_origin_is_not_the_event_place(geoparser):
    assert picks(geoparser, "Gunmen killed the former mayor of Mosul in Baghdad on Monday.", "killed",
                 resolved=True) == "Baghdad"


# -- the shipped event-place model is tied to the code that makes its features ---------------


def test_a_change_to_how_place_features_are_made_changes_their_spec(tmp_path):
    import geomap.extract.event_place as event_place

    source = Path(event_place.__file__).read_text(encoding="utf-8")
    assert '"tree_distance"' in source
    renamed = tmp_path / "renamed.py"
    renamed.write_text(source.replace('"tree_distance"', '"tree_hops"', 1), encoding="utf-8")
    commented = tmp_path / "commented.py"
    commented.write_text(source.replace("def place_features(", "# a comment\ndef place_features(", 1), encoding="utf-8")
    spec = event_place.place_feature_spec()
    assert event_place.place_feature_spec(renamed) != spec
    assert event_place.place_feature_spec(commented) == spec


def test_an_event_place_model_of_other_features_is_a_clear_error(tmp_path):
    import json

    from geomap.errors import ModelError
    from geomap.extract.event_place import load_place_model

    shipped = json.loads((Path(__file__).resolve().parent.parent / "data" / "event_place_model.json").read_text())
    path = tmp_path / "old.json"
    path.write_text(json.dumps({k: v for k, v in shipped.items() if k != "feature_spec"}))
    with pytest.raises(ModelError, match="bench/train_event_place.py"):
        load_place_model(path)
    assert load_place_model() is not None  # the shipped one fits
