"""The book build tells the notebooks' kernels that it will paste their glued values into the text.

``mlp_book.glue.glue`` has two audiences. In the book it must be myst_nb's glue (the page prints each value in
place of its ``{glue:text}`` role); in JupyterLab, Colab or anywhere else, where no front end pastes glue, it
shows the values as a visible output instead. MyST-NB starts each kernel with this process's environment, so
setting ``MLP_BOOK_BUILD=1`` here, once, is what makes every page of the book glue. See mlp_book/glue.py.
"""

from __future__ import annotations

import os
from typing import Any

from sphinx.application import Sphinx

VARIABLE = "MLP_BOOK_BUILD"  # mlp_book.glue.BOOK_BUILD_VARIABLE (not imported: the build needs no mlp_book)


def setup(app: Sphinx) -> dict[str, Any]:
    os.environ[VARIABLE] = "1"
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
