"""The shape of the pipeline package: no import cycles, no module over 600 lines, and no
imports or calls found by name at run time (engineering rules of issue 13).

Every check reads the source with :mod:`ast`, so imports inside functions count as much as
those at the top of a module, and nothing is imported to check it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PIPELINE = REPO / "pipeline"
MAX_LINES = 600

#: Calls that find code by name at run time: imports and signatures are written out instead.
#: (``from importlib import metadata`` reads installed versions and stays allowed.)
FORBIDDEN = {("importlib", "import_module"), ("inspect", "signature")}


def _source_files() -> list[Path]:
    return sorted(PIPELINE.rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(path): path for path in _source_files()}


def _imported_names(path: Path) -> Iterator[str]:
    """Every module name an import statement anywhere in ``path`` names: ``import a.b`` gives
    ``a.b``; ``from a import b`` gives ``a.b`` when that is a module, else ``a``."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path.parent)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield submodule if submodule in MODULES else base


def import_graph() -> dict[str, set[str]]:
    """Pipeline module -> the pipeline modules it imports (the parent packages that Python
    initialises on the way are left out: a package being initialised is already importable)."""
    return {
        name: {imported for imported in _imported_names(path) if imported in MODULES} - {name}
        for name, path in MODULES.items()
    }


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_counts_imports_inside_functions():
    graph = import_graph()
    # pipeline.steps imports the validation entry point inside validate_step only.
    assert "pipeline.validate.run" in graph["pipeline.steps"]


def test_no_import_cycles_among_pipeline_modules():
    assert import_cycles(import_graph()) == []


@pytest.mark.parametrize("path", _source_files(), ids=_relative)
def test_no_module_is_over_the_line_limit(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{_relative(path)} has {lines} lines (limit {MAX_LINES})"


def _forbidden_uses(source: str, label: str) -> list[str]:
    """Each ``importlib.import_module`` / ``inspect.signature`` in ``source``, referred to
    through its module or imported by name, as ``label:line name``."""
    found = []
    for node in ast.walk(ast.parse(source, filename=label)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            pairs = [(node.value.id, node.attr)]
        elif isinstance(node, ast.ImportFrom) and node.module:
            pairs = [(node.module, alias.name) for alias in node.names]
        else:
            continue
        found += [(node.lineno, ".".join(pair)) for pair in pairs if pair in FORBIDDEN]
    return [f"{label}:{line} {name}" for line, name in sorted(found)]


def test_no_module_imports_or_inspects_by_name_at_run_time():
    uses = [
        use
        for path in _source_files()
        for use in _forbidden_uses(path.read_text(encoding="utf-8"), _relative(path))
    ]
    assert uses == []


def test_the_run_time_lookup_finder_finds_both_forms():
    source = (
        "import importlib\nfrom inspect import signature\nfrom importlib import metadata\n"
        "def f():\n    return importlib.import_module('x')\n"
    )
    assert _forbidden_uses(source, "sample.py") == [
        "sample.py:2 inspect.signature",
        "sample.py:5 importlib.import_module",
    ]


#: Where the data mode (record-level victim extract or public data alone) may be read: the
#: input kinds each mode has, and the family registry, which decides what is not available.
MODE_READERS = {"pipeline/validate/kinds.py", "pipeline/families/registry.py"}


def test_the_data_mode_is_read_only_by_the_registry_and_the_input_kinds():
    readers = set()
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            called = isinstance(node, ast.Call) and getattr(node.func, "id", "") == (
                "has_victim_extract"
            )
            keyed = isinstance(node, ast.Constant) and node.value == "victim_extract"
            if called or keyed:
                readers.add(_relative(path))
    # The configuration's checks and the stage key lists name the key without branching on it.
    assert readers - {"pipeline/config_checks.py", "pipeline/settings.py"} <= MODE_READERS, readers


#: Where the configuration mapping may be indexed: the typed view itself, the checks of the
#: raw file before it is typed, the public-data sources section's own resolver, the labels the
#: typed view derives for public definitions (public_definitions.py, below settings), and the
#: preview, which writes a configuration (it points the demo's at a temporary folder).
RAW_CONFIG_READERS = {
    ("pipeline/settings.py", None),
    ("pipeline/config_checks.py", None),
    ("pipeline/public/configuration.py", None),
    ("pipeline/public_definitions.py", None),
    ("pipeline/render/preview.py", "preview_config"),
}


def raw_config_lookups(source: str, name: str = "sample.py") -> list[tuple[str, int, str]]:
    """Each ``config[...]``/``settings[...]`` or ``.get(...)`` on a variable of that name in
    ``source``: (file, line, enclosing function or None)."""
    tree = ast.parse(source)
    found = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef) else function
            target = None
            if isinstance(child, ast.Subscript):
                target = child.value
            elif (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr == "get"
            ):
                target = child.func.value
            if isinstance(target, ast.Name) and target.id in {"config", "settings"}:
                found.append((name, child.lineno, function))
            visit(child, inner)

    visit(tree, None)
    return found


def test_the_raw_lookup_finder_finds_both_forms():
    source = "def f(config, settings):\n    a = config['x']\n    return settings.get('y')\n"
    assert raw_config_lookups(source) == [("sample.py", 2, "f"), ("sample.py", 3, "f")]


def test_modules_read_the_configuration_through_the_typed_settings():
    """No raw ``config[...]`` lookups outside pipeline/settings.py (issue 13): every module
    takes the typed :class:`pipeline.settings.Settings`."""
    stray = [
        f"{file}:{line}"
        for path in _source_files()
        for file, line, function in raw_config_lookups(
            path.read_text(encoding="utf-8"), _relative(path)
        )
        if (file, None) not in RAW_CONFIG_READERS and (file, function) not in RAW_CONFIG_READERS
    ]
    assert not stray, stray


def _family_of(module: str) -> str | None:
    """The family package a module belongs to (``pipeline.families.timing.measures`` ->
    ``timing``), or None for a module outside every family (the shared ones beside them)."""
    parts = module.split(".")
    if len(parts) >= 3 and parts[:2] == ["pipeline", "families"]:
        package = PIPELINE / "families" / parts[2]
        return parts[2] if (package / "__init__.py").is_file() else None
    return None


def cross_family_imports(graph: dict[str, set[str]]) -> list[str]:
    """Each import of one family's module by another family's, as ``importer -> imported``."""
    return sorted(
        f"{module} -> {imported}"
        for module, imports in graph.items()
        for imported in imports
        if _family_of(module) and _family_of(imported) not in (None, _family_of(module))
    )


def test_the_cross_family_finder_finds_one():
    graph = {
        "pipeline.families.stop_search.measures": {
            "pipeline.families.timing.measures",
            "pipeline.families.calendar",
            "pipeline.families.stop_search.findings",
        },
    }
    assert cross_family_imports(graph) == [
        "pipeline.families.stop_search.measures -> pipeline.families.timing.measures"
    ]


def test_no_family_imports_another_family():
    """What two families share lives beside them (``pipeline/families/calendar.py``, ...);
    the registry is the one module that reaches every family."""
    assert cross_family_imports(import_graph()) == []


#: Packages a no-op ``snakemake`` run must not import while it reads the workflow files: they
#: cost more than a second of start-up together (scipy, statsmodels and altair come in with
#: the families' statistics and charts; Snakemake itself imports pandas only to compare
#: parameters).
HEAVY_PACKAGES = ("pandas", "numpy", "scipy", "statsmodels", "altair", "weasyprint", "pandera")


def test_reading_the_workflow_imports_no_statistics_or_rendering_packages():
    from bench.cpu_budget import workflow_imports

    sources = [REPO / "Snakefile", *sorted((REPO / "rules").glob("*.smk"))]
    code = workflow_imports(path.read_text(encoding="utf-8") for path in sources)
    heavy = sorted(HEAVY_PACKAGES)
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(set(sys.modules) & set({heavy!r}))))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == []
    assert "from pipeline.families.catalogue import" in code


def test_the_catalogue_and_the_registry_name_the_same_families_in_the_same_order():
    from pipeline.families import catalogue, registry

    assert tuple(f.name for f in registry.FAMILIES) == catalogue.FAMILY_NAMES
    assert "stop_search" not in catalogue.ALWAYS_INCLUDED
