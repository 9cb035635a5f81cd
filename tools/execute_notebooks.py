"""Execute the book's notebooks in place, so their stored outputs match the current `mlp`.

    .venv/bin/python tools/execute_notebooks.py                 # every chapters/*.ipynb
    .venv/bin/python tools/execute_notebooks.py chapters/problem2.ipynb

Run it after any change to `mlp` (or to a notebook) that alters an output, and commit the
result: strict nbval compares these stored outputs with a fresh run. Each notebook runs in
its own folder, without timing metadata, and adjacent stream outputs of a cell are merged
(how the kernel splits stdout into messages depends on timing), and the output of a cell tagged
nbval-ignore-output is not stored, so two runs, on any two machines, write the same bytes. A cell whose
code the book hides (hide-input, remove-input) is stored collapsed, so Jupyter hides that code too.
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
HIDDEN_IN_BOOK = {"hide-input", "remove-input"}  # tags whose code the book does not show


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if HIDDEN_IN_BOOK & set(cell.metadata.get("tags", [])):
            # Plumbing that the book hides: JupyterLab and Notebook 7 show it collapsed too (its output, the
            # glued values, stays visible: see mlp_book/glue.py).
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
        if "nbval-ignore-output" in cell.metadata.get("tags", []):
            # The one output whose bytes depend on the machine (the step-size sweep: rounding error): not
            # stored, so that two machines write the same notebook. The book executes it on every build;
            # tests/test_step_size_sweep.py checks its data.
            cell.outputs = []
            continue
        merged = []
        for out in cell.outputs:
            previous = merged[-1] if merged else None
            if out.output_type == "stream" and previous is not None and previous.output_type == "stream":
                if previous.name == out.name:
                    previous.text += out.text
                    continue
            merged.append(out)
        cell.outputs = merged
    nbformat.write(nb, path)


def main(argv: list[str]) -> None:
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "chapters").glob("*.ipynb"))
    for path in paths:
        print(f"executing {path.relative_to(ROOT)}", flush=True)
        execute(path)


if __name__ == "__main__":
    main(sys.argv[1:])
