"""The package's layers: folders are layers, data flows one way, no import circles.

A module may import its own layer and the layers before it in ``LAYERS``, never
a later one; the analysis layer is pure (it may import only the model). The
graph includes imports made inside functions, so a lazy import cannot hide an
upward dependency. Run ``pytest tests/project/test_layers.py -s`` to print the
layers and what each imports.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "simkit"

# First to last: each layer may import the layers listed before it.
LAYERS = ("model", "sim", "analysis", "planning", "crm", "course", "sandbox", "workbook", "app",
          "cli")
PURE = {"analysis": {"model"}}  # layers that may import only these (besides themselves)

# (importer, imported) pairs allowed against the rule, each with its reason.
ALLOWED = {
    ("simkit.analysis", "simkit.planning.course_rules"):
        "deprecated forwarding of names that moved up to planning (one release)",
    ("simkit.analysis", "simkit.planning.forecast_check"):
        "deprecated forwarding of names that moved up to planning (one release)",
}
# The top-level facade (simkit/__init__.py) and the old-path shims sit outside the layers.
FACADE = {"simkit", "simkit._compat"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """simkit modules imported anywhere in ``path`` (module level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("simkit"):
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    out.add(sub if (ROOT.parent / (sub.replace(".", "/") + ".py")).exists()
                            or (ROOT.parent / sub.replace(".", "/")).is_dir() else node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; simkit uses absolute imports")
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("simkit"))
    return out


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(ROOT.rglob("*.py"))}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_belongs_to_a_layer():
    graph = _graph()
    stray = sorted(m for m in graph if m not in FACADE and _layer(m) is None)
    assert not stray, f"modules outside the layers {LAYERS}: {stray}"


def test_no_layer_imports_a_later_one():
    graph = _graph()
    rank = {name: i for i, name in enumerate(LAYERS)}
    bad = []
    for mod, deps in graph.items():
        src = _layer(mod)
        if src is None:
            continue
        for dep in deps:
            dst = _layer(dep)
            if dep in FACADE:
                bad.append(f"{mod} imports the facade {dep} (import the module itself)")
            elif dst is None or (mod, dep) in ALLOWED:
                continue
            elif rank[dst] > rank[src]:
                bad.append(f"{mod} ({src}) imports {dep} ({dst})")
            elif src in PURE and dst != src and dst not in PURE[src]:
                bad.append(f"{mod} ({src}, pure) imports {dep} ({dst})")
    assert not bad, "upward or impure imports:\n" + "\n".join(sorted(bad))


def test_no_import_cycles():
    graph = _graph()
    edges = {m: {d for d in deps if d in graph and (m, d) not in ALLOWED} for m, deps in graph.items()}
    cycles, state, stack = [], {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(edges[m]):
            if state.get(d) == 1:
                cycles.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state and m not in FACADE:
            visit(m)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_print_the_layers(capsys):
    graph = _graph()
    uses = defaultdict(set)
    for mod, deps in graph.items():
        if _layer(mod):
            uses[_layer(mod)].update(_layer(d) for d in deps if _layer(d) and _layer(d) != _layer(mod))
    with capsys.disabled():
        print("\nsimkit layers (each may import only those before it):")
        for i, name in enumerate(LAYERS):
            n = sum(1 for m in graph if _layer(m) == name)
            print(f"  {i + 1}. {name:<9} {n:>2} modules  imports: "
                  f"{', '.join(sorted(uses[name], key=LAYERS.index)) or '-'}")
    assert set(uses) <= set(LAYERS)


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_is_a_folder(layer):
    assert (ROOT / layer / "__init__.py").exists()
