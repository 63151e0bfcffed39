"""Mirrored partner listings, local pricing, zone pages, campaigns, recommendations."""
