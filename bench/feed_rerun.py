"""How long a rerun of `geomap run FEED` takes when the feed has not changed.

A local news site on 127.0.0.1 (this script's own server, no internet) serves an RSS
feed of N article pages (menus, trending box, comments and related links around a short
incident report, as real pages have) with ETag / Last-Modified. The script times, as a
user sees it (`geomap run` in a subprocess, interpreter start included):

- the first run on the feed (every page fetched and extracted);
- reruns on the unchanged feed (median): the feed answers 304 and no item is asked for;
- as a baseline in the same run, reruns on the same articles saved as .txt files in a
  folder (what "rerunning" meant before feeds);

and checks that events.csv stays byte for byte the same and how many requests a rerun made.

    python bench/feed_rerun.py [--items 50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CITIES = [
    "Kharkiv", "Odesa", "Dnipro", "Zaporizhzhia", "Kherson", "Mykolaiv", "Sumy", "Chernihiv", "Poltava", "Kyiv",
    "Lviv", "Vinnytsia", "Kramatorsk", "Sloviansk", "Pokrovsk", "Kostiantynivka", "Izium", "Kupiansk", "Nikopol",
    "Kryvyi Rih", "Belgorod", "Kursk", "Bryansk", "Donetsk", "Luhansk",
]
EVENTS = [
    ("Drone strike on {city} kills {n}", "A Russian drone strike hit a residential building in {city} overnight, "
     "killing {n} people and wounding several more, regional officials said on Tuesday."),
    ("Shelling damages homes in {city}", "Artillery shelling damaged houses and a school in {city} on Monday "
     "morning, the local military administration said; {n} residents were injured."),
]
PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} | Bench Herald</title>
<meta property="article:published_time" content="2025-06-{day:02d}T08:00:00+03:00">
<link rel="canonical" href="http://bench.example/news/{i}"></head><body>
<nav><a href="/">Home</a> <a href="/war">Battle map: the fight for Pokrovsk</a> <a href="/weather">Storm tracker</a></nav>
<main><article><h1>{title}</h1><p>{lead}</p>
<p>Emergency services worked through the night, and the mayor said the city would help families whose homes were damaged.</p>
<p>The attack was the latest in a series on the region this month.</p></article>
<section class="comments"><p>Shelling struck Zaporizhzhia again this morning.</p></section>
<div class="related"><p>Related:</p><ul><li><a href="/r1">Battle for Chasiv Yar rages</a></li>
<li><a href="/r2">Storm hits Odesa coast</a></li></ul></div></main>
<aside><h2>Trending</h2><a href="/t1">Airstrike kills five in Sumy as battle rages</a></aside>
<footer>Bench Herald</footer></body></html>"""


def build_site(n: int, base: str) -> tuple[dict[str, bytes], list[tuple[str, str]]]:
    pages: dict[str, bytes] = {}
    texts: list[tuple[str, str]] = []
    items = []
    for i in range(n):
        city = CITIES[i % len(CITIES)]
        headline, lead = EVENTS[(i // len(CITIES)) % len(EVENTS)]
        title, lead = headline.format(city=city, n=2 + i % 5), lead.format(city=city, n=2 + i % 5)
        pages[f"/news/{i}.html"] = PAGE.format(title=title, lead=lead, i=i, day=1 + i % 28).encode()
        texts.append((title, lead))
        items.append(f"<item><title>{title}</title><link>{base}/news/{i}.html</link>"
                     f"<pubDate>{1 + i % 28:02d} Jun 2025 08:00:00 +0300</pubDate><guid>{base}/news/{i}.html</guid></item>")
    pages["/feed.xml"] = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench</title>'
                          + "".join(items) + "</channel></rss>").encode()
    return pages, texts


class Site:
    def __init__(self, n: int) -> None:
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                site.requests.append(self.path)
                body = site.pages.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                etag = '"' + hashlib.sha1(body).hexdigest()[:12] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml" if self.path.endswith(".xml") else "text/html; charset=utf-8")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.pages, self.texts = build_site(n, self.url)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def geomap_run(inputs: list[str], out: Path) -> float:
    exe = Path(sys.executable).with_name("geomap")
    start = time.perf_counter()
    proc = subprocess.run([str(exe), "run", *inputs, "--out", str(out), "--fetch-delay", "0"],
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"geomap run failed ({proc.returncode}):\n{proc.stderr}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    site = Site(args.items)
    with tempfile.TemporaryDirectory() as tmp:
        out, folder, out_txt = Path(tmp, "feed-out"), Path(tmp, "txt"), Path(tmp, "txt-out")
        folder.mkdir()
        for i, (title, lead) in enumerate(site.texts):
            (folder / f"{i:03d}.txt").write_text(f"{title}\n\n{lead}\n", encoding="utf-8")
        first = geomap_run([site.url + "/feed.xml"], out)
        before = (out / "events.csv").read_bytes()
        reruns, asked = [], []
        for _ in range(args.repeat):
            site.requests.clear()
            reruns.append(geomap_run([site.url + "/feed.xml"], out))
            asked.append(len(site.requests))
        same = (out / "events.csv").read_bytes() == before
        geomap_run([str(folder)], out_txt)
        baseline = [geomap_run([str(folder)], out_txt) for _ in range(args.repeat)]
    rerun, base = statistics.median(reruns), statistics.median(baseline)
    print(f"feed of {args.items} items, median of {args.repeat} reruns")
    print(f"first run on the feed (fetch + extract):  {first:6.2f} s")
    print(f"rerun on the unchanged feed:             {rerun:6.2f} s  ({max(asked)} request(s) per rerun; "
          f"events.csv {'byte-identical' if same else 'CHANGED'})")
    print(f"baseline, rerun on {args.items} .txt files:         {base:6.2f} s")
    print(f"rerun on the feed / rerun on the files:   {rerun / base:6.2f}x")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
