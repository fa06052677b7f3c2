"""Archives are opened the way the product opens them: by approving a case."""

import pytest

from archives.models import Archive
from tests.assistance import review_data
from tests.assistance.review_data import World, wuhu_approved

world = review_data.world
clock = review_data.clock


@pytest.fixture
def archive(world: World) -> Archive:
    """The standard household of union_a1, approved in Wuhu: a deep archive (person 0)."""
    return Archive.objects.get(case=wuhu_approved(world))


def open_archive(world: World, *, person: int, **fields) -> Archive:
    """Another household's archive (its own ID numbers per `person`)."""
    return Archive.objects.get(case=wuhu_approved(world, person=person, **fields))
