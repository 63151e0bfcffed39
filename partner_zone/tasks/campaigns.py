"""Celery tasks of the partner zone: campaigns (thin wrappers over services)."""
