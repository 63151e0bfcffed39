"""After-sales' partner message receivers, imported by AftersalesConfig.ready: `resale` (the
importer's decision on a returned unit of the exporter's goods, `return.disposition`)."""

from . import resale  # noqa: F401
