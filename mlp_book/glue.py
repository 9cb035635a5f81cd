"""Glue a value into the book, stored so that its bytes do not depend on the machine.

The rule, written down once: **every float that a page stores is rounded to 10 significant
digits** (``SIGNIFICANT_DIGITS``) before it is glued. A page shows at most 4 decimals or 2
significant digits of it, so nothing a reader sees is lost. What is dropped is the last five
or six digits of a float64, which differ between machines: another BLAS kernel
(``OPENBLAS_CORETYPE``), numpy's SIMD path for exp and log, or another libm rounds the last
bit differently. A notebook stores what its cells glue, and strict nbval compares the stored
text byte for byte with a fresh run; a float stored at full precision
(``0.2146458712377283`` on one machine, ``0.21464587123772821`` on another) fails that
comparison on a machine nobody changed.

Floats inside lists, tuples, dicts and numpy arrays are rounded too. Everything else
(integers, strings, LaTeX, figures) is glued as it is.

**Two audiences, one call.** In the book build (``MLP_BOOK_BUILD=1``, which ``_ext/book_glue.py`` sets for the
kernels that MyST-NB starts) ``glue`` is myst_nb's: the value goes into the notebook invisibly and the page
prints it in place of its ``{glue:text}`name``` role. Anywhere else (strict nbval, ``make notebooks``, a source
notebook opened in JupyterLab) ``glue`` shows the values as an output of the cell instead: one Markdown list per
cell, each value under the name the text uses, math typeset, figures drawn. The stored source notebooks hold this
view, so strict nbval compares every glued value too, and an author who opens a source sees the numbers. Readers
get something else: the book writes a reader notebook of each page, with the values in its text
(``_ext/reader_notebooks.py``), because no Jupyter front end pastes glue (jupyterlab-myst renders MyST but not
glue: jupyter-book/jupyterlab-myst#40 and #165).
"""

from __future__ import annotations

import numbers
import os

import numpy as np

SIGNIFICANT_DIGITS = 10


def stable(value):
    """value with every float rounded to SIGNIFICANT_DIGITS significant digits (see above).

    0.21464587123772821 -> 0.2146458712; -0.0 -> 0.0; integers, strings and other objects
    are returned unchanged.
    """
    if isinstance(value, bool | numbers.Integral | str):
        return value
    if isinstance(value, numbers.Real):  # float and numpy floating scalars
        return float(f"{float(value):.{SIGNIFICANT_DIGITS}g}") + 0.0  # + 0.0: never -0.0
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return np.array([stable(v) for v in value.ravel()], dtype=np.float64).reshape(value.shape)
    if isinstance(value, list | tuple):
        return type(value)(stable(v) for v in value)
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items()}
    return value


BOOK_BUILD_VARIABLE = "MLP_BOOK_BUILD"


def in_book_build() -> bool:
    """True in a kernel that the book build started (``_ext/book_glue.py`` sets ``MLP_BOOK_BUILD=1``)."""
    return os.environ.get(BOOK_BUILD_VARIABLE) == "1"


def glue(name: str, value, display: bool = False):
    """Glue stable(value) under name: myst_nb's glue in the book build, a visible output anywhere else.

    The page formats the stored value, e.g. ``{glue:text}`name:.4f```. Outside the book the value is shown
    as it is stored (10 significant digits); ``display`` only matters to myst_nb.
    """
    value = stable(value)
    if in_book_build():
        from myst_nb import glue as myst_glue

        return myst_glue(name, value, display=display)
    _show(name, value)
    return None


# Outside the book: what glue shows when no book build will paste the values into the text.

HEADING = "Values for the text below (the book prints each where the text names it):"
FIGURE = "the figure above"
_pending: list[tuple[str, str, str]] = []  # (name, Markdown, plain text) glued by the running cell
_hooked: set[int] = set()  # ids of the IPython shells that flush _pending after each cell


def _is_figure(value) -> bool:
    return hasattr(value, "savefig") and hasattr(value, "canvas")  # a matplotlib Figure, without importing it


def _entry(name: str, value) -> tuple[str, str]:
    """(Markdown, plain text) of one glued value, as glue shows it outside the book."""
    if _is_figure(value):
        return f"`{name}`: {FIGURE}", f"{name}: {FIGURE}"  # numbered when the cell is done: _flush
    latex = getattr(value, "_repr_latex_", None)
    if latex is not None and latex():
        tex = latex()  # IPython's Math gives "$\\displaystyle ...$"
        return f"`{name}`: {tex}", f"{name}: {tex}"
    markdown = getattr(value, "_repr_markdown_", None)
    if markdown is not None and markdown():
        return f"`{name}`: {markdown()}", f"{name}: {markdown()}"
    text = str(value)
    return f"`{name}` = `{text}`", f"{name} = {text}"


def _show(name: str, value) -> None:
    from IPython import get_ipython
    from IPython.display import display

    if _is_figure(value):
        display(value)
    _pending.append((name, *_entry(name, value)))
    shell = get_ipython()
    if shell is None:  # a plain script: nothing collects the cell's values, so show each at once
        _flush()
    elif id(shell) not in _hooked:
        shell.events.register("post_run_cell", lambda result: _flush())
        _hooked.add(id(shell))


def _flush() -> None:
    """Show the values glued by the cell that just ran, as one output: a Markdown list (and plain text)."""
    if not _pending:
        return
    from IPython import get_ipython
    from IPython.display import display

    figures = sum(md.endswith(FIGURE) for _, md, _ in _pending)
    if figures > 1:  # "figure 2 of the 3 above", in the order the cell drew them
        numbered, k = [], 0
        for name, md, text in _pending:
            if md.endswith(FIGURE):
                k += 1
                which = f"figure {k} of the {figures} above"
                md, text = md.replace(FIGURE, which), text.replace(FIGURE, which)
            numbered.append((name, md, text))
        _pending[:] = numbered
    markdown = "\n".join([f"*{HEADING}*", "", *(f"- {md}" for _, md, _ in _pending)])
    plain = "\n".join([HEADING, *(text for _, _, text in _pending)])
    _pending.clear()
    if get_ipython() is None:
        print(plain)
    else:
        display({"text/markdown": markdown, "text/plain": plain}, raw=True)
