"""English formats (see crossborder/formats)."""
