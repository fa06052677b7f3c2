"""The assistance app keeps its layers: reads never import writes, views never catch a
service's refusal themselves, and one module calls the eligibility engine."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "assistance"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


@pytest.mark.parametrize(
    "path",
    sorted([*(APP / "selectors").glob("*.py"), *(APP / "forms").glob("*.py")]),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_selectors_and_forms_never_import_a_service(path):
    assert not [m for m in _imports(path) if m.startswith("assistance.services")]


@pytest.mark.parametrize(
    "path", sorted((APP / "views").glob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_views_leave_a_services_refusal_to_run_service(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    caught = {
        ast.unparse(handler.type)
        for node in ast.walk(tree)
        if isinstance(node, ast.Try)
        for handler in node.handlers
        if handler.type is not None
    }
    assert not {c for c in caught if "ValidationError" in c or "PermissionDenied" in c}


def test_only_the_assessment_door_calls_the_engine():
    callers = []
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or path.name == "eligibility.py":
            continue
        if "assistance.eligibility.assess" in _imports(path):
            callers.append(str(path.relative_to(ROOT)))
    assert callers == ["assistance/assessment.py"]
