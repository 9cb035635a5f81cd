"""The one shape table is true, and the docstring and the book show the same table."""

import numpy as np
import pytest

import mlp
import mlp.network
from mlp.shapes import SHAPE_TABLE, shape_table_text
from mlp_book.shapes import shape_table_markdown


def test_network_docstring_embeds_the_shape_table():
    indented = "\n".join(("    " + line) if line else line for line in shape_table_text().splitlines())
    assert indented in mlp.network.__doc__


@pytest.mark.parametrize("B", [None, 5])
def test_every_row_states_the_shape_the_code_produces(B):
    N, N1, K = 3, 4, 2
    rng = np.random.default_rng(0)
    params = mlp.init_params(rng, N, N1, K)
    x = rng.standard_normal((N,) if B is None else (N, B))
    y = np.eye(K)[:, 0] if B is None else np.eye(K)[:, rng.integers(0, K, B)]
    fwd = mlp.forward(params, x, "sigmoid")
    grads = mlp.backward(params, x, y, fwd, "sigmoid", "squared")
    values = {"x": x, "y": y, **params._asdict(), **fwd._asdict(), **grads._asdict()}
    values["softmax_jacobian"] = mlp.softmax_jacobian(fwd.y_hat if B is None else fwd.y_hat[:, 0])
    values["loss"] = np.asarray(mlp.loss_value(y, fwd, "squared"))
    values["f_prime_z1"] = mlp.activations.get_activation("sigmoid").f_prime(fwd.z1)
    sizes = {"N": N, "N1": N1, "K": K, "B": B}
    assert {r.code for r in SHAPE_TABLE} == set(values)
    for row in SHAPE_TABLE:
        names = [s.strip() for s in row.shape.strip("(),").split(",") if s.strip()]
        expected = tuple(sizes[s] for s in names if sizes[s] is not None)
        assert values[row.code].shape == expected, row.code


def test_markdown_table_has_one_row_per_symbol():
    lines = shape_table_markdown().splitlines()
    assert len(lines) == 2 + len(SHAPE_TABLE)
    assert all(line.count("|") == 5 for line in lines)
