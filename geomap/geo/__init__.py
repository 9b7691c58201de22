"""Geography with no knowledge of articles or gazetteers: distances on the sphere and country shapes.

The bottom layer: :mod:`geomap.gazetteer`, :mod:`geomap.geocode`, :mod:`geomap.events`,
:mod:`geomap.overrides` and :mod:`geomap.render` use it; it imports nothing of geomap's but
:mod:`geomap.errors` and :mod:`geomap.paths`.
"""
