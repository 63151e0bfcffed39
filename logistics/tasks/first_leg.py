"""Celery tasks of logistics: first leg (thin wrappers over services)."""
