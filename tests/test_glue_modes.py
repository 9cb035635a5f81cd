"""mlp_book.glue in its two modes: myst_nb's glue in the book build, a visible list of values everywhere else.

The source notebooks' stored outputs hold that list (strict nbval compares it); these tests pin down each mode on
its own, in this process.
"""

from __future__ import annotations

import myst_nb
import pytest
from IPython.display import Math

from mlp_book import glue as glue_module
from mlp_book.glue import BOOK_BUILD_VARIABLE, HEADING, glue


@pytest.fixture
def recorded(monkeypatch):
    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: calls.append((name, value, display)))
    return calls


def test_in_the_book_build_glue_is_myst_nb_s_with_the_value_rounded(monkeypatch, recorded, capsys):
    monkeypatch.setenv(BOOK_BUILD_VARIABLE, "1")
    glue("x", 0.21464587123772821)
    assert recorded == [("x", 0.2146458712, False)]
    assert capsys.readouterr().out == ""  # nothing visible: the page pastes the value


def test_elsewhere_glue_shows_the_value_under_its_name(monkeypatch, recorded, capsys):
    monkeypatch.delenv(BOOK_BUILD_VARIABLE, raising=False)
    glue("x", 0.21464587123772821)
    glue("arch", "2-2-2")
    assert recorded == []  # no myst_nb involved
    assert capsys.readouterr().out.splitlines() == [HEADING, "x = 0.2146458712", HEADING, "arch = 2-2-2"]


def test_the_reader_s_view_typesets_math_and_names_each_value():
    markdown, plain = glue_module._entry("m_z1", Math(r"z_1 = 4"))
    assert markdown == r"`m_z1`: $\displaystyle z_1 = 4$" and plain == r"m_z1: $\displaystyle z_1 = 4$"
    markdown, _ = glue_module._entry("t_lr", 0.5)
    assert markdown == "`t_lr` = `0.5`"


def test_in_a_kernel_one_output_per_cell(monkeypatch):
    """In IPython, the values a cell glues are shown together once the cell has run (post_run_cell)."""
    monkeypatch.delenv(BOOK_BUILD_VARIABLE, raising=False)
    shown, callbacks = [], []

    class Events:
        def register(self, event, callback):
            assert event == "post_run_cell"
            callbacks.append(callback)

    class Shell:
        events = Events()

    shell = Shell()
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    monkeypatch.setattr(glue_module, "_hooked", set())
    glue("a", 1)
    glue("b", [1 / 3])
    assert shown == [] and len(callbacks) == 1  # nothing yet, and one hook for the shell
    callbacks[0](None)
    assert len(shown) == 1
    assert shown[0]["text/markdown"].splitlines()[2:] == ["- `a` = `1`", "- `b` = `[0.3333333333]`"]
    callbacks[0](None)
    assert len(shown) == 1  # nothing pending, nothing shown again


def test_figures_are_named_in_the_order_the_cell_drew_them(monkeypatch, capsys):
    monkeypatch.delenv(BOOK_BUILD_VARIABLE, raising=False)
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)  # the figures themselves
    monkeypatch.setattr("IPython.get_ipython", lambda: None)

    class Figure:
        canvas = None

        def savefig(self):
            pass

    glue("one", Figure())
    assert capsys.readouterr().out.splitlines()[1] == "one: the figure above"
    # in a kernel the values of one cell are shown together: two figures get numbers
    glue_module._pending[:] = [("a", "`a`: the figure above", "a: the figure above"), ("b", "`b` = `1`", "b = 1")]
    glue_module._pending.append(("c", "`c`: the figure above", "c: the figure above"))
    glue_module._flush()
    assert capsys.readouterr().out.splitlines()[1:] == [
        "a: figure 1 of the 2 above",
        "b = 1",
        "c: figure 2 of the 2 above",
    ]
