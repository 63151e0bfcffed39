"""Model fields encrypted at rest, and blind indexes to find rows by an encrypted value.

Resident ID numbers and signing private keys are kept in the database only as Fernet tokens
(AES-128-CBC with HMAC-SHA256, from `cryptography`), under the keys in
settings.FIELD_ENCRYPTION_KEYS (CROSSBORDER_FIELD_ENCRYPTION_KEY, comma-separated): the first
encrypts, every one decrypts, so a key is rotated by putting a new one first, running
`manage.py reencrypt_fields`, then dropping the old one. A database dump or backup without the key
holds no ID number and no private key.

A Fernet token differs every time, so the database cannot compare an encrypted column with a value.
Where rows must be found by one (a buyer's spending this year, by ID number), a BlindIndexField
beside it keeps a keyed HMAC-SHA256 of the value: equal values give equal indexes, and without the
key the index tells nothing about the value. Lookups ask for the index under every configured key
(blind_indexes), so rows written before a rotation are still found.

The empty string is stored as it is (it is nobody's secret), so `if order.buyer_id_number` and
`filter(field="")` keep working.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.db.models.lookups import Exact
from django.dispatch import receiver

_INDEX_CONTEXT = b"crossborder blind index v1"


@lru_cache(maxsize=8)
def _fernets(keys):
    if not keys:
        raise ImproperlyConfigured("No field encryption key: set CROSSBORDER_FIELD_ENCRYPTION_KEY.")
    try:
        fernets = [Fernet(key) for key in keys]
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "CROSSBORDER_FIELD_ENCRYPTION_KEY holds a key that is not a Fernet key "
            "(32 url-safe base64-encoded bytes; make one with Fernet.generate_key())."
        ) from exc
    return MultiFernet(fernets)


def configured_keys():
    return tuple(settings.FIELD_ENCRYPTION_KEYS)


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs):
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernets.cache_clear()


def check_keys(keys):
    """None when `keys` can encrypt, else what is wrong (for the system check)."""
    try:
        _fernets(tuple(keys))
    except ImproperlyConfigured as exc:
        return str(exc)
    return None


def encrypt(text):
    return _fernets(configured_keys()).encrypt(text.encode()).decode("ascii")


def decrypt(token):
    try:
        return _fernets(configured_keys()).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured(
            "An encrypted field does not decrypt under any key in CROSSBORDER_FIELD_ENCRYPTION_KEY "
            "(a key was dropped before `manage.py reencrypt_fields` ran, or the value was not encrypted)."
        ) from exc


def is_current(token):
    """Whether `token` is encrypted under the first (encrypting) key."""
    try:
        Fernet(configured_keys()[0]).decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def _index_key(key):
    raw = base64.urlsafe_b64decode(key.encode() if isinstance(key, str) else key)
    return hmac.new(raw, _INDEX_CONTEXT, hashlib.sha256).digest()


def blind_index(value, key=None):
    """The keyed HMAC of `value` under `key` (default: the encrypting key), hex; "" for ""."""
    if not value:
        return ""
    key = key or configured_keys()[0]
    return hmac.new(_index_key(key), value.encode(), hashlib.sha256).hexdigest()


def blind_indexes(value):
    """`value`'s index under every configured key: what a lookup matches against."""
    return [blind_index(value, key) for key in configured_keys()]


class EncryptedTextField(models.TextField):
    """Text kept encrypted in its column and read back decrypted. Only "" can be looked up: compare
    other values through a BlindIndexField."""

    description = "Text encrypted at rest"
    # A ciphertext never equals the value: only emptiness can be asked of the column. Any other
    # lookup would find nothing without a word, so it is refused (FieldError) instead.
    _lookups_allowed = {"exact", "isnull"}

    def get_lookup(self, lookup_name):
        if lookup_name not in self._lookups_allowed:
            return None
        return super().get_lookup(lookup_name)

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_db_prep_save(self, value, connection):
        value = self.get_prep_value(value)
        if not value:
            return value
        return encrypt(value)


@EncryptedTextField.register_lookup
class _EmptyOnlyExact(Exact):
    """`field=""` only: an encrypted value is found through its blind index (blind_indexes)."""

    lookup_name = "exact"

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.name} is encrypted: compare it with '' only, or look it up by its blind index."
            )
        return super().get_prep_lookup()


class BlindIndexField(models.CharField):
    """The keyed HMAC of another field's value, filled in on every save (blind_index)."""

    description = "Blind index of an encrypted field"

    def __init__(self, *args, source, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for option, default in (("max_length", 64), ("blank", True), ("editable", False)):
            if kwargs.get(option) == default:
                kwargs.pop(option)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = blind_index(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def masked(value, *, keep=4, width=18):
    """A secret as people see it: only its last `keep` characters ("" stays "")."""
    return f"{'*' * (width - keep)}{value[-keep:]}" if value else ""


def encrypt_column(connection, table, column, *, index_column=None, rotate=False):
    """Encrypt a column's existing plain values in place (and fill its blind index): for the data
    migration that turns a plain column into an EncryptedTextField. Values already encrypted (a
    migration run again) are left as they are, or with `rotate` encrypted again under the first key
    (manage.py reencrypt_fields)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''")  # noqa: S608
        rows = cursor.fetchall()
        for pk, stored in rows:
            try:
                plain = decrypt(stored)
                token = stored if not rotate or is_current(stored) else encrypt(plain)
            except ImproperlyConfigured:
                if rotate:  # every value is encrypted by now: one no key opens is not plain text
                    raise
                plain, token = stored, encrypt(stored)
            if index_column:
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote(column)} = %s, {quote(index_column)} = %s WHERE id = %s",  # noqa: S608
                    [token, blind_index(plain), pk],
                )
            elif token != stored:
                cursor.execute(f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s", [token, pk])  # noqa: S608


def decrypt_column(connection, table, column):
    """The reverse of encrypt_column: the column's values in plain text again."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''")  # noqa: S608
        for pk, stored in cursor.fetchall():
            cursor.execute(f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s", [decrypt(stored), pk])  # noqa: S608
