// Module, Parameter and the containers: discovery order and dotted names, tied weights, train/eval,
// apply order, zeroGrad, to("float64"), buffers, and state dicts (PyTorch's keys, strict errors
// that list every problem at once, and nothing changed when loading fails).
import { describe, expect, it } from "vitest";
import { DTypeError, Rng, ShapeError, type Tensor, ValueError, arange, ones, randn, tensor, zeros } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";
import { seqlabMatchers, type SeqlabMatchers } from "@seqlab/autograd/vitest";
import { Embedding, LayerNorm, Linear, Module, ModuleDict, ModuleError, ModuleList, Parameter, ReLU, Sequential, expectRank } from "../src/index.js";
import { thrown } from "./errors.js";

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends SeqlabMatchers<T> {}
}
expect.extend(seqlabMatchers);

class Block extends Module {
  readonly norm = new LayerNorm(4);
  readonly proj: Linear;
  readonly scale = new Parameter(ones([1]));
  constructor(rng: Rng) {
    super();
    this.proj = new Linear(4, 4, { rng });
    this.registerBuffer("steps", zeros([1], { dtype: "int32" }));
    this.registerBuffer("cache", zeros([2]), { persistent: false });
  }
  forward(x: Tensor): Tensor {
    return this.proj.forward(this.norm.forward(x)).mul(this.scale);
  }
}

class Net extends Module {
  readonly embed: Embedding;
  readonly layers: ModuleList<Block>;
  readonly head: Linear;
  constructor(rng = new Rng(0)) {
    super();
    this.embed = new Embedding(10, 4, { rng });
    this.layers = new ModuleList([new Block(rng), new Block(rng)]);
    this.head = new Linear(4, 10, { bias: false, rng });
  }
  forward(ids: Tensor): Tensor {
    let h = this.embed.forward(ids);
    for (const layer of this.layers) h = layer.forward(h);
    return this.head.forward(h);
  }
}

const NET_KEYS = [
  "embed.weight",
  "layers.0.scale",
  "layers.0.steps",
  "layers.0.norm.weight",
  "layers.0.norm.bias",
  "layers.0.proj.weight",
  "layers.0.proj.bias",
  "layers.1.scale",
  "layers.1.steps",
  "layers.1.norm.weight",
  "layers.1.norm.bias",
  "layers.1.proj.weight",
  "layers.1.proj.bias",
  "head.weight",
];

describe("discovery", () => {
  it("finds parameters depth-first in assignment order, own parameters before children, with dotted names", () => {
    const net = new Net();
    expect([...net.namedParameters()].map(([k]) => k)).toEqual(NET_KEYS.filter((k) => !k.endsWith("steps")));
    expect([...net.namedModules()].map(([k, m]) => `${k}:${m.constructor.name}`)).toEqual([
      ":Net",
      "embed:Embedding",
      "layers:ModuleList",
      "layers.0:Block",
      "layers.0.norm:LayerNorm",
      "layers.0.proj:Linear",
      "layers.1:Block",
      "layers.1.norm:LayerNorm",
      "layers.1.proj:Linear",
      "head:Linear",
    ]);
    expect([...net.namedChildren()].map(([k]) => k)).toEqual(["embed", "layers", "head"]);
    expect([...net.layers.at(0).namedParameters({ recurse: false })].map(([k]) => k)).toEqual(["scale"]);
    expect(net.parameterCount()).toBe(40 + 2 * (1 + 8 + 20) + 40);
  });

  it("lists buffers with their paths, and only persistent ones in the state dict", () => {
    const net = new Net();
    expect([...net.namedBuffers()].map(([k]) => k)).toEqual(["layers.0.steps", "layers.0.cache", "layers.1.steps", "layers.1.cache"]);
    expect([...net.namedBuffers({ persistentOnly: true })].map(([k]) => k)).toEqual(["layers.0.steps", "layers.1.steps"]);
    expect([...net.stateDict().keys()]).toEqual(NET_KEYS);
    expect(() => net.registerBuffer("w", new Parameter(zeros([1])))).toThrow(ModuleError);
  });

  it("counts a tied weight once in parameters but keeps both keys in the state dict, as PyTorch", () => {
    class Tied extends Module {
      readonly a = new Linear(2, 2, { rng: new Rng(1) });
      readonly b = this.a; // the same module under two names
      readonly c = new Linear(2, 2, { rng: new Rng(2) });
      constructor() {
        super();
        this.c.weight = this.a.weight; // a tied parameter
      }
    }
    const m = new Tied();
    // PyTorch 1.13 gives exactly these lists for the same module.
    expect([...m.namedParameters()].map(([k]) => k)).toEqual(["a.weight", "a.bias", "c.bias"]);
    expect([...m.namedModules()].map(([k]) => k)).toEqual(["", "a", "c"]);
    expect([...m.stateDict().keys()]).toEqual(["a.weight", "a.bias", "b.weight", "b.bias", "c.weight", "c.bias"]);
    expect(m.parameterCount()).toBe(4 + 2 + 2);
    // Loading PyTorch's state dict of this module (every key) succeeds and keeps the tie.
    const dict = new Map([...m.stateDict()].map(([k, t]) => [k, t.add(1)]));
    m.loadStateDict(dict);
    expect(m.c.weight).toBe(m.a.weight);
    expect(m.c.weight).toBeAllClose(dict.get("a.weight")!);
  });

  it("keeps a tie through to(\"float64\")", () => {
    class Tied extends Module {
      readonly enc = new Embedding(5, 3, { rng: new Rng(1) });
      readonly dec = new Linear(3, 5, { bias: false, rng: new Rng(2) });
      constructor() {
        super();
        this.dec.weight = this.enc.weight;
      }
    }
    const m = new Tied().to("float64");
    expect(m.dec.weight).toBe(m.enc.weight);
    expect(m.enc.weight.dtype).toBe("float64");
    expect(m.parameters()).toHaveLength(1);
  });
});

describe("containers", () => {
  it("ModuleList registers items as 0, 1, ... and supports push, at and iteration", () => {
    const list = new ModuleList([new Linear(2, 3), new ReLU()]);
    list.push(new Linear(3, 1));
    expect(list.length).toBe(3);
    expect([...list.stateDict().keys()]).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expect(list.at(-1)).toBeInstanceOf(Linear);
    expect([...list].map((m) => m.constructor.name)).toEqual(["Linear", "ReLU", "Linear"]);
    expect(() => list.at(3)).toThrow("ModuleList.at: index 3 out of range for length 3");
    expect(() => new ModuleList([{} as Module])).toThrow('ModuleList: item "0" is not a Module');
  });

  it("Sequential chains forward and refuses modules without forward", () => {
    const lin = new Linear(2, 2);
    lin.loadStateDict({ weight: tensor([[1, 0], [0, -1]]), bias: tensor([0, 0]) });
    const seq = new Sequential(lin, new ReLU());
    expect(seq.forward(tensor([[3, 4]]))).toBeAllClose([[3, 0]]);
    class NoForward extends Module {}
    expect(() => new Sequential(new NoForward() as unknown as ReLU)).toThrow("Sequential: module 0 (NoForward) has no forward(x)");
  });

  it("ModuleDict keeps insertion order and refuses dotted or empty keys", () => {
    const dict = new ModuleDict({ enc: new Linear(2, 2), act: new ReLU() });
    dict.set("dec", new Linear(2, 1));
    expect([...dict.keys()]).toEqual(["enc", "act", "dec"]);
    expect(dict.size).toBe(3);
    expect([...dict.stateDict().keys()]).toEqual(["enc.weight", "enc.bias", "dec.weight", "dec.bias"]);
    expect(dict.has("act")).toBe(true);
    expect(dict.get("dec")).toBeInstanceOf(Linear);
    expect(() => dict.get("nope")).toThrow('ModuleDict.get: no module "nope" (have enc, act, dec)');
    expect(() => dict.set("a.b", new ReLU())).toThrow(ModuleError);
    expect(() => dict.set("", new ReLU())).toThrow('ModuleDict.set: key must be non-empty without ".", got ""');
  });
});

describe("modes, apply and gradients", () => {
  it("train() and eval() set every descendant and return the module", () => {
    const net = new Net();
    expect([...net.modules()].every((m) => m.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect([...net.modules()].every((m) => !m.training)).toBe(true);
    net.train();
    expect([...net.modules()].every((m) => m.training)).toBe(true);
    net.train(false);
    expect(net.layers.at(1).proj.training).toBe(false);
  });

  it("apply visits children before their parent, depth-first (PyTorch's order)", () => {
    const net = new Net();
    const names = new Map([...net.namedModules()].map(([k, m]) => [m, k]));
    const order: string[] = [];
    expect(net.apply((m) => order.push(names.get(m)!))).toBe(net);
    expect(order).toEqual(["embed", "layers.0.norm", "layers.0.proj", "layers.0", "layers.1.norm", "layers.1.proj", "layers.1", "layers", "head", ""]);
  });

  it("zeroGrad clears every gradient; requiresGrad_(false) freezes", () => {
    const net = new Net();
    net.forward(tensor([[1, 2, 3]], { dtype: "int32" })).sum().backward();
    expect(net.parameters().every((p) => p.grad !== null)).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
    net.layers.requiresGrad_(false);
    expect(net.parameterCount({ trainableOnly: true })).toBe(40 + 40);
    net.forward(tensor([[1]], { dtype: "int32" })).sum().backward();
    expect(net.layers.at(0).proj.weight.grad).toBeNull();
    expect(net.head.weight.grad).not.toBeNull();
  });
});

describe("to(dtype)", () => {
  it("converts every floating parameter and buffer, keeps int buffers and requiresGrad, and the model runs in float64", () => {
    const net = new Net();
    net.layers.at(0).scale.requiresGrad = false;
    const before = net.forward(tensor([[4, 1]], { dtype: "int32" }));
    expect(net.to("float64")).toBe(net);
    for (const [k, p] of net.namedParameters()) {
      expect(p, k).toBeInstanceOf(Parameter);
      expect(p.dtype, k).toBe("float64");
    }
    expect(net.layers.at(0).scale.requiresGrad).toBe(false);
    expect(net.layers.at(1).scale.requiresGrad).toBe(true);
    const buffers = new Map(net.namedBuffers());
    expect(buffers.get("layers.0.steps")!.dtype).toBe("int32");
    expect(buffers.get("layers.0.cache")!.dtype).toBe("float64");
    const after = net.forward(tensor([[4, 1]], { dtype: "int32" }));
    expect(after.dtype).toBe("float64");
    expect(after).toBeAllClose(before.to("float64"), { atol: 1e-5 });
    expect(net.float().head.weight.dtype).toBe("float32");
  });

  it("refuses non-floating dtypes", () => {
    expect(() => new Net().to("int32")).toThrow(DTypeError);
    expect(() => new Net().to("int32")).toThrow("Net.to: modules convert to float32 or float64, got int32");
  });
});

describe("stateDict and loadStateDict", () => {
  it("round-trips between two models from a Map or a plain object, converting dtype", () => {
    const a = new Net(new Rng(1));
    const b = new Net(new Rng(2));
    const ids = tensor([[3, 7, 1]], { dtype: "int32" });
    expect(b.forward(ids)).not.toBeAllClose(a.forward(ids));
    expect(b.loadStateDict(a.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.forward(ids)).toBeAllClose(a.forward(ids));
    const c = new Net(new Rng(3));
    c.loadStateDict(Object.fromEntries([...a.stateDict()].map(([k, t]) => [k, t.to("float64")])));
    expect(c.head.weight.dtype).toBe("float32");
    expect(c.forward(ids)).toBeAllClose(a.forward(ids));
  });

  it("hands out detached tensors that share the module's storage", () => {
    const lin = new Linear(2, 2);
    const w = lin.stateDict().get("weight")!;
    expect(w.requiresGrad).toBe(false);
    noGrad(() => w.fill_(7));
    expect(lin.weight).toBeAllClose([[7, 7], [7, 7]]);
  });

  it("lists missing, unexpected and mis-shaped keys in one error and changes nothing", () => {
    const net = new Net(new Rng(1));
    const snapshot = new Map([...net.stateDict()].map(([k, t]) => [k, t.clone()]));
    const versions = net.parameters().map((p) => p.storage.version);
    const dict = new Map(new Net(new Rng(2)).stateDict());
    dict.delete("head.weight");
    dict.delete("layers.1.steps");
    dict.set("layers.0.proj.weight", zeros([4, 5]));
    dict.set("extra.bias", zeros([3]));
    const err = thrown(() => net.loadStateDict(dict));
    expect(err).toBeInstanceOf(ModuleError);
    expect(err.message).toBe(
      "Net.loadStateDict: 3 problem(s) loading the state dict; nothing was changed:\n" +
        '  size mismatch for "layers.0.proj.weight": checkpoint [4, 5], model [4, 4]\n' +
        '  missing keys: "layers.1.steps", "head.weight"\n' +
        '  unexpected keys: "extra.bias"',
    );
    expect((err).op).toBe("Net.loadStateDict");
    // Atomic: every parameter and buffer is as before, and no storage was written.
    for (const [k, t] of net.stateDict()) expect(t, k).toBeAllClose(snapshot.get(k)!);
    expect(net.parameters().map((p) => p.storage.version)).toEqual(versions);
  });

  it("reports missing and unexpected keys without strict, but still refuses a shape mismatch", () => {
    const lin = new Linear(3, 2);
    const result = lin.loadStateDict({ weight: ones([2, 3]), other: zeros([1]) }, { strict: false });
    expect(result).toEqual({ missingKeys: ["bias"], unexpectedKeys: ["other"] });
    expect(lin.weight).toBeAllClose(ones([2, 3]));
    expect(() => lin.loadStateDict({ weight: ones([3, 2]) }, { strict: false })).toThrow('size mismatch for "weight": checkpoint [3, 2], model [2, 3]');
  });

  it("refuses non-tensor values and bool tensors for float entries", () => {
    const lin = new Linear(1, 1);
    expect(() => lin.loadStateDict({ weight: [[1]] as unknown as Tensor, bias: zeros([1]) })).toThrow('"weight" is not a Tensor');
    expect(() => lin.loadStateDict({ weight: ones([1, 1], { dtype: "bool" }), bias: zeros([1]) })).toThrow('"weight" is bool, model has float32');
  });

  it("loads integer buffers", () => {
    const block = new Block(new Rng(0));
    const dict = block.stateDict();
    dict.set("steps", tensor([41], { dtype: "int32" }));
    block.loadStateDict(dict);
    expect(new Map(block.namedBuffers()).get("steps")!.toArray()).toEqual([41]);
  });
});

describe("Parameter and expectRank", () => {
  it("Parameter shares its tensor's storage and requires grad; integer parameters must not", () => {
    const t = arange(4).to("float32");
    const p = new Parameter(t);
    expect(p.storage).toBe(t.storage);
    expect(p.requiresGrad).toBe(true);
    expect(new Parameter(t, false).requiresGrad).toBe(false);
    expect(() => new Parameter(arange(3, { dtype: "int32" }))).toThrow(DTypeError);
    expect(new Parameter(arange(3, { dtype: "int32" }), false).dtype).toBe("int32");
  });

  it("tells a Parameter from a plain tensor, so plain tensor properties are neither parameters nor state", () => {
    expect(zeros([1]) instanceof Parameter).toBe(false);
    expect(new Parameter(zeros([1])) instanceof Parameter).toBe(true);
    class WithMask extends Module {
      readonly mask = ones([2, 2], { dtype: "bool" }); // a constant, not registered
      readonly w = new Parameter(zeros([2]));
    }
    const m = new WithMask();
    expect([...m.namedParameters()].map(([k]) => k)).toEqual(["w"]);
    expect([...m.stateDict().keys()]).toEqual(["w"]);
  });

  it("expectRank names the expected layout and the received shape", () => {
    const x = randn([2, 3], { rng: new Rng(0) });
    expect(() => expectRank("Foo.forward", x, [3], "[B, T, C]")).toThrow(ShapeError);
    expect(() => expectRank("Foo.forward", x, [3], "[B, T, C]")).toThrow("Foo.forward: expected input [B, T, C], got [2, 3]");
    expect(() => expectRank("Foo.forward", x, [2, 3], "[B, C]")).not.toThrow();
    expect(() => expectRank("Foo.forward", 3 as unknown as Tensor, [1], "[N]")).toThrow(ValueError);
  });
});
