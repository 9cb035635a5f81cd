"""The book's other forms, linked from every page's navigation: its PDF, the student edition, the reader notebooks.

The links are relative, to files that lie beside the HTML in the published site (the same version's files, wherever
the site is served: the root for the latest release, ``v<version>/`` for each release, ``dev/`` for ``main``):

    backprop-book.pdf                          the full book's PDF              (make pdf copies it there)
    backprop-book-notebooks.zip                its reader notebooks             (this extension, after the build)
    student/                                   the student edition's site       (make book-student copies it there)
    student/backprop-book-student.pdf          its PDF                          (make book-student)
    student/backprop-book-student-notebooks.zip  its reader notebooks           (this extension)

The student edition links only its own forms (and no solutions). The sidebar component is
_templates/other-forms.html, at the end of the primary sidebar (html_theme_options.primary_sidebar_end).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from reader_notebooks import book_version
from sphinx.application import Sphinx
from student_edition import FOLDER  # where the student edition lies in the site

FULL = {"pdf": "backprop-book.pdf", "notebooks": "backprop-book-notebooks.zip"}
STUDENT = {"pdf": "backprop-book-student.pdf", "notebooks": "backprop-book-student-notebooks.zip"}
EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed times in the zip: the same notebooks make the same file


def forms(student: bool) -> list[tuple[str, str]]:
    """(link text, path from the site's root) of each other form, in the order the sidebar lists them."""
    if student:
        return [("PDF of this edition", STUDENT["pdf"]), ("Reader notebooks (.zip)", STUDENT["notebooks"])]
    return [
        ("PDF", FULL["pdf"]),
        ("Reader notebooks (.zip)", FULL["notebooks"]),
        ("Student edition (no solutions)", f"{FOLDER}/index.html"),
        ("Student edition, PDF", f"{FOLDER}/{STUDENT['pdf']}"),
    ]


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    pathto = context["pathto"]
    repository = (app.config.html_theme_options.get("repository_url") or "").rstrip("/")
    context["other_forms"] = {
        "version": book_version(Path(app.srcdir)),
        "student": app.config.student_edition,
        "links": [{"text": text, "url": pathto(path, 1)} for text, path in forms(app.config.student_edition)],
        "releases": f"{repository}/releases" if repository else "",
    }


def zip_notebooks(app: Sphinx, exception: Exception | None) -> None:
    """One zip of the reader notebooks that _ext/reader_notebooks.py wrote into the site's folder notebooks/."""
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    folder = out / app.config.reader_notebooks_folder
    target = out / (STUDENT if app.config.student_edition else FULL)["notebooks"]
    target.unlink(missing_ok=True)
    notebooks = sorted(folder.rglob("*.ipynb"))
    if notebooks:
        write_zip(target, folder, notebooks)


def write_zip(target: Path, folder: Path, files: list[Path], prefix: str = "") -> None:
    """files (under folder) into the zip target, each as prefix/<its path from folder>, with fixed times and
    permissions: the same files make the same zip. (tools/release.py zips the release's folders with it too.)"""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo(f"{prefix}{path.relative_to(folder).as_posix()}", EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("reader_notebooks")  # its notebooks are zipped, after it has written them (priority 500)
    app.connect("html-page-context", page_context)
    app.connect("build-finished", zip_notebooks, priority=800)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
