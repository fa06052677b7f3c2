"""Personal data at rest: national ID and bank card numbers (DOMAIN.md §2, issue: intake).

- Encrypted with Fernet (AES-128-CBC + HMAC) under `PII_KEYS`, a key list separate from
  `SECRET_KEY`; the first key encrypts, all of them decrypt, so a key can be rotated by
  putting a new one in front and re-saving.
- Found by a keyed hash (HMAC-SHA256 under `PII_HASH_KEY`) for exact search and duplicate
  detection; the hash key must stay stable for the life of the data.
- Shown masked in lists and exports (`340202********1234`); the mask is kept beside the
  cipher text so that a list never decrypts anything.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _fernet() -> MultiFernet:
    keys = settings.PII_KEYS
    if not keys:
        raise ImproperlyConfigured("PII_KEYS is not set: personal data cannot be encrypted.")
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("个人信息密钥与数据不匹配，无法解密。") from exc


def keyed_hash(value: str) -> str:
    """Stable, keyed, one-way: equal numbers give equal hashes; the hash reveals nothing."""
    if not value:
        return ""
    key = settings.PII_HASH_KEY.encode()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


def mask(value: str, *, head: int = 6, tail: int = 4) -> str:
    value = value.strip()
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def mask_card(value: str) -> str:
    return mask(value, head=4, tail=4)


def mask_name(name: str) -> str:
    """A person's name as a public notice shows it: 张建国 → 张*国, 李四 → 李*, 欧阳娜娜 → 欧**娜.

    The surname and, for three characters or more, the last character stay; a one-character
    name is hidden entirely.
    """
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
