"""No stale pages: after a change to mlp/, the next build executes the pages again and shows the new numbers.

In a temporary copy of the book, limited to one page that computes with mlp (prerequisites.md, which shows
z1[2] from mlp.forward), build once, change what mlp.forward returns, build again with the same command
(`make book` runs it), and read the new number in the HTML. Without _ext/fresh_outputs.py the second build
finds nothing out of date and keeps the old page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
PATCH = """

_forward_before_the_test = forward


def forward(*args, **kwargs):  # the test's change to an output of mlp: z1 shifted by 0.125
    fwd = _forward_before_the_test(*args, **kwargs)
    return fwd._replace(z1=fwd.z1 + 0.125)
"""


def build(book: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(book)}  # the kernel imports the copy's mlp, not the checkout's
    proc = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(book), "-n", "--keep-going"],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    html = (book / "_build" / "html" / "chapters" / "prerequisites.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").get_text(" ")


def test_a_change_to_mlp_rebuilds_the_pages_that_use_it(tmp_path):
    book = tmp_path / "book"
    for name in ("_config.yml", "references.bib", "pyproject.toml"):
        (book / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, book / name)
    for folder in ("_ext", "_templates", "mlp", "mlp_book"):
        shutil.copytree(ROOT / folder, book / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (book / "chapters").mkdir()
    shutil.copy(ROOT / "chapters" / "prerequisites.md", book / "chapters" / "prerequisites.md")
    (book / "node_modules").symlink_to(ROOT / "node_modules")
    (book / "_toc.yml").write_text("format: jb-book\nroot: chapters/prerequisites\n", encoding="utf-8")

    before = build(book)
    assert "Derivatives of the activations" in before or "sigmoid" in before  # the page was built
    assert "0.125" not in before

    with (book / "mlp" / "__init__.py").open("a", encoding="utf-8") as f:
        f.write(PATCH)
    after = build(book)
    assert "0.125" in after, "the second build kept the page of the old mlp"
