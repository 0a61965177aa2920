// src/dtype.ts
var DTYPES = ["float32", "float64", "int32", "bool"];
function allocate(dtype, n) {
  switch (dtype) {
    case "float32":
      return new Float32Array(n);
    case "float64":
      return new Float64Array(n);
    case "int32":
      return new Int32Array(n);
    case "bool":
      return new Uint8Array(n);
  }
  throw new Error(`unknown dtype ${String(dtype)}`);
}
function dtypeOfArray(data) {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Uint8Array) return "bool";
  return void 0;
}
var isFloating = (d) => d === "float32" || d === "float64";
var isIntegral = (d) => d === "int32" || d === "bool";
var category = (d) => d === "bool" ? 0 : d === "int32" ? 1 : 2;
var RANK = { bool: 0, int32: 1, float32: 2, float64: 3 };
function promoteTypes(a, b) {
  return RANK[a] >= RANK[b] ? a : b;
}
function resultType(...operands) {
  let dim;
  let zeroDim;
  let scalar;
  const join = (acc, d) => acc === void 0 ? d : promoteTypes(acc, d);
  for (const op of operands) {
    if (typeof op === "boolean") scalar = join(scalar, "bool");
    else if (typeof op === "number") scalar = join(scalar, Number.isInteger(op) ? "int32" : "float32");
    else if (op.ndim === 0) zeroDim = join(zeroDim, op.dtype);
    else dim = join(dim, op.dtype);
  }
  let out = dim ?? zeroDim ?? scalar ?? "float32";
  if (dim !== void 0 && zeroDim !== void 0 && category(zeroDim) > category(out)) out = zeroDim;
  if (scalar !== void 0 && category(scalar) > category(out)) out = scalar;
  return out;
}

// src/errors.ts
var BRAND = /* @__PURE__ */ Symbol.for("seqlab.error");
var fmtShape = (shape) => `[${shape.join(", ")}]`;
var TensorError = class extends Error {
  static kind = "TensorError";
  op;
  shapes;
  expected;
  got;
  constructor(message, fields) {
    super(message);
    this.op = fields.op;
    this.shapes = fields.shapes ?? [];
    this.expected = fields.expected;
    this.got = fields.got;
    const kinds = [];
    for (let c = new.target; c?.kind; c = Object.getPrototypeOf(c)) {
      kinds.push(c.kind);
    }
    Object.defineProperty(this, BRAND, { value: kinds, enumerable: false });
    this.name = new.target.kind;
  }
  static [Symbol.hasInstance](x) {
    const kinds = x?.[BRAND];
    return Array.isArray(kinds) && kinds.includes(this.kind);
  }
};
var ShapeError = class extends TensorError {
  static kind = "ShapeError";
};
var AxisError = class extends TensorError {
  static kind = "AxisError";
};
var DTypeError = class extends TensorError {
  static kind = "DTypeError";
};
var IndexError = class extends TensorError {
  static kind = "IndexError";
};
var BackendError = class extends TensorError {
  static kind = "BackendError";
};
var ValueError = class extends TensorError {
  static kind = "ValueError";
};

// src/shape.ts
var MAX_ELEMENTS = 2 ** 31 - 1;
function numel(shape) {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}
function contiguousStrides(shape) {
  const strides = new Array(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}
function isContiguousLayout(shape, strides) {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const s = shape[i];
    if (s === 0) return true;
    if (s !== 1 && strides[i] !== expected) return false;
    expected *= s;
  }
  return true;
}
function checkShape(op, shape) {
  if (!Array.isArray(shape)) throw new ValueError(`${op}: shape must be an array of sizes, got ${String(shape)}`, { op, got: shape });
  let n = 1;
  for (const s of shape) {
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0) {
      throw new ValueError(`${op}: sizes must be non-negative integers, got [${shape.map(String).join(", ")}]`, {
        op,
        got: shape
      });
    }
    n *= s;
  }
  if (n > MAX_ELEMENTS) {
    throw new ValueError(`${op}: ${fmtShape(shape)} has ${n} elements, more than the limit 2^31 - 1`, {
      op,
      shapes: [shape],
      expected: MAX_ELEMENTS,
      got: n
    });
  }
  return shape.slice();
}
function broadcastShapes(op, ...shapes) {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array(ndim).fill(1);
  for (const shape of shapes) {
    for (let i = 0; i < shape.length; i++) {
      const o = ndim - shape.length + i;
      const s = shape[i];
      const cur = out[o];
      if (cur === 1) out[o] = s;
      else if (s !== 1 && s !== cur) {
        throw new ShapeError(`${op}: shapes ${shapes.map(fmtShape).join(" and ")} cannot be broadcast (dim ${o - ndim}: ${cur} != ${s})`, {
          op,
          shapes
        });
      }
    }
  }
  return out;
}
function normalizeAxis(op, axis, ndim) {
  const lo = -Math.max(ndim, 1);
  const hi = Math.max(ndim, 1) - 1;
  if (!Number.isInteger(axis) || axis < lo || axis > hi) {
    throw new AxisError(`${op}: dim ${axis} is out of range for a ${ndim}-d tensor (expected ${lo}..${hi})`, {
      op,
      expected: [lo, hi],
      got: axis
    });
  }
  return axis < 0 ? axis + Math.max(ndim, 1) : axis;
}
function normalizeAxes(op, axes, ndim) {
  if (axes === void 0) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : axes;
  const out = list.map((a) => normalizeAxis(op, a, ndim));
  if (ndim === 0) return [];
  if (new Set(out).size !== out.length) {
    throw new AxisError(`${op}: dim list [${list.join(", ")}] repeats a dim`, { op, got: list });
  }
  return out.sort((a, b) => a - b);
}
var shapesEqual = (a, b) => a.length === b.length && a.every((s, i) => s === b[i]);

// src/kernels/js/erf.gen.ts
function erf(x) {
  const a = Math.abs(x);
  if (a <= 1) {
    const t = x * x;
    let p = -7795898827004868e-25;
    p = p * t + 13720064546783025e-24;
    p = p * t - 16208483801873982e-23;
    p = p * t + 16447424703317818e-22;
    p = p * t - 14924736907419711e-21;
    p = p * t + 12055294904839711e-20;
    p = p * t - 8548325975389692e-19;
    p = p * t + 0.0052239776071164225;
    p = p * t - 0.02686617064323777;
    p = p * t + 0.11283791670945006;
    p = p * t - 0.37612638903183543;
    p = p * t + 0.12837916709551256;
    return x + x * p;
  }
  if (!(a < 6)) return x > 0 ? 1 : x < 0 ? -1 : x;
  const r = 1 - Math.exp(-a * a) * erfcx(a);
  return x < 0 ? -r : r;
}
function erfcx(a) {
  if (a < 1.5) {
    const v2 = a - 1.25;
    let p2 = 5494065543148489e-21;
    p2 = p2 * v2 - 17678831244684087e-21;
    p2 = p2 * v2 + 5404634674114382e-20;
    p2 = p2 * v2 - 16293376713169035e-20;
    p2 = p2 * v2 + 4739705999648889e-19;
    p2 = p2 * v2 - 0.001325783915364136;
    p2 = p2 * v2 + 0.0035531098979445968;
    p2 = p2 * v2 - 0.00908162761495057;
    p2 = p2 * v2 + 0.022011364250898474;
    p2 = p2 * v2 - 0.05021827439604813;
    p2 = p2 * v2 + 0.1067955714965987;
    p2 = p2 * v2 - 0.20882187596460952;
    p2 = p2 * v2 + 0.3678229164523611;
    return p2;
  }
  if (a < 2.25) {
    const v2 = a - 1.875;
    let p2 = 548934948058519e-21;
    p2 = p2 * v2 - 1992787355373908e-21;
    p2 = p2 * v2 + 6797031208970648e-21;
    p2 = p2 * v2 - 23332308436251277e-21;
    p2 = p2 * v2 + 7777106903402338e-20;
    p2 = p2 * v2 - 2508696815199511e-19;
    p2 = p2 * v2 + 7814620007865198e-19;
    p2 = p2 * v2 - 0.002343281625519923;
    p2 = p2 * v2 + 0.006738039159488131;
    p2 = p2 * v2 - 0.018492027590627822;
    p2 = p2 * v2 + 0.04814863004967254;
    p2 = p2 * v2 - 0.11801672272799475;
    p2 = p2 * v2 + 0.2694299851646704;
    return p2;
  }
  if (a < 3.5) {
    const v2 = a - 2.875;
    let p2 = 22957963353260806e-24;
    p2 = p2 * v2 - 9995419590604802e-23;
    p2 = p2 * v2 + 39744391275227484e-23;
    p2 = p2 * v2 - 16559609684471542e-22;
    p2 = p2 * v2 + 6760900247696345e-21;
    p2 = p2 * v2 - 2690395474684454e-20;
    p2 = p2 * v2 + 10438964084040667e-20;
    p2 = p2 * v2 - 394281411462075e-18;
    p2 = p2 * v2 + 0.0014467282837671703;
    p2 = p2 * v2 - 0.005145047559605198;
    p2 = p2 * v2 + 0.017685468287522477;
    p2 = p2 * v2 - 0.058563292659745386;
    p2 = p2 * v2 + 0.1860549346844711;
    return p2;
  }
  const v = a - 4.75;
  let p = -1.2397154955831528e-9;
  p = p * v + 7185117567611981e-24;
  p = p * v - 3530895169315784e-23;
  p = p * v + 19859009944173747e-23;
  p = p * v - 11118029273175578e-22;
  p = p * v + 60825106822292226e-22;
  p = p * v - 3277569444797803e-20;
  p = p * v + 17392778941474938e-20;
  p = p * v - 908098908675339e-18;
  p = p * v + 0.004661326438113047;
  p = p * v - 0.023503448597910273;
  p = p * v + 0.11630270720874594;
  return p;
}

// src/kernels/js/iterate.ts
function forEachRow(shape, operands, row) {
  const nd0 = shape.length;
  const k = operands.length;
  let total = 1;
  for (let d = 0; d < nd0; d++) total *= shape[d];
  if (total === 0) return;
  const offsets = new Array(k);
  const inner = new Array(k);
  for (let j = 0; j < k; j++) {
    offsets[j] = operands[j].offset;
    inner[j] = 0;
  }
  let prev = -1;
  let merges = true;
  for (let d = 0; d < nd0 && merges; d++) {
    const s = shape[d];
    if (s === 1) continue;
    if (prev >= 0) {
      for (let j = 0; j < k; j++) {
        const st = operands[j].strides;
        if (st[prev] !== st[d] * s) {
          merges = false;
          break;
        }
      }
    }
    prev = d;
  }
  if (merges) {
    if (prev >= 0) for (let j = 0; j < k; j++) inner[j] = operands[j].strides[prev];
    row(offsets, inner, 0, total);
    return;
  }
  const sizes = [];
  const kept = [];
  for (let d = 0; d < nd0; d++) {
    const s = shape[d];
    if (s === 1) continue;
    const last = kept.length - 1;
    let merge = last >= 0;
    for (let j = 0; j < k && merge; j++) {
      const st = operands[j].strides;
      if (st[kept[last]] !== st[d] * s) merge = false;
    }
    if (merge) {
      sizes[last] = sizes[last] * s;
      kept[last] = d;
    } else {
      sizes.push(s);
      kept.push(d);
    }
  }
  const nd = sizes.length;
  const strides = new Array(k * nd);
  for (let j = 0; j < k; j++) {
    const st = operands[j].strides;
    for (let d = 0; d < nd; d++) strides[j * nd + d] = st[kept[d]];
    inner[j] = strides[j * nd + nd - 1];
  }
  const n = sizes[nd - 1];
  const rows = total / n;
  const counter = new Array(nd).fill(0);
  let io = 0;
  for (let r = 0; r < rows; r++) {
    row(offsets, inner, io, n);
    io += n;
    for (let d = nd - 2; d >= 0; d--) {
      const c = counter[d] + 1;
      if (c < sizes[d]) {
        counter[d] = c;
        for (let j = 0; j < k; j++) offsets[j] = offsets[j] + strides[j * nd + d];
        break;
      }
      counter[d] = 0;
      const back = sizes[d] - 1;
      for (let j = 0; j < k; j++) offsets[j] = offsets[j] - strides[j * nd + d] * back;
    }
  }
}
function broadcastOperand(t, target) {
  const nt = target.length;
  const ns = t.shape.length;
  const lead = nt - ns;
  let same = lead === 0;
  for (let i = 0; i < ns && same; i++) same = t.shape[i] === target[i];
  if (same) return { strides: t.strides, offset: t.offset };
  const strides = new Array(nt);
  for (let i = 0; i < lead; i++) strides[i] = 0;
  for (let i = 0; i < ns; i++) strides[lead + i] = t.shape[i] === 1 ? 0 : t.strides[i];
  return { strides, offset: t.offset };
}

// src/kernels/js/elementwise.ts
function unaryKernel(row) {
  return (inputs, _attrs, out) => {
    const a = inputs[0];
    const A = a.storage.data;
    const O = out.storage.data;
    forEachRow(out.shape, [broadcastOperand(a, out.shape)], (p, s, io, n) => row(A, O, p[0], s[0], io, n));
  };
}
function binaryKernel(row) {
  return (inputs, _attrs, out) => {
    const a = inputs[0];
    const b = inputs[1];
    const A = a.storage.data;
    const B = b.storage.data;
    const O = out.storage.data;
    forEachRow(
      out.shape,
      [broadcastOperand(a, out.shape), broadcastOperand(b, out.shape)],
      (p, s, io, n) => row(A, B, O, p[0], s[0], p[1], s[1], io, n)
    );
  };
}
function roundHalfEven(x) {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
function powC(x, y) {
  if (x === 1 || x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}
function sigmoidScalar(x) {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
var neg = unaryKernel((A, O, ia, sa, io, n) => {
  for (let k = 0; k < n; k++, ia += sa) O[io + k] = -A[ia];
});
var abs = unaryKernel((A, O, ia, sa, io, n) => {
  for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.abs(A[ia]);
});
var sign = unaryKernel((A, O, ia, sa, io, n) => {
  for (let k = 0; k < n; k++, ia += sa) {
    const x = A[ia];
    O[io + k] = x > 0 ? 1 : x < 0 ? -1 : 0;
  }
});
var exp = unaryKernel((A, O, ia, sa, io, n) => {
  for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.exp(A[ia]);
});
var expm1 = unaryKernel((A, O, ia, sa, io, n) => {
  for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.expm1(A[ia]);
});
var log = unaryKernel((A, O, ia, sa, io, n) => {
  for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.log(A[ia]);
});
var log1p = unaryKernel((A, O, ia, sa, io, n) => {
  for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.log1p(A[ia]);
});
var sqrt = unaryKernel((A, O, ia, sa, io, n) => {
  for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.sqrt(A[ia]);
});
var sin = unaryKernel((A, O, ia, sa, io, n) => {
  for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.sin(A[ia]);
});
var cos = unaryKernel((A, O, ia, sa, io, n) => {
  for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.cos(A[ia]);
});
var tanh = unaryKernel((A, O, ia, sa, io, n) => {
  for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.tanh(A[ia]);
});
var sigmoid = unaryKernel((A, O, ia, sa, io, n) => {
  for (let k = 0; k < n; k++, ia += sa) O[io + k] = sigmoidScalar(A[ia]);
});
var erf2 = unaryKernel((A, O, ia, sa, io, n) => {
  for (let k = 0; k < n; k++, ia += sa) O[io + k] = erf(A[ia]);
});
var relu = unaryKernel((A, O, ia, sa, io, n) => {
  for (let k = 0; k < n; k++, ia += sa) {
    const x = A[ia];
    O[io + k] = x < 0 ? 0 : x;
  }
});
var floor = unaryKernel((A, O, ia, sa, io, n) => {
  for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.floor(A[ia]);
});
var ceil = unaryKernel((A, O, ia, sa, io, n) => {
  for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.ceil(A[ia]);
});
var round = unaryKernel((A, O, ia, sa, io, n) => {
  for (let k = 0; k < n; k++, ia += sa) O[io + k] = roundHalfEven(A[ia]);
});
var add = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia] + B[ib];
});
var sub = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia] - B[ib];
});
var mul = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia] * B[ib];
});
var div = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia] / B[ib];
});
var pow = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = powC(A[ia], B[ib]);
});
var fmod = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia] % B[ib];
});
var maximum = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = Math.max(A[ia], B[ib]);
});
var minimum = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = Math.min(A[ia], B[ib]);
});
var eq = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia] === B[ib] ? 1 : 0;
});
var ne = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia] !== B[ib] ? 1 : 0;
});
var lt = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia] < B[ib] ? 1 : 0;
});
var le = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia] <= B[ib] ? 1 : 0;
});
var gt = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia] > B[ib] ? 1 : 0;
});
var ge = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia] >= B[ib] ? 1 : 0;
});
var where = (inputs, _attrs, out) => {
  const [c, a, b] = inputs;
  const Cd = c.storage.data, A = a.storage.data, B = b.storage.data, O = out.storage.data;
  const ops = [broadcastOperand(c, out.shape), broadcastOperand(a, out.shape), broadcastOperand(b, out.shape)];
  forEachRow(out.shape, ops, (p, s, io, n) => {
    let ic = p[0], ia = p[1], ib = p[2];
    const sc = s[0], sa = s[1], sb = s[2];
    for (let k = 0; k < n; k++, ic += sc, ia += sa, ib += sb) O[io + k] = Cd[ic] !== 0 ? A[ia] : B[ib];
  });
};
var copy = (inputs, _attrs, out) => {
  const a = inputs[0];
  const A = a.storage.data, O = out.storage.data;
  forEachRow(out.shape, [broadcastOperand(a, out.shape)], (p, s, io, n) => {
    let ia = p[0];
    const sa = s[0];
    if (sa === 1) O.set(A.subarray(ia, ia + n), io);
    else for (let k = 0; k < n; k++, ia += sa) O[io + k] = A[ia];
  });
};
var cast = (inputs, attrs, out) => {
  if (out.dtype !== "bool") {
    copy(inputs, attrs, out);
    return;
  }
  const a = inputs[0];
  const A = a.storage.data, O = out.storage.data;
  forEachRow(out.shape, [broadcastOperand(a, out.shape)], (p, s, io, n) => {
    let ia = p[0];
    const sa = s[0];
    for (let k = 0; k < n; k++, ia += sa) O[io + k] = A[ia] !== 0 ? 1 : 0;
  });
};

// src/kernels/js/copy.ts
function stridedCopy(shape, S, src, D, dst) {
  forEachRow(shape, [src, dst], (p, s, _io, n) => {
    let is = p[0], id = p[1];
    const ss = s[0], sd = s[1];
    if (ss === 1 && sd === 1 && S.constructor === D.constructor) D.set(S.subarray(is, is + n), id);
    else for (let k = 0; k < n; k++, is += ss, id += sd) D[id] = S[is];
  });
}

// src/kernels/js/indexing.ts
var withoutAxis = (strides, axis) => strides.map((s, i) => i === axis ? 0 : s);
var gather = (inputs, attrs, out) => {
  const [x, index] = inputs;
  const X = x.storage.data, I = index.storage.data, O = out.storage.data;
  const sAxis = x.strides[attrs.axis];
  forEachRow(
    index.shape,
    [{ strides: index.strides, offset: index.offset }, { strides: withoutAxis(x.strides, attrs.axis), offset: x.offset }],
    (p, s, io, n) => {
      let ii = p[0], ix = p[1];
      for (let k = 0; k < n; k++, ii += s[0], ix += s[1]) O[io + k] = X[ix + I[ii] * sAxis];
    }
  );
};
function scatterKernel(accumulate) {
  return (inputs, attrs, out) => {
    const [x, index, src] = inputs;
    const O = out.storage.data, I = index.storage.data, S = src.storage.data;
    stridedCopy(x.shape, x.storage.data, x, O, { strides: contiguousStrides(x.shape), offset: 0 });
    const os = contiguousStrides(out.shape);
    const sAxis = os[attrs.axis];
    forEachRow(
      index.shape,
      [
        { strides: index.strides, offset: index.offset },
        { strides: src.strides, offset: src.offset },
        { strides: withoutAxis(os, attrs.axis), offset: 0 }
      ],
      (p, s, _io, n) => {
        let ii = p[0], is = p[1], io = p[2];
        for (let k = 0; k < n; k++, ii += s[0], is += s[1], io += s[2]) {
          const at2 = io + I[ii] * sAxis;
          O[at2] = accumulate ? O[at2] + S[is] : S[is];
        }
      }
    );
  };
}
var scatter = scatterKernel(false);
var scatterAdd = scatterKernel(true);
var cat = (inputs, attrs, out) => {
  const os = contiguousStrides(out.shape);
  let offset = 0;
  for (const t of inputs) {
    stridedCopy(t.shape, t.storage.data, t, out.storage.data, { strides: os, offset });
    offset += t.shape[attrs.axis] * os[attrs.axis];
  }
};
var pad = (inputs, attrs, out) => {
  const x = inputs[0];
  if (attrs.value !== 0) out.storage.data.fill(attrs.value);
  const os = contiguousStrides(out.shape);
  const offset = os.reduce((acc, s, i) => acc + s * attrs.before[i], 0);
  const strides = os.map((s, i) => s * (attrs.interior[i] + 1));
  stridedCopy(x.shape, x.storage.data, x, out.storage.data, { strides, offset });
};

// src/kernels/js/matmul.ts
var gemm = createGemm();
function createGemm() {
  const MR = 4;
  const NR = 4;
  const KC = 256;
  const MC = 128;
  const NC = 512;
  const aPack = new Float64Array(MC * KC);
  const bPack = new Float64Array(NC * KC);
  const edge = new Float64Array(MR * NR);
  function packA(A, aOff, sm, sk, i0, mc, p0, kc) {
    const Ap = aPack;
    for (let ir = 0; ir < mc; ir += MR) {
      const base = ir * kc;
      const rows = Math.min(MR, mc - ir);
      for (let r = 0; r < MR; r++) {
        if (r >= rows) {
          for (let p = 0, d = base + r; p < kc; p++, d += MR) Ap[d] = 0;
          continue;
        }
        let src = aOff + (i0 + ir + r) * sm + p0 * sk;
        for (let p = 0, d = base + r; p < kc; p++, src += sk, d += MR) Ap[d] = A[src];
      }
    }
  }
  function packB(B, bOff, sk, sn, p0, kc, j0, nc) {
    const Bp = bPack;
    for (let jr = 0; jr < nc; jr += NR) {
      const base = jr * kc;
      const cols = Math.min(NR, nc - jr);
      for (let c = 0; c < NR; c++) {
        if (c >= cols) {
          for (let p = 0, d = base + c; p < kc; p++, d += NR) Bp[d] = 0;
          continue;
        }
        let src = bOff + p0 * sk + (j0 + jr + c) * sn;
        for (let p = 0, d = base + c; p < kc; p++, src += sk, d += NR) Bp[d] = B[src];
      }
    }
  }
  function micro(kc, pa, pb, C, c0, ldc, rows, cols, accumulate) {
    const Ap = aPack, Bp = bPack;
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
    let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
    let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
    for (let p = 0; p < kc; p++, pa += 4, pb += 4) {
      const a0 = Ap[pa], a1 = Ap[pa + 1], a2 = Ap[pa + 2], a3 = Ap[pa + 3];
      const b0 = Bp[pb], b1 = Bp[pb + 1], b2 = Bp[pb + 2], b3 = Bp[pb + 3];
      c00 += a0 * b0;
      c01 += a0 * b1;
      c02 += a0 * b2;
      c03 += a0 * b3;
      c10 += a1 * b0;
      c11 += a1 * b1;
      c12 += a1 * b2;
      c13 += a1 * b3;
      c20 += a2 * b0;
      c21 += a2 * b1;
      c22 += a2 * b2;
      c23 += a2 * b3;
      c30 += a3 * b0;
      c31 += a3 * b1;
      c32 += a3 * b2;
      c33 += a3 * b3;
    }
    if (rows === MR && cols === NR) {
      const c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
      if (accumulate) {
        C[c0] = C[c0] + c00;
        C[c0 + 1] = C[c0 + 1] + c01;
        C[c0 + 2] = C[c0 + 2] + c02;
        C[c0 + 3] = C[c0 + 3] + c03;
        C[c1] = C[c1] + c10;
        C[c1 + 1] = C[c1 + 1] + c11;
        C[c1 + 2] = C[c1 + 2] + c12;
        C[c1 + 3] = C[c1 + 3] + c13;
        C[c2] = C[c2] + c20;
        C[c2 + 1] = C[c2 + 1] + c21;
        C[c2 + 2] = C[c2 + 2] + c22;
        C[c2 + 3] = C[c2 + 3] + c23;
        C[c3] = C[c3] + c30;
        C[c3 + 1] = C[c3 + 1] + c31;
        C[c3 + 2] = C[c3 + 2] + c32;
        C[c3 + 3] = C[c3 + 3] + c33;
      } else {
        C[c0] = c00;
        C[c0 + 1] = c01;
        C[c0 + 2] = c02;
        C[c0 + 3] = c03;
        C[c1] = c10;
        C[c1 + 1] = c11;
        C[c1 + 2] = c12;
        C[c1 + 3] = c13;
        C[c2] = c20;
        C[c2 + 1] = c21;
        C[c2 + 2] = c22;
        C[c2 + 3] = c23;
        C[c3] = c30;
        C[c3 + 1] = c31;
        C[c3 + 2] = c32;
        C[c3 + 3] = c33;
      }
      return;
    }
    const t = edge;
    t[0] = c00;
    t[1] = c01;
    t[2] = c02;
    t[3] = c03;
    t[4] = c10;
    t[5] = c11;
    t[6] = c12;
    t[7] = c13;
    t[8] = c20;
    t[9] = c21;
    t[10] = c22;
    t[11] = c23;
    t[12] = c30;
    t[13] = c31;
    t[14] = c32;
    t[15] = c33;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = c0 + r * ldc + c;
        C[i] = accumulate ? C[i] + t[r * NR + c] : t[r * NR + c];
      }
    }
  }
  return function gemm2(count, M, N, K, A, aOffs, sAm, sAk, B, bOffs, sBk, sBn, C, cOffs) {
    if (count === 0 || M === 0 || N === 0) return;
    if (K === 0) {
      for (let t = 0; t < count; t++) C.fill(0, cOffs[t], cOffs[t] + M * N);
      return;
    }
    for (let jc = 0; jc < N; jc += NC) {
      const nc = Math.min(NC, N - jc);
      for (let pc = 0; pc < K; pc += KC) {
        const kc = Math.min(KC, K - pc);
        for (let t = 0; t < count; t++) {
          if (t === 0 || bOffs[t] !== bOffs[t - 1]) packB(B, bOffs[t], sBk, sBn, pc, kc, jc, nc);
          const cBase = cOffs[t] + jc;
          for (let ic = 0; ic < M; ic += MC) {
            const mc = Math.min(MC, M - ic);
            packA(A, aOffs[t], sAm, sAk, ic, mc, pc, kc);
            for (let jr = 0; jr < nc; jr += NR) {
              const cols = Math.min(NR, nc - jr);
              for (let ir = 0; ir < mc; ir += MR) {
                micro(kc, ir * kc, jr * kc, C, cBase + (ic + ir) * N + jr, N, Math.min(MR, mc - ir), cols, pc > 0);
              }
            }
          }
        }
      }
    }
  };
}
var matmul = (inputs, _attrs, out) => {
  const a = inputs[0], b = inputs[1];
  const nd = out.ndim;
  const M = out.shape[nd - 2], N = out.shape[nd - 1], K = a.shape[nd - 1];
  const A = a.storage.data, B = b.storage.data, C = out.storage.data;
  const sAm = a.strides[nd - 2], sAk = a.strides[nd - 1];
  const sBk = b.strides[nd - 2], sBn = b.strides[nd - 1];
  if (nd === 2) {
    gemm(1, M, N, K, A, [a.offset], sAm, sAk, B, [b.offset], sBk, sBn, C, [0]);
    return;
  }
  const batch = out.shape.slice(0, nd - 2);
  const count = batch.reduce((p, s) => p * s, 1);
  const aOffs = new Array(count), bOffs = new Array(count), cOffs = new Array(count);
  const cStrides = batch.map((_, i) => batch.slice(i + 1).reduce((p, s) => p * s, 1) * M * N);
  let t = 0;
  forEachRow(
    batch,
    [
      { strides: a.strides.slice(0, nd - 2), offset: a.offset },
      { strides: b.strides.slice(0, nd - 2), offset: b.offset },
      { strides: cStrides, offset: 0 }
    ],
    (p, s, _io, n) => {
      for (let k = 0; k < n; k++, t++) {
        aOffs[t] = p[0] + k * s[0];
        bOffs[t] = p[1] + k * s[1];
        cOffs[t] = p[2] + k * s[2];
      }
    }
  );
  gemm(count, M, N, K, A, aOffs, sAm, sAk, B, bOffs, sBk, sBn, C, cOffs);
};

// src/kernels/js/reduce.ts
function reducedStrides(x, out) {
  const cs = contiguousStrides(out.shape);
  return x.shape.map((_, i) => out.shape[i] === 1 ? 0 : cs[i]);
}
function reduceKernel(init, step) {
  return (inputs, _attrs, out) => {
    const x = inputs[0];
    const acc = new Float64Array(out.size).fill(init);
    const X = x.storage.data;
    forEachRow(
      x.shape,
      [{ strides: x.strides, offset: x.offset }, { strides: reducedStrides(x, out), offset: 0 }],
      (p, s, _io, n) => step(acc, p[1], X, p[0], s[0], s[1], n)
    );
    out.storage.data.set(acc);
  };
}
var sum = reduceKernel(0, (acc, io, X, ix, sx, so, n) => {
  for (let k = 0; k < n; k++, ix += sx, io += so) acc[io] = acc[io] + X[ix];
});
var prod = reduceKernel(1, (acc, io, X, ix, sx, so, n) => {
  for (let k = 0; k < n; k++, ix += sx, io += so) acc[io] = acc[io] * X[ix];
});
var max = reduceKernel(-Infinity, (acc, io, X, ix, sx, so, n) => {
  for (let k = 0; k < n; k++, ix += sx, io += so) {
    const v = X[ix];
    if (v > acc[io] || v !== v) acc[io] = v;
  }
});
var min = reduceKernel(Infinity, (acc, io, X, ix, sx, so, n) => {
  for (let k = 0; k < n; k++, ix += sx, io += so) {
    const v = X[ix];
    if (v < acc[io] || v !== v) acc[io] = v;
  }
});
function forEachLane(x, axis, outShape, lane) {
  const len = x.ndim === 0 ? 1 : x.shape[axis];
  const sx = x.ndim === 0 ? 0 : x.strides[axis];
  const os = contiguousStrides(outShape);
  const so = x.ndim === 0 ? 0 : outShape.length === x.ndim && outShape[axis] === len ? os[axis] : 0;
  const iter = x.shape.map((s, i) => i === axis ? 1 : s);
  forEachRow(iter, [{ strides: x.strides, offset: x.offset }, { strides: os, offset: 0 }], (p, s, _io, n) => {
    let ix = p[0], io = p[1];
    for (let k = 0; k < n; k++, ix += s[0], io += s[1]) lane(ix, sx, io, so, len);
  });
}
function argKernel(better) {
  return (inputs, attrs, out) => {
    const x = inputs[0];
    const X = x.storage.data;
    const O = out.storage.data;
    forEachLane(x, attrs.axis, out.shape, (ix, sx, io, _so, len) => {
      let best = X[ix];
      let bi = 0;
      for (let j = 1; j < len && best === best; j++) {
        const v = X[ix + j * sx];
        if (better(v, best)) {
          best = v;
          bi = j;
        }
      }
      O[io] = bi;
    });
  };
}
var argmax = argKernel((v, best) => v > best || v !== v);
var argmin = argKernel((v, best) => v < best || v !== v);
var cumsum = (inputs, attrs, out) => {
  const x = inputs[0];
  const X = x.storage.data, O = out.storage.data;
  forEachLane(x, attrs.axis, out.shape, (ix, sx, io, so, len) => {
    let acc = 0;
    for (let j = 0; j < len; j++, ix += sx, io += so) O[io] = acc += X[ix];
  });
};
var cumprod = (inputs, attrs, out) => {
  const x = inputs[0];
  const X = x.storage.data, O = out.storage.data;
  forEachLane(x, attrs.axis, out.shape, (ix, sx, io, so, len) => {
    let acc = 1;
    for (let j = 0; j < len; j++, ix += sx, io += so) O[io] = acc *= X[ix];
  });
};
var softmax = (inputs, attrs, out) => {
  const x = inputs[0];
  const X = x.storage.data, O = out.storage.data;
  forEachLane(x, attrs.axis, out.shape, (ix, sx, io, so, len) => {
    let m = -Infinity;
    for (let j = 0; j < len; j++) {
      const v = X[ix + j * sx];
      if (v > m || v !== v) m = v;
    }
    let total = 0;
    for (let j = 0; j < len; j++) {
      const e = Math.exp(X[ix + j * sx] - m);
      O[io + j * so] = e;
      total += e;
    }
    const inv = 1 / total;
    for (let j = 0; j < len; j++) O[io + j * so] = O[io + j * so] * inv;
  });
};
var logSoftmax = (inputs, attrs, out) => {
  const x = inputs[0];
  const X = x.storage.data, O = out.storage.data;
  forEachLane(x, attrs.axis, out.shape, (ix, sx, io, so, len) => {
    let m = -Infinity;
    for (let j = 0; j < len; j++) {
      const v = X[ix + j * sx];
      if (v > m || v !== v) m = v;
    }
    let total = 0;
    for (let j = 0; j < len; j++) total += Math.exp(X[ix + j * sx] - m);
    const shift = m + Math.log(total);
    for (let j = 0; j < len; j++) O[io + j * so] = X[ix + j * sx] - shift;
  });
};

// src/kernels/js/index.ts
var jsProvider = {
  name: "js",
  kernels: {
    neg: { run: neg },
    abs: { run: abs },
    sign: { run: sign },
    exp: { run: exp },
    expm1: { run: expm1 },
    log: { run: log },
    log1p: { run: log1p },
    sqrt: { run: sqrt },
    sin: { run: sin },
    cos: { run: cos },
    tanh: { run: tanh },
    sigmoid: { run: sigmoid },
    erf: { run: erf2 },
    relu: { run: relu },
    floor: { run: floor },
    ceil: { run: ceil },
    round: { run: round },
    add: { run: add },
    sub: { run: sub },
    mul: { run: mul },
    div: { run: div },
    pow: { run: pow },
    maximum: { run: maximum },
    minimum: { run: minimum },
    fmod: { run: fmod },
    eq: { run: eq },
    ne: { run: ne },
    lt: { run: lt },
    le: { run: le },
    gt: { run: gt },
    ge: { run: ge },
    where: { run: where },
    cast: { run: cast },
    copy: { run: copy },
    sum: { run: sum },
    prod: { run: prod },
    max: { run: max },
    min: { run: min },
    argmax: { run: argmax },
    argmin: { run: argmin },
    cumsum: { run: cumsum },
    cumprod: { run: cumprod },
    softmax: { run: softmax },
    logSoftmax: { run: logSoftmax },
    matmul: { run: matmul },
    gather: { run: gather },
    scatter: { run: scatter },
    scatterAdd: { run: scatterAdd },
    cat: { run: cat },
    pad: { run: pad }
  }
};

// src/dispatch.ts
var VIEW_PRIMITIVES = ["reshape", "permute", "expand", "slice", "flip", "unfold"];
var providers = [];
var observer;
var trace;
function registerProvider(provider) {
  unregisterProvider(provider.name);
  providers.push(provider);
}
function unregisterProvider(name) {
  const i = providers.findIndex((p) => p.name === name);
  if (i >= 0) providers.splice(i, 1);
  return i >= 0;
}
function listProviders() {
  return [...providers.map((p) => p.name).reverse(), "js"];
}
function setObserver(o) {
  const prev = observer;
  observer = o;
  return prev;
}
function getObserver() {
  return observer;
}
function traceKernels(fn) {
  const outer2 = trace;
  const calls = [];
  trace = calls;
  try {
    const result = fn();
    return { result, calls };
  } finally {
    trace = outer2;
    outer2?.push(...calls);
  }
}
function dispatch(prim, inputs, attrs, shape, dtype) {
  const out = Tensor.alloc(shape, dtype);
  let ran = "js";
  let done = false;
  for (let i = providers.length - 1; i >= 0 && !done; i--) {
    const provider = providers[i];
    const kernel = provider.kernels[prim];
    if (kernel === void 0 || kernel.accepts !== void 0 && !kernel.accepts(inputs, attrs, out)) continue;
    try {
      kernel.run(inputs, attrs, out);
    } catch (e) {
      if (e instanceof TensorError) throw e;
      const shapes = inputs.map((t) => t.shape);
      throw new BackendError(
        `${prim}: provider '${provider.name}' failed on ${shapes.map(fmtShape).join(", ")} (${e instanceof Error ? e.message : String(e)})`,
        { op: prim, shapes, got: provider.name }
      );
    }
    ran = provider.name;
    done = true;
  }
  if (!done) jsProvider.kernels[prim].run(inputs, attrs, out);
  trace?.push({ prim, provider: ran });
  observer?.record(prim, inputs, attrs, out);
  return out;
}
function dispatchView(prim, input, attrs, view2) {
  trace?.push({ prim, provider: "view" });
  observer?.record(prim, [input], attrs, view2);
  return view2;
}

// src/ops/common.ts
function checkTensor(op, x, what = "input") {
  if (!(x instanceof Tensor)) {
    throw new ValueError(`${op}: ${what} must be a Tensor, got ${x === null ? "null" : typeof x}`, { op, got: typeof x });
  }
  return x;
}
function scalarTensor(value, dtype) {
  const data = allocate(dtype, 1);
  data[0] = typeof value === "boolean" ? value ? 1 : 0 : dtype === "bool" ? value !== 0 ? 1 : 0 : value;
  return new Tensor(new Storage(data), [], [], 0, dtype);
}
function checkScalar(op, x, what = "operand") {
  if (typeof x === "number" || typeof x === "boolean") return x;
  throw new ValueError(`${op}: ${what} must be a Tensor or a number, got ${x === null ? "null" : typeof x}`, { op, got: typeof x });
}
function requireFloat(op, t) {
  if (t.dtype !== "float32" && t.dtype !== "float64") {
    throw new DTypeError(`${op}: expected a floating-point tensor, got ${t.dtype} ${fmtShape(t.shape)}`, {
      op,
      shapes: [t.shape],
      expected: "float32 | float64",
      got: t.dtype
    });
  }
}
function requireInt(op, t, what = "index") {
  if (t.dtype !== "int32") {
    throw new DTypeError(`${op}: ${what} must be int32, got ${t.dtype}`, { op, shapes: [t.shape], expected: "int32", got: t.dtype });
  }
}
function checkFinite(op, name, v) {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ValueError(`${op}: ${name} must be a finite number, got ${String(v)}`, { op, got: v });
  return v;
}
function checkInt(op, name, v, min3 = -Infinity, max3 = Infinity) {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min3 || v > max3) {
    const range = min3 === -Infinity && max3 === Infinity ? "an integer" : `an integer in [${min3}, ${max3}]`;
    throw new ValueError(`${op}: ${name} must be ${range}, got ${String(v)}`, { op, expected: [min3, max3], got: v });
  }
  return v;
}

// src/ops/view.ts
function shapeArgs(args) {
  return args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
}
function makeView(x, shape, strides, offset) {
  return new Tensor(x.storage, shape, strides, offset, x.dtype);
}
function requireDims(op, x) {
  if (x.ndim === 0) throw new AxisError(`${op}: cannot be applied to a 0-d tensor`, { op, shapes: [x.shape], expected: ">= 1 dims", got: 0 });
}
function sizeOf(x, d) {
  requireDims("size", x);
  return x.shape[normalizeAxis("size", d, x.ndim)];
}
function item(x) {
  if (x.size !== 1) {
    throw new ShapeError(`item: a tensor with ${x.size} elements cannot be converted to a scalar (shape ${fmtShape(x.shape)})`, {
      op: "item",
      shapes: [x.shape]
    });
  }
  return x.storage.data[x.offset];
}
function dataCopy(x) {
  if (x.isContiguous) return x.storage.data.slice(x.offset, x.offset + x.size);
  return dispatch("copy", [x], {}, x.shape, x.dtype).storage.data;
}
function inferShape(op, x, shape) {
  const out = shape.slice();
  let infer = -1;
  let known = 1;
  for (let i = 0; i < out.length; i++) {
    const s = out[i];
    if (s === -1 && infer >= 0) {
      throw new ShapeError(`${op}: only one dim can be inferred, got shape [${shape.join(", ")}]`, { op, shapes: [x.shape], got: shape });
    }
    if (s === -1) infer = i;
    else if (!Number.isInteger(s) || s < 0) {
      throw new ValueError(`${op}: invalid size ${s} in shape [${shape.join(", ")}]`, { op, shapes: [x.shape], got: shape });
    } else known *= s;
  }
  if (infer >= 0) {
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(`${op}: shape [${shape.join(", ")}] is invalid for input of size ${x.size}`, { op, shapes: [x.shape], got: shape });
    }
    out[infer] = x.size / known;
  }
  if (numel(out) !== x.size) {
    throw new ShapeError(`${op}: shape [${shape.join(", ")}] is invalid for input of size ${x.size}`, { op, shapes: [x.shape], got: shape });
  }
  return checkShape(op, out);
}
function viewStrides(x, shape) {
  if (x.size === 0 || x.ndim === 0) return contiguousStrides(shape);
  const newStrides = new Array(shape.length).fill(1);
  let viewD = shape.length - 1;
  let chunkBase = x.strides[x.ndim - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = x.ndim - 1; d >= 0; d--) {
    tensorNumel *= x.shape[d];
    if (d === 0 || x.shape[d - 1] !== 1 && x.strides[d - 1] !== tensorNumel * chunkBase) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return void 0;
      if (d > 0) {
        chunkBase = x.strides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? newStrides : void 0;
}
function reshape(x, shape) {
  checkTensor("reshape", x);
  const s = inferShape("reshape", x, shape);
  const strides = viewStrides(x, s);
  if (strides !== void 0) return dispatchView("reshape", x, { shape: s }, makeView(x, s, strides, x.offset));
  const c = dispatch("copy", [x], {}, x.shape, x.dtype);
  return dispatchView("reshape", c, { shape: s }, makeView(c, s, contiguousStrides(s), 0));
}
function view(x, shape) {
  checkTensor("view", x);
  const s = inferShape("view", x, shape);
  const strides = viewStrides(x, s);
  if (strides === void 0) {
    throw new ShapeError(
      `view: shape ${fmtShape(s)} is not compatible with the input's size and strides ${fmtShape(x.shape)} / ${fmtShape(x.strides)} (use reshape)`,
      { op: "view", shapes: [x.shape, s] }
    );
  }
  return dispatchView("reshape", x, { shape: s }, makeView(x, s, strides, x.offset));
}
function permute(x, dims) {
  checkTensor("permute", x);
  if (dims.length !== x.ndim) {
    throw new AxisError(`permute: expected ${x.ndim} dims for shape ${fmtShape(x.shape)}, got [${dims.join(", ")}]`, {
      op: "permute",
      shapes: [x.shape],
      expected: x.ndim,
      got: dims
    });
  }
  const d = dims.map((a) => normalizeAxis("permute", a, x.ndim));
  if (new Set(d).size !== d.length) throw new AxisError(`permute: dims [${dims.join(", ")}] repeat a dim`, { op: "permute", got: dims });
  if (d.every((a, i) => a === i)) return x;
  return dispatchView(
    "permute",
    x,
    { dims: d },
    makeView(x, d.map((a) => x.shape[a]), d.map((a) => x.strides[a]), x.offset)
  );
}
function transpose(x, dim0, dim1) {
  checkTensor("transpose", x);
  if (x.ndim < 2 && dim0 === -2 && dim1 === -1) {
    throw new AxisError(`transpose: mT needs at least 2 dims, got ${fmtShape(x.shape)}`, { op: "transpose", shapes: [x.shape] });
  }
  const a = normalizeAxis("transpose", dim0, x.ndim);
  const b = normalizeAxis("transpose", dim1, x.ndim);
  if (x.ndim === 0) return x;
  const dims = x.shape.map((_, i) => i === a ? b : i === b ? a : i);
  return permute(x, dims);
}
function expand(x, shape) {
  checkTensor("expand", x);
  const op = "expand";
  if (shape.length < x.ndim) {
    throw new ShapeError(`${op}: target ${fmtShape(shape)} has fewer dims than the input ${fmtShape(x.shape)}`, { op, shapes: [x.shape, shape] });
  }
  const lead = shape.length - x.ndim;
  const outShape = [];
  const strides = [];
  for (let i = 0; i < shape.length; i++) {
    const want = shape[i];
    const j = i - lead;
    const have = j >= 0 ? x.shape[j] : 1;
    if (want === -1 && j >= 0) {
      outShape.push(have);
      strides.push(x.strides[j]);
    } else if (!Number.isInteger(want) || want < 0) {
      throw new ValueError(`${op}: invalid size ${want} in ${fmtShape(shape)}`, { op, shapes: [x.shape, shape] });
    } else if (j >= 0 && have === want) {
      outShape.push(want);
      strides.push(x.strides[j]);
    } else if (have === 1) {
      outShape.push(want);
      strides.push(0);
    } else {
      throw new ShapeError(`${op}: cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)} (dim ${i}: ${have} -> ${want})`, {
        op,
        shapes: [x.shape, shape]
      });
    }
  }
  checkShape(op, outShape);
  if (outShape.length === x.ndim && outShape.every((s, i) => s === x.shape[i])) return x;
  return dispatchView(op, x, { shape: outShape }, makeView(x, outShape, strides, x.offset));
}
function squeeze(x, dim) {
  checkTensor("squeeze", x);
  const axes = dim === void 0 ? void 0 : new Set(normalizeAxes("squeeze", dim, x.ndim));
  const shape = x.shape.filter((s, i) => !(s === 1 && (axes === void 0 || axes.has(i))));
  return shape.length === x.ndim ? x : reshape(x, shape);
}
function unsqueeze(x, dim) {
  checkTensor("unsqueeze", x);
  const d = normalizeAxis("unsqueeze", dim, x.ndim + 1);
  const shape = x.shape.slice();
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}
function flatten(x, startDim = 0, endDim = -1) {
  checkTensor("flatten", x);
  if (x.ndim === 0) return reshape(x, [1]);
  const a = normalizeAxis("flatten", startDim, x.ndim);
  const b = normalizeAxis("flatten", endDim, x.ndim);
  if (a > b) throw new AxisError(`flatten: startDim ${startDim} comes after endDim ${endDim}`, { op: "flatten", got: [startDim, endDim] });
  const shape = [...x.shape.slice(0, a), numel(x.shape.slice(a, b + 1)), ...x.shape.slice(b + 1)];
  return reshape(x, shape);
}
function unflatten(x, dim, sizes) {
  checkTensor("unflatten", x);
  requireDims("unflatten", x);
  const d = normalizeAxis("unflatten", dim, x.ndim);
  const n = x.shape[d];
  const known = sizes.filter((s) => s !== -1).reduce((p, s) => p * s, 1);
  const resolved = sizes.map((s) => s === -1 ? n / known : s);
  const inferred = sizes.filter((s) => s === -1).length;
  if (sizes.length === 0 || inferred > 1 || numel(resolved) !== n || !resolved.every((s) => Number.isInteger(s) && s >= 0)) {
    throw new ShapeError(`unflatten: sizes [${sizes.join(", ")}] do not multiply to dim ${dim} of ${fmtShape(x.shape)} (${n})`, {
      op: "unflatten",
      shapes: [x.shape],
      got: sizes
    });
  }
  return reshape(x, [...x.shape.slice(0, d), ...resolved, ...x.shape.slice(d + 1)]);
}
function sliceDim(x, d, start, step, count) {
  if (start === 0 && step === 1 && count === x.shape[d]) return x;
  const starts = x.shape.map(() => 0);
  const steps = x.shape.map(() => 1);
  const sizes = x.shape.slice();
  starts[d] = start;
  steps[d] = step;
  sizes[d] = count;
  const strides = x.strides.map((s, i) => i === d ? s * step : s);
  const offset = count === 0 ? x.offset : x.offset + start * x.strides[d];
  return dispatchView("slice", x, { starts, steps, sizes }, makeView(x, sizes, strides, offset));
}
function flipView(x, axes) {
  if (axes.length === 0) return x;
  let offset = x.offset;
  const strides = x.strides.slice();
  for (const a of axes) {
    const n = x.shape[a];
    if (n > 0) offset += (n - 1) * strides[a];
    strides[a] = -strides[a];
  }
  return dispatchView("flip", x, { axes: axes.slice() }, makeView(x, x.shape, strides, offset));
}
function narrow(x, dim, start, length) {
  checkTensor("narrow", x);
  requireDims("narrow", x);
  const d = normalizeAxis("narrow", dim, x.ndim);
  const n = x.shape[d];
  checkInt("narrow", "start", start, -n, n);
  const s = start < 0 ? start + n : start;
  checkInt("narrow", "length", length, 0, n - s);
  return sliceDim(x, d, s, 1, length);
}
function slice(x, dim, start, end, step = 1) {
  const op = "slice";
  checkTensor(op, x);
  requireDims(op, x);
  const d = normalizeAxis(op, dim, x.ndim);
  const n = x.shape[d];
  checkInt(op, "step", step);
  if (step === 0) throw new ValueError(`${op}: step must be nonzero`, { op, got: step });
  for (const [name, v] of [["start", start], ["end", end]]) {
    if (v !== void 0 && (typeof v !== "number" || !Number.isInteger(v))) throw new ValueError(`${op}: ${name} must be an integer, got ${String(v)}`, { op, got: v });
  }
  const clamp2 = (v, lo, hi) => Math.min(Math.max(v, lo), hi);
  if (step > 0) {
    const s2 = start === void 0 ? 0 : clamp2(start < 0 ? start + n : start, 0, n);
    const e2 = end === void 0 ? n : clamp2(end < 0 ? end + n : end, 0, n);
    const count2 = e2 > s2 ? Math.ceil((e2 - s2) / step) : 0;
    return sliceDim(x, d, s2, step, count2);
  }
  const s = start === void 0 ? n - 1 : clamp2(start < 0 ? start + n : start, -1, n - 1);
  const e = end === void 0 ? -1 : clamp2(end < 0 ? end + n : end, -1, n - 1);
  const count = s > e ? Math.ceil((s - e) / -step) : 0;
  return sliceDim(flipView(x, [d]), d, count === 0 ? 0 : n - 1 - s, -step, count);
}
function select(x, dim, index) {
  checkTensor("select", x);
  requireDims("select", x);
  const d = normalizeAxis("select", dim, x.ndim);
  const n = x.shape[d];
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new IndexError(`select: index ${index} is out of range for dim ${dim} of size ${n}`, { op: "select", shapes: [x.shape], expected: [-n, n - 1], got: index });
  }
  const i = index < 0 ? index + n : index;
  const shape = x.shape.filter((_, k) => k !== d);
  return reshape(sliceDim(x, d, i, 1, 1), shape);
}
function unfold(x, dim, size, step) {
  const op = "unfold";
  checkTensor(op, x);
  const d = normalizeAxis(op, dim, x.ndim);
  const n = x.shape[d] ?? 1;
  checkInt(op, "size", size, 0, n);
  checkInt(op, "step", step, 1);
  const count = Math.floor((n - size) / step) + 1;
  const baseShape = x.ndim === 0 ? [] : x.shape.slice();
  const baseStrides = x.ndim === 0 ? [] : x.strides.slice();
  const stride = x.ndim === 0 ? 1 : x.strides[d];
  if (x.ndim > 0) {
    baseShape[d] = count;
    baseStrides[d] = stride * step;
  }
  const shape = [...baseShape, size];
  const strides = [...baseStrides, stride];
  return dispatchView(op, x, { axis: d, size, step }, makeView(x, shape, strides, x.offset));
}
function contiguous(x) {
  checkTensor("contiguous", x);
  return isContiguousLayout(x.shape, x.strides) ? x : dispatch("copy", [x], {}, x.shape, x.dtype);
}
function clone(x) {
  checkTensor("clone", x);
  return dispatch("copy", [x], {}, x.shape, x.dtype);
}
function cast2(x, dtype) {
  checkTensor("to", x);
  if (!DTYPES.includes(dtype)) throw new ValueError(`to: unknown dtype ${String(dtype)}`, { op: "to", got: dtype });
  return x.dtype === dtype ? x : dispatch("cast", [x], {}, x.shape, dtype);
}
function detach(x) {
  checkTensor("detach", x);
  return new Tensor(x.storage, x.shape, x.strides, x.offset, x.dtype);
}

// src/ops/elementwise.ts
var promo = (x) => x instanceof Tensor ? { dtype: x.dtype, ndim: x.ndim } : x;
function operand(op, x, dtype, what = "operand") {
  if (x instanceof Tensor) return cast2(x, dtype);
  const v = checkScalar(op, x, what);
  if (dtype === "int32" && typeof v === "number" && !(v >= -2147483648 && v <= 2 ** 31 - 1)) {
    throw new ValueError(`${op}: ${what} ${v} cannot be converted to int32 without overflow`, { op, expected: "int32", got: v });
  }
  return scalarTensor(v, dtype);
}
function unaryFloat(op, prim, x) {
  checkTensor(op, x);
  const out = isFloating(x.dtype) ? x.dtype : "float32";
  return dispatch(prim, [x], {}, x.shape, out);
}
function unarySame(op, prim, x) {
  checkTensor(op, x);
  if (x.dtype === "bool") throw new DTypeError(`${op}: not supported for bool tensors`, { op, shapes: [x.shape], got: "bool" });
  return dispatch(prim, [x], {}, x.shape, x.dtype);
}
function unaryRound(op, prim, x) {
  checkTensor(op, x);
  return isFloating(x.dtype) ? dispatch(prim, [x], {}, x.shape, x.dtype) : dispatch("copy", [x], {}, x.shape, x.dtype);
}
function binary(op, prim, a, b, compute, out = compute) {
  requireTensorOperand(op, a, b);
  const ta = operand(op, a, compute, "first operand");
  const tb = operand(op, b, compute, "second operand");
  const shape = broadcastShapes(op, ta.shape, tb.shape);
  return dispatch(prim, [ta, tb], {}, shape, out);
}
function requireTensorOperand(op, a, b) {
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    throw new ValueError(`${op}: at least one operand must be a Tensor`, { op, got: [typeof a, typeof b] });
  }
}
var checkOperand = (op, x, what) => {
  if (x instanceof Tensor) return x;
  checkScalar(op, x, what);
  return x;
};
function promoted(op, a, b) {
  checkOperand(op, a, "first operand");
  checkOperand(op, b, "second operand");
  return resultType(promo(a), promo(b));
}
var floatOf = (d) => isFloating(d) ? d : "float32";
var neg2 = (x) => unarySame("neg", "neg", x);
var abs2 = (x) => unarySame("abs", "abs", x);
var sign2 = (x) => unarySame("sign", "sign", x);
var exp2 = (x) => unaryFloat("exp", "exp", x);
var expm12 = (x) => unaryFloat("expm1", "expm1", x);
var log2 = (x) => unaryFloat("log", "log", x);
var log1p2 = (x) => unaryFloat("log1p", "log1p", x);
var sqrt2 = (x) => unaryFloat("sqrt", "sqrt", x);
var rsqrt = (x) => reciprocal(sqrt2(x));
var reciprocal = (x) => div2(1, checkTensor("reciprocal", x));
var square = (x) => mul2(checkTensor("square", x), x);
var sin2 = (x) => unaryFloat("sin", "sin", x);
var cos2 = (x) => unaryFloat("cos", "cos", x);
var tanh2 = (x) => unaryFloat("tanh", "tanh", x);
var sigmoid2 = (x) => unaryFloat("sigmoid", "sigmoid", x);
var erf3 = (x) => unaryFloat("erf", "erf", x);
var floor2 = (x) => unaryRound("floor", "floor", x);
var ceil2 = (x) => unaryRound("ceil", "ceil", x);
var round2 = (x) => unaryRound("round", "round", x);
function add2(a, b, options = {}) {
  const dtype = promoted("add", a, b);
  return binary("add", dtype === "bool" ? "maximum" : "add", a, scaled("add", b, options.alpha, dtype), dtype);
}
function sub2(a, b, options = {}) {
  const dtype = promoted("sub", a, b);
  if (dtype === "bool") throw new DTypeError("sub: subtracting bool tensors is not supported (use logicalXor or cast)", { op: "sub", got: "bool" });
  return binary("sub", "sub", a, scaled("sub", b, options.alpha, dtype), dtype);
}
function scaled(op, b, alpha, dtype) {
  if (alpha === void 0 || alpha === 1) return b;
  if (typeof alpha !== "number" || Number.isNaN(alpha) || !isFloating(dtype) && !Number.isInteger(alpha)) {
    const expected = isFloating(dtype) ? "a number" : `an integer for ${dtype} operands`;
    throw new ValueError(`${op}: alpha must be ${expected}, got ${String(alpha)}`, { op, expected, got: alpha });
  }
  return b instanceof Tensor ? mul2(cast2(b, dtype), alpha) : b * alpha;
}
function mul2(a, b) {
  const dtype = promoted("mul", a, b);
  return binary("mul", dtype === "bool" ? "minimum" : "mul", a, b, dtype);
}
function div2(a, b, options = {}) {
  const dtype = promoted("div", a, b);
  const mode = options.roundingMode;
  if (mode !== void 0 && mode !== "trunc" && mode !== "floor") {
    throw new ValueError(`div: roundingMode must be "trunc" or "floor", got ${String(mode)}`, { op: "div", got: mode });
  }
  if (mode === void 0) return binary("div", "div", a, b, floatOf(dtype));
  requireTensorOperand("div", a, b);
  const ta = operand("div", a, dtype, "first operand");
  const tb = operand("div", b, dtype, "second operand");
  if (!isFloating(dtype)) {
    if (tb.eq(0).any().item() !== 0) throw new ValueError(`div: integer division by zero (roundingMode "${mode}")`, { op: "div", got: 0 });
    const q = binary("div", "div", ta, tb, "float64");
    const r = mode === "floor" ? floor2(q) : where2(lt2(q, 0), ceil2(q), floor2(q));
    return cast2(r, dtype === "bool" ? "int32" : dtype);
  }
  if (mode === "trunc") {
    const q = binary("div", "div", ta, tb, dtype);
    return where2(lt2(q, 0), ceil2(q), floor2(q));
  }
  return floorDivide(ta, tb);
}
function floorDivide(a, b) {
  const mod = fmod2(a, b);
  let d = div2(sub2(a, mod), b);
  d = where2(logicalAnd(ne2(mod, 0), ne2(lt2(b, 0), lt2(mod, 0))), sub2(d, 1), d);
  const f = floor2(d);
  let r = where2(gt2(sub2(d, f), 0.5), add2(f, 1), f);
  const q = div2(a, b);
  r = where2(eq2(d, 0), mul2(q, 0), r);
  return where2(eq2(b, 0), q, r);
}
function fmod2(a, b) {
  const dtype = promoted("fmod", a, b);
  if (dtype === "bool") throw new DTypeError("fmod: not supported for bool tensors", { op: "fmod", got: "bool" });
  if (!isFloating(dtype) && (b instanceof Tensor ? b.eq(0).any().item() !== 0 : b === 0)) {
    throw new ValueError("fmod: integer division by zero", { op: "fmod", got: 0 });
  }
  return binary("fmod", "fmod", a, b, dtype);
}
function remainder(a, b) {
  const r = fmod2(a, b);
  const bNegative = b instanceof Tensor ? lt2(b, 0) : Number(b < 0);
  return where2(logicalAnd(ne2(r, 0), ne2(lt2(r, 0), bNegative)), add2(r, b), r);
}
function pow2(a, b) {
  const dtype = promoted("pow", a, b);
  if (!isFloating(dtype)) {
    const lowest = b instanceof Tensor ? b.size === 0 ? 0 : b.min().item() : b;
    if (lowest < 0) {
      throw new ValueError(`pow: integers to negative integer powers are not allowed (exponent ${lowest})`, { op: "pow", expected: "exponents >= 0", got: lowest });
    }
  }
  return binary("pow", "pow", a, b, dtype === "bool" ? "int32" : dtype);
}
function maximum2(a, b) {
  return binary("maximum", "maximum", a, b, promoted("maximum", a, b));
}
function minimum2(a, b) {
  return binary("minimum", "minimum", a, b, promoted("minimum", a, b));
}
var compare = (op) => (a, b) => binary(op, op, a, b, promoted(op, a, b), "bool");
var eq2 = compare("eq");
var ne2 = compare("ne");
var lt2 = compare("lt");
var le2 = compare("le");
var gt2 = compare("gt");
var ge2 = compare("ge");
var truthy = (op, x) => x instanceof Tensor ? x.dtype === "bool" ? x : ne2(x, 0) : Boolean(checkScalar(op, x));
function logicalAnd(a, b) {
  return where2(truthy("logicalAnd", a), truthy("logicalAnd", b), false);
}
function logicalOr(a, b) {
  return where2(truthy("logicalOr", a), true, truthy("logicalOr", b));
}
function logicalNot(x) {
  return eq2(checkTensor("logicalNot", x), 0);
}
function isNaN(x) {
  checkTensor("isNaN", x);
  return ne2(x, x);
}
function isFinite(x) {
  checkTensor("isFinite", x);
  return isFloating(x.dtype) ? lt2(abs2(x), Infinity) : eq2(x, x);
}
function where2(cond, a, b) {
  const op = "where";
  const c = cond instanceof Tensor ? cond : scalarTensor(Boolean(checkScalar(op, cond, "condition")), "bool");
  if (c.dtype !== "bool") throw new DTypeError(`${op}: condition must be bool, got ${c.dtype}`, { op, shapes: [c.shape], expected: "bool", got: c.dtype });
  const dtype = resultType(promo(checkOperandB(op, a)), promo(checkOperandB(op, b)));
  const ta = operand(op, a, dtype);
  const tb = operand(op, b, dtype);
  const shape = broadcastShapes(op, c.shape, ta.shape, tb.shape);
  return dispatch("where", [c, ta, tb], {}, shape, dtype);
}
function checkOperandB(op, x) {
  if (x instanceof Tensor) return x;
  return checkScalar(op, x);
}
function maskedFill(x, mask, value) {
  const op = "maskedFill";
  checkTensor(op, x);
  checkTensor(op, mask, "mask");
  if (mask.dtype !== "bool") throw new DTypeError(`${op}: mask must be bool, got ${mask.dtype}`, { op, shapes: [x.shape, mask.shape], expected: "bool", got: mask.dtype });
  const shape = broadcastShapes(op, x.shape, mask.shape);
  if (!shapesEqual(shape, x.shape)) {
    throw new ShapeError(`${op}: mask ${fmtShape(mask.shape)} does not broadcast to the input ${fmtShape(x.shape)}`, { op, shapes: [x.shape, mask.shape] });
  }
  if (value instanceof Tensor && value.ndim !== 0) {
    throw new ShapeError(`${op}: value must be a number or a 0-d tensor, got ${fmtShape(value.shape)}`, { op, shapes: [value.shape] });
  }
  return where2(mask, operand(op, value, x.dtype, "value"), x);
}
function clamp(x, min3, max3) {
  checkTensor("clamp", x);
  if ((min3 === void 0 || min3 === null) && (max3 === void 0 || max3 === null)) {
    throw new ValueError("clamp: at least one of min and max must be given", { op: "clamp" });
  }
  const dtype = resultType({ dtype: x.dtype, ndim: x.ndim }, ...[min3, max3].filter((v) => v !== void 0 && v !== null).map(promo));
  let y = cast2(x, dtype);
  if (min3 !== void 0 && min3 !== null) y = where2(lt2(y, min3), operand("clamp", min3, dtype, "min"), y);
  if (max3 !== void 0 && max3 !== null) y = where2(gt2(y, max3), operand("clamp", max3, dtype, "max"), y);
  return y;
}

// src/ops/activation.ts
function relu2(x) {
  checkTensor("relu", x);
  return dispatch("relu", [x], {}, x.shape, x.dtype);
}
function leakyRelu(x, negativeSlope = 0.01) {
  checkTensor("leakyRelu", x);
  checkFinite("leakyRelu", "negativeSlope", negativeSlope);
  return where2(gt2(x, 0), x, mul2(x, negativeSlope));
}
function elu(x, alpha = 1) {
  checkTensor("elu", x);
  checkFinite("elu", "alpha", alpha);
  return where2(gt2(x, 0), x, mul2(expm12(minimum2(x, 0)), alpha));
}
var SQRT1_2 = Math.SQRT1_2;
var SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
function gelu(x, options = {}) {
  checkTensor("gelu", x);
  const half = mul2(x, 0.5);
  if (options.approximate === "tanh") {
    const inner = mul2(add2(x, mul2(mul2(mul2(x, x), x), 0.044715)), SQRT_2_OVER_PI);
    return mul2(half, add2(tanh2(inner), 1));
  }
  return mul2(half, add2(erf3(mul2(x, SQRT1_2)), 1));
}
function silu(x) {
  checkTensor("silu", x);
  return mul2(x, sigmoid2(x));
}
function softplus(x, options = {}) {
  checkTensor("softplus", x);
  const beta = checkFinite("softplus", "beta", options.beta ?? 1);
  const threshold = checkFinite("softplus", "threshold", options.threshold ?? 20);
  const xf = isFloating(x.dtype) ? x : x.to("float32");
  const bx = mul2(xf, beta);
  const soft = mul2(log1p2(exp2(minimum2(bx, threshold))), 1 / beta);
  return where2(gt2(bx, threshold), xf, soft);
}

// src/rng.ts
var Rng = class _Rng {
  s0 = 0;
  s1 = 0;
  s2 = 0;
  s3 = 0;
  spareNormal;
  constructor(seed = 0) {
    this.seed(seed);
  }
  /** Reset the state from a seed (any finite number; its low 32 bits are used). */
  seed(seed) {
    let x = Number.isFinite(seed) ? Math.trunc(seed) >>> 0 : 0;
    const next = () => {
      x = x + 2654435769 | 0;
      let z = x;
      z = Math.imul(z ^ z >>> 16, 2246822507);
      z = Math.imul(z ^ z >>> 13, 3266489909);
      return (z ^ z >>> 16) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    this.spareNormal = void 0;
  }
  /** Next raw 32-bit unsigned integer. */
  nextUint32() {
    const s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    let n2 = s2 ^ s0;
    let n3 = s3 ^ s1;
    const n1 = s1 ^ n2;
    const n0 = s0 ^ n3;
    n2 ^= t;
    n3 = rotl(n3, 11);
    this.s0 = n0 | 0;
    this.s1 = n1 | 0;
    this.s2 = n2 | 0;
    this.s3 = n3 | 0;
    return r;
  }
  /** Uniform float in [0, 1) with 24 random bits (exactly representable in float32). */
  uniform() {
    return (this.nextUint32() >>> 8) / 16777216;
  }
  /** Uniform float in [0, 1) with 53 random bits. */
  uniform53() {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }
  /** Standard normal draw (Box–Muller, caching the second value of each pair). */
  normal() {
    if (this.spareNormal !== void 0) {
      const v = this.spareNormal;
      this.spareNormal = void 0;
      return v;
    }
    const u1 = 1 - this.uniform53();
    const u2 = this.uniform53();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }
  /** Uniform integer in [low, high) without modulo bias. */
  int(low, high) {
    const range = high - low;
    if (range <= 0) return low;
    if (range > 4294967296) return low + Math.floor(this.uniform53() * range);
    const limit = 4294967296 - 4294967296 % range;
    for (; ; ) {
      const x = this.nextUint32();
      if (x < limit) return low + x % range;
    }
  }
  /** An independent generator derived from this one's next output. */
  fork() {
    return new _Rng(this.nextUint32());
  }
};
var rotl = (x, k) => x << k | x >>> 32 - k;
var globalRng = new Rng(0);
function manualSeed(seed) {
  globalRng = new Rng(seed);
}
function defaultRng() {
  return globalRng;
}

// src/ops/creation.ts
function checkDtype(op, dtype) {
  if (!DTYPES.includes(dtype)) throw new ValueError(`${op}: unknown dtype ${String(dtype)} (expected ${DTYPES.join(", ")})`, { op, got: dtype });
  return dtype;
}
function checkNumericDtype(op, dtype) {
  const d = checkDtype(op, dtype);
  if (d === "bool") throw new DTypeError(`${op}: dtype bool is not supported`, { op, expected: "float32 | float64 | int32", got: d });
  return d;
}
function fromFlat(values, shape, dtype) {
  const data = allocate(dtype, values.length);
  if (dtype === "bool") for (let i = 0; i < values.length; i++) data[i] = values[i] !== 0 ? 1 : 0;
  else data.set(values);
  return new Tensor(new Storage(data), shape, contiguousStrides(shape), 0, dtype);
}
function tensor(data, options = {}) {
  const op = "tensor";
  if (options.dtype !== void 0) checkDtype(op, options.dtype);
  const typed = dtypeOfArray(data);
  if (data instanceof DataView || data instanceof BigInt64Array || data instanceof BigUint64Array) {
    throw new ValueError(`${op}: ${data.constructor.name} is not supported (use a number typed array)`, { op, got: data.constructor.name });
  }
  if (ArrayBuffer.isView(data)) {
    const arr = data;
    const shape2 = options.shape === void 0 ? [arr.length] : checkShape(op, options.shape);
    if (numel(shape2) !== arr.length) {
      throw new ShapeError(`${op}: shape ${fmtShape(shape2)} needs ${numel(shape2)} elements, got ${arr.length}`, { op, shapes: [shape2], got: arr.length });
    }
    const dtype2 = options.dtype ?? (typed === "bool" || typed === void 0 ? "float32" : typed);
    return fromFlat(arr, shape2, dtype2);
  }
  const shape = [];
  let probe = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  checkShape(op, shape);
  const flat = [];
  let sawBool = false;
  let sawNumber = false;
  const walk = (x, depth) => {
    if (depth === shape.length) {
      if (typeof x === "number") sawNumber = true;
      else if (typeof x === "boolean") sawBool = true;
      else throw new ValueError(`${op}: elements must be numbers or booleans, got ${Array.isArray(x) ? "a nested array" : typeof x}`, { op, got: x });
      flat.push(Number(x));
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) {
      const got = Array.isArray(x) ? `length ${x.length}` : typeof x;
      throw new ShapeError(`${op}: ragged nested array (expected length ${shape[depth]} at depth ${depth}, got ${got})`, {
        op,
        expected: shape[depth],
        got
      });
    }
    for (const v of x) walk(v, depth + 1);
  };
  walk(data, 0);
  let dtype = options.dtype ?? (sawBool && !sawNumber ? "bool" : "float32");
  if (options.shape !== void 0) {
    const s = checkShape(op, options.shape);
    if (numel(s) !== flat.length) throw new ShapeError(`${op}: shape ${fmtShape(s)} needs ${numel(s)} elements, got ${flat.length}`, { op, shapes: [s], got: flat.length });
    shape.splice(0, shape.length, ...s);
  }
  dtype = checkDtype(op, dtype);
  return fromFlat(flat, shape, dtype);
}
function filled(op, shape, value, options) {
  const s = checkShape(op, shape);
  if (typeof value !== "number" && typeof value !== "boolean") {
    throw new ValueError(`${op}: value must be a number or a boolean, got ${typeof value}`, { op, got: value });
  }
  const dtype = checkDtype(op, options.dtype ?? (typeof value === "boolean" ? "bool" : "float32"));
  const t = Tensor.alloc(s, dtype);
  const v = typeof value === "boolean" ? Number(value) : dtype === "bool" ? Number(value !== 0) : value;
  if (v !== 0) t.storage.data.fill(v);
  return t;
}
var full = (shape, value, options = {}) => filled("full", shape, value, options);
var zeros = (shape, options = {}) => filled("zeros", shape, 0, options);
var ones = (shape, options = {}) => filled("ones", shape, 1, options);
var empty = (shape, options = {}) => filled("empty", shape, 0, options);
var likeOpts = (x, options) => ({ dtype: options.dtype ?? x.dtype });
var zerosLike = (x, options = {}) => filled("zerosLike", checkTensor("zerosLike", x).shape, 0, likeOpts(x, options));
var onesLike = (x, options = {}) => filled("onesLike", checkTensor("onesLike", x).shape, 1, likeOpts(x, options));
var fullLike = (x, value, options = {}) => filled("fullLike", checkTensor("fullLike", x).shape, value, likeOpts(x, options));
var emptyLike = (x, options = {}) => filled("emptyLike", checkTensor("emptyLike", x).shape, 0, likeOpts(x, options));
function arange(a, b, c, d) {
  const op = "arange";
  let start = 0, end, step = 1, options = {};
  if (typeof b === "number") {
    start = a;
    end = b;
    if (typeof c === "number") step = c;
    else if (c !== void 0) options = c;
    if (d !== void 0) options = d;
  } else {
    end = a;
    if (b !== void 0) options = b;
  }
  checkFinite(op, "start", start);
  checkFinite(op, "end", end);
  checkFinite(op, "step", step);
  if (step === 0) throw new ValueError(`${op}: step must be nonzero`, { op, got: step });
  if ((end - start) / step < 0) {
    throw new ValueError(`${op}: upper bound and lower bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`, { op });
  }
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = checkNumericDtype(op, options.dtype ?? "float32");
  const t = Tensor.alloc(checkShape(op, [n]), dtype);
  const data = t.storage.data;
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return t;
}
function linspace(start, end, steps, options = {}) {
  const op = "linspace";
  checkFinite(op, "start", start);
  checkFinite(op, "end", end);
  checkInt(op, "steps", steps, 0);
  const dtype = checkNumericDtype(op, options.dtype ?? "float32");
  const t = Tensor.alloc(checkShape(op, [steps]), dtype);
  const data = t.storage.data;
  if (steps === 1) data[0] = start;
  const step = (end - start) / (steps - 1);
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps && steps > 1; i++) data[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
  return t;
}
function eye(n, m = n, options = {}) {
  const t = Tensor.alloc(checkShape("eye", [n, m]), checkDtype("eye", options.dtype ?? "float32"));
  for (let i = 0; i < Math.min(n, m); i++) t.storage.data[i * m + i] = 1;
  return t;
}
function randomFill(op, shape, options, draw, floatOnly = true) {
  const s = checkShape(op, shape);
  const dtype = checkDtype(op, options.dtype ?? "float32");
  if (floatOnly && dtype !== "float32" && dtype !== "float64") {
    throw new DTypeError(`${op}: dtype must be float32 or float64, got ${dtype}`, { op, expected: "float32 | float64", got: dtype });
  }
  const rng = options.rng ?? defaultRng();
  const t = Tensor.alloc(s, dtype);
  const data = t.storage.data;
  const f64 = dtype === "float64";
  for (let i = 0; i < data.length; i++) data[i] = draw(rng, f64);
  return t;
}
var rand = (shape, options = {}) => randomFill("rand", shape, options, (r, f64) => f64 ? r.uniform53() : r.uniform());
var randn = (shape, options = {}) => randomFill("randn", shape, options, (r) => r.normal());
function uniform(shape, low = 0, high = 1, options = {}) {
  checkFinite("uniform", "low", low);
  checkFinite("uniform", "high", high);
  if (!(low <= high)) throw new ValueError(`uniform: low must be <= high (got ${low} > ${high})`, { op: "uniform", got: [low, high] });
  return randomFill("uniform", shape, options, (r, f64) => low + (high - low) * (f64 ? r.uniform53() : r.uniform()));
}
function normal(shape, mean2 = 0, std2 = 1, options = {}) {
  checkFinite("normal", "mean", mean2);
  checkFinite("normal", "std", std2);
  if (std2 < 0) throw new ValueError(`normal: std must be >= 0, got ${std2}`, { op: "normal", got: std2 });
  return randomFill("normal", shape, options, (r) => mean2 + std2 * r.normal());
}
function randint(low, high, shape, options = {}) {
  checkInt("randint", "low", low);
  checkInt("randint", "high", high);
  if (high <= low) throw new ValueError(`randint: high must be > low (got ${low} >= ${high})`, { op: "randint", got: [low, high] });
  if ((options.dtype ?? "int32") === "int32" && (low < -2147483648 || high > 2 ** 31)) {
    throw new ValueError(`randint: [${low}, ${high}) does not fit in int32`, { op: "randint", expected: [-2147483648, 2 ** 31], got: [low, high] });
  }
  return randomFill("randint", shape, { ...options, dtype: options.dtype ?? "int32" }, (r) => r.int(low, high), false);
}
function bernoulli(p, options = {}) {
  const op = "bernoulli";
  const rng = options.rng ?? defaultRng();
  if (typeof p === "number") {
    if (!(p >= 0 && p <= 1)) throw new ValueError(`${op}: p must be in [0, 1], got ${p}`, { op, got: p });
    return randomFill(op, options.shape ?? [], options, (r) => r.uniform53() < p ? 1 : 0, false);
  }
  const probs = checkTensor(op, p, "p").data();
  if (options.shape !== void 0) throw new ValueError(`${op}: shape is only used with a number p (the tensor p sets the shape)`, { op, got: options.shape });
  for (const v of probs) if (!(v >= 0 && v <= 1)) throw new ValueError(`${op}: probabilities must be in [0, 1], got ${v}`, { op, got: v });
  const dtype = checkDtype(op, options.dtype ?? (p.dtype === "float64" ? "float64" : "float32"));
  const out = Tensor.alloc(p.shape, dtype);
  const data = out.storage.data;
  for (let i = 0; i < probs.length; i++) data[i] = rng.uniform53() < probs[i] ? 1 : 0;
  return out;
}
function randperm(n, options = {}) {
  checkInt("randperm", "n", n, 0, 2 ** 31 - 1);
  const rng = options.rng ?? defaultRng();
  const t = arange(n, { dtype: checkNumericDtype("randperm", options.dtype ?? "int32") });
  const d = t.storage.data;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    const tmp = d[i];
    d[i] = d[j];
    d[j] = tmp;
  }
  return t;
}

// src/ops/join.ts
function cat2(tensors, dim = 0) {
  const op = "cat";
  if (!Array.isArray(tensors) || tensors.length === 0) throw new ValueError(`${op}: expected a non-empty list of tensors`, { op });
  tensors.forEach((t, i) => checkTensor(op, t, `tensors[${i}]`));
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  const ref = parts[0] ?? tensors[0];
  if (parts.some((t) => t.ndim === 0)) throw new ShapeError(`${op}: zero-dimensional tensors cannot be concatenated`, { op, shapes: tensors.map((t) => t.shape) });
  const d = normalizeAxis(op, dim, ref.ndim);
  const dtype = resultType(...tensors.map((t) => ({ dtype: t.dtype, ndim: Math.max(1, t.ndim) })));
  let total = 0;
  for (const t of parts) {
    if (t.ndim !== ref.ndim || t.shape.some((s, i) => i !== d && s !== ref.shape[i])) {
      throw new ShapeError(`${op}: sizes must match except in dim ${d}, got ${parts.map((p) => fmtShape(p.shape)).join(", ")}`, {
        op,
        shapes: parts.map((p) => p.shape)
      });
    }
    total += t.shape[d];
  }
  if (parts.length === 0) return clone(cast2(tensors[0], dtype));
  const shape = ref.shape.slice();
  shape[d] = total;
  checkShape(op, shape);
  return dispatch(op, parts.map((t) => cast2(t, dtype)), { axis: d }, shape, dtype);
}
function stack(tensors, dim = 0) {
  const op = "stack";
  if (!Array.isArray(tensors) || tensors.length === 0) throw new ValueError(`${op}: expected a non-empty list of tensors`, { op });
  const ref = checkTensor(op, tensors[0], "tensors[0]");
  tensors.forEach((t, i) => {
    checkTensor(op, t, `tensors[${i}]`);
    if (t.ndim !== ref.ndim || t.shape.some((s, k) => s !== ref.shape[k])) {
      throw new ShapeError(`${op}: all tensors must have the same shape, got ${tensors.map((x) => fmtShape(x.shape)).join(", ")}`, {
        op,
        shapes: tensors.map((x) => x.shape)
      });
    }
  });
  const d = normalizeAxis(op, dim, ref.ndim + 1);
  return cat2(tensors.map((t) => unsqueeze(t, d)), d);
}
function requireDims2(op, x) {
  if (x.ndim === 0) throw new AxisError(`${op}: cannot be applied to a 0-d tensor`, { op, shapes: [x.shape], expected: ">= 1 dims", got: 0 });
}
function split(x, sizeOrSections, dim = 0) {
  const op = "split";
  checkTensor(op, x);
  requireDims2(op, x);
  const d = normalizeAxis(op, dim, x.ndim);
  const n = x.shape[d];
  let sizes;
  if (typeof sizeOrSections === "number") {
    checkInt(op, "split size", sizeOrSections, 0);
    if (sizeOrSections === 0 && n > 0) throw new ValueError(`${op}: split size must be positive for a non-empty dim`, { op });
    sizes = [];
    for (let s = 0; s < n || n === 0 && sizes.length === 0; s += sizeOrSections || 1) sizes.push(Math.min(sizeOrSections, n - s));
  } else {
    sizes = sizeOrSections.map((s) => checkInt(op, "section size", s, 0));
    const sum3 = sizes.reduce((a, b) => a + b, 0);
    if (sum3 !== n) {
      throw new ShapeError(`${op}: sections [${sizes.join(", ")}] sum to ${sum3}, but dim ${dim} of ${fmtShape(x.shape)} is ${n}`, {
        op,
        shapes: [x.shape],
        expected: n,
        got: sum3
      });
    }
  }
  let start = 0;
  return sizes.map((s) => {
    const piece = narrow(x, d, start, s);
    start += s;
    return piece;
  });
}
function chunk(x, chunks, dim = 0) {
  checkTensor("chunk", x);
  requireDims2("chunk", x);
  checkInt("chunk", "chunks", chunks, 1);
  const n = x.shape[normalizeAxis("chunk", dim, x.ndim)];
  return split(x, n === 0 ? new Array(chunks).fill(0) : Math.ceil(n / chunks), dim);
}
function unbind(x, dim = 0) {
  checkTensor("unbind", x);
  requireDims2("unbind", x);
  const d = normalizeAxis("unbind", dim, x.ndim);
  return Array.from({ length: x.shape[d] }, (_, i) => x.select(d, i));
}
function flip(x, dims) {
  checkTensor("flip", x);
  return clone(flipView(x, normalizeAxes("flip", dims, x.ndim)));
}
function pad2(x, padding, options = {}) {
  const op = "pad";
  checkTensor(op, x);
  const mode = options.mode ?? "constant";
  if (!["constant", "reflect", "replicate", "circular"].includes(mode)) {
    throw new ValueError(`${op}: unknown mode "${String(mode)}" (expected constant, reflect, replicate or circular)`, { op, got: mode });
  }
  if (padding.length % 2 !== 0 || padding.length / 2 > x.ndim) {
    throw new ValueError(`${op}: padding length must be even and at most 2 * ndim (${2 * x.ndim}), got ${padding.length}`, {
      op,
      shapes: [x.shape],
      got: padding
    });
  }
  padding.forEach((p) => checkInt(op, "padding", p));
  const k = padding.length / 2;
  if (mode === "constant") {
    let y2 = x;
    const before = x.shape.map(() => 0);
    const after = x.shape.map(() => 0);
    for (let i = 0; i < k; i++) {
      const d = x.ndim - 1 - i;
      const lo = padding[2 * i];
      const hi = padding[2 * i + 1];
      const n = y2.shape[d];
      if (lo < 0 || hi < 0) {
        const start = Math.max(0, -lo);
        const stop = n - Math.max(0, -hi);
        if (stop < start) throw new ShapeError(`${op}: padding [${padding.join(", ")}] crops dim ${d} of ${fmtShape(x.shape)} below zero`, { op, shapes: [x.shape] });
        y2 = narrow(y2, d, start, stop - start);
      }
      before[d] = Math.max(0, lo);
      after[d] = Math.max(0, hi);
    }
    const value = options.value ?? 0;
    if (before.every((b) => b === 0) && after.every((a) => a === 0)) return clone(y2);
    const shape = checkShape(op, y2.shape.map((s, d) => s + before[d] + after[d]));
    return dispatch(op, [y2], { before, after, interior: y2.shape.map(() => 0), value }, shape, y2.dtype);
  }
  if (options.value !== void 0) throw new ValueError(`${op}: value is only used with mode "constant"`, { op });
  let y = x;
  for (let i = 0; i < k; i++) {
    const d = x.ndim - 1 - i;
    const lo = padding[2 * i];
    const hi = padding[2 * i + 1];
    const n = y.shape[d];
    if (lo < 0 || hi < 0) throw new ValueError(`${op}: mode "${mode}" needs non-negative padding, got [${padding.join(", ")}]`, { op });
    const limit = mode === "reflect" ? n - 1 : mode === "circular" ? n : Infinity;
    if (lo > limit || hi > limit || n === 0 && lo + hi > 0) {
      throw new ShapeError(`${op}: padding (${lo}, ${hi}) is too large for dim ${d} of size ${n} in mode "${mode}"`, { op, shapes: [x.shape] });
    }
    const parts = [];
    if (lo > 0) {
      if (mode === "reflect") parts.push(flipView(narrow(y, d, 1, lo), [d]));
      else if (mode === "circular") parts.push(narrow(y, d, n - lo, lo));
      else parts.push(expandAlong(narrow(y, d, 0, 1), d, lo));
    }
    parts.push(y);
    if (hi > 0) {
      if (mode === "reflect") parts.push(flipView(narrow(y, d, n - 1 - hi, hi), [d]));
      else if (mode === "circular") parts.push(narrow(y, d, 0, hi));
      else parts.push(expandAlong(narrow(y, d, n - 1, 1), d, hi));
    }
    y = parts.length === 1 ? y : cat2(parts, d);
  }
  return y === x ? clone(x) : y;
}
function expandAlong(x, d, n) {
  const shape = x.shape.slice();
  shape[d] = n;
  return expand(x, shape);
}
function repeat(x, reps) {
  const op = "repeat";
  checkTensor(op, x);
  if (reps.length < x.ndim) {
    throw new ValueError(`${op}: need at least ${x.ndim} repeat counts for ${fmtShape(x.shape)}, got [${reps.join(", ")}]`, { op, shapes: [x.shape], got: reps });
  }
  reps.forEach((r) => checkInt(op, "repeat count", r, 0));
  const lead = reps.length - x.ndim;
  const base = [...new Array(lead).fill(1), ...x.shape];
  const inter = base.flatMap((s) => [1, s]);
  const expanded = base.flatMap((s, i) => [reps[i], s]);
  const out = base.map((s, i) => s * reps[i]);
  checkShape(op, out);
  return reshape(clone(expand(reshape(x, inter), expanded)), out);
}
function tile(x, reps) {
  checkTensor("tile", x);
  const full2 = reps.length < x.ndim ? [...new Array(x.ndim - reps.length).fill(1), ...reps] : reps;
  return repeat(x, full2);
}
function roll(x, shifts, dims) {
  const op = "roll";
  checkTensor(op, x);
  const sh = typeof shifts === "number" ? [shifts] : shifts;
  sh.forEach((s) => checkInt(op, "shift", s));
  if (dims === void 0) {
    if (sh.length !== 1) throw new ValueError(`${op}: with no dims, shifts must be a single number`, { op, got: shifts });
    return reshape(roll(reshape(x, [-1]), sh[0], 0), x.shape);
  }
  const ds = typeof dims === "number" ? [dims] : dims;
  if (ds.length !== sh.length) throw new ValueError(`${op}: shifts and dims must have the same length`, { op, got: [sh, ds] });
  let y = x;
  ds.forEach((dim, i) => {
    const d = normalizeAxis(op, dim, x.ndim);
    const n = y.shape[d];
    if (n === 0) return;
    const s = (sh[i] % n + n) % n;
    if (s !== 0) y = cat2([narrow(y, d, n - s, s), narrow(y, d, 0, n - s)], d);
  });
  return y === x ? clone(x) : y;
}
function triangle(op, x, diagonal, lower) {
  checkTensor(op, x);
  checkInt(op, "diagonal", diagonal);
  if (x.ndim < 2) throw new ShapeError(`${op}: input must have at least 2 dims, got ${fmtShape(x.shape)}`, { op, shapes: [x.shape] });
  const rows = x.shape[x.ndim - 2];
  const cols = x.shape[x.ndim - 1];
  const k = Math.min(Math.max(diagonal, -rows), cols);
  const i = reshape(arange(rows, { dtype: "int32" }), [rows, 1]);
  const j = reshape(arange(cols, { dtype: "int32" }), [1, cols]);
  const keep = lower ? le2(j, add2(i, k)) : ge2(j, add2(i, k));
  return where2(keep, x, x.dtype === "bool" ? false : 0);
}
var tril = (x, diagonal = 0) => triangle("tril", x, diagonal, true);
var triu = (x, diagonal = 0) => triangle("triu", x, diagonal, false);

// src/ops/indexing.ts
function checkIndexValues(op, index, size, what, allowNegative = false) {
  const values = dataCopy(index);
  const lo = allowNegative ? -size : 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo || v >= size) {
      throw new IndexError(`${op}: index ${v} is out of range for ${what} of size ${size}`, {
        op,
        shapes: [index.shape],
        expected: [lo, size - 1],
        got: v
      });
    }
  }
}
function checkGatherShapes(op, x, d, index) {
  if (index.ndim !== x.ndim) {
    throw new ShapeError(`${op}: index ${fmtShape(index.shape)} must have as many dims as the input ${fmtShape(x.shape)}`, {
      op,
      shapes: [x.shape, index.shape]
    });
  }
  for (let i = 0; i < x.ndim; i++) {
    if (i !== d && index.shape[i] > x.shape[i]) {
      throw new ShapeError(`${op}: index ${fmtShape(index.shape)} is larger than the input ${fmtShape(x.shape)} in dim ${i}`, {
        op,
        shapes: [x.shape, index.shape]
      });
    }
  }
}
function gather2(x, dim, index) {
  const op = "gather";
  checkTensor(op, x);
  checkTensor(op, index, "index");
  requireInt(op, index);
  const d = normalizeAxis(op, dim, Math.max(1, x.ndim));
  if (x.ndim === 0) return gather2(reshape(x, [1]), 0, reshape(index, [-1])).reshape(index.shape);
  checkGatherShapes(op, x, d, index);
  checkIndexValues(op, index, x.shape[d], `dim ${d}`);
  return dispatch(op, [x, index], { axis: d }, index.shape, x.dtype);
}
function scatterCommon(op, x, dim, index, src) {
  checkTensor(op, x);
  checkTensor(op, index, "index");
  requireInt(op, index);
  const d = normalizeAxis(op, dim, x.ndim);
  checkGatherShapes(op, x, d, index);
  if (src.ndim !== index.ndim || index.shape.some((s, i) => s > src.shape[i])) {
    throw new ShapeError(`${op}: index ${fmtShape(index.shape)} must not be larger than src ${fmtShape(src.shape)} in any dim`, {
      op,
      shapes: [x.shape, index.shape, src.shape]
    });
  }
  checkIndexValues(op, index, x.shape[d], `dim ${d}`);
  return dispatch(op, [x, index, cast2(src, x.dtype)], { axis: d }, x.shape, x.dtype);
}
function scatter2(x, dim, index, src) {
  checkTensor("scatter", x);
  checkTensor("scatter", index, "index");
  const s = src instanceof Tensor ? src : expand(scalarTensor(checkScalar("scatter", src, "src"), x.dtype), index.shape);
  return scatterCommon("scatter", x, dim, index, s);
}
function scatterAdd2(x, dim, index, src) {
  checkTensor("scatterAdd", src, "src");
  return scatterCommon("scatterAdd", x, dim, index, src);
}
function indexSelect(x, dim, index) {
  const op = "indexSelect";
  checkTensor(op, x);
  checkTensor(op, index, "index");
  requireInt(op, index);
  if (index.ndim > 1) throw new ShapeError(`${op}: index must be 0-d or 1-d, got ${fmtShape(index.shape)}`, { op, shapes: [x.shape, index.shape] });
  const d = normalizeAxis(op, dim, Math.max(1, x.ndim));
  const xs = x.ndim === 0 ? reshape(x, [1]) : x;
  checkIndexValues(op, index, xs.shape[d], `dim ${d}`);
  const n = index.size;
  const view2 = xs.shape.map((_, i) => i === d ? n : 1);
  const target = xs.shape.map((s, i) => i === d ? n : s);
  const out = dispatch("gather", [xs, expand(reshape(index, view2), target)], { axis: d }, target, x.dtype);
  return x.ndim === 0 ? reshape(out, index.shape) : out;
}
function take(x, index) {
  const op = "take";
  checkTensor(op, x);
  checkTensor(op, index, "index");
  requireInt(op, index);
  checkIndexValues(op, index, x.size, "the flattened input", true);
  const flat = reshape(x, [-1]);
  const idx = reshape(index, [-1]);
  const wrapped = dataCopy(idx).map((v) => v < 0 ? v + x.size : v);
  const fixed = Tensor.fromStorage(wrapped, idx.shape, "int32");
  return reshape(dispatch("gather", [flat, fixed], { axis: 0 }, fixed.shape, x.dtype), index.shape);
}
function oneHot(index, numClasses = -1) {
  const op = "oneHot";
  checkTensor(op, index, "index");
  requireInt(op, index);
  const values = dataCopy(index);
  let classes = 0;
  if (numClasses !== -1) classes = checkInt(op, "numClasses", numClasses, 0);
  else for (const v of values) classes = Math.max(classes, v + 1);
  checkIndexValues(op, index, classes, "numClasses");
  return cast2(eq2(reshape(index, [...index.shape, 1]), arange(classes, { dtype: "int32" })), "int32");
}
function embedding(ids, weight) {
  const op = "embedding";
  checkTensor(op, ids, "ids");
  checkTensor(op, weight, "weight");
  requireInt(op, ids, "ids");
  if (weight.ndim !== 2) throw new ShapeError(`${op}: weight must be [num_embeddings, dim], got ${fmtShape(weight.shape)}`, { op, shapes: [weight.shape] });
  checkIndexValues(op, ids, weight.shape[0], "an embedding table");
  const rows = indexSelect(weight, 0, reshape(ids, [-1]));
  return reshape(rows, [...ids.shape, weight.shape[1]]);
}

// src/ops/reduce.ts
function keptShape(x, axes) {
  return x.shape.map((s, i) => axes.includes(i) ? 1 : s);
}
function finish(y, axes, keepdim) {
  return keepdim || axes.length === 0 ? y : squeeze(y, axes);
}
function reduce(op, prim, x, dim, keepdim, dtype) {
  checkTensor(op, x);
  const axes = normalizeAxes(op, dim, x.ndim);
  if ((prim === "max" || prim === "min") && axes.some((a) => x.shape[a] === 0)) {
    throw new ShapeError(`${op}: cannot reduce over a zero-size dim of ${fmtShape(x.shape)} (no identity)`, { op, shapes: [x.shape] });
  }
  const y = dispatch(prim, [x], { axes }, keptShape(x, axes), dtype);
  return finish(y, axes, keepdim);
}
var sumType = (d) => isFloating(d) ? d : "int32";
var sum2 = (x, dim, keepdim = false) => reduce("sum", "sum", x, dim, keepdim, sumType(x.dtype));
function mean(x, dim, keepdim = false) {
  checkTensor("mean", x);
  requireFloat("mean", x);
  const axes = normalizeAxes("mean", dim, x.ndim);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  return div2(sum2(x, axes, keepdim), count);
}
var prod2 = (x, dim, keepdim = false) => reduce("prod", "prod", x, dim, keepdim, sumType(x.dtype));
var amax = (x, dim, keepdim = false) => reduce("amax", "max", x, dim, keepdim, x.dtype);
var amin = (x, dim, keepdim = false) => reduce("amin", "min", x, dim, keepdim, x.dtype);
function argReduce(op, prim, x, dim, keepdim) {
  checkTensor(op, x);
  if (dim === void 0) {
    if (x.size === 0) throw new ShapeError(`${op}: cannot take ${prim} of an empty tensor ${fmtShape(x.shape)}`, { op, shapes: [x.shape] });
    const flat = reshape(x, [-1]);
    const y2 = dispatch(prim, [flat], { axis: 0 }, [1], "int32");
    return keepdim ? reshape(y2, x.shape.map(() => 1)) : reshape(y2, []);
  }
  const axis = normalizeAxis(op, dim, x.ndim);
  if (x.ndim > 0 && x.shape[axis] === 0) {
    throw new ShapeError(`${op}: cannot reduce over zero-size dim ${dim} of ${fmtShape(x.shape)}`, { op, shapes: [x.shape] });
  }
  if (x.ndim === 0) return argReduce(op, prim, x, void 0, keepdim);
  const y = dispatch(prim, [x], { axis }, keptShape(x, [axis]), "int32");
  return finish(y, [axis], keepdim);
}
var argmax2 = (x, dim, keepdim = false) => argReduce("argmax", "argmax", x, dim, keepdim);
var argmin2 = (x, dim, keepdim = false) => argReduce("argmin", "argmin", x, dim, keepdim);
var max2 = (x, dim, keepdim = false) => valuesAndIndices("max", "argmax", x, dim, keepdim);
var min2 = (x, dim, keepdim = false) => valuesAndIndices("min", "argmin", x, dim, keepdim);
function valuesAndIndices(op, prim, x, dim, keepdim) {
  const indices = argReduce(op, prim, x, dim, true);
  const values = x.ndim === 0 ? x : gather2(x, dim, indices);
  const axes = x.ndim === 0 ? [] : [normalizeAxis(op, dim, x.ndim)];
  return { values: finish(values, axes, keepdim), indices: finish(indices, axes, keepdim) };
}
function variance(x, dim, options = {}) {
  checkTensor("var", x);
  requireFloat("var", x);
  const correction = options.correction ?? 1;
  if (!Number.isFinite(correction) || correction < 0) throw new ValueError(`var: correction must be >= 0, got ${correction}`, { op: "var", got: correction });
  const axes = normalizeAxes("var", dim, x.ndim);
  const n = axes.reduce((p, a) => p * x.shape[a], 1);
  const centered = sub2(x, mean(x, axes, true));
  return div2(sum2(mul2(centered, centered), axes, options.keepdim ?? false), Math.max(0, n - correction));
}
function std(x, dim, options = {}) {
  return sqrt2(variance(x, dim, options));
}
function norm(x, p = 2, dim, keepdim = false) {
  checkTensor("norm", x);
  requireFloat("norm", x);
  if (typeof p !== "number" || Number.isNaN(p)) throw new ValueError(`norm: p must be a number, got ${String(p)}`, { op: "norm", got: p });
  const a = abs2(x);
  if (p === Infinity) return amax(a, dim, keepdim);
  if (p === -Infinity) return amin(a, dim, keepdim);
  if (p === 0) return cast2(sum2(ne2(x, 0), dim, keepdim), x.dtype);
  if (p === 1) return sum2(a, dim, keepdim);
  const w = cast2(a, "float64");
  const r = p === 2 ? sqrt2(sum2(mul2(w, w), dim, keepdim)) : pow2(sum2(pow2(w, p), dim, keepdim), 1 / p);
  return cast2(r, x.dtype);
}
function logsumexp(x, dim, keepdim = false) {
  checkTensor("logsumexp", x);
  const xf = isFloating(x.dtype) ? x : cast2(x, "float32");
  const axes = normalizeAxes("logsumexp", dim, x.ndim);
  if (x.size === 0) return finish(log2(sum2(exp2(xf), axes, true)), axes, keepdim);
  const m = detach(amax(xf, axes, true));
  const shift = where2(isFinite(m), m, 0);
  const y = add2(log2(sum2(exp2(sub2(xf, shift)), axes, true)), shift);
  return finish(y, axes, keepdim);
}
function all(x, dim, keepdim = false) {
  checkTensor("all", x);
  return ne2(prod2(cast2(ne2(x, 0), "int32"), dim, keepdim), 0);
}
function any(x, dim, keepdim = false) {
  checkTensor("any", x);
  return ne2(sum2(cast2(ne2(x, 0), "int32"), dim, keepdim), 0);
}
function scan(op, x, dim) {
  checkTensor(op, x);
  const axis = normalizeAxis(op, dim, x.ndim);
  return dispatch(op, [x], { axis: x.ndim === 0 ? 0 : axis }, x.shape, sumType(x.dtype));
}
var cumsum2 = (x, dim) => scan("cumsum", x, dim);
var cumprod2 = (x, dim) => scan("cumprod", x, dim);
function softmaxLike(op, x, dim) {
  checkTensor(op, x);
  const axis = normalizeAxis(op, dim, x.ndim);
  const dtype = isFloating(x.dtype) ? x.dtype : "float32";
  return dispatch(op, [x], { axis: x.ndim === 0 ? 0 : axis }, x.shape, dtype);
}
var softmax2 = (x, dim) => softmaxLike("softmax", x, dim);
var logSoftmax2 = (x, dim) => softmaxLike("logSoftmax", x, dim);

// src/ops/linalg.ts
function checkPair(op, a, b) {
  checkTensor(op, a, "first operand");
  checkTensor(op, b, "second operand");
  if (a.dtype !== b.dtype) {
    throw new DTypeError(`${op}: operands must have the same dtype, got ${a.dtype} and ${b.dtype}`, { op, shapes: [a.shape, b.shape], got: [a.dtype, b.dtype] });
  }
  if (a.dtype === "bool") throw new DTypeError(`${op}: bool tensors are not supported`, { op, shapes: [a.shape, b.shape], got: "bool" });
}
function matmul2(a, b) {
  const op = "matmul";
  checkPair(op, a, b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`${op}: both arguments need at least 1 dim, got ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`, { op, shapes: [a.shape, b.shape] });
  }
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0], 1]) : b;
  const m = a2.shape[a2.ndim - 2];
  const k = a2.shape[a2.ndim - 1];
  const k2 = b2.shape[b2.ndim - 2];
  const n = b2.shape[b2.ndim - 1];
  if (k !== k2) {
    throw new ShapeError(`${op}: inner dimensions differ for ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${k} != ${k2})`, {
      op,
      shapes: [a.shape, b.shape],
      expected: k,
      got: k2
    });
  }
  const batchA = a2.shape.slice(0, -2);
  const batchB = b2.shape.slice(0, -2);
  const lead = batchA.length - batchB.length;
  if (batchA.some((s, i) => {
    const t = batchB[i - lead];
    return t !== void 0 && s !== 1 && t !== 1 && s !== t;
  })) {
    throw new ShapeError(`${op}: batch dims do not broadcast for ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${fmtShape(batchA)} vs ${fmtShape(batchB)})`, {
      op,
      shapes: [a.shape, b.shape]
    });
  }
  const batch = broadcastShapes(op, batchA, batchB);
  const outShape = checkShape(op, [...batch, m, n]);
  const y = dispatch(op, [expand(a2, [...batch, m, k]), expand(b2, [...batch, k, n])], {}, outShape, a.dtype);
  if (a.ndim === 1 && b.ndim === 1) return reshape(y, []);
  if (a.ndim === 1) return reshape(y, [...batch, n]);
  if (b.ndim === 1) return reshape(y, [...batch, m]);
  return y;
}
function bmm(a, b) {
  const op = "bmm";
  checkPair(op, a, b);
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0]) {
    throw new ShapeError(`${op}: expected [B, M, K] and [B, K, N], got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`, { op, shapes: [a.shape, b.shape] });
  }
  if (a.shape[2] !== b.shape[1]) {
    throw new ShapeError(`${op}: inner dimensions differ for ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${a.shape[2]} != ${b.shape[1]})`, {
      op,
      shapes: [a.shape, b.shape],
      expected: a.shape[2],
      got: b.shape[1]
    });
  }
  return matmul2(a, b);
}
function dot(a, b) {
  const op = "dot";
  checkPair(op, a, b);
  if (a.ndim !== 1 || b.ndim !== 1 || a.shape[0] !== b.shape[0]) {
    throw new ShapeError(`${op}: expected two 1-d tensors of equal length, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`, { op, shapes: [a.shape, b.shape] });
  }
  return matmul2(a, b);
}
function outer(a, b) {
  const op = "outer";
  checkPair(op, a, b);
  if (a.ndim !== 1 || b.ndim !== 1) {
    throw new ShapeError(`${op}: expected two 1-d tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`, { op, shapes: [a.shape, b.shape] });
  }
  return mul2(reshape(a, [a.shape[0], 1]), reshape(b, [1, b.shape[0]]));
}

// src/ops/inplace.ts
var RANK2 = { bool: 0, int32: 1, float32: 2, float64: 2 };
function checkTarget(op, t) {
  checkTensor(op, t);
  if (getObserver()?.tracks(t)) {
    throw new ValueError(`${op}: a tensor that requires grad cannot be modified in place while gradients are recorded (use noGrad)`, {
      op,
      shapes: [t.shape]
    });
  }
  for (let i = 0; i < t.ndim; i++) {
    if (t.strides[i] === 0 && t.shape[i] > 1) {
      throw new ValueError(`${op}: the target ${fmtShape(t.shape)} is an expanded view where several elements share memory`, { op, shapes: [t.shape] });
    }
  }
}
function assign(op, t, value) {
  const shape = broadcastShapes(op, t.shape, value.shape);
  if (!shapesEqual(shape, t.shape)) {
    throw new ShapeError(`${op}: result ${fmtShape(value.shape)} does not fit the target ${fmtShape(t.shape)}`, { op, shapes: [t.shape, value.shape] });
  }
  if (RANK2[value.dtype] > RANK2[t.dtype]) {
    throw new DTypeError(`${op}: result type ${value.dtype} cannot be stored in a ${t.dtype} tensor`, { op, expected: t.dtype, got: value.dtype });
  }
  const D = t.storage.data;
  const S = value.storage.data;
  forEachRow(t.shape, [{ strides: t.strides, offset: t.offset }, broadcastOperand(value, t.shape)], (p, s, _io, n) => {
    let id = p[0], is = p[1];
    const sd = s[0], ss = s[1];
    for (let k = 0; k < n; k++, id += sd, is += ss) D[id] = S[is];
  });
  t.storage.version++;
  return t;
}
function untracked(fn) {
  const prev = setObserver(void 0);
  try {
    return fn();
  } finally {
    setObserver(prev);
  }
}
function update(op, t, compute) {
  checkTarget(op, t);
  const value = untracked(compute);
  return assign(op, t, value);
}
var add_ = (t, other, options) => update("add_", t, () => add2(t, other, options));
var sub_ = (t, other, options) => update("sub_", t, () => sub2(t, other, options));
var mul_ = (t, other) => update("mul_", t, () => mul2(t, other));
var div_ = (t, other) => update("div_", t, () => div2(t, other));
var addcmul_ = (t, t1, t2, options = {}) => update("addcmul_", t, () => add2(t, mul2(mul2(t1, t2), checkFinite("addcmul_", "value", options.value ?? 1))));
var addcdiv_ = (t, t1, t2, options = {}) => update("addcdiv_", t, () => add2(t, mul2(div2(t1, t2), checkFinite("addcdiv_", "value", options.value ?? 1))));
var lerp_ = (t, end, weight) => update("lerp_", t, () => add2(t, mul2(sub2(end, t), checkFinite("lerp_", "weight", weight))));
var clamp_ = (t, min3, max3) => update("clamp_", t, () => clamp(t, min3, max3));
function copy_(t, src) {
  checkTarget("copy_", t);
  checkTensor("copy_", src, "src");
  const value = src.storage === t.storage ? untracked(() => clone(src)) : src;
  return assign("copy_", t, untracked(() => cast2(value, t.dtype)));
}
function fill_(t, value) {
  checkTarget("fill_", t);
  if (typeof value !== "number") throw new ValueError(`fill_: value must be a number, got ${typeof value}`, { op: "fill_", got: value });
  if (!isFloating(t.dtype) && !Number.isInteger(value)) {
    throw new DTypeError(`fill_: value ${value} cannot be stored in a ${t.dtype} tensor`, { op: "fill_", expected: t.dtype, got: value });
  }
  return assign("fill_", t, scalarTensor(value, t.dtype));
}
function requiresGrad_(t, flag) {
  checkTensor("requiresGrad_", t);
  if (!t.isLeaf) {
    throw new ValueError("requiresGrad_: only leaf tensors can change requiresGrad (use detach() first)", { op: "requiresGrad_", shapes: [t.shape] });
  }
  if (flag && !isFloating(t.dtype)) {
    throw new DTypeError(`requiresGrad_: only floating-point tensors can require gradients, got ${t.dtype}`, { op: "requiresGrad_", got: t.dtype });
  }
  t.requiresGrad = flag;
  return t;
}

// src/format.ts
function at(t, idx) {
  let off = t.offset;
  for (let i = 0; i < idx.length; i++) off += idx[i] * t.strides[i];
  return t.storage.data[off];
}
function toNested(t) {
  const idx = [];
  const conv = t.dtype === "bool" ? (v) => v !== 0 : (v) => v;
  const rec = (d) => {
    if (d === t.ndim) return conv(at(t, idx));
    const out = [];
    for (let i = 0; i < t.shape[d]; i++) {
      idx[d] = i;
      out.push(rec(d + 1));
    }
    return out;
  };
  return rec(0);
}
function shownIndices(n, summarize, edge) {
  if (!summarize || n <= 2 * edge) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: edge }, (_, i) => i), -1, ...Array.from({ length: edge }, (_, i) => n - edge + i)];
}
function exactDecimal(x) {
  const view2 = new DataView(new ArrayBuffer(8));
  view2.setFloat64(0, x);
  const hi = view2.getUint32(0);
  const biased = hi >>> 20 & 2047;
  let m = BigInt(hi & 1048575) << 32n | BigInt(view2.getUint32(4));
  if (biased !== 0) m |= 1n << 52n;
  const q = Math.max(biased, 1) - 1075;
  return q >= 0 ? [m << BigInt(q), 0] : [m * 5n ** BigInt(-q), -q];
}
function divRoundEven(n, k) {
  if (k <= 0) return n * 10n ** BigInt(-k);
  const d = 10n ** BigInt(k);
  const q = n / d;
  const r2 = n % d * 2n;
  return r2 > d || r2 === d && q % 2n === 1n ? q + 1n : q;
}
var signOf = (x) => x < 0 || Object.is(x, -0) ? "-" : "";
function pyFixed(x, p) {
  const [n, scale] = exactDecimal(x);
  const digits = divRoundEven(n, scale - p).toString().padStart(p + 1, "0");
  return signOf(x) + (p === 0 ? digits : `${digits.slice(0, -p)}.${digits.slice(-p)}`);
}
function pyExp(x, p) {
  const [n, scale] = exactDecimal(x);
  let e = n === 0n ? 0 : n.toString().length - 1 - scale;
  let m = divRoundEven(n, scale + e - p);
  if (m >= 10n ** BigInt(p + 1)) {
    m /= 10n;
    e++;
  }
  const s = m.toString().padStart(p + 1, "0");
  const mantissa = p === 0 ? s : `${s[0]}.${s.slice(1)}`;
  return `${signOf(x)}${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}
var special = (v) => Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
function makeFormatter(t, values, precision) {
  const widest = (vs, str) => vs.reduce((w, v) => Math.max(w, str(v).length), 1);
  if (t.dtype === "bool" || t.dtype === "int32") {
    const str = t.dtype === "bool" ? (v) => v !== 0 ? "True" : "False" : String;
    return { fmt: str, width: widest(values, str) };
  }
  const nonzero = values.filter((v) => Number.isFinite(v) && v !== 0);
  let maxAbs = 0;
  let minAbs = Infinity;
  for (const v of nonzero) {
    maxAbs = Math.max(maxAbs, Math.abs(v));
    minAbs = Math.min(minAbs, Math.abs(v));
  }
  const intMode = nonzero.every((v) => Number.isInteger(v));
  const sci = nonzero.length > 0 && (maxAbs / minAbs > 1e3 || maxAbs > 1e8 || !intMode && minAbs < 1e-4);
  const finite = sci ? (v) => pyExp(v, precision) : intMode ? (v) => `${pyFixed(v, 0)}.` : (v) => pyFixed(v, precision);
  return { fmt: (v) => Number.isFinite(v) ? finite(v) : special(v), width: widest(nonzero, finite) };
}
function formatTensor(t, options = {}) {
  const precision = options.precision ?? 4;
  const threshold = options.threshold ?? 1e3;
  const edge = options.edgeItems ?? 3;
  const lineWidth = options.lineWidth ?? 80;
  const summarize = t.size > threshold;
  const prefix = "tensor(";
  const suffixes = [];
  if (t.size === 0 && t.ndim !== 1) suffixes.push(`size=(${t.shape.join(", ")})`);
  if (t.dtype === "float64" || t.dtype === "int32" || t.dtype === "bool" && t.size === 0) suffixes.push(`dtype=${t.dtype}`);
  if (t.requiresGrad) suffixes.push("requiresGrad=true");
  const shown = [];
  const idx = [];
  const collect = (d) => {
    if (d === t.ndim) {
      shown.push(at(t, idx));
      return;
    }
    for (const i of shownIndices(t.shape[d], summarize, edge)) {
      if (i < 0) continue;
      idx[d] = i;
      collect(d + 1);
    }
  };
  if (t.size > 0) collect(0);
  const { fmt, width } = makeFormatter(t, shown, precision);
  const render = (d, indent) => {
    if (d === t.ndim) return fmt(at(t, idx)).padStart(width);
    const parts = [];
    for (const i of shownIndices(t.shape[d], summarize, edge)) {
      if (i < 0) {
        parts.push(d === t.ndim - 1 && edge > 0 ? " ..." : "...");
        continue;
      }
      idx[d] = i;
      parts.push(render(d + 1, indent + 1));
    }
    if (d === t.ndim - 1) {
      const perLine = Math.max(1, Math.floor((lineWidth - indent) / (width + 2)));
      const lines = [];
      for (let i = 0; i < parts.length; i += perLine) lines.push(parts.slice(i, i + perLine).join(", "));
      return `[${lines.join(",\n" + " ".repeat(indent + 1))}]`;
    }
    const sep = "," + "\n".repeat(t.ndim - d - 1) + " ".repeat(indent + 1);
    return `[${parts.join(sep)}]`;
  };
  let out = prefix + (t.size === 0 ? "[]" : render(0, prefix.length));
  let lastLine = out.length - out.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lastLine + suffix.length + 2 > lineWidth) {
      out += `,
${" ".repeat(prefix.length)}${suffix}`;
      lastLine = prefix.length + suffix.length;
    } else {
      out += `, ${suffix}`;
      lastLine += suffix.length + 2;
    }
  }
  return `${out})`;
}

// src/tensor.ts
var BRAND2 = /* @__PURE__ */ Symbol.for("seqlab.tensor");
var Storage = class {
  constructor(data) {
    this.data = data;
  }
  data;
  /** Incremented on every in-place write; autograd uses it to detect stale saved tensors. */
  version = 0;
};
function frozenCopy(xs) {
  if (Object.isFrozen(xs) && Array.isArray(xs)) return xs;
  const n = xs.length;
  const copy2 = new Array(n);
  for (let i = 0; i < n; i++) copy2[i] = xs[i];
  return Object.freeze(copy2);
}
var Tensor = class _Tensor {
  storage;
  shape;
  /** Strides in elements (may be 0 for broadcast dims, negative for flipped views). */
  strides;
  /** Offset of element [0, ..., 0] in `storage.data`. */
  offset;
  dtype;
  /** Whether autograd should record ops on this tensor (see @seqlab/autograd). */
  requiresGrad = false;
  /** Accumulated gradient, filled by @seqlab/autograd's backward. */
  grad = null;
  /** Autograd's graph node for tensors produced by recorded ops; opaque to this package. */
  gradFn = null;
  /** Low-level constructor; use `tensor()`, `zeros()`... instead. */
  constructor(storage, shape, strides, offset, dtype) {
    this.storage = storage;
    this.shape = frozenCopy(shape);
    this.strides = frozenCopy(strides);
    this.offset = offset;
    this.dtype = dtype;
  }
  static [Symbol.hasInstance](x) {
    return typeof x === "object" && x !== null && x[BRAND2] === true;
  }
  /** Allocate a zero-filled contiguous tensor (no validation: internal use). */
  static alloc(shape, dtype) {
    const frozenShape = frozenCopy(shape);
    const strides = Object.freeze(contiguousStrides(frozenShape));
    return new _Tensor(new Storage(allocate(dtype, numel(frozenShape))), frozenShape, strides, 0, dtype);
  }
  /** Wrap a typed array as a contiguous tensor of `shape` (no copy). */
  static fromStorage(data, shape, dtype) {
    return new _Tensor(new Storage(data), checkShape("fromStorage", shape), contiguousStrides(shape), 0, dtype);
  }
  get ndim() {
    return this.shape.length;
  }
  /** Number of elements. */
  get size() {
    return numel(this.shape);
  }
  /** Number of elements (PyTorch's `numel()`). */
  numel() {
    return numel(this.shape);
  }
  /** Size of dim `d` (negative counts from the end). */
  dim(d) {
    return sizeOf(this, d);
  }
  /** True when elements are laid out row-major without gaps. */
  get isContiguous() {
    return isContiguousLayout(this.shape, this.strides);
  }
  /** True for tensors that are not the result of a recorded op. */
  get isLeaf() {
    return this.gradFn === null;
  }
  // ---- inspection ----
  /** Printed like PyTorch: `tensor([[1., 2.]])`. */
  toString(options) {
    return formatTensor(this, options);
  }
  /** Nested JS arrays (numbers, or booleans for bool tensors); a 0-d tensor gives a scalar. */
  toArray() {
    return toNested(this);
  }
  /** The single value of a one-element tensor. */
  item() {
    return item(this);
  }
  /** A contiguous copy of the elements as a typed array. */
  data() {
    return dataCopy(this);
  }
  // ---- views and copies ----
  reshape(...shape) {
    return reshape(this, shapeArgs(shape));
  }
  view(...shape) {
    return view(this, shapeArgs(shape));
  }
  permute(...dims) {
    return permute(this, shapeArgs(dims));
  }
  transpose(dim0, dim1) {
    return transpose(this, dim0, dim1);
  }
  /** Transpose of the last two dims. */
  get mT() {
    return transpose(this, -2, -1);
  }
  expand(...shape) {
    return expand(this, shapeArgs(shape));
  }
  broadcastTo(shape) {
    return expand(this, shape);
  }
  expandAs(other) {
    return expand(this, other.shape);
  }
  squeeze(dim) {
    return squeeze(this, dim);
  }
  unsqueeze(dim) {
    return unsqueeze(this, dim);
  }
  flatten(startDim = 0, endDim = -1) {
    return flatten(this, startDim, endDim);
  }
  unflatten(dim, sizes) {
    return unflatten(this, dim, sizes);
  }
  narrow(dim, start, length) {
    return narrow(this, dim, start, length);
  }
  slice(dim, start, end, step) {
    return slice(this, dim, start, end, step);
  }
  select(dim, index) {
    return select(this, dim, index);
  }
  unfold(dim, size, step) {
    return unfold(this, dim, size, step);
  }
  contiguous() {
    return contiguous(this);
  }
  clone() {
    return clone(this);
  }
  to(dtype) {
    return cast2(this, dtype);
  }
  float() {
    return cast2(this, "float32");
  }
  double() {
    return cast2(this, "float64");
  }
  int() {
    return cast2(this, "int32");
  }
  bool() {
    return cast2(this, "bool");
  }
  /** A tensor sharing this one's data, cut from any autograd graph. */
  detach() {
    return detach(this);
  }
  flip(dims) {
    return flip(this, dims);
  }
  split(sizeOrSections, dim = 0) {
    return split(this, sizeOrSections, dim);
  }
  chunk(chunks, dim = 0) {
    return chunk(this, chunks, dim);
  }
  unbind(dim = 0) {
    return unbind(this, dim);
  }
  repeat(...reps) {
    return repeat(this, shapeArgs(reps));
  }
  tile(reps) {
    return tile(this, reps);
  }
  roll(shifts, dims) {
    return roll(this, shifts, dims);
  }
  tril(diagonal = 0) {
    return tril(this, diagonal);
  }
  triu(diagonal = 0) {
    return triu(this, diagonal);
  }
  // ---- elementwise ----
  add(other, options) {
    return add2(this, other, options);
  }
  sub(other, options) {
    return sub2(this, other, options);
  }
  mul(other) {
    return mul2(this, other);
  }
  div(other, options) {
    return div2(this, other, options);
  }
  pow(exponent) {
    return pow2(this, exponent);
  }
  maximum(other) {
    return maximum2(this, other);
  }
  minimum(other) {
    return minimum2(this, other);
  }
  neg() {
    return neg2(this);
  }
  abs() {
    return abs2(this);
  }
  sign() {
    return sign2(this);
  }
  exp() {
    return exp2(this);
  }
  expm1() {
    return expm12(this);
  }
  log() {
    return log2(this);
  }
  log1p() {
    return log1p2(this);
  }
  sqrt() {
    return sqrt2(this);
  }
  rsqrt() {
    return rsqrt(this);
  }
  reciprocal() {
    return reciprocal(this);
  }
  square() {
    return square(this);
  }
  sin() {
    return sin2(this);
  }
  cos() {
    return cos2(this);
  }
  tanh() {
    return tanh2(this);
  }
  sigmoid() {
    return sigmoid2(this);
  }
  erf() {
    return erf3(this);
  }
  floor() {
    return floor2(this);
  }
  ceil() {
    return ceil2(this);
  }
  round() {
    return round2(this);
  }
  clamp(min3, max3) {
    return clamp(this, min3, max3);
  }
  relu() {
    return relu2(this);
  }
  gelu(options) {
    return gelu(this, options);
  }
  silu() {
    return silu(this);
  }
  softplus(options) {
    return softplus(this, options);
  }
  eq(other) {
    return eq2(this, other);
  }
  ne(other) {
    return ne2(this, other);
  }
  lt(other) {
    return lt2(this, other);
  }
  le(other) {
    return le2(this, other);
  }
  gt(other) {
    return gt2(this, other);
  }
  ge(other) {
    return ge2(this, other);
  }
  logicalAnd(other) {
    return logicalAnd(this, other);
  }
  logicalOr(other) {
    return logicalOr(this, other);
  }
  logicalNot() {
    return logicalNot(this);
  }
  isNaN() {
    return isNaN(this);
  }
  isFinite() {
    return isFinite(this);
  }
  maskedFill(mask, value) {
    return maskedFill(this, mask, value);
  }
  // ---- reductions ----
  sum(dim, keepdim = false) {
    return sum2(this, dim, keepdim);
  }
  mean(dim, keepdim = false) {
    return mean(this, dim, keepdim);
  }
  prod(dim, keepdim = false) {
    return prod2(this, dim, keepdim);
  }
  /** Largest element over all dims. With a dim, use {@link maxDim}. */
  max() {
    return amax(this);
  }
  min() {
    return amin(this);
  }
  /** Largest values along `dim` and their indices. */
  maxDim(dim, keepdim = false) {
    return max2(this, dim, keepdim);
  }
  minDim(dim, keepdim = false) {
    return min2(this, dim, keepdim);
  }
  amax(dim, keepdim = false) {
    return amax(this, dim, keepdim);
  }
  amin(dim, keepdim = false) {
    return amin(this, dim, keepdim);
  }
  argmax(dim, keepdim = false) {
    return argmax2(this, dim, keepdim);
  }
  argmin(dim, keepdim = false) {
    return argmin2(this, dim, keepdim);
  }
  var(dim, options) {
    return variance(this, dim, options);
  }
  std(dim, options) {
    return std(this, dim, options);
  }
  norm(p = 2, dim, keepdim = false) {
    return norm(this, p, dim, keepdim);
  }
  logsumexp(dim, keepdim = false) {
    return logsumexp(this, dim, keepdim);
  }
  all(dim, keepdim = false) {
    return all(this, dim, keepdim);
  }
  any(dim, keepdim = false) {
    return any(this, dim, keepdim);
  }
  cumsum(dim) {
    return cumsum2(this, dim);
  }
  cumprod(dim) {
    return cumprod2(this, dim);
  }
  softmax(dim) {
    return softmax2(this, dim);
  }
  logSoftmax(dim) {
    return logSoftmax2(this, dim);
  }
  // ---- indexing ----
  gather(dim, index) {
    return gather2(this, dim, index);
  }
  scatter(dim, index, src) {
    return scatter2(this, dim, index, src);
  }
  scatterAdd(dim, index, src) {
    return scatterAdd2(this, dim, index, src);
  }
  indexSelect(dim, index) {
    return indexSelect(this, dim, index);
  }
  take(index) {
    return take(this, index);
  }
  // ---- linear algebra ----
  matmul(other) {
    return matmul2(this, other);
  }
  bmm(other) {
    return bmm(this, other);
  }
  dot(other) {
    return dot(this, other);
  }
  outer(other) {
    return outer(this, other);
  }
  // ---- in-place (refused on tensors autograd tracks) ----
  add_(other, options) {
    return add_(this, other, options);
  }
  sub_(other, options) {
    return sub_(this, other, options);
  }
  mul_(other) {
    return mul_(this, other);
  }
  div_(other) {
    return div_(this, other);
  }
  addcmul_(t1, t2, options) {
    return addcmul_(this, t1, t2, options);
  }
  addcdiv_(t1, t2, options) {
    return addcdiv_(this, t1, t2, options);
  }
  lerp_(end, weight) {
    return lerp_(this, end, weight);
  }
  clamp_(min3, max3) {
    return clamp_(this, min3, max3);
  }
  copy_(src) {
    return copy_(this, src);
  }
  fill_(value) {
    return fill_(this, value);
  }
  zero_() {
    return fill_(this, 0);
  }
  /** Set `requiresGrad` (PyTorch's `requires_grad_`). Only leaves may change it. */
  requiresGrad_(flag = true) {
    return requiresGrad_(this, flag);
  }
  // ---- creation helpers ----
  zerosLike() {
    return zerosLike(this);
  }
  onesLike() {
    return onesLike(this);
  }
};
Object.defineProperty(Tensor.prototype, BRAND2, { value: true });

// src/ops/compare.ts
function isClose(a, b, options = {}) {
  checkTensor("isClose", a);
  checkTensor("isClose", b);
  const rtol = checkFinite("isClose", "rtol", options.rtol ?? 1e-5);
  const atol = checkFinite("isClose", "atol", options.atol ?? 1e-8);
  const fa = isFloating(a.dtype) ? a : cast2(a, "float64");
  const fb = isFloating(b.dtype) ? b : cast2(b, "float64");
  const dtype = fa.dtype === "float64" || fb.dtype === "float64" ? "float64" : "float32";
  const x = cast2(fa, dtype);
  const y = cast2(fb, dtype);
  const error = abs2(sub2(x, y));
  let close = logicalOr(eq2(x, y), logicalAnd(isFinite(error), le2(error, add2(mul2(abs2(y), rtol), atol))));
  if (options.equalNan) close = logicalOr(close, logicalAnd(isNaN(x), isNaN(y)));
  return close;
}
function allClose(a, b, options = {}) {
  return all(isClose(a, b, options)).item() !== 0;
}

// src/ops/einsum.ts
var OP = "einsum";
var ELLIPSIS = "...";
var isLetter = (c) => c >= "a" && c <= "z" || c >= "A" && c <= "Z";
var ellipsisLabel = (k) => `${ELLIPSIS}${k}`;
var describeLabel = (l) => l.startsWith(ELLIPSIS) ? `... (broadcast dim ${l.slice(ELLIPSIS.length)})` : l;
function einsum(equation, ...operands) {
  operands.forEach((x, i) => checkTensor(OP, x, `operand ${i}`));
  const shapes = operands.map((x) => x.shape);
  const fail = (Err, problem, extra = {}) => {
    throw new Err(`${OP}: ${problem} (equation '${String(equation)}', operands ${shapes.map(fmtShape).join(", ")})`, { op: OP, shapes, ...extra });
  };
  if (typeof equation !== "string") fail(ValueError, `equation must be a string, got ${typeof equation}`);
  if (operands.length === 0) fail(ValueError, "needs at least one operand");
  const dtypes = operands.map((x) => x.dtype);
  if (dtypes.some((d) => d !== dtypes[0])) {
    throw new DTypeError(`${OP}: operands must have the same dtype, got ${dtypes.join(", ")}`, { op: OP, shapes, got: dtypes });
  }
  if (dtypes[0] === "bool") throw new DTypeError(`${OP}: bool tensors are not supported`, { op: OP, shapes, got: "bool" });
  const { terms, outLabels } = parseEquation(equation, operands, fail);
  const diagTerms = terms.map((term, i) => takeDiagonals(term, i, fail));
  checkSizes(diagTerms, fail);
  let acc = diagTerms[0];
  for (let i = 1; i < diagTerms.length; i++) {
    const keep = /* @__PURE__ */ new Set([...outLabels, ...diagTerms.slice(i + 1).flatMap((tm) => tm.labels)]);
    acc = contractPair(acc, diagTerms[i], keep);
  }
  acc = sumOut(acc, new Set(outLabels));
  return permute(acc.t, outLabels.map((l) => acc.labels.indexOf(l)));
}
function parseTerm(text, what, fail) {
  const tokens = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (/\s/.test(c)) continue;
    if (c === ".") {
      if (text.slice(i, i + 3) !== ELLIPSIS) fail(ValueError, `'.' in ${what} is not part of an ellipsis '...'`);
      if (tokens.includes(ELLIPSIS)) fail(ValueError, `${what} has more than one ellipsis '...'`);
      tokens.push(ELLIPSIS);
      i += 2;
    } else if (isLetter(c)) tokens.push(c);
    else fail(ValueError, `invalid character '${c}' in ${what} (indices must be letters a-z, A-Z)`, { got: c });
  }
  return tokens;
}
function parseEquation(equation, operands, fail) {
  const arrow = equation.indexOf("->");
  if (arrow >= 0 && equation.includes("->", arrow + 2)) fail(ValueError, "'->' appears more than once");
  const termTexts = (arrow >= 0 ? equation.slice(0, arrow) : equation).split(",");
  if (termTexts.length !== operands.length) {
    fail(ValueError, `the equation names ${termTexts.length} operand(s) but ${operands.length} were given`, {
      expected: termTexts.length,
      got: operands.length
    });
  }
  const inputs = termTexts.map((text, i) => parseTerm(text, `operand ${i}`, fail));
  const output = arrow >= 0 ? parseTerm(equation.slice(arrow + 2), "the output", fail) : void 0;
  const covered = inputs.map((tokens, i) => {
    const letters = tokens.filter((tk) => tk !== ELLIPSIS).length;
    const x = operands[i];
    const hasEllipsis = tokens.includes(ELLIPSIS);
    if (hasEllipsis ? letters > x.ndim : letters !== x.ndim) {
      fail(ShapeError, `operand ${i} has ${letters} indices '${tokens.join("")}' but ${x.ndim} dims ${fmtShape(x.shape)}`, { expected: letters, got: x.ndim });
    }
    return x.ndim - letters;
  });
  const ellipsisDims = Math.max(0, ...covered);
  const ellipsisLabels = Array.from({ length: ellipsisDims }, (_, k) => ellipsisLabel(k));
  const terms = inputs.map((tokens, i) => ({
    t: operands[i],
    labels: tokens.flatMap((tk) => tk === ELLIPSIS ? ellipsisLabels.slice(ellipsisDims - covered[i]) : [tk])
  }));
  const counts = /* @__PURE__ */ new Map();
  for (const tokens of inputs) for (const tk of tokens) if (tk !== ELLIPSIS) counts.set(tk, (counts.get(tk) ?? 0) + 1);
  if (output === void 0) {
    const once = [...counts].filter(([, n]) => n === 1).map(([l]) => l);
    return { terms, outLabels: [...ellipsisLabels, ...once.sort()] };
  }
  const seen = /* @__PURE__ */ new Set();
  for (const tk of output) {
    if (tk === ELLIPSIS) continue;
    if (!counts.has(tk)) fail(ValueError, `output index ${tk} does not appear in any operand`, { got: tk });
    if (seen.has(tk)) fail(ValueError, `output index ${tk} appears more than once`, { got: tk });
    seen.add(tk);
  }
  return { terms, outLabels: output.flatMap((tk) => tk === ELLIPSIS ? ellipsisLabels : [tk]) };
}
function checkSizes(terms, fail) {
  const seen = /* @__PURE__ */ new Map();
  terms.forEach((term, i) => {
    term.labels.forEach((l, d) => {
      const n = term.t.shape[d];
      const prev = seen.get(l);
      if (prev === void 0 || prev.size === 1) seen.set(l, { size: n, operand: i });
      else if (n !== prev.size && n !== 1) {
        fail(ShapeError, `index ${describeLabel(l)} has size ${prev.size} in operand ${prev.operand} but ${n} in operand ${i}`, {
          expected: prev.size,
          got: n
        });
      }
    });
  });
}
function takeDiagonals(term, operand2, fail) {
  let { t, labels } = term;
  for (const l of new Set(labels)) {
    const dims = labels.flatMap((m, d) => m === l ? [d] : []);
    if (dims.length < 2) continue;
    const n = t.shape[dims[0]];
    for (const d of dims) {
      if (t.shape[d] !== n) {
        fail(ShapeError, `index ${l} is repeated in operand ${operand2} with different sizes (${n} != ${t.shape[d]})`, { expected: n, got: t.shape[d] });
      }
    }
    const diag = dims.slice().sort((a, b) => Math.abs(t.strides[b]) - Math.abs(t.strides[a]));
    const rest = labels.flatMap((_, d) => dims.includes(d) ? [] : [d]);
    const k = dims.length;
    const step = n > 1 ? (n ** k - 1) / (n - 1) : 1;
    const moved = permute(t, [...rest, ...diag]);
    const merged = reshape(moved, [...rest.map((d) => t.shape[d]), n ** k]);
    t = slice(merged, -1, 0, void 0, step);
    labels = [...rest.map((d) => labels[d]), l];
  }
  return { t, labels };
}
function sumOut(term, keep) {
  const drop = term.labels.flatMap((l, d) => keep.has(l) ? [] : [d]);
  if (drop.length === 0) return term;
  return { t: sum2(term.t, drop), labels: term.labels.filter((l) => keep.has(l)) };
}
var sumKeep = (term, label) => ({ t: sum2(term.t, term.labels.indexOf(label), true), labels: term.labels });
function contractPair(left, right, keep) {
  let a = sumOut(left, /* @__PURE__ */ new Set([...keep, ...right.labels]));
  let b = sumOut(right, /* @__PURE__ */ new Set([...keep, ...a.labels]));
  const inB = new Set(b.labels);
  const inA = new Set(a.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const contracted = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const leftOnly = a.labels.filter((l) => !inB.has(l));
  const rightOnly = b.labels.filter((l) => !inA.has(l));
  for (const l of contracted) {
    const na = a.t.shape[a.labels.indexOf(l)];
    const nb = b.t.shape[b.labels.indexOf(l)];
    if (na === 1 && nb !== 1) b = sumKeep(b, l);
    else if (nb === 1 && na !== 1) a = sumKeep(a, l);
  }
  const sizeA = (l) => a.t.shape[a.labels.indexOf(l)];
  const sizeB = (l) => b.t.shape[b.labels.indexOf(l)];
  const dimsA = (ls) => ls.map((l) => a.labels.indexOf(l));
  const dimsB = (ls) => ls.map((l) => b.labels.indexOf(l));
  const batchA = batch.map(sizeA);
  const batchB = batch.map(sizeB);
  const leftSizes = leftOnly.map(sizeA);
  const rightSizes = rightOnly.map(sizeB);
  const labels = [...batch, ...leftOnly, ...rightOnly];
  const ones2 = (n) => new Array(n).fill(1);
  if (contracted.length === 0) {
    const at3 = reshape(permute(a.t, dimsA([...batch, ...leftOnly])), [...batchA, ...leftSizes, ...ones2(rightOnly.length)]);
    const bt2 = reshape(permute(b.t, dimsB([...batch, ...rightOnly])), [...batchB, ...ones2(leftOnly.length), ...rightSizes]);
    return { t: mul2(at3, bt2), labels };
  }
  const K = numel(contracted.map(sizeA));
  const at2 = reshape(permute(a.t, dimsA([...batch, ...leftOnly, ...contracted])), [...batchA, numel(leftSizes), K]);
  const bt = reshape(permute(b.t, dimsB([...batch, ...contracted, ...rightOnly])), [...batchB, K, numel(rightSizes)]);
  const y = matmul2(at2, bt);
  return { t: reshape(y, [...y.shape.slice(0, batch.length), ...leftSizes, ...rightSizes]), labels };
}

// src/ops/conv.ts
function conv2d(input, weight, bias, options = {}) {
  const op = "conv2d";
  checkTensor(op, input, "input");
  checkTensor(op, weight, "weight");
  if (bias !== void 0 && bias !== null) checkTensor(op, bias, "bias");
  const shapes = bias ? [input.shape, weight.shape, bias.shape] : [input.shape, weight.shape];
  requireFloat(op, input);
  for (const [what, t] of [["weight", weight], ["bias", bias]]) {
    if (t && t.dtype !== input.dtype) {
      throw new DTypeError(`${op}: ${what} must have the input's dtype ${input.dtype}, got ${t.dtype}`, { op, shapes, expected: input.dtype, got: t.dtype });
    }
  }
  const groups = checkInt(op, "groups", options.groups ?? 1, 1);
  const [sH, sW] = pair(op, "stride", options.stride ?? 1, 1);
  const [dH, dW] = pair(op, "dilation", options.dilation ?? 1, 1);
  if (weight.ndim !== 4) {
    throw new ShapeError(`${op}: expected weight [O, C / groups, kH, kW], got ${fmtShape(weight.shape)}`, { op, shapes });
  }
  const [O, Cg, kH, kW] = weight.shape;
  const C = Cg * groups;
  if (kH === 0 || kW === 0) throw new ShapeError(`${op}: kernel size must be positive, got weight ${fmtShape(weight.shape)}`, { op, shapes });
  if (O % groups !== 0) {
    throw new ShapeError(`${op}: out channels ${O} of weight ${fmtShape(weight.shape)} are not divisible by groups ${groups}`, {
      op,
      shapes,
      expected: `a multiple of ${groups}`,
      got: O
    });
  }
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw new ShapeError(`${op}: expected input [N, C, H, W] or [C, H, W], got ${fmtShape(input.shape)}`, { op, shapes, got: input.shape });
  }
  const inC = input.shape[input.ndim - 3];
  if (inC % groups !== 0) {
    throw new ShapeError(`${op}: input channels ${inC} of ${fmtShape(input.shape)} are not divisible by groups ${groups}`, {
      op,
      shapes,
      expected: `a multiple of ${groups}`,
      got: inC
    });
  }
  if (inC !== C) {
    const layout = input.ndim === 4 ? "[N, C, H, W]" : "[C, H, W]";
    const groupNote = groups === 1 ? "" : ` = groups ${groups} * ${Cg}`;
    throw new ShapeError(`${op}: expected input ${layout} with C = ${C}${groupNote} (weight ${fmtShape(weight.shape)}), got ${fmtShape(input.shape)}`, {
      op,
      shapes,
      expected: C,
      got: inC
    });
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== O)) {
    throw new ShapeError(`${op}: expected bias [${O}] for weight ${fmtShape(weight.shape)}, got ${fmtShape(bias.shape)}`, { op, shapes, expected: [O], got: bias.shape });
  }
  const unbatched = input.ndim === 3;
  const x = unbatched ? reshape(input, [1, ...input.shape]) : input;
  const [N, , H, W] = x.shape;
  const eH = dH * (kH - 1) + 1;
  const eW = dW * (kW - 1) + 1;
  const [top, bottom, left, right] = paddingOf(op, options.padding ?? 0, [sH, sW], eH, eW);
  const Hp = H + top + bottom;
  const Wp = W + left + right;
  if (eH > Hp || eW > Wp) {
    throw new ShapeError(
      `${op}: kernel [${kH}, ${kW}] with dilation [${dH}, ${dW}] spans [${eH}, ${eW}], larger than the padded input [${Hp}, ${Wp}] (input ${fmtShape(input.shape)})`,
      { op, shapes, expected: `at least [${eH}, ${eW}]`, got: [Hp, Wp] }
    );
  }
  const Hout = Math.floor((Hp - eH) / sH) + 1;
  const Wout = Math.floor((Wp - eW) / sW) + 1;
  const xp = pad2(x, [left, right, top, bottom]);
  let win = unfold(xp, 2, eH, sH);
  win = slice(win, 4, 0, void 0, dH);
  win = unfold(win, 3, eW, sW);
  win = slice(win, 5, 0, void 0, dW);
  win = reshape(win, [N, groups, Cg, Hout, Wout, kH, kW]);
  win = permute(win, [0, 1, 2, 5, 6, 3, 4]);
  const cols = reshape(win, [N, groups, Cg * kH * kW, Hout * Wout]);
  const w = reshape(weight, [groups, O / groups, Cg * kH * kW]);
  let y = matmul2(w, cols);
  y = reshape(y, [N, O, Hout, Wout]);
  if (bias) y = add2(y, reshape(bias, [O, 1, 1]));
  return unbatched ? reshape(y, [O, Hout, Wout]) : y;
}
function pair(op, name, v, min3) {
  if (typeof v === "number") {
    checkInt(op, name, v, min3);
    return [v, v];
  }
  if (!Array.isArray(v) || v.length !== 2) {
    throw new ValueError(`${op}: ${name} must be an integer or a pair [h, w], got ${JSON.stringify(v)}`, { op, got: v });
  }
  return [checkInt(op, name, v[0], min3), checkInt(op, name, v[1], min3)];
}
function paddingOf(op, spec, stride, eH, eW) {
  if (spec === "valid") return [0, 0, 0, 0];
  if (spec === "same") {
    if (stride[0] !== 1 || stride[1] !== 1) {
      throw new ValueError(`${op}: padding "same" needs stride 1, got [${stride.join(", ")}]`, { op, expected: [1, 1], got: stride });
    }
    const lo = (e) => Math.floor((e - 1) / 2);
    return [lo(eH), eH - 1 - lo(eH), lo(eW), eW - 1 - lo(eW)];
  }
  if (typeof spec === "string") throw new ValueError(`${op}: padding must be a number, a pair, "valid" or "same", got "${spec}"`, { op, got: spec });
  const [pH, pW] = pair(op, "padding", spec, 0);
  return [pH, pH, pW, pW];
}

export { AxisError, BackendError, DTYPES, DTypeError, IndexError, MAX_ELEMENTS, Rng, ShapeError, Storage, Tensor, TensorError, VIEW_PRIMITIVES, ValueError, abs2 as abs, add2 as add, add_, addcdiv_, addcmul_, all, allClose, amax, amin, any, arange, argmax2 as argmax, argmin2 as argmin, bernoulli, bmm, broadcastShapes, cast2 as cast, cat2 as cat, ceil2 as ceil, chunk, clamp, clamp_, clone, contiguous, contiguousStrides, conv2d, copy_, cos2 as cos, cumprod2 as cumprod, cumsum2 as cumsum, dataCopy, defaultRng, detach, dispatch, dispatchView, div2 as div, div_, dot, einsum, elu, embedding, empty, emptyLike, eq2 as eq, erf3 as erf, exp2 as exp, expand, expm12 as expm1, eye, fill_, flatten, flip, flipView, floor2 as floor, fmod2 as fmod, fmtShape, formatTensor, full, fullLike, gather2 as gather, ge2 as ge, gelu, getObserver, gt2 as gt, indexSelect, isClose, isFinite, isFloating, isIntegral, isNaN, item, jsProvider, le2 as le, leakyRelu, lerp_, linspace, listProviders, log2 as log, log1p2 as log1p, logSoftmax2 as logSoftmax, logicalAnd, logicalNot, logicalOr, logsumexp, lt2 as lt, manualSeed, maskedFill, matmul2 as matmul, max2 as max, maximum2 as maximum, mean, min2 as min, minimum2 as minimum, mul2 as mul, mul_, narrow, ne2 as ne, neg2 as neg, norm, normal, numel, oneHot, ones, onesLike, operand, outer, pad2 as pad, permute, pow2 as pow, prod2 as prod, promoteTypes, rand, randint, randn, randperm, reciprocal, registerProvider, relu2 as relu, remainder, repeat, requiresGrad_, reshape, resultType, roll, round2 as round, rsqrt, scatter2 as scatter, scatterAdd2 as scatterAdd, select, setObserver, shapeArgs, sigmoid2 as sigmoid, sign2 as sign, silu, sin2 as sin, sizeOf, slice, softmax2 as softmax, softplus, split, sqrt2 as sqrt, square, squeeze, stack, std, sub2 as sub, sub_, sum2 as sum, take, tanh2 as tanh, tensor, tile, traceKernels, transpose, tril, triu, unbind, unflatten, unfold, uniform, unregisterProvider, unsqueeze, variance, view, where2 as where, zeros, zerosLike };
//# sourceMappingURL=index.js.map
//# sourceMappingURL=index.js.map