"""Problem 1's gradient formulas, checked exactly with SymPy.

The forward pass of the two-layer network is built out of symbols for a small (N, N1, K):

    z1 = W1^T x + W1_0,   H = f(z1),   z2 = W2^T H + W2_0,   y_hat = softmax(z2),   loss l(y, y_hat)

and SymPy differentiates it (the *autodiff* side). The book's formulas are evaluated on the same symbols,
entry by entry (the corrected eqs 1-11 of the source, with their sums written out) and in matrix form
(delta2 = J^T grad y_hat, grad W2 = H delta2^T, ...). A formula is *verified* when SymPy's derivative minus
the formula is identically zero.

What keeps the check general:

* the hidden activation is an undefined function ``f`` whose derivative is the undefined function ``f'``
  (SymPy's chain rule then writes d f(z1[j]) / d w = f'(z1[j]) d z1[j] / d w), or the sigmoid, or ReLU on
  one region of its domain (each hidden unit fixed active or inactive; there ReLU is linear and has a
  derivative);
* the loss is an undefined function ``ell(y_1, ..., y_K, y_hat_1, ..., y_hat_K)`` whose partial derivative
  in its i-th argument is the undefined function ``ell_i``, so its gradient g = d l / d y_hat is arbitrary;
  or concretely the squared loss or the cross-entropy.

How the zero test stays exact and fast: after differentiation an expression is a rational function of a few
non-rational pieces, each a function of its own arguments only: the loss derivatives ell_{K+k}(y, y_hat)
(replaced by symbols g_k), f(z1[j]) and f'(z1[j]) (symbols h_j, fp_j), and exp(c z2[k]), exp(c z1[j])
(powers E_k**c, T_j**c). Replacing every occurrence of one piece by one symbol only ever identifies equal
things, so if the resulting rational function is 0 then so is the original expression, for every value of
every symbol. The residual kept is the numerator of that rational function over a common denominator,
expanded: when it is the polynomial 0, the formula is right. The converse needs more (the pieces are not
independent), so a formula is called wrong only with a counterexample: ``difference_at_random_point``
evaluates SymPy's derivative and the formula at random numbers, for a concrete activation and loss.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import sympy as sp

HIDDEN = ("f", "sigmoid", "relu")
LOSSES = ("general", "squared", "cross_entropy")


def _vector(name: str, n: int) -> sp.Matrix:
    """A column of n symbols name_1 .. name_n (1-based, as in the book)."""
    return sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"{name}_{i + 1}"))


def _matrix(name: str, rows: int, cols: int) -> sp.Matrix:
    """A rows x cols matrix of symbols name_{ij} (1-based)."""
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}"))


def softmax(z: sp.Matrix) -> sp.Matrix:
    """softmax of a column of expressions: exp(z[k]) / sum_j exp(z[j])."""
    e = z.applyfunc(sp.exp)
    return e / sum(e)


def _differentiable(name: str, partial):
    """An undefined SymPy function whose partial derivative in its i-th argument is the function partial(i).

    SymPy would write the derivative of a plain undefined function at an expression as a Subs object, which is
    slow to build and compare; naming the derivative instead keeps the chain rule and the expressions small.
    """

    def fdiff(self, argindex=1):
        return partial(argindex)(*self.args)

    return type(name, (sp.Function,), {"fdiff": fdiff})


def sigmoid(z):
    """The logistic sigmoid 1 / (1 + exp(-z)) of one expression."""
    return 1 / (1 + sp.exp(-z))


class Net:
    """A two-layer network made of symbols: its forward pass, its loss, and the zero test.

    Shapes (SymPy matrices, vectors as columns): x (N, 1), W1 (N, N1), W1_0 (N1, 1), W2 (N1, K),
    W2_0 (K, 1), y (K, 1); z1, H, f_prime (N1, 1); z2, y_hat, g (K, 1).

    hidden: "f" (an undefined differentiable function), "sigmoid", or "relu" with ``pattern``, a tuple of
    N1 bits saying which hidden units are active (z1[j] > 0: H[j] = z1[j]) or not (H[j] = 0).
    loss: "general" (an undefined function ell(y, y_hat)), "squared" (1/2 |y_hat - y|^2) or "cross_entropy".
    """

    def __init__(self, N: int, N1: int, K: int, hidden: str = "f", loss: str = "general", pattern=None):
        if hidden not in HIDDEN:
            raise ValueError(f"unknown hidden activation {hidden!r}: expected one of {', '.join(HIDDEN)}")
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}: expected one of {', '.join(LOSSES)}")
        if hidden == "relu":
            if pattern is None or len(pattern) != N1 or not set(pattern) <= {0, 1}:
                raise ValueError(f"ReLU needs a pattern of N1 = {N1} entries, each 0 (inactive) or 1 (active)")
            pattern = tuple(pattern)
        elif pattern is not None:
            raise ValueError("a pattern is for the ReLU hidden layer only")
        self.N, self.N1, self.K = N, N1, K
        self.size = (N, N1, K)
        self.hidden, self.loss, self.pattern = hidden, loss, pattern
        self.x = _vector("x", N)
        self.W1 = _matrix("W1", N, N1)
        self.W1_0 = _vector("W1_0", N1)
        self.W2 = _matrix("W2", N1, K)
        self.W2_0 = _vector("W2_0", K)
        self.y = _vector("y", K)
        self.g = _vector("g", K)  # d l / d y_hat of the general loss, after the zero test's replacement
        self._fp = sp.Function("f'")
        self._f = _differentiable("f", lambda i: self._fp)
        self._ell_partial = {i: sp.Function(f"ell_{i}") for i in range(1, 2 * K + 1)}
        self._ell = _differentiable("ell", self._ell_partial.__getitem__)
        self._g_of = {self._ell_partial[K + k + 1]: self.g[k] for k in range(K)}  # ell_{K+k}(...) -> g_k
        self._rule: dict = {}  # the zero test's replacements, shared by every expression of this network
        # the forward pass, once
        self.z1 = self.W1.T * self.x + self.W1_0  # (N1, 1)
        self.H = self.act(self.z1)  # (N1, 1)
        self.z2 = self.W2.T * self.H + self.W2_0  # (K, 1)
        self.y_hat = softmax(self.z2)  # (K, 1)
        self.f_prime = self.act_prime(self.z1)  # (N1, 1)

    def __repr__(self) -> str:
        extra = f", pattern={self.pattern}" if self.pattern else ""
        return f"Net(N={self.N}, N1={self.N1}, K={self.K}, hidden={self.hidden!r}, loss={self.loss!r}{extra})"

    # -- the forward pass from any point on, so that SymPy can differentiate with respect to z1, H or z2 ------
    def act(self, z1: sp.Matrix) -> sp.Matrix:
        """H = f(z1), elementwise."""
        if self.hidden == "f":
            return z1.applyfunc(self._f)
        if self.hidden == "sigmoid":
            return z1.applyfunc(sigmoid)
        return sp.Matrix([s * z for s, z in zip(self.pattern, z1, strict=True)])  # ReLU on one region

    def act_prime(self, z1: sp.Matrix) -> sp.Matrix:
        """f'(z1) as the formulas write it: f'(z1[j]) (undefined f), s (1 - s) (sigmoid), 1 or 0 (ReLU)."""
        if self.hidden == "f":
            return z1.applyfunc(self._fp)
        if self.hidden == "sigmoid":
            return z1.applyfunc(lambda z: sigmoid(z) * (1 - sigmoid(z)))
        return sp.Matrix(self.pattern)

    def loss_of(self, y_hat: sp.Matrix):
        """l(y, y_hat) for a column y_hat of expressions."""
        if self.loss == "general":
            return self._ell(*self.y, *y_hat)
        if self.loss == "squared":
            r = y_hat - self.y
            return (r.T * r)[0] / 2
        return -sum(yk * sp.log(pk) for yk, pk in zip(self.y, y_hat, strict=True))

    def loss_from_z2(self, z2: sp.Matrix):
        return self.loss_of(softmax(z2))

    def loss_from_H(self, H: sp.Matrix):
        return self.loss_from_z2(self.W2.T * H + self.W2_0)

    def loss_from_z1(self, z1: sp.Matrix):
        return self.loss_from_H(self.act(z1))

    @property
    def grad_y_hat(self) -> sp.Matrix:
        """d l / d y_hat as the formulas use it: g (general), y_hat - y (squared), -y / y_hat (cross-entropy)."""
        if self.loss == "general":
            return self.g
        if self.loss == "squared":
            return self.y_hat - self.y
        return sp.Matrix([-yk / pk for yk, pk in zip(self.y, self.y_hat, strict=True)])

    @property
    def J(self) -> sp.Matrix:
        """The softmax Jacobian J[k, i] = d y_hat[k] / d z2[i] = diag(y_hat) - y_hat y_hat^T, (K, K)."""
        return sp.diag(*self.y_hat) - self.y_hat * self.y_hat.T

    # -- the zero test -----------------------------------------------------------------------------------------
    def atomize(self, expr):
        """Replace every non-rational piece of expr by a symbol (see the module docstring); exact.

        ell_{K+k}(y, y_hat) = d l / d y_hat[k] becomes g_k; f'(z1[j]) becomes fp_j; f(z1[j]) becomes h_j;
        exp(c z2[k]) and exp(c z1[j]) become E_k**c and T_j**c (c a rational number, e.g. 2 or -1). One
        traversal finds the pieces, one top-down xreplace swaps them (a whole piece goes before its inside
        is looked at).
        """
        expr = sp.sympify(expr)
        rule = self._rule
        nodes = sp.preorder_traversal(expr)
        for node in nodes:
            if isinstance(node, (sp.exp, sp.core.function.AppliedUndef, self._f, self._ell)):
                if node not in rule:
                    rule[node] = self._atom(node)
                nodes.skip()  # its inside goes with it
        return expr.xreplace(rule)

    def _atom(self, node):
        if isinstance(node, sp.exp):
            return self._power_of(node.args[0])
        if isinstance(node, self._f):
            return sp.Symbol(f"h_{self._index(node.args[0]) + 1}")
        if node.func == self._fp:
            return sp.Symbol(f"fp_{self._index(node.args[0]) + 1}")
        if node.func in self._g_of:
            return self._g_of[node.func]
        raise ValueError(f"unexpected piece in a derivative: {node}")

    def _index(self, point) -> int:
        """Which hidden pre-activation z1[j] the expression point is."""
        for j, z in enumerate(self.z1):
            if point == z or sp.expand(point - z) == 0:
                return j
        raise ValueError(f"{point} is none of the hidden pre-activations z1")

    def _power_of(self, arg):
        """exp(arg) as E_k**c (arg = c z2[k]) or T_j**c (arg = c z1[j]); the bias marks which one."""
        a = sp.expand(arg)
        bases = [(self.W2_0[k], self.z2[k], sp.Symbol(f"E_{k + 1}")) for k in range(self.K)]
        bases += [(self.W1_0[j], self.z1[j], sp.Symbol(f"T_{j + 1}")) for j in range(self.N1)]
        for marker, base, symbol in bases:
            c = a.coeff(marker)
            if c != 0 and c.is_Rational and sp.expand(a - c * base) == 0:
                return symbol**c
        raise ValueError(f"exp({arg}) is not exp(c z) for a pre-activation z")

    def difference(self, exact, formula) -> sp.Matrix:
        """exact - formula, as the expanded numerator over a common denominator: zero iff they agree.

        Raises ValueError when the shapes differ: a formula of the wrong shape is wrong before any algebra.
        """
        exact, formula = sp.Matrix(exact), sp.Matrix(formula)
        if exact.shape != formula.shape:
            raise ValueError(f"shape mismatch: the derivative has shape {exact.shape}, the formula {formula.shape}")
        return (exact - formula).applyfunc(self._zero_test)

    def _zero_test(self, e):
        """The expanded numerator of atomize(e) over a common denominator (0 iff e is identically 0)."""
        a = self.atomize(e)
        if sp.expand(a) == 0:  # often 0 already: the same denominators line up term by term
            return sp.S.Zero
        return sp.expand(sp.numer(sp.together(a)))


# -- the autodiff side: SymPy differentiates the forward pass ----------------------------------------------------


def _grad(expr, wrt: sp.Matrix) -> sp.Matrix:
    """d expr / d wrt, of wrt's shape."""
    return wrt.applyfunc(lambda w: sp.diff(expr, w))


def _put(expr: sp.Matrix, free: sp.Matrix, value: sp.Matrix) -> sp.Matrix:
    """Give the free symbols their values."""
    return expr.xreplace(dict(zip(free, value, strict=True)))


def autodiff(net: Net) -> dict[str, sp.Matrix]:
    """Every gradient of the loss, by SymPy, each of the shape of what it is taken with respect to.

    Keys: delta2 (K, 1), grad_W2 (N1, K), grad_W2_0 (K, 1), grad_H (N1, 1), delta1 (N1, 1), grad_W1 (N, N1),
    grad_W1_0 (N1, 1). The parameter gradients differentiate the whole composite loss. delta2 = d l / d z2,
    grad H = d l / d H and delta1 = d l / d z1 differentiate the loss written as a function of free symbols
    standing for z2, H or z1, which are then given their forward-pass values.
    """
    out = {}
    for name, n, builder, value in (
        ("delta2", net.K, net.loss_from_z2, net.z2),
        ("grad_H", net.N1, net.loss_from_H, net.H),
        ("delta1", net.N1, net.loss_from_z1, net.z1),
    ):
        free = _vector(f"free_{name}", n)
        out[name] = _put(_grad(builder(free), free), free, value)
    loss = net.loss_from_z1(net.z1)
    for name in ("W2", "W2_0", "W1", "W1_0"):
        out[f"grad_{name}"] = _grad(loss, getattr(net, name))
    return out


def autodiff_partials(net: Net) -> dict[str, object]:
    """The partial derivatives the entry-wise derivation uses, by SymPy (list indices 0-based):

    J[k, i] = d y_hat[k] / d z2[i];  dyhat_dW2[k][i] = d y_hat[k] / d W2_i (column i of W2), (N1, 1);
    dyhat_dW2_0[k] = d y_hat[k] / d W2_0, (K, 1);  dyhat_dH[k] = d y_hat[k] / d H, (N1, 1);
    dH_dW1[j][i] = d H[j] / d W1_i, (N, 1);  dH_dW1_0[j] = d H[j] / d W1_0, (N1, 1).
    """
    K, N1 = net.K, net.N1
    free_z2 = _vector("free_z2", K)
    free_H = _vector("free_H", N1)
    y_hat_of_H = softmax(net.W2.T * free_H + net.W2_0)
    return {
        "J": _put(softmax(free_z2).jacobian(free_z2), free_z2, net.z2),
        "dyhat_dW2": [[_grad(net.y_hat[k], net.W2[:, i]) for i in range(K)] for k in range(K)],
        "dyhat_dW2_0": [_grad(net.y_hat[k], net.W2_0) for k in range(K)],
        "dyhat_dH": [_put(_grad(y_hat_of_H[k], free_H), free_H, net.H) for k in range(K)],
        "dH_dW1": [[_grad(net.H[j], net.W1[:, i]) for i in range(N1)] for j in range(N1)],
        "dH_dW1_0": [_grad(net.H[j], net.W1_0) for j in range(N1)],
    }


# -- the book's formulas -------------------------------------------------------------------------------------------


def matrix_form(net: Net) -> dict[str, sp.Matrix]:
    """The four backprop equations, in matrix form exactly as the page displays them (vectors are columns)."""
    delta2 = net.J.T * net.grad_y_hat  # (K, 1)     delta2 = J^T grad y_hat
    grad_H = net.W2 * delta2  # (N1, 1)                 grad H = W2 delta2
    delta1 = grad_H.multiply_elementwise(net.f_prime)  # (N1, 1)  delta1 = grad H * f'(z1)
    return {
        "delta2": delta2,
        "grad_W2": net.H * delta2.T,  # (N1, 1)(1, K) = (N1, K)
        "grad_W2_0": delta2,  # (K, 1)
        "grad_H": grad_H,
        "delta1": delta1,
        "grad_W1": net.x * delta1.T,  # (N, 1)(1, N1) = (N, N1)
        "grad_W1_0": delta1,  # (N1, 1)
    }


def _one(a: int, b: int) -> int:
    """The indicator 1[a = b]."""
    return 1 if a == b else 0


def entrywise_partials(net: Net) -> dict[str, object]:
    """The partial derivatives of the entry-wise derivation, as the page writes them (list indices 0-based)."""
    K, N1, N = net.K, net.N1, net.N
    y_hat, H, x, W2, fp = net.y_hat, net.H, net.x, net.W2, net.f_prime
    mean_column = sum((y_hat[i] * W2[:, i] for i in range(K)), sp.zeros(N1, 1))  # sum_i y_hat[i] W2_i
    return {
        # J[k, i] = y_hat[k] (1[k = i] - y_hat[i])
        "J": sp.Matrix(K, K, lambda k, i: y_hat[k] * (_one(k, i) - y_hat[i])),
        # d y_hat[k] / d W2_i = y_hat[k] (1[i = k] - y_hat[i]) H, for i = 1..K
        "dyhat_dW2": [[y_hat[k] * (_one(i, k) - y_hat[i]) * H for i in range(K)] for k in range(K)],
        # d y_hat[k] / d W2_0[i] = y_hat[k] (1[i = k] - y_hat[i]), stacked into a column over i = 1..K
        "dyhat_dW2_0": [sp.Matrix([y_hat[k] * (_one(i, k) - y_hat[i]) for i in range(K)]) for k in range(K)],
        # d y_hat[k] / d H = y_hat[k] (W2_k - sum_i y_hat[i] W2_i)
        "dyhat_dH": [y_hat[k] * (W2[:, k] - mean_column) for k in range(K)],
        # d H[j] / d W1_i = f'(z1[j]) x if i = j, else the zero vector of R^N, for i = 1..N1
        "dH_dW1": [[fp[j] * x if i == j else sp.zeros(N, 1) for i in range(N1)] for j in range(N1)],
        # d H[j] / d W1_0[i] = f'(z1[j]) 1[i = j], stacked into a column over i = 1..N1
        "dH_dW1_0": [sp.Matrix([fp[j] * _one(i, j) for i in range(N1)]) for j in range(N1)],
    }


def entrywise(net: Net) -> dict[str, sp.Matrix]:
    """The gradients assembled entry by entry, with the sums the page writes out:

    grad W2   = sum_{k=1}^{K}  grad_y_hat[k] [d y_hat[k] / d W2_1, ..., d y_hat[k] / d W2_K]      (N1, K)
    grad W2_0 = sum_{k=1}^{K}  grad_y_hat[k] d y_hat[k] / d W2_0                                  (K, 1)
    grad H    = sum_{k=1}^{K}  grad_y_hat[k] d y_hat[k] / d H                                     (N1, 1)
    grad W1   = sum_{j=1}^{N1} grad_H[j] [d H[j] / d W1_1, ..., d H[j] / d W1_N1]                 (N, N1)
    grad W1_0 = sum_{j=1}^{N1} grad_H[j] d H[j] / d W1_0                                          (N1, 1)
    """
    p = entrywise_partials(net)
    K, N1, N = net.K, net.N1, net.N
    g = net.grad_y_hat
    grad_W2 = sum((g[k] * sp.Matrix.hstack(*p["dyhat_dW2"][k]) for k in range(K)), sp.zeros(N1, K))
    grad_W2_0 = sum((g[k] * p["dyhat_dW2_0"][k] for k in range(K)), sp.zeros(K, 1))
    grad_H = sum((g[k] * p["dyhat_dH"][k] for k in range(K)), sp.zeros(N1, 1))
    grad_W1 = sum((grad_H[j] * sp.Matrix.hstack(*p["dH_dW1"][j]) for j in range(N1)), sp.zeros(N, N1))
    grad_W1_0 = sum((grad_H[j] * p["dH_dW1_0"][j] for j in range(N1)), sp.zeros(N1, 1))
    return {"grad_W2": grad_W2, "grad_W2_0": grad_W2_0, "grad_H": grad_H, "grad_W1": grad_W1, "grad_W1_0": grad_W1_0}


def source_as_printed(net: Net) -> dict[str, sp.Matrix]:
    """grad W1 as three slips would have it, so that the check can be seen to catch them.

    ``eq9_scalar``: the source's eq 9, the scalar X[k] where the whole input vector x belongs: column j of
    grad W1 becomes grad_H[j] f'(z1[j]) x[j] times a column of ones (defined only when N1 <= N).
    ``eq7_sum_to_K``: the source's eqs 7-8, summing over k = 1..K instead of the N1 hidden units: the
    columns of the units after the K-th are lost (defined only when K < N1).
    ``transposed``: delta1 x^T, the outer product the wrong way round: shape (N1, N) instead of (N, N1).
    """
    m = matrix_form(net)
    grad_H, fp, x = m["grad_H"], net.f_prime, net.x
    out = {"transposed": m["delta1"] * x.T}
    if net.N1 <= net.N:
        ones = sp.ones(net.N, 1)
        out["eq9_scalar"] = sp.Matrix.hstack(*(grad_H[j] * fp[j] * x[j] * ones for j in range(net.N1)))
    if net.K < net.N1:
        cols = [grad_H[j] * fp[j] * x if j < net.K else sp.zeros(net.N, 1) for j in range(net.N1)]
        out["eq7_sum_to_K"] = sp.Matrix.hstack(*cols)
    return out


# -- the checks ----------------------------------------------------------------------------------------------------


class Formula(NamedTuple):
    """A formula of the page: plain text (for messages), its equation label on the page, and its LaTeX."""

    text: str
    label: str
    tex: str


# Every formula the checks compare, keyed by the name the check code uses. The labels are those of
# chapters/problem1.md (a test checks that the page defines them).
FORMULAS = {
    # the matrix form (the keys of matrix_form)
    "delta2": Formula("delta_2 = J^T grad y_hat", "p1-bp1", r"\delta_2 = J^T \nabla \hat{y}"),
    "grad_W2": Formula("grad W^2 = H delta_2^T", "p1-bp4", r"\nabla W^2 = H\, \delta_2^T"),
    "grad_W2_0": Formula("grad W^2_0 = delta_2", "p1-bp3", r"\nabla W^2_0 = \delta_2"),
    "grad_H": Formula("grad H = W^2 delta_2", "p1-bp2", r"\nabla H = W^2 \delta_2"),
    "delta1": Formula("delta_1 = grad H * f'(z_1)", "p1-bp2", r"\delta_1 = \nabla H \odot f'(z_1)"),
    "grad_W1": Formula("grad W^1 = x delta_1^T", "p1-bp4", r"\nabla W^1 = x\, \delta_1^T"),
    "grad_W1_0": Formula("grad W^1_0 = delta_1", "p1-bp3", r"\nabla W^1_0 = \delta_1"),
    # the entry-wise sums (the keys of entrywise, with "sum:")
    "sum:grad_W2": Formula(
        "grad W^2 = sum_k grad y_hat[k] d y_hat[k] / d W^2",
        "p1-e-gradW2",
        r"\nabla W^2 = \sum_{k=1}^{K} \nabla \hat{y}[k]\, \partial \hat{y}[k] / \partial W^2",
    ),
    "sum:grad_W2_0": Formula(
        "grad W^2_0 = sum_k grad y_hat[k] d y_hat[k] / d W^2_0",
        "p1-e-gradW20",
        r"\nabla W^2_0 = \sum_{k=1}^{K} \nabla \hat{y}[k]\, \partial \hat{y}[k] / \partial W^2_0",
    ),
    "sum:grad_H": Formula(
        "grad H = sum_k grad y_hat[k] d y_hat[k] / d H",
        "p1-e-gradH",
        r"\nabla H = \sum_{k=1}^{K} \nabla \hat{y}[k]\, \partial \hat{y}[k] / \partial H",
    ),
    "sum:grad_W1": Formula(
        "grad W^1 = sum_j grad H[j] d H[j] / d W^1, j = 1..N1",
        "p1-e-gradW1",
        r"\nabla W^1 = \sum_{j=1}^{N_1} \nabla H[j]\, \partial H[j] / \partial W^1",
    ),
    "sum:grad_W1_0": Formula(
        "grad W^1_0 = sum_j grad H[j] d H[j] / d W^1_0, j = 1..N1",
        "p1-e-gradW10",
        r"\nabla W^1_0 = \sum_{j=1}^{N_1} \nabla H[j]\, \partial H[j] / \partial W^1_0",
    ),
    # the partial derivatives inside the sums (the keys of entrywise_partials)
    "J": Formula("J = diag(y_hat) - y_hat y_hat^T", "p1-bp1", r"J = \mathrm{diag}(\hat{y}) - \hat{y}\, \hat{y}^T"),
    "dyhat_dW2": Formula(
        "d y_hat[k] / d W^2_i = y_hat[k] (1[i=k] - y_hat[i]) H",
        "p1-e-dyhat-dW2",
        r"\partial \hat{y}[k] / \partial W^2_i = J[k, i]\, H",
    ),
    "dyhat_dW2_0": Formula(
        "d y_hat[k] / d W^2_0[i] = y_hat[k] (1[i=k] - y_hat[i])",
        "p1-e-gradW20",
        r"\partial \hat{y}[k] / \partial W^2_0[i] = J[k, i]",
    ),
    "dyhat_dH": Formula(
        "d y_hat[k] / d H = y_hat[k] (W^2_k - sum_i y_hat[i] W^2_i)",
        "p1-e-gradH",
        r"\partial \hat{y}[k] / \partial H = \hat{y}[k] \bigl(W^2_k - \textstyle\sum_i \hat{y}[i]\, W^2_i\bigr)",
    ),
    "dH_dW1": Formula(
        "d H[j] / d W^1_i = 1[i=j] f'(z_1[j]) x",
        "p1-e-dH-dW1",
        r"\partial H[j] / \partial W^1_i = \mathbb{1}[i = j]\, f'(z_1[j])\, x",
    ),
    "dH_dW1_0": Formula(
        "d H[j] / d W^1_0[i] = 1[i=j] f'(z_1[j])",
        "p1-e-gradW10",
        r"\partial H[j] / \partial W^1_0[i] = \mathbb{1}[i = j]\, f'(z_1[j])",
    ),
    # the special cases
    "sq_grad": Formula("squared loss: grad y_hat = y_hat - y", "p1-sq-grad", r"\nabla \hat{y} = \hat{y} - y"),
    "sq_delta2": Formula(
        "squared loss: delta_2 = y_hat * (grad y_hat - (y_hat^T grad y_hat) 1)",
        "p1-sq-delta2",
        r"\delta_2 = \hat{y} \odot \bigl(\nabla\hat{y} - (\hat{y}^T \nabla\hat{y})\, \mathbf{1}\bigr)",
    ),
    "ce_grad": Formula(
        "cross-entropy: grad y_hat = -y / y_hat", "p1-ce-grad", r"\nabla \hat{y}[k] = -y[k] / \hat{y}[k]"
    ),
    "ce_general": Formula(
        "cross-entropy: delta_2 = (1^T y) y_hat - y", "p1-ce-general", r"\delta_2 = (\mathbf{1}^T y)\, \hat{y} - y"
    ),
    "ce_delta2": Formula(
        "cross-entropy, targets summing to 1: delta_2 = y_hat - y",
        "p1-ce-delta2",
        r"\delta_2 = \hat{y} - y \ \text{ if } \mathbf{1}^T y = 1",
    ),
    "sigmoid": Formula("sigmoid hidden layer: f'(z_1) = H * (1 - H)", "p1-sigmoid", r"f'(z_1) = H \odot (1 - H)"),
}


@dataclass(frozen=True)
class Check:
    """One formula compared with SymPy's derivative on one network."""

    key: str  # the formula's key in FORMULAS
    case: str  # the network, e.g. "(2, 3, 2): any f, general loss" (sizes (N, N1, K))
    residual: sp.Matrix

    @property
    def formula(self) -> str:
        if self.key.startswith("derivative:"):  # a row of DERIVATIVES, not a formula of Problem 1's page
            return f"{self.key.split(':')[1]}: f' in terms of H"
        return FORMULAS[self.key].text

    @property
    def label(self) -> str:
        return FORMULAS[self.key].label

    @property
    def verified(self) -> bool:
        return all(e == 0 for e in self.residual)


# Other equations of the page that a formula's check also covers, by the formula's key: the lines of the
# entry-wise derivation that collect its sums into the algorithm box's matrix form.
ALSO_IN = {
    "delta2": ("p1-e-delta2",),
    "grad_W2": ("p1-e-delta2",),
    "delta1": ("p1-e-delta1", "p1-relu"),  # on the ReLU regions, f'(z1) is the indicator of p1-relu
    "grad_W1": ("p1-e-delta1",),
}
# The order of the formulas in the summary table: the page's order.
PAGE_ORDER = (
    "delta2",
    "J",
    "grad_H",
    "delta1",
    "grad_W2_0",
    "grad_W1_0",
    "grad_W2",
    "grad_W1",
    "sum:grad_W2",
    "dyhat_dW2",
    "sum:grad_W2_0",
    "dyhat_dW2_0",
    "sum:grad_H",
    "dyhat_dH",
    "sum:grad_W1",
    "dH_dW1",
    "sum:grad_W1_0",
    "dH_dW1_0",
    "sq_grad",
    "sq_delta2",
    "ce_grad",
    "ce_general",
    "ce_delta2",
    "sigmoid",
)
LOSS_NAMES = {"general": "general loss", "squared": "squared loss", "cross_entropy": "cross-entropy"}
HIDDEN_NAMES = {"f": "any f", "sigmoid": "sigmoid", "relu": "ReLU"}


def describe(net: Net) -> str:
    """The network in words: "(2, 3, 2): any f, general loss", sizes (N, N1, K).

    For ReLU the region is named by its active (+) and inactive (-) units: "ReLU on region +-".
    """
    hidden = HIDDEN_NAMES[net.hidden]
    if net.pattern is not None:
        hidden += " on region " + "".join("+" if s else "-" for s in net.pattern)
    return f"{net.size}: {hidden}, {LOSS_NAMES[net.loss]}"


def _stack(blocks) -> sp.Matrix:
    """A nested list of column vectors (or matrices) as one tall matrix."""
    if isinstance(blocks, sp.MatrixBase):
        return sp.Matrix(blocks)
    flat = [b for row in blocks for b in (row if isinstance(row, list) else [row])]
    return sp.Matrix.vstack(*flat)


def check_network(net: Net, forms: Iterable[str] = ("matrix", "entry-wise", "partials")) -> list[Check]:
    """Compare the page's formulas with SymPy's derivatives on one network.

    forms: which to check: "matrix" (the backprop equations), "entry-wise" (the sums written out),
    "partials" (the partial derivatives inside those sums).
    """
    forms = set(forms)
    case = describe(net)
    out = []
    if forms & {"matrix", "entry-wise"}:
        exact = autodiff(net)
        if "matrix" in forms:
            for name, m in matrix_form(net).items():
                out.append(Check(name, case, net.difference(exact[name], m)))
        if "entry-wise" in forms:
            for name, m in entrywise(net).items():
                out.append(Check(f"sum:{name}", case, net.difference(exact[name], m)))
    if "partials" in forms:
        exact, formula = autodiff_partials(net), entrywise_partials(net)
        for name in formula:
            out.append(Check(name, case, net.difference(_stack(exact[name]), _stack(formula[name]))))
    return out


def check_special_cases(N: int = 2, N1: int = 2, K: int = 3) -> list[Check]:
    """The page's special cases: the squared loss, the cross-entropy (delta2 = y_hat - y), the sigmoid."""
    p = _vector("p", K)  # free symbols for y_hat, to differentiate the loss alone

    def loss_gradient(net):
        return _grad(net.loss_of(p), p).xreplace(dict(zip(p, net.y_hat, strict=True)))

    net = Net(N, N1, K, loss="squared")
    sq = describe(net)
    y_hat, y = net.y_hat, net.y
    g = y_hat - y  # the squared loss's grad y_hat
    no_matrix = y_hat.multiply_elementwise(g - (y_hat.T * g)[0] * sp.ones(K, 1))
    d2 = autodiff(net)["delta2"]
    out = [
        Check("sq_grad", sq, net.difference(loss_gradient(net), g)),
        Check("sq_delta2", sq, net.difference(d2, no_matrix)),
    ]

    net = Net(N, N1, K, loss="cross_entropy")
    ce = describe(net)
    y_hat, y = net.y_hat, net.y
    d2 = autodiff(net)["delta2"]
    on_simplex = {y[K - 1]: 1 - sum(y[: K - 1])}  # targets that sum to 1: y_K = 1 - y_1 - ... - y_{K-1}
    out += [
        Check(
            "ce_grad", ce, net.difference(loss_gradient(net), -y.multiply_elementwise(y_hat.applyfunc(lambda v: 1 / v)))
        ),
        Check("ce_general", ce, net.difference(d2, sum(y) * y_hat - y)),
        Check("ce_delta2", ce, net.difference(d2.xreplace(on_simplex), (y_hat - y).xreplace(on_simplex))),
    ]

    z = sp.Symbol("z")
    s = sigmoid(z)
    residual = sp.Matrix([sp.cancel(sp.diff(s, z) - s * (1 - s))])
    out.append(Check("sigmoid", "one unit: H = sigmoid(z)", residual))
    return out


def check_relu(N: int = 2, N1: int = 2, K: int = 2, loss: str = "general", forms=("matrix",)) -> list[Check]:
    """ReLU on each of its 2**N1 regions (each hidden unit active or not), with f'(z1[j]) = 1 or 0 there.

    Each Check's case names its region; ``summary`` lists them together as "ReLU on every region".
    """
    out = []
    for bits in range(2**N1):
        pattern = tuple((bits >> j) & 1 for j in range(N1))
        out += check_network(Net(N, N1, K, hidden="relu", loss=loss, pattern=pattern), forms)
    return out


def relu_derivative_convention() -> bool:
    """SymPy's derivative of relu(z) = Piecewise((z, z > 0), (0, True)) is 1 for z > 0 and 0 otherwise,
    which at the kink z = 0 gives 0: the convention relu'(0) = 0 of ``mlp.activations.relu_prime``. True if they agree
    (symbolically, and at z = -1, 0, 1 against mlp.activations.relu_prime)."""
    from mlp.activations import relu_prime

    z = sp.Symbol("z", real=True)
    d = sp.diff(sp.Piecewise((z, z > 0), (0, True)), z)
    symbolic = d == sp.Piecewise((1, z > 0), (0, True))
    points = np.array([-1.0, 0.0, 1.0])
    numeric = all(float(d.subs(z, v)) == relu_prime(np.array(v)) for v in points)
    return bool(symbolic and numeric)


def difference_at_random_point(net: Net, exact: sp.Matrix, formula: sp.Matrix, seed: int = 0) -> float:
    """The largest |exact - formula| at random weights, input and target: a counterexample when it is not 0.

    The zero test can only prove a formula right; this proves one wrong. It needs a network with a concrete
    activation and loss (the sigmoid, say): a formula that fails for one activation and loss is not general.
    The target is random too, so it need not sum to one. (For a ReLU region the random point may lie outside
    the region; the number then compares the two expressions, not ReLU's gradient.)
    """
    rng = np.random.default_rng(seed)
    N, N1, K = net.size
    params = (
        rng.standard_normal((N, N1)),
        rng.standard_normal(N1),
        rng.standard_normal((N1, K)),
        rng.standard_normal(K),
    )
    values = evaluate(net, {"exact": exact, "formula": formula}, params, rng.standard_normal(N), rng.standard_normal(K))
    return float(np.max(np.abs(values["exact"] - values["formula"])))


def evaluate(net: Net, exprs: dict[str, sp.Matrix], params, x, y) -> dict[str, np.ndarray]:
    """Numbers for symbolic expressions of a network with a concrete activation and loss.

    params = (W1, W1_0, W2, W2_0) as numpy arrays in the book's shapes, x (N,), y (K,). Returns float arrays
    of each expression's shape, columns (k, 1) flattened to (k,), ready to compare with ``mlp.backward``.
    """
    if net.hidden == "f" or net.loss == "general":
        raise ValueError("evaluate needs a concrete activation and loss (not the undefined f or ell)")
    values = {}
    for sym, val in zip((net.W1, net.W1_0, net.W2, net.W2_0, net.x, net.y), (*params, x, y), strict=True):
        val = np.asarray(val, dtype=float).reshape(sym.shape)
        values.update({s: float(v) for s, v in zip(sym, val.ravel(), strict=True)})
    out = {}
    for name, e in exprs.items():
        a = np.array(e.xreplace(values).evalf(), dtype=float)
        out[name] = a[:, 0] if a.shape[1] == 1 else a
    return out


def run_page() -> list[Check]:
    """The checks the book page runs (a few seconds): the general f and loss at (N, N1, K) = (2, 3, 2) in every
    form and at (3, 2, 4) in matrix form; Problem 2's setting (2, 2, 2), sigmoid and squared loss; the special
    cases; and ReLU on each region of a (2, 2, 2) network."""
    out = []
    out += check_network(Net(2, 3, 2))
    out += check_network(Net(3, 2, 4), forms=("matrix",))
    out += check_network(Net(2, 2, 2, hidden="sigmoid", loss="squared"), forms=("matrix",))
    out += check_special_cases()
    out += check_relu()
    return out


class SummaryRow(NamedTuple):
    """One line of the page's table: a formula, the equations its check covers, where it was checked."""

    formula: Formula
    labels: tuple[str, ...]  # its own label first, then ALSO_IN's
    cases: list[str]
    verified: bool


def summary(checks: Iterable[Check]) -> list[SummaryRow]:
    """One row per formula, in the page's order; ReLU's regions are listed together as one network."""
    rows: dict[str, list] = {}
    for c in checks:
        row = rows.setdefault(c.key, [[], True])
        case = re.sub(r" on region [+-]+", " on every region", c.case)
        if case not in row[0]:
            row[0].append(case)
        row[1] = row[1] and c.verified
    out = []
    for key in sorted(rows, key=PAGE_ORDER.index):
        f = FORMULAS[key]
        out.append(SummaryRow(f, (f.label, *ALSO_IN.get(key, ())), *rows[key]))
    return out


def summary_markdown(rows: list[SummaryRow]) -> str:
    """The page's table of ``summary`` rows as MyST Markdown: the networks by letter, then one line per formula
    with the equations it covers ({eq} roles), the formula, the networks it was checked on and the verdict."""
    networks = list(dict.fromkeys(case for row in rows for case in row.cases))
    letter = {case: chr(ord("a") + i) for i, case in enumerate(networks)}
    lines = ["The networks, with sizes $(N, N_1, K)$:", ""]
    lines += [f"- **{letter[case]}**: {case}" for case in networks]
    lines += ["", "| equations | formula | networks | SymPy |", "|---|---|---|---|"]
    for row in rows:
        refs = ", ".join(f"{{eq}}`{label}`" for label in row.labels)
        where = ", ".join(letter[case] for case in row.cases)
        verdict = "verified" if row.verified else "**NOT EQUAL**"
        lines.append(f"| {refs} | ${row.formula.tex}$ | {where} | {verdict} |")
    return "\n".join(lines)


# -- every hidden activation the package offers, and its derivative -------------------------------------------


class Derivative(NamedTuple):
    """A row of the derivatives table: an activation of ``mlp.activations.ACTIVATIONS``, f'(z), and f' with H = f(z).

    ``f`` and ``prime_of_H`` build SymPy expressions; ``check_derivatives`` compares them with SymPy's derivative.
    """

    name: str  # its key in mlp.activations.ACTIVATIONS
    f_tex: str
    prime_tex: str  # f'(z)
    prime_of_H_tex: str  # f'(z) in terms of H = f(z), the form backprop can use without z
    f: object  # z -> f(z)
    prime: object  # z -> f'(z)
    prime_of_H: object  # H -> f'(z)


def _relu(z):
    return sp.Piecewise((z, z > 0), (0, True))


DERIVATIVES = (
    Derivative(
        "sigmoid",
        r"\phi(z) = 1 / (1 + e^{-z})",
        r"\phi(z)\bigl(1 - \phi(z)\bigr)",
        r"H\,(1 - H)",
        sigmoid,
        lambda z: sigmoid(z) * (1 - sigmoid(z)),
        lambda H: H * (1 - H),
    ),
    Derivative(
        "tanh", r"\tanh z", r"1 - \tanh^2 z", r"1 - H^2", sp.tanh, lambda z: 1 - sp.tanh(z) ** 2, lambda H: 1 - H**2
    ),
    Derivative(
        "relu",
        r"\max(z, 0)",
        r"1 \text{ if } z > 0, \text{ else } 0",
        r"1 \text{ if } H > 0, \text{ else } 0",
        _relu,
        lambda z: sp.Piecewise((1, z > 0), (0, True)),
        lambda H: sp.Piecewise((1, H > 0), (0, True)),
    ),
    Derivative("identity", r"z", r"1", r"1", lambda z: z, lambda z: sp.Integer(1), lambda H: sp.Integer(1)),
)


def check_derivatives(table=DERIVATIVES) -> list[Check]:
    """Each row's f'(z), and its f' in terms of H, against SymPy's derivative of f, exactly.

    ReLU is checked on each side of its kink (z > 0 and z < 0, where it has a derivative); at z = 0 the table
    gives 0, the convention of ``mlp.activations.relu_prime`` (``derivative_values`` compares the numbers there too).
    """
    out = []
    for row in table:
        if row.name == "relu":
            points = [sp.Symbol("z", positive=True), sp.Symbol("z", negative=True)]
        else:
            points = [sp.Symbol("z", real=True)]
        residual = [
            sp.simplify(e)
            for z in points
            for e in (sp.diff(row.f(z), z) - row.prime(z), sp.diff(row.f(z), z) - row.prime_of_H(row.f(z)))
        ]
        out.append(Check("derivative:" + row.name, row.name, sp.Matrix(residual)))
    return out


def derivative_values(row: Derivative, z: np.ndarray) -> np.ndarray:
    """The table's f' in terms of H, as numbers at the points z (H = f(z) computed by SymPy too)."""
    s = sp.Symbol("z", real=True)
    values = [row.prime_of_H(row.f(s)).subs(s, sp.Float(v)) for v in np.ravel(z)]
    return np.array([float(v) for v in values]).reshape(np.shape(z))


def derivative_table_markdown(table=DERIVATIVES) -> str:
    """The derivatives table as MyST Markdown, for the prerequisites page and the summary card."""
    lines = [
        "| activation | $f(z)$ | $f'(z)$ | $f'$ in terms of $H = f(z)$ | in `mlp` |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.name} | ${r.f_tex}$ | ${r.prime_tex}$ | ${r.prime_of_H_tex}$ | `mlp.activations.{r.name}_prime(z)` |"
        for r in table
    ]
    return "\n".join(lines)


# -- the summary card: the four backprop equations with the shape of every factor ------------------------------


class CardRow(NamedTuple):
    """A line of the summary card: a formula of FORMULAS (so its SymPy check is the page's), and its shapes.

    ``factors`` are the shapes of the factors on the right, in order, ``result`` the shape of the left side,
    each as (rows, columns) in the sizes "N", "N1", "K" or the number 1; ``op`` says how the factors combine:
    "product" (a matrix product), "entrywise" (the product of entries, of equal shapes) or "equal" (one factor).
    """

    step: str
    key: str
    factors: tuple[tuple[str | int, str | int], ...]
    result: tuple[str | int, str | int]
    op: str


CARD = (
    CardRow("BP1", "delta2", (("K", "K"), ("K", 1)), ("K", 1), "product"),
    CardRow("BP2", "grad_H", (("N1", "K"), ("K", 1)), ("N1", 1), "product"),
    CardRow("BP2", "delta1", (("N1", 1), ("N1", 1)), ("N1", 1), "entrywise"),
    CardRow("BP3", "grad_W2_0", (("K", 1),), ("K", 1), "equal"),
    CardRow("BP3", "grad_W1_0", (("N1", 1),), ("N1", 1), "equal"),
    CardRow("BP4", "grad_W2", (("N1", 1), (1, "K")), ("N1", "K"), "product"),
    CardRow("BP4", "grad_W1", (("N", 1), (1, "N1")), ("N", "N1"), "product"),
)


def _shape_tex(shape) -> str:
    size = {"N": "N", "N1": "N_1", "K": "K", 1: "1"}
    return f"{size[shape[0]]} \\times {size[shape[1]]}"


def card_markdown(rows=CARD) -> str:
    """The card's backprop table as MyST Markdown: step, formula (the SymPy-checked LaTeX), shapes."""
    join = {"product": "", "entrywise": r" \odot ", "equal": ""}
    lines = ["| step | formula | shapes: left $=$ factors |", "|---|---|---|"]
    for r in rows:
        factors = join[r.op].join(f"({_shape_tex(s)})" for s in r.factors)
        lines.append(f"| {r.step} | ${FORMULAS[r.key].tex}$ | $({_shape_tex(r.result)}) = {factors}$ |")
    return "\n".join(lines)
