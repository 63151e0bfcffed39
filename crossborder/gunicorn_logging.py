"""gunicorn's access log without order and payment tokens (crossborder.logs says why).

Run gunicorn with `--logger-class crossborder.gunicorn_logging.RedactingLogger` (the Dockerfile,
scripts/instances.py and the README do): every field of an access-log line (request line, path,
query, referer, other headers, a redirect's Location) is redacted, whatever the access-log format.
"""

from gunicorn.glogging import Logger

from .logs import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        return {key: redact(value) for key, value in super().atoms(resp, req, environ, request_time).items()}
