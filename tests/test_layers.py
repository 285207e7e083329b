"""The layers point one way: ``benchmarks → api → solver → model``.

Every import in the four packages is read from the source (``import`` and ``from`` at any
depth, relative imports resolved, ``importlib.import_module("…")`` with a literal name),
and a subprocess checks what importing a whole package really loads.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("model", "solver", "api", "benchmarks")

FORBIDDEN: dict[str, frozenset[str]] = {
    # the contract and the checker: no engine, no interface, no measurement
    "model": frozenset({"solver", "api", "benchmarks", "ortools", "fastapi", "typer", "rich", "sqlalchemy", "ray"}),
    # the engine: no interface, no measurement
    "solver": frozenset({"api", "benchmarks", "fastapi", "typer", "rich", "sqlalchemy", "ray"}),
    # every interface to the outside world: never the measurement suite
    "api": frozenset({"benchmarks"}),
    "benchmarks": frozenset(),
}


def package_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])


def imported_modules(path: Path, package: str) -> list[tuple[int, str]]:
    """Every module ``path`` (in ``package``) imports, as (line, dotted name), relative
    imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def layer_violations(package: str) -> list[str]:
    """``file:line imports name`` for every import of ``package`` its rule forbids."""
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, name in imported_modules(path, package_of(path)):
            if name.split(".")[0] in FORBIDDEN[package]:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return bad


@pytest.mark.parametrize("package", PROJECT)
def test_package_imports_only_the_layers_below(package: str) -> None:
    assert list((ROOT / package).rglob("*.py")), f"no modules found in {package}/"
    assert layer_violations(package) == []


def all_modules(package: str) -> list[str]:
    return sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / package).rglob("*.py")
    )


@pytest.mark.parametrize("package", ["model", "solver", "api"])
def test_importing_a_package_loads_nothing_it_must_not(package: str) -> None:
    modules = all_modules(package)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(FORBIDDEN[package])!r})\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def test_the_reader_sees_every_form_of_import(tmp_path: Path) -> None:
    source = tmp_path / "probe.py"
    text = (
        "import numpy, ortools\n"
        "from ortools.sat.python import cp_model\n"
        "from .search import optimiser\n"
        "from . import windows\n"
        "def f():\n"
        "    import api.cli\n"
        "    importlib.import_module('benchmarks.public')\n"
        '"""import fastapi"""\n'
        "# import rich\n"
    )
    source.write_text(text, encoding="utf-8")
    names = [name for _, name in imported_modules(source, "solver")]
    assert sorted(names) == sorted(
        ["numpy", "ortools", "ortools.sat.python", "solver.search", "solver", "api.cli", "benchmarks.public"]
    )
