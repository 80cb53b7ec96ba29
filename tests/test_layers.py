"""The layers of the README's layout, checked on the source: imports point one way, no cycles, small modules.

Every import statement counts, function-level ones included (a lazy import is still a dependency).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "rca", "cases", "bench")
MAX_MODULE_LINES = 400
# The one module of `rca` that may reach into `cases`: where a detected pattern becomes a case.
RCA_CASE_PORT = "rca.case_port"
# `config` is plumbing at the bottom, except the URL root, which mounts every app's routes.
CONFIG_TOP = {"config.urls"}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project modules `name` imports (the longest known prefix of each imported name)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            targets += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    found = set()
    for target in targets:
        while target and target not in MODULES:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_layers_rca_reaches_cases_only_through_its_port():
    importers = sorted(name for name, deps in GRAPH.items() if _in(name, "rca") and any(_in(d, "cases") for d in deps))
    assert importers in ([], [RCA_CASE_PORT])


def test_layers_config_plumbing_knows_no_app():
    importers = sorted(
        name
        for name, deps in GRAPH.items()
        if _in(name, "config") and name not in CONFIG_TOP and any(_in(d, "rca") or _in(d, "cases") for d in deps)
    )
    assert importers == []


def test_layers_apps_do_not_import_benchmarks():
    importers = sorted(
        name for name, deps in GRAPH.items() if not _in(name, "bench") and any(_in(d, "bench") for d in deps)
    )
    assert importers == []


def test_layers_no_import_cycle():
    """Tarjan's strongly connected components of the import graph: every one must be a single module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for dep in GRAPH[node]:
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    assert cycles == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_layers_module_stays_small(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{name} has {lines} lines; split it by concern"
