"""Launch buttons (Binder, Colab) only on pages whose source is a .ipynb notebook.

sphinx-book-theme offers them on every page that has a kernel, and the MyST text notebooks (chapters/*.md) have
one; but Colab opens only .ipynb files, and a Binder link to a .md file opens it as text. So after the theme has
added its buttons (html-page-context, priority 501), this removes the launch group from every other page. The
download button stays on every page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def drop_launch_buttons(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if pagename not in app.env.all_docs or Path(app.env.doc2path(pagename)).suffix == ".ipynb":
        return
    buttons = context.get("header_buttons")
    if buttons:
        buttons[:] = [b for b in buttons if b.get("label") != "launch-buttons"]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", drop_launch_buttons, priority=502)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
