"""geomap's modules import one way: no import cycle, counting the imports inside functions
(imports under ``if TYPE_CHECKING:`` never run and are left out)."""

from __future__ import annotations

import ast
from pathlib import Path

import geomap

PACKAGE = Path(geomap.__file__).parent


def _modules(root: Path, package: str) -> dict[str, Path]:
    """Every module of the package under ``root``: {dotted name: file}."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _runtime_nodes(tree: ast.AST):
    """Every node of ``tree`` but those under ``if TYPE_CHECKING:`` (imports for type checkers
    only, which never run)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            test = child.test if isinstance(child, ast.If) else None
            if test is not None and ast.unparse(test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
                todo.extend(child.orelse)
                continue
            todo.append(child)


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its file (top level or inside
    functions, but not under ``if TYPE_CHECKING:``): ``from a.b import c`` is ``a.b.c`` when
    that is a module, else ``a.b``."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if is_package else name.split(".")[:-1]
                anchor = here[: len(here) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    modules = _modules(root, package)
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of the graph (its modules, the first again at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_geomap_has_no_import_cycle_counting_imports_inside_functions():
    graph = import_graph(PACKAGE, "geomap")
    assert len(graph) > 40  # every module was read
    assert "geomap.store.db" in graph["geomap.workflow"] or "geomap.store" in graph["geomap.workflow"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_a_cycle_hidden_in_a_function_is_found(tmp_path):
    # The shape geomap had: gazetteer.build -> geocode.shapes at top level, and
    # geocode.shapes -> gazetteer.build inside a function.
    pkg = tmp_path / "pkg"
    (pkg / "gazetteer").mkdir(parents=True)
    (pkg / "geocode").mkdir()
    for folder in (pkg, pkg / "gazetteer", pkg / "geocode"):
        (folder / "__init__.py").write_text("")
    (pkg / "gazetteer" / "build.py").write_text("from pkg.geocode.shapes import country_shapes\n")
    (pkg / "geocode" / "shapes.py").write_text(
        "def cache_file():\n    from ..gazetteer import build\n    return build.cache_dir()\n")
    cycle = find_cycle(import_graph(pkg, "pkg"))
    assert cycle == ["pkg.gazetteer.build", "pkg.geocode.shapes", "pkg.gazetteer.build"]


def test_imports_for_the_type_checker_only_make_no_cycle(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "fetch.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.cache import Cache\n")
    (pkg / "cache.py").write_text("from pkg.fetch import Fetched\n")
    assert find_cycle(import_graph(pkg, "pkg")) is None
    (pkg / "fetch.py").write_text("def f():\n    from pkg.cache import Cache\n")
    assert find_cycle(import_graph(pkg, "pkg")) == ["pkg.cache", "pkg.fetch", "pkg.cache"]
