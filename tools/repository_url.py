"""The book's public repository URL: set once, in _config.yml (``repository.url``), copied where it must be literal.

    .venv/bin/python tools/repository_url.py          # copy _config.yml's URL into the notebooks, README, intro
    .venv/bin/python tools/repository_url.py --check  # exit 1, naming each file, if a copy disagrees

The launch buttons read ``repository.url`` themselves. Three places cannot: the install cell at the top of every
notebook in chapters/ (it runs in Colab, where there is no _config.yml), the README and the intro page (a reader
copies their install command). This script writes the URL into them; tests/test_adoption.py runs the check.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
DOCUMENTS = [ROOT / "README.md", ROOT / "chapters" / "intro.md"]  # install commands with the URL
INSTALL_TAG = "install-mlp"  # the install cell's tag (with remove-cell: the book does not show it)
GIT_URL = re.compile(r"git\+(https://[^\s\"'`]+)")


def repository_url() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"].rstrip("/")


def install_cell_source(url: str) -> str:
    """The first code cell of every notebook: installs the book's package only where `mlp` is missing (Colab)."""
    return f"""# Colab, or a Python without the book's package: install it.
# (Where `mlp` is installed already, nothing happens.)
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("mlp") is None:
    package = "backprop-book[notebooks] @ git+{url}"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", package]
    subprocess.run(pip, check=True)
    importlib.invalidate_caches()"""


def install_cell(nb) -> nbformat.NotebookNode | None:
    cells = [c for c in nb.cells if INSTALL_TAG in c.metadata.get("tags", [])]
    return cells[0] if len(cells) == 1 else None


def sync_notebook(path: Path, url: str) -> None:
    nb = nbformat.read(path, as_version=4)
    cell = install_cell(nb)
    if cell is None:
        cell = nbformat.v4.new_code_cell(metadata={"tags": ["remove-cell", INSTALL_TAG]})
        cell["id"] = INSTALL_TAG  # a fixed id, so that two runs write the same bytes
    else:
        nb.cells.remove(cell)
    nb.cells.insert(1, cell)  # right after the page's title and introduction, before anything runs
    cell.source = install_cell_source(url)
    nbformat.write(nb, path)


def problems(url: str) -> list[str]:
    """What disagrees with _config.yml's URL, one line each; empty when everything agrees."""
    found = []
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        cell = install_cell(nb)
        if cell is None:
            found.append(f"{path.name}: no single cell tagged {INSTALL_TAG}")
        elif cell.source != install_cell_source(url):
            found.append(f"{path.name}: the install cell is not the one for {url}")
        elif nb.cells.index(cell) != 1 or any(c.cell_type == "code" for c in nb.cells[:1]):
            found.append(f"{path.name}: the install cell is not the first cell after the title")
    for path in DOCUMENTS:
        urls = GIT_URL.findall(path.read_text(encoding="utf-8"))
        if not urls:
            found.append(f"{path.name}: no install command (git+{url})")
        found += [f"{path.name}: git+{u}, not git+{url}" for u in urls if u.rstrip("/") != url]
    return found


def main(argv: list[str]) -> int:
    url = repository_url()
    if argv != ["--check"]:
        for path in NOTEBOOKS:
            sync_notebook(path, url)
        for path in DOCUMENTS:
            text = path.read_text(encoding="utf-8")
            path.write_text(GIT_URL.sub(lambda m: f"git+{url}", text), encoding="utf-8")
    found = problems(url)
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
