"""WSGI entry point (gunicorn crossborder.wsgi). In production it refuses to serve while a system
check is an error (a sandbox payment provider, a default secret: crossborder/checks.py)."""

import os

from django.core.wsgi import get_wsgi_application

from crossborder.checks import refuse_to_start_on_errors

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings")
application = get_wsgi_application()

refuse_to_start_on_errors("The web server")
