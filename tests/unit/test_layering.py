"""The domain packages never import Flask, SQLAlchemy sessions or the app (design §2)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("flask", "flask_", "app", "sqlalchemy", "werkzeug")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", ["risk_models", "questionnaires", "reports"])
def test_domain_package_imports_no_web_or_database(package):
    files = list((ROOT / package).rglob("*.py"))
    assert files, f"{package} has no modules"
    for path in files:
        bad = {n for n in _imports(path) if n in FORBIDDEN or n.startswith("flask_")}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
