"""Every notebook in chapters/ runs where a reader opens it, with nothing of this repository around it.

What a reader does (the README's "Run the notebooks"): a fresh virtualenv, ``pip install
"backprop-book[notebooks] @ git+<repository URL>"``, then the notebook on its own, top to bottom. Here the
repository is the local checkout (a copy of it, so that pip's build leaves nothing in the work tree), the
virtualenv is made once per test session (pip's cache keeps that fast), and each notebook is copied alone into an
empty temporary folder and executed there with nbclient, in a kernel of that virtualenv's Python. The virtualenv
has only what the extra brings: no myst_nb, no nbval, no jupyter-book, and `mlp` from its own site-packages.

A reader's Jupyter does not paste glue, so each notebook must also *show* every value its text names
(mlp_book.glue's reader view): that is checked too. Seconds per notebook are written to
_build/standalone_runs.txt.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))
from repository_url import INSTALL_TAG, repository_url  # noqa: E402

GLUE_KEY = re.compile(r"\{glue(?::\w+)?\}`([A-Za-z0-9_]+)|```\{glue(?::\w+)?\} ([A-Za-z0-9_]+)")
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv*", "_build", "node_modules", "__pycache__", "*.egg-info", ".*_cache", ".hypothesis", "build"
)
TIMES = ROOT / "_build" / "standalone_runs.txt"
# Appended to each notebook's copy: where `mlp` came from, and what the environment does not have.
PROBE = """import importlib.util, json, mlp
print(json.dumps({"mlp": mlp.__file__, "absent": [m for m in ("myst_nb", "nbval", "jupyter_book")
                                                 if importlib.util.find_spec(m) is None]}))"""


def reader_env() -> dict[str, str]:
    """The test's environment without anything that points Python at this checkout or at the book build."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PYTHONWARNINGS", "MLP_BOOK_BUILD"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=reader_env(), **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="session")
def reader(tmp_path_factory) -> dict:
    """A fresh virtualenv with only `pip install "<checkout>[notebooks]"`, and a Jupyter kernel spec for it."""
    base = tmp_path_factory.mktemp("reader")
    checkout = base / "checkout"
    shutil.copytree(ROOT, checkout, ignore=COPY_IGNORE)
    venv = base / "venv"
    python = venv / "bin" / "python"
    start = time.perf_counter()
    run(sys.executable, "-m", "venv", venv, timeout=120)
    # --no-compile: pip would byte-compile all of SymPy, SciPy and scikit-learn, two thirds of the install's time
    # here (35 s instead of 90 s on this 2-core machine); the kernel compiles only what the notebooks import.
    run(python, "-m", "pip", "install", "--quiet", "--no-compile", f"{checkout}[notebooks]", timeout=900)
    seconds = time.perf_counter() - start
    TIMES.parent.mkdir(exist_ok=True)
    TIMES.write_text(f"virtualenv + pip install [notebooks]\t{seconds:.1f} s\n", encoding="utf-8")
    kernels = base / "jupyter" / "kernels" / "reader"
    kernels.mkdir(parents=True)
    spec = {"argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"], "language": "python"}
    (kernels / "kernel.json").write_text(json.dumps({**spec, "display_name": "reader"}), encoding="utf-8")
    return {"base": base, "checkout": checkout, "python": python, "jupyter": base / "jupyter", "seconds": seconds}


def test_the_reader_environment_is_only_the_install(reader):
    listed = json.loads(run(reader["python"], "-m", "pip", "list", "--format", "json", timeout=120).stdout)
    names = {p["name"].lower().replace("_", "-") for p in listed}
    assert "backprop-book" in names and "mlp" not in names  # the book's package, not the index's "mlp"
    for tool in ("myst-nb", "nbval", "jupyter-book", "pytest", "sphinx"):
        assert tool not in names, f"{tool} is in the reader's environment: the extra should not bring it"
    for needed in ("numpy", "matplotlib", "sympy", "scikit-learn", "ipykernel"):
        assert needed in names, f"the notebooks extra does not bring {needed}"


def test_the_install_cell_installs_the_package_where_it_is_missing(reader):
    """The Colab case: uninstall the package, run the install cell (its URL pointed at the local copy), import."""
    python = reader["python"]
    run(python, "-m", "pip", "uninstall", "--yes", "--quiet", "backprop-book", timeout=120)
    probe = "import importlib.util; print(importlib.util.find_spec('mlp') is None)"
    missing = run(python, "-c", probe, cwd=reader["base"], timeout=60)  # not in ROOT, where mlp/ is
    assert missing.stdout.strip() == "True"
    cell = next(c for c in nbformat.read(NOTEBOOKS[0], as_version=4).cells if INSTALL_TAG in c.metadata.get("tags", []))
    url = repository_url()
    assert f"git+{url}" in cell.source
    source = cell.source.replace(f"git+{url}", reader["checkout"].as_uri())
    result = run(python, "-c", source + "\nimport mlp\nprint(mlp.__file__)", cwd=reader["base"], timeout=900)
    assert str(reader["base"] / "venv") in result.stdout, result.stdout  # installed into the reader's venv


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_alone_in_the_reader_environment(reader, path, tmp_path, monkeypatch):
    assert NOTEBOOKS, "no notebooks in chapters/"
    folder = tmp_path / "alone"
    folder.mkdir()
    shutil.copy(path, folder / path.name)
    nb = nbformat.read(folder / path.name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    monkeypatch.setenv("JUPYTER_PATH", str(reader["jupyter"]))  # where nbclient finds the "reader" kernel
    client = NotebookClient(
        nb, kernel_name="reader", timeout=600, resources={"metadata": {"path": str(folder)}}, record_timing=False
    )
    start = time.perf_counter()
    client.execute(env=reader_env())
    seconds = time.perf_counter() - start
    with TIMES.open("a", encoding="utf-8") as out:
        out.write(f"{path.name}\t{seconds:.1f} s\tpassed\n")

    probe = json.loads(nb.cells[-1].outputs[0]["text"])
    assert probe["mlp"].startswith(str(reader["base"] / "venv")), probe  # not this checkout's mlp/
    assert probe["absent"] == ["myst_nb", "nbval", "jupyter_book"], probe
    assert sorted(os.listdir(folder)) == [path.name], "the notebook needs files beside it"

    # The install cell did nothing (mlp is installed), and the reader sees every value the text names.
    install = next(c for c in nb.cells if INSTALL_TAG in c.metadata.get("tags", []))
    assert install.outputs == []
    shown = "\n".join(markdown_outputs(nb))
    named = {a or b for cell in nb.cells if cell.cell_type == "markdown" for a, b in GLUE_KEY.findall(cell.source)}
    assert named, f"{path.name}: its text names no glued value"
    hidden = sorted(k for k in named if f"`{k}`" not in shown)
    assert not hidden, f"{path.name}: values the text names that a reader's Jupyter does not show: {hidden[:8]}"
    if path.name == "problem2.ipynb":  # plain arithmetic, 4 decimals: the reader sees what the notebook stores
        stored = nbformat.read(path, as_version=4)
        assert markdown_outputs(nb)[: len(markdown_outputs(stored))] == markdown_outputs(stored)
        assert all(loss in shown for loss in ("0.3927", "0.2146", "0.2183"))  # the source's eqs 31, 32, 34


def markdown_outputs(nb) -> list[str]:
    return [
        "".join(out["data"]["text/markdown"])
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if "text/markdown" in out.get("data", {})
    ]
