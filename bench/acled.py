"""The live pipeline held to human-coded events: ACLED coder notes, Halterman's news
sentences, and hand-labelled news passages with and without an incident.

Every text goes through what ``geomap run`` does (:func:`geomap.pipeline.extract_events`
then :func:`geomap.events.build_events`; no publication date unless ``--published``),
and the events table is scored:

ACLED (``../shared/bench/acled/acled_2022h1_train.jsonl``, one coder note a row), split BY
COUNTRY: a country is dev when the SHA-1 of its name falls in the lowest ``DEV_SHARE`` %
(about a quarter of the rows; never a random row split, so a country's place names, actors
and phrasing never straddle the split). The row's event is the table's event with the most
mentions (ties: the first in the text). Metrics, over all rows of the split:

- ``event``: the row gets at least one event;
- ``event_type`` / ``sub_event_type``: that event's type / sub-type is ACLED's;
- ``event_date``: exactly ACLED's date;
- ``fatalities``: exactly ACLED's count, no event or no count stated = 0 (ACLED's
  convention; ``always_0`` is what answering 0 every time scores);
- ``place_25km``: the event's point within 25 km of ACLED's;
- ``actor1``: a content word of the event's ``actor1_acled`` (its actor1 in ACLED's naming,
  "Military Forces of Russia (2000-)") matches one of ACLED's actor1 (first five letters;
  generic words such as "forces", "military", "group" do not count); ``actor1_exact`` is
  that name exactly ACLED's, ``inter1`` the inter code exactly ACLED's, and
  ``actor1_written`` scores the ``actor1`` column (the actor as the text writes it,
  "Russian troops") by the same content-word test. ACLED's actor1 is a catalogue name, so
  the written actor matches it only where the text happens to use the catalogue's words.

event_location (Halterman's sentences, dev = the split of ``bench/events.py``, by a hash
of the text): ``trigger_recall`` = an event mention's trigger is the annotated trigger word;
``sentence_event`` = the sentence gets an event at all; ``event_place`` = the mention
nearest the annotated trigger has its place on a gold event location (or no place where
the sentence has none; no mention counts wrong where there is a gold place).

News passages (``bench/data/news_events.jsonl``: pointers into the GeoWebNews, LGL and
GeoVirus corpora, labelled by hand; rules in ``bench/data/NEWS_EVENTS.md``): on the
``heldout`` part, ``false_incident`` = the share of no-event passages given any event
mention (a table row or not), and
``found`` / ``type`` = positives given an event / of the right type. Our own sentences
(``bench/data/own_sentences.jsonl``) are scored the same way.

    python bench/acled.py                       # dev split, everything
    python bench/acled.py --split train --limit 500 --only acled
    python bench/acled.py --errors 20           # print wrong dev rows
    python bench/acled.py --split train --only event_location --errors 50   # missed triggers, wrong places
    python bench/acled.py --json
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import math
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_BENCH_DIR = ROOT.parent / "shared" / "bench"
NEWS_EVENTS = ROOT / "bench" / "data" / "news_events.jsonl"
OWN_SENTENCES = ROOT / "bench" / "data" / "own_sentences.jsonl"
DEV_SHARE = 25  # percent of the countries (by hash), about a quarter of the rows
EL_DEV_SHARE = 20  # bench/events.py's split of Halterman's sentences

GENERIC_ACTOR_WORDS = frozenset(
    """the of and for with from military forces force group groups unidentified armed men
    unknown gunmen people members member former""".split()
)


def country_split(country: str) -> str:
    """ "dev" or "train" for an ACLED country: a hash of its name, never a random row."""
    h = int(hashlib.sha1(country.encode("utf-8")).hexdigest(), 16) % 100
    return "dev" if h < DEV_SHARE else "train"


def text_split(text: str) -> str:
    """bench/events.py's split of Halterman's sentences (by a hash of the text)."""
    return "dev" if int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 100 < EL_DEV_SHARE else "train"


def load_acled(bench_dir: Path) -> list[dict]:
    path = bench_dir / "acled" / "acled_2022h1_train.jsonl"
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def actor_stems(text: str | None) -> set[str]:
    if not text:
        return set()
    words = re.findall(r"[A-Za-z][A-Za-z'-]+", text)
    stems = set()
    for w in words:
        w = w.lower().strip("'-")
        if len(w) < 3 or w in GENERIC_ACTOR_WORDS or w.endswith("'s") and w[:-2] in GENERIC_ACTOR_WORDS:
            continue
        stems.add(w[:5])
    return stems


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, l1, p2, l2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def primary_event(frame):
    """The table's event that stands for the text: most mentions, then first in the text."""
    if frame is None or not len(frame):
        return None
    rows = frame.to_dict("records")
    return max(rows, key=lambda r: (r["n_mentions"], -(r["trigger_start"] if r["trigger_start"] is not None else 0)))


def _val(x):
    try:
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return None
    except TypeError:
        pass
    return x


def run_texts(gp, texts: list[str], published: dt.date | None):
    """The events table of each text, as ``geomap run`` builds it."""
    from geomap.events import build_events
    from geomap.extract.events import find_event_mentions
    from geomap.models import Article

    out = []
    for i, (doc, mentions) in enumerate(gp.pipe(texts)):
        article = Article(id=f"t{i}", text=doc.text, published=published)
        found = find_event_mentions(doc, mentions, article_id=article.id, published=published, locate=gp.locate)
        out.append((doc, found, build_events(found, {article.id: article})))
    return out


def score_acled(gp, rows: list[dict], published: dt.date | None, n_errors: int, dump=None) -> tuple[dict, list[str]]:
    counts: Counter = Counter()
    errors: list[str] = []
    results = run_texts(gp, [r["text"] for r in rows], published)
    for row, (_, _, frame) in zip(rows, results):
        gold = row["gold"]
        ev = primary_event(frame)
        counts["n"] += 1
        gold_deaths = int(gold.get("fatalities") or 0)
        counts["always_0"] += gold_deaths == 0
        if ev is None:
            counts["fatalities"] += gold_deaths == 0
            if len(errors) < n_errors:
                errors.append(f"- [{row['id']}] NO EVENT; gold {gold['event_type']} / {gold['sub_event_type']}\n  {row['text'][:300]}")
            continue
        counts["event"] += 1
        type_ok = ev["event_type"] == gold["event_type"]
        counts["event_type"] += type_ok
        counts["sub_event_type"] += ev["sub_event_type"] == gold["sub_event_type"]
        counts["event_date"] += _val(ev["event_date"]) == gold["event_date"]
        deaths = _val(ev["fatalities"])
        counts["fatalities"] += int(deaths or 0) == gold_deaths
        lat, lon = _val(ev["lat"]), _val(ev["lon"])
        off = km(lat, lon, gold["lat"], gold["lon"]) if lat is not None else None
        counts["place_25km"] += off is not None and off <= 25.0
        if dump is not None:
            dump.write(json.dumps({
                "id": row["id"], "km": None if off is None else round(off, 1), "ours": _val(ev["place_name"]),
                "ours_cc": _val(ev["country_code"]),
                "gold": f"{gold['location']} ({gold['admin1']}, {gold['country']})", "type_ok": type_ok,
                "actor1": _val(ev["actor1_acled"]), "gold_actor1": gold.get("actor1"),
            }, ensure_ascii=False) + "\n")
        counts["actor1"] += bool(actor_stems(_val(ev["actor1_acled"])) & actor_stems(gold.get("actor1")))
        counts["actor1_exact"] += _val(ev["actor1_acled"]) == gold.get("actor1")
        inter1 = _val(ev["inter1"])
        counts["inter1"] += inter1 is not None and gold.get("inter1") is not None and int(inter1) == int(gold["inter1"])
        counts["actor1_written"] += bool(actor_stems(_val(ev["actor1"])) & actor_stems(gold.get("actor1")))
        if (not type_ok or ev["sub_event_type"] != gold["sub_event_type"]) and len(errors) < n_errors:
            errors.append(f"- [{row['id']}] got {ev['event_type']} / {ev['sub_event_type']} ({ev['trigger_text']!r}); "
                          f"gold {gold['event_type']} / {gold['sub_event_type']}\n  {row['text'][:300]}")
    n = max(counts["n"], 1)
    keys = ["event", "event_type", "sub_event_type", "event_date", "fatalities", "place_25km", "actor1", "actor1_exact", "inter1",
            "actor1_written", "always_0"]
    return {"rows": counts["n"], **{k: round(counts[k] / n, 3) for k in keys}}, errors


def score_event_location(gp, bench_dir: Path, split: str, limit: int | None, n_errors: int = 0) -> tuple[dict, list[str]]:
    path = bench_dir / "event_location" / "event_location.jsonl"
    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    records = [r for r in records if split == "all" or text_split(r["text"]) == split]
    if limit:
        records = records[:limit]
    counts: Counter = Counter()
    errors: list[str] = []
    for record, (_, found, _) in zip(records, run_texts(gp, [r["text"] for r in records], None)):
        gold = [(g["start"], g["end"]) for g in record["event_locations"]]
        for trig in record["event_triggers"]:
            counts["n"] += 1
            counts["sentence_event"] += bool(found)
            hit = any(m.trigger_start < trig["end"] and trig["start"] < m.trigger_end for m in found)
            counts["trigger_recall"] += hit
            near = min(found, key=lambda m: abs(m.trigger_start - trig["start"])) if found else None
            p = near.place if near is not None else None
            ok = not gold if p is None else any(p.start < e and b < p.end for b, e in gold)
            counts["event_place"] += ok
            if (not ok or not hit) and len(errors) < n_errors:
                ours = f"{near.trigger_text!r} at {p.text if p else None!r}" if near is not None else "NO MENTION"
                errors.append(f"- event_location [{record['id']}] trigger {trig['text']!r}{'' if hit else ' MISSED'}, "
                              f"place {'ok' if ok else 'WRONG'}: ours {ours}, gold {[g['name'] for g in record['event_locations']]}"
                              f"\n  {record['text'][:300]}")
    n = max(counts["n"], 1)
    return {"triggers": counts["n"], **{k: round(counts[k] / n, 3) for k in ("trigger_recall", "sentence_event", "event_place")}}, errors


def load_news_events(bench_dir: Path, path: Path = NEWS_EVENTS) -> list[dict]:
    """The hand-labelled passages, their texts read from the corpora by the pointers."""
    if not path.exists():
        return []
    texts: dict[tuple[str, str], str] = {}
    out = []
    for line in path.open(encoding="utf-8"):
        if not line.strip():
            continue
        rec = json.loads(line)
        corpus = rec["corpus"]
        if not any(k[0] == corpus for k in texts):
            for doc_line in (bench_dir / corpus / f"{corpus}.jsonl").open(encoding="utf-8"):
                doc = json.loads(doc_line)
                texts[(corpus, doc["id"])] = doc["text"]
        rec["text"] = texts[(corpus, rec["doc_id"])][rec["start"]:rec["end"]]
        out.append(rec)
    return out


def load_own(path: Path = OWN_SENTENCES) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def primary_mention(found) -> dict | None:
    """The passage's strongest event mention (a mention the table merges away still
    gave the passage an incident)."""
    if not found:
        return None
    m = max(found, key=lambda m: (m.strength, -m.trigger_start))
    return {"event_type": m.event_type, "sub_event_type": m.sub_event_type, "trigger_text": m.trigger_text}


def score_labelled(gp, records: list[dict], n_errors: int, title: str) -> tuple[dict, list[str]]:
    """False-incident rate on the no-event passages (any event mention counts), found /
    type on the incident ones."""
    counts: Counter = Counter()
    errors: list[str] = []
    for rec, (_, found, _) in zip(records, run_texts(gp, [r["text"] for r in records], None)):
        ev = primary_mention(found)
        if rec["label"] == "none":
            counts["neg"] += 1
            counts["false_incident"] += ev is not None
            if ev is not None and len(errors) < n_errors:
                errors.append(f"- {title} FALSE {ev['event_type']} ({ev['trigger_text']!r}): {rec['text'][:200]!r}")
        else:
            counts["pos"] += 1
            counts["found"] += ev is not None
            ok = ev is not None and ev["event_type"] == rec["event_type"]
            counts["type"] += ok
            if rec.get("sub_event_type"):
                counts["sub_n"] += 1
                counts["sub"] += ev is not None and ev["sub_event_type"] == rec["sub_event_type"]
            if not ok and len(errors) < n_errors:
                got = f"{ev['event_type']} / {ev['sub_event_type']}" if ev is not None else "NO EVENT"
                errors.append(f"- {title} got {got}, gold {rec['event_type']} / {rec.get('sub_event_type')}: {rec['text'][:200]!r}")
    return {
        "negatives": counts["neg"],
        "false_incident": round(counts["false_incident"] / max(counts["neg"], 1), 3),
        "positives": counts["pos"],
        "found": round(counts["found"] / max(counts["pos"], 1), 3),
        "type": round(counts["type"] / max(counts["pos"], 1), 3),
        "sub_event_type": round(counts["sub"] / max(counts["sub_n"], 1), 3),
    }, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR)
    parser.add_argument("--split", choices=("dev", "train", "all"), default="dev")
    parser.add_argument("--limit", type=int, default=None, help="at most N rows of each set")
    parser.add_argument("--only", choices=("acled", "event_location", "news", "own"), action="append")
    parser.add_argument("--published", type=dt.date.fromisoformat, default=None,
                        help="a publication date for every text (default: none, the year comes from the text)")
    parser.add_argument("--errors", type=int, default=0, help="print N wrong rows of each set")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rows-out", type=Path, default=None,
                        help="write each ACLED row's place and actor (ours and gold) as JSON lines, to compare two runs")
    args = parser.parse_args()
    only = set(args.only or ("acled", "event_location", "news", "own"))

    from geomap.pipeline import Geoparser

    started = time.perf_counter()
    gp = Geoparser()
    result: dict = {"split": args.split}
    errors: list[str] = []
    if "acled" in only:
        rows = [r for r in load_acled(args.bench_dir) if args.split == "all" or country_split(r["gold"]["country"]) == args.split]
        if args.limit:
            rows = rows[: args.limit]
        with (args.rows_out.open("w", encoding="utf-8") if args.rows_out else contextlib.nullcontext()) as dump:
            result["acled"], errs = score_acled(gp, rows, args.published, args.errors, dump)
        result["acled"]["countries"] = len({r["gold"]["country"] for r in rows})
        errors += errs
    if "event_location" in only:
        result["event_location"], errs = score_event_location(gp, args.bench_dir, args.split, args.limit, args.errors)
        errors += errs
    if "news" in only:
        news = load_news_events(args.bench_dir)
        part = "heldout" if args.split == "dev" else args.split
        news = [r for r in news if part == "all" or r["part"] == part]
        if news:
            result["news"], errs = score_labelled(gp, news[: args.limit] if args.limit else news, args.errors, "news")
            errors += errs
    if "own" in only:
        own = [r for r in load_own() if args.split in ("all", "train") and r["part"] == "train"
               or args.split == "dev" and r["part"] == "test"]
        if own:
            result["own_sentences"], errs = score_labelled(gp, own, args.errors, "own")
            errors += errs
    result["seconds"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(result, indent=1))
        return
    for name, block in result.items():
        if isinstance(block, dict):
            print(f"{name}: " + "  ".join(f"{k}={v}" for k, v in block.items()))
    print(f"split={args.split}  ({result['seconds']} s)")
    for e in errors:
        print(e)


if __name__ == "__main__":
    main()
