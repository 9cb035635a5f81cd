"""The one table of the pass: every quantity of one gradient step, in the order of the pass.

Each quantity has its key (``"section.name"``, as in ``explain --json``), its symbol (TeX and plain
Unicode), its shape in terms of N, N1 and K, what it means, the source's equation number where the
source has one, how mlp computes it (``value``: an operation on earlier quantities, in its exact form
at the extremes), and the routes the book teaches to compute it by hand, each from the quantities
it needs. A route may hold for some activations or losses only (delta2 = y_hat * sum(y) - y is the
cross-entropy's; f'(z1) from H only for sigmoid and tanh).

Everything that lists the quantities reads this table: ``mlp.explain`` (its report's order and
labels), ``mlp.compare`` (grading a reader's numbers along the routes), ``mlp.shapes`` (the shape
table) and the page "Check your numbers", whose rows and script take it as JSON (:func:`config`).
The operations are named here and implemented twice, by mlp (:mod:`mlp.intervals`, over intervals)
and by the page's script; a shared file of cases (tests/your_numbers_cases.json) holds them equal.
"""

from __future__ import annotations

from typing import NamedTuple

ACTIVATIONS = ("sigmoid", "relu", "tanh", "identity")
LOSSES = ("squared", "cross_entropy")


class Route(NamedTuple):
    """One way the book computes a quantity: an operation (:mod:`mlp.intervals`) on the inputs, in order."""

    op: str
    inputs: tuple[str, ...]
    tex: str  # the route as an equation, e.g. r"\delta_2 = \hat{y} - y"
    plain: str  # the same in plain text, for the command line
    where: tuple[str, str]  # the book's equation: (page, label)
    activations: tuple[str, ...] = ACTIVATIONS  # the route holds for these activations...
    losses: tuple[str, ...] = LOSSES  # ...and these losses


class Quantity(NamedTuple):
    key: str  # "section.name", the key of explain --json
    tex: str  # the symbol, TeX
    label: str  # the symbol, plain Unicode, for labels and messages
    shape: tuple[str, ...]  # () for a number, ("N1",) for a vector, ("N1", "K") for a matrix
    value: tuple[str, tuple[str, ...]]  # how mlp computes it: (operation, inputs)
    routes: tuple[Route, ...]
    meaning: str = ""
    batch: bool = False  # one column per example in a batch (the shape table adds B)
    source_eq: str = ""  # the source document's equation, for Problem 2
    equation: str = ""  # the equation that defines it, TeX; "" for its first route's
    plain: str = ""  # the same in plain text ({f}: the activation, {loss}: the loss, {fused}: delta2's fused form)

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]

    @property
    def eq_tex(self) -> str:
        return self.equation or self.routes[0].tex

    @property
    def eq_plain(self) -> str:
        return self.plain or self.routes[0].plain

    def routes_for(self, activation: str, loss: str) -> tuple[Route, ...]:
        return tuple(r for r in self.routes if activation in r.activations and loss in r.losses)


class Given(NamedTuple):
    """What a spec gives: the input, the target, the parameters and the learning rate."""

    key: str
    tex: str
    label: str
    shape: tuple[str, ...]
    meaning: str
    batch: bool = False


GIVEN: tuple[Given, ...] = (
    Given("x", "x", "x", ("N",), "input, one example per column", batch=True),
    Given("y", "y", "y", ("K",), "target (one-hot for classification)", batch=True),
    Given("W1", "W^1", "W¹", ("N", "N1"), "first-layer weights"),
    Given("W1_0", "W^1_0", "W¹₀", ("N1",), "first-layer bias"),
    Given("W2", "W^2", "W²", ("N1", "K"), "second-layer weights"),
    Given("W2_0", "W^2_0", "W²₀", ("K",), "second-layer bias"),
    Given("lr", "r", "r", (), "learning rate"),
)

SECTIONS = {
    "forward": "Forward pass",
    "backward": "Backward pass",
    "updated": "Gradient step, W <- W - lr * grad W (lr = {lr})",
    "after_both_layers": "Case 1: both layers updated",
    "after_second_layer_only": "Case 2: only the second layer updated (H unchanged)",
}

P1, P2, PRE, HERE = "problem1", "problem2", "prerequisites", "your_numbers"


def _forward(
    s: str, z1: str, W1: str, W1_0: str, W2: str, W2_0: str, H: str, new: bool, eqs: dict[str, str]
) -> tuple[Quantity, ...]:
    """z1, H, z2, y_hat and the loss, from the given keys (the updated parameters' after a step); eqs: the source's
    equation numbers, by name."""
    n, n0 = (r"_{\mathrm{new}}", r"_{0,\mathrm{new}}") if new else ("", "_0")
    pn = " new" if new else ""
    loss_routes = (
        Route("squared_loss", ("y", f"{s}.y_hat"), r"\ell = \tfrac12 \lVert y - \hat{y} \rVert^2",
              "loss = 1/2 ||y - y_hat||^2", (P2, "p2-loss"), losses=("squared",)),
        Route("cross_entropy", ("y", f"{s}.y_hat"), r"\ell = -\textstyle\sum_k y[k] \log \hat{y}[k]",
              "loss = -sum_k y[k] log y_hat[k]", (HERE, "yn-loss"), losses=("cross_entropy",)),
        Route("cross_entropy_logits", ("y", f"{s}.z2"),
              r"\ell = \textstyle\sum_k y[k] \bigl(\log \sum_j e^{z_2[j]} - z_2[k]\bigr)",
              "loss = sum_k y[k] (logsumexp(z2) - z2[k])", (HERE, "yn-loss"), losses=("cross_entropy",)),
    )  # fmt: skip
    out = []
    if z1:
        out += [
            Quantity(f"{s}.z1", "z_1", "z₁", ("N1",), ("affine", (W1, "x", W1_0)),
                     (Route("affine", (W1, "x", W1_0), rf"z_1 = (W^1{n})^T x + W^1{n0}", f"z1 = W1{pn}^T x + W1_0{pn}",
                            (P1, "p1-forward")),),
                     "hidden pre-activation", batch=True),
            Quantity(f"{s}.H", "H", "H", ("N1",), ("activation", (f"{s}.z1",)),
                     (Route("activation", (f"{s}.z1",), r"H = f(z_1)", "H = {f}(z1)", (P1, "p1-forward")),),
                     "hidden activation", batch=True, source_eq=eqs.get("H", "")),
        ]  # fmt: skip
    hidden = f"{s}.H" if z1 else H
    out += [
        Quantity(f"{s}.z2", "z_2", "z₂", ("K",), ("affine", (W2, hidden, W2_0)),
                 (Route("affine", (W2, hidden, W2_0), rf"z_2 = (W^2{n})^T H + W^2{n0}",
                        f"z2 = W2{pn}^T H + W2_0{pn}" + ("" if z1 or not new else ", H of before"),
                        (P1, "p1-forward")),),
                 "output pre-activation (logits)", batch=True),
        Quantity(f"{s}.y_hat", r"\hat{y}", "ŷ", ("K",), ("softmax", (f"{s}.z2",)),
                 (Route("softmax", (f"{s}.z2",), r"\hat{y} = \mathrm{softmax}(z_2)", "y_hat = softmax(z2)",
                        (P1, "p1-forward")),),
                 "predicted probabilities", batch=True, source_eq=eqs.get("y_hat", "")),
        Quantity(f"{s}.loss", r"\ell", "ℓ", (), ("loss", ("y", f"{s}.z2", f"{s}.y_hat")), loss_routes,
                 "the loss: the mean over the B columns", source_eq=eqs.get("loss", ""),
                 equation=r"\ell(y, \hat{y})", plain="loss = {loss}"),
    ]  # fmt: skip
    return tuple(out)


def _step(name: str, tex: str, label: str, shape: tuple[str, ...], grad: str, grad_tex: str, eq: str) -> Quantity:
    sub = r"_{0,\mathrm{new}}" if "_0" in name else r"_{\mathrm{new}}"
    new_tex = tex.replace("_0", "") + sub
    return Quantity(
        f"updated.{name}", new_tex, f"{label} new", shape, ("step", (name, "lr", f"backward.{grad}")),
        (Route("step", (name, "lr", f"backward.{grad}"), rf"{new_tex} = {tex} - r\,{grad_tex}",
               f"{name} new = {name} - lr grad_{name}", (P2, "p2-update")),),
        f"{label} after the step", source_eq=eq,
    )  # fmt: skip


PASS: tuple[Quantity, ...] = (
    *_forward("forward", "z1", "W1", "W1_0", "W2", "W2_0", "", new=False,
              eqs={"H": "eq 14", "y_hat": "eq 16", "loss": "eq 31"}),
    Quantity("backward.grad_y_hat", r"\nabla\hat{y}", "∇ŷ", ("K",),
             ("grad_y_hat", ("y", "forward.z2", "forward.y_hat")),
             (Route("squared_grad", ("y", "forward.y_hat"), r"\nabla\hat{y} = \hat{y} - y", "grad_y_hat = y_hat - y",
                    (P1, "p1-sq-grad"), losses=("squared",)),
              Route("cross_entropy_grad", ("y", "forward.y_hat"), r"\nabla\hat{y} = -y / \hat{y}",
                    "grad_y_hat = -y / y_hat", (P1, "p1-ce-grad"), losses=("cross_entropy",))),
             "loss gradient dl/dy_hat", batch=True, source_eq="eq 17",
             equation=r"\nabla\hat{y} = \partial\ell/\partial\hat{y}", plain="grad_y_hat = dl/dy_hat"),
    Quantity("backward.softmax_jacobian", "J", "J", ("K", "K"), ("softmax_jacobian", ("forward.z2", "forward.y_hat")),
             (Route("jacobian", ("forward.y_hat",), r"J = \mathrm{diag}(\hat{y}) - \hat{y}\hat{y}^T",
                    "J = diag(y_hat) - y_hat y_hat^T", (PRE, "softmax-jacobian")),),
             "softmax Jacobian dy_hat/dz2 (one example)"),
    Quantity("backward.delta2", r"\delta_2", "δ₂", ("K",), ("delta2", ("y", "forward.z2", "forward.y_hat")),
             (Route("cross_entropy_delta2", ("y", "forward.y_hat"), r"\delta_2 = \hat{y} \textstyle\sum_k y[k] - y",
                    "delta2 = y_hat * sum(y) - y", (P1, "p1-ce-general"), losses=("cross_entropy",)),
              Route("softmax_backward", ("forward.y_hat", "backward.grad_y_hat"),
                    r"\delta_2 = \hat{y} \odot (\nabla\hat{y} - \hat{y}^T \nabla\hat{y})",
                    "delta2 = y_hat * (grad_y_hat - y_hat . grad_y_hat)", (P1, "p1-sq-delta2")),
              Route("jacobian_product", ("backward.softmax_jacobian", "backward.grad_y_hat"),
                    r"\delta_2 = J^T \nabla\hat{y}", "delta2 = J^T grad_y_hat", (P1, "p1-bp1"))),
             "output error dl/dz2", batch=True, equation=r"\delta_2 = J^T \nabla\hat{y}",
             plain="delta2 = J^T grad_y_hat{fused}"),
    Quantity("backward.grad_W2", r"\nabla W^2", "∇W²", ("N1", "K"), ("outer", ("forward.H", "backward.delta2")),
             (Route("outer", ("forward.H", "backward.delta2"), r"\nabla W^2 = H \delta_2^T", "grad_W2 = H delta2^T",
                    (P1, "p1-bp4")),),
             "gradient of W2", source_eq="eq 19"),
    Quantity("backward.grad_W2_0", r"\nabla W^2_0", "∇W²₀", ("K",), ("copy", ("backward.delta2",)),
             (Route("copy", ("backward.delta2",), r"\nabla W^2_0 = \delta_2", "grad_W2_0 = delta2", (P1, "p1-bp3")),),
             "gradient of W2_0: delta2 summed over the B columns", source_eq="eq 20"),
    Quantity("backward.grad_H", r"\nabla H", "∇H", ("N1",), ("matvec", ("W2", "backward.delta2")),
             (Route("matvec", ("W2", "backward.delta2"), r"\nabla H = W^2 \delta_2", "grad_H = W2 delta2",
                    (P1, "p1-bp2")),),
             "gradient at the hidden layer", batch=True, source_eq="eq 21"),
    Quantity("backward.f_prime_z1", "f'(z_1)", "f′(z₁)", ("N1",), ("f_prime", ("forward.z1",)),
             (Route("f_prime", ("forward.z1",), r"f'(z_1) \text{ from } z_1", "{f}'(z1)", (HERE, "yn-f-prime")),
              Route("f_prime_of_H", ("forward.H",), r"f'(z_1) = H \odot (1 - H)", "f'(z1) = H (1 - H)",
                    (PRE, "sigmoid-prime"), activations=("sigmoid",)),
              Route("f_prime_of_H", ("forward.H",), r"f'(z_1) = 1 - H \odot H", "f'(z1) = 1 - H^2",
                    (HERE, "yn-f-prime"), activations=("tanh",))),
             "the activation's slope at z1", batch=True, plain="{f}'(z1)"),
    Quantity("backward.delta1", r"\delta_1", "δ₁", ("N1",), ("hadamard", ("backward.grad_H", "backward.f_prime_z1")),
             (Route("hadamard", ("backward.grad_H", "backward.f_prime_z1"), r"\delta_1 = \nabla H \odot f'(z_1)",
                    "delta1 = grad_H * f'(z1)", (P1, "p1-bp2")),),
             "hidden error dl/dz1", batch=True),
    Quantity("backward.grad_W1", r"\nabla W^1", "∇W¹", ("N", "N1"), ("outer", ("x", "backward.delta1")),
             (Route("outer", ("x", "backward.delta1"), r"\nabla W^1 = x \delta_1^T", "grad_W1 = x delta1^T",
                    (P1, "p1-bp4")),),
             "gradient of W1", source_eq="eq 22"),
    Quantity("backward.grad_W1_0", r"\nabla W^1_0", "∇W¹₀", ("N1",), ("copy", ("backward.delta1",)),
             (Route("copy", ("backward.delta1",), r"\nabla W^1_0 = \delta_1", "grad_W1_0 = delta1", (P1, "p1-bp3")),),
             "gradient of W1_0: delta1 summed over the B columns", source_eq="eq 23"),
    _step("W1", "W^1", "W¹", ("N", "N1"), "grad_W1", r"\nabla W^1", "eq 27"),
    _step("W1_0", "W^1_0", "W¹₀", ("N1",), "grad_W1_0", r"\nabla W^1_0", "eq 28"),
    _step("W2", "W^2", "W²", ("N1", "K"), "grad_W2", r"\nabla W^2", "eq 25"),
    _step("W2_0", "W^2_0", "W²₀", ("K",), "grad_W2_0", r"\nabla W^2_0", "eq 26"),
    *_forward("after_both_layers", "z1", "updated.W1", "updated.W1_0", "updated.W2", "updated.W2_0", "", new=True,
              eqs={"H": "eq 29", "y_hat": "eq 30", "loss": "eq 32"}),
    *_forward("after_second_layer_only", "", "", "", "updated.W2", "updated.W2_0", "forward.H", new=True,
              eqs={"y_hat": "eq 33", "loss": "eq 34"}),
)  # fmt: skip

ORDER = {q.key: i for i, q in enumerate(PASS)}
QUANTITIES = {q.key: q for q in PASS}
SOURCE_EQS = {tuple(q.key.split(".", 1)): q.source_eq for q in PASS if q.source_eq}


def shape_of(q: Quantity | Given, sizes: dict[str, int]) -> tuple[int, ...]:
    """The quantity's shape for one example, from {"N": ..., "N1": ..., "K": ...}."""
    return tuple(sizes[d] for d in q.shape)


def config() -> dict:
    """The table as JSON, for the page's script: keys, symbols, shapes, values' and routes' operations."""

    def route(r: Route) -> dict:
        return {"op": r.op, "inputs": list(r.inputs), "plain": r.plain, "activations": list(r.activations),
                "losses": list(r.losses)}  # fmt: skip

    def quantity(q: Quantity) -> dict:
        value = {"op": q.value[0], "inputs": list(q.value[1])}
        return {"key": q.key, "label": q.label, "shape": list(q.shape), "value": value,
                "routes": [route(r) for r in q.routes]}  # fmt: skip

    return {
        "given": [{"key": g.key, "label": g.label, "shape": list(g.shape)} for g in GIVEN],
        "pass": [quantity(q) for q in PASS],
    }
