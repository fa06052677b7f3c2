import pytest
from django.db import connections
from django.test import override_settings

from archives.models import Archive
from tests.factories.accounts import Tree, build_tree
from tests.factories.archives import open_archive
from tests.factories.assistance import TODAY, World, build_world
from tests.factories.core import Clock, FakeGateway


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Keep the snapshot of the migrated database for every connection object.

    Browser tests use `serialized_rollback` to get the data migrations' rows back after
    each flush. Django keeps that snapshot on the connection object, but Playwright's sync
    API runs the test in another context, where Django hands out a new connection object:
    the snapshot is therefore pinned on the connection class.
    """
    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """Uploaded files of this run (of this worker, under pytest-xdist) in a folder of their
    own: parallel workers and runs never share one."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")) as media:
        yield media


@pytest.fixture
def tree(db) -> Tree:
    return build_tree()


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch, TODAY)


@pytest.fixture
def world(tree, clock, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "private"
    return build_world(tree, clock)


@pytest.fixture
def archive(world: World) -> Archive:
    """The standard household of union_a1, approved in Wuhu: a deep archive (person 0)."""
    return open_archive(world, person=0)


@pytest.fixture
def gateway(settings):
    settings.SMS_BACKEND = "tests.factories.core.FakeGateway"
    FakeGateway.sent = []
    return FakeGateway


def pytest_collection_modifyitems(items):
    """Browser tests run last: their transactional database is flushed after each one."""
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


_flushed_by_browser_tests = []


def pytest_runtest_setup(item):
    """Say so, rather than fail on a missing row, when this process's database was flushed
    by a browser test before an ordinary one (pytest-xdist reorders the test files unless
    told `--no-loadscope-reorder`, as `make test` does)."""
    if item.get_closest_marker("browser"):
        _flushed_by_browser_tests.append(item.nodeid)
    elif _flushed_by_browser_tests:
        pytest.fail(
            f"{_flushed_by_browser_tests[0]} flushed the test database before this test: "
            "run browser tests last (with pytest-xdist: --dist loadfile --no-loadscope-reorder)",
            pytrace=False,
        )
