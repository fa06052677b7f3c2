"""The tests' own layout: data is built in `tests/factories/`, fixtures live in conftest.py
files, and no test module imports another (nor names one in a dotted path, such as the SMS
gateway of a setting), so that a test module can be moved, split or deleted alone."""

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
FACTORIES = "tests.factories"
DOTTED = re.compile(r"^tests(\.\w+)+$")


def module_name(path: Path) -> str:
    parts = path.relative_to(TESTS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def allowed(name: str, here: str) -> bool:
    """`tests.factories` and what is in it, or the module itself (a setting naming one of
    its own classes)."""
    return any(name == base or name.startswith(base + ".") for base in (FACTORIES, here))


def other_test_modules(source: str, here: str, *, package: bool = False) -> list[tuple[int, str]]:
    """(line, name) of each import of, or dotted path into, a test module other than
    `here` and the factories."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = here.split(".") if package else here.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, module] if module else base)
            names = [f"{module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value] if DOTTED.match(node.value) else []
        found += [
            (node.lineno, name)
            for name in names
            if (name == "tests" or name.startswith("tests.")) and not allowed(name, here)
        ]
    return sorted(found)


def test_no_test_module_imports_another():
    found = [
        f"{path.relative_to(TESTS.parent)}:{line}: {name}"
        for path in sorted(TESTS.rglob("*.py"))
        # The factories may import one another; this module names test modules as samples.
        if not allowed(module_name(path), FACTORIES) and path != Path(__file__).resolve()
        for line, name in other_test_modules(
            path.read_text(encoding="utf-8"), module_name(path), package=path.stem == "__init__"
        )
    ]
    assert found == [], "build shared data in tests/factories/:\n" + "\n".join(found)


def test_the_check_sees_each_kind_of_import():
    source = (
        "import tests.funds.test_payments\n"
        "from tests.funds.test_payments import fund\n"
        "from tests.funds import test_payments\n"
        "from . import test_payments as payments\n"
        "from tests.factories.funds import fund\n"
        "from tests.factories import funds\n"
        "def f(settings):\n"
        "    from tests.archives.conftest import open_archive\n"
        "    settings.SMS_BACKEND = 'tests.funds.test_payments.FakeGateway'\n"
        "    settings.OTHER = 'tests.factories.core.FakeGateway'\n"
        "    settings.OWN = 'tests.funds.test_sample.Gateway'\n"
    )
    assert other_test_modules(source, "tests.funds.test_sample") == [
        (1, "tests.funds.test_payments"),
        (2, "tests.funds.test_payments.fund"),
        (3, "tests.funds.test_payments"),
        (4, "tests.funds.test_payments"),
        (8, "tests.archives.conftest.open_archive"),
        (9, "tests.funds.test_payments.FakeGateway"),
    ]
