from .base import *  # noqa: F403

DEBUG = True

# Development-only keys: never used where PII_KEYS / PII_HASH_KEY are set.
PII_KEYS = PII_KEYS or [b"ZGV2LW9ubHktcGlpLWtleS1ub3QtZm9yLXByb2R1Y3Q="]  # noqa: F405
PII_HASH_KEY = PII_HASH_KEY or "dev-only-pii-hash-key"  # noqa: F405
