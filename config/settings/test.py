import tempfile
from pathlib import Path

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = True

# Development-only keys: never used where PII_KEYS / PII_HASH_KEY are set.
PII_KEYS = PII_KEYS or [b"ZGV2LW9ubHktcGlpLWtleS1ub3QtZm9yLXByb2R1Y3Q="]  # noqa: F405
PII_HASH_KEY = PII_HASH_KEY or "dev-only-pii-hash-key"  # noqa: F405

# Uploaded test documents never land in the working tree.
MEDIA_ROOT = Path(tempfile.gettempdir()) / "union-assistance-test-media"
