import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.accounts import make_city, make_org


def measure(label: str, action: Callable[[], object], *, repeat: int = 15) -> None:
    """Print the median wall time and the query count of `action`."""
    action()  # warm caches
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            action()
            timings.append(time.perf_counter() - started)
    median_ms = statistics.median(timings) * 1000
    print(f"  {label:<48} median {median_ms:8.2f} ms   {len(queries.captured_queries)} queries")


def explain(label: str, queryset) -> None:
    if connection.vendor == "postgresql":
        plan = queryset.explain()
        print(f"  plan of {label}:")
        for line in plan.splitlines()[:6]:
            print(f"    {line}")


def analyze() -> None:
    """Fresh planner statistics after a bulk load, as autovacuum would give a live database."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def build_tree(name: str, *, counties: int = 3, unions_per_county: int = 100):
    """A city with its counties and grassroots unions, made through the services."""
    city = make_city(f"{name}市总工会")
    county_list = [make_org(city, f"{name}区{c}总工会") for c in range(counties)]
    unions = [
        make_org(county, f"{name}区{c}基层工会{u:03d}")
        for c, county in enumerate(county_list)
        for u in range(unions_per_county)
    ]
    return city, county_list, unions
