"""`make bench`: benchmarks at realistic scale, in a throwaway test database.

Runs every `bench/bench_*.py` module's `run()` and prints its report. Set DATABASE_URL to
measure PostgreSQL (as production runs); without it, SQLite in memory.
"""

import importlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main() -> None:
    import django

    django.setup()
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    # Options (`--rows=200000`) are read by the benchmarks themselves.
    names = [a for a in sys.argv[1:] if not a.startswith("--")]
    names = names or sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    config = setup_databases(verbosity=0, interactive=False)
    try:
        for name in names:
            module = importlib.import_module(f"bench.{name}")
            print(f"== {name}: {module.__doc__.strip().splitlines()[0]}")
            module.run()
    finally:
        teardown_databases(config, verbosity=0)


if __name__ == "__main__":
    main()
