"""WSGI entry point (gunicorn crossborder.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings")
application = get_wsgi_application()
