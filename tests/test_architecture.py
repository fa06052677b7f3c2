"""The layers of docs/architecture.md, checked against the code.

Every .py file of our apps (and of `config`) is read with `ast`; each import naming one of
our apps (module-level or inside a function, `import x.y` or `from x.y import z`) is an
arrow from the importing app to the imported one. An arrow must be one of the documented
"allowed imports", or a module → module pair of the documented "upward calls". Both lists
are read from docs/architecture.md, so the document and this test cannot drift apart.

Tests, `bench/` and `scripts/` are not walked: they may import anything of the product.

Report mode, for any checkout: `python tests/test_architecture.py [ROOT]` prints the arrows
between the apps under ROOT (default: this repository), and those the layers do not allow.
"""

import ast
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "architecture.md"
PROJECT = "config"  # settings and the root urls: not an app, but walked like one


@dataclass(frozen=True)
class Arrow:
    path: str  # the importing file, relative to the root
    line: int
    module: str  # the importing module (core.views)
    imported: str  # the imported module (archives.services.lifecycle)
    names: tuple[str, ...]  # what `from imported import ...` takes (a name or a submodule)
    source: str  # the importing app
    target: str  # the imported app


def _fenced_block(name: str, text: str) -> list[str]:
    """The non-empty, non-comment lines of the ```name fenced block."""
    match = re.search(rf"^```{re.escape(name)}\n(.*?)^```", text, re.M | re.S)
    if match is None:
        raise AssertionError(f"docs/architecture.md has no ```{name} block")
    lines = (line.split("#", 1)[0].strip() for line in match.group(1).splitlines())
    return [line for line in lines if line]


def documented_layers(text: str | None = None) -> tuple[dict[str, set[str]], set[tuple[str, str]]]:
    """({app: the apps it may import}, {(module, module) of the upward calls})."""
    text = DOC.read_text(encoding="utf-8") if text is None else text
    allowed: dict[str, set[str]] = {}
    for line in _fenced_block("allowed-imports", text):
        source, _, targets = line.partition("->")
        allowed[source.strip()] = set(targets.split())
    exceptions = set()
    for line in _fenced_block("upward-calls", text):
        importer, _, imported = line.partition("->")
        exceptions.add((importer.strip(), imported.strip()))
    return allowed, exceptions


def our_apps(root: Path = REPO) -> set[str]:
    """Top-level packages with an AppConfig (`apps.py`), and `config`."""
    return {p.parent.name for p in root.glob("*/apps.py")} | {PROJECT}


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported_modules(node: ast.AST) -> list[tuple[str, tuple[str, ...]]]:
    """(module, names) for each module an import statement names."""
    if isinstance(node, ast.Import):
        return [(alias.name, ()) for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [(node.module, tuple(alias.name for alias in node.names))]
    return []  # relative imports stay inside their own package


def arrows(root: Path = REPO) -> list[Arrow]:
    """Every import of one of our apps by another, in every .py file of our apps (and
    their migrations, which follow the same arrows: they import their own app's migration
    operations and core's migration helpers)."""
    apps = our_apps(root)
    found = []
    for app in sorted(apps):
        if not (root / app).is_dir():
            continue
        for path in sorted((root / app).rglob("*.py")):
            module = _module_name(path, root)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                for imported, names in _imported_modules(node):
                    target = imported.split(".")[0]
                    if target in apps and target != app:
                        relative = str(path.relative_to(root))
                        found.append(
                            Arrow(relative, node.lineno, module, imported, names, app, target)
                        )
    return sorted(found, key=lambda a: (a.path, a.line))


def _is_exception(arrow: Arrow, exceptions: set[tuple[str, str]]) -> bool:
    """Whether the import is a documented upward call: the importing module, and the module
    it names (`from archives.services import lifecycle` names archives.services.lifecycle)."""
    named = {arrow.imported} | {f"{arrow.imported}.{name}" for name in arrow.names}
    return any(arrow.module == importer and imported in named for importer, imported in exceptions)


def disallowed(found: list[Arrow], allowed, exceptions) -> list[Arrow]:
    return [
        arrow
        for arrow in found
        if arrow.target not in allowed.get(arrow.source, set())
        and not _is_exception(arrow, exceptions)
    ]


def _describe(found: list[Arrow]) -> str:
    return "\n".join(
        f"  {a.path}:{a.line}  {a.source} → {a.target}  (import {a.imported})" for a in found
    )


# --- The tests ----------------------------------------------------------------------------


def test_every_import_follows_the_documented_arrows():
    allowed, exceptions = documented_layers()
    wrong = disallowed(arrows(), allowed, exceptions)
    assert not wrong, (
        "These imports run against the layers of docs/architecture.md "
        "(allowed-imports / upward-calls):\n" + _describe(wrong)
    )


def test_core_imports_none_of_our_apps():
    allowed, _ = documented_layers()
    assert allowed["core"] == set()
    from_core = [arrow for arrow in arrows() if arrow.source == "core"]
    assert not from_core, "core is the ground floor:\n" + _describe(from_core)


def test_every_app_is_in_the_document_and_the_document_names_only_our_apps():
    allowed, _ = documented_layers()
    apps = our_apps()
    assert set(allowed) == apps, (
        f"declare in docs/architecture.md: {sorted(apps - set(allowed))}; "
        f"no such app: {sorted(set(allowed) - apps)}"
    )
    for source, targets in allowed.items():
        assert targets <= apps - {source}, (source, targets)


def test_the_arrows_point_one_way():
    """No app may import, even through others, an app that may import it: the allowed
    arrows are layers (no cycle), which is what makes the upward calls exceptions."""
    allowed, _ = documented_layers()

    def below(app: str, seen: frozenset = frozenset()) -> set[str]:
        assert app not in seen, f"the allowed imports have a cycle through {app}"
        reach = set()
        for target in allowed[app]:
            reach |= {target} | below(target, seen | {app})
        return reach

    for app in allowed:
        assert app not in below(app)


def test_each_upward_call_is_one_the_code_makes_and_runs_against_the_arrows():
    allowed, exceptions = documented_layers()
    found = arrows()
    for importer, imported in exceptions:
        source, target = importer.split(".")[0], imported.split(".")[0]
        assert target not in allowed[source], f"{importer} → {imported} needs no exception"
        assert any(_is_exception(a, {(importer, imported)}) for a in found), (
            f"{importer} no longer imports {imported}: remove it from docs/architecture.md"
        )


def test_the_walker_sees_function_local_and_from_imports(tmp_path):
    (tmp_path / "low").mkdir()
    (tmp_path / "low" / "apps.py").write_text("")
    (tmp_path / "high").mkdir()
    (tmp_path / "high" / "apps.py").write_text("")
    (tmp_path / "high" / "views.py").write_text("")
    (tmp_path / "low" / "models.py").write_text(
        "import os\n"
        "from high import views\n"
        "def f():\n"
        "    import high.views\n"
        "    from high.views import g\n"
        "from . import models\n"
    )
    allowed = {"low": set(), "high": {"low"}, PROJECT: set()}
    found = arrows(tmp_path)
    assert [(a.line, a.source, a.target, a.imported) for a in found] == [
        (2, "low", "high", "high"),
        (4, "low", "high", "high.views"),
        (5, "low", "high", "high.views"),
    ]
    assert len(disallowed(found, allowed, set())) == 3
    assert disallowed(found, allowed, {("low.models", "high.views")}) == []


def test_the_archive_states_assistance_names_are_the_archives_final_states():
    """assistance keeps an approved case open until its archive is final without importing
    archives: it names those states itself (`Case.ARCHIVE_FINAL_STATUSES`)."""
    from archives.models import Archive
    from assistance.models import Case

    assert set(Case.ARCHIVE_FINAL_STATUSES) == set(Archive.FINAL_STATUSES)


# --- Report mode --------------------------------------------------------------------------


def report(root: Path) -> str:
    allowed, exceptions = documented_layers()
    found = arrows(root)
    counts = Counter((a.source, a.target) for a in found)
    against = disallowed(found, allowed, set())
    lines = [f"import statements between our apps under {root}:"]
    for (source, target), count in sorted(counts.items()):
        mark = "" if target in allowed.get(source, set()) else "   AGAINST THE LAYERS"
        lines.append(f"  {source} -> {target}: {count}{mark}")
    lines.append(f"imports running back up (not in allowed-imports): {len(against)}")
    lines.append(_describe(against))
    documented = [a for a in against if _is_exception(a, exceptions)]
    lines.append(f"of which documented upward calls: {len(documented)}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else REPO))
