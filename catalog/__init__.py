"""Merchants, products and variants, the shared category taxonomy, own stock."""
