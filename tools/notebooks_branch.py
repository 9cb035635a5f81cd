"""The content of the repository's branch ``notebooks``, from which Colab and Binder open the reader notebooks.

    .venv/bin/python tools/notebooks_branch.py _build/notebooks-branch   # after make book and make book-student

It gathers what the two builds wrote (_ext/reader_notebooks.py): the book's reader notebooks under ``chapters/``
and the student edition's under ``student/chapters/``, the paths that the pages' launch buttons open. Beside them
it writes Binder's environment (``binder/requirements.txt``: the same pinned package as the notebooks' first
cell, so Binder runs the version the notebooks were made with; ``binder/runtime.txt``: its Python) and a README
that says where the files come from. The publish workflow (.github/workflows/book.yml) commits the folder, alone,
as the branch ``notebooks``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from repository_url import ROOT, repository_url, requirement, version

EDITIONS = {  # folder on the branch -> where the build wrote that edition's reader notebooks
    "": ROOT / "_build" / "html" / "notebooks",
    "student/": ROOT / "_build" / "student" / "_build" / "html" / "notebooks",
}
BINDER_PYTHON = "python-3.12"  # Binder's Python (repo2docker's runtime.txt); within requires-python


def assemble(out: Path) -> list[Path]:
    """Write the branch's files into out (emptied first); return the notebooks, relative to out."""
    for source in EDITIONS.values():
        if not any(source.rglob("*.ipynb")):
            raise SystemExit(f"no reader notebooks in {source.relative_to(ROOT)}: run `make book book-student` first")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for prefix, source in EDITIONS.items():
        shutil.copytree(source, out / prefix, dirs_exist_ok=True)
    binder = out / "binder"
    binder.mkdir()
    (binder / "requirements.txt").write_text(requirement() + "\n", encoding="utf-8")
    (binder / "runtime.txt").write_text(BINDER_PYTHON + "\n", encoding="utf-8")
    (out / "README.md").write_text(
        f"""# Reader notebooks of *Backpropagation, worked and checked*, version {version()}

Written by the book's build from {repository_url()} (branch `main`); do not edit them here, the next build
replaces this branch. Each notebook is a page of the book that shows code: its text with every computed
value in place, and its code cells. `chapters/` holds the book's, `student/chapters/` the student edition's
(no solutions). Their first cell installs the book's package, `{requirement()}`, where it is missing; Binder
installs the same (`binder/`).
""",
        encoding="utf-8",
    )
    return sorted(p.relative_to(out) for p in out.rglob("*.ipynb"))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    notebooks = assemble(Path(argv[0]))
    print(f"{len(notebooks)} reader notebooks in {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
