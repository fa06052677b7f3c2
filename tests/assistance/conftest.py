"""Fixtures shared by the assistance tests."""

import pytest

from assistance.models import Case
from tests.factories.assistance import minimum_living_standards, new_case


@pytest.fixture
def mls(tree):
    """低保 760 a month from 2026-01-01 in both counties of the `tree`."""
    minimum_living_standards(tree.admin, tree.county_a, tree.county_b)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploaded documents go to a temporary folder, never into the working tree."""
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def case(tree, mls) -> Case:
    """A draft of union_a1 with the standard household, entered by its caseworker."""
    return new_case(tree.caseworker_a1, tree.union_a1)
