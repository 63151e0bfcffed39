"""Order and payment tokens kept out of the logs.

An order's token is the only key to its page (/orders/<token>/, /pay/<token>/..., the shop API's
/api/shop/v1/orders/<token>/; a sandbox charge's id likewise approves it): whoever reads a log line
with one can see the order and pay or cancel it. Log lines are redacted before they are written:
Django's own request logging through RedactTokens (on the console handler, so every logger), and
gunicorn's access log through crossborder.gunicorn_logging.RedactingLogger.
"""

import logging
import re

MASK = "[redacted]"

# A segment after orders/, pay/ or pay/sandbox/<wallet|card>/, also percent-encoded (a ?next= URL).
_SLASH = r"(?:/|%2[fF])"
_TOKEN_SEGMENT = re.compile(
    rf"(?P<prefix>{_SLASH}(?:pay{_SLASH}sandbox{_SLASH}(?:wallet|card)|orders|pay){_SLASH})"
    r"(?P<token>(?:(?!%2[fF])[^/?#&\s\"'<>])+)"
)


def redact(text):
    """`text` with every order or payment token in a URL path replaced by the mask."""
    if not isinstance(text, str) or ("orders" not in text and "pay" not in text):
        return text
    return _TOKEN_SEGMENT.sub(lambda m: m["prefix"] + MASK, text)


class RedactTokens(logging.Filter):
    """Logging filter: the record's message with tokens masked (its arguments folded in)."""

    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
