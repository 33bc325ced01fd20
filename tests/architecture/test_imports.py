"""The floor plan, enforced. Imports run one way, bottom to top:

    cpd's ground (models, people, audit, accounts, permissions, tenancy, api base)
      → courses → certificates → cpd.compliance and cpd.privacy → the roof (urls, site)

No module imports a floor above its own — at module level or lazily inside a function —
there are no import cycles, and the product's own models are imported, never fetched
with ``apps.get_model`` (migrations apart)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("cpd", "courses", "certificates")

# The top floors of cpd: they may import anything below them.
COMPLIANCE = ("cpd.compliance", "cpd.privacy")
ROOF = ("cpd.urls", "cpd.site", "cpd.api.urls", "cpd.management")


def _modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The product module an import names (a module, or the package holding a name)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str) -> set[str]:
    tree = ast.parse(MODULES[module].read_text())
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            names = [f"{base}.{alias.name}" for alias in node.names] or [base]
        else:
            continue
        for name in names:
            if name.split(".")[0] in APPS and (target := _resolve(name)) and target != module:
                found.add(target)
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in packages)


def floor(module: str) -> int:
    if _within(module, ROOF):
        return 4
    if _within(module, COMPLIANCE):
        return 3
    if module.startswith("certificates"):
        return 2
    if module.startswith("courses"):
        return 1
    return 0


def test_no_module_imports_a_floor_above_its_own():
    upward = sorted(
        f"{module} (floor {floor(module)}) imports {target} (floor {floor(target)})"
        for module, targets in GRAPH.items()
        for target in targets
        if floor(target) > floor(module)
    )
    assert upward == []


def test_there_are_no_import_cycles():
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert cycles == []


def test_models_are_imported_not_fetched_by_name():
    fetched = sorted(
        str(path.relative_to(ROOT)) for path in MODULES.values() if "get_model(" in path.read_text()
    )
    assert fetched == []


def test_the_walk_sees_lazy_and_upward_imports():
    """The checks above can fail: a function-level import is seen, and the floors order
    the apps as the plan says."""
    source = "def f():\n    from certificates.models import Certificate\n"
    tree = ast.parse(source)
    lazy = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert [n.module for n in lazy] == ["certificates.models"]
    assert [floor(m) for m in ("cpd.models", "courses.models", "certificates.models",
                               "cpd.compliance.engine", "cpd.urls")] == [0, 1, 2, 3, 4]  # fmt: skip
    assert "courses.models" in GRAPH["certificates.services"]
