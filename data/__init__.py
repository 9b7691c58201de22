"""Small curated data geomap needs at run time (see README.md here for sources and licences)."""
