"""The package's shape: one readable core, the library numpy-only, no import cycles, no second copy."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import mlp
from mlp import core

ROOT = Path(__file__).resolve().parents[1]
MODULES = {p.stem: p for p in (ROOT / "mlp").glob("*.py") if p.stem not in ("__init__", "__main__")}


def imports_of(path: Path) -> set[str]:
    """The mlp modules a module imports (mlp.x -> x; from mlp import x -> x when x is a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "mlp":
                found |= {a.name for a in node.names if a.name in MODULES}
            elif node.module.startswith("mlp."):
                found.add(node.module.split(".")[1])
    return found


def test_no_import_cycles_inside_mlp():
    graph = {name: imports_of(path) - {name} for name, path in MODULES.items()}

    def visit(name, path):
        for dep in graph.get(name, ()):
            assert dep not in path, f"import cycle: {' -> '.join([*path, dep])}"
            visit(dep, [*path, dep])

    for name in graph:
        visit(name, [name])


def test_the_library_needs_only_numpy():
    book_only = ("matplotlib", "sympy", "myst_nb", "sklearn", "IPython")
    code = f"import sys, mlp, mlp.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in {book_only}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"


def test_forward_and_backward_fit_on_one_screen():
    lines = sum(len(inspect.getsource(f).splitlines()) for f in (core.forward, core.backward, core.backward_from))
    assert lines <= 40, lines
    for f in (core.forward, core.backward, core.backward_from):
        assert all(len(line) <= 88 for line in inspect.getsource(f).splitlines())  # the page's column


def test_no_second_copy_of_the_equations():
    """Only mlp/core.py computes z1, z2, grad W2 and grad W1 from the parameters."""
    for name, path in MODULES.items():
        if name == "core":
            continue
        text = path.read_text(encoding="utf-8")
        for equation in ("W1.T @", "W2.T @", "@ delta2.T", "@ delta1.T"):
            assert equation not in text, f"mlp/{name}.py computes {equation!r} itself: call mlp.core"


def test_the_top_level_exports_what_a_reader_needs():
    assert len(mlp.__all__) <= 25
    for name in ("forward", "backward", "loss_value", "sgd_step", "train", "check_gradients", "explain", "Params"):
        assert name in mlp.__all__
    for name in ("problem2", "relu_example"):  # the worked examples' networks, shipped as data
        assert name in mlp.__all__ and isinstance(getattr(mlp, name)(), mlp.spec.Spec)


def test_no_public_function_guesses_the_activation():
    """forward, backward and check_gradients defaulted to sigmoid while train and predict defaulted to relu, so
    mlp.forward(trained_params, X) silently used the wrong one. The activation is now always named."""
    from mlp.training import accuracy, predict

    functions = [getattr(mlp, name) for name in mlp.__all__ if inspect.isfunction(getattr(mlp, name))]
    functions += [predict, accuracy]
    taking = [f for f in functions if "activation" in inspect.signature(f).parameters]
    assert {f.__name__ for f in taking} >= {"forward", "backward", "loss_and_gradients", "check_gradients",
                                            "numerical_gradients", "train", "predict", "accuracy"}  # fmt: skip
    for f in taking:
        assert inspect.signature(f).parameters["activation"].default is inspect.Parameter.empty, f.__name__
    params = mlp.problem2().params
    with pytest.raises(TypeError, match="activation"):
        mlp.forward(params, [1.0, 0.0])  # type: ignore[call-arg]
