"""What text input may hold: no NUL, no other C0 control character except tab, line feed and
carriage return, and no lone surrogate (none of them is text a person typed; NUL and surrogates
cannot even be stored in PostgreSQL). One check, used by the request middleware, the strict JSON
parser and the partner API."""

import re

from django.utils.translation import gettext_lazy as _

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
CODE = "control_character"
MESSAGE = _("This field holds a control character or an invalid character; remove it and send it again.")


def is_clean(value: str) -> bool:
    return FORBIDDEN.search(value) is None


def first_dirty_field(items):
    """The name of the first (name, value) pair whose name or value is not clean text, else None."""
    for name, value in items:
        if not is_clean(name):
            return "?"
        if isinstance(value, str) and not is_clean(value):
            return name
    return None
