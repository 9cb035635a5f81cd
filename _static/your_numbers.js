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
  let SIZES = {}; // where N, N1 and K come from, for messages: mlp.validate.SIZES, from the config
  const KEYS = ["x", "y", "W1", "W1_0", "W2", "W2_0", "activation", "loss", "lr"];

  // ---- activations, each with its derivative at the pre-activation ----------------------------------------
  function sigmoid(z) {
    const e = Math.exp(-Math.abs(z)); // in (0, 1]: never overflows
    return z >= 0 ? 1 / (1 + e) : e / (1 + e);
  }
  const ACTIVATIONS = {
    // the derivatives as mlp.activations computes them: e / (1 + e)^2, exact where s rounds to 1
    sigmoid: [sigmoid, (z) => { const e = Math.exp(-Math.abs(z)); return e / ((1 + e) * (1 + e)); }],
    relu: [(z) => (z > 0 ? z : 0), (z) => (z > 0 ? 1 : 0)], // relu'(0) = 0, as in mlp
    tanh: [Math.tanh, (z) => { const e = Math.exp(-2 * Math.abs(z)); return (4 * e) / ((1 + e) * (1 + e)); }],
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

  /** The sum of the entries of v but the one at `top`: 1 - y_hat[top], exact where y_hat[top] rounds to 1. */
  function sumOfOthers(v, top) {
    let s = 0;
    for (let k = 0; k < v.length; k++) if (k !== top) s += v[k];
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

  /** r = y_hat - y, the leading class's entry as (1 - y) - (1 - y_hat) where y_hat is near 1 (mlp.losses.residual). */
  function residual(y, yHat) {
    const r = yHat.map((v, k) => v - y[k]);
    const top = argmax(yHat);
    if (yHat[top] > SATURATED) r[top] = (1 - y[top]) - sumOfOthers(yHat, top);
    return r;
  }

  /** grad y_hat and delta2 = J^T grad y_hat for the loss, as mlp.losses computes them. */
  function outputGradients(y, yHat, loss) {
    const K = y.length;
    if (loss === "squared") {
      // J^T r = y_hat * (d - y_hat . d) with d = r - r[m], m the leading class (mlp.losses.squared_loss_delta):
      // every term exact or weighted by a small y_hat, also where the leading logits tie
      const r = residual(y, yHat);
      const top = argmax(yHat);
      const d = r.map((v) => v - r[top]);
      let T = 0;
      for (let k = 0; k < K; k++) T += yHat[k] * d[k];
      return [r.map((v) => v + 0), yHat.map((v, k) => v * (d[k] - T) + 0)];
    }
    // cross-entropy: grad y_hat = -y / y_hat (0 where the target is 0; -inf where y_hat underflowed to 0), and the
    // fused delta2 = y_hat * sum(y) - y, the entry near 1 as minus the sum of the others (mlp.losses.cross_entropy_delta)
    const grad = y.map((v, k) => (v === 0 ? 0 : -v / yHat[k]));
    let sy = 0;
    for (const v of y) sy += v;
    const delta2 = yHat.map((v, k) => v * sy - y[k]);
    const top = argmax(yHat);
    if (yHat[top] > SATURATED) delta2[top] = 0 - sumOfOthers(delta2, top);
    return [grad, delta2.map((v) => v + 0)];
  }

  function affine(W, v, b) {
    return b.map((bj, j) => {
      let s = 0;
      for (let i = 0; i < v.length; i++) s += W[i][j] * v[i];
      return s + bj;
    });
  }

  /** How mlp computes each quantity: the table's `value` operations ([inputs], spec) -> value. */
  const VALUE = {
    affine: ([W, v, b]) => affine(W, v, b),
    activation: ([z], s) => z.map(ACTIVATIONS[s.activation][0]),
    softmax: ([z]) => softmax(z),
    loss: ([y, z2, yHat], s) => {
      if (s.loss === "cross_entropy") return crossEntropy(y, z2);
      let t = 0;
      for (const v of residual(y, yHat)) t += v * v;
      return 0.5 * t;
    },
    grad_y_hat: ([y, , yHat], s) => outputGradients(y, yHat, s.loss)[0],
    delta2: ([y, , yHat], s) => outputGradients(y, yHat, s.loss)[1],
    // J = diag(y_hat) - y_hat y_hat^T, the diagonal as y_hat (1 - y_hat) with the leading class's 1 - y_hat exact
    softmax_jacobian: ([, yHat]) => {
      const complement = yHat.map((v) => 1 - v);
      const top = argmax(yHat);
      complement[top] = sumOfOthers(yHat, top);
      return yHat.map((a, k) => yHat.map((b, i) => (k === i ? a * complement[k] : -a * b)));
    },
    outer: ([a, b]) => a.map((u) => b.map((v) => u * v)),
    copy: ([a]) => a.slice(),
    matvec: ([W, d]) => W.map((row) => {
      let s = 0;
      for (let k = 0; k < d.length; k++) s += row[k] * d[k];
      return s;
    }),
    f_prime: ([z], s) => z.map(ACTIVATIONS[s.activation][1]),
    hadamard: ([a, b]) => a.map((v, i) => v * b[i]),
    step: ([W, lr, g]) => W.map((v, i) => (Array.isArray(v) ? v.map((u, j) => u - lr * g[i][j]) : v - lr * g[i])),
  };

  /** Python's format(lr, "g"), near enough for a message. */
  const g6 = (v) => String(Number(v.toPrecision(6)));

  /** Every quantity of `python -m mlp explain`, keyed "section.name", in the order of the table of the pass
   *  (`table`: the page's config, from mlp.pass_table.config). Throws, naming the first quantity in the order of
   *  the pass that overflowed, as explain does. */
  function explain(spec, table) {
    const known = { x: spec.x, y: spec.y, W1: spec.W1, W1_0: spec.W1_0, W2: spec.W2, W2_0: spec.W2_0, lr: spec.lr };
    const out = {};
    for (const q of table.pass) {
      const value = VALUE[q.value.op](q.value.inputs.map((k) => known[k]), spec);
      known[q.key] = out[q.key] = value;
      if (q.value.op === "grad_y_hat") continue; // -y / y_hat is -inf where y_hat underflows; nothing reads it
      if (!flat(value).every(Number.isFinite)) {
        const [section, name] = q.key.split(".");
        // mlp.validate.overflowed's words
        const before = section === "forward" || section === "backward";
        if (before || spec.lr === 0) {
          throw new Error(`${name} (${section}) overflowed to inf or nan${before ? "" : " with lr = 0, before any step"}: the weights or inputs are too large`);
        }
        throw new Error(`${name} (${section}) overflowed to inf or nan after the gradient step with lr = ${g6(spec.lr)} (try a smaller lr)`);
      }
    }
    return out;
  }

  function flat(v) {
    return Array.isArray(v) ? v.flat() : [v];
  }

  // ---- grading with follow-through: mlp/intervals.py and mlp/compare.py, operation for operation -------------
  // An interval is {lo, hi, shape}: two flat arrays of the quantity's entries (a matrix row by row). See
  // mlp/compare.py for what each verdict means; tests/your_numbers_cases.json holds the two implementations equal.
  const VERDICTS = ["agrees", "rounding", "follows", "wrong", "missing"];
  const SLACK = 1e-12;

  const clean = (v, inf) => (Number.isNaN(v) ? inf : v);
  const iv = (lo, hi, shape) => ({ lo: lo.map((v) => clean(v, -Infinity)), hi: hi.map((v) => clean(v, Infinity)), shape });
  const exactIv = (v) => { const f = flat(v); return { lo: f.slice(), hi: f.slice(), shape: shapeOf(v) }; };
  const times = (u, v) => (u === 0 || v === 0 ? 0 : u * v);

  /** a op b entry by entry, a scalar interval (one entry) standing for every entry of the other, as numpy broadcasts. */
  function pairwise(a, b, f) {
    const n = Math.max(a.lo.length, b.lo.length);
    const shape = a.shape.length >= b.shape.length ? a.shape : b.shape;
    const lo = new Array(n), hi = new Array(n);
    for (let i = 0; i < n; i++) [lo[i], hi[i]] = f(a.lo.length === 1 ? 0 : i, b.lo.length === 1 ? 0 : i);
    return iv(lo, hi, shape);
  }
  const add = (a, b) => pairwise(a, b, (i, j) => [a.lo[i] + b.lo[j], a.hi[i] + b.hi[j]]);
  const sub = (a, b) => pairwise(a, b, (i, j) => [a.lo[i] - b.hi[j], a.hi[i] - b.lo[j]]);
  function mulAt(alo, ahi, blo, bhi) {
    const p = [times(alo, blo), times(alo, bhi), times(ahi, blo), times(ahi, bhi)];
    return [Math.min(...p), Math.max(...p)];
  }
  const mul = (a, b) => pairwise(a, b, (i, j) => mulAt(a.lo[i], a.hi[i], b.lo[j], b.hi[j]));
  /** Sums of terms(i, k) over k in order, from 0, as mlp.intervals.total: for each i of n outputs. */
  function sums(n, m, term, shape) {
    const lo = new Array(n).fill(0), hi = new Array(n).fill(0);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < m; k++) {
        const [l, h] = term(i, k);
        lo[i] = clean(lo[i] + l, -Infinity);
        hi[i] = clean(hi[i] + h, Infinity);
      }
    }
    return iv(lo, hi, shape);
  }
  const total = (a) => sums(1, a.lo.length, (_, k) => [a.lo[k], a.hi[k]], []);
  const increasing = (f, a) => iv(a.lo.map(f), a.hi.map(f), a.shape);
  function square(a) {
    const lo = a.lo.map((l, i) => { const h = a.hi[i]; return l <= 0 && h >= 0 ? 0 : Math.min(l * l, h * h); });
    return iv(lo, a.lo.map((l, i) => Math.max(l * l, a.hi[i] * a.hi[i])), a.shape);
  }
  function sOneMinusS(a) {
    const g = (s) => s * (1 - s);
    const lo = a.lo.map((l, i) => Math.min(g(l), g(a.hi[i])));
    const hi = a.lo.map((l, i) => (l <= 0.5 && a.hi[i] >= 0.5 ? 0.25 : Math.max(g(l), g(a.hi[i]))));
    return iv(lo, hi, a.shape);
  }
  function oneMinusSquare(a) {
    const sq = square(a);
    return iv(sq.hi.map((v) => 1 - v), sq.lo.map((v) => 1 - v), a.shape);
  }
  const step01 = (z) => (z > 0 ? 1 : 0);
  function logsumexp(z) {
    const m = Math.max(...z);
    if (!Number.isFinite(m)) return m;
    let s = 0;
    for (const v of z) s += Math.exp(v - m);
    return m + Math.log(s);
  }

  /** The operations of mlp.pass_table over intervals ([inputs], activation) -> interval: mlp/intervals.py. */
  const OPS = {
    affine: ([W, v, b]) => {
      const m = b.lo.length, n = v.lo.length;
      return add(sums(m, n, (j, i) => mulAt(W.lo[i * m + j], W.hi[i * m + j], v.lo[i], v.hi[i]), b.shape), b);
    },
    activation: ([z], act) => increasing(ACTIVATIONS[act][0], z),
    softmax: ([z]) => {
      const K = z.lo.length, lo = new Array(K), hi = new Array(K);
      for (let k = 0; k < K; k++) {
        let a = 0, b = 0;
        for (let j = 0; j < K; j++) {
          if (j === k) continue;
          a += Math.exp(z.hi[j] - z.lo[k]);
          b += Math.exp(z.lo[j] - z.hi[k]);
        }
        lo[k] = 1 / (1 + a);
        hi[k] = 1 / (1 + b);
      }
      return iv(lo, hi, z.shape);
    },
    squared_loss: ([y, yHat]) => { const t = total(square(sub(yHat, y))); return iv([0.5 * t.lo[0]], [0.5 * t.hi[0]], []); },
    cross_entropy: ([y, yHat]) => {
      const log = iv(yHat.lo.map((v) => (v > 0 ? Math.log(v) : -Infinity)), yHat.hi.map(Math.log), yHat.shape);
      return total(mul(iv(y.hi.map((v) => -v), y.lo.map((v) => -v), y.shape), log));
    },
    cross_entropy_logits: ([y, z]) => sub(mul(total(y), iv([logsumexp(z.lo)], [logsumexp(z.hi)], [])), total(mul(y, z))),
    squared_grad: ([y, yHat]) => sub(yHat, y),
    cross_entropy_grad: ([y, yHat]) => {
      const K = yHat.lo.length, lo = new Array(K), hi = new Array(K);
      for (let k = 0; k < K; k++) {
        const l = yHat.lo[k], h = yHat.hi[k];
        if (y.lo[k] === 0 && y.hi[k] === 0) { lo[k] = hi[k] = 0; continue; }
        if (l > 0 || h < 0) {
          const a = -y.lo[k] / l, b = -y.lo[k] / h;
          lo[k] = Math.min(a, b);
          hi[k] = Math.max(a, b);
        } else { lo[k] = -Infinity; hi[k] = Infinity; }
      }
      return iv(lo, hi, yHat.shape);
    },
    jacobian: ([yHat]) => {
      const K = yHat.lo.length, lo = new Array(K * K), hi = new Array(K * K);
      const diag = sOneMinusS(yHat);
      for (let k = 0; k < K; k++) {
        for (let i = 0; i < K; i++) {
          if (k === i) { lo[k * K + i] = diag.lo[k]; hi[k * K + i] = diag.hi[k]; continue; }
          const [l, h] = mulAt(yHat.lo[k], yHat.hi[k], yHat.lo[i], yHat.hi[i]);
          lo[k * K + i] = -h;
          hi[k * K + i] = -l;
        }
      }
      return iv(lo, hi, [K, K]);
    },
    jacobian_product: ([J, g]) => {
      const K = g.lo.length;
      return sums(K, K, (i, k) => mulAt(J.lo[k * K + i], J.hi[k * K + i], g.lo[k], g.hi[k]), g.shape);
    },
    softmax_backward: ([yHat, g]) => mul(yHat, sub(g, total(mul(yHat, g)))),
    cross_entropy_delta2: ([y, yHat]) => sub(mul(yHat, total(y)), y),
    outer: ([a, b]) => {
      const n = a.lo.length, m = b.lo.length, lo = new Array(n * m), hi = new Array(n * m);
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) [lo[i * m + j], hi[i * m + j]] = mulAt(a.lo[i], a.hi[i], b.lo[j], b.hi[j]);
      return iv(lo, hi, [n, m]);
    },
    copy: ([a]) => a,
    matvec: ([W, d]) => {
      const m = d.lo.length, n = W.lo.length / m;
      return sums(n, m, (j, k) => mulAt(W.lo[j * m + k], W.hi[j * m + k], d.lo[k], d.hi[k]), [n]);
    },
    hadamard: ([a, b]) => mul(a, b),
    f_prime: ([z], act) => {
      if (act === "sigmoid") return sOneMinusS(increasing(sigmoid, z));
      if (act === "tanh") return oneMinusSquare(increasing(Math.tanh, z));
      if (act === "relu") return iv(z.lo.map(step01), z.hi.map(step01), z.shape);
      return iv(z.lo.map(() => 1), z.hi.map(() => 1), z.shape);
    },
    f_prime_of_H: ([H], act) => (act === "sigmoid" ? sOneMinusS(H) : oneMinusSquare(H)),
    step: ([W, lr, g]) => sub(W, mul(lr, g)),
  };

  /** What a number written as the page writes it (fmt) may be off by: half a unit of its last decimal, or of the
   *  last decimal of its mantissa from 1e15 on (mlp.compare.radius). */
  function radiusOf(v, radius, decimals) {
    const a = Math.abs(v);
    if (!Number.isFinite(a) || a < 1e15) return radius;
    return 0.5 * 10 ** (Math.floor(Math.log10(a)) - decimals);
  }

  /** Where the reader's number (itself rounded) could be the interval's: within its radius, and a slack for the
   *  bounds' own rounding (mlp.compare._fits). */
  function fits(m, a, radius, decimals) {
    return m.map((v, i) => {
      const lo = a.lo[i], hi = a.hi[i];
      const scale = Math.max(1, Math.abs(v), Number.isFinite(lo) ? Math.abs(lo) : 0, Number.isFinite(hi) ? Math.abs(hi) : 0);
      const tol = radiusOf(v, radius, decimals) + SLACK * scale;
      return v >= lo - tol && v <= hi + tol;
    });
  }

  /** Where the reader's number is the page's rounded to the decimals: within half a unit (mlp.compare._agrees). */
  function agrees(m, c, radius, decimals) {
    return m.map((v, i) => v === c[i] || (Number.isFinite(c[i]) && Number.isFinite(v) &&
      Math.abs(v - c[i]) <= radiusOf(c[i], radius, decimals) + SLACK * Math.max(1, Math.abs(c[i]), Math.abs(v))));
  }

  const transpose = (m, [r, c]) => { const t = new Array(r * c); for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = m[i * c + j]; return t; };
  const around = (f, radius, decimals, shape) => iv(
    f.map((v) => (Number.isFinite(v) ? v - radiusOf(v, radius, decimals) : -Infinity)),
    f.map((v) => (Number.isFinite(v) ? v + radiusOf(v, radius, decimals) : Infinity)), shape);
  const hull = (parts) => iv(parts[0].lo.map((_, i) => Math.min(...parts.map((p) => p.lo[i]))), parts[0].hi.map((_, i) => Math.max(...parts.map((p) => p.hi[i]))), parts[0].shape);
  const widened = (a, r, decimals) => iv(a.lo.map((v) => v - radiusOf(v, r, decimals)), a.hi.map((v) => v + radiusOf(v, r, decimals)), a.shape);
  const bounded = (a) => a.lo.every(Number.isFinite) && a.hi.every(Number.isFinite);

  /** Verdicts for the reader's numbers, as mlp.compare.grade gives them. `mine`: {"section.name": {values, shape}}
   *  (flat values, the shape as typed); `values`: explain(spec, table). Returns {verdicts, firstWrong, details}. */
  function grade(spec, table, values, mine, decimals = DECIMALS) {
    const radius = 0.5 * 10 ** -decimals;
    const known = {};
    for (const k of ["x", "y", "W1", "W1_0", "W2", "W2_0", "lr"]) known[k] = exactIv(spec[k]);
    const bad = new Set();
    const verdicts = {}, details = {};
    let firstWrong = null;
    for (const q of table.pass) {
      if (!(q.key in values)) continue;
      const c = flat(values[q.key]), cShape = shapeOf(values[q.key]);
      // the routes of this network (none through a quantity not computed, as mlp's J beyond K = 10)
      const routes = q.routes.filter((r) => r.activations.includes(spec.activation) && r.losses.includes(spec.loss) &&
        r.inputs.every((k) => k in known));
      const results = routes.map((r) => [r, OPS[r.op](r.inputs.map((k) => known[k]), spec.activation)]);
      const given = mine[q.key];
      if (!given) {
        verdicts[q.key] = "missing";
        // mlp's value or a route's from the reader's numbers; none, where no route is bounded by them: the reader
        // cannot have had it, and no later route goes through it (mlp.compare.grade)
        const within = results.filter(([, a]) => bounded(a));
        if (within.length) known[q.key] = hull([around(c, radius, decimals, cShape), ...within.map(([, a]) => widened(a, radius, decimals))]);
        if (routes.some((r) => r.inputs.some((k) => bad.has(k)))) bad.add(q.key);
        continue;
      }
      let m = given.values, transposed = "";
      if (m.length !== given.shape.reduce((a, n) => a * n, 1)) throw new Error(`${q.key} is not a rectangular array of numbers`);
      const same = given.shape.length === cShape.length && given.shape.every((n, i) => n === cShape[i]);
      if (!same) {
        if (given.shape.length === 2 && cShape.length === 2 && given.shape[0] === cShape[1] && given.shape[1] === cShape[0]) {
          m = transpose(m, given.shape);
          transposed = "shape";
        } else throw new Error(`${q.key} has shape ${shapeText(given.shape)}; the page's has shape ${shapeText(cShape)}`);
      }
      const fitting = results.filter(([, a]) => fits(m, a, radius, decimals).every(Boolean));
      const at = agrees(m, c, radius, decimals).indexOf(false);
      const clean = fitting.filter(([r]) => !r.inputs.some((k) => bad.has(k)));
      let verdict;
      const detail = { entry: at < 0 ? null : at, mine: at < 0 ? null : m[at], computed: at < 0 ? null : c[at] };
      if (transposed || (!fitting.length && at >= 0)) {
        verdict = "wrong";
        const [r, a] = results[0];
        const fit = fits(m, a, radius, decimals);
        let where = fit.indexOf(false);
        if (where < 0) where = at < 0 ? 0 : at;
        const mid = Number.isFinite(a.lo[where]) && Number.isFinite(a.hi[where]) ? (a.lo[where] + a.hi[where]) / 2 : null;
        if (!transposed && cShape.length === 2 && cShape[0] === cShape[1]) {
          const t = transpose(m, cShape);
          if (agrees(t, c, radius, decimals).every(Boolean) || results.some(([, b]) => fits(t, b, radius, decimals).every(Boolean))) transposed = "values";
        }
        Object.assign(detail, { entry: where, mine: m[where], computed: c[where], expected: mid, route: r, right: transposed === "shape" && (at < 0 || fitting.length > 0) });
        bad.add(q.key);
        if (firstWrong === null) firstWrong = q.key;
      } else if (at < 0) verdict = "agrees";
      else if (clean.length) {
        verdict = "rounding";
        // the tightest route that gives it: its half width and the reader's own rounding (Infinity: unbounded)
        let best = null;
        for (const [r, a] of clean) {
          let tol = 0;
          for (let i = 0; i < a.lo.length; i++) tol = Math.max(tol, (a.hi[i] - a.lo[i]) / 2 + radiusOf(m[i], radius, decimals));
          if (best === null || tol < best.tolerance) best = { route: r, tolerance: tol };
        }
        Object.assign(detail, best);
      } else {
        verdict = "follows";
        const [r] = fitting[0];
        Object.assign(detail, { route: r, because: r.inputs.filter((k) => bad.has(k)) });
        bad.add(q.key);
      }
      detail.transposed = transposed;
      detail.shape = cShape;
      verdicts[q.key] = verdict;
      details[q.key] = detail;
      known[q.key] = around(m, radius, decimals, cShape);
      if (transposed === "values") known[q.key] = hull([known[q.key], around(transpose(m, cShape), radius, decimals, cShape)]);
    }
    return { verdicts, firstWrong, details };
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
  const shown = (v, decimals = DECIMALS) => (Number.isFinite(v) ? Number(fmt(v, decimals)) : v);

  // ---- reading what the reader typed --------------------------------------------------------------------------
  const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

  /** A typed number, or an Error whose message says what is wrong with it. */
  function parseNumber(text, minusInf = false) {
    const t = text.trim().replace(/\u2212/g, "-");
    if (t === "") return new Error("is empty: type a number");
    if (minusInf && (t === "-inf" || t === "-Infinity")) return -Infinity; // a reader's gradient beyond float64
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
    // arrays that disagree about a size: both named, and where the size comes from (mlp.validate.SIZES)
    const within = (text, size, shown) => `${text}: ${SIZES[size]} (${shown})`;
    if (W1.length !== N) fail("W1", within(`x has ${N} entries but W1 has ${W1.length} rows`, "N", `W1 has shape ${shape([W1.length, N1])}`));
    if (Array.isArray(obj.W1_0) && !obj.W1_0.some(Array.isArray) && obj.W1_0.length !== N1) {
      fail("W1_0", within(`W1_0 has ${obj.W1_0.length} entries but W1 has ${N1} columns`, "N1", `W1 has shape ${shape([W1.length, N1])}`));
    }
    const W1_0 = vector("W1_0", N1, "N1");
    const W2 = matrix("W2", "(N1, K)");
    const K = W2.length ? W2[0].length : 0;
    if (W2.length !== N1) fail("W2", within(`W2 has ${W2.length} rows but W1 has ${N1} columns`, "N1", `W2 has shape ${shape([W2.length, K])}`));
    if (K === 0) fail("W2", `W2 has shape ${shape([W2.length, K])}: a network needs at least one output (K >= 1)`);
    if (Array.isArray(obj.W2_0) && !obj.W2_0.some(Array.isArray) && obj.W2_0.length !== K) {
      fail("W2_0", within(`W2_0 has ${obj.W2_0.length} entries but W2 has ${K} columns`, "K", `W2 has shape ${shape([W2.length, K])}`));
    }
    const W2_0 = vector("W2_0", K, "K");
    const y = obj.y;
    if (y.length !== K) fail("y", within(`y has ${y.length} entries but W2 has ${K} columns`, "K", `W2 has shape ${shape([W2.length, K])}`));
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
    SIZES = config.sizes;
    const inputs = root.querySelector("#yn-inputs");
    const status = root.querySelector("#yn-status");
    const page = document.body; // the quantities sit in the page's sections, outside #yn-app
    const blocks = [...page.querySelectorAll(".yn-q")];
    const table = config.table; // the table of the pass, mlp.pass_table.config()
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
    const conditional = [...page.querySelectorAll("[data-when-loss], [data-when-activation]")];
    function showFor(spec) {
      for (const e of conditional) {
        const { whenLoss, whenActivation } = e.dataset;
        const hide = (whenLoss !== undefined && !whenLoss.split(" ").includes(spec.loss)) ||
          (whenActivation !== undefined && !whenActivation.split(" ").includes(spec.activation));
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
      drawMine();
      compareAll();
    }

    /** The address: #spec=<JSON>&mine=<JSON>&check=1, each part URI-encoded; mine in the layout of explain --json,
     *  with the quantities whose every entry is typed. */
    function writeFragment() {
      if (!state.last) return;
      let hash = "#spec=" + encodeURIComponent(JSON.stringify(state.last.spec));
      const mine = mineLayout();
      if (Object.keys(mine).length) hash += "&mine=" + encodeURIComponent(JSON.stringify(mine));
      if (checkToggle.checked) hash += "&check=1";
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
        values = explain(spec, table);
      } catch (e) {
        statusError("overflow", `This network cannot be computed: ${e.message}`);
        return false;
      }
      render(spec, values);
      writeFragment();
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

    /** Load a #spec=...&mine=...&check=1 fragment; other fragments (a heading's link) leave the page alone. */
    function fromFragment() {
      const h = location.hash;
      if (!h.startsWith("#spec=")) return false;
      const parts = {};
      for (const part of h.slice(1).split("&")) {
        const at = part.indexOf("=");
        if (at > 0) parts[part.slice(0, at)] = part.slice(at + 1);
      }
      let obj, mine;
      try {
        obj = JSON.parse(decodeURIComponent(parts.spec));
      } catch (e) {
        clearErrors();
        statusError("spec", "The network in the link is not valid JSON");
        obj = undefined;
      }
      if (parts.mine !== undefined) {
        try {
          mine = JSON.parse(decodeURIComponent(parts.mine));
        } catch (e) {
          mine = null;
        }
      }
      if (obj !== undefined && load(obj)) {
        if (parts.check === "1" && !checkToggle.checked) checkToggle.checked = true;
        if (parts.check === "1" || mine !== undefined) setCompare(true);
        if (mine !== undefined) {
          pasted.value = mine === null ? decodeURIComponent(parts.mine) : JSON.stringify(mine);
          fillFromJson();
        }
      }
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

    // -- "compare with my numbers": a grid of fields per quantity, graded as mlp.compare grades
    const toggle = page.querySelector("#yn-mine-toggle");
    const checkToggle = page.querySelector("#yn-check-toggle");
    const summary = page.querySelector("#yn-summary");
    const pasted = page.querySelector("#yn-mine-json");
    const pasteError = page.querySelector("#yn-mine-json-error");
    const quantities = Object.fromEntries(table.pass.map((q) => [q.key, q]));
    const sectionName = (key) => config.sections[key.split(".")[0]];
    const named = (key) => `${quantities[key].label} (${sectionName(key)})`;
    // The typed text of each quantity, entry by entry (row by row), kept while its shape stays; and the keys of
    // those pasted with the transposed shape (their fields hold them turned back).
    state.typed = {};
    state.pastedTransposed = new Set();

    // The summary stays in view beside the fields: it is moved to the end of the article that holds every
    // quantity, where it sticks to the bottom of the screen (your_numbers.css) while any of them is on it.
    const article = blocks.length ? blocks[0].closest("article, main") : null;
    if (article) article.append(summary);

    function entryLabel(key, i, shape) {
      const q = quantities[key];
      if (shape.length === 2) return `${q.label}[${Math.floor(i / shape[1]) + 1}, ${(i % shape[1]) + 1}], ${sectionName(key)}`;
      if (shape.length === 1) return `${q.label}[${i + 1}], ${sectionName(key)}`;
      return `${q.label}, ${sectionName(key)}`;
    }

    /** (Re)draw each quantity's fields for its shape; what was typed stays where it still fits. */
    function drawMine() {
      for (const b of blocks) {
        const key = b.dataset.q;
        const shape = shapeOf(state.last.values[key]);
        const box = b.querySelector(".yn-mine-cells");
        if (box.dataset.shape === shape.join("x")) continue;
        const n = shape.reduce((a, v) => a * v, 1);
        const typed = state.typed[key] || [];
        if (typed.length !== n) state.typed[key] = typed.slice(0, n).concat(new Array(Math.max(0, n - typed.length)).fill(""));
        const rows = shape.length === 2 ? shape[0] : 1, cols = shape.length === 2 ? shape[1] : n;
        const body = el("tbody");
        for (let i = 0; i < rows; i++) {
          const tr = el("tr");
          for (let j = 0; j < cols; j++) {
            const at = i * cols + j;
            tr.append(el("td", {}, el("input", {
              type: "text", class: "yn-mine-cell", "data-q": key, "data-at": at, "data-row": i, "data-col": j,
              "aria-label": `Your ${entryLabel(key, at, shape)}`, autocomplete: "off", spellcheck: "false",
              inputmode: "decimal", value: state.typed[key][at],
            })));
          }
          body.append(tr);
        }
        box.replaceChildren(el("div", { class: "yn-scroll" }, el("table", { class: "yn-table yn-mine-grid" }, body)));
        box.dataset.shape = shape.join("x");
      }
    }

    /** What the reader typed for one quantity: null (nothing), an Error (a field that is not a number, or some
     *  empty), or {values, shape} as mlp.compare reads it (the shape as pasted, where it was transposed). */
    function readMine(key) {
      const shape = shapeOf(state.last.values[key]);
      const typed = state.typed[key] || [];
      if (typed.every((t) => t.trim() === "")) return null;
      const values = [];
      for (let i = 0; i < typed.length; i++) {
        if (typed[i].trim() === "") return new Error(`${entryLabel(key, i, shape)} is empty: fill every entry`);
        const v = parseNumber(typed[i], true);
        if (v instanceof Error) return new Error(`${entryLabel(key, i, shape)} ${v.message}`);
        values.push(v);
      }
      if (state.pastedTransposed.has(key)) return { values: transpose(values, shape), shape: [shape[1], shape[0]] };
      return { values, shape };
    }

    /** The reader's complete quantities in the layout of explain --json, as pasted (for the address). */
    function mineLayout() {
      const out = {};
      if (!toggle.checked || !state.last) return out;
      for (const key of Object.keys(quantities)) {
        const m = state.last.values[key] !== undefined ? readMine(key) : null;
        if (!m || m instanceof Error) continue;
        const [section, name] = key.split(".");
        const value = m.shape.length === 0 ? m.values[0] : m.shape.length === 1 ? m.values
          : Array.from({ length: m.shape[0] }, (_, i) => m.values.slice(i * m.shape[1], (i + 1) * m.shape[1]));
        (out[section] ||= {})[name] = value;
      }
      return out;
    }

    function setAttr(e, name, value) {
      if (value === null || value === undefined) { if (e.hasAttribute(name)) e.removeAttribute(name); }
      else if (e.getAttribute(name) !== value) e.setAttribute(name, value);
    }

    function entryText(d) {
      if (d.entry === null || d.entry === undefined || d.shape.length === 0) return "";
      if (d.shape.length === 2) return ` at entry [${Math.floor(d.entry / d.shape[1]) + 1}, ${(d.entry % d.shape[1]) + 1}]`;
      return ` at entry [${d.entry + 1}]`;
    }
    const routeText = (r, spec) => r.plain.replace("{f}", spec.activation);

    /** What a verdict says beside the quantity: mlp.compare.note, in the page's words. */
    function verdictText(verdict, d, spec) {
      if (verdict === "agrees") return `✓ agrees with the page to the ${DECIMALS} decimals shown.`;
      if (verdict === "rounding") {
        return `≈ rounding${entryText(d)}: yours ${fmt(d.mine)}, the page's ${fmt(d.computed)}. It is what ` +
          `${routeText(d.route, spec)} gives from your numbers, within their rounding (` +
          (Number.isFinite(d.tolerance) ? `up to ±${d.tolerance.toPrecision(1)}` : "your numbers carry too few digits to bound it") + "): " +
          "nothing is wrong; carry more digits to agree.";
      }
      if (verdict === "follows") {
        return `→ follows${entryText(d)} from your ${d.because.map(named).join(", ")}: ` +
          `${routeText(d.route, spec)} gives it from your numbers, so it is right given them.`;
      }
      if (d.transposed === "shape") {
        return "✗ wrong: typed with the transposed shape" + (d.right ? " (its numbers are right: write it in the step's shape)." : ".");
      }
      let text = `✗ wrong${entryText(d)}: yours ${fmt(d.mine)}`;
      if (d.expected !== null) text += `; from your numbers, ${routeText(d.route, spec)} gives ${fmt(d.expected)}`;
      text += ".";
      if (d.transposed === "values") text += " Yours is the transpose of what the step gives.";
      return text;
    }

    /** Grade every quantity typed, as mlp.compare.grade does, and say so beside each and in the summary. */
    function compareAll() {
      if (!state.last) return;
      const { spec, values } = state.last;
      const on = toggle.checked;
      const mine = {}, invalid = {};
      for (const b of blocks) {
        const m = on ? readMine(b.dataset.q) : null;
        if (m instanceof Error) invalid[b.dataset.q] = m.message;
        else if (m) mine[b.dataset.q] = m;
      }
      let result;
      try {
        result = grade(spec, table, values, mine, DECIMALS);
      } catch (e) {
        result = { verdicts: {}, details: {}, firstWrong: null };
      }
      const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0]));
      for (const b of blocks) {
        const key = b.dataset.q;
        const verdictBox = b.querySelector(".yn-verdict");
        const verdict = on && !invalid[key] ? result.verdicts[key] : undefined;
        if (verdict) counts[verdict] += 1;
        setAttr(b, "data-verdict", on ? (invalid[key] ? "invalid" : verdict ?? null) : null);
        const text = !on ? "" : invalid[key] ? `Not graded: ${invalid[key]}.`
          : verdict && verdict !== "missing" ? verdictText(verdict, result.details[key], spec)
          : "";
        if (verdictBox.textContent !== text) verdictBox.textContent = text;
        for (const f of b.querySelectorAll(".yn-mine-cell")) setAttr(f, "aria-invalid", invalid[key] ? "true" : null);
        // check mode: the page's value stays hidden until the reader's is complete
        const conceal = on && checkToggle.checked && !(key in mine);
        b.classList.toggle("yn-concealed", conceal);
        setAttr(b.querySelector(".yn-value"), "aria-hidden", conceal ? "true" : null);
      }
      setAttr(summary, "data-first-wrong", on ? result.firstWrong || "" : "");
      const given = Object.keys(mine).length;
      if (!on) { if (summary.textContent !== "") summary.textContent = ""; return; }
      if (!given) {
        const text = "Type your value of any quantity in the fields under it: each is graded as you type.";
        if (summary.textContent !== text) summary.textContent = text;
        return;
      }
      const words = { agrees: "agree", rounding: "rounding", follows: "follow from an earlier slip", wrong: "wrong" };
      const tally = Object.entries(words).filter(([v]) => counts[v]).map(([v, w]) => `${counts[v]} ${w}`).join(", ");
      if (!result.firstWrong) {
        summary.replaceChildren(`${given} graded: ${tally}. No step is wrong.`);
        return;
      }
      const first = blocks.find((b) => b.dataset.q === result.firstWrong);
      summary.replaceChildren(
        `${given} graded: ${tally}. The mistake, the first wrong step in the order of the pass: `,
        el("a", { href: `#${first.id}`, text: named(result.firstWrong) }),
        ".",
      );
    }

    function setCompare(on) {
      if (toggle.checked !== on) toggle.checked = on;
      for (const m of page.querySelectorAll(".yn-mine")) m.hidden = !on;
      compareAll();
      writeFragment();
    }
    toggle.addEventListener("change", () => setCompare(toggle.checked));
    checkToggle.addEventListener("change", () => {
      if (checkToggle.checked && !toggle.checked) setCompare(true);
      else { compareAll(); writeFragment(); }
    });

    function typedInto(f) {
      state.typed[f.dataset.q][Number(f.dataset.at)] = f.value;
      state.pastedTransposed.delete(f.dataset.q);
    }
    page.addEventListener("input", (event) => {
      const f = event.target;
      if (!f.classList || !f.classList.contains("yn-mine-cell")) return;
      typedInto(f);
      compareAll();
      writeFragment();
    });
    // A row of numbers pasted into one entry fills it and the entries after it, row by row.
    page.addEventListener("paste", (event) => {
      const f = event.target;
      if (!f.classList || !f.classList.contains("yn-mine-cell")) return;
      const text = (event.clipboardData || window.clipboardData).getData("text");
      const tokens = text.replace(/[[\]();,]/g, " ").trim().split(/\s+/).filter((t) => t !== "");
      if (tokens.length < 2) return;
      event.preventDefault();
      const cells = [...f.closest(".yn-mine-cells").querySelectorAll(".yn-mine-cell")];
      tokens.slice(0, cells.length - cells.indexOf(f)).forEach((t, i) => {
        const cell = cells[cells.indexOf(f) + i];
        cell.value = t;
        typedInto(cell);
      });
      compareAll();
      writeFragment();
    });

    // The arrow keys move between the entries of a grid (the network's and the reader's): up and down always,
    // left and right when the caret is at the start or the end of the entry.
    page.addEventListener("keydown", (event) => {
      const f = event.target;
      if (!f.classList || !(f.classList.contains("yn-mine-cell") || f.classList.contains("yn-cell"))) return;
      const table = f.closest("table");
      const td = f.closest("td");
      const row = td.parentElement;
      const rows = [...table.querySelectorAll("tr")].filter((r) => r.querySelector("input"));
      const cellsOf = (r) => [...r.querySelectorAll("input")];
      let i = rows.indexOf(row), j = cellsOf(row).indexOf(f);
      const atStart = f.selectionStart === 0 && f.selectionEnd === 0;
      const atEnd = f.selectionStart === f.value.length && f.selectionEnd === f.value.length;
      if (event.key === "ArrowUp") i -= 1;
      else if (event.key === "ArrowDown") i += 1;
      else if (event.key === "ArrowLeft" && atStart) j -= 1;
      else if (event.key === "ArrowRight" && atEnd) j += 1;
      else return;
      const target = rows[i] && cellsOf(rows[i])[j];
      if (!target) return;
      event.preventDefault();
      target.focus();
      target.select();
    });

    // Your numbers as JSON, keyed as `explain --json` (the file `--compare` reads): each fills its fields.
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
      if (pasted.value.trim() === "" || !state.last) return;
      let mine;
      try {
        mine = JSON.parse(pasted.value);
      } catch (e) {
        return fail("not valid JSON");
      }
      if (mine === null || typeof mine !== "object" || Array.isArray(mine)) {
        return fail('must be a JSON object such as {"forward": {"z1": [4, 0]}}');
      }
      const fills = [];
      for (const [section, names] of Object.entries(mine)) {
        if (names === null || typeof names !== "object" || Array.isArray(names)) {
          return fail(`'${section}' must be an object of quantities, as in explain --json`);
        }
        for (const [name, value] of Object.entries(names)) {
          const key = `${section}.${name}`;
          if (!(key in quantities)) return fail(`unknown quantity '${key}': the keys are those of explain --json`);
          if (Array.isArray(value) && Array.isArray(value[0]) && !value.every((r) => Array.isArray(r) && r.length === value[0].length)) {
            return fail(`${key} is not a rectangular array of numbers (rows of different lengths?)`);
          }
          // null is -inf, as explain --json writes a gradient beyond float64: its own output pastes in
          const numbers = flat(Array.isArray(value) ? value : [value]).map((v) => (v === null ? -Infinity : v));
          if (!numbers.every((v) => typeof v === "number")) return fail(`${key} must be a number or nested lists of numbers`);
          const want = shapeOf(state.last.values[key]);
          const got = Array.isArray(value) ? shapeOf(value) : [];
          const same = got.length === want.length && got.every((n, i) => n === want[i]);
          const turned = got.length === 2 && want.length === 2 && got[0] === want[1] && got[1] === want[0] && !same;
          if (!same && !turned && !(want.length === 1 && got.length === 1 && got[0] === want[0])) {
            return fail(`${key} has shape ${shapeText(got)}; the page's has shape ${shapeText(want)}`);
          }
          fills.push([key, turned ? transpose(numbers, got) : numbers, turned]);
        }
      }
      for (const [key, numbers, turned] of fills) {
        state.typed[key] = numbers.map(String);
        if (turned) state.pastedTransposed.add(key);
        else state.pastedTransposed.delete(key);
        const box = blocks.find((b) => b.dataset.q === key).querySelector(".yn-mine-cells");
        box.querySelectorAll(".yn-mine-cell").forEach((f, i) => { f.value = state.typed[key][i]; });
      }
      compareAll();
      writeFragment();
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
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
    else init();
  }

  // For the tests (in the page, and under Node: tests/js/your_numbers.test.mjs) and the benchmark: the same
  // functions the page uses.
  const api = { explain, grade, fmt, shown, parseNumber, checkSpec, OPS, VERDICTS };
  if (typeof window !== "undefined") window.yourNumbers = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})();
