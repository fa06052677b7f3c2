"""The archives app keeps its shape: reads never import writes, views leave refusals to the
view runner, and statuses are set by the lifecycle engine only."""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "archives"


def modules(package: str) -> list[Path]:
    return sorted((APP / package).rglob("*.py"))


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("package", ["selectors", "forms"])
def test_reads_and_forms_never_import_a_service(package):
    for path in modules(package):
        services = {name for name in imported(path) if ".services" in name}
        assert not services, f"{path.name} imports {services}"


def test_views_catch_no_refusal_themselves():
    for path in modules("views"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            assert not isinstance(node, ast.Try), f"{path.name}:{node.lineno}: try in a view"


def test_no_status_is_assigned_outside_the_engine():
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    assert not (isinstance(target, ast.Attribute) and target.attr == "status"), (
                        f"{path.relative_to(APP)}:{node.lineno} sets a status"
                    )


def test_routes_are_in_urls_only():
    for path in modules("views"):
        assert "urlpatterns" not in path.read_text(encoding="utf-8"), path.name
