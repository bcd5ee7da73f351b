"""Personal data at rest: encrypted values and keyed digests for exact lookups (issue: 个人信息保护).

`EncryptedTextField` stores Fernet ciphertext (AES-128-CBC + HMAC, key from FIELD_ENCRYPTION_KEY;
values written under a previous key are still read while it is listed in FIELD_ENCRYPTION_OLD_KEYS,
until `manage.py rotate_personal_data` has rewritten them under the current one).
`DigestField(source=...)` stores HMAC-SHA256 of the normalized plaintext of another field, so that
"find this ID number" and "is it a duplicate" are exact indexed lookups without decrypting.
Both work with bulk_create, because values are computed in `pre_save`.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import logging

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

from portal.validators import normalize_code

logger = logging.getLogger(__name__)


@functools.cache
def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(("enc:" + key).encode()).digest()))


def encrypt(value: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(value.encode()).decode()


def _keys() -> list[str]:
    return [settings.FIELD_ENCRYPTION_KEY, *getattr(settings, "FIELD_ENCRYPTION_OLD_KEYS", [])]


def decrypt(token: str) -> str:
    """The plaintext, under the current key or a listed old one; "" when none fits."""
    for key in _keys():
        try:
            return _fernet(key).decrypt(token.encode()).decode()
        except InvalidToken:
            continue
    return ""


def digest(value: str, key: str | None = None) -> str:
    key_bytes = hashlib.sha256(("digest:" + (key or settings.FIELD_ENCRYPTION_KEY)).encode()).digest()
    return hmac.new(key_bytes, normalize_code(value).encode(), hashlib.sha256).hexdigest()


def digest_candidates(value: str) -> list[str]:
    """The digests `value` may be stored under: the current key's, and old keys' for rows not yet
    rotated. Exact lookups filter with `__in` on these."""
    return [digest(value, key) for key in _keys()]


class Undecryptable(str):
    """A stored value the current key cannot decrypt (a wrong or rotated FIELD_ENCRYPTION_KEY).

    Shown as "（无法解密）", and written back as the original ciphertext: saving the row for any
    other reason must never replace personal data with a blank or with this placeholder."""

    token: str

    def __new__(cls, token: str):
        obj = super().__new__(cls, "（无法解密）")
        obj.token = token
        return obj


class EncryptedTextField(models.TextField):
    """Plaintext in Python, ciphertext in the database. Marked sensitive: masked unless revealed."""

    sensitive = True

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        plain = decrypt(value)
        if plain == "":
            logger.error("个人信息无法解密：FIELD_ENCRYPTION_KEY 与加密时的密钥不一致？（%s）", self.model._meta.label)
            return Undecryptable(value)
        return plain

    def get_prep_value(self, value):
        if isinstance(value, Undecryptable):
            return value.token
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


class DigestField(models.CharField):
    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        plain = getattr(model_instance, self.source) or ""
        if isinstance(plain, Undecryptable):
            return getattr(model_instance, self.attname)  # keep the digest of the real value
        value = digest(plain) if plain else ""
        setattr(model_instance, self.attname, value)
        return value


def mask_tail(value: str | None, keep: int = 4) -> str:
    """Only the last `keep` characters shown ("**************123X", "*******5678"), or all starred
    when the value is not longer than that.

    Never the head: an ID number's first six digits are the county code and the next eight the
    birth date, so with the birth date on the page beside it and the check character, a 4+4 mask
    left about ten candidates. The last four (sequence and check) say nothing the page does not."""
    if not value:
        return ""
    return "*" * (len(value) - keep) + value[-keep:] if len(value) > keep else "*" * len(value)


def mask_id_number(value: str | None) -> str:
    return mask_tail(value)


def mask_phone(value: str | None) -> str:
    return mask_tail(value)


def birth_date_shown(value: dt.date | None, *, full: bool) -> dt.date | str | None:
    """A birth date as a role may see it: the date itself with the reveal capability, else only
    the year ("1985年"). The full date is eight of the ID number's ten hidden digits."""
    if value is None:
        return None
    return value if full else f"{value.year}年"
