"""The project's import structure: no module imports itself back through others, and the
UN side (recommendations/) never imports the local side (jurisdictions/)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("upr_tracker", "recommendations", "jurisdictions")


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def imported_names(name: str, path: Path) -> set[str]:
    """Every module named by an import anywhere in the file, function bodies included:
    an import inside a function still ties the two modules together."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {
        name: {target for target in imported_names(name, path) if target in modules} - {name}
        for name, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
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
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle_through_three_modules():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    assert "jurisdictions.status_refresh" in graph["jurisdictions.apps"]


def test_no_module_imports_itself_back_through_others():
    assert cycles(import_graph()) == []


def test_the_un_side_imports_nothing_from_the_local_side():
    offending = {
        name: sorted(t for t in targets if t.split(".")[0] == "jurisdictions")
        for name, targets in import_graph().items()
        if name.startswith("recommendations")
    }
    assert {name: t for name, t in offending.items() if t} == {}


def test_the_project_package_holds_no_domain_logic_the_apps_import():
    # upr_tracker/ sits above both apps: an app importing it (other than settings through
    # django.conf) would turn the project package into a third domain layer.
    graph = import_graph()
    upward = {
        name: sorted(t for t in targets if t.startswith("upr_tracker"))
        for name, targets in graph.items()
        if not name.startswith("upr_tracker")
    }
    # dbschema is machinery, like env: the types each app's schema.py declares with.
    # proxy.client_ip is the one client address every limit keys on, like settings.
    allowed = {"upr_tracker.celery", "upr_tracker.env", "upr_tracker.dbschema", "upr_tracker.proxy"}
    assert {n: t for n, t in upward.items() if set(t) - allowed} == {}
