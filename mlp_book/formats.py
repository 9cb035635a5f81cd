"""How a page's figures are stored: SVG for the web page, PNG for Jupyter, PDF for the printed book.

Call :func:`stable_figure_formats` once at the top of a page (in a cell tagged ``remove-cell``). Every
matplotlib figure the page then shows or glues is stored in each of these forms:

* as SVG, which MyST-NB puts on the HTML page: a vector drawing, sharp at any zoom on a phone, its text
  drawn as paths (no font needed in the browser). Matplotlib writes a date, its version and ids drawn
  from a random salt into an SVG; here the date and version are left out and the salt is fixed
  (``svg.hashsalt``), so the bytes depend only on what is drawn, as strict nbval needs;
* as PNG, for the reader notebooks and any Jupyter (LaTeX cannot include SVG), without the
  "Software: Matplotlib version ..." tag, for the same reason;
* and, in the book build only (``MLP_BOOK_BUILD=1``, see mlp_book/glue.py), as PDF, which the LaTeX builder
  prefers (MyST-NB's priority for ``latex`` puts application/pdf first): the printed book's figures are vector
  drawings, sharp at any zoom, instead of a PNG at 100 to 250 dpi. The stored notebooks (strict nbval) never
  hold it, and the reader notebooks leave it out (_ext/reader_notebooks.py).
"""

from __future__ import annotations

SVG_METADATA = {"Date": None, "Creator": None}
PNG_METADATA = {"Software": None}
PDF_METADATA = {"Creator": None, "Producer": None, "CreationDate": None}
HASH_SALT = "mlp-book"


def stable_figure_formats(shell=None) -> None:
    """Store every matplotlib figure of this IPython session as SVG and PNG (and PDF in the book build), without
    timestamps or versions."""
    import matplotlib
    import matplotlib.pyplot as plt
    from IPython import get_ipython
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    from mlp_book.glue import in_book_build

    matplotlib.rcParams["svg.hashsalt"] = HASH_SALT
    shell = shell or get_ipython()
    if shell is None:
        raise RuntimeError("stable_figure_formats() needs an IPython kernel (a notebook page)")
    # Load the inline backend now: loading it later (at the first pyplot figure) would put back its own
    # PNG-only formatters over the ones set here.
    plt.close(plt.figure())
    formatters = shell.display_formatter.formatters
    formatters["image/svg+xml"].for_type(Figure, lambda fig: print_figure(fig, "svg", metadata=SVG_METADATA))
    formatters["image/png"].for_type(Figure, lambda fig: print_figure(fig, "png", metadata=PNG_METADATA))
    if in_book_build():
        formatters["application/pdf"].for_type(Figure, lambda fig: print_figure(fig, "pdf", metadata=PDF_METADATA))
