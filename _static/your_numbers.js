/* "Check your numbers" (chapters/your_numbers.md): the worked example of `python -m mlp explain`, live, for the
   reader's own network. Plain JavaScript, no library, nothing fetched. Jupyter Book links every script in _static
   on every page, so this one does nothing unless the page holds #yn-app.

   Numbers follow mlp: z1 = W1^T x + W1_0, H = f(z1), z2 = W2^T H + W2_0, y_hat = softmax(z2) (the max subtracted
   first), the cross-entropy from the logits by log-sum-exp, delta2 = y_hat * (g - y_hat . g) for the squared loss
   and y_hat * sum(y) - y for the cross-entropy, then one gradient step in the source's two cases. Matrices are
   arrays of rows, as in the spec: W1[i][j] is the weight from input i to hidden unit j. */
(function () {
  "use strict";

  let MAX_SIZE = 10; // N, N1 and K; the page's config (chapters/your_numbers.md) sets it
  let DECIMALS = 4; // as mlp.compare.DECIMALS, also from the config
  const KEYS = ["x", "y", "W1", "W1_0", "W2", "W2_0", "activation", "loss", "lr"];

  // ---- activations, each with its derivative at the pre-activation ----------------------------------------
  function sigmoid(z) {
    const e = Math.exp(-Math.abs(z)); // in (0, 1]: never overflows
    return z >= 0 ? 1 / (1 + e) : e / (1 + e);
  }
  const ACTIVATIONS = {
    sigmoid: [sigmoid, (z) => { const s = sigmoid(z); return s * (1 - s); }],
    relu: [(z) => (z > 0 ? z : 0), (z) => (z > 0 ? 1 : 0)], // relu'(0) = 0, as in mlp
    tanh: [Math.tanh, (z) => { const t = Math.tanh(z); return 1 - t * t; }],
    identity: [(z) => z, () => 1],
  };
  const LOSSES = ["squared", "cross_entropy"];

  // ---- the pass -----------------------------------------------------------------------------------------------
  // Exact at the extremes, as mlp is (mlp/softmax.py, mlp/losses.py). Where one logit leads by far, its probability
  // rounds to 1 and 1 - y_hat to 0, though the exact value is the sum of the other probabilities: so the leading
  // class's 1 - y_hat is taken as that sum, the loss from the logits, and delta2 in forms that never subtract two
  // numbers that both round to 1.
  const SATURATED = 1 - 2 ** -10; // above it 1 - y_hat, computed plainly, would lose more than 10 of 53 bits

  function softmax(z) {
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    let s = 0;
    for (const v of e) s += v;
    return e.map((v) => v / s);
  }

  /** The index of the largest entry (the first, if several are equal). */
  function argmax(v) {
    let top = 0;
    for (let k = 1; k < v.length; k++) if (v[k] > v[top]) top = k;
    return top;
  }

  /** 1 - y_hat[top] as the sum of the other probabilities: exact where y_hat[top] rounds to 1. */
  function topComplement(yHat, top) {
    let s = 0;
    for (let k = 0; k < yHat.length; k++) if (k !== top) s += yHat[k];
    return s;
  }

  /** The cross-entropy -sum_k y[k] log softmax(z2)[k] by log-sum-exp, never from clipped probabilities:
   *  log softmax(z2) = (z2 - m) - log1p(sum of exp(z2[j] - m) over all j but the largest). */
  function crossEntropy(y, z2) {
    const top = argmax(z2);
    const m = z2[top];
    let rest = 0;
    for (let k = 0; k < z2.length; k++) if (k !== top) rest += Math.exp(z2[k] - m);
    const logSum = Math.log1p(rest);
    let s = 0;
    for (let k = 0; k < y.length; k++) s += y[k] * (z2[k] - m - logSum);
    return -s + 0; // + 0: never -0
  }

  /** r = y_hat - y, the leading class's entry as (1 - y) - (1 - y_hat) where y_hat is near 1; and that class. */
  function residual(y, z2, yHat) {
    const r = yHat.map((v, k) => v - y[k]);
    if (Math.max(...yHat) <= SATURATED) return [r, null];
    const top = argmax(z2);
    r[top] = (1 - y[top]) - topComplement(yHat, top);
    return [r, top];
  }

  function lossValue(y, z2, yHat, loss) {
    if (loss === "cross_entropy") return crossEntropy(y, z2);
    const [r] = residual(y, z2, yHat);
    let s = 0;
    for (const v of r) s += v * v;
    return 0.5 * s;
  }

  /** grad y_hat and delta2 = J^T grad y_hat for the loss, from the logits. */
  function outputGradients(y, z2, yHat, loss) {
    const K = y.length;
    if (loss === "squared") {
      const [r, top] = residual(y, z2, yHat);
      let delta2;
      if (top === null) { // J^T r = y_hat * (r - y_hat . r)
        let inner = 0;
        for (let k = 0; k < K; k++) inner += yHat[k] * r[k];
        delta2 = yHat.map((v, k) => v * (r[k] - inner));
      } else { // the same, with d = r - r[top]: y_hat * (d - y_hat . d), every term exact or weighted by a small y_hat
        const d = r.map((v) => v - r[top]);
        let T = 0;
        for (let k = 0; k < K; k++) T += yHat[k] * d[k];
        delta2 = yHat.map((v, k) => v * (d[k] - T));
      }
      return [r, delta2];
    }
    // cross-entropy: grad y_hat = -y / y_hat (0 where the target is 0; -inf where y_hat underflowed to 0),
    // and the fused delta2 = y_hat * sum(y) - y, the leading class's entry as (sum(y) - y) - (1 - y_hat) sum(y)
    const grad = y.map((v, k) => (v === 0 ? 0 : -v / yHat[k]));
    let sy = 0;
    for (const v of y) sy += v;
    const delta2 = yHat.map((v, k) => v * sy - y[k]);
    if (Math.max(...yHat) > SATURATED) {
      const top = argmax(z2);
      delta2[top] = (sy - y[top]) - topComplement(yHat, top) * sy;
    }
    return [grad, delta2];
  }

  /** J = diag(y_hat) - y_hat y_hat^T, the diagonal as y_hat (1 - y_hat) with the leading class's 1 - y_hat exact. */
  function softmaxJacobian(z2, yHat) {
    const complement = yHat.map((v) => 1 - v);
    const top = argmax(yHat);
    complement[top] = topComplement(yHat, top);
    return yHat.map((a, k) => yHat.map((b, i) => (k === i ? a * complement[k] : -a * b)));
  }

  function forward(p, x, act) {
    const f = ACTIVATIONS[act][0];
    const N = x.length, N1 = p.W1_0.length, K = p.W2_0.length;
    const z1 = new Array(N1);
    for (let j = 0; j < N1; j++) {
      let s = 0;
      for (let i = 0; i < N; i++) s += p.W1[i][j] * x[i];
      z1[j] = s + p.W1_0[j];
    }
    const H = z1.map(f);
    const z2 = new Array(K);
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let j = 0; j < N1; j++) s += p.W2[j][k] * H[j];
      z2[k] = s + p.W2_0[k];
    }
    return { z1, H, z2, y_hat: softmax(z2) };
  }

  function step(p, g, lr, layers) {
    const move = (w, gw) => w.map((v, i) => (Array.isArray(v) ? v.map((u, j) => u - lr * gw[i][j]) : v - lr * gw[i]));
    return {
      W1: layers.includes(1) ? move(p.W1, g.grad_W1) : p.W1,
      W1_0: layers.includes(1) ? move(p.W1_0, g.grad_W1_0) : p.W1_0,
      W2: layers.includes(2) ? move(p.W2, g.grad_W2) : p.W2,
      W2_0: layers.includes(2) ? move(p.W2_0, g.grad_W2_0) : p.W2_0,
    };
  }

  /** Python's format(lr, "g"), near enough for a message. */
  const g6 = (v) => String(Number(v.toPrecision(6)));

  /** Every quantity of `python -m mlp explain`, keyed "section.name", f'(z1) as backward.f_prime_z1. Throws, naming
   *  the first quantity in the order of the pass that overflowed, as explain does. */
  function explain(spec) {
    const { x, y, activation: act, loss, lr } = spec;
    const p = { W1: spec.W1, W1_0: spec.W1_0, W2: spec.W2, W2_0: spec.W2_0 };
    const N1 = p.W1_0.length, K = y.length;
    const fwd = forward(p, x, act);
    const { z1, H, z2, y_hat: yHat } = fwd;
    const [gradYHat, delta2] = outputGradients(y, z2, yHat, loss);
    const gradW2 = H.map((h) => delta2.map((d) => h * d));
    const gradH = new Array(N1);
    for (let j = 0; j < N1; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += p.W2[j][k] * delta2[k];
      gradH[j] = s;
    }
    const fPrime = z1.map(ACTIVATIONS[act][1]);
    const delta1 = gradH.map((g, j) => g * fPrime[j]);
    const gradW1 = x.map((v) => delta1.map((d) => v * d));
    const g = { grad_W1: gradW1, grad_W1_0: delta1, grad_W2: gradW2, grad_W2_0: delta2 };
    const both = step(p, g, lr, [1, 2]);
    const second = step(p, g, lr, [2]);
    const a = forward(both, x, act);
    const b = forward(second, x, act);
    const out = {
      "forward.z1": z1, "forward.H": H, "forward.z2": z2, "forward.y_hat": yHat,
      "forward.loss": lossValue(y, z2, yHat, loss),
      "backward.grad_y_hat": gradYHat, "backward.softmax_jacobian": softmaxJacobian(z2, yHat),
      "backward.delta2": delta2, "backward.grad_W2": gradW2, "backward.grad_W2_0": delta2.slice(),
      "backward.grad_H": gradH, "backward.f_prime_z1": fPrime, "backward.delta1": delta1,
      "backward.grad_W1": gradW1, "backward.grad_W1_0": delta1.slice(),
      "updated.W1": both.W1, "updated.W1_0": both.W1_0, "updated.W2": both.W2, "updated.W2_0": both.W2_0,
      "after_both_layers.z1": a.z1, "after_both_layers.H": a.H, "after_both_layers.z2": a.z2,
      "after_both_layers.y_hat": a.y_hat, "after_both_layers.loss": lossValue(y, a.z2, a.y_hat, loss),
      "after_second_layer_only.z2": b.z2, "after_second_layer_only.y_hat": b.y_hat,
      "after_second_layer_only.loss": lossValue(y, b.z2, b.y_hat, loss),
    };
    for (const [key, value] of Object.entries(out)) {
      if (key === "backward.grad_y_hat") continue; // -y / y_hat is -inf where y_hat underflows; nothing reads it
      if (!flat(value).every(Number.isFinite)) {
        const [section, name] = key.split(".");
        const after = section === "forward" ? "" : ` after the gradient step with lr = ${g6(lr)} (try a smaller lr)`;
        throw new Error(`${name} (${section}) overflowed to inf or nan${after}: the weights or inputs are too large`);
      }
    }
    return out;
  }

  function flat(v) {
    return Array.isArray(v) ? v.flat() : [v];
  }

  // ---- numbers for people: mlp.fmt, digit for digit ---------------------------------------------------------
  // Python rounds the exact binary value half to even; toFixed rounds ties up. Away from a tie the two agree (both
  // are correctly rounded), so toFixed does; near one, round the exact decimal
  // expansion ourselves: toFixed(100) is exact for every double from 2^-47 up to 1e21 (and a smaller one rounds
  // to 0 at 4 decimals); beyond 1e21 a double is an integer, which BigInt writes out exactly.
  function exactDecimal(a) {
    const s = a < 1e21 ? a.toFixed(100) : BigInt(a).toString();
    const dot = s.indexOf(".");
    return dot < 0 ? [s, ""] : [s.slice(0, dot), s.slice(dot + 1)];
  }

  /** digits (a string) rounded half to even to its first `keep` digits; returns the kept digits, maybe one longer. */
  function roundDigits(digits, keep) {
    const kept = digits.slice(0, keep).split("").map(Number);
    const rest = digits.slice(keep);
    const first = rest.length ? Number(rest[0]) : 0;
    const beyond = /[1-9]/.test(rest.slice(1));
    const up = first > 5 || (first === 5 && (beyond || kept[kept.length - 1] % 2 === 1));
    if (up) {
      let i = kept.length - 1;
      while (i >= 0 && kept[i] === 9) kept[i--] = 0;
      if (i < 0) kept.unshift(1);
      else kept[i] += 1;
    }
    return kept.join("");
  }

  function fixed(a, decimals) {
    const scaled = a * 10 ** decimals;
    if (Math.abs(scaled - Math.floor(scaled) - 0.5) > 1e-3 && scaled < 2 ** 52) return a.toFixed(decimals); // no tie
    const [int, frac] = exactDecimal(a);
    const d = roundDigits(int + frac.padEnd(decimals, "0"), int.length + decimals);
    const cut = d.length - decimals;
    return d.slice(0, cut) + "." + d.slice(cut);
  }

  function scientific(a, decimals) {
    const [int, frac] = exactDecimal(a); // a >= 1e15: int has no leading zero
    let e = int.length - 1;
    let d = roundDigits(int + frac, decimals + 1);
    if (d.length > decimals + 1) { d = d.slice(0, decimals + 1); e += 1; }
    return d[0] + "." + d.slice(1) + "e+" + String(e).padStart(2, "0");
  }

  /** mlp.fmt: exact zeros as 0, whole numbers without decimals, others to 4 decimals, 1e15 and up in scientific
   *  notation, never a minus sign in front of a zero. */
  function fmt(v, decimals = DECIMALS) {
    if (v === 0) return "0";
    if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v < 0 ? "-inf" : "inf";
    const sign = v < 0 ? "-" : "";
    const a = Math.abs(v);
    if (a >= 1e15) return sign + scientific(a, decimals);
    if (Number.isInteger(v)) return String(v);
    const s = sign + fixed(a, decimals);
    return sign && Number(s) === 0 ? s.slice(1) : s;
  }

  /** The number as shown, read back: what "agrees to the 4 decimals shown" compares. */
  const shown = (v) => (Number.isFinite(v) ? Number(fmt(v)) : v);

  // ---- reading what the reader typed --------------------------------------------------------------------------
  const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

  /** A typed number, or an Error whose message says what is wrong with it. */
  function parseNumber(text) {
    const t = text.trim().replace(/\u2212/g, "-");
    if (t === "") return new Error("is empty: type a number");
    if (!NUMBER.test(t)) return new Error(`is not a number: "${text.trim()}" (write numbers like -0.5 or 2e-3)`);
    const v = Number(t);
    if (!Number.isFinite(v)) return new Error(`is too large: ${t} (a double holds at most about 1.8e308)`);
    return v;
  }

  function shapeOf(v) {
    if (!Array.isArray(v)) return [];
    return Array.isArray(v[0]) ? [v.length, v[0].length] : [v.length];
  }
  const shapeText = (s) => (s.length === 0 ? "a number" : "(" + s.join(", ") + (s.length === 1 ? ",)" : ")"));

  const pyRepr = (v) => (typeof v === "string" ? `'${v}'` : JSON.stringify(v));

  /** A decoded spec checked as mlp.spec.parse_spec checks it, with the CLI's messages (and N, N1, K at most
   *  MAX_SIZE); throws an Error whose key names the field. */
  function checkSpec(obj) {
    const fail = (key, message) => { const e = new Error(message); e.key = key; throw e; };
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
      fail("spec", `the spec must be a JSON object {...}; got a JSON ${Array.isArray(obj) ? "array" : typeof obj}`);
    }
    for (const k of KEYS) if (!(k in obj)) fail(k, `the spec is missing the key '${k}' (required: ${KEYS.join(", ")})`);
    for (const k of Object.keys(obj).sort()) {
      if (!KEYS.includes(k) && k !== "source" && k !== "note") fail(k, `the spec has an unknown key '${k}' (allowed: ${KEYS.join(", ")})`);
    }
    for (const [k, known] of [["activation", Object.keys(ACTIVATIONS)], ["loss", LOSSES]]) {
      if (!known.includes(obj[k])) fail(k, `unknown ${k} ${pyRepr(obj[k])}: expected one of ${[...known].sort().join(", ")}`);
    }
    const numbers = (k, v, where) => v.forEach((e, i) => {
      if (typeof e !== "number") fail(k, `${k} must contain only real numbers; got ${JSON.stringify(e)} at ${k}${where}[${i}]`);
    });
    for (const k of ["x", "y"]) {
      if (!Array.isArray(obj[k]) || obj[k].some(Array.isArray)) fail(k, `${k} must be a flat list of numbers (one example)`);
      numbers(k, obj[k], "");
    }
    const shape = (v) => "(" + v.join(", ") + (v.length === 1 ? ",)" : ")");
    const vector = (k, n, symbol) => {
      const v = obj[k];
      if (!Array.isArray(v) || v.some(Array.isArray)) fail(k, `${k} must be a flat list of numbers`);
      numbers(k, v, "");
      if (v.length !== n) fail(k, `${k} has shape (${v.length},), expected (${symbol},) = (${n},)`);
      return v;
    };
    const matrix = (k, symbols) => {
      const v = obj[k];
      if (!Array.isArray(v) || !v.every(Array.isArray)) fail(k, `${k} must be a matrix of shape ${symbols}; got a list that is not of rows`);
      if (v.some((r) => r.length !== v[0].length)) fail(k, `${k} is not a rectangular array of numbers (rows of different lengths?)`);
      v.forEach((r, i) => numbers(k, r, `[${i}]`));
      return v;
    };
    const x = obj.x;
    if (x.length === 0) fail("x", "x has shape (0,): an example needs at least one input (N >= 1)");
    const N = x.length;
    const W1 = matrix("W1", "(N, N1)");
    const N1 = W1.length ? W1[0].length : 0;
    if (W1.length === 0 || N1 === 0) fail("W1", `W1 has shape ${shape([W1.length, N1])}: a network needs N >= 1 and N1 >= 1`);
    if (W1.length !== N) fail("W1", `W1 has shape ${shape([W1.length, N1])}, expected (N, N1) = ${shape([N, N1])}`);
    const W1_0 = vector("W1_0", N1, "N1");
    const W2 = matrix("W2", "(N1, K)");
    const K = W2.length ? W2[0].length : 0;
    if (W2.length !== N1) fail("W2", `W2 has shape ${shape([W2.length, K])}, expected (N1, K) = ${shape([N1, K])}`);
    if (K === 0) fail("W2", `W2 has shape ${shape([W2.length, K])}: a network needs at least one output (K >= 1)`);
    const W2_0 = vector("W2_0", K, "K");
    const y = obj.y;
    if (y.length !== K) fail("y", `y has shape (${y.length},), expected (K,) = (${K},)`);
    if (typeof obj.lr !== "number") fail("lr", `lr must be a number; got ${JSON.stringify(obj.lr)}`);
    if (obj.lr < 0) fail("lr", `lr must be a finite number >= 0; got ${obj.lr}`);
    for (const [k, n, name] of [["x", N, "N"], ["W1_0", N1, "N1"], ["W2_0", K, "K"]]) {
      if (n > MAX_SIZE) fail(k, `${k} has ${n} entries: this page takes ${name} up to ${MAX_SIZE}`);
    }
    return { x, y, W1, W1_0, W2, W2_0, activation: obj.activation, loss: obj.loss, lr: obj.lr };
  }

  // ---- the page ---------------------------------------------------------------------------------------------------
  function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === false || v === null || v === undefined) continue;
      if (k === "text") e.textContent = v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c) e.append(c);
    return e;
  }

  // The six inputs: [name, rows, columns, legend]; rows and columns name the sizes.
  const GRIDS = [
    ["x", "N", null, "x, the input (N entries)"],
    ["y", "K", null, "y, the target (K entries)"],
    ["W1", "N", "N1", "W1, first-layer weights (N rows, N1 columns)"],
    ["W1_0", "N1", null, "W1_0, first-layer bias (N1 entries)"],
    ["W2", "N1", "K", "W2, second-layer weights (N1 rows, K columns)"],
    ["W2_0", "K", null, "W2_0, second-layer bias (K entries)"],
  ];

  function start(root) {
    const config = JSON.parse(document.getElementById("yn-config").textContent);
    MAX_SIZE = config.max_size;
    DECIMALS = config.decimals;
    const inputs = root.querySelector("#yn-inputs");
    const status = root.querySelector("#yn-status");
    const page = document.body; // the quantities sit in the page's sections, outside #yn-app
    const blocks = [...page.querySelectorAll(".yn-q")];
    const state = { sizes: { N: 2, N1: 2, K: 2 }, cells: {}, last: null };
    let renders = 0;

    // -- the form
    const presetBox = el("div", { class: "yn-presets", role: "group", "aria-labelledby": "yn-presets-label" },
      el("span", { id: "yn-presets-label", class: "yn-label", text: "Start from:" }));
    for (const preset of config.presets) {
      const b = el("button", { type: "button", class: "yn-button", "data-preset": preset.id, text: preset.label });
      b.addEventListener("click", () => load(preset.spec));
      presetBox.append(b);
    }
    const sizeBox = el("fieldset", { class: "yn-sizes" }, el("legend", { text: `Sizes (1 to ${MAX_SIZE})` }));
    const sizeFields = {};
    for (const [name, what] of [["N", "inputs"], ["N1", "hidden units"], ["K", "outputs"]]) {
      const id = `yn-size-${name}`;
      const f = el("input", { id, type: "number", min: 1, max: MAX_SIZE, step: 1, "data-field": name, inputmode: "numeric" });
      sizeFields[name] = f;
      sizeBox.append(el("span", { class: "yn-pair" }, el("label", { for: id, text: `${name}, ${what}` }), f));
    }
    const choose = (id, label, options) => {
      const s = el("select", { id, "data-field": id.replace("yn-", "") });
      for (const o of options) s.append(el("option", { value: o, text: o }));
      return [el("label", { for: id, text: label }), s];
    };
    const [actLabel, actField] = choose("yn-activation", "hidden activation f", Object.keys(ACTIVATIONS));
    const [lossLabel, lossField] = choose("yn-loss", "loss", LOSSES);
    const lrField = el("input", { id: "yn-lr", type: "text", "data-field": "lr", autocomplete: "off", spellcheck: "false", size: 8 });
    const optionBox = el("fieldset", { class: "yn-sizes" }, el("legend", { text: "Network and step" }),
      el("span", { class: "yn-pair" }, actLabel, actField), el("span", { class: "yn-pair" }, lossLabel, lossField),
      el("span", { class: "yn-pair" }, el("label", { for: "yn-lr", text: "learning rate lr" }), lrField));
    const gridBox = el("div", { class: "yn-grids" });
    inputs.append(presetBox, sizeBox, optionBox, gridBox);

    function cellText(name, i, j) {
      const rows = state.cells[name] || [];
      const row = rows[i] || [];
      return row[j === null ? 0 : j] ?? "0";
    }

    /** (Re)draw the six grids for the current sizes, keeping what was typed where it still fits. */
    function drawGrids() {
      gridBox.replaceChildren();
      for (const [name, rowsOf, colsOf, legend] of GRIDS) {
        const rows = state.sizes[rowsOf];
        const cols = colsOf ? state.sizes[colsOf] : null;
        const fs = el("fieldset", { class: "yn-grid", "data-grid": name }, el("legend", { text: legend }));
        const table = el("table", { class: "yn-table" });
        if (cols) {
          const head = el("tr", {}, el("td"));
          for (let j = 0; j < cols; j++) head.append(el("th", { scope: "col", text: String(j + 1) }));
          table.append(el("thead", {}, head));
        }
        const body = el("tbody");
        const vectorRow = el("tr");
        for (let i = 0; i < rows; i++) {
          const tr = cols ? el("tr", {}, el("th", { scope: "row", text: String(i + 1) })) : vectorRow;
          for (let j = 0; j < (cols || 1); j++) {
            const label = cols ? `${name}[${i + 1}, ${j + 1}]` : `${name}[${i + 1}]`;
            const f = el("input", {
              type: "text", class: "yn-cell", "aria-label": label, "data-cell": name, "data-i": i,
              "data-j": cols ? j : "", autocomplete: "off", spellcheck: "false", value: cellText(name, i, cols ? j : null),
            });
            tr.append(el("td", {}, f));
          }
          if (cols) body.append(tr);
        }
        if (!cols) body.append(vectorRow);
        table.append(body);
        fs.append(el("div", { class: "yn-scroll" }, table), el("p", { class: "yn-error", id: `yn-error-${name}`, hidden: true }));
        gridBox.append(fs);
      }
    }

    /** Everything typed, as strings: state.cells[name][i][j] (a vector is a column of one). */
    function readCells() {
      for (const [name] of GRIDS) state.cells[name] = [];
      for (const f of gridBox.querySelectorAll(".yn-cell")) {
        const rows = state.cells[f.dataset.cell];
        const i = Number(f.dataset.i), j = f.dataset.j === "" ? 0 : Number(f.dataset.j);
        (rows[i] = rows[i] || [])[j] = f.value;
      }
    }

    // -- messages next to fields
    function clearErrors() {
      for (const f of inputs.querySelectorAll(".yn-cell[aria-invalid], #yn-lr[aria-invalid]")) {
        f.removeAttribute("aria-invalid");
        f.removeAttribute("aria-describedby");
      }
      for (const p of inputs.querySelectorAll(".yn-error[data-error]:not(#yn-error-sizes)")) {
        p.hidden = true;
        p.textContent = "";
        p.removeAttribute("data-error");
      }
      if (status.hasAttribute("data-error")) status.removeAttribute("data-error");
      if (status.textContent !== "") status.textContent = "";
    }

    function fieldError(field, messageEl, name, message) {
      if (field) { field.setAttribute("aria-invalid", "true"); field.setAttribute("aria-describedby", messageEl.id); }
      if (!messageEl.hidden) return; // the first error of a group is the one shown
      messageEl.hidden = false;
      messageEl.setAttribute("data-error", name);
      messageEl.textContent = `${name} ${message}`;
    }

    function statusError(name, message) {
      status.setAttribute("data-error", name);
      status.textContent = `${message}. The numbers below are still those of the last network that worked.`;
    }

    /** Read the form into a spec, marking every field that is not a number; null if one is not. */
    function readSpec() {
      clearErrors();
      let ok = true;
      const read = {};
      for (const [name] of GRIDS) read[name] = [];
      for (const f of gridBox.querySelectorAll(".yn-cell")) {
        const v = parseNumber(f.value);
        if (v instanceof Error) {
          fieldError(f, gridBox.querySelector(`#yn-error-${f.dataset.cell}`), f.getAttribute("aria-label"), v.message);
          ok = false;
        } else if (f.dataset.j === "") read[f.dataset.cell][Number(f.dataset.i)] = v;
        else (read[f.dataset.cell][Number(f.dataset.i)] ||= [])[Number(f.dataset.j)] = v;
      }
      const lr = parseNumber(lrField.value);
      const lrError = inputs.querySelector("#yn-error-lr");
      if (lr instanceof Error) { fieldError(lrField, lrError, "lr", lr.message); ok = false; }
      else if (lr < 0) { fieldError(lrField, lrError, "lr", "must be 0 or more"); ok = false; }
      if (!ok) { statusError("input", "A field above is not a number: see the message beside it"); return null; }
      return { ...read, activation: actField.value, loss: lossField.value, lr };
    }

    function readSizes() {
      const sizeError = inputs.querySelector("#yn-error-sizes");
      let ok = true;
      const sizes = {};
      for (const [name, f] of Object.entries(sizeFields)) {
        if (f.hasAttribute("aria-invalid")) f.removeAttribute("aria-invalid");
        const t = f.value.trim();
        const v = Number(t);
        if (t === "" || !Number.isInteger(v) || v < 1 || v > MAX_SIZE) {
          if (ok) {
            sizeError.hidden = false;
            sizeError.setAttribute("data-error", name);
            sizeError.textContent = `${name} must be a whole number from 1 to ${MAX_SIZE}` + (t === "" ? " (the field is empty)" : "");
          }
          f.setAttribute("aria-invalid", "true");
          f.setAttribute("aria-describedby", sizeError.id);
          ok = false;
        } else sizes[name] = v;
      }
      if (ok && sizeError.hasAttribute("data-error")) {
        sizeError.hidden = true;
        sizeError.removeAttribute("data-error");
        sizeError.textContent = "";
      }
      return ok ? sizes : null;
    }

    sizeBox.append(el("p", { class: "yn-error", id: "yn-error-sizes", hidden: true }));
    optionBox.append(el("p", { class: "yn-error", id: "yn-error-lr", hidden: true }));

    // -- the output
    /** Write a value into its box: 4 decimals (the full value in each number's title, and in the text while the
     *  box has the keyboard focus). The numbers' elements are kept while the shape stays, so a keystroke changes
     *  text, not the page's structure. */
    function renderValue(box, value) {
      const s = shapeOf(value);
      const shape = s.join("x");
      const numbers = flat(value);
      const full = box === document.activeElement;
      if (box.dataset.shape !== shape) {
        const cols = s.length === 2 ? s[1] : s.length === 1 ? s[0] : 1;
        box.innerHTML = `<span class="yn-m" style="--cols:${cols}">` + '<span class="yn-n"></span>'.repeat(numbers.length) + "</span>";
        box.dataset.shape = shape;
        const label = box.closest(".yn-q").querySelector(".yn-shape");
        if (label) label.textContent = s.length === 0 ? "a number" : s.length === 1 ? `${s[0]} × 1` : `${s[0]} × ${s[1]}`;
      }
      const spans = box.firstChild.children;
      for (let i = 0; i < numbers.length; i++) {
        const exact = String(numbers[i] + 0);
        const text = full ? exact : fmt(numbers[i]);
        if (spans[i].textContent !== text) spans[i].textContent = text;
        if (spans[i].title !== exact) spans[i].title = exact;
      }
      box.setAttribute("data-value", JSON.stringify(value));
    }

    for (const b of blocks) {
      const box = b.querySelector("[data-key]");
      const redraw = () => { if (state.last) renderValue(box, state.last.values[box.dataset.key]); };
      box.addEventListener("focus", redraw);
      box.addEventListener("blur", () => setTimeout(redraw));
    }

    // Every write below happens only on a change: a write of the same value still makes the browser lay the page
    // out again, and the page, with all its typeset math, is long.
    const whenLoss = [...page.querySelectorAll("[data-when-loss]")];
    function showFor(spec) {
      for (const e of whenLoss) {
        const hide = e.dataset.whenLoss !== spec.loss;
        if (e.hidden !== hide) e.hidden = hide;
      }
    }

    function render(spec, values) {
      showFor(spec);
      for (const b of blocks) {
        const box = b.querySelector("[data-key]");
        renderValue(box, values[box.dataset.key]);
      }
      state.last = { spec, values };
      compareAll();
    }

    function writeFragment(spec) {
      const hash = "#spec=" + encodeURIComponent(JSON.stringify(spec));
      if (location.hash !== hash) history.replaceState(null, "", hash);
      root.dataset.hash = location.hash;
    }

    /** Recompute from the form: the whole pass, within the same event. */
    function recompute() {
      if (!readSizes()) { statusError("sizes", "The sizes do not fit: see the message beside them"); return false; }
      const spec = readSpec();
      if (!spec) return false;
      let values;
      try {
        values = explain(spec);
      } catch (e) {
        statusError("overflow", `This network cannot be computed: ${e.message}`);
        return false;
      }
      render(spec, values);
      writeFragment(spec);
      root.dataset.renders = String(++renders);
      return true;
    }

    /** Put a checked spec into the form and recompute. */
    function load(obj) {
      let spec;
      try {
        spec = checkSpec(obj);
      } catch (e) {
        clearErrors();
        statusError(e.key || "spec", `The network in the link cannot be used: ${e.message}`);
        return false;
      }
      state.sizes = { N: spec.x.length, N1: spec.W1_0.length, K: spec.y.length };
      for (const [name, f] of Object.entries(sizeFields)) { f.value = String(state.sizes[name]); f.removeAttribute("aria-invalid"); }
      readSizes();
      const column = (v) => v.map((n) => [String(n)]);
      state.cells = {
        x: column(spec.x), y: column(spec.y), W1: spec.W1.map((r) => r.map(String)), W1_0: column(spec.W1_0),
        W2: spec.W2.map((r) => r.map(String)), W2_0: column(spec.W2_0),
      };
      actField.value = spec.activation;
      lossField.value = spec.loss;
      lrField.value = String(spec.lr);
      drawGrids();
      return recompute();
    }

    /** Load the spec of a #spec= fragment; other fragments (a heading's link) leave the network alone. */
    function fromFragment() {
      const h = location.hash;
      if (!h.startsWith("#spec=")) return false;
      let obj;
      try {
        obj = JSON.parse(decodeURIComponent(h.slice(6)));
      } catch (e) {
        clearErrors();
        statusError("spec", "The network in the link is not valid JSON");
        obj = undefined;
      }
      if (obj !== undefined) load(obj);
      root.dataset.fragments = String(Number(root.dataset.fragments || 0) + 1);
      return true;
    }

    inputs.addEventListener("input", (event) => {
      const t = event.target;
      if (t.classList.contains("yn-cell") || t === lrField) recompute();
    });
    inputs.addEventListener("change", (event) => {
      const t = event.target;
      if (t === actField || t === lossField) recompute();
    });
    for (const f of Object.values(sizeFields)) {
      f.addEventListener("input", () => {
        const sizes = readSizes();
        if (!sizes) { statusError("sizes", "The sizes do not fit: see the message beside them"); return; }
        if (sizes.N === state.sizes.N && sizes.N1 === state.sizes.N1 && sizes.K === state.sizes.K) { recompute(); return; }
        readCells();
        state.sizes = sizes;
        drawGrids();
        recompute();
      });
    }
    window.addEventListener("hashchange", fromFragment);

    // -- "compare with my numbers"
    const toggle = page.querySelector("#yn-mine-toggle");
    const summary = page.querySelector("#yn-summary");
    const steps = Object.fromEntries(config.steps.map((s) => [s.key, s]));
    const formulaFor = (step, spec) => step.formula.replace(/\{(\w+)\}/g, (_, name) => (
      name === "f" ? spec.activation : name === "f_prime" ? config.f_prime[spec.activation] : config.words[spec.loss][name]));

    function parseMine(text, expected) {
      const tokens = text.replace(/[[\]();,]/g, " ").trim().split(/\s+/).filter((t) => t !== "");
      const want = flat(expected).length;
      if (tokens.length !== want) return new Error(`needs ${want} number${want === 1 ? "" : "s"} (row by row); got ${tokens.length}`);
      const values = [];
      for (const t of tokens) {
        const v = parseNumber(t);
        if (v instanceof Error) return new Error(`"${t}" ${v.message.split(":")[0]}`);
        values.push(v);
      }
      return values;
    }

    function compareOne(b) {
      const field = b.querySelector(".yn-mine-field");
      const verdict = b.querySelector(".yn-verdict");
      const key = b.dataset.q;
      if (verdict.hasAttribute("data-verdict") || verdict.textContent !== "") {
        verdict.removeAttribute("data-verdict");
        verdict.removeAttribute("data-error");
        verdict.removeAttribute("data-entry");
        verdict.textContent = "";
      }
      if (field.hasAttribute("aria-invalid")) field.removeAttribute("aria-invalid");
      if (!toggle.checked || field.value.trim() === "" || !state.last) return null;
      const computed = state.last.values[key];
      const mine = parseMine(field.value, computed);
      if (mine instanceof Error) {
        verdict.setAttribute("data-verdict", "invalid");
        verdict.setAttribute("data-error", key);
        field.setAttribute("aria-invalid", "true");
        verdict.textContent = `Not compared: ${mine.message}.`;
        return null;
      }
      const c = flat(computed);
      const cols = shapeOf(computed).length === 2 ? shapeOf(computed)[1] : null;
      const at = c.findIndex((v, i) => shown(v) !== shown(mine[i]));
      if (at < 0) {
        verdict.setAttribute("data-verdict", "agrees");
        verdict.textContent = `✓ agrees to the ${DECIMALS} decimals shown.`;
        return true;
      }
      const entry = cols ? `[${Math.floor(at / cols) + 1}, ${(at % cols) + 1}]` : shapeOf(computed).length ? `[${at + 1}]` : "";
      verdict.setAttribute("data-verdict", "differs");
      verdict.setAttribute("data-entry", entry);
      verdict.textContent = `✗ differs${entry ? " at entry " + entry : ""}: yours ${fmt(mine[at])}, the page's ${fmt(c[at])}.`;
      return false;
    }

    function compareAll() {
      let first = null, compared = 0, agreeing = 0;
      for (const note of page.querySelectorAll(".yn-first")) note.remove();
      for (const b of blocks) {
        const r = compareOne(b);
        if (r === null) continue;
        compared += 1;
        if (r) agreeing += 1;
        else if (!first) first = b;
      }
      if (summary.hasAttribute("data-first-disagreement")) summary.removeAttribute("data-first-disagreement");
      if (!state.last || compared === 0) {
        const text = toggle.checked ? "Type your value of any quantity in the field under it; each is checked as you type." : "";
        if (summary.textContent !== text) summary.textContent = text;
        return;
      }
      if (!first) {
        summary.textContent = `All ${compared} of your quantities agree with the page to the ${DECIMALS} decimals shown.`;
        return;
      }
      const key = first.dataset.q;
      const step = steps[key];
      const eq = [...first.querySelectorAll(".yn-eq a")].filter((a) => !a.closest("[hidden]")).map((a) => a.textContent).join(" ");
      summary.setAttribute("data-first-disagreement", key);
      first.querySelector(".yn-verdict").append(el("span", { class: "yn-first", text: " The first disagreement in the order of the pass." }));
      summary.replaceChildren(
        `${agreeing} of ${compared} agree. The first disagreement in the order of the pass is `,
        el("a", { href: `#${first.id}`, text: key }),
        `, computed as ${formulaFor(step, state.last.spec)} from ${step.inputs.join(", ")}` + (eq ? ` (${eq}).` : "."),
      );
    }

    toggle.addEventListener("change", () => {
      for (const m of page.querySelectorAll(".yn-mine")) m.hidden = !toggle.checked;
      compareAll();
    });
    page.addEventListener("input", (event) => {
      if (event.target.classList.contains("yn-mine-field")) compareAll();
    });

    // Your numbers as JSON, keyed as `explain --json` (the file `--compare` reads): each fills its field.
    const pasted = page.querySelector("#yn-mine-json");
    const pasteError = page.querySelector("#yn-mine-json-error");
    function fillFromJson() {
      const fail = (message) => {
        pasted.setAttribute("aria-invalid", "true");
        pasted.setAttribute("aria-describedby", pasteError.id);
        pasteError.hidden = false;
        pasteError.setAttribute("data-error", "your numbers");
        pasteError.textContent = `your numbers: ${message}`;
      };
      pasted.removeAttribute("aria-invalid");
      pasteError.hidden = true;
      pasteError.removeAttribute("data-error");
      if (pasted.value.trim() === "") return;
      let mine;
      try {
        mine = JSON.parse(pasted.value);
      } catch (e) {
        return fail("not valid JSON");
      }
      if (mine === null || typeof mine !== "object" || Array.isArray(mine)) {
        return fail('must be a JSON object such as {"forward": {"z1": [4, 0]}}');
      }
      const fields = [];
      for (const [section, names] of Object.entries(mine)) {
        if (names === null || typeof names !== "object" || Array.isArray(names)) {
          return fail(`'${section}' must be an object of quantities, as in explain --json`);
        }
        for (const [name, value] of Object.entries(names)) {
          const key = `${section}.${name}`;
          const field = page.querySelector(`.yn-q[data-q="${key}"] .yn-mine-field`);
          if (!field) return fail(`unknown quantity '${key}': the keys are those of explain --json`);
          const numbers = flat(Array.isArray(value) ? value : [value]);
          if (!numbers.every((v) => typeof v === "number")) return fail(`${key} must be a number or nested lists of numbers`);
          fields.push([field, numbers.map((v) => String(v)).join(" ")]);
        }
      }
      for (const [field, text] of fields) field.value = text;
      compareAll();
    }
    pasted.addEventListener("input", fillFromJson);

    // -- go
    root.classList.add("yn-ready");
    if (!fromFragment()) load(config.presets[0].spec);
  }

  function init() {
    const root = document.getElementById("yn-app");
    if (root) start(root);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();

  // For the tests and the benchmark: the same functions the page uses.
  window.yourNumbers = { explain, fmt, shown, parseNumber, checkSpec };
})();
