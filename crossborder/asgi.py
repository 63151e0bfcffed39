"""ASGI entry point. In production it refuses to serve while a system check is an error."""

import os

from django.core.asgi import get_asgi_application

from crossborder.checks import refuse_to_start_on_errors

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings")
application = get_asgi_application()

refuse_to_start_on_errors("The web server")
