"""Never a stale page: after any change to the code the pages import, every page is read (and run) again.

Sphinx re-reads a page when the page's own source changes, not when a module its code cells import does. With
only that, ``make book`` after a change to ``mlp/`` would say that nothing is out of date and keep pages that show
numbers the code no longer computes. This extension keeps a fingerprint of every file under the folders named
in ``fresh_outputs_paths`` (default ``mlp`` and ``mlp_book``; contents and relative paths, ``__pycache__`` left
out) in Sphinx's environment, and when the fingerprint has changed since the last build it marks every page
outdated. myst-nb's ``execute_notebooks: force`` then executes each of them again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)

ATTRIBUTE = "fresh_outputs_fingerprint"


def fingerprint(root: Path, folders: list[str]) -> str:
    """SHA-256 over the relative path and the bytes of every file under root/folder, in sorted order."""
    digest = hashlib.sha256()
    for folder in folders:
        base = root / folder
        files = sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        if not files:
            digest.update(f"{folder}: missing\n".encode())
        for path in files:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def outdated_pages(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Sphinx's env-get-outdated: every page, if the code has changed since the last build."""
    now = fingerprint(Path(app.srcdir), app.config.fresh_outputs_paths)
    before = getattr(env, ATTRIBUTE, None)
    setattr(env, ATTRIBUTE, now)  # the environment is pickled with the build, so the next build sees it
    if before is None or before == now:
        return []
    stale = sorted(set(env.found_docs) - added - changed)
    if stale:
        logger.info(
            f"fresh_outputs: {', '.join(app.config.fresh_outputs_paths)} changed since the last build: "
            f"reading and executing all {len(stale) + len(added | changed)} pages again"
        )
    return stale


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("fresh_outputs_paths", ["mlp", "mlp_book"], "env")
    app.connect("env-get-outdated", outdated_pages)
    return {"version": "1", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
