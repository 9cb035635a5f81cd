"""Reader notebooks: every page that shows code, as a notebook that any Jupyter renders and runs.

The book's pages are MyST (Markdown pages with code cells, and notebooks whose text uses roles and directives);
only the book build turns that into what a reader sees, and no Jupyter front end pastes glue. So the HTML build
also writes, for every page that shows a code cell, a *reader notebook* (``<outdir>/notebooks/<page>.ipynb``):

* the page's text as the HTML shows it, from the page's doctree after Sphinx has resolved it (glued values
  pasted, cross-references and equation numbers known, ``{only}`` decided, in the student edition the
  solutions gone), turned into plain Markdown by ``reader_markdown``;
* the code cells the page shows, in order, with the outputs the page shows (from the notebook MyST-NB executed
  for this build), folded where the page folds them; not the cells the page removes (plumbing: their values are
  in the text, the outputs it shows of them too);
* first, a cell that installs the book's package, pinned to this book's version (``reader_notebooks_install``,
  from ``pyproject.toml``'s version and the repository URL), where ``mlp`` is not importable, as in Colab.

QuantEcon's sphinx-tojupyter does this job for its lectures; it was not used here because it does not know the
nodes this book needs (margin notes, sphinx-exercise's exercises and solutions, glued figures, numbered
equations), and renders admonitions other than notes as plain text. A small converter over the same resolved
doctree does all of it, and fails the build on a node it does not know.

The page's buttons point at its reader notebook: the download button (``.ipynb``, beside the theme's ``.pdf``),
and the Colab and Binder buttons, which open it from the branch ``reader_notebooks_branch`` of the repository
(``repository.url`` in _config.yml), where the publish workflow puts the notebooks (see
``tools/notebooks_branch.py``). Pages without code get neither: no launch, no source to download. The student
edition's notebooks sit under ``student/`` on that branch, and its pages point there.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import myst_nb.core.render
import nbformat
from docutils import nodes
from reader_markdown import Code, Markdown, Page, ReaderNotebookError, escape, inline, page_items, shows_source
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)
BACKSPACE = re.compile("[^\n]\x08")  # a character and the backspace that erases it
CARRIAGE_RETURN = re.compile(r".*\r(?=[^\n])")  # a line that a carriage return starts over

INSTALL_TAG = "install-mlp"  # the install cell's tag
DEFAULT_INSTALL = "backprop-book[notebooks] @ git+{repository}@v{version}"
LAUNCH_KEYS = ("binderhub_url", "colab_url", "notebook_interface")


def book_version(srcdir: Path) -> str:
    """The book's version: the package's, in pyproject.toml beside _config.yml."""
    path = srcdir / "pyproject.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as error:
        raise ExtensionError(
            f"reader_notebooks: no project.version in {path} ({error}): the notebooks install that version"
        ) from error


def install_requirement(template: str, repository: str, version: str) -> str:
    """What a reader's pip installs: ``backprop-book[notebooks] @ git+<repository>@v<version>`` by default."""
    return template.format(repository=repository.rstrip("/"), version=version)


def install_cell_source(requirement: str, version: str) -> str:
    """The first cell of every reader notebook."""
    return f"""# Installs the book's package, at the version this notebook was made with, where `mlp`
# cannot be imported (Colab, a new Python); says so where another version is installed.
import importlib.metadata
import importlib.util
import subprocess
import sys

requirement = "{requirement}"
if importlib.util.find_spec("mlp") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", requirement], check=True)
    importlib.invalidate_caches()
else:
    try:
        installed = importlib.metadata.version("backprop-book")
    except importlib.metadata.PackageNotFoundError:
        installed = "an `mlp` that is not the book's"
    if installed != "{version}":
        print(f"This notebook was made with backprop-book {version}; this Python has {{installed}}.")
        print(f'Its numbers may differ. To run it as made: pip install "{{requirement}}"')"""


def shows_code(doctree: nodes.document) -> bool:
    """Whether the page shows the source of at least one code cell."""
    return any(shows_source(cell) for cell in doctree.findall(nodes.container) if cell.get("nb_element") == "cell_code")


def settings(app: Sphinx) -> dict[str, str]:
    """Everything the notebooks and buttons need from the configuration, checked once."""
    options = app.config.html_theme_options
    repository = options.get("repository_url", "").rstrip("/")
    baseurl = app.config.html_baseurl
    if not repository.startswith("https://github.com/"):
        raise ExtensionError(f"reader_notebooks: repository.url must be a GitHub repository, not {repository!r}")
    if not baseurl:
        raise ExtensionError("reader_notebooks: set html.baseurl in _config.yml (where the book is published)")
    version = book_version(Path(app.srcdir))
    return {
        "owner_repo": repository.removeprefix("https://github.com/"),
        "baseurl": baseurl.rstrip("/") + "/",
        "version": version,
        "requirement": install_requirement(app.config.reader_notebooks_install, repository, version),
        "branch": app.config.reader_notebooks_branch,
        "prefix": "student/" if getattr(app.config, "student_edition", False) else "",
        "folder": app.config.reader_notebooks_folder,
    }


# ---------------------------------------------------------------------------------------------------------------
# The notebooks


def svg_to_png(doctree: nodes.document) -> dict[str, str]:
    """For each SVG that myst-nb may show, the PNG of the same output (the unresolved doctree has both)."""
    pairs = {}
    for bundle in doctree.findall(nodes.container):
        if bundle.get("nb_element") != "mime_bundle":
            continue
        uris = {c.get("mime_type"): img["uri"] for c in bundle.children for img in c.findall(nodes.image)}
        if "image/svg+xml" in uris and "image/png" in uris:
            pairs[uris["image/svg+xml"]] = uris["image/png"]
    return pairs


def shown_outputs(cell: dict) -> list:
    """The outputs of an executed cell that the page shows: not the glue records, which the page pastes, nor the
    PDF of a figure, which only the printed book uses (mlp_book/formats.py)."""
    if "remove-output" in cell.get("metadata", {}).get("tags", []):
        return []
    shown = []
    for output in cell.get("outputs", []):
        data = output.get("data")
        if data is not None:
            data = {
                k: v
                for k, v in data.items()
                if not k.startswith("application/papermill.record/") and k != "application/pdf"
            }
            if not data:
                continue
            output = {**output, "data": data}
        shown.append(output)
    return shown


def reader_notebook(
    app: Sphinx, docname: str, unresolved: nodes.document, conf: dict[str, str]
) -> nbformat.NotebookNode:
    """The page's reader notebook, from its resolved doctree (unresolved: the same, as read, with every output's
    mime types)."""
    env = app.env
    doctree = env.get_and_resolve_doctree(docname, app.builder)
    page = Page(
        docname=docname,
        url=f"{conf['baseurl']}{docname}.html",
        srcdir=Path(app.srcdir),
        numbers=env.toc_fignumbers.get(docname, {}),
        numfig_format=app.config.numfig_format,
        png_for=svg_to_png(unresolved),
    )
    items = page_items(doctree, page)
    executed_path = Path(env.mystnb_config.output_folder) / f"{docname}.ipynb"
    executed = json.loads(executed_path.read_text(encoding="utf-8"))

    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {k: v for k, v in executed["metadata"].get("language_info", {}).items() if k != "version"}
        or {"name": "python"},
        "backprop_book": {"page": page.url, "version": conf["version"], "edition": conf["prefix"].strip("/") or "book"},
    }
    install = nbformat.v4.new_code_cell(
        install_cell_source(conf["requirement"], conf["version"]), metadata={"tags": [INSTALL_TAG]}
    )
    install["id"] = INSTALL_TAG
    nb.cells.append(install)
    count = 0
    title = inline(env.titles[docname], page)
    for i, item in enumerate(items):
        if isinstance(item, Markdown):
            source = item.text
            if i == 0:
                source = with_origin(source, title, page, app.config.html_title, conf)
            cell = nbformat.v4.new_markdown_cell(source)
        else:
            count += 1
            cell = code_cell(executed["cells"][item.cell_index], item, count)
        cell["id"] = f"cell-{len(nb.cells)}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def with_origin(markdown: str, title: str, page: Page, project: str, conf: dict[str, str]) -> str:
    """The first Markdown cell, with a line under the page's title that says where the notebook comes from."""
    heading, _, rest = markdown.partition("\n\n")
    edition = "the student edition of " if conf["prefix"] else ""
    project = escape(project, page)
    note = (
        f"*This notebook is the page [{title}]({page.url}) of {edition}the book [{project}]({conf['baseurl']}), "
        f"version {conf['version']}; every link leads there. Run the first cell to install the book's package "
        "where it is missing.*"
    )
    return f"{heading}\n\n{note}\n\n{rest}" if heading.startswith("# ") else f"{note}\n\n{markdown}"


def merged_streams(outputs: list) -> list:
    """A cell's outputs with each stream (stdout, stderr) in one piece: the pieces' text joined as it was printed.

    The kernel sends a printing loop in pieces, split where its flush timer happens to fall, so the pieces differ
    from run to run and from machine to machine. MyST-NB's own merge (``coalesce_streams``, executablebooks/MyST-NB
    #604) strips each piece's trailing whitespace and adds a newline after it: a split just before a newline gives
    a blank line, one inside a line breaks the line, and it appends to the first piece in place, so the executed
    notebook it writes holds the text twice. This merge joins the pieces as they were (as nbval's does), ends the
    stream with one newline as MyST-NB does, and leaves its input alone. `setup` makes MyST-NB's pages use it too,
    so the page, its reader notebook and both editions show the same text whatever the kernel's timing was.
    """
    merged, streams = [], {}
    for output in outputs:
        if output.get("output_type") == "stream":
            text = output["text"] if isinstance(output["text"], str) else "".join(output["text"])
            if output["name"] in streams:
                streams[output["name"]]["text"] += text
                continue
            output = nbformat.from_dict({**copy.deepcopy(dict(output)), "text": text})
            streams[output["name"]] = output
        merged.append(output)
    for output in streams.values():
        text = output["text"]
        while BACKSPACE.search(text):  # as a terminal shows them
            text = BACKSPACE.sub("", text)
        output["text"] = CARRIAGE_RETURN.sub("", text).rstrip() + "\n"
    # stdout before stderr where they meet, as MyST-NB orders them (their order in time is not deterministic)
    for i in range(len(merged) - 1):
        if [o.get("name") for o in merged[i : i + 2]] == ["stderr", "stdout"]:
            merged[i], merged[i + 1] = merged[i + 1], merged[i]
    return merged


def code_cell(executed: dict, item: Code, count: int) -> nbformat.NotebookNode:
    source = executed["source"] if isinstance(executed["source"], str) else "".join(executed["source"])
    if item.title:  # a solution's code: its title is what a folded cell shows (Colab: a form with that title)
        source = f"# @title {item.title}\n{source}"
    cell = nbformat.v4.new_code_cell(source)
    cell.execution_count = count
    # The outputs the page shows: streams merged as MyST-NB merges them (nb_merge_streams), so the notebook does
    # not depend on how the kernel's output was split in time (a slow machine flushes a printing loop in pieces).
    cell.outputs = merged_streams([nbformat.from_dict(copy.deepcopy(o)) for o in shown_outputs(executed)])
    for output in cell.outputs:
        if output.get("output_type") == "execute_result":
            output["execution_count"] = count
    jupyter = {}
    if item.source_hidden:
        jupyter["source_hidden"] = True
    if item.outputs_hidden:
        jupyter["outputs_hidden"] = True
    if jupyter:
        cell.metadata["jupyter"] = jupyter
    if item.title:
        cell.metadata["cellView"] = "form"  # Colab shows the title, not the code (it ignores "jupyter")
    return cell


def write_notebooks(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    conf = settings(app)
    folder = Path(app.outdir) / conf["folder"]
    shutil.rmtree(folder, ignore_errors=True)  # no notebook of a page that no longer shows code
    written = []
    for docname in sorted(app.env.found_docs):
        unresolved = app.env.get_doctree(docname)
        if not shows_code(unresolved):
            continue
        try:
            nb = reader_notebook(app, docname, unresolved, conf)
        except ReaderNotebookError as error:  # the page's buttons lead to it: no build without it
            raise ExtensionError(f"reader notebook of {docname} not written: {error}") from error
        path = folder / f"{docname}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        written.append(docname)
    logger.info(f"reader notebooks: {len(written)} written to {folder}")


# ---------------------------------------------------------------------------------------------------------------
# The buttons


def take_launch_buttons(app: Sphinx, config: Any) -> None:
    """Take the launch settings from the theme, so that it adds no launch buttons (or _sources copies) itself.

    sphinx-book-theme launches the page's source (a .md page as text, in Binder), and for a MyST page it copies
    the notebook MyST-NB executed into ``_sources/`` for its download button (executablebooks/sphinx-book-theme
    #47): in the student edition, a notebook with every solution. Its download menu is not configurable
    (executablebooks/sphinx-book-theme#763), so ``header_buttons`` rewrites it.
    """
    options = config.html_theme_options
    launch = options.get("launch_buttons") or {}
    config.reader_notebooks_launch = {k: launch[k] for k in LAUNCH_KEYS if launch.get(k)}
    options["launch_buttons"] = {}


def header_buttons(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """The download group holds the page's reader notebook (and the theme's print to PDF); launch opens it."""
    buttons = context.get("header_buttons")
    if buttons is None:
        return
    has_notebook = doctree is not None and pagename in app.env.found_docs and shows_code(doctree)
    conf = settings(app)
    for group in buttons:
        if group.get("label") == "download-buttons":
            kept = [b for b in group["buttons"] if b.get("label") == "download-pdf-button"]
            if has_notebook:
                notebook = {
                    "type": "link",
                    "url": f"{context['pathto'](conf['folder'], 1)}/{pagename}.ipynb",
                    "text": ".ipynb",
                    "icon": "fas fa-code",
                    "tooltip": "Download this page as a Jupyter notebook",
                    "label": "download-notebook-button",
                }
                kept.insert(0, notebook)
            group["buttons"] = kept
    buttons[:] = [b for b in buttons if b.get("label") != "launch-buttons"]
    if has_notebook:
        launch = launch_group(app, pagename, conf)
        if launch is not None:
            at = next((i + 1 for i, b in enumerate(buttons) if b.get("label") == "download-buttons"), len(buttons))
            buttons.insert(at, launch)


def launch_group(app: Sphinx, pagename: str, conf: dict[str, str]) -> dict | None:
    """Binder and Colab, each opening the page's reader notebook from the branch that holds them."""
    launch = app.config.reader_notebooks_launch
    path = f"{conf['prefix']}{pagename}.ipynb"
    interface = {"classic": "tree", "jupyterlab": "lab/tree"}[launch.get("notebook_interface", "jupyterlab")]
    repo, branch = conf["owner_repo"], conf["branch"]
    where = {
        "Binder": ("binderhub_url", "logo_binder.svg", f"v2/gh/{repo}/{branch}?urlpath={interface}/"),
        "Colab": ("colab_url", "logo_colab.png", f"github/{repo}/blob/{branch}/"),
    }
    links = [
        {
            "type": "link",
            "text": name,
            "tooltip": f"Launch on {name}",
            "icon": f"_static/images/{icon}",  # the theme's
            "url": f"{launch[key].rstrip('/')}/{route}{path}",
        }
        for name, (key, icon, route) in where.items()
        if launch.get(key)
    ]
    if not links:
        return None
    return {
        "type": "group",
        "tooltip": "Launch interactive content",
        "icon": "fas fa-rocket",
        "buttons": links,
        "label": "launch-buttons",
    }


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("student_edition")  # its config value says which edition this build is
    app.add_config_value("reader_notebooks_folder", "notebooks", "html")
    app.add_config_value("reader_notebooks_branch", "notebooks", "html")
    app.add_config_value("reader_notebooks_install", DEFAULT_INSTALL, "html")
    app.add_config_value("reader_notebooks_launch", {}, "html")
    app.connect("config-inited", take_launch_buttons)
    app.connect("html-page-context", header_buttons, priority=502)  # after the theme's buttons (501)
    app.connect("build-finished", write_notebooks)
    # The pages merge a cell's streams as the reader notebooks do (merged_streams), not by MyST-NB's own merge,
    # which depends on where the kernel split the output (executablebooks/MyST-NB#604).
    myst_nb.core.render.coalesce_streams = merged_streams
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
