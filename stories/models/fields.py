"""A model field for secrets we must read back (webhook signing keys).

A hash would do for a password, but a webhook secret has to sign every delivery, so
it is encrypted instead: Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``)
with a key derived from SECRET_KEY. A database dump or a staff member's admin
filter sees only random-looking tokens; SECRET_KEY_FALLBACKS keep old rows readable
after a key rotation (new writes use the current key).

The field also refuses every lookup (``filter(webhook_secret=…)``,
``__startswith``…): comparing a secret in SQL is never a legitimate need, and a
lookup on a stored value is how a prefix can be guessed one character at a time.
"""

import base64
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models
from django.utils.crypto import salted_hmac

KEY_SALT = "newsroom.models.fields.EncryptedTextField"


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(key))) for key in keys])


def _derive(secret_key: str) -> bytes:
    return salted_hmac(KEY_SALT, "", secret_key, algorithm="sha256").digest()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The stored value in clear; ValueError if no current or fallback key opens it."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise ValueError("secret cannot be decrypted with SECRET_KEY") from exc


class EncryptedTextField(models.TextField):
    """Text encrypted at rest; reads give the clear value. No lookups."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value) if value else value

    def get_lookup(self, lookup_name: str) -> Any:
        raise FieldError(f"lookups on the secret field {self.name!r} are refused")

    def get_transform(self, name: str) -> Any:
        raise FieldError(f"lookups on the secret field {self.name!r} are refused")
